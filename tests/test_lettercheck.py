"""Checks on generated letters before they may be queued: each check fails on a broken
copy of a real letter and passes on the letter as made (real LibreOffice, real files)."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pikepdf
import pytest
from tests.conftest import Result, copy_tree

from ibtpost.cli import main
from ibtpost.core.errors import Problems
from ibtpost.data.config import load_config
from ibtpost.documents.convert import ConverterPool
from ibtpost.register import LetterRecord, Register
from ibtpost.register import letters as letter_register
from ibtpost.review import lettercheck
from ibtpost.review.lettercheck import Spec, check_letters, docx_problems, pdf_problems
from ibtpost.text.definitions import load_definition, load_letter
from ibtpost.text.nodes import LetterDefinition

DAY = "2026-04-09"


@dataclass(frozen=True)
class Made:
    """A batch of one real letter (Vlaardingen, trede 2, three pages)."""

    root: Path
    folder: Path
    letter: LetterRecord
    definition: LetterDefinition
    pdf: Path
    docx: Path

    def spec(self, definition: LetterDefinition | None = None) -> Spec:
        return Spec.of(self.letter, definition or self.definition)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    root = copy_tree(tmp_path_factory.mktemp("made") / "root")
    assert main(["--root", str(root), "batch", "trede-2", "--date", DAY, "-m", "GM0622"]) == 0
    (folder,) = [p for p in (root / "outbox").iterdir() if p.is_dir()]
    with Register.for_root(root) as register:
        (letter,) = letter_register.batch_letters(register, folder.name)
    (pdf,) = folder.glob(f"{letter.reference}-*.pdf")
    return Made(root, folder, letter, load_letter(root, "trede-2"), pdf, pdf.with_suffix(".docx"))


def copy_batch(made: Made, target: Path) -> Path:
    """The batch folder copied, to break one file in it."""
    folder = target / made.folder.name
    shutil.copytree(made.folder, folder)
    (folder / lettercheck.CHECKS_FILE).unlink(missing_ok=True)
    return folder


def with_docx_text(docx: bytes, old: bytes, new: bytes) -> bytes:
    """A copy of a .docx with ``old`` replaced by ``new`` in word/document.xml."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                assert old in data
                data = data.replace(old, new, 1)
            target.writestr(item, data)
    return out.getvalue()


def edited_pdf(pdf: bytes, edit: Callable[[pikepdf.Pdf], None]) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        edit(doc)
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue()


# --- the letter as made passes, and passes again from checks.json -----------------------


@pytest.mark.libreoffice
def test_the_letter_as_made_passes_every_check(made: Made, tmp_path: Path) -> None:
    folder = copy_batch(made, tmp_path)
    first = check_letters(folder, [made.letter], made.definition)
    assert [c.problems for c in first.letters] == [()]
    assert (first.read, first.cached) == (1, 0)
    assert first.letters[0].pages == 3
    kept = json.loads((folder / lettercheck.CHECKS_FILE).read_text())
    assert kept["letters"][made.letter.pdf_sha256]["problems"] == []
    again = check_letters(folder, [made.letter], made.definition)
    assert (again.read, again.cached) == (0, 1)
    assert again.letters[0].ok


@pytest.mark.libreoffice
def test_a_damaged_checks_file_is_read_anew(made: Made, tmp_path: Path) -> None:
    folder = copy_batch(made, tmp_path)
    (folder / lettercheck.CHECKS_FILE).write_text("{not json")
    result = check_letters(folder, [made.letter], made.definition)
    assert (result.read, result.cached) == (1, 0)
    assert result.letters[0].ok
    assert json.loads((folder / lettercheck.CHECKS_FILE).read_text())["version"] == 1


# --- template tags ------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_a_template_tag_left_in_the_docx_and_the_pdf_fails(made: Made, tmp_path: Path) -> None:
    broken = with_docx_text(made.docx.read_bytes(), b"Geacht college,", b"Geacht {{ tag }},")
    problems = docx_problems(broken, made.spec())
    assert len(problems) == 1
    assert problems[0].startswith("template tag left in the Word file (word/document.xml): ")
    assert "Geacht {{ tag }}," in problems[0]
    assert docx_problems(made.docx.read_bytes(), made.spec()) == []
    # the same Word file through LibreOffice: the tag is on page 1 of the PDF
    source = tmp_path / "broken.docx"
    source.write_bytes(broken)
    settings = load_config(made.root).settings
    with ConverterPool(1, settings.soffice, settings.converter_python, 120) as pool:
        pool.convert(source, tmp_path / "broken.pdf")
    _, pdf_found = pdf_problems((tmp_path / "broken.pdf").read_bytes(), made.spec())
    assert any(p.startswith("template tag on page 1 of the PDF: ") for p in pdf_found), pdf_found
    assert not any("template tag" in p for p in pdf_problems(made.pdf.read_bytes(), made.spec())[1])


