"""The text reader of the letters' PDFs (pagetext.py, pdfcontent.py): every page of letters
made as users make them reads as poppler's ``pdftotext`` reads it, and the content-stream
syntax the reader handles is checked directly."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import copy_tree
from tests.pdftext import words

from ibtpost.cli import main
from ibtpost.documents.pdf import pagetext
from ibtpost.documents.pdf.content import Array, Font, parse_cmap, tokens

# code: the addressee's name as page 1 prints it
BATCH = {
    "GM0622": "Vlaardingen",
    "GM1900": "Súdwest-Fryslân",
    "GM0820": "Nuenen, Gerwen en Nederwetten",
    "GM0796": "'s-Hertogenbosch",
}
DRAFT = ("trede-5", "GM0088", "Schiermonnikoog")  # a concept letter of another text


@dataclass(frozen=True)
class Letter:
    """A letter's PDF as ibtpost wrote it, with the pages it must have."""

    pdf: Path
    name: str
    pages: int


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Letter]:
    """The trede-2 letters of ``BATCH`` by ``ibtpost batch``, and a concept trede-5 letter
    by ``ibtpost letter``."""
    base = tmp_path_factory.mktemp("pagetext")
    root = copy_tree(base / "root")
    args = ["--root", str(root), "batch", "trede-2", "--date", "2026-04-09", "--reason", "test"]
    assert main([*args, *(arg for code in BATCH for arg in ("-m", code))]) == 0
    (manifest,) = (root / "outbox").glob("*/manifest.json")
    made = {
        e["municipality"]: Letter(manifest.parent / e["pdf"], BATCH[e["municipality"]], e["pages"])
        for e in json.loads(manifest.read_text("utf-8"))["letters"]
    }
    letter, code, name = DRAFT
    single = base / "single"
    args = ["--root", str(root), "letter", letter, "-m", code, "--date", "2026-04-09"]
    assert main([*args, "--out", str(single)]) == 0
    (pdf,) = single.glob("*.pdf")
    with pikepdf.open(pdf) as doc:
        made[code] = Letter(pdf, name, len(doc.pages))
    return made


def poppler_pages(pdf: Path) -> list[str]:
    """The text of every page as ``pdftotext -raw`` gives it (content-stream order)."""
    out = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pages = out.split("\f")
    assert pages[-1] == ""  # every page ends with a form feed
    return pages[:-1]


def footnote_markers(mine: list[str], theirs: list[str]) -> list[tuple[str, str]]:
    """The words of ``mine`` and ``theirs`` are the same, except where a footnote number
    stands apart from its word in ``mine`` (it sits above the baseline) and poppler glues it
    on; those places, as (word, number)."""
    markers = []
    i = j = 0
    while i < len(mine) and j < len(theirs):
        if mine[i] == theirs[j]:
            i, j = i + 1, j + 1
        elif i + 1 < len(mine) and mine[i + 1].isdigit() and theirs[j] == mine[i] + mine[i + 1]:
            markers.append((mine[i], mine[i + 1]))
            i, j = i + 2, j + 1
        else:
            context = " ".join(mine[max(0, i - 5) : i + 5])
            raise AssertionError(f"{mine[i]!r} read, poppler has {theirs[j]!r}: ... {context} ...")
    assert (mine[i:], theirs[j:]) == ([], [])
    return markers


@pytest.mark.libreoffice
@pytest.mark.parametrize("code", [*BATCH, DRAFT[1]])
def test_every_page_reads_as_pdftotext_reads_it(letters: dict[str, Letter], code: str) -> None:
    """Each page's text is poppler's text of that page word for word, the one footnote marker
    apart, with the municipality's name (diacritics, apostrophe) as written."""
    letter = letters[code]
    with pikepdf.open(letter.pdf) as doc:
        read = pagetext.read_pages(doc)
    assert read.unreadable == ()
    theirs = poppler_pages(letter.pdf)
    assert len(read.pages) == len(theirs) == letter.pages >= 2
    markers = []
    for number, (pieces, poppler) in enumerate(zip(read.pages, theirs, strict=True), 1):
        mine = pagetext.page_text(pieces)
        assert mine, f"page {number} has no text"
        # the honest normalisation (tests.pdftext.words): white space, no-break spaces
        # included, folded, and list bullets (a private-use glyph of the symbol font, which
        # the reader drops) removed
        found = footnote_markers(mine.split(), words(poppler))
        markers.extend((number, *marker) for marker in found)
    assert markers == [(1, "interventieladder", "1")]
    first = pagetext.page_text(read.pages[0])
    assert f"Aan het college van B&W van de gemeente {letter.name} " in first


@pytest.mark.libreoffice
def test_flow_and_footnote_text_are_the_body_and_footnote_poppler_reads(
    letters: dict[str, Letter],
) -> None:
    """The running text is poppler's words in order without the page furniture, a sentence
    runs on across pages, and the footnote text is the footnote poppler prints."""
    letter = letters["GM0622"]
    with pikepdf.open(letter.pdf) as doc:
        read = pagetext.read_pages(doc)
    theirs = [w for page in poppler_pages(letter.pdf) for w in words(page)]
    flow = pagetext.flow_text(read.pages)
    rest = iter(theirs)  # each word of the flow is found in order among poppler's words
    for word in flow.split():
        assert any(w == word or (w.startswith(word) and w[len(word) :].isdigit()) for w in rest)
    assert len(flow.split()) > len(theirs) * 0.85  # the body is most of the letter
    assert "mail te sturen aan ibtspreidingswet@minjenv.nl. Indien" in flow  # across pages
    assert "Onze referentie" not in flow and "Retouradres" not in flow
    footnote = pagetext.footnote_text(read.pages)
    assert footnote.startswith("Deze is gebaseerd op de Wet")
    assert f" 1 {footnote} " in f" {' '.join(words(poppler_pages(letter.pdf)[0]))} "


