"""A batch: one letter definition, one date, many municipalities, one folder in outbox/.

The steps, each safe to repeat:

1. plan: pick the municipalities (the ladder's recommendation, or the ones asked for, where
   any departure from the ladder needs a reason; :mod:`ibtpost.production.selection`);
2. allocate: in one transaction, record the batch, give every letter its reference and
   compose every letter with it, once; bad data for any letter rolls it all back, so
   nothing is recorded;
3. produce: render each .docx (deterministic bytes) and convert only what is new or
   changed (:mod:`ibtpost.production.engine`); the batch folder (:class:`BatchFolder`)
   writes each finished file atomically and records its hash only after both files exist;
4. finish: write manifest.csv, manifest.json and the print file, and mark the batch complete.

A batch killed anywhere and run again gets the same references (the register keeps them),
skips the letters already finished (the hashes match) and completes the rest.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from ibtpost.approval import versions
from ibtpost.core import failpoints
from ibtpost.core.domain import Config
from ibtpost.core.errors import IbtpostError, Param, Phrase, Problems, UsageError
from ibtpost.core.files import sha256_file, sha256_of, slug, write_atomic
from ibtpost.core.layout import BatchLayout, Layout
from ibtpost.core.progress import ProgressCallback
from ibtpost.data.config import load_config
from ibtpost.data.municipalities import find_municipalities
from ibtpost.documents.pdf.printfile import print_file
from ibtpost.documents.pdf.seal import Sealer
from ibtpost.documents.pdf.sealcheck import is_sealed
from ibtpost.documents.render import Assets, render_letter
from ibtpost.production.engine import (
    Converters,
    Job,
    Produced,
    converter_count,
    finish_letter,
    open_sealer,
    produce,
)
from ibtpost.production.manifest import BatchLetter, write_manifests
from ibtpost.production.notice import Notice, produce_notices, record_notices
from ibtpost.production.selection import (
    BatchRequest,
    Plan,
    batch_id,
    compose_planned,
    pass_gate,
    planned_batch,
)
from ibtpost.register import (
    BatchRecord,
    LetterKey,
    LetterRecord,
    PlannedLetter,
    Register,
    audit,
    dispatch,
)
from ibtpost.register import letters as letter_register
from ibtpost.register import versions as stored_versions
from ibtpost.text.composed import LetterContext
from ibtpost.text.definitions import load_letter
from ibtpost.text.nodes import LetterDefinition


@dataclass
class BatchResult:
    """What a batch run did."""

    id: str
    folder: Path
    letters: list[BatchLetter]
    converted: int
    seconds: float
    warnings: list[str | Phrase] = field(default_factory=list)
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
    pass_gate(root, config, definition, request, working)
    size = converter_count(config, pool_size, len(request.municipalities) or None)
    with (
        open_sealer(config, request.concept) as sealer,  # checked before anything is recorded
        Register.for_root(root) as register,
        Converters(config, size) as converters,
    ):
        if _likely_to_convert(config, definition, register, request):
            converters.start()  # LibreOffice starts while the batch is planned
        plan = planned_batch(config, definition, register, request)
        version = versions.record_version(register, root, definition.id, working).id
        letters = allocate(register, config, plan)
        failpoints.hit("allocated")
        folder = Layout(root).batch(plan.id).folder
        folder.mkdir(parents=True, exist_ok=True)
        with batch_lock(folder):
            sink = BatchFolder(folder, register, config, plan, version, sealer)
            jobs = sink.jobs(letters, assets)
            produced = produce(jobs, converters, sink, total=len(letters), progress=progress)
            notices = produce_notices(
                config, definition, letters, assets, folder, converters, sealer
            )
            converters.request_stop()
            result = sink.complete(produced, notices)
    result.seconds = time.perf_counter() - started
    return result


def allocate(register: Register, config: Config, plan: Plan) -> list[LetterContext]:
    """Record the batch, give each letter its reference and compose it with it, in one
    transaction: every letter is composed once, and bad data for any of them (every problem
    listed) leaves nothing recorded."""
    request, definition = plan.request, plan.definition
    planned = [
        PlannedLetter(
            key=LetterKey(definition.id, item.municipality.code, request.day),
            trede=definition.trede if definition.on_ladder else None,
            deadline=None,  # known once composed, below
            reason=request.reason if item.deviation or request.reason else None,
            sample=config.figures[item.municipality.code].sample,
            kind=definition.kind,
            corrects=item.corrects.reference if item.corrects is not None else None,
        )
        for item in plan.letters
    ]
    record = BatchRecord(plan.id, definition.id, request.day, request.concept, request.reason)
    letters: list[LetterContext] = []
    problems: list[IbtpostError] = []
    with register.transaction():
        refs = letter_register.open_batch(register, record, planned, config.settings.references)
        for item in plan.letters:
            reference = refs[item.municipality.code]
            try:
                letters.append(compose_planned(config, definition, request, item, reference))
            except Problems as exc:
                problems.extend(exc.problems)
            except IbtpostError as exc:
                problems.append(exc)
        if problems:
            raise Problems(problems)  # rolls the batch and its references back
        letter_register.record_terms(
            register, {x.reference: (x.ladder_deadline, x.reaction) for x in letters}
        )
    return letters


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
    existing = letter_register.batch(
        register, batch_id(definition.id, request.day, codes, request.concept)
    )
    return existing is None or existing.completed_at is None


@contextlib.contextmanager
def batch_lock(folder: Path) -> Iterator[None]:
    """Hold the batch folder's lock: one process works on a batch at a time (``batch``
    making or re-making its files, ``queue`` checking and freezing them)."""
    with BatchLayout(folder).lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            hint, busy = Phrase("hint.again_later"), {"batch": folder.name}
            raise UsageError(hint=hint, key="error.batch_busy", values=busy) from None
        yield


@dataclass
class _Made:
    """A letter converted in this run: its entry and its PDF's bytes (for the print file)."""

    letter: BatchLetter
    pdf: bytes


