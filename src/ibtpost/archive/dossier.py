"""The reading PDF of a case file as the dossier for the court (Awb 8:42: "de op de zaak
betrekking hebbende stukken", numbered, with an inventarislijst).

``case-file.pdf`` opens with the **inventarislijst** (number, date, kind, description, onze
referentie, page), followed by the numbered documents in order: each letter as sent, its
kennisgeving, its copies to the raad, GS and CdK, the replies and zienswijzen received, the
publication of its kennisgeving, the events at the court and the motivering written on it;
then a **chronologie** in Dutch (dates and times in Europe/Amsterdam, one line per event in
words) and the **verzendrapport**. The raw audit events and the chain's verification stay
annexes in the folder, not in this PDF.

The text parts are one Word document converted by LibreOffice, like the letters, so the
whole file is PDF/A-2b with embedded fonts; it is tagged, the structure trees of the text
and of the letters joined in the dossier's order (:mod:`ibtpost.archive.structure`). Page
numbers are printed in the inventory and set as page labels; the inventory is converted
twice when its own length moves the numbers. A received PDF that is not PDF/A is not
copied into the dossier (it would make the whole file non-conforming): its place says
where the file is kept, with its SHA-256.
"""

from __future__ import annotations

import contextlib
import email
import io
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.policy import default as default_policy
from pathlib import Path

import pikepdf
from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pypdf import PdfReader

from ibtpost.archive.structure import StructureJoin, Unjoinable, untag
from ibtpost.core import clock, dutch
from ibtpost.core.domain import Config
from ibtpost.core.errors import ConvertError
from ibtpost.production.engine import Converters

#: the font the text parts are set in (LibreOffice embeds it)
FONT = "DejaVu Sans"
#: how often the inventory may be converted again before its page numbers settle
_ROUNDS = 3


@dataclass
class Piece:
    """One numbered document of the dossier: a PDF as it is, or text pages made here."""

    day: date | None
    kind: str  # "brief", "kennisgeving", "afschrift", "zienswijze", ... (Dutch)
    description: str
    reference: str
    pdf: Path | None = None  # a PDF/A document taken as it is
    text: list[tuple[str, str]] = field(default_factory=list)  # (style, text): its pages
    number: int = 0
    first_page: int = 0
    pages: int = 0


@dataclass(frozen=True)
class Dossier:
    """What the reading PDF holds."""

    pieces: list[Piece]
    pages: int


def local_time(stamp: str) -> str:
    """A stored UTC time as the Dutch calendar day and clock time: "9 april 2026 10:12"."""
    moment = datetime.fromisoformat(stamp).astimezone(clock.AMSTERDAM)
    return f"{dutch.long_date(moment.date())} {moment:%H:%M}"


def email_text(path: Path) -> list[tuple[str, str]]:
    """An e-mail received, as text: its headers in words and its plain text."""
    message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    lines: list[tuple[str, str]] = []
    for header, label in (
        ("From", "Van"),
        ("To", "Aan"),
        ("Date", "Datum"),
        ("Subject", "Onderwerp"),
    ):
        value = message.get(header)
        if value:
            lines.append(("row", f"{label}: {value}"))
    body = (
        message.get_body(("plain",))
        if message.is_multipart() or message.get_content_type() == "text/plain"
        else None
    )
    text = body.get_content() if body is not None else ""
    lines.append(("row", ""))
    lines.extend(("row", line) for line in str(text).splitlines()[:400])
    return lines


def is_pdfa(path: Path) -> bool:
    """Whether ``path`` is a PDF that says it is PDF/A (else it is not copied in)."""
    try:
        with pikepdf.open(path) as doc:
            return bool(doc.open_metadata().pdfa_status)
    except (pikepdf.PdfError, OSError):
        return False


