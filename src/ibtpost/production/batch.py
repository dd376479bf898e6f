"""A batch: one letter definition, one date, many municipalities, one folder in outbox/.

The steps, each safe to repeat:

1. plan: pick the municipalities (the ladder's recommendation, or the ones asked for, where
   any departure from the ladder needs a reason) and compose every letter with a stand-in
   reference, so bad data stops the batch before anything is recorded;
2. allocate: record the batch and give every letter its reference, in one transaction;
3. produce: render each .docx (deterministic bytes) and convert only what is new or
   changed, in a pool of long-lived LibreOffice converters; each finished file is written
   atomically and its hash recorded only after both files exist;
4. finish: write manifest.csv, manifest.json and the print file, and mark the batch complete.

A batch killed anywhere and run again gets the same references (the register keeps them),
skips the letters already finished (the hashes match) and completes the rest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import hashlib
import io
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from ibtpost import failpoints
from ibtpost.approval import versions
from ibtpost.data.config import find_municipalities, load_config
from ibtpost.documents.convert import ConverterPool
from ibtpost.documents.pdf.finish import finish_letter_pdf
from ibtpost.errors import (
    ConvertError,
    IbtpostError,
    UsageError,
)
from ibtpost.files import slug, write_atomic
from ibtpost.mail import dispatch
from ibtpost.models import Config, LetterContext, LetterDefinition, Municipality
from ibtpost.production.letter import Assets, check_pages, render_letter
from ibtpost.production.manifest import PRINT_FILE, print_file, write_manifests
from ibtpost.production.selection import (
    BatchRequest,
    Plan,
    Planned,
    batch_id,
    compose_planned,
    plan_batch,
)
from ibtpost.production.supervision import reconcile
from ibtpost.register import BatchRecord, LetterKey, LetterRecord, PlannedLetter, Register, audit
from ibtpost.text.definitions import load_letter

ProgressCallback = Callable[[int, int], None]


@dataclass
class BatchLetter:
    """A produced letter of a batch."""

    reference: str
    municipality: Municipality
    docx: Path
    pdf: Path
    docx_sha256: str
    pdf_sha256: str
    pages: int
    sample: bool
    data_source: str
    converted: bool


@dataclass
class BatchResult:
    """What a batch run did."""

    id: str
    folder: Path
    letters: list[BatchLetter]
    converted: int
    seconds: float
    warnings: list[str] = field(default_factory=list)
    concept: bool = False

    @property
    def pages(self) -> int:
        """All pages of all letters."""
        return sum(item.pages for item in self.letters)


def run_batch(
    root: Path,
    request: BatchRequest,
    progress: ProgressCallback | None = None,
    pool_size: int | None = None,
) -> BatchResult:
    """Plan, allocate, produce and finish a batch (see the module docstring)."""
    started = time.perf_counter()
    config = load_config(root)
    definition = load_letter(root, request.letter)
    assets = Assets.load(config, definition)
    working = versions.working_copy(root, definition.id)
    if not request.concept and definition.status == "final":
        versions.require_approved(root, definition.id, working)  # a draft: plan_batch says so
    size = converter_count(config, pool_size, len(request.municipalities) or None)
    with (
        Register.for_root(root) as register,
        ThreadPoolExecutor(1) as starter,
        Converters(starter, size, config) as converters,
    ):
        if _likely_to_convert(config, definition, register, request):
            converters.start()  # LibreOffice starts while the batch is planned
        reconcile(register, config, request.day)
        plan = plan_batch(config, definition, register, request)
        if not plan.letters:
            raise UsageError(
                f"no municipality is due for {definition.id} on {request.day.isoformat()}",
                hint=f"see `ibtpost status --date {request.day.isoformat()}`",
            )
        version = versions.record_version(register, root, definition.id, working)
        folder = root / "outbox" / plan.id
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder):
            return _produce(
                config, plan, assets, register, folder, progress, converters, started, version.id
            )


def converter_count(
    config: Config, requested: int | None = None, letters: int | None = None
) -> int:
    """How many LibreOffice converters to run: ``requested``, else ``libreoffice.processes``,
    else one per core; never more than ``letters`` (when known)."""
    size = max(1, requested or config.settings.processes or os.cpu_count() or 1)
    return min(size, letters) if letters else size


def _likely_to_convert(
    config: Config, definition: LetterDefinition, register: Register, request: BatchRequest
) -> bool:
    """False when this batch is already complete (a re-run usually converts nothing)."""
    codes: list[str] | None = None
    if request.municipalities:
        try:
            codes = [m.code for m in find_municipalities(config, request.municipalities)]
        except IbtpostError:
            return False  # the plan reports it
    existing = register.batch(batch_id(definition.id, request.day, codes, request.concept))
    return existing is None or existing.completed_at is None


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the batch folder's lock: one process works on a batch at a time."""
    with (folder / ".lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"batch {folder.name} is being produced by another ibtpost process"
            ) from None
        yield


