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
- ``case-file.pdf``: all of it for reading, with bookmarks: an overview, each letter
  followed by the replies to it and the motivering written on it (its latest text), the
  delivery report and the audit events.

The folder is built apart and then put in place whole: an earlier case file is replaced
only by a complete new one.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from ibtpost.archive.records import (
    LetterFile,
    case_of,
    case_records,
    letter_file,
)
from ibtpost.core import clock, dutch
from ibtpost.core.domain import Municipality, Publication
from ibtpost.core.layout import Layout
from ibtpost.data.config import load_config
from ibtpost.dispatch.report import ReportRow, as_csv, delivery_report
from ibtpost.documents.pdf.textpages import Line, text_pdf
from ibtpost.register import Register, audit, motivering, procedure, replies
from ibtpost.register.audit import Event
from ibtpost.register.motivering import MotiveringVersion
from ibtpost.register.replies import ReplyRecord

CASE_PDF = "case-file.pdf"
#: the parts of a motivering as the case file names them
_PART = {"zienswijze": "zienswijze en reactie", "feiten": "feiten na de termijn"}


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


@dataclass
class _Gathered:
    letters: list[LetterFile]
    replies: dict[str, list[ReplyRecord]]
    report: list[ReportRow]
    events: list[Event]
    chain: audit.VerifyResult
    publications: dict[str, Publication] = field(default_factory=dict)
    litigation: list[procedure.LitigationRecord] = field(default_factory=list)
    motivering: dict[str, list[MotiveringVersion]] = field(default_factory=dict)


def build_case_file(root: Path, query: str, out: Path | None = None) -> CaseFileResult:
    """Write the case file of the municipality ``query`` (code or name)."""
    config = load_config(root)
    checked_at = clock.stamp()
    with Register.for_root(root) as register:
        municipality, records = case_records(register, config, query)
        listed: dict[Path, dict[str, dict[str, list[Path]]]] = {}  # each folder listed once
        letters = [letter_file(root, register, config, r, checked_at, listed) for r in records]
        references = {r.reference for r in records}
        gathered = _Gathered(
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
        )
    folder = out or Layout(root).case_file(municipality.code)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        pages, warnings = _write(root, work, municipality, gathered)
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
    root: Path, work: Path, municipality: Municipality, g: _Gathered
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
    pages = _case_pdf(work / CASE_PDF, municipality, g, kept)
    return pages, warnings


def _case_pdf(
    path: Path, municipality: Municipality, g: _Gathered, kept: dict[int, Path | None]
) -> int:
    """One PDF for reading: overview, each letter and its replies, report, audit events."""
    case = case_of(municipality)
    with contextlib.ExitStack() as stack:
        out = pikepdf.new()
        marks: list[tuple[str, int]] = []

        def add(title: str, doc: pikepdf.Pdf) -> None:
            marks.append((title, len(out.pages)))
            out.pages.extend(doc.pages)

        add("Overzicht", text_pdf(_overview(case.name, municipality, g)))
        for item in g.letters:
            record = item.record
            title = f"Brief {record.reference}, trede {record.trede}, {dutch.long_date(record.day)}"
            add(title, stack.enter_context(pikepdf.open(item.pdf)))
            for answer in g.replies.get(record.reference, []):
                label = "Zienswijze" if answer.reply.kind == "zienswijze" else "Reactie"
                heading = (
                    f"{label} op {record.reference}, ontvangen "
                    f"{dutch.long_date(answer.reply.received)}"
                )
                source = kept.get(answer.id)
                doc = None
                if source is not None and source.suffix.lower() == ".pdf":
                    with contextlib.suppress(pikepdf.PdfError):
                        doc = stack.enter_context(pikepdf.open(source))
                        if not len(doc.pages):
                            doc = None
                if doc is None:
                    doc = text_pdf(_reply_page(heading, answer, source))
                add(heading, doc)
            for part in ("zienswijze", "feiten"):
                versions = [v for v in g.motivering.get(record.reference, []) if v.part == part]
                if versions:
                    latest = versions[-1]
                    heading = f"Motivering bij {record.reference}: {_PART[part]}"
                    lines = [Line(heading, heading=True)]
                    lines.append(Line(f"versie {latest.version}, {latest.recorded_at}"))
                    lines.extend(Line(x) for x in ["", *latest.text.splitlines()])
                    add(heading, text_pdf(lines))
        add("Verzendrapport", text_pdf(_report_lines(g.report)))
        add("Audittrail", text_pdf(_audit_lines(g.events, g.chain)))
        with out.open_outline() as outline:
            for title, page in marks:
                outline.root.append(pikepdf.OutlineItem(title, page))
        out.docinfo["/Title"] = f"Dossier {case.name}"
        buffer = io.BytesIO()
        out.save(buffer)
        path.write_bytes(buffer.getvalue())
        return len(out.pages)