def build_dossier(
    path: Path,
    config: Config,
    title: str,
    heading: list[str],
    pieces: list[Piece],
    chronology: list[str],
    report: list[tuple[str, str]],
) -> Dossier:
    """Write the dossier PDF to ``path``: the inventory, ``pieces`` numbered in order, the
    chronology and the delivery report, as one PDF/A-2b with bookmarks and page labels."""
    for number, piece in enumerate(pieces, start=1):
        piece.number = number
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ibtpost-dossier-")))
        sizes = {id(p): _pdf_pages(p.pdf) for p in pieces if p.pdf is not None}
        converters = stack.enter_context(Converters(config, 1))
        inventory_pages = 1
        text_pdf = b""
        sections: dict[str, tuple[int, int]] = {}
        for _ in range(_ROUNDS):
            page = inventory_pages + 1
            for piece in pieces:
                piece.first_page = page
                if piece.pdf is not None:
                    piece.pages = sizes[id(piece)]
                page += piece.pages or 1
            chronology_page = page
            docx = _text_document(title, heading, pieces, chronology, report, chronology_page)
            source = work / "dossier.docx"
            source.write_bytes(docx)
            target = work / "dossier.pdf"
            try:
                converters.start().result().convert(source, target)
            except ConvertError:
                raise
            text_pdf = target.read_bytes()
            sections = _sections(text_pdf, pieces)
            found_inventory = sections["inventory"][1]
            moved = found_inventory != inventory_pages or any(
                p.pdf is None and sections[f"piece-{p.number}"][1] != p.pages for p in pieces
            )
            inventory_pages = found_inventory
            for piece in pieces:
                if piece.pdf is None:
                    piece.pages = sections[f"piece-{piece.number}"][1]
            if not moved:
                break

        def numbering(pages: int) -> bytes:
            """The page numbers of a dossier of ``pages`` pages, as pages of their own."""
            source, target = work / "numbers.docx", work / "numbers.pdf"
            source.write_bytes(_numbers_document(title, pages))
            converters.start().result().convert(source, target)
            return target.read_bytes()

        return _assemble(path, stack, text_pdf, sections, pieces, title, numbering)


def _pdf_pages(path: Path | None) -> int:
    if path is None:
        return 0
    with pikepdf.open(path) as doc:
        return len(doc.pages)


# -- the text document -------------------------------------------------------------------

_MARK = "Stuk {number}. "


def _text_document(
    title: str,
    heading: list[str],
    pieces: list[Piece],
    chronology: list[str],
    report: list[tuple[str, str]],
    chronology_page: int,
) -> bytes:
    """The inventory, the text pieces, the chronology and the report, each section on a new
    page, as .docx."""
    doc = Document()
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(9)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "nl-NL")
    rpr.append(lang)
    for name in ("Heading 1", "Heading 2", "Title"):
        styles[name].font.name = FONT
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    doc.core_properties.title = title
    doc.core_properties.language = "nl-NL"

    doc.add_heading("Inventarislijst", level=1)
    for line in heading:
        doc.add_paragraph(line)
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ("Nr.", "Datum", "Soort", "Omschrijving", "Onze referentie", "Pagina"),
        strict=True,
    ):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(table.rows[0])
    for piece in pieces:
        cells = table.add_row().cells
        values = (
            str(piece.number),
            dutch.long_date(piece.day) if piece.day else "",
            piece.kind,
            piece.description,
            piece.reference,
            str(piece.first_page),
        )
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    cells = table.add_row().cells
    for cell, text in zip(
        cells,
        ("", "", "chronologie", "Chronologie en verzendrapport", "", str(chronology_page)),
        strict=True,
    ):
        cell.text = text
    table.autofit = False
    widths = (10, 27, 25, 66, 24, 18)  # millimetres, 170 in all
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)

    for piece in pieces:
        if piece.pdf is not None:
            continue
        _page_break(doc)
        doc.add_heading(f"{_MARK.format(number=piece.number)}{piece.description}", level=1)
        for style, text in piece.text:
            if style == "heading":
                doc.add_heading(text, level=2)
            else:
                doc.add_paragraph(text)
    _page_break(doc)
    doc.add_heading("Chronologie", level=1)
    doc.add_paragraph(
        "Alle tijden in de Nederlandse tijd (Europe/Amsterdam). De gebeurtenissen zelf staan "
        "in audit-events.jsonl in de map van het dossier."
    )
    for line in chronology:
        doc.add_paragraph(line)
    doc.add_heading("Verzendrapport", level=1)
    for style, text in report:
        if style == "heading":
            doc.add_heading(text, level=2)
        else:
            doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _numbers_document(title: str, pages: int) -> bytes:
    """``pages`` empty A4 pages whose footer says "<title> — pagina N van M" (the page
    numbers laid over the dossier's pages, set by LibreOffice with an embedded font)."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(7)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(280), Mm(10)
    section.footer_distance = Mm(5)
    footer = section.footer.paragraphs[0]
    footer.alignment = 1  # centred
    footer.add_run(f"{title} — pagina ")
    _field(footer, "PAGE")
    footer.add_run(f" van {pages}")
    for index in range(pages):  # one empty paragraph per page, each on a page of its own
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.page_break_before = index > 0
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _field(paragraph: object, code: str) -> None:
    """A Word field (``PAGE``) in ``paragraph``."""
    run = paragraph.add_run()  # type: ignore[attr-defined]
    for kind in ("begin", None, "end"):
        if kind is None:
            text = OxmlElement("w:instrText")
            text.set(qn("xml:space"), "preserve")
            text.text = f" {code} "
            run._r.append(text)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def _page_break(doc: object) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # type: ignore[attr-defined]


def _repeat_header(row: object) -> None:
    """The inventory's header row repeats on every page."""
    props = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    props.append(header)