@dataclass
class _Job:
    planned: Planned
    letter: LetterContext
    stem: str
    docx_sha256: str
    result: BatchLetter | None = None


def _produce(
    config: Config,
    plan: Plan,
    assets: Assets,
    register: Register,
    folder: Path,
    progress: ProgressCallback | None,
    converters: Converters,
    started: float,
    version: str,
) -> BatchResult:
    request, definition = plan.request, plan.definition
    planned = [
        PlannedLetter(
            key=LetterKey(definition.id, item.municipality.code, request.day),
            trede=definition.trede,
            deadline=item.deadline,
            reason=request.reason if item.deviation or request.reason else None,
            sample=config.figures[item.municipality.code].sample,
        )
        for item in plan.letters
    ]
    record = BatchRecord(plan.id, definition.id, request.day, request.concept, request.reason)
    refs = register.open_batch(record, planned, config.settings.references)
    failpoints.hit("allocated")
    for stale in folder.glob(".*.part"):
        stale.unlink()
    work = folder / ".work"
    work.mkdir(exist_ok=True)

    known = {r.reference: r for r in register.batch_letters(plan.id)}
    sources = {
        "definition_sha256": _sha256(definition.path),
        "template_sha256": audit.sha256_of(assets.template),
        "version": version,
    }
    total = len(plan.letters)
    size = converters.size
    jobs: list[_Job] = []
    futures: dict[Future[tuple[bytes, int]], _Job] = {}
    failures: list[str] = []
    warnings: list[str] = list(plan.skipped)
    done = 0
    # Converted letters are opened for the print file as they come in (while LibreOffice
    # works); the others are opened at the end.
    with contextlib.ExitStack() as keep_open:
        opened: dict[str, pikepdf.Pdf] = {}
        # twice as many threads as converters: while one thread finishes a PDF (metadata,
        # checks, writing), another already has the freed converter working on the next
        with ThreadPoolExecutor(2 * size) as executor:
            try:
                # Render every letter; a letter that is new or changed goes to the converters at
                # once, so LibreOffice starts and converts while the rest is still being rendered.
                rendered: Iterable[_Job] = (
                    _render_job(item, refs, config, assets, request, definition, folder)
                    for item in plan.letters
                )
                frozen = _frozen_letters(register, plan.id, known)
                if frozen:  # render all first: nothing converts if a frozen letter changed
                    rendered = list(rendered)
                    _refuse_changes(rendered, known, frozen)
                for job in rendered:
                    jobs.append(job)
                    rec = known.get(job.letter.reference)
                    if (
                        rec is not None
                        and rec.docx_sha256 == job.docx_sha256
                        and rec.pdf_sha256 is not None
                        and (folder / f"{job.stem}.pdf").is_file()
                        and _sha256(folder / f"{job.stem}.pdf") == rec.pdf_sha256
                    ):
                        job.result = _letter_result(
                            job, folder, config, rec.pdf_sha256, rec.pages or 0, False
                        )
                        done += 1
                    else:
                        pool = converters.start()
                        futures[
                            executor.submit(_convert_one, pool, job, folder, work, definition)
                        ] = job
                if progress:
                    progress(done, total)
                converted = 0
                for future in as_completed(futures):
                    job = futures[future]
                    try:
                        pdf, pages = future.result()
                    except _PoolFailed as exc:
                        raise exc.error from None
                    except IbtpostError as exc:
                        failures.append(f"{job.stem}: {exc}")
                        continue
                    pdf_sha = hashlib.sha256(pdf).hexdigest()
                    with register.transaction():
                        register.record_files(job.letter.reference, job.docx_sha256, pdf_sha, pages)
                        _record_generated(register, config, plan, job, pdf_sha, known, sources)
                    job.result = _letter_result(job, folder, config, pdf_sha, pages, True)
                    opened[job.letter.reference] = keep_open.enter_context(
                        pikepdf.open(io.BytesIO(pdf))
                    )
                    done += 1
                    converted += 1
                    if progress:
                        progress(done, total)
                    failpoints.hit("converted", converted)
            except BaseException:
                # stop queued conversions before the converters are closed
                executor.shutdown(wait=True, cancel_futures=True)
                raise
            warnings.extend(converters.incidents())
        converters.request_stop()
        jobs.sort(key=lambda j: j.letter.reference)
        if failures:
            raise ConvertError(
                f"{len(failures)} of {total} letters failed: {failures[0]}"
                + (f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""),
                hint="run the same batch command again to retry only these",
            )
        failpoints.hit("before-manifest")
        letters = [j.result for j in jobs if j.result is not None]
        reasons = {r.reference: r.reason for r in register.batch_letters(plan.id)}
        write_manifests(folder, plan, letters, reasons)
        for made in letters:
            if made.reference not in opened:
                opened[made.reference] = keep_open.enter_context(pikepdf.open(made.pdf))
        printed = print_file([opened[i.reference] for i in letters])
        write_atomic(folder / PRINT_FILE, printed)
    completion = {
        "letter": definition.id,
        "date": request.day.isoformat(),
        "concept": request.concept,
        "letters": len(letters),
        "converted": sum(1 for item in letters if item.converted),
        "pages": sum(item.pages for item in letters),
        "manifest_sha256": _sha256(folder / "manifest.json"),
        "print_sha256": audit.sha256_of(printed),
        "version": version,
    }
    with register.transaction():
        versions.set_batch_version(register, plan.id, version)
        # a re-run that changed nothing completes nothing new: no second event
        if not _completed_as(register, plan.id, completion):
            register.complete_batch(plan.id)
            audit.record(register, audit.BATCH_COMPLETED, batch=plan.id, data=completion)
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()
    samples = sum(1 for item in letters if item.sample)
    if samples:
        warnings.append(f"{samples} letter(s) built on sample figures, marked VOORBEELD")
    return BatchResult(
        id=plan.id,
        folder=folder,
        letters=letters,
        converted=sum(1 for item in letters if item.converted),
        seconds=time.perf_counter() - started,
        warnings=warnings,
        concept=request.concept,
    )


