"""What a reviewer compares: the text of a Word template, and a word-level diff of two texts.

Lawyers review words, not XML: a Word template is reduced to its text (one paragraph per
line, headers, body, footers and footnotes in that order), and two texts are compared word
by word the way ``git diff --word-diff=plain`` shows it: ``[-oud-]{+nieuw+}``. Whitespace
separates words and is not compared, so a paragraph wrapped differently shows no change.
Pure: text in, lines out.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from xml.etree import ElementTree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_WORD = re.compile(r"\S+")
#: words kept on either side of a change; farther ones are shown as "..."
CONTEXT_WORDS = 6
ELLIPSIS = "..."

Kind = Literal["same", "old", "new"]


# -- the text of a Word template --------------------------------------------------------------


def docx_text(data: bytes) -> str:
    """The text of a .docx: one line per non-empty paragraph, each part under a heading line
    (``[header word/header1.xml]``, ``[body]``, ``[footer ...]``, ``[footnotes]``).

    Text boxes count once (the Word 2010 shape, not its VML fallback copy); field codes show
    as ``«PAGE»``; deleted tracked changes are left out. Raises ValueError when ``data`` is
    not a Word document.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            parts = [("body", "word/document.xml")]
            parts += [(f"header {n}", n) for n in sorted(names) if _part(n, "header")]
            parts += [(f"footer {n}", n) for n in sorted(names) if _part(n, "footer")]
            parts += [(n[5:-4], n) for n in ("word/footnotes.xml", "word/endnotes.xml")]
            # headers first, as a reader meets them on the page
            parts.sort(key=lambda p: (not p[0].startswith("header"), p[0] != "body"))
            out: list[str] = []
            for label, name in parts:
                if name not in names:
                    continue
                # the project's own template; expat does not fetch external entities
                root = ElementTree.fromstring(zf.read(name))  # noqa: S314
                lines = [line for line in _paragraphs(root) if line.strip()]
                if lines:
                    out.append(f"[{label}]")
                    out.extend(lines)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise ValueError(f"not a Word document: {exc}") from None
    return "\n".join(out) + ("\n" if out else "")


def _part(name: str, kind: str) -> bool:
    return name.startswith(f"word/{kind}") and name.endswith(".xml") and "/_rels/" not in name


def _paragraphs(element: ElementTree.Element) -> Iterator[str]:
    """The text of every paragraph below ``element`` in document order; a paragraph inside a
    text box is its own line, not part of the paragraph that holds the box. Text between
    paragraphs (a template tag such as ``{{ footnotes_xml }}``) is a line of its own."""
    buffer: list[str] | None = None

    def walk(node: ElementTree.Element) -> Iterator[str]:
        nonlocal buffer
        tag = node.tag
        if tag in (_MC_FALLBACK, f"{_W}delText"):
            return
        if tag == f"{_W}p":
            outer, buffer = buffer, []
            for child in node:
                yield from walk(child)
            yield "".join(buffer)
            buffer = outer
            return
        if buffer is not None:
            if tag == f"{_W}t":
                buffer.append(node.text or "")
            elif tag == f"{_W}tab":
                buffer.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                buffer.append(" ")
            elif tag == f"{_W}instrText" and (node.text or "").strip():
                buffer.append(f"«{(node.text or '').strip()}»")
        if tag == f"{_W}fldSimple" and buffer is not None:
            buffer.append(f"«{node.get(f'{_W}instr', '').strip()}»")
        if buffer is None and (node.text or "").strip():
            yield (node.text or "").strip()  # template tags between paragraphs
        for child in node:
            yield from walk(child)
            if buffer is None and (child.tail or "").strip():
                yield (child.tail or "").strip()

    yield from walk(element)


# -- the word diff ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    text: str
    line: int  # 1-based line of the text it stands on
    gap: str  # the whitespace before it on its line ("" at the start of a line)


