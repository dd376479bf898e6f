"""The low level of reading text from a PDF: content-stream tokens, fonts' Unicode maps
and widths, and the matrices that place the text (used by :mod:`ibtpost.documents.pdf.pagetext`).

Tokenising a decompressed content stream with one regular expression, and decoding a
font's one-byte codes with ``str.translate``, keeps the Python work per letter to a few
milliseconds; walking the operators pikepdf parses costs about 0.1 s per letter (a Python
object per operand).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pikepdf

SPACE_OFFSET = 200.0
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")
_LITERAL = rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)"
_TOKEN = re.compile(
    rb"(<<|>>)"  # 1 dictionary delimiters (inline BDC properties), skipped
    rb"|<([0-9A-Fa-f\s]*)>"  # 2 hex string
    rb"|(" + _LITERAL + rb")"  # 3 literal string
    rb"|\[((?:[^\[\]()]|" + _LITERAL + rb")*)\]"  # 4 array (letters have no nested arrays)
    rb"|(/[^\s/\[\]()<>{}%]*)"  # 5 name
    rb"|([+-]?(?:\d+\.?\d*|\.\d+))"  # 6 number
    rb"|([A-Za-z'\"*][A-Za-z0-9'\"*]*)"  # 7 operator
    rb"|%[^\r\n]*"  # comment
    rb"|\S",  # anything else: ignored
    re.S,
)
_ARRAY_ITEM = re.compile(
    rb"<([0-9A-Fa-f\s]*)>|(" + _LITERAL + rb")|([+-]?(?:\d+\.?\d*|\.\d+))",
    re.S,  # as in _TOKEN: an escaped line end in a literal string is part of it
)
_HEX_STRING = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_ODD_HEX = re.compile(rb"<(?:[0-9A-Fa-f]{2})*[0-9A-Fa-f]>")
_INLINE_IMAGE = re.compile(rb"(?<![^\s])BI\s.*?\sID\s.*?\sEI(?=\s|$)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r\n|[\s\S])")


def _literal(raw: bytes) -> bytes:
    """The bytes of a literal string written ``(...)``, escapes resolved."""

    def one(match: re.Match[bytes]) -> bytes:
        token = match.group(1)
        if token[:1].isdigit():
            return bytes([int(token, 8) & 0xFF])
        if token in (b"\n", b"\r", b"\r\n"):
            return b""  # a line continuation
        return _ESCAPES.get(token, token)

    return _ESCAPE.sub(one, raw[1:-1])


def _hex(raw: bytes) -> bytes:
    try:
        return bytes.fromhex(raw.decode("ascii"))
    except ValueError:  # an odd number of digits: the last one is followed by a 0
        digits = re.sub(rb"\s", b"", raw)
        return bytes.fromhex((digits + b"0").decode("ascii"))


class Font:
    """What reading text needs of a font: its Unicode map and glyph widths."""

    def __init__(
        self,
        codes: dict[bytes, str] | None,
        width: int,
        widths: dict[int, float],
        default: float,
        name: str,
    ) -> None:
        self.codes = codes  # None: no ToUnicode map, the text cannot be read
        self.width = width  # bytes per code
        self.widths = widths  # code -> advance in thousandths of the size
        self.default = default
        self.name = name
        # one-byte codes (LibreOffice's subset fonts): str.translate and a list of widths
        # do the work in C
        self._table = {i: "\ufffd" for i in range(256)}
        for code, text in (codes or {}).items():
            if len(code) == 1:
                self._table[code[0]] = text
        self._advances = [widths.get(i, default) for i in range(256)]

    def decode(self, raw: bytes) -> tuple[str, float]:
        """The text of a shown string and its advance (thousandths of the size)."""
        if self.width == 1:
            return raw.decode("latin-1").translate(self._table), sum(
                map(self._advances.__getitem__, raw)
            )
        w = self.width
        codes = [raw[i : i + w] for i in range(0, len(raw), w)]
        table = self.codes or {}
        text = "".join(table.get(c, "\ufffd") for c in codes)
        advance = sum(self.widths.get(int.from_bytes(c, "big"), self.default) for c in codes)
        return text, advance


def _utf16(hexdigits: bytes) -> str:
    return bytes.fromhex(hexdigits.decode("ascii")).decode("utf-16-be", "replace")


def parse_cmap(data: bytes) -> tuple[dict[bytes, str], int]:
    """The ``bfchar`` and ``bfrange`` sections of a ToUnicode CMap, and the code width."""
    codes: dict[bytes, str] = {}
    width = 1
    for block in re.finditer(rb"begincodespacerange(.*?)endcodespacerange", data, re.S):
        found = _HEX.findall(block.group(1))
        if found:
            width = max(1, len(found[0]) // 2)
    for block in re.finditer(rb"beginbfchar(.*?)endbfchar", data, re.S):
        found = _HEX.findall(block.group(1))
        for src, dst in zip(found[0::2], found[1::2], strict=False):
            codes[bytes.fromhex(src.decode("ascii"))] = _utf16(dst)
    for block in re.finditer(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for line in block.group(1).splitlines():
            found = _HEX.findall(line)
            if len(found) < 3:
                continue
            low, high, size = int(found[0], 16), int(found[1], 16), len(found[0]) // 2
            if b"[" in line:  # one destination per code
                for i, code in enumerate(range(low, min(high, low + len(found) - 3) + 1)):
                    codes[code.to_bytes(size, "big")] = _utf16(found[2 + i])
            else:  # consecutive destinations
                base = _utf16(found[2])
                for i, code in enumerate(range(low, high + 1)):
                    codes[code.to_bytes(size, "big")] = base[:-1] + chr(ord(base[-1]) + i)
    return codes, width


def read_font(font: pikepdf.Object) -> Font:
    """The Unicode map and widths of a font dictionary."""
    name = str(font.get("/BaseFont", "?"))
    stream = font.get("/ToUnicode")
    codes, width = (
        parse_cmap(stream.read_bytes()) if isinstance(stream, pikepdf.Stream) else (None, 1)
    )
    widths: dict[int, float] = {}
    default = 500.0
    if font.get("/Subtype") == "/Type0":
        width = 2
        descendants = font.get("/DescendantFonts")
        if isinstance(descendants, pikepdf.Array) and len(descendants):
            cid = descendants[0]
            default = float(cid.get("/DW", 1000))
            spec = list(cid.get("/W", []))
            i = 0
            while i + 1 < len(spec):
                first = int(spec[i])
                if isinstance(spec[i + 1], pikepdf.Array):
                    for j, value in enumerate(spec[i + 1]):
                        widths[first + j] = float(value)
                    i += 2
                elif i + 2 < len(spec):
                    for code in range(first, int(spec[i + 1]) + 1):
                        widths[code] = float(spec[i + 2])
                    i += 3
                else:
                    break
    else:
        first = int(font.get("/FirstChar", 0))
        for j, value in enumerate(font.get("/Widths", [])):
            widths[first + j] = float(value)
    return Font(codes, width, widths, default, name)


class Array(bytes):
    """An array operand, kept as its source; only ``TJ`` reads the elements."""

    def shown(self, font: Font) -> tuple[str, float]:
        """The text and advance of a ``TJ`` array.

        LibreOffice writes a hex string per glyph run and a kerning number between runs;
        without literal strings and wide gaps the strings are decoded in one piece."""
        if self.find(b"(") < 0 and not _ODD_HEX.search(self):
            numbers = list(map(float, _HEX_STRING.sub(b" ", self).split()))
            if min(numbers, default=0.0) > -SPACE_OFFSET:
                text, advance = font.decode(_hex(b"".join(_HEX_STRING.findall(self))))
                return text, advance - sum(numbers)
        parts: list[str] = []
        advance = 0.0
        for item in self.items():
            if isinstance(item, bytes):
                text, width = font.decode(item)
                parts.append(text)
                advance += width
            else:
                advance -= item
                if item <= -SPACE_OFFSET:
                    parts.append(" ")
        return "".join(parts), advance

    def items(self) -> Iterator[bytes | float]:
        """The elements: strings (bytes) and numbers."""
        for hexdigits, literal, number in _ARRAY_ITEM.findall(self):
            if number:
                yield float(number)
            elif literal:
                yield _literal(literal)
            else:
                yield _hex(hexdigits)


def tokens(data: bytes) -> Iterator[tuple[str, list[Any]]]:
    """(operator, operands) of a content stream; strings as bytes, names as str."""
    operands: list[Any] = []
    for match in _TOKEN.finditer(_INLINE_IMAGE.sub(b" ", data)):
        kind = match.lastindex
        if kind == 6:
            operands.append(float(match.group(6)))
        elif kind == 7:
            yield match.group(7).decode("latin-1"), operands
            operands = []
        elif kind == 5:
            operands.append(match.group(5).decode("latin-1"))
        elif kind == 2:
            operands.append(_hex(match.group(2)))
        elif kind == 3:
            operands.append(_literal(match.group(3)))
        elif kind == 4:
            operands.append(Array(match.group(4)))


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def times(m: Matrix, n: Matrix) -> Matrix:
    """The product m x n (m applied first)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def numeric(args: list[Any], count: int) -> bool:
    """Whether ``args`` are ``count`` numbers (a damaged stream must not stop the reading)."""
    return len(args) == count and all(isinstance(a, float) for a in args)


def matrix(args: list[Any]) -> Matrix | None:
    """The six numbers of a ``cm`` or ``Tm`` as a matrix, or None."""
    if not numeric(args, 6):
        return None
    a, b, c, d, e, f = args
    return (a, b, c, d, e, f)
