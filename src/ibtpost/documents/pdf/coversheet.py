"""The cover sheet of a copy in the post room's file: the copy's own addressee in the
address window, so that the copy of a letter to the college goes in its own envelope to
the gemeenteraad or to gedeputeerde staten (A4, Helvetica, WinAnsi text)."""

from __future__ import annotations

import pikepdf

_MM = 72 / 25.4
A4 = (210 * _MM, 297 * _MM)
#: The address window of a Dutch C5/6 window envelope with an A4 folded in three: 22 mm from
#: the left edge, its first line 52 mm from the top.
_LEFT = 22 * _MM
_TOP = 52 * _MM


def _pdf_text(text: str) -> bytes:
    """A PDF string literal in WinAnsiEncoding (characters outside it become '?')."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def cover_sheet(pdf: pikepdf.Pdf, heading: str, address: list[str], notes: list[str]) -> None:
    """Append a cover page and a blank back (for duplex printing) to ``pdf``: ``heading``
    in bold above the address window, ``address`` in it, ``notes`` below."""
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    bold = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name("/Helvetica-Bold"),
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    width, height = A4
    ops = [b"BT", b"/F2 11 Tf", f"{_LEFT:.2f} {height - _TOP + 30:.2f} Td".encode()]
    ops += [_pdf_text(heading) + b" Tj", b"ET", b"BT", b"/F1 10 Tf", b"13 TL"]
    ops.append(f"{_LEFT:.2f} {height - _TOP:.2f} Td".encode())
    for line in address:
        ops += [_pdf_text(line) + b" Tj", b"T*"]
    ops += [b"ET", b"BT", b"/F1 9 Tf", b"12 TL", f"{_LEFT:.2f} {height / 2:.2f} Td".encode()]
    for line in notes:
        ops += [_pdf_text(line) + b" Tj", b"T*"]
    ops.append(b"ET")
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, width, height],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font, F2=bold)),
        Contents=pdf.make_stream(b"\n".join(ops)),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.add_blank_page(page_size=(width, height))
