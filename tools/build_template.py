"""Build templates/brief.docx, the Word layout template of every letter.

The template carries the layout only; the text comes from the letter definitions in
letters/. It is a docxtpl template: the placeholders below are filled by ibtpost's render
stage. Run ``make template`` after changing this script. A reviewer may instead edit
templates/brief.docx in Word directly, keeping the placeholders intact.

Layout (A4, millimetres from the top-left corner of the page), after the Rijkshuisstijl:
- a place for the logo at the top of page 1 (empty unless config/settings.yaml names one);
- the retouradres (6.5 pt) and the addressee (9/12 pt) at 22 x 47, inside the window of a
  window envelope;
- the sender column at 152 x 47 (6.5/9 pt): organisation, department, addresses, website
  and Onze referentie; on pages 2+ organisation, Datum and Onze referentie;
- Datum and Betreft, three blank lines, the salutation and the body in a 9/12 pt column
  that ends at 147 mm; footnotes at the foot of the page;
- closing, "namens hem", the signature image, name and function, kept together on one page;
- page marks such as VOORBEELD or CONCEPT at the top of every page, when the letter has any.

Styles (fonts, sizes, spacing) are Word styles named Ibt*: change them in Word to change
every letter. Verdana is named; where it is not installed LibreOffice substitutes DejaVu
Sans, a free font of very similar metrics, and embeds it in the PDF.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

FONT = "Verdana"
LEFT, RIGHT_MARGIN, TOP, BOTTOM = 22, 63, 47, 22
COLUMN_X, COLUMN_W = 152, 48

W = nsdecls("w")
WNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def twips(mm: float) -> int:
    """Millimetres to twentieths of a point."""
    return round(mm * 1440 / 25.4)


def define_styles(doc: Document) -> None:  # type: ignore[valid-type]
    """Create the Ibt* styles and adjust the built-in ones the letter uses."""
    styles = doc.styles

    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(9)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(f"{{{WNS}}}rFonts")
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        rfonts.set(f"{{{WNS}}}{attr}", FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(12)
    lang = parse_xml(f'<w:lang {W} w:val="nl-NL" w:eastAsia="nl-NL" w:bidi="ar-SA"/>')
    rpr.append(lang)
    # The document's default language is Dutch too: LibreOffice takes it for the PDF's
    # /Lang, which screen readers use to pick the voice.
    for default in styles.element.iter(f"{{{WNS}}}rPrDefault"):
        for old in default.iter(f"{{{WNS}}}lang"):
            for attr in ("val", "eastAsia"):
                old.set(f"{{{WNS}}}{attr}", "nl-NL")

    def para(
        name: str,
        size: float = 9,
        line: float | None = 12,
        after: float = 0,
        bold: bool = False,
        italic: bool = False,
        base: str = "Normal",
    ) -> None:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = italic
        fmt = style.paragraph_format
        fmt.space_after = Pt(after)
        if line is None:
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        else:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = Pt(line)

    para("IbtBody", after=12)
    para("IbtLine")  # a line without space after: address, signatory, Datum/Betreft
    para("IbtHeading", italic=True)
    para("IbtReturn", size=6.5, line=9)
    para("IbtColumn", size=6.5, line=9)
    para("IbtColumnHead", size=6.5, line=9, bold=True)
    para("IbtTableText")
    para("IbtSignature", line=None)  # single spacing, or the image is clipped
    para("IbtMark", size=12, line=None, bold=True)
    styles["IbtMark"].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    styles["IbtMark"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    bullet = styles["List Bullet"]
    bullet.base_style = styles["Normal"]
    bullet.paragraph_format.space_after = Pt(12)  # only after the last item: contextualSpacing

    footnote_text = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
    footnote_text.base_style = styles["Normal"]
    footnote_text.font.size = Pt(6.5)
    footnote_text.paragraph_format.line_spacing = Pt(9)
    footnote_ref = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
    footnote_ref.font.superscript = True


def column_table(rows_xml: str) -> str:
    """A one-cell table floating at the sender column's place, for a header."""
    return f"""
<w:tbl {W}>
  <w:tblPr>
    <w:tblpPr w:leftFromText="0" w:rightFromText="0" w:vertAnchor="page" w:horzAnchor="page"
              w:tblpX="{twips(COLUMN_X)}" w:tblpY="{twips(TOP)}"/>
    <w:tblOverlap w:val="never"/>
    <w:tblW w:w="{twips(COLUMN_W)}" w:type="dxa"/>
    <w:tblLayout w:type="fixed"/>
    <w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>
  </w:tblPr>
  <w:tblGrid><w:gridCol w:w="{twips(COLUMN_W)}"/></w:tblGrid>
  <w:tr><w:tc><w:tcPr><w:tcW w:w="{twips(COLUMN_W)}" w:type="dxa"/></w:tcPr>{rows_xml}</w:tc></w:tr>
</w:tbl>"""


