"""Plain text pages (A4) as a PDF, for documents that are read, not sent: the cover,
delivery report and audit listing of a case file. Standard 14 fonts (Helvetica for headings,
Courier for listings) in WinAnsi encoding; long lines wrap, pages break as needed."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import pikepdf

_WIDTH, _HEIGHT = 595.28, 841.89  # A4 in points
_MARGIN = 56.0
_SIZE = 8.5
_LEADING = 11.0
_HEADING = 13.0
_COLUMNS = 92  # Courier 8.5 pt: 0.6 em a character fits 92 in the text width


@dataclass(frozen=True)
class Line:
    """One line: text, and whether it is a heading."""

    text: str
    heading: bool = False


def _escape(text: str) -> bytes:
    data = text.encode("cp1252", errors="replace")
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def wrap(lines: list[Line]) -> list[Line]:
    """Lines wrapped to the page width (headings are not wrapped)."""
    out: list[Line] = []
    for line in lines:
        if line.heading or len(line.text) <= _COLUMNS:
            out.append(line)
            continue
        indent = " " * min(len(line.text) - len(line.text.lstrip(" ")) + 2, 20)
        out.extend(
            Line(part)
            for part in textwrap.wrap(
                line.text, _COLUMNS, subsequent_indent=indent, break_long_words=True
            )
        )
    return out


def text_pdf(lines: list[Line]) -> pikepdf.Pdf:
    """A PDF of ``lines`` on as many A4 pages as they need."""
    pdf = pikepdf.new()
    fonts = pikepdf.Dictionary(
        F1=pdf.make_indirect(_font("/Courier")),
        F2=pdf.make_indirect(_font("/Helvetica-Bold")),
    )
    page_lines: list[list[Line]] = [[]]
    room = _HEIGHT - 2 * _MARGIN
    used = 0.0
    for line in wrap(lines):
        height = _HEADING + 6 if line.heading else _LEADING
        if used + height > room and page_lines[-1]:
            page_lines.append([])
            used = 0.0
        page_lines[-1].append(line)
        used += height
    for chunk in page_lines:
        ops = [b"BT"]
        y = _HEIGHT - _MARGIN
        for line in chunk:
            if line.heading:
                y -= _HEADING + 6
                ops.append(b"/F2 %.1f Tf 1 0 0 1 %.2f %.2f Tm" % (_HEADING, _MARGIN, y))
            else:
                y -= _LEADING
                ops.append(b"/F1 %.1f Tf 1 0 0 1 %.2f %.2f Tm" % (_SIZE, _MARGIN, y))
            ops.append(b"(" + _escape(line.text) + b") Tj")
        ops.append(b"ET")
        page = pikepdf.Page(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, _WIDTH, _HEIGHT],
                Resources=pikepdf.Dictionary(Font=fonts),
                Contents=pdf.make_stream(b"\n".join(ops)),
            )
        )
        pdf.pages.append(page)
    return pdf


def _font(name: str) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type1,
        BaseFont=pikepdf.Name(name),
        Encoding=pikepdf.Name.WinAnsiEncoding,
    )
