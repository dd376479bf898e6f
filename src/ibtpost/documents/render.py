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
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

import jinja2
import jinja2.meta
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ibtpost.core.domain import Config
from ibtpost.core.errors import Location, RenderError, TemplateError
from ibtpost.core.layout import Layout
from ibtpost.documents import docxzip
from ibtpost.text.composed import LetterContext, RBlock, RPageBreak, RParagraph, RTable, Run
from ibtpost.text.nodes import LetterDefinition
from ibtpost.text.textengine import TEMPLATE_TAG

STYLE_IDS = {"body": "IbtBody", "heading": "IbtHeading", "bullet": "ListBullet"}
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
    signatory = letter.signatory or sender.signatory
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
            "on_behalf": letter.on_behalf or signatory.on_behalf,
            "name": signatory.name,
            "function": signatory.function,
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


_CORE_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://'
    'purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://'
    'www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject>"
    "<dc:creator>{author}</dc:creator><cp:keywords>{reference}</cp:keywords>"
    "<dc:identifier>{reference}</dc:identifier><dc:language>nl-NL</dc:language>"
    "<cp:lastModifiedBy>ibtpost</cp:lastModifiedBy><cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
    "</cp:coreProperties>"
)
_CORE_NAME = "docProps/core.xml"
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_LISTING_CHARS = re.compile(r"[\t\a\f\n]")
_IMAGE_NAMES = ("signature", "logo")
#: the alternative text of each image, in Dutch (the letter's language)
_ALT_TEXTS = {"signature": "Handtekening", "logo": "Logo van de afzender"}


class PreparedTemplate:
    """A Word template parsed, patched and compiled once; each letter only fills it in.

    docxtpl re-reads the whole package, re-patches and re-compiles every part for every
    letter. Here that happens once: every part with template tags (body, headers, footers,
    footnotes) is patched by docxtpl and compiled with the sandboxed environment, the
    signature and logo are inserted once into the parts that show them, and the rest of the
    package is kept as bytes. Rendering a letter renders the compiled parts and writes a
    zip with fixed time stamps, so the output is a pure function of the letter.
    """

    def __init__(
        self,
        template: bytes,
        signature: bytes,
        logo: bytes | None = None,
        label: str = "templates/brief.docx",
    ) -> None:
        self.label = label
        try:
            tpl = DocxTemplate(io.BytesIO(template))
            tpl.init_docx()
            tpl.render_init()
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise TemplateError(f"not a Word template: {exc}", Location(label)) from None
        env = docx_environment()
        images = {"signature": signature, "logo": logo}
        widths = {"signature": SIGNATURE_WIDTH_MM, "logo": LOGO_WIDTH_MM}
        self.parts: dict[str, jinja2.Template] = {}
        self.images: dict[str, dict[str, Markup]] = {}
        for part, xml in _template_parts(tpl):
            if "{{" not in xml and "{%" not in xml:
                continue
            source = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
            name = str(part.partname).lstrip("/")
            try:
                self.parts[name] = env.from_string(source)
                used = jinja2.meta.find_undeclared_variables(env.parse(source))
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateError(
                    f"template syntax error in {name}: {exc.message}", Location(label)
                ) from None
            tpl.current_rendering_part = part
            self.images[name] = {}
            for image in _IMAGE_NAMES:
                data = images[image]
                if image in used:
                    inline = (
                        InlineImage(tpl, io.BytesIO(data), width=Mm(widths[image])) if data else ""
                    )
                    # python-docx indents the picture XML; the line breaks would otherwise be
                    # taken for text line breaks (docxtpl's resolve_listing)
                    xml_image = re.sub(r">\s+<", "><", str(inline))
                    # the alternative text screen readers read (PDF/UA: /Alt on the figure)
                    xml_image = xml_image.replace(
                        "<wp:docPr ", f'<wp:docPr descr="{_ALT_TEXTS[image]}" ', 1
                    )
                    self.images[name][image] = Markup(xml_image)  # noqa: S704 - python-docx XML
        out = io.BytesIO()
        tpl.docx.save(out)
        with zipfile.ZipFile(out) as zf:
            order = [info.filename for info in zf.infolist()]
            static = {
                name: zf.read(name)
                for name in order
                if name not in self.parts and name != _CORE_NAME
            }
        if _CORE_NAME not in order:
            order.append(_CORE_NAME)
        self.order = order
        for name, data in static.items():
            if name.endswith((".xml", ".rels")):
                _check_leftover(name, data.decode("utf-8"), label)
        # Unchanged parts are compressed once; media (PNG, JPEG) are stored as they are.
        self.static = {
            name: docxzip.entry(name, data, compress=not name.startswith("word/media/"))
            for name, data in static.items()
        }
        self._resolve_listing = tpl.resolve_listing

    def render(self, letter: LetterContext) -> bytes:
        """The letter as .docx bytes."""
        context = template_context(letter)
        rendered: dict[str, bytes] = {}
        for name, template in self.parts.items():
            try:
                xml = template.render(context | self.images[name])
            except jinja2.UndefinedError as exc:
                raise TemplateError(
                    f"unknown placeholder: {exc.message}", Location(self.label)
                ) from None
            xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
            if _LISTING_CHARS.search(xml):
                xml = self._resolve_listing(xml)
            _check_leftover(name, xml, self.label)
            if not xml.startswith("<?xml"):
                xml = _XML_DECLARATION + xml
            rendered[name] = xml.encode("utf-8")
        rendered[_CORE_NAME] = core_xml(letter).encode("utf-8")
        return docxzip.write_zip(
            [
                docxzip.entry(name, rendered[name]) if name in rendered else self.static[name]
                for name in self.order
            ]
        )