def p(text: str, style: str, *, keep_next: bool = False) -> str:
    """A paragraph in ``style``; ``text`` may be a docxtpl tag. ``keep_next``: on the same
    page as the paragraph after it (Word's "keep with next")."""
    run = f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
    keep = "<w:keepNext/>" if keep_next else ""
    return f'<w:p {W}><w:pPr><w:pStyle w:val="{style}"/>{keep}</w:pPr>{run}</w:p>'


def marks_xml() -> str:
    """The page marks (VOORBEELD, CONCEPT) at the top of every page."""
    return (
        p("{%p for mark in marks %}", "IbtMark")
        + p("{{ mark }}", "IbtMark")
        + p("{%p endfor %}", "IbtMark")
    )


def first_page_header() -> str:
    column = "".join(
        [
            p("{{ sender.organisation }}", "IbtColumnHead"),
            p("{{ sender.department }}", "IbtColumn"),
            p("", "IbtColumn"),
            p("{%p for line in sender.visit_lines %}", "IbtColumn"),
            p("{{ line }}", "IbtColumn"),
            p("{%p endfor %}", "IbtColumn"),
            p("{%p for line in sender.postal_lines %}", "IbtColumn"),
            p("{{ line }}", "IbtColumn"),
            p("{%p endfor %}", "IbtColumn"),
            p("{{ sender.website }}", "IbtColumn"),
            p("", "IbtColumn"),
            p("Onze referentie", "IbtColumnHead"),
            p("{{ reference }}", "IbtColumn"),
        ]
    )
    logo = p("{{ logo }}", "IbtSignature").replace(
        '<w:pStyle w:val="IbtSignature"/>', '<w:pStyle w:val="IbtSignature"/><w:jc w:val="center"/>'
    )
    return logo + marks_xml() + column_table(column) + p("", "IbtLine")


def continuation_header() -> str:
    column = "".join(
        [
            p("{{ sender.organisation }}", "IbtColumnHead"),
            p("{{ sender.department }}", "IbtColumn"),
            p("", "IbtColumn"),
            p("Datum", "IbtColumnHead"),
            p("{{ date_text }}", "IbtColumn"),
            p("", "IbtColumn"),
            p("Onze referentie", "IbtColumnHead"),
            p("{{ reference }}", "IbtColumn"),
        ]
    )
    return marks_xml() + column_table(column) + p("", "IbtLine")


def fill_header(header_element: object, xml: str) -> None:
    """Replace a header's content with ``xml`` (paragraphs and tables)."""
    hdr = header_element
    for child in list(hdr):  # type: ignore[attr-defined]
        hdr.remove(child)  # type: ignore[attr-defined]
    for fragment in split_blocks(xml):
        hdr.append(parse_xml(fragment))  # type: ignore[attr-defined]


def split_blocks(xml: str) -> list[str]:
    """Split concatenated top-level <w:p>/<w:tbl> fragments."""
    wrapper = parse_xml(f"<w:root {W}>{xml}</w:root>")
    return [etree.tostring(child, encoding="unicode") for child in wrapper]


