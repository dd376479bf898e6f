"""The trede-2 letter renders for a diverse set of municipalities (one batch, as users run it)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import REPO, copy_tree
from tests.pdftext import column_text, pdf_pages

from ibtpost.cli import main
from ibtpost.documents.pdf.finish import verify_letter_pdf

pytestmark = pytest.mark.libreoffice

# code: (addressee name, first address line, postcode and place) with the visiting address
DIVERSE = {
    "GM0518": ("Den Haag", "Spui 70", "2511 BT 's-Gravenhage"),
    "GM1900": ("Súdwest-Fryslân", "Marktstraat 15", "8601 CR Sneek"),
    "GM0820": ("Nuenen, Gerwen en Nederwetten", None, None),  # longest name
    "GM0796": ("'s-Hertogenbosch", None, None),
    "GM0373": ("Bergen (NH)", None, None),
    "GM0893": ("Bergen (L)", None, None),
    "GM0363": ("Amsterdam", "Amstel 1", "1011 PN Amsterdam"),
    "GM0088": ("Schiermonnikoog", None, None),
    "GM0014": ("Groningen", "Grote Markt 1", "9712 HN Groningen"),
    "GM0183": ("Tubbergen", "Raadhuisplein 1", "7651 CV Tubbergen"),
    "GM0622": ("Vlaardingen", "Westnieuwland 6", "3131 VX Vlaardingen"),
}
# with the postal address: a Postbus, and a street address used as postal address
POSTAL = {
    "GM0518": ("Postbus 12600", "2500 DJ 's-Gravenhage"),
    "GM0183": ("Raadhuisplein 1", "7651 CV Tubbergen"),
}


@dataclass(frozen=True)
class Made:
    """A letter of the batch: its PDF and its reference."""

    pdf: Path
    reference: str


def produce(root: Path, codes: list[str]) -> dict[str, Made]:
    """The trede-2 letters of 9 april 2026 for ``codes``, made by ``ibtpost batch`` (with a
    reason: some of them meet their task)."""
    args = ["--root", str(root), "batch", "trede-2", "--date", "2026-04-09", "--reason", "test"]
    assert main([*args, *(arg for code in codes for arg in ("-m", code))]) == 0
    (manifest,) = (root / "outbox").glob("*/manifest.json")
    letters = json.loads(manifest.read_text("utf-8"))["letters"]
    made = {e["municipality"]: Made(manifest.parent / e["pdf"], e["reference"]) for e in letters}
    assert sorted(made) == sorted(codes)
    return made


@pytest.fixture(scope="module")
def visit_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Made]:
    """All diverse letters with visiting addresses."""
    return produce(copy_tree(tmp_path_factory.mktemp("many") / "root"), list(DIVERSE))


@pytest.mark.parametrize("code", list(DIVERSE))
def test_letter_renders_with_name_address_and_marks(code: str, visit_pdfs: dict[str, Made]) -> None:
    """Each letter is PDF/A, addressed correctly, and marked VOORBEELD iff sample data."""
    pdf = visit_pdfs[code].pdf
    facts = verify_letter_pdf(pdf.read_bytes(), pdf.name)
    assert 2 <= facts.pages <= 4
    name, street, place = DIVERSE[code]
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    first = " ".join(pages[0].split())
    assert f"Aan het college van B&W van de gemeente {name}" in first
    if street:
        assert street in first and place in first
    sample = code != "GM0622"
    assert all(("VOORBEELD" in text) == sample for text in pages)
    for page in pdf_pages(pdf)[1:]:
        column = column_text(page)
        assert "9 april 2026" in column
        assert visit_pdfs[code].reference in column


def test_postal_address_setting(tmp_path: Path) -> None:
    """With ``address: postal`` the letter shows the Postbus or the street postal address."""
    root = copy_tree(tmp_path / "root")
    settings = root / "config" / "settings.yaml"
    settings.write_text(settings.read_text().replace("address: visit", "address: postal"))
    made = produce(root, list(POSTAL))
    for code, (first_line, place) in POSTAL.items():
        text = " ".join(PdfReader(made[code].pdf).pages[0].extract_text().split())
        assert first_line in text and place in text
    assert "Spui 70" not in " ".join(PdfReader(made["GM0518"].pdf).pages[0].extract_text().split())


def test_shipped_template_is_what_the_build_script_makes() -> None:
    """templates/brief.docx is up to date with tools/build_template.py (same document XML)."""
    import importlib.util
    import io
    import zipfile

    spec = importlib.util.spec_from_file_location(
        "build_template", REPO / "tools" / "build_template.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = zipfile.ZipFile(io.BytesIO(module.build()))
    shipped = zipfile.ZipFile(REPO / "templates" / "brief.docx")
    for name in (
        "word/document.xml",
        "word/header1.xml",
        "word/header2.xml",
        "word/styles.xml",
        "word/footnotes.xml",
    ):
        assert built.read(name) == shipped.read(name), name
