"""``ibtpost case GM0622``: everything about one municipality's supervision in one place.

A folder (default ``outbox/cases/<code>/case-file/``) with

- ``letters/``: the municipality's final letters as sent (PDFs, sealed when sealed), each
  checked against the SHA-256 the register recorded;
- ``replies/``: the replies and zienswijzen recorded with ``ibtpost reply``;
  (the overview also lists the kennisgevingen published and the events at the court);
- ``motivering/``: every version of the motivering written with ``ibtpost motivering``
  (``<reference>-<part>-v<version>.txt``);
- ``delivery-report.csv``: the delivery report rows of its letters (``ibtpost report``);
- ``audit-events.jsonl``: the audit events of its references, and ``audit-verify.txt``:
  the verification of the whole chain (``ibtpost audit verify``);
- ``case-file.pdf``: the dossier for reading and for the court (Awb 8:42), PDF/A-2b with
  bookmarks and page labels: the inventarislijst, the numbered documents (each letter as
  sent, its kennisgeving, its copies, the replies and zienswijzen, publications, events at
  the court, the motivering written on it), a chronology in Dutch and the delivery report
  (:mod:`ibtpost.archive.chapters`, :mod:`ibtpost.archive.dossier`). The raw audit events
  and the chain's verification are the annexes above, not part of this PDF.

The folder is built apart and then put in place whole: an earlier case file is replaced
only by a complete new one.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ibtpost.archive.chapters import Gathered, write_dossier
from ibtpost.archive.records import (
    LetterFile,
    case_records,
    letter_file,
)
from ibtpost.core import clock
from ibtpost.core.domain import Config, Municipality
from ibtpost.core.layout import Layout
from ibtpost.data.config import load_config
from ibtpost.dispatch.report import as_csv, delivery_report
from ibtpost.register import Register, audit, motivering, procedure, replies
from ibtpost.register.dispatch import copies_of
from ibtpost.review.noticecheck import notice_file

CASE_PDF = "case-file.pdf"


@dataclass
class CaseFileResult:
    """What ``ibtpost case`` wrote."""

    municipality: Municipality
    folder: Path
    pdf: Path
    letters: list[LetterFile]
    replies: int
    events: int
    chain: str  # "N events, chain intact" or the first broken event
    pages: int
    warnings: list[str] = field(default_factory=list)


def build_case_file(root: Path, query: str, out: Path | None = None) -> CaseFileResult:
    """Write the case file of the municipality ``query`` (code or name)."""
    config = load_config(root)
    checked_at = clock.stamp()
    with Register.for_root(root) as register:
        municipality, records = case_records(register, config, query)
        listed: dict[Path, dict[str, dict[str, list[Path]]]] = {}  # each folder listed once
        letters = [letter_file(root, register, config, r, checked_at, listed) for r in records]
        references = {r.reference for r in records}
        gathered = Gathered(
            letters,
            {r: replies.of_letter(register, r) for r in sorted(references)},
            [
                row
                for batch in sorted({str(r.batch) for r in records})
                for row in delivery_report(register, batch, {municipality.code: municipality.name})
                if row.reference in references
            ],
            [e for e in audit.events(register) if e.reference in references],
            audit.verify(register),
            {
                r: found
                for r in sorted(references)
                if (found := procedure.publication(register, r)) is not None
            },
            [x for r in sorted(references) for x in procedure.litigation(register, r)],
            {r: motivering.versions(register, r) for r in sorted(references)},
            {r: copies_of(register, r) for r in sorted(references)},
        )
    folder = out or Layout(root).case_file(municipality.code)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        pages, warnings = _write(root, config, work, municipality, gathered)
        _swap(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if not gathered.chain.ok:
        warnings.append(f"audit trail: {gathered.chain}")
    return CaseFileResult(
        municipality,
        folder,
        folder / CASE_PDF,
        letters,
        sum(len(x) for x in gathered.replies.values()),
        len(gathered.events),
        str(gathered.chain),
        pages,
        warnings,
    )


def _swap(work: Path, folder: Path) -> None:
    """Put the new case file in place of the old one (the old one goes only after)."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        folder.rename(old)
    work.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write(
    root: Path, config: Config, work: Path, municipality: Municipality, g: Gathered
) -> tuple[int, list[str]]:
    """Every file of the case file into ``work``; the PDF's page count and warnings."""
    warnings: list[str] = []
    (work / "letters").mkdir()
    (work / "replies").mkdir()
    for item in g.letters:
        (work / "letters" / item.pdf.name).write_bytes(item.data)  # as checked
    kept: dict[int, Path | None] = {}
    for answers in g.replies.values():
        for answer in answers:
            source = Layout(root).outbox / answer.file if answer.file else None
            if source is not None and source.is_file():
                shutil.copyfile(source, work / "replies" / source.name)
                kept[answer.id] = source
            else:
                kept[answer.id] = None
                warnings.append(f"reply {answer.id} on {answer.reference}: file missing")
    (work / "motivering").mkdir()
    for versions in g.motivering.values():
        for version in versions:
            name = f"{version.reference}-{version.part}-v{version.version}.txt"
            (work / "motivering" / name).write_text(version.text + "\n", "utf-8")
    (work / "delivery-report.csv").write_text(as_csv(g.report), "utf-8")
    with (work / "audit-events.jsonl").open("w", encoding="utf-8") as handle:
        for event in g.events:
            handle.write(audit.canonical(event.as_json()) + "\n")
    verify_text = f"{g.chain}\nlast hash {g.chain.last_hash}\n"
    (work / "audit-verify.txt").write_text(verify_text, "utf-8")
    notices = _notices(root, g, work)
    pages = write_dossier(work / CASE_PDF, config, municipality, g, kept, notices, work / "letters")
    return pages, warnings


def _notices(root: Path, g: Gathered, work: Path) -> dict[str, Path]:
    """The kennisgeving of each letter that had one, as made beside it in its batch folder,
    copied into ``letters/``; by reference."""
    found: dict[str, Path] = {}
    for item in g.letters:
        record = item.record
        if not record.batch:
            continue
        source = notice_file(Layout(root).batch(record.batch).folder, record.reference)
        if source is not None:
            target = work / "letters" / source.name
            shutil.copyfile(source, target)
            found[record.reference] = target
    return found