# --- mandatory blocks ---------------------------------------------------------------------


def definition_with(root: Path, tmp_path: Path, edit: Callable[[str], str]) -> LetterDefinition:
    text = edit((root / "letters" / "trede-2.yaml").read_text("utf-8"))
    path = tmp_path / "trede-2.yaml"
    path.write_text(text, "utf-8")
    return load_definition(path, "letters/trede-2.yaml")


EXTRA_PARAGRAPH = """  - when: previous
    paragraph: Deze zin staat alleen in een brief na een eerdere brief.

"""
EXTRA_REQUIRED = """  - name: vervolgzin
    text: Deze zin staat alleen in een brief na een eerdere brief.
"""


@pytest.mark.libreoffice
def test_a_missing_mandatory_block_fails_in_word_and_pdf(made: Made, tmp_path: Path) -> None:
    """A definition that requires a phrase this letter lacks (its paragraph stands under a
    condition that was false): both files fail; the definition as shipped passes."""
    definition = definition_with(
        made.root,
        tmp_path,
        lambda s: (
            s.replace("  - heading: Tot slot\n", EXTRA_PARAGRAPH + "  - heading: Tot slot\n")
            + EXTRA_REQUIRED
        ),
    )
    spec = made.spec(definition)
    where = str(definition.required[-1].location)
    assert where.startswith("letters/trede-2.yaml:")
    assert docx_problems(made.docx.read_bytes(), spec) == [
        f"mandatory text 'vervolgzin' ({where}) missing from the Word file"
    ]
    assert pdf_problems(made.pdf.read_bytes(), spec) == (
        3,
        [f"mandatory text 'vervolgzin' ({where}) missing from the PDF"],
    )
    shipped = made.spec()
    assert len(shipped.required) == 6
    assert docx_problems(made.docx.read_bytes(), shipped) == []
    assert pdf_problems(made.pdf.read_bytes(), shipped) == (3, [])


def test_required_phrases_are_validated_against_the_text(root: Path) -> None:
    """A phrase that is not word for word in the letter, a placeholder in a phrase and a
    name used twice are errors with file and line."""
    path = root / "letters" / "trede-2.yaml"
    text = path.read_text("utf-8")
    path.write_text(
        text
        + "  - name: verzonnen\n    text: Deze zin staat nergens in de brief.\n"
        + "  - name: verzonnen\n    text: Geacht {{ college }},\n",
        "utf-8",
    )
    with pytest.raises(Problems) as caught:
        load_definition(path, "letters/trede-2.yaml")
    lines = text.count("\n")
    messages = [str(p) for p in caught.value.problems]
    assert (
        f"letters/trede-2.yaml:{lines + 2}: required[6].text: verzonnen: the phrase does not "
        "occur in this letter's text; copy it word for word from a paragraph, heading, "
        "bullet, table or footnote" in messages
    )
    assert f"letters/trede-2.yaml:{lines + 3}: required[7].name: 'verzonnen' is named twice" in (
        messages
    )
    assert (
        f"letters/trede-2.yaml:{lines + 4}: required[7].text: must be literal text: no "
        "placeholders, markup or footnote markers" in messages
    )


# --- PDF/A, fonts, pages, reference and date ----------------------------------------------


@pytest.mark.libreoffice
def test_page_count_outside_the_definition_bounds_fails(made: Made, tmp_path: Path) -> None:
    narrow = replace(made.definition, min_pages=1, max_pages=2)
    assert pdf_problems(made.pdf.read_bytes(), made.spec(narrow)) == (
        3,
        ["3 pages, outside 1-2 (letters/trede-2.yaml: pages)"],
    )
    assert pdf_problems(made.pdf.read_bytes(), made.spec()) == (3, [])


def _drop_artifact_text(doc: pikepdf.Pdf, number: int) -> None:
    """Remove the text of a page's running header (the continuation column)."""
    page = doc.pages[number - 1]
    kept, depth = [], 0
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BMC" and str(operands[0]) == "/Artifact":
            depth += 1
        elif op == "EMC" and depth:
            depth -= 1
        elif depth and op in ("Tj", "TJ"):
            continue
        kept.append((operands, operator))
    page.obj.Contents = pikepdf.Stream(doc, pikepdf.unparse_content_stream(kept))