def subject_table() -> str:
    """Datum and Betreft as a two-column table without borders."""
    label_w, value_w = 18, 105

    def row(label: str, value: str) -> str:
        return (
            f'<w:tr><w:tc><w:tcPr><w:tcW w:w="{twips(label_w)}" w:type="dxa"/></w:tcPr>'
            f"{p(label, 'IbtLine')}</w:tc>"
            f'<w:tc><w:tcPr><w:tcW w:w="{twips(value_w)}" w:type="dxa"/></w:tcPr>'
            f"{p(value, 'IbtLine')}</w:tc></w:tr>"
        )

    return f"""
<w:tbl {W}>
  <w:tblPr>
    <w:tblW w:w="{twips(label_w + value_w)}" w:type="dxa"/>
    <w:tblLayout w:type="fixed"/>
    <w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>
  </w:tblPr>
  <w:tblGrid><w:gridCol w:w="{twips(label_w)}"/><w:gridCol w:w="{twips(value_w)}"/></w:tblGrid>
  {row("Datum", "{{ date_text }}")}
  {row("Betreft", "{{ subject }}")}
</w:tbl>"""


FOOTNOTES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:footnotes {W}>
<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>
<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
{{{{ footnotes_xml }}}}
</w:footnotes>"""


def build() -> bytes:
    """The template as .docx bytes."""
    doc = Document()
    define_styles(doc)
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(LEFT), Mm(RIGHT_MARGIN)
    section.top_margin, section.bottom_margin = Mm(TOP), Mm(BOTTOM)
    section.header_distance, section.footer_distance = Mm(8), Mm(8)
    section.different_first_page_header_footer = True
    fill_header(section.first_page_header._element, first_page_header())
    fill_header(section.header._element, continuation_header())

    body = doc.element.body
    sect_pr = body[-1]
    for child in list(body)[:-1]:
        body.remove(child)
    blocks = "".join(
        [
            p("{{ return_address }}", "IbtReturn"),
            p("{%p for line in addressee_lines %}", "IbtLine"),
            p("{{ line }}", "IbtLine"),
            p("{%p endfor %}", "IbtLine"),
            p("", "IbtLine"),
            p("", "IbtLine"),
            p("", "IbtLine"),
            subject_table(),
            p("", "IbtLine"),
            p("", "IbtLine"),
            p("", "IbtLine"),
            p("{{ salutation }}", "IbtBody"),
            p("{{p body }}", "IbtBody"),
            # the closing block stays together on one page: each line keeps with the next
            p("{{ closing }}", "IbtBody", keep_next=True),
            p("{{ signatory.on_behalf }}", "IbtLine", keep_next=True),
            p("{{ signature }}", "IbtSignature", keep_next=True),
            p("{{ signatory.name }}", "IbtLine", keep_next=True),
            p("{{ signatory.function }}", "IbtLine"),
        ]
    )
    for fragment in split_blocks(blocks):
        sect_pr.addprevious(parse_xml(fragment))

    # Footnotes: python-docx cannot create them; add the part with a docxtpl placeholder.
    part = Part(
        PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, FOOTNOTES.encode(), doc.part.package
    )
    doc.part.relate_to(part, RT.FOOTNOTES)
    footnote_pr = parse_xml(
        f'<w:footnotePr {W}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
    )
    settings = doc.settings.element
    for theme_lang in settings.iter(f"{{{WNS}}}themeFontLang"):
        theme_lang.set(f"{{{WNS}}}val", "nl-NL")
    compat = settings.find(f"{{{WNS}}}compat")
    if compat is not None:  # schema order: footnotePr comes before compat
        compat.addprevious(footnote_pr)
    else:
        settings.append(footnote_pr)

    props = doc.core_properties
    props.title = "Brief interbestuurlijk toezicht"
    props.author = "ibtpost"
    props.language = "nl-NL"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("templates/brief.docx"))
    args = parser.parse_args()
    args.out.write_bytes(build())
    print(args.out)


if __name__ == "__main__":
    main()
