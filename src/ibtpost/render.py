"""Render a composed letter into .docx bytes with docxtpl (pure: bytes in, bytes out).

The Word template (templates/brief.docx) holds the layout; the composed letter supplies the
text. The body and the footnotes are built here as WordprocessingML that refers to the
template's Ibt* styles, with every text escaped; everything else is a docxtpl placeholder.
Jinja runs sandboxed with StrictUndefined and autoescape, and the result is checked for
leftover template tags.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime, time
from typing import Any
from xml.sax.saxutils import escape

import jinja2
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ibtpost.errors import Location, RenderError, TemplateError
from ibtpost.models import LetterContext, RBlock, RPageBreak, RParagraph, RTable, Run

STYLE_IDS = {"body": "IbtBody", "heading": "IbtHeading", "bullet": "ListBullet"}
_LEFTOVER = re.compile(r"\{\{|\{%|%\}|\}\}")
SIGNATURE_WIDTH_MM = 50
LOGO_WIDTH_MM = 20


def _t(text: str) -> str:
    return f'<w:t xml:space="preserve">{escape(text)}</w:t>'


def run_xml(run: Run) -> str:
    """One run: formatted text, or a footnote reference."""
    if run.footnote is not None:
        return (
            '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            f'<w:footnoteReference w:id="{run.footnote}"/></w:r>'
        )
    props = ("<w:b/>" if run.bold else "") + ("<w:i/>" if run.italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f"<w:r>{rpr}{_t(run.text)}</w:r>"


def paragraph_xml(paragraph: RParagraph, style: str | None = None) -> str:
    """A paragraph in the template style for its kind."""
    style_id = style or STYLE_IDS[paragraph.style]
    runs = "".join(run_xml(r) for r in paragraph.runs)
    return f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>{runs}</w:p>'


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def table_xml(table: RTable) -> str:
    """A table with explicit column widths (LibreOffice spreads them evenly otherwise)."""
    widths = [_twips(w) for w in table.widths_mm]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)

    def row(cells: Iterable[str], header: bool) -> str:
        border = (
            '<w:tcBorders><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            "</w:tcBorders>"
            if header
            else ""
        )
        tcs = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{border}</w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="IbtTableText"/></w:pPr><w:r>{_t(c)}</w:r></w:p></w:tc>'
            for w, c in zip(widths, cells, strict=True)
        )
        trpr = (
            "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
            if header
            else "<w:trPr><w:cantSplit/></w:trPr>"
        )
        return f"<w:tr>{trpr}{tcs}</w:tr>"

    rows = row(table.header, True) + "".join(row(r, False) for r in table.rows)
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
        "</w:tblCellMar>"
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"
        # the paragraph after a table keeps one blank line of distance
        '<w:p><w:pPr><w:pStyle w:val="IbtLine"/></w:pPr></w:p>'
    )


def body_xml(blocks: Iterable[RBlock]) -> str:
    """The letter body as WordprocessingML."""
    out = []
    for block in blocks:
        if isinstance(block, RParagraph):
            out.append(paragraph_xml(block))
        elif isinstance(block, RTable):
            out.append(table_xml(block))
        elif isinstance(block, RPageBreak):
            out.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    return "".join(out)


def footnotes_xml(footnotes: Iterable[tuple[RParagraph, ...]]) -> str:
    """The footnotes, numbered from 1 in order of their references."""
    out = []
    for number, paragraphs in enumerate(footnotes, start=1):
        parts = []
        for i, para in enumerate(paragraphs):
            mark = (
                '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
                '<w:r><w:t xml:space="preserve"> </w:t></w:r>'
                if i == 0
                else ""
            )
            runs = "".join(run_xml(r) for r in para.runs)
            parts.append(f'<w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>{mark}{runs}</w:p>')
        out.append(f'<w:footnote w:id="{number}">{"".join(parts)}</w:footnote>')
    return "".join(out)


def docx_environment() -> SandboxedEnvironment:
    """The Jinja environment for the Word template: sandboxed, strict, autoescaping."""
    return SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)


def template_context(letter: LetterContext) -> dict[str, Any]:
    """The names the Word template may use (besides signature and logo)."""
    sender = letter.sender
    return {
        "return_address": letter.return_address,
        "addressee_lines": list(letter.addressee_lines),
        "date_text": letter.date_text,
        "subject": letter.subject,
        "salutation": letter.salutation,
        "body": Markup(body_xml(letter.body)),  # noqa: S704 - built here, every text escaped
        "footnotes_xml": Markup(footnotes_xml(letter.footnotes)),  # noqa: S704
        "closing": letter.closing,
        "reference": letter.reference,
        "marks": list(letter.marks),
        "sender": {
            "organisation": sender.organisation,
            "department": sender.department,
            "visit_lines": list(sender.visit_lines),
            "postal_lines": list(sender.postal_lines),
            "website": sender.website,
        },
        "signatory": {
            "on_behalf": sender.signatory.on_behalf,
            "name": sender.signatory.name,
            "function": sender.signatory.function,
        },
    }


#: The names the Word template may use; ``check`` compares them with the template's.
TEMPLATE_NAMES = frozenset(
    {
        "return_address",
        "addressee_lines",
        "date_text",
        "subject",
        "salutation",
        "body",
        "footnotes_xml",
        "closing",
        "reference",
        "marks",
        "sender",
        "signatory",
        "signature",
        "logo",
    }
)


def render_docx(
    letter: LetterContext,
    template: bytes,
    signature: bytes,
    logo: bytes | None = None,
    template_name: str = "templates/brief.docx",
) -> bytes:
    """The letter as .docx bytes. ``template``, ``signature`` and ``logo`` are file contents."""
    try:
        tpl = DocxTemplate(io.BytesIO(template))
        tpl.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TemplateError(f"not a Word template: {exc}", Location(template_name)) from None
    context = template_context(letter)
    context["signature"] = InlineImage(tpl, io.BytesIO(signature), width=Mm(SIGNATURE_WIDTH_MM))
    context["logo"] = InlineImage(tpl, io.BytesIO(logo), width=Mm(LOGO_WIDTH_MM)) if logo else ""
    try:
        tpl.render(context, docx_environment(), autoescape=True)
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            f"unknown placeholder: {exc.message}", Location(template_name)
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"template syntax error: {exc.message}", Location(template_name, exc.lineno)
        ) from None
    props = tpl.docx.core_properties
    # The same values go into the PDF's Info (pdf.set_metadata); LibreOffice copies these
    # into the XMP metadata, and PDF/A requires the two to agree.
    props.title = letter.document_title
    props.subject = letter.document_subject
    props.keywords = letter.reference
    props.identifier = letter.reference
    props.author = letter.sender.organisation
    props.language = "nl-NL"
    props.created = props.modified = datetime.combine(letter.date, time(9, 0))
    props.last_modified_by = "ibtpost"
    props.revision = 1
    out = io.BytesIO()
    tpl.save(out)
    data = out.getvalue()
    assert_no_leftover_tags(data, template_name)
    return data


def assert_no_leftover_tags(docx: bytes, label: str) -> None:
    """Raise when any ``{{``, ``{%``, ``%}`` or ``}}`` survived rendering."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        for name in zf.namelist():
            if not name.endswith(".xml"):
                continue
            text = re.sub(r"<[^>]+>", "", zf.read(name).decode("utf-8"))
            match = _LEFTOVER.search(text)
            if match:
                start = max(match.start() - 30, 0)
                raise RenderError(
                    f"template tag left in {name}: {text[start : match.end() + 30]!r}",
                    Location(label),
                )