@dataclass(frozen=True)
class Piece:
    """Part of a shown line: unchanged words, removed words, added words, or "..."."""

    kind: Kind
    text: str
    gap: str = " "  # the whitespace shown before it


@dataclass(frozen=True)
class ChangedLine:
    """A line of the new text that holds a change (its number in the new text)."""

    number: int
    pieces: tuple[Piece, ...]

    def render(self, colour: bool = False) -> str:
        """The line as ``git diff --word-diff=plain`` marks it, optionally in colour."""
        out: list[str] = []
        previous: Kind | None = None
        for i, piece in enumerate(self.pieces):
            # "[-old-]{+new+}": no space between a removal and the addition that replaces it
            gap = "" if i == 0 or (previous == "old" and piece.kind == "new") else piece.gap
            text = piece.text
            if piece.kind == "old":
                text = f"[-{text}-]"
                text = f"\x1b[31m{text}\x1b[0m" if colour else text
            elif piece.kind == "new":
                text = f"{{+{text}+}}"
                text = f"\x1b[32m{text}\x1b[0m" if colour else text
            out.append(gap + text)
            previous = piece.kind
        return "".join(out)


def _words(text: str) -> list[_Word]:
    found: list[_Word] = []
    for number, line in enumerate(text.splitlines(), start=1):
        end = 0
        for match in _WORD.finditer(line):
            gap = line[end : match.start()] if end else ""
            found.append(_Word(match.group(), number, gap))
            end = match.end()
    return found


def word_diff(old: str, new: str, context: int = CONTEXT_WORDS) -> list[ChangedLine]:
    """The lines of ``new`` that differ from ``old`` word by word; [] when every word is the
    same (whitespace and line breaks are not compared). Removed words are shown on the line
    of ``new`` where they were taken out."""
    a, b = _words(old), _words(new)
    matcher = difflib.SequenceMatcher(None, [w.text for w in a], [w.text for w in b], False)
    stream: list[tuple[int, Kind, str, str]] = []  # (line, kind, text, gap)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "delete"):
            if op == "replace":
                line = b[j1].line  # before the words that replace them
            elif j1 > 0:
                line = b[j1 - 1].line  # after the word they followed
            else:
                line = b[0].line if b else 1
            for k, word in enumerate(a[i1:i2]):
                stream.append((line, "old", word.text, " " if k == 0 else _one_line(word.gap)))
        if op != "delete":
            kind: Kind = "same" if op == "equal" else "new"
            stream.extend((w.line, kind, w.text, w.gap or " ") for w in b[j1:j2])
    lines: dict[int, list[tuple[Kind, str, str]]] = {}
    for line, kind, text, gap in stream:
        lines.setdefault(line, []).append((kind, text, gap))
    return [
        ChangedLine(number, _pieces(items, context))
        for number, items in sorted(lines.items())
        if any(kind != "same" for kind, _, _ in items)
    ]


def _one_line(gap: str) -> str:
    return gap if gap and "\n" not in gap else " "


def _pieces(items: list[tuple[Kind, str, str]], context: int) -> tuple[Piece, ...]:
    """Join runs of one kind into pieces; unchanged words far from a change become "..."."""
    changed = [i for i, (kind, _, _) in enumerate(items) if kind != "same"]
    keep = [any(abs(i - c) <= context for c in changed) for i in range(len(items))]
    pieces: list[Piece] = []
    for i, (kind, text, gap) in enumerate(items):
        if not keep[i]:
            if not pieces or pieces[-1].text != ELLIPSIS or pieces[-1].kind != "same":
                pieces.append(Piece("same", ELLIPSIS))
            continue
        last = pieces[-1] if pieces else None
        if last is not None and last.kind == kind and last.text != ELLIPSIS:
            pieces[-1] = Piece(kind, f"{last.text}{gap}{text}", last.gap)
        else:
            pieces.append(Piece(kind, text, gap))
    return tuple(pieces)