@pytest.mark.libreoffice
def test_a_page_without_reference_and_date_fails(made: Made) -> None:
    """Page 1 shows the date in the Datum line and the reference in the sender column;
    pages 2 and 3 show both in the continuation column. Without it on page 3: refused."""
    pdf = edited_pdf(made.pdf.read_bytes(), lambda doc: _drop_artifact_text(doc, 3))
    reference, day = made.letter.reference, "9 april 2026"
    assert pdf_problems(pdf, made.spec()) == (
        3,
        [
            f"page 3 without 'Onze referentie {reference}'",
            f"page 3 without 'Datum {day}'",
        ],
    )
    other = replace(made.letter, reference="7999999")
    _, problems = pdf_problems(made.pdf.read_bytes(), Spec.of(other, made.definition))
    assert problems == ["pages 1, 2, 3 without 'Onze referentie 7999999'"]


@pytest.mark.libreoffice
def test_no_pdfa_identification_or_unembedded_font_fails(made: Made) -> None:
    def no_pdfa(doc: pikepdf.Pdf) -> None:
        with doc.open_metadata(set_pikepdf_as_editor=False) as meta:
            del meta["pdfaid:part"]
            del meta["pdfaid:conformance"]

    def unembedded(doc: pikepdf.Pdf) -> None:
        for font in doc.pages[0].Resources.Font.values():
            del font.FontDescriptor["/FontFile2"]

    original = made.pdf.read_bytes()
    _, problems = pdf_problems(edited_pdf(original, no_pdfa), made.spec())
    assert problems == ["not PDF/A-2b (found no PDF/A identification)"]
    _, problems = pdf_problems(edited_pdf(original, unembedded), made.spec())
    assert len(problems) == 1 and problems[0].startswith("fonts not embedded: /")


@pytest.mark.libreoffice
def test_text_that_cannot_be_read_fails(made: Made) -> None:
    def no_unicode(doc: pikepdf.Pdf) -> None:
        for page in doc.pages:
            for font in page.Resources.Font.values():
                if "/ToUnicode" in font:
                    del font["/ToUnicode"]

    _, problems = pdf_problems(edited_pdf(made.pdf.read_bytes(), no_unicode), made.spec())
    assert problems[0].startswith("the text of the PDF cannot be read (no Unicode map for /")
    assert any(p.startswith("mandatory text 'inschaling'") for p in problems)


# --- files in the batch folder ------------------------------------------------------------


@pytest.mark.libreoffice
def test_a_changed_or_missing_file_fails(made: Made, tmp_path: Path) -> None:
    folder = copy_batch(made, tmp_path)
    pdf = folder / made.pdf.name
    pdf.write_bytes(edited_pdf(pdf.read_bytes(), lambda doc: None))
    (result,) = check_letters(folder, [made.letter], made.definition).letters
    assert result.problems == (
        "the PDF differs from the one the batch recorded (run the batch again)",
    )
    (folder / made.docx.name).unlink()
    (result,) = check_letters(folder, [made.letter], made.definition).letters
    assert result.problems == (f"no single Word file for {made.letter.reference} (found 0)",)


@pytest.mark.libreoffice
def test_check_batch_command(made: Made, cli: Callable[..., Result]) -> None:
    """`ibtpost check --batch` runs the same checks without queueing: exit 0, then exit 1
    with the letter and its reason once the PDF no longer matches."""
    result = cli(made.root, "check", "--batch", made.folder.name)
    assert result.code == 0, result.out + result.err
    assert "1 letter(s) checked" in result.out and "1 passed, 0 failed" in result.out
    saved = made.pdf.read_bytes()
    try:
        made.pdf.write_bytes(edited_pdf(saved, lambda doc: _drop_artifact_text(doc, 2)))
        result = cli(made.root, "check", "--batch", made.folder.name)
    finally:
        made.pdf.write_bytes(saved)
    assert result.code == 1
    assert (
        f"failed: {made.pdf.name}: the PDF differs from the one the batch recorded (run the "
        f"batch again); page 2 without 'Onze referentie {made.letter.reference}'; page 2 "
        "without 'Datum 9 april 2026'" in result.out
    )
    with Register.for_root(made.root) as register:
        assert register.db.execute("SELECT COUNT(*) FROM dispatch").fetchone()[0] == 0
