"""The fast path that finishes LibreOffice's PDFs (update.py), checked against pikepdf on
real letters: LibreOffice's own PDFs from the production converter pool, and the letters of
a batch as ``ibtpost batch`` writes them."""

from __future__ import annotations

import io
import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import copy_tree
from tests.production import convert_docx

from ibtpost.cli import main
from ibtpost.data.config import load_config
from ibtpost.documents.pdf import update
from ibtpost.documents.pdf.finish import PdfFacts, inspect_pdf

pytestmark = pytest.mark.libreoffice

CODES = ("GM0622", "GM1900", "GM0820")  # Vlaardingen, Súdwest-Fryslân, the longest name
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_APPENDED = re.compile(
    rb"(\d+) 0 obj\n<<.*>>\nendobj\nxref\n(\d+) 1\n(\d{10}) 00000 n \ntrailer\n<<.*/Prev (\d+)>>"
    rb"\nstartxref\n(\d+)\n%%EOF\n",
    re.S,
)


@dataclass(frozen=True)
class Letter:
    """One letter: LibreOffice's PDF of its .docx, and the PDF its batch wrote."""

    code: str
    reference: str
    raw: bytes
    finished: bytes


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Letter]:
    """A trede-2 batch of three letters, and each letter's .docx converted once more by the
    converter pool to have LibreOffice's PDF as the batch's finishing step got it."""
    base = tmp_path_factory.mktemp("pdfupdate")
    root = copy_tree(base / "root")
    args = ["--root", str(root), "batch", "trede-2", "--date", "2026-04-09", "--reason", "test"]
    assert main([*args, *(arg for code in CODES for arg in ("-m", code))]) == 0
    (manifest,) = (root / "outbox").glob("*/manifest.json")
    entries = json.loads(manifest.read_text("utf-8"))["letters"]
    sources = [manifest.parent / entry["docx"] for entry in entries]
    raws = convert_docx(load_config(root), sources, base / "libreoffice")
    return {
        entry["municipality"]: Letter(
            entry["municipality"],
            entry["reference"],
            raw.read_bytes(),
            (manifest.parent / entry["pdf"]).read_bytes(),
        )
        for entry, raw in zip(entries, raws, strict=True)
    }


def layout_of(pdf: bytes) -> update.Layout:
    """The layout read_layout finds; it must find one."""
    layout = update.read_layout(pdf)
    assert layout is not None
    return layout


def open_strict(pdf: bytes) -> pikepdf.Pdf:
    """The PDF opened by pikepdf without qpdf's recovery of damaged files."""
    return pikepdf.open(io.BytesIO(pdf), attempt_recovery=False)


def hex_strings(raw: bytes) -> list[bytes]:
    """The byte strings of a run of PDF hex strings ``<..> <..>``."""
    return [bytes.fromhex(h.decode()) for h in re.findall(rb"<([0-9A-Fa-f\s]*)>", raw)]


# --- the facts of LibreOffice's own PDFs ---------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_the_facts_read_are_what_pikepdf_reports(letters: dict[str, Letter], code: str) -> None:
    """PDF/A part and conformance, tagging, pages, fonts, embedding and the trailer's
    references read from LibreOffice's PDF equal what pikepdf finds in the same file."""
    raw = letters[code].raw
    layout = layout_of(raw)
    with open_strict(raw) as doc:
        meta = doc.open_metadata()
        objects = [o for o in doc.objects if isinstance(o, pikepdf.Dictionary)]
        fonts = {str(o.BaseFont) for o in objects if o.get("/Type") == "/Font"}
        unembedded = {
            str(o.FontName)
            for o in objects
            if o.get("/Type") == "/FontDescriptor" and not any(k in o for k in FONT_FILES)
        }
        mark = doc.Root.get("/MarkInfo")
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "B")
        assert layout.pdfa == meta.pdfa_status == "2B"
        assert layout.tagged is True
        assert layout.tagged == (
            bool(mark and mark.get("/Marked")) and "/StructTreeRoot" in doc.Root
        )
        assert layout.pages == len(doc.pages) == 3
        assert layout.fonts == tuple(sorted(fonts))
        assert layout.unembedded == tuple(sorted(unembedded)) == ()
        assert (layout.root, layout.info, layout.size) == (
            doc.trailer.Root.objgen[0],
            doc.trailer.Info.objgen[0],
            int(doc.trailer.Size),
        )
        assert hex_strings(layout.ids) == [bytes(i) for i in doc.trailer.ID]
    assert raw.startswith(b"xref", layout.xref_at)
    assert raw.rstrip().endswith(b"startxref\n%d\n%%%%EOF" % layout.xref_at)
    # the fast path and pikepdf's path of ibtpost.pdf give the same facts
    fast = PdfFacts(layout.pages, layout.pdfa, layout.tagged, layout.fonts, layout.unembedded)
    assert fast == inspect_pdf(raw)