def _sections(pdf: bytes, pieces: Sequence[Piece]) -> dict[str, tuple[int, int]]:
    """Where each section of the converted text document is: (first page index, pages)."""
    reader = PdfReader(io.BytesIO(pdf))
    texts = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    starts: list[tuple[str, int]] = [("inventory", 0)]
    index = 1
    for piece in pieces:
        if piece.pdf is not None:
            continue
        mark = _MARK.format(number=piece.number)
        while index < len(texts) and not texts[index].startswith(mark):
            index += 1
        if index >= len(texts):
            raise ConvertError(f"the dossier's text lost its part {mark.strip()}")
        starts.append((f"piece-{piece.number}", index))
        index += 1
    while index < len(texts) and not texts[index].startswith("Chronologie"):
        index += 1
    starts.append(("chronology", index))
    found: dict[str, tuple[int, int]] = {}
    for (name, first), (_, after) in zip(starts, [*starts[1:], ("end", len(texts))], strict=True):
        found[name] = (first, after - first)
    return found


# -- putting it together ---------------------------------------------------------------


def _assemble(
    path: Path,
    stack: contextlib.ExitStack,
    text_pdf: bytes,
    sections: dict[str, tuple[int, int]],
    pieces: list[Piece],
    title: str,
    numbering: Callable[[int], bytes],
) -> Dossier:
    """The text pages and the documents in the inventory's order, as one PDF/A-2b: the
    converted text document is the base (its PDF/A identification and output intent); every
    page numbered at its foot ("pagina 3 van 12")."""
    out = stack.enter_context(pikepdf.open(io.BytesIO(text_pdf)))
    own = list(out.pages)
    keep = [page.obj for page in own]  # the text pages stay referenced while reordered
    try:
        join: StructureJoin | None = StructureJoin(out)
    except Unjoinable:
        join = None
    while len(out.pages):
        del out.pages[-1]
    marks: list[tuple[str, int]] = []

    def take(name: str) -> None:
        first, count = sections[name]
        chosen = keep[first : first + count]
        for page in chosen:
            out.pages.append(pikepdf.Page(page))
        if join is not None:
            join.add_text(chosen)

    marks.append(("Inventarislijst", 0))
    take("inventory")
    for piece in pieces:
        marks.append((f"{piece.number}. {piece.kind}: {piece.description}", len(out.pages)))
        if piece.pdf is not None:
            source = stack.enter_context(pikepdf.open(piece.pdf))
            first = len(out.pages)
            out.pages.extend(source.pages)
            if join is not None:
                try:
                    join.add_document(source, list(out.pages)[first:])
                except (Unjoinable, pikepdf.PdfError):
                    join = None  # the dossier is then made untagged
        else:
            take(f"piece-{piece.number}")
    marks.append(("Chronologie en verzendrapport", len(out.pages)))
    take("chronology")
    if join is not None:
        join.finish()
    else:
        untag(out)
    numbers = stack.enter_context(pikepdf.open(io.BytesIO(numbering(len(out.pages)))))
    if len(numbers.pages) != len(out.pages):
        raise ConvertError("the dossier's page numbers came out on another number of pages")
    for page, number in zip(out.pages, numbers.pages, strict=True):
        page.add_overlay(number, pikepdf.Rectangle(*[float(x) for x in page.mediabox]))
    if "/Outlines" in out.Root:  # the text document's own headings: replaced by the dossier's
        del out.Root["/Outlines"]
    with out.open_outline() as outline:
        outline.root.extend(pikepdf.OutlineItem(name, page) for name, page in marks)
    out.Root.PageLabels = pikepdf.Dictionary(
        Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D)])
    )
    out.Root.Lang = pikepdf.String("nl-NL")
    with out.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        # the dossier is no PDF/UA document (nor checked as one): it does not claim to be
        with contextlib.suppress(KeyError):
            del meta["{http://www.aiim.org/pdfua/ns/id/}part"]
    out.docinfo["/Title"] = title
    buffer = io.BytesIO()
    out.save(buffer)
    path.write_bytes(buffer.getvalue())
    return Dossier(pieces, len(out.pages))


def lines_of(text: str) -> Iterator[tuple[str, str]]:
    """A plain text as paragraphs (blank lines between them)."""
    for block in re.split(r"\n[ \t]*\n", text.strip()):
        if block.strip():
            yield ("row", " ".join(block.split()))
