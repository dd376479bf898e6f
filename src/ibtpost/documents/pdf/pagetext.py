"""The text of a letter's PDF, page by page, read straight from its content streams.

The checks before dispatch read the text of every PDF of a batch. pypdf needs about 0.4 s
and poppler's ``pdftotext`` about 0.3 s of processor time per three-page letter, and
walking pikepdf's parsed operators costs about 0.1 s (one Python object per operand).
Tokenising the decompressed content stream with one regular expression takes a few
milliseconds. The letters come from one producer (LibreOffice) in one simple form: each
line is a text object placed with ``Td``, its glyphs in a font mapped to Unicode by the
font's ``ToUnicode`` map, every running header and footer marked as an ``/Artifact``.
The reader follows the general rules (text and graphics matrices, ``TJ`` offsets, form
XObjects), and says what it cannot read (a font without a Unicode map), so that a check
relying on it fails rather than passes on text it could not see.

Each piece of text keeps its position, width, size, the structure tag it stands in and
whether it is an artifact. :func:`flow_text` gives the letter's running text without the
page furniture (headers, retouradres, footnotes), so that a sentence broken over two pages
reads as one; :func:`page_text` gives everything printed on one page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf

from ibtpost.documents.pdf.content import (
    IDENTITY,
    Array,
    Font,
    Matrix,
    matrix,
    numeric,
    read_font,
    times,
    tokens,
)
from ibtpost.text.textengine import normalise

#: Points: text at the left of this is the letter's own column; the sender column is right.
COLUMN_X = 400.0
#: Points: body text is 9 pt; retouradres, sender column and footnotes 6.5 pt, markers less.
BODY_SIZE = 8.0


#: A TJ offset of at least this (thousandths of the font size) stands for a space.
@dataclass(frozen=True)
class Piece:
    """One shown string: start and end on the line, baseline and size in points, the
    structure tag it stands in, artifact or not."""

    x: float
    end: float
    y: float
    size: float
    text: str
    tag: str
    artifact: bool


class _Reader:
    """Walks the content streams of one document; each font is read once."""

    def __init__(self) -> None:
        self.fonts: dict[tuple[int, int], Font] = {}
        self.unreadable: set[str] = set()

    def font_table(self, resources: Any) -> dict[str, Font]:
        """The fonts of a resource dictionary by resource name (each font read once)."""
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        table: dict[str, Font] = {}
        for name, font in fonts.items() if isinstance(fonts, pikepdf.Dictionary) else ():
            if not isinstance(font, pikepdf.Dictionary):
                continue
            key = font.objgen
            found = self.fonts.get(key) if key != (0, 0) else None
            if found is None:
                found = self.fonts[key] = read_font(font)
            table[name] = found
        return table

    def pieces(self, data: bytes, resources: Any, ctm: Matrix, depth: int = 0) -> Iterator[Piece]:
        fonts = self.font_table(resources)
        forms = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
        tags: list[str] = []
        saved: list[Matrix] = []
        font: Font | None = None
        size = leading = 0.0
        tm = line = IDENTITY
        for op, args in tokens(data):
            if op in ("BDC", "BMC"):
                tags.append(str(args[0]) if args else "")
            elif op == "EMC":
                if tags:
                    tags.pop()
            elif op == "q":
                saved.append(ctm)
            elif op == "Q":
                ctm = saved.pop() if saved else ctm
            elif op == "cm" and (placed := matrix(args)) is not None:
                ctm = times(placed, ctm)
            elif op == "BT":
                tm = line = IDENTITY
            elif op in ("Td", "TD") and numeric(args, 2):
                line = tm = times((1, 0, 0, 1, args[0], args[1]), line)
                if op == "TD":
                    leading = -args[1]
            elif op == "TL" and numeric(args, 1):
                leading = args[0]
            elif op == "T*":
                line = tm = times((1, 0, 0, 1, 0, -leading), line)
            elif op == "Tm" and (placed := matrix(args)) is not None:
                line = tm = placed
            elif op == "Tf" and len(args) == 2 and numeric(args[1:], 1):
                font = fonts.get(args[0])
                size = args[1]
                if font is not None and font.codes is None:
                    self.unreadable.add(font.name)
            elif op in ("Tj", "TJ", "'", '"') and args:
                if op in ("'", '"'):
                    line = tm = times((1, 0, 0, 1, 0, -leading), line)
                text, advance = self._shown(args[-1], font)
                m = times(tm, ctm)
                scale = abs(m[3]) or 1.0
                start = m[4]
                tm = times((1, 0, 0, 1, advance * size / 1000, 0), tm)
                yield Piece(
                    start,
                    times(tm, ctm)[4],
                    m[5],
                    size * scale,
                    text,
                    tags[-1] if tags else "",
                    "/Artifact" in tags,
                )
            elif (
                op == "Do" and args and isinstance(args[0], str) and forms is not None and depth < 4
            ):
                form = forms.get(args[0])
                if isinstance(form, pikepdf.Stream) and form.get("/Subtype") == "/Form":
                    placed = matrix([float(v) for v in form.get("/Matrix", IDENTITY)])
                    yield from self.pieces(
                        form.read_bytes(),
                        form.get("/Resources", resources),
                        times(placed or IDENTITY, ctm),
                        depth + 1,
                    )

    @staticmethod
    def _shown(value: Any, font: Font | None) -> tuple[str, float]:
        if font is None or font.codes is None:
            return "\ufffd", 0.0
        if not isinstance(value, bytes):
            return "", 0.0
        if not isinstance(value, Array):
            return font.decode(value)
        return value.shown(font)


@dataclass(frozen=True)
class Pages:
    """Every page's pieces, and the fonts whose text could not be read."""

    pages: tuple[tuple[Piece, ...], ...]
    unreadable: tuple[str, ...]


def read_pages(doc: pikepdf.Pdf) -> Pages:
    """The text pieces of every page of ``doc`` in content order."""
    reader = _Reader()
    pages = []
    for page in doc.pages:
        contents = page.obj.get("/Contents")
        streams = contents if isinstance(contents, pikepdf.Array) else [contents]
        data = b"\n".join(s.read_bytes() for s in streams if isinstance(s, pikepdf.Stream))
        pages.append(tuple(reader.pieces(data, page.obj.get("/Resources"), IDENTITY)))
    return Pages(tuple(pages), tuple(sorted(reader.unreadable)))


def _join(pieces: Iterable[Piece]) -> str:
    """Pieces on one line run on as they are (they carry their own spaces) unless there is
    a gap between them (table cells, a label and its value); a new line starts with a
    space."""
    out: list[str] = []
    last: Piece | None = None
    for piece in pieces:
        if last is not None and (
            abs(piece.y - last.y) > 1 or piece.x > last.end + 0.15 * last.size
        ):
            out.append(" ")
        out.append(piece.text)
        last = piece
    return normalise("".join(out))


def page_text(pieces: Iterable[Piece]) -> str:
    """Everything printed on a page, headers included."""
    return _join(pieces)


def flow_text(pages: Iterable[Iterable[Piece]]) -> str:
    """The letter's running text over all pages: the body column in body size, without
    headers, footers, the retouradres, footnotes and footnote markers."""
    return _join(
        p
        for page in pages
        for p in page
        if not p.artifact and p.x < COLUMN_X and p.size >= BODY_SIZE and p.tag != "/Footnote"
    )


def footnote_text(pages: Iterable[Iterable[Piece]]) -> str:
    """The footnotes' text over all pages, without their numbers."""
    return _join(
        p
        for page in pages
        for p in page
        if not p.artifact and p.tag == "/Footnote" and p.size >= BODY_SIZE * 0.75
    )