def same_length(pdf: bytes, old: bytes, new: bytes) -> bytes:
    """``pdf`` with the last ``old`` replaced by ``new`` (as long: every offset stays right)."""
    assert len(old) == len(new)
    at = pdf.rindex(old)
    return pdf[:at] + new + pdf[at + len(old) :]


def test_a_font_without_its_font_file_is_reported_as_pikepdf_reports_it(
    letters: dict[str, Letter],
) -> None:
    """A font descriptor whose font file is gone is read as an unembedded font, as by pikepdf."""
    raw = letters["GM0622"].raw
    broken = same_length(raw, b"/FontFile2", b"/NotAFile2")
    layout = layout_of(broken)
    facts = inspect_pdf(broken)
    assert len(layout.unembedded) == 1
    assert layout.unembedded == facts.unembedded
    assert (layout.fonts, layout.pages, layout.tagged) == (facts.fonts, facts.pages, facts.tagged)


def test_a_pdf_without_a_structure_tree_is_untagged_as_pikepdf_says(
    letters: dict[str, Letter],
) -> None:
    """Without /StructTreeRoot in the catalog the letter reads as untagged, as by pikepdf."""
    raw = letters["GM0622"].raw
    found = re.search(rb"/StructTreeRoot \d+ 0 R", raw)
    assert found is not None
    broken = same_length(raw, found.group(0), b" " * len(found.group(0)))
    assert layout_of(broken).tagged is False
    assert inspect_pdf(broken).tagged is False


# --- the incremental Info update ----------------------------------------------------------

INFO_KEYS = (
    "/Title",
    "/Subject",
    "/Author",
    "/Keywords",
    "/Creator",
    "/CreationDate",
    "/IbtReference",
    "/IbtMunicipality",
)
info_entries = st.dictionaries(
    st.sampled_from(INFO_KEYS), st.text(st.characters(blacklist_categories=("Cs",))), min_size=1
)


@settings(max_examples=30, deadline=None)
@given(entries=info_entries)
def test_the_appended_update_gives_the_new_info_and_keeps_the_original_bytes(
    letters: dict[str, Letter], entries: dict[str, str]
) -> None:
    """After the update pikepdf reads the new entries and the old ones not replaced, and the
    original file is the unchanged start of the new one, its new section pointing right."""
    raw = letters["GM1900"].raw
    layout = layout_of(raw)
    with open_strict(raw) as doc:
        before = {key: str(value) for key, value in doc.docinfo.items()}
    updated = update.append_info(raw, layout, entries)
    assert updated[: len(raw)] == raw
    with open_strict(updated) as doc:
        after = {key: str(value) for key, value in doc.docinfo.items()}
        assert after == before | entries
        assert doc.trailer.Info.objgen == (layout.info, 0)
        assert len(doc.pages) == layout.pages
        assert doc.open_metadata().pdfa_status == "2B"
        assert doc.get_warnings() == []
    appended = _APPENDED.fullmatch(updated, len(raw) + (not raw.endswith(b"\n")))
    assert appended is not None
    number, section, offset, prev, startxref = (int(g) for g in appended.groups())
    assert number == section == layout.info
    assert updated.startswith(b"%d 0 obj" % layout.info, offset)
    assert (prev, updated[startxref:].startswith(b"xref\n")) == (layout.xref_at, True)
    # a file with an update is not LibreOffice's layout: pikepdf decides for it
    assert update.read_layout(updated) is None