def core_xml(letter: LetterContext) -> str:
    """The document properties. LibreOffice copies them into the PDF's XMP metadata and
    pdf.finish_letter_pdf puts the same values into the PDF's Info, as PDF/A requires."""
    stamp = datetime.combine(letter.date, time(9, 0)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _CORE_XML.format(
        title=escape(letter.document_title),
        subject=escape(letter.document_subject),
        author=escape(letter.sender.organisation),
        reference=escape(letter.reference),
        stamp=stamp,
    )


def _template_parts(tpl: DocxTemplate) -> Iterable[tuple[Any, str]]:
    """Every part that may hold template tags, with its XML."""
    document = tpl.docx._part
    yield document, tpl.xml_to_string(tpl.docx._element)
    for rel in document.rels.values():
        if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI) and rel.target_part.blob:
            yield rel.target_part, tpl.get_part_xml(rel.target_part)
    for part in document.package.parts:
        if part.content_type.endswith(".footnotes+xml"):
            blob = part.blob
            yield part, blob.decode("utf-8") if isinstance(blob, bytes) else blob


@lru_cache(maxsize=8)
def prepared_template(
    template: bytes, signature: bytes, logo: bytes | None, label: str
) -> PreparedTemplate:
    """The prepared template for these file contents (kept for reuse)."""
    return PreparedTemplate(template, signature, logo, label)


def render_docx(
    letter: LetterContext,
    template: bytes,
    signature: bytes,
    logo: bytes | None = None,
    template_name: str = "templates/brief.docx",
) -> bytes:
    """The letter as .docx bytes. ``template``, ``signature`` and ``logo`` are file contents."""
    return prepared_template(template, signature, logo, template_name).render(letter)


def _check_leftover(name: str, xml: str, label: str) -> None:
    text = re.sub(r"<[^>]+>", "", xml)
    match = TEMPLATE_TAG.search(text)
    if match:
        start = max(match.start() - 30, 0)
        raise RenderError(
            f"template tag left in {name}: {text[start : match.end() + 30]!r}", Location(label)
        )


def assert_no_leftover_tags(docx: bytes, label: str) -> None:
    """Raise when any ``{{``, ``{%``, ``%}`` or ``}}`` survived rendering."""
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        for name in zf.namelist():
            if not name.endswith(".xml"):
                continue
            text = re.sub(r"<[^>]+>", "", zf.read(name).decode("utf-8"))
            match = TEMPLATE_TAG.search(text)
            if match:
                start = max(match.start() - 30, 0)
                raise RenderError(
                    f"template tag left in {name}: {text[start : match.end() + 30]!r}",
                    Location(label),
                )


@dataclass(frozen=True)
class Assets:
    """The template files a letter is rendered with, read once."""

    template: bytes
    signature: bytes
    logo: bytes | None
    template_label: str

    @classmethod
    def load(cls, config: Config, definition: LetterDefinition) -> Assets:
        """Read the Word template, signature and logo named by config and definition."""
        root = config.root
        label = f"templates/{definition.template}"
        path = Layout(root).template(definition.template)
        if not path.is_file():
            raise TemplateError(
                "Word template not found",
                Location(label),
                hint=f"{definition.path.name} names it under 'template'",
            )
        signer = config.sender.signer(definition.signatory) or config.sender.signatory
        signature = Layout(root).template(signer.image)
        logo = config.settings.logo
        return cls(
            template=path.read_bytes(),
            signature=signature.read_bytes(),
            logo=logo.read_bytes() if logo else None,
            template_label=label,
        )


def render_letter(letter: LetterContext, assets: Assets) -> bytes:
    """Render ``letter`` with the loaded assets."""
    return render_docx(
        letter, assets.template, assets.signature, assets.logo, assets.template_label
    )
