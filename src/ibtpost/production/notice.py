"""The kennisgeving: the public notice of a letter (the Staatscourant's kennisgeving of a
voornemen tot indeplaatsstelling, Gemeentewet art. 124 lid 4), made beside each letter of a
batch whose definition has ``kennisgeving:``.

It is a document of its own, composed from the same data as its letter (the letter's
reference, date, terms and previous letter), rendered with the same Word template, converted
by the same converters and finished the same way (tagged PDF/A-2b with embedded fonts):
``<reference>-<name>-kennisgeving.docx`` and ``.pdf`` in the batch folder, listed in the
manifest with the letter. A batch run again converts only a notice whose .docx changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ibtpost.core.domain import Config
from ibtpost.core.files import sha256_file, sha256_of, slug, write_atomic
from ibtpost.documents.pdf.seal import Sealer
from ibtpost.documents.render import Assets, render_letter
from ibtpost.production.engine import Converters, Job, finish_letter, produce
from ibtpost.register import Register, audit
from ibtpost.register import notices as notice_register
from ibtpost.text.compose import CONCEPT_MARK, compose
from ibtpost.text.composed import LetterContext
from ibtpost.text.definitions import NOTICE_SUFFIX
from ibtpost.text.nodes import LetterDefinition


@dataclass(frozen=True)
class Notice:
    """The files of one letter's kennisgeving."""

    reference: str  # the letter's
    docx: Path
    pdf: Path
    pdf_sha256: str
    pages: int
    converted: bool


def needs_notice(definition: LetterDefinition, letter: LetterContext) -> bool:
    """Whether ``letter`` of ``definition`` gets a kennisgeving: when its definition has one,
    and for a herstel only when the letter it corrects had one (a herstelbesluit of a
    besluit that was made public)."""
    if definition.kennisgeving is None:
        return False
    if definition.kind == "herstel":
        return letter.corrects is not None and letter.corrects.kennisgeving
    return True


def notice_jobs(
    config: Config,
    definition: LetterDefinition,
    letters: list[LetterContext],
    assets: Assets,
    folder: Path,
) -> Iterator[Job]:
    """Compose and render the kennisgeving of each letter (writing each .docx that changed)."""
    notice = definition.kennisgeving
    if notice is None:
        return
    for letter in letters:
        if not needs_notice(definition, letter):
            continue
        context = compose(
            notice,
            letter.municipality,
            config,
            letter.reference,
            letter.date,
            concept=CONCEPT_MARK in letter.marks,
            previous=letter.previous,
            corrects=letter.corrects,
        )
        job = Job(
            f"{letter.reference}-{slug(letter.municipality.name)}{NOTICE_SUFFIX}",
            context,
            render_letter(context, assets),
        )
        path = folder / f"{job.name}.docx"
        if not path.is_file() or sha256_file(path) != job.docx_sha256:
            write_atomic(path, job.docx)
        yield job


class NoticeFiles:
    """The engine's sink for notices: their files in the batch folder (sealed when the batch
    seals its letters)."""

    def __init__(
        self, folder: Path, notice: LetterDefinition, sealer: Sealer | None = None
    ) -> None:
        self.folder = folder
        self.definition = notice  # the letter definition's kennisgeving
        self.sealer = sealer

    def existing(self, job: Job) -> Notice | None:
        """A notice whose PDF was made from the .docx it has now (the hash beside it)."""
        pdf = self.folder / f"{job.name}.pdf"
        made_from = self.folder / f".{job.name}.source"
        if not pdf.is_file() or not made_from.is_file():
            return None
        recorded = made_from.read_text("utf-8").split()
        digest = sha256_file(pdf)
        if len(recorded) != 3 or recorded[:2] != [job.docx_sha256, digest]:
            return None
        return self._notice(job, digest, int(recorded[2]), converted=False)

    def source(self, job: Job, work: Path) -> Path:
        return self.folder / f"{job.name}.docx"

    def finished(self, job: Job, pdf: bytes) -> Notice:
        data, facts = finish_letter(job, pdf, self.definition)
        if self.sealer is not None:
            data = self.sealer.seal(data)
        path = self.folder / f"{job.name}.pdf"
        write_atomic(path, data)
        digest = sha256_of(data)
        made_from = f"{job.docx_sha256} {digest} {facts.pages}\n"
        write_atomic(self.folder / f".{job.name}.source", made_from.encode())
        return self._notice(job, digest, facts.pages, converted=True)

    def record(self, job: Job, result: Notice) -> None:
        """Nothing to record: the manifest lists the notice with its letter."""

    def _notice(self, job: Job, digest: str, pages: int, *, converted: bool) -> Notice:
        return Notice(
            job.letter.reference,
            self.folder / f"{job.name}.docx",
            self.folder / f"{job.name}.pdf",
            digest,
            pages,
            converted,
        )


def produce_notices(
    config: Config,
    definition: LetterDefinition,
    letters: list[LetterContext],
    assets: Assets,
    folder: Path,
    converters: Converters,
    sealer: Sealer | None = None,
) -> dict[str, Notice]:
    """Every letter's kennisgeving, by the letter's reference (none without ``kennisgeving:``)."""
    notice = definition.kennisgeving
    if notice is None or not letters:
        return {}
    jobs = notice_jobs(config, definition, letters, assets, folder)
    sink = NoticeFiles(folder, notice, sealer)
    produced = produce(jobs, converters, sink, total=len(letters))
    return {notice.reference: notice for notice in produced.results}


def record_notices(register: Register, batch: str, notices: dict[str, Notice]) -> None:
    """Each kennisgeving of a final batch as a record of its own (``register.notices``),
    with its ``notice.generated`` event when it is new or changed; inside the caller's
    transaction."""
    for reference, notice in sorted(notices.items()):
        docx = sha256_file(notice.docx)
        if notice_register.record(register, reference, notice.pdf_sha256, docx, notice.pages):
            audit.record(
                register,
                audit.NOTICE_GENERATED,
                reference=reference,
                batch=batch,
                data={
                    "notice": notice_register.notice_reference(reference),
                    "pdf_sha256": notice.pdf_sha256,
                    "docx_sha256": docx,
                    "pages": notice.pages,
                },
            )
