"""The trede-2 letter to Vlaardingen reproduces the reference letter (real LibreOffice)."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from tests.conftest import copy_tree
from tests.pdftext import (
    body_words,
    column_text,
    docx_text,
    images_per_page,
    pdf_pages,
    reference_body_words,
    reference_footnote,
    small_left_text,
    words,
)

from ibtpost.cli import main
from ibtpost.documents.pdf.finish import inspect_pdf

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The command of the issue, run once: the .docx and .pdf paths it printed."""
    base = tmp_path_factory.mktemp("golden")
    root = copy_tree(base / "root")
    out = base / "out"
    code = main(
        [
            "--root",
            str(root),
            "letter",
            "trede-2",
            "--municipality",
            "GM0622",
            "--date",
            "2026-04-09",
            "--reference",
            "7468089",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out / "7468089-vlaardingen.docx", out / "7468089-vlaardingen.pdf"


def test_files_are_named_by_reference_and_municipality(letter: tuple[Path, Path]) -> None:
    """The command writes 7468089-vlaardingen.docx and .pdf."""
    docx_path, pdf_path = letter
    assert docx_path.is_file() and pdf_path.is_file()


def test_pdf_body_is_the_reference_text_word_for_word(letter: tuple[Path, Path]) -> None:
    """Every word from "Geacht college," to "Directeur Regie Migratieketen", in order."""
    got = body_words(letter[1])
    start = got.index("Geacht")
    assert got[start:] == reference_body_words()


def test_docx_text_matches_the_reference(letter: tuple[Path, Path]) -> None:
    """The Word file carries the same words (body and footnote)."""
    text = docx_text(letter[0])
    got = words(text[text.index("Geacht college,") :])
    expected = reference_body_words()
    footnote = words(reference_footnote())
    assert got[: len(expected)] == expected
    assert got[len(expected) :] == footnote


def test_first_page_has_window_address_and_sender_column(letter: tuple[Path, Path]) -> None:
    """Retouradres, addressee, Datum/Betreft and the sender column stand on page 1."""
    page = pdf_pages(letter[1])[0]
    left = " ".join(p.text.strip() for p in page if p.x < 400)
    assert "Retouradres Postbus 20011 2500 EH Den Haag" in small_left_text(page)
    for line in (
        "Aan het college van B&W van de gemeente Vlaardingen",
        "Westnieuwland 6",
        "3131 VX Vlaardingen",
        "9 april 2026",
    ):
        assert line in left
    subject = words(
        "Brief interbestuurlijk toezicht Wet gemeentelijke taak mogelijk maken "
        "asielopvangvoorzieningen"
    )
    after = words(left)[words(left).index("Betreft") + 1 :]
    assert after[: len(subject)] == subject
    column = column_text(page)
    assert column.split("\n") == [
        "Directoraat-Generaal Migratie",
        "Directie Regie Migratieketen",
        "Turfmarkt 147",
        "2511 DP Den Haag",
        "Postbus 20011",
        "2500 EH Den Haag",
        "www.rijksoverheid.nl/jenv",
        "Onze referentie",
        "7468089",
    ]


def test_figures_table(letter: tuple[Path, Path]) -> None:
    """The table shows Regulier 100 / 0 and AMV 0 / 0 under its headings."""
    got = body_words(letter[1])
    i = got.index("Wettelijke")
    assert got[i : i + 10] == [
        "Wettelijke",
        "taak",
        "Realisatie",
        "per",
        "1-7-2025",
        "Regulier",
        "100",
        "0",
        "AMV",
        "0",
    ]


def test_footnote_at_foot_of_first_page(letter: tuple[Path, Path]) -> None:
    """The footnote text stands on page 1, below the body text."""
    page = pdf_pages(letter[1])[0]
    notes = [p for p in page if p.x < 400 and p.size < 8 and p.y < 200]
    assert words(" ".join(p.text for p in notes)) == ["1", *words(reference_footnote())]
    lowest_body = min(p.y for p in page if p.size >= 8)
    assert max(p.y for p in notes) < lowest_body


def test_continuation_pages_repeat_date_and_reference(letter: tuple[Path, Path]) -> None:
    """Every page after the first shows the sender, Datum 9 april 2026 and Onze referentie."""
    pages = pdf_pages(letter[1])
    assert len(pages) >= 2
    for page in pages[1:]:
        assert column_text(page).split("\n") == [
            "Directoraat-Generaal Migratie",
            "Directie Regie Migratieketen",
            "Datum",
            "9 april 2026",
            "Onze referentie",
            "7468089",
        ]


def test_signature_image_and_name_on_last_page(letter: tuple[Path, Path]) -> None:
    """The last page carries the signature image above the signatory's name."""
    reader = PdfReader(letter[1])
    assert images_per_page(letter[1]) == {len(reader.pages): 1}
    text = reader.pages[-1].extract_text()
    assert "Drs. K. Morren" in text and "Directeur Regie Migratieketen" in text


def test_pdf_is_tagged_pdfa2b_with_fonts_embedded(letter: tuple[Path, Path]) -> None:
    """PDF/A-2b identification, tagged structure, every font embedded, metadata set."""
    facts = inspect_pdf(letter[1].read_bytes())
    assert facts.pdfa == "2B"
    assert facts.tagged
    assert facts.unembedded == ()
    assert facts.fonts
    with pikepdf.open(letter[1]) as pdf:
        info = pdf.docinfo
        assert str(info["/IbtReference"]) == "7468089"
        assert str(info["/Title"]).startswith("Brief interbestuurlijk toezicht")
        with pdf.open_metadata() as meta:
            assert str(meta.get("dc:title")) == str(info["/Title"])
            assert str(meta.get("dc:description")) == str(info["/Subject"])
            assert str(meta.get("pdf:Keywords")) == str(info["/Keywords"]) == "7468089"


def test_real_figures_carry_no_sample_mark(letter: tuple[Path, Path]) -> None:
    """Vlaardingen's figures are real: no VOORBEELD anywhere."""
    text = " ".join(page.extract_text() for page in PdfReader(letter[1]).pages)
    assert "VOORBEELD" not in text


def test_the_signature_has_alternative_text_and_the_letter_its_language(
    letter: tuple[Path, Path],
) -> None:
    """For screen readers: the structure tree's figure (the signature) carries /Alt in
    Dutch, and the document says it is Dutch (/Lang)."""
    import pikepdf

    with pikepdf.open(letter[1]) as pdf:
        assert str(pdf.Root.Lang) == "nl-NL"
        figures: list[str] = []

        def walk(node: object) -> None:
            if isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure":
                    figures.append(str(node.get("/Alt", "")))
                kids = node.get("/K")
                for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                    walk(kid)

        walk(pdf.Root.StructTreeRoot)
    assert figures == ["Handtekening"]


def test_the_letter_is_pdf_ua_1_and_pdf_a_2b_to_an_independent_validator(
    letter: tuple[Path, Path],
) -> None:
    """page-validation (an independent PDF/A and PDF/UA checker) finds no rule failure of
    PDF/UA-1 or PDF/A-2b; the footnote's link is inside the structure tree."""
    import page
    import pikepdf

    for profile in (page.ValidationProfile.PDF_UA_1, page.ValidationProfile.PDF_A_2B):
        report = page.validate_pdf(letter[1], profile=profile)
        assert report.is_compliant, (profile, [(f.rule_id, f.message) for f in report.failures])
    with pikepdf.open(letter[1]) as pdf:
        links = [a for p in pdf.pages for a in p.obj.get("/Annots", []) if a.Subtype == "/Link"]
        assert links and all("/StructParent" in a for a in links)
        assert b"<pdfuaid:part>1</pdfuaid:part>" in pdf.Root.Metadata.read_bytes()
