"""The production engine: letters in, PDFs out, through the pool of LibreOffice converters.

Every command that makes letters runs the same loop: ``ibtpost letter`` (one letter),
``ibtpost batch`` (a batch folder) and ``ibtpost preview``/``proof`` (review copies). Each
plans its letters and composes and renders each one once, into a :class:`Job` (the
composed letter and its ``.docx`` bytes); :func:`produce` converts them and hands each
result to a *sink*, which decides what a finished letter is and where it goes:

- :meth:`Sink.existing`: a result without converting (a batch letter whose files are
  already there, unchanged), or None;
- :meth:`Sink.source`: where the ``.docx`` to convert lies (the sink writes it);
- :meth:`Sink.finished`: in a worker thread, the PDF LibreOffice made, finished (metadata
  and checks for a letter, nothing for a review copy) and stored;
- :meth:`Sink.record`: in the calling thread, in the order of the jobs, each letter that
  was converted (register and audit trail, pages joined, ...).

The converters start in the background on first need (:class:`Converters`), so LibreOffice
starts while the caller still composes. Two threads per converter: while one thread
finishes a PDF, another already has the freed converter working on the next letter. A
letter that fails does not stop the others; the failures are raised together at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from ibtpost.core.domain import Config
from ibtpost.core.errors import ConvertError, IbtpostError, Location, RenderError
from ibtpost.core.progress import ProgressCallback
from ibtpost.documents.convert import ConverterPool
from ibtpost.documents.pdf.finish import PdfFacts, finish_letter_pdf
from ibtpost.documents.pdf.seal import Sealer
from ibtpost.text.composed import LetterContext
from ibtpost.text.nodes import LetterDefinition

Result = TypeVar("Result")


@dataclass(frozen=True)
class Job:
    """One letter to produce: its name (the file stem), composed letter and rendered .docx."""

    name: str  # "7500001-vlaardingen"
    letter: LetterContext
    docx: bytes
    docx_sha256: str = field(default="")

    def __post_init__(self) -> None:
        if not self.docx_sha256:
            object.__setattr__(self, "docx_sha256", hashlib.sha256(self.docx).hexdigest())


class Sink(Protocol[Result]):
    """Where produced letters go (see the module docstring)."""

    def existing(self, job: Job) -> Result | None:
        """The result of a letter that needs no conversion, or None."""

    def source(self, job: Job, work: Path) -> Path:
        """Write the job's .docx where it belongs (or into ``work``); its path."""

    def finished(self, job: Job, pdf: bytes) -> Result:
        """Finish and store the PDF LibreOffice made (runs in a worker thread)."""

    def record(self, job: Job, result: Result) -> None:
        """Take a converted letter, in job order (runs in the calling thread)."""


@dataclass
class Produced(Generic[Result]):
    """What :func:`produce` did: every result in job order, and what it took."""

    results: list[Result]
    converted: int
    incidents: list[str]  # what the converter pool had to repair


def converter_count(
    config: Config, requested: int | None = None, letters: int | None = None
) -> int:
    """How many LibreOffice converters to run: ``requested``, else ``libreoffice.processes``,
    else one per core; never more than ``letters`` (when known)."""
    size = max(1, requested or config.settings.processes or os.cpu_count() or 1)
    return min(size, letters) if letters else size


class Converters:
    """A converter pool started in the background on first need and closed on exit."""

    def __init__(self, config: Config, size: int) -> None:
        self.size = size
        self._settings = config.settings
        self._starter = ThreadPoolExecutor(1, thread_name_prefix="ibtpost-start")
        self._future: Future[ConverterPool] | None = None

    def start(self) -> Future[ConverterPool]:
        """The pool (starting it if this is the first call)."""
        if self._future is None:
            s = self._settings
            self._future = self._starter.submit(
                ConverterPool, self.size, s.soffice, s.converter_python, s.convert_timeout
            )
        return self._future

    def request_stop(self) -> None:
        """Let the converters stop their LibreOffice while the caller finishes its files."""
        if self._future is not None and self._future.exception() is None:
            for converter in self._future.result().converters:
                converter.request_stop()

    def incidents(self) -> list[str]:
        """What the pool had to repair (hung or dead converters)."""
        if self._future is None or self._future.exception() is not None:
            return []
        return list(self._future.result().incidents)

    def __enter__(self) -> Converters:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._future is not None and self._future.exception() is None:
            self._future.result().close()
        self._starter.shutdown(wait=True)