def _overview(name: str, municipality: Municipality, g: _Gathered) -> list[Line]:
    lines = [
        Line(f"Dossier {name}", heading=True),
        Line(
            f"Gemeente {municipality.name} ({municipality.code}), dossier IBT-{municipality.code}"
        ),
        Line(f"Samengesteld op {clock.stamp()} (UTC) uit het register van ibtpost."),
        Line(""),
        Line("Brieven", heading=True),
    ]
    for item in g.letters:
        r = item.record
        sent = (
            f"verzonden {item.archived.sent_how} op {item.archived.sent}"
            if item.archived.sent
            else "niet verzonden"
        )
        lines.append(Line(f"{r.reference}  {r.day.isoformat()}  trede {r.trede}  {sent}"))
        lines.append(Line(f"    {item.pdf.name}  SHA-256 {item.archived.sha256}"))
    lines.append(Line("Reacties en zienswijzen", heading=True))
    answers = [a for x in g.replies.values() for a in x]
    if not answers:
        lines.append(Line("Geen reactie of zienswijze vastgelegd."))
    for a in answers:
        lines.append(
            Line(f"{a.reply.received.isoformat()}  {a.reply.kind} op {a.reference}  {a.file or ''}")
        )
    lines.append(Line("Motivering", heading=True))
    written = [v for x in g.motivering.values() for v in x]
    if not written:
        lines.append(Line("Geen motivering geschreven."))
    for v in written:
        by = f"  door {v.by}" if v.by else ""
        lines.append(
            Line(f"{v.recorded_at}  {_PART[v.part]} op {v.reference}, versie {v.version}{by}")
        )
    lines.append(Line("Publicaties", heading=True))
    if not g.publications:
        lines.append(Line("Geen publicatie van een kennisgeving vastgelegd."))
    for reference, found in g.publications.items():
        url = f"  {found.url}" if found.url else ""
        lines.append(
            Line(
                f"{found.day.isoformat()}  kennisgeving van {reference}  "
                f"Stcrt. {found.staatscourant}{url}"
            )
        )
    lines.append(Line("Procedure bij de rechter", heading=True))
    if not g.litigation:
        lines.append(Line("Niets vastgelegd."))
    for x in g.litigation:
        note = f"  ({x.event.note})" if x.event.note else ""
        lines.append(
            Line(
                f"{x.event.day.isoformat()}  {x.event.event} over {x.reference}{note}  "
                f"{x.file or ''}"
            )
        )
    lines.append(Line("Audittrail", heading=True))
    lines.append(Line(f"{len(g.events)} gebeurtenissen over deze brieven; hele keten: {g.chain}"))
    lines.append(Line(f"laatste hash {g.chain.last_hash}"))
    return lines


def _reply_page(heading: str, answer: ReplyRecord, source: Path | None) -> list[Line]:
    lines = [Line(heading, heading=True)]
    lines.append(Line(f"bestand: {source.name if source else 'ontbreekt'}"))
    lines.append(Line(f"SHA-256: {answer.sha256 or ''}"))
    if answer.note:
        lines.append(Line(f"notitie: {answer.note}"))
    if source is not None and source.suffix.lower() == ".eml":
        lines.append(Line(""))
        text = source.read_bytes().decode("utf-8", errors="replace")
        lines.extend(Line(x) for x in text.splitlines()[:400])
    elif source is not None:
        lines.append(Line("Het bestand is niet als PDF te lezen; zie de map replies/."))
    return lines


def _report_lines(rows: list[ReportRow]) -> list[Line]:
    lines = [Line("Verzendrapport", heading=True)]
    for row in rows:
        lines.append(Line(f"{row.reference}  {row.name}  {row.channel}  {row.state}"))
        for key in ("to", "queued_at", "sent_at", "posted_on", "counts_from", "message_id"):
            value = getattr(row, key)
            if value:
                lines.append(Line(f"    {key}: {value}"))
        if row.cc:
            lines.append(Line(f"    cc: {'; '.join(row.cc)}"))
        lines.append(Line(f"    message_sha256: {row.message_sha256}"))
        lines.append(Line(f"    pdf_sha256: {row.pdf_sha256}"))
        lines.append(Line(f"    attempts: {row.attempts}  last reply: {row.last_reply}"))
    return lines


def _audit_lines(events: list[Event], chain: audit.VerifyResult) -> list[Line]:
    lines = [Line("Audittrail", heading=True), Line(f"audit verify: {chain}")]
    for event in events:
        lines.append(Line(f"{event.seq}  {event.at}  {event.kind}  {event.reference or ''}"))
        lines.append(Line(f"    {json.dumps(event.data, ensure_ascii=False, sort_keys=True)}"))
        lines.append(Line(f"    hash {event.hash}"))
    return lines
