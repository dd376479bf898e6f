"""Reading generated PDFs and Word files back as text, for the tests."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
from pypdf import PdfReader

COLUMN_X = 400  # points: text right of this is the sender column
BODY_SIZE = 8.0  # points: body text is 9 pt; retouradres, column and footnotes 6.5 pt


@dataclass(frozen=True)
class Piece:
    """A piece of text on a page with its position (points) and font size."""

    x: float
    y: float
    size: float
    text: str


def pieces(page: object) -> list[Piece]:
    """The text pieces of a pypdf page in content order."""
    found: list[Piece] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            scale = cm[3] if cm[3] else 1.0
            found.append(
                Piece(tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], size * abs(scale), text)
            )

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return found


def words(text: str) -> list[str]:
    """Words for comparison: split on white space, bullets dropped."""
    bullets = "•\uf0b7"
    found = (w.lstrip(bullets) for w in text.replace("\u00a0", " ").split())
    return [w for w in found if w]


def pdf_pages(path: Path) -> list[list[Piece]]:
    """The pieces of every page."""
    return [pieces(page) for page in PdfReader(path).pages]


def join_lines(selected: list[Piece]) -> str:
    """Join pieces: directly within a line, with a space where a new line starts."""
    out: list[str] = []
    last: Piece | None = None
    for piece in selected:
        if last is not None:
            new_line = abs(piece.y - last.y) > 1
            # a gap wider than the previous piece could fill: a new table cell
            gap = piece.x > last.x + len(last.text) * last.size * 0.62 + 2
            if new_line or gap:
                out.append(" ")
        out.append(piece.text)
        last = piece
    return "".join(out)


def body_words(path: Path) -> list[str]:
    """The words of the letter's body column (9 pt text left of the sender column)."""
    out: list[str] = []
    for page in pdf_pages(path):
        out.extend(words(join_lines([p for p in page if p.x < COLUMN_X and p.size >= BODY_SIZE])))
    return out


def column_text(page: list[Piece]) -> str:
    """The text of the sender column of a page, lines joined by newlines."""
    return "\n".join(p.text.strip() for p in page if p.x >= COLUMN_X and p.text.strip())


def small_left_text(page: list[Piece]) -> str:
    """6.5 pt text in the left column: retouradres and footnotes."""
    return join_lines([p for p in page if p.x < COLUMN_X and p.size < BODY_SIZE])


def images_per_page(path: Path) -> dict[int, int]:
    """How many images each page draws (1-based page numbers), from poppler's pdfimages."""
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    counts: dict[int, int] = {}
    for line in listing:
        fields = line.split()
        if fields and fields[2] == "image":  # smask rows are the images' transparency
            counts[int(fields[0])] = counts.get(int(fields[0]), 0) + 1
    return counts


def docx_text(path: Path) -> str:
    """Body paragraphs and table cells of a .docx in document order, and its footnotes."""
    document = docx.Document(str(path))
    parts: list[str] = []
    body = document.element.body
    for element in body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append("".join(t.text or "" for t in element.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            cells = (c for c in element.iter() if c.tag.endswith("}tc"))
            parts.append(
                " ".join(
                    "".join(t.text or "" for t in c.iter() if t.tag.endswith("}t")) for c in cells
                )
            )
    for rel in document.part.rels.values():
        if rel.reltype.endswith("/footnotes"):
            xml = rel.target_part.blob.decode("utf-8")
            parts.append(" ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)))
    return "\n".join(parts)


REFERENCE = Path(__file__).parent / "golden" / "reference-letter-trede-2.md"
_CONTINUATION = [
    "**Directoraat-Generaal",
    "Migratie**",
    "Directie Regie Migratieketen",
    "Datum",
    "9 april 2026",
    "Onze referentie",
    "7468089",
]


def reference_body_words() -> list[str]:
    """The reference letter's words from "Geacht college," to "Directeur Regie Migratieketen",
    without the repeated sender column, the footnote text and the signature description."""
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    start = lines.index("Geacht college,")
    kept = []
    for line in lines[start:]:
        stripped = line.strip()
        if (
            stripped in _CONTINUATION
            or stripped.startswith("¹")
            or stripped.startswith("A handwritten")
        ):
            continue
        if stripped.startswith("- "):  # a Markdown bullet
            stripped = stripped[2:]
        kept.append(stripped.replace("**", "").replace("¹", ""))
    return words(" ".join(kept))


def reference_footnote() -> str:
    """The footnote text of the reference letter."""
    line = next(x for x in REFERENCE.read_text(encoding="utf-8").splitlines() if x.startswith("¹"))
    return line.lstrip("¹ ").strip()


def page_texts(path: Path) -> list[str]:
    """The plain text of every page."""
    return [page.extract_text() or "" for page in PdfReader(path).pages]