# --- the content-stream syntax, directly --------------------------------------------------


def literal(data: bytes, choices: list[int]) -> bytes:
    """``data`` written as a PDF literal string, each byte in one of the ways the syntax
    allows (``choices`` picks one per byte): itself, an escape, or octal."""
    out = bytearray(b"(")
    for index, (byte, choice) in enumerate(zip(data, choices, strict=True)):
        following = data[index + 1 : index + 2]
        named = {0x0A: b"n", 0x0D: b"r", 0x09: b"t", 0x08: b"b", 0x0C: b"f"}
        if choice == 0 and byte not in b"()\\\r":
            out.append(byte)  # as itself (a bare line feed stays a line feed)
        elif choice == 1 and byte in named:
            out += b"\\" + named[byte]
        elif choice == 1 and byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif choice == 2 and not following.isdigit():
            out += b"\\" + oct(byte)[2:].encode()  # the shortest octal form
        else:
            out += b"\\%03o" % byte
        if choice == 3:
            out += b"\\\n"  # a line continuation: no byte
    return bytes(out + b")")


@given(st.binary(max_size=40).flatmap(lambda d: st.tuples(st.just(d), choices(len(d)))))
def test_a_literal_string_reads_as_its_bytes_however_it_is_escaped(
    case: tuple[bytes, list[int]],
) -> None:
    """A literal string operand, with any mix of escapes, octal codes and line continuations,
    is read as the bytes it stands for, alone and inside a TJ array."""
    data, picks = case
    written = literal(data, picks)
    assert list(tokens(b"BT " + written + b" Tj ET")) == [("BT", []), ("Tj", [data]), ("ET", [])]
    ((operator, (array,)),) = tokens(b"[" + written + b" -120 <41>] TJ")
    assert operator == "TJ"
    assert list(array.items()) == [data, -120.0, b"A"]


def choices(size: int) -> st.SearchStrategy[list[int]]:
    """One way of writing each of ``size`` bytes (see :func:`literal`)."""
    return st.lists(st.integers(0, 3), min_size=size, max_size=size)


def test_a_string_with_one_level_of_balanced_parentheses_needs_no_escapes() -> None:
    """Balanced parentheses inside a literal string are part of the string."""
    assert list(tokens(b"(f(x) = y) Tj")) == [("Tj", [b"f(x) = y"])]


FONT = Font(
    {bytes([c]): chr(c) for c in range(0x20, 0x7F)},
    1,
    {c: 500.0 + c for c in range(0x20, 0x7F)},
    1000.0,
    "/Test",
)
runs = st.lists(
    st.tuples(
        st.binary(min_size=1, max_size=6).map(lambda b: bytes(0x20 + x % 0x5F for x in b)),
        st.integers(-199, 199),
    ),
    min_size=1,
    max_size=8,
)


@given(runs)
def test_a_tj_array_reads_the_same_in_hex_and_in_literal_strings(
    glyphs: list[tuple[bytes, int]],
) -> None:
    """A TJ array with kerning reads as its glyphs' text and advance, whether its strings
    are hex (LibreOffice's form, read in one piece) or literal (read item by item)."""
    hex_form = b" ".join(b"<%s> %d" % (run.hex().encode(), kern) for run, kern in glyphs)
    literal_form = b" ".join(literal(run, [3] * len(run)) + b" %d" % kern for run, kern in glyphs)
    text = "".join(run.decode("ascii") for run, _ in glyphs)
    advance = sum(sum(500.0 + c for c in run) - kern for run, kern in glyphs)
    for form in (hex_form, literal_form):
        shown, width = Array(form).shown(FONT)
        assert shown == text
        assert width == pytest.approx(advance)


def test_a_wide_gap_in_a_tj_array_is_a_space() -> None:
    """A TJ offset of at least 200 thousandths of the size reads as a space, a smaller one
    as kerning, in hex and literal strings alike."""
    assert Array(b"<4142> -250 <43> -199 <44>").shown(FONT)[0] == "AB CD"
    assert Array(b"(AB) -250 (C) -199 (D)").shown(FONT)[0] == "AB CD"


def test_a_tounicode_cmap_maps_single_codes_and_both_kinds_of_range() -> None:
    """bfchar entries, a range of consecutive destinations and a range listing each
    destination (one range a line, as CMaps are written) are all read, with the code width
    of the code space."""
    cmap = b"""
        1 begincodespacerange <0000> <FFFF> endcodespacerange
        2 beginbfchar <0003> <0020> <0010> <00E2> endbfchar
        2 beginbfrange
        <0020> <0022> <0061>
        <0030> <0031> [<00FA> <D83DDE00>]
        endbfrange
    """
    codes, width = parse_cmap(cmap)
    assert width == 2
    assert codes == {
        b"\x00\x03": " ",
        b"\x00\x10": "â",
        b"\x00\x20": "a",
        b"\x00\x21": "b",
        b"\x00\x22": "c",
        b"\x00\x30": "ú",
        b"\x00\x31": "\U0001f600",
    }