def _record_generated(
    register: Register,
    config: Config,
    plan: Plan,
    job: _Job,
    pdf_sha: str,
    known: dict[str, LetterRecord],
    sources: dict[str, str],
) -> None:
    """The letter.generated audit event of a letter whose files were just recorded."""
    municipality = job.planned.municipality
    figures = config.figures[municipality.code]
    reference = job.letter.reference
    recorded = known.get(reference)
    audit.record(
        register,
        audit.LETTER_GENERATED,
        reference=reference,
        batch=plan.id,
        data={
            "letter": plan.definition.id,
            "municipality": municipality.code,
            "trede": plan.definition.trede,
            "date": plan.request.day.isoformat(),
            "docx_sha256": job.docx_sha256,
            "pdf_sha256": pdf_sha,
            **sources,
            "data_sha256": audit.data_sha256(figures, municipality),
            "concept": plan.request.concept,
            "sample": figures.sample,
            "reason": recorded.reason if recorded else None,
        },
    )


class _PoolFailed(Exception):
    """The converters could not start; carries the ConvertError that says why."""

    def __init__(self, error: IbtpostError) -> None:
        super().__init__(str(error))
        self.error = error


class Converters:
    """The batch's converter pool, started in the background on first need (also used by
    :mod:`ibtpost.proof`)."""

    def __init__(self, starter: ThreadPoolExecutor, size: int, config: Config) -> None:
        self._starter = starter
        self.size = size
        self._settings = config.settings
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
        """Let the converters stop their LibreOffice while the batch finishes its files."""
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


