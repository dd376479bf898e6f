"""PDF finishing and checks: metadata with pypdf, conformance checks with pikepdf."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pypdf import PdfReader, PdfWriter

from ibtpost.errors import ConvertError
from ibtpost.models import LetterContext


def set_metadata(pdf: bytes, letter: LetterContext) -> bytes:
    """Set title, subject, keywords and ibtpost's own keys in the document information.

    Title, subject and keywords are the same values the Word file carries, so they match
    the XMP metadata LibreOffice wrote, as PDF/A requires.
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_metadata(
        {
            "/Title": letter.document_title,
            "/Subject": letter.document_subject,
            "/Author": letter.sender.organisation,
            "/Keywords": letter.reference,
            "/IbtReference": letter.reference,
            "/IbtLetter": letter.definition_id,
            "/IbtMunicipality": letter.municipality.code,
            "/IbtDate": letter.date.isoformat(),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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
        pdfa = doc.open_metadata().pdfa_status or ""
        mark = doc.Root.get("/MarkInfo")
        tagged = (
            bool(mark is not None and mark.get("/Marked", False)) and "/StructTreeRoot" in doc.Root
        )
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
    if facts.pdfa != "2B":
        raise ConvertError(
            f"{name}: not PDF/A-2b (found {facts.pdfa or 'no PDF/A identification'})"
        )
    if not facts.tagged:
        raise ConvertError(f"{name}: not a tagged PDF")
    if facts.unembedded:
        raise ConvertError(f"{name}: fonts not embedded: {', '.join(facts.unembedded)}")
    return facts
