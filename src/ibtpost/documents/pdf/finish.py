"""PDF finishing and checks: metadata and conformance checks with pikepdf."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf

from ibtpost.core.errors import ConvertError
from ibtpost.documents.pdf.accessible import make_accessible
from ibtpost.text.composed import LetterContext


def info_entries(letter: LetterContext) -> dict[str, str]:
    """The document information entries of a letter's PDF.

    Title, subject and keywords are the values the Word file carries, so they match the XMP
    metadata LibreOffice wrote, as PDF/A requires; the Ibt* keys identify the letter.
    """
    return {
        "/Title": letter.document_title,
        "/Subject": letter.document_subject,
        "/Author": letter.sender.organisation,
        "/Keywords": letter.reference,
        "/IbtReference": letter.reference,
        "/IbtLetter": letter.definition_id,
        "/IbtMunicipality": letter.municipality.code,
        "/IbtDate": letter.date.isoformat(),
    }


def finish_letter_pdf(
    pdf: bytes, letter: LetterContext, name: str = "letter.pdf", check: bool = True
) -> tuple[bytes, PdfFacts]:
    """Finish LibreOffice's PDF of a letter in one pass with pikepdf (about 4 ms a letter):
    with ``check``, verify conformance (see :func:`verify_letter_pdf`); make it PDF/UA-1 as
    well as PDF/A-2b (:mod:`ibtpost.documents.pdf.accessible`); set the document
    information."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        facts = _facts(doc)
        if check:
            _verify(facts, name)
        make_accessible(doc)
        for key, value in info_entries(letter).items():
            doc.docinfo[key] = value
        out = io.BytesIO()
        doc.save(out, deterministic_id=True)
    return out.getvalue(), facts


@dataclass(frozen=True)
class PdfFacts:
    """What the checks found in a PDF."""

    pages: int
    pdfa: str  # e.g. "2B", "" when not PDF/A
    tagged: bool
    fonts: tuple[str, ...]  # base font names
    unembedded: tuple[str, ...]


def inspect_pdf(pdf: bytes) -> PdfFacts:
    """Read the conformance facts of a PDF."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return _facts(doc)


def document_facts(doc: pikepdf.Pdf) -> PdfFacts:
    """The conformance facts of an open PDF."""
    return _facts(doc)


def _facts(doc: pikepdf.Pdf) -> PdfFacts:
    pdfa = doc.open_metadata().pdfa_status or ""
    mark = doc.Root.get("/MarkInfo")
    tagged = bool(mark is not None and mark.get("/Marked", False)) and "/StructTreeRoot" in doc.Root
    fonts: dict[str, bool] = {}
    for page in doc.pages:
        resources = page.obj.get("/Resources")
        font_dict = resources.get("/Font") if resources is not None else None
        if font_dict is None:
            continue
        for _, font in font_dict.items():
            fonts[str(font.get("/BaseFont", "?"))] = _embedded(font)
    return PdfFacts(
        pages=len(doc.pages),
        pdfa=pdfa,
        tagged=tagged,
        fonts=tuple(sorted(fonts)),
        unembedded=tuple(sorted(name for name, ok in fonts.items() if not ok)),
    )


def _embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts")
        if descendants is None:
            return False
        return all(_embedded(d) for d in descendants)
    if font.get("/Subtype") == "/Type3":
        return True
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def verify_letter_pdf(pdf: bytes, name: str) -> PdfFacts:
    """Raise ConvertError unless ``pdf`` is tagged PDF/A-2b with every font embedded."""
    facts = inspect_pdf(pdf)
    _verify(facts, name)
    return facts


def conformance_problems(facts: PdfFacts) -> list[str]:
    """What keeps a letter's PDF from being tagged PDF/A-2b with every font embedded."""
    problems = []
    if facts.pdfa != "2B":
        problems.append(f"not PDF/A-2b (found {facts.pdfa or 'no PDF/A identification'})")
    if not facts.tagged:
        problems.append("not a tagged PDF")
    if facts.unembedded:
        problems.append(f"fonts not embedded: {', '.join(facts.unembedded)}")
    return problems


def _verify(facts: PdfFacts, name: str) -> None:
    problems = conformance_problems(facts)
    if problems:
        raise ConvertError(f"{name}: {problems[0]}")