def _render_job(
    item: Planned,
    refs: dict[str, str],
    config: Config,
    assets: Assets,
    request: BatchRequest,
    definition: LetterDefinition,
    folder: Path,
) -> _Job:
    """Compose and render one letter and store its .docx (unless the same bytes are there)."""
    reference = refs[item.municipality.code]
    if item.draft is not None and not _uses_reference(definition.path):
        # the reference appears only in the template's column: no need to compose again
        letter = dataclasses.replace(item.draft, reference=reference)
    else:
        letter = compose_planned(config, definition, request, item, reference)
    docx = render_letter(letter, assets)
    stem = f"{reference}-{slug(item.municipality.name)}"
    sha = hashlib.sha256(docx).hexdigest()
    path = folder / f"{stem}.docx"
    if not path.is_file() or _sha256(path) != sha:
        write_atomic(path, docx)
    return _Job(item, letter, stem, sha)


_REFERENCE_NAME = re.compile(r"(?<![.\w])reference\b")


@functools.lru_cache(maxsize=16)
def _uses_reference(path: Path) -> bool:
    """Whether the letter definition's text itself (not only the template) shows the
    reference."""
    return bool(_REFERENCE_NAME.search(path.read_text("utf-8")))


def _convert_one(
    pool_future: Future[ConverterPool],
    job: _Job,
    folder: Path,
    work: Path,
    definition: LetterDefinition,
) -> tuple[bytes, int]:
    """Convert, finish and store one letter's PDF (runs in a worker thread)."""
    try:
        pool = pool_future.result()
    except IbtpostError as exc:
        raise _PoolFailed(exc) from None
    raw = work / f"{job.stem}.pdf"
    raw.unlink(missing_ok=True)
    pool.convert(folder / f"{job.stem}.docx", raw)
    pdf, facts = finish_letter_pdf(raw.read_bytes(), job.letter, f"{job.stem}.pdf")
    check_pages(facts.pages, definition, job.stem)
    write_atomic(folder / f"{job.stem}.pdf", pdf)
    raw.unlink()
    return pdf, facts.pages


def _letter_result(
    job: _Job, folder: Path, config: Config, pdf_sha: str, pages: int, converted: bool
) -> BatchLetter:
    municipality = job.planned.municipality
    figures = config.figures[municipality.code]
    return BatchLetter(
        reference=job.letter.reference,
        municipality=municipality,
        docx=folder / f"{job.stem}.docx",
        pdf=folder / f"{job.stem}.pdf",
        docx_sha256=job.docx_sha256,
        pdf_sha256=pdf_sha,
        pages=pages,
        sample=figures.sample,
        data_source=figures.source,
        converted=converted,
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _completed_as(register: Register, batch_id: str, completion: dict[str, object]) -> bool:
    """True when the batch's last completion recorded the same manifest, print file and
    letter version."""
    same = ("letters", "manifest_sha256", "print_sha256", "version")
    last = None
    for event in audit.events(register, batch=batch_id):
        if event.kind == audit.BATCH_COMPLETED:
            last = event.data
    return last is not None and all(last.get(k) == completion[k] for k in same)


def _frozen_letters(
    register: Register, batch_id: str, known: dict[str, LetterRecord]
) -> dict[str, str]:
    """The letters of a batch whose files may no longer change, with why: sent (by post or
    by mail), or in the dispatch queue (checked, and perhaps on its way)."""
    frozen = {
        reference: f"sent by {record.sent_via} on {record.sent_on.isoformat()}"
        for reference, record in known.items()
        if record.sent_on is not None
    }
    for entry in dispatch.entries(register, batch_id):
        frozen.setdefault(entry.reference, f"in the dispatch queue ({entry.state})")
    return frozen


def _refuse_changes(
    jobs: list[_Job], known: dict[str, LetterRecord], frozen: dict[str, str]
) -> None:
    """Refuse a re-run that would change a queued or sent letter: what went out, or was
    checked to go out, stays as it was (the register and audit trail hold its hashes)."""
    changed = [
        job
        for job in jobs
        if job.letter.reference in frozen
        and (record := known.get(job.letter.reference)) is not None
        and record.docx_sha256 != job.docx_sha256
    ]
    if not changed:
        return
    first = changed[0].letter
    more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
    raise UsageError(
        f"letter {first.reference} ({first.municipality.name}) would change, but it is "
        f"{frozen[first.reference]}{more}; a queued or sent letter never changes",
        hint="undo the change, or make the changed letter in a new batch (another --date)",
    )