def docx_in(work: Path, job: Job) -> Path:
    """Write a job's .docx into the work folder (for a sink that keeps no .docx of its own)."""
    path = work / f"{job.name}.docx"
    path.write_bytes(job.docx)
    return path


class _PoolFailed(Exception):
    """The converters could not start; carries the error that says why."""

    def __init__(self, error: IbtpostError) -> None:
        super().__init__(str(error))
        self.error = error


def produce(
    jobs: Iterable[Job],
    converters: Converters,
    sink: Sink[Result],
    *,
    total: int,
    progress: ProgressCallback | None = None,
) -> Produced[Result]:
    """Convert every job that ``sink`` has no result for and hand each to ``sink``.

    ``jobs`` may be a generator: each job goes to the converters as soon as it is made, so
    LibreOffice converts while the rest is still rendered. Raises a ConvertError naming the
    letters that failed once all others are done; the caller re-runs to retry them.
    """
    made: list[Job] = []
    results: dict[int, Result] = {}
    failed: dict[int, str] = {}
    converted: set[int] = set()
    pending: dict[Future[Result], int] = {}
    recorded = 0
    with (
        tempfile.TemporaryDirectory(prefix="ibtpost-work-") as tmp,
        ThreadPoolExecutor(2 * converters.size, thread_name_prefix="ibtpost-convert") as pool,
    ):
        work = Path(tmp)
        try:
            for index, job in enumerate(jobs):
                made.append(job)
                ready = sink.existing(job)
                if ready is not None:
                    results[index] = ready
                    continue
                source = sink.source(job, work)
                future = pool.submit(_convert, converters.start(), job, source, work, sink)
                pending[future] = index
            if progress:
                progress(len(results), total)
            for future in as_completed(pending):
                index = pending[future]
                try:
                    results[index] = future.result()
                    converted.add(index)
                except _PoolFailed as exc:
                    raise exc.error from None
                except IbtpostError as exc:
                    failed[index] = f"{made[index].name}: {exc}"
                # hand over in job order what is ready
                while recorded < len(made) and (recorded in results or recorded in failed):
                    if recorded in converted:
                        sink.record(made[recorded], results[recorded])
                    recorded += 1
                if progress:
                    progress(len(results) + len(failed), total)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)  # before the converters close
            raise
    if failed:
        first, count = next(iter(sorted(failed.items())))[1], len(failed)
        raise ConvertError(
            f"{count} of {len(made)} letters failed: {first}"
            + (f" (and {count - 1} more)" if count > 1 else ""),
            hint="run the same command again to retry only these",
        )
    return Produced([results[i] for i in range(len(made))], len(converted), converters.incidents())


def _convert(
    pool: Future[ConverterPool], job: Job, source: Path, work: Path, sink: Sink[Result]
) -> Result:
    """Convert one letter and let the sink finish it (runs in a worker thread)."""
    try:
        converters = pool.result()
    except IbtpostError as exc:
        raise _PoolFailed(exc) from None
    raw = work / f"{job.name}.pdf"
    raw.unlink(missing_ok=True)
    converters.convert(source, raw)
    data = raw.read_bytes()
    raw.unlink()
    return sink.finished(job, data)


def finish_letter(job: Job, pdf: bytes, definition: LetterDefinition) -> tuple[bytes, PdfFacts]:
    """A letter's PDF as LibreOffice made it, finished: its metadata set and checked as
    tagged PDF/A-2b with embedded fonts, and its page count within the definition's bounds
    (a letter, not a review copy)."""
    data, facts = finish_letter_pdf(pdf, job.letter, f"{job.name}.pdf")
    problem = definition.pages_problem(facts.pages)
    if problem is not None:
        raise RenderError(
            f"{job.name}: {problem}",
            Location(f"letters/{definition.path.name}", None, "pages"),
            hint="shorten or lengthen the text, or change the bounds under 'pages'",
        )
    return data, facts


@contextlib.contextmanager
def open_sealer(config: Config, concept: bool) -> Iterator[Sealer | None]:
    """The seal for final letters when ``signing:`` is configured (concept letters and
    review copies are never sealed). Opening it checks the key, certificate and timestamp
    server: a problem stops the command here, exit 2, before anything is recorded."""
    signing = config.settings.signing
    if signing is None or concept:
        yield None
        return
    with Sealer(signing) as sealer:
        yield sealer