class BatchFolder:
    """The sink of a batch: the letters' files in ``outbox/<batch>/``, their hashes and
    ``letter.generated`` events in the register, then manifests and the print file."""

    def __init__(
        self,
        folder: Path,
        register: Register,
        config: Config,
        plan: Plan,
        version: str,
        sealer: Sealer | None = None,
    ) -> None:
        self.folder = folder
        self.sealer = sealer
        self.register = register
        self.config = config
        self.plan = plan
        self.version = version
        self.known = {r.reference: r for r in letter_register.batch_letters(register, plan.id)}
        self.frozen = _frozen_letters(register, plan.id, self.known)
        self.unsealed_frozen = 0  # queued or sent before signing: was set: never changed
        self.opened: dict[str, pikepdf.Pdf] = {}
        self._keep_open = contextlib.ExitStack()
        self._converted = 0
        self.sources = {
            "definition_sha256": sha256_file(plan.definition.path),
            "template_sha256": "",
            "version": version,
        }
        for stale in folder.glob(".*.part"):
            stale.unlink()
        shutil.rmtree(BatchLayout(folder).old_work, ignore_errors=True)  # left by an older ibtpost

    def jobs(self, letters: list[LetterContext], assets: Assets) -> Iterator[Job]:
        """Render every letter and store its .docx (unless the same bytes are there). When a
        letter of the batch is queued or sent, every letter is rendered first: nothing
        converts if one of those would change."""
        self.sources["template_sha256"] = sha256_of(assets.template)
        rendered = (self._render(letter, assets) for letter in letters)
        if self.frozen:
            jobs = list(rendered)
            _refuse_changes(jobs, self.known, self.frozen)
            yield from jobs
        else:
            yield from rendered

    def _render(self, letter: LetterContext, assets: Assets) -> Job:
        job = Job(
            f"{letter.reference}-{slug(letter.municipality.name)}",
            letter,
            render_letter(letter, assets),
        )
        path = self.folder / f"{job.name}.docx"
        if not path.is_file() or sha256_file(path) != job.docx_sha256:
            write_atomic(path, job.docx)
        return job

    # -- the engine's sink --------------------------------------------------------------

    def existing(self, job: Job) -> _Made | BatchLetter | None:
        """A letter whose .docx and PDF are the ones recorded: nothing to convert, nothing to
        seal again (a sealed file is never made twice: its signing time is inside it). With
        ``signing:`` configured, a recorded PDF without a seal is made again and sealed,
        unless the letter is queued or sent (it never changes)."""
        record = self.known.get(job.letter.reference)
        pdf = self.folder / f"{job.name}.pdf"
        if (
            record is not None
            and record.docx_sha256 == job.docx_sha256
            and record.pdf_sha256 is not None
            and pdf.is_file()
            and sha256_file(pdf) == record.pdf_sha256
        ):
            if self.sealer is not None and not is_sealed(pdf.read_bytes()):
                if job.letter.reference not in self.frozen:
                    return None  # made again, and sealed
                self.unsealed_frozen += 1
            return self._entry(job, record.pdf_sha256, record.pages or 0, converted=False)
        return None

    def source(self, job: Job, work: Path) -> Path:
        """The .docx in the batch folder (written by :meth:`jobs`)."""
        return self.folder / f"{job.name}.docx"

    def finished(self, job: Job, pdf: bytes) -> _Made | BatchLetter:
        """Finish and store one letter's PDF (a worker thread)."""
        data, facts = finish_letter(job, pdf, self.plan.definition)
        if self.sealer is not None:  # the last step: sealed in memory, then written whole
            data = self.sealer.seal(data)
        write_atomic(self.folder / f"{job.name}.pdf", data)
        entry = self._entry(job, hashlib.sha256(data).hexdigest(), facts.pages, converted=True)
        return _Made(entry, data)

    def record(self, job: Job, result: _Made | BatchLetter) -> None:
        """Record a converted letter's files and its ``letter.generated`` event."""
        if not isinstance(result, _Made):
            return
        entry = result.letter
        with self.register.transaction():
            letter_register.record_files(
                self.register, entry.reference, job.docx_sha256, entry.pdf_sha256, entry.pages
            )
            self._record_generated(job, entry.pdf_sha256)
        # opened now for the print file, while LibreOffice converts the rest
        self.opened[entry.reference] = self._keep_open.enter_context(
            pikepdf.open(io.BytesIO(result.pdf))
        )
        self._converted += 1
        failpoints.hit("converted", self._converted)

    # -- finishing ------------------------------------------------------------------------

    def complete(
        self, produced: Produced[_Made | BatchLetter], notices: dict[str, Notice] | None = None
    ) -> BatchResult:
        """Manifests, print file and the batch's completion (once all letters are done)."""
        plan, register, folder = self.plan, self.register, self.folder
        failpoints.hit("before-manifest")
        letters = sorted(
            (r.letter if isinstance(r, _Made) else r for r in produced.results),
            key=lambda item: item.reference,
        )
        reasons = {r.reference: r.reason for r in letter_register.batch_letters(register, plan.id)}
        write_manifests(folder, plan, letters, reasons, notices or {})
        with self._keep_open:
            for made in letters:
                if made.reference not in self.opened:
                    self.opened[made.reference] = self._keep_open.enter_context(
                        pikepdf.open(made.pdf)
                    )
            printed = print_file([self.opened[i.reference] for i in letters])
            write_atomic(BatchLayout(folder).print_file, printed)
        completion = {
            "letter": plan.definition.id,
            "date": plan.request.day.isoformat(),
            "concept": plan.request.concept,
            "letters": len(letters),
            "converted": produced.converted,
            "pages": sum(item.pages for item in letters),
            "manifest_sha256": sha256_file(BatchLayout(folder).manifest_json),
            "print_sha256": sha256_of(printed),
            "version": self.version,
        }
        with register.transaction():
            if not plan.request.concept:  # a final letter's kennisgeving is a record too
                record_notices(register, plan.id, notices or {})
            stored_versions.set_batch_version(register, plan.id, self.version)
            # a re-run that changed nothing completes nothing new: no second event
            if not _completed_as(register, plan.id, completion):
                letter_register.finish_batch(register, plan.id)
                audit.record(register, audit.BATCH_COMPLETED, batch=plan.id, data=completion)
        warnings: list[str | Phrase] = [*plan.skipped, *plan.notes, *produced.incidents]
        if self.unsealed_frozen:
            warnings.append(Phrase("warning.unsealed", {"count": self.unsealed_frozen}))
        samples = sum(1 for item in letters if item.sample)
        if samples:
            warnings.append(Phrase("warning.samples", {"count": samples}))
        return BatchResult(
            id=plan.id,
            folder=folder,
            letters=letters,
            converted=produced.converted,
            seconds=0.0,
            warnings=warnings,
            concept=plan.request.concept,
        )

    def _entry(self, job: Job, pdf_sha: str, pages: int, *, converted: bool) -> BatchLetter:
        municipality = job.letter.municipality
        figures = self.config.figures[municipality.code]
        return BatchLetter(
            reference=job.letter.reference,
            municipality=municipality,
            docx=self.folder / f"{job.name}.docx",
            pdf=self.folder / f"{job.name}.pdf",
            docx_sha256=job.docx_sha256,
            pdf_sha256=pdf_sha,
            pages=pages,
            sample=figures.sample,
            data_source=figures.source,
            converted=converted,
        )

    def _record_generated(self, job: Job, pdf_sha: str) -> None:
        """The letter.generated audit event of a letter whose files were just recorded."""
        plan = self.plan
        municipality = job.letter.municipality
        figures = self.config.figures[municipality.code]
        reference = job.letter.reference
        recorded = self.known.get(reference)
        audit.record(
            self.register,
            audit.LETTER_GENERATED,
            reference=reference,
            batch=plan.id,
            data={
                "letter": plan.definition.id,
                "municipality": municipality.code,
                "trede": plan.definition.trede if plan.definition.on_ladder else None,
                **(
                    {"kind": plan.definition.kind, "corrects": recorded.corrects}
                    if not plan.definition.on_ladder and recorded is not None
                    else {}
                ),
                "date": plan.request.day.isoformat(),
                "docx_sha256": job.docx_sha256,
                "pdf_sha256": pdf_sha,
                **self.sources,
                "data_sha256": audit.data_sha256(figures, municipality),
                "concept": plan.request.concept,
                "sample": figures.sample,
                "reason": recorded.reason if recorded else None,
                **({"seal": f"PAdES {self.sealer.level}"} if self.sealer else {}),
            },
        )


def _completed_as(register: Register, batch: str, completion: dict[str, object]) -> bool:
    """True when the batch's last completion recorded the same manifest, print file and
    letter version."""
    same = ("letters", "manifest_sha256", "print_sha256", "version")
    last = None
    for event in audit.events(register, batch=batch):
        if event.kind == audit.BATCH_COMPLETED:
            last = event.data
    return last is not None and all(last.get(k) == completion[k] for k in same)


def _frozen_letters(
    register: Register, batch: str, known: dict[str, LetterRecord]
) -> dict[str, str]:
    """The letters of a batch whose files may no longer change, with why: sent (by post or
    by mail), or in the dispatch queue (checked, and perhaps on its way)."""
    frozen = {
        reference: f"sent by {record.sent_via} on {record.sent_on.isoformat()}"
        for reference, record in known.items()
        if record.sent_on is not None
    }
    for entry in dispatch.entries(register, batch):
        frozen.setdefault(entry.reference, f"in the dispatch queue ({entry.state})")
    return frozen


def _refuse_changes(
    jobs: list[Job], known: dict[str, LetterRecord], frozen: dict[str, str]
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
        hint=Phrase("hint.new_batch", {"date": Param("date")}),
    )