@pytest.mark.parametrize("code", CODES)
def test_a_batch_letter_is_libreoffices_pdf_with_its_info_appended(
    letters: dict[str, Letter], code: str
) -> None:
    """The batch's PDF is a file in LibreOffice's layout plus one update whose Info names the
    letter and repeats the XMP title, subject and author, as PDF/A requires."""
    finished = letters[code].finished
    assert finished.count(b"%%EOF") == 2
    original = finished[: finished.index(b"%%EOF") + len(b"%%EOF\n")]
    layout = layout_of(original)
    assert update.read_layout(finished) is None
    with open_strict(finished) as doc:
        info = {key: str(value) for key, value in doc.docinfo.items()}
        meta = doc.open_metadata()
        assert doc.trailer.Info.objgen == (layout.info, 0)
        assert (info["/Title"], info["/Subject"]) == (meta["dc:title"], meta["dc:description"])
        assert [info["/Author"]] == meta["dc:creator"]
        assert (info["/Keywords"], info["/IbtReference"]) == (letters[code].reference,) * 2
        assert (info["/IbtMunicipality"], info["/IbtLetter"]) == (code, "trede-2")
        assert info["/IbtDate"] == "2026-04-09"
        assert doc.get_warnings() == []
    # poppler, another reader, sees the appended Info too (diacritics included)
    poppler = subprocess.run(
        ["pdfinfo", "-enc", "UTF-8", "-"], input=finished, capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert f"Subject:         {info['/Subject']}\n" in poppler
    assert f"Keywords:        {letters[code].reference}\n" in poppler


# --- anything but LibreOffice's layout: None ----------------------------------------------


def saved(**options: object) -> Callable[[bytes], bytes]:
    """The file saved again by pikepdf with ``options``."""

    def save(pdf: bytes) -> bytes:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            out = io.BytesIO()
            doc.save(out, **options)
        return out.getvalue()

    return save


OTHER_LAYOUTS: dict[str, Callable[[bytes], bytes]] = {
    "object streams": saved(object_stream_mode=pikepdf.ObjectStreamMode.generate),
    "rewritten by qpdf": saved(object_stream_mode=pikepdf.ObjectStreamMode.disable),
    "linearized": saved(linearize=True),
    "PDF/A-1b": lambda pdf: same_length(
        pdf, b"<pdfaid:part>2</pdfaid:part>", b"<pdfaid:part>1</pdfaid:part>"
    ),
    "PDF/A-2u": lambda pdf: same_length(pdf, b"<pdfaid:conformance>B<", b"<pdfaid:conformance>U<"),
    "no Info": lambda pdf: same_length(pdf, b"/Info ", b"/Nfo  "),
    "bytes after %%EOF": lambda pdf: pdf + b"% a comment after the end\n",
}


@pytest.mark.parametrize("change", list(OTHER_LAYOUTS))
def test_another_layout_is_left_to_pikepdf(letters: dict[str, Letter], change: str) -> None:
    """The letter in another layout (or claiming another PDF/A level) reads as None, while
    pikepdf still opens it and finds the same pages."""
    raw = letters["GM0622"].raw
    other = OTHER_LAYOUTS[change](raw)
    assert other != raw
    assert update.read_layout(other) is None
    with pikepdf.open(io.BytesIO(other)) as doc:
        assert len(doc.pages) == 3


def test_pikepdf_finds_the_same_facts_in_another_layout(letters: dict[str, Letter]) -> None:
    """pikepdf, which decides for another layout, finds in the letter saved with object
    streams the facts the fast path read from the original, and PDF/A-1b where claimed."""
    raw = letters["GM0622"].raw
    layout = layout_of(raw)
    other = OTHER_LAYOUTS["object streams"](raw)
    assert inspect_pdf(other) == PdfFacts(
        layout.pages, layout.pdfa, layout.tagged, layout.fonts, layout.unembedded
    )
    assert inspect_pdf(OTHER_LAYOUTS["PDF/A-1b"](raw)).pdfa == "1B"


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_truncated_file_reads_as_none(letters: dict[str, Letter], data: st.DataObject) -> None:
    """A letter cut anywhere before its final %%EOF reads as None."""
    raw = letters["GM0622"].raw
    cut = data.draw(st.integers(0, len(raw) - len(b"%%EOF\n")))
    assert update.read_layout(raw[:cut]) is None
