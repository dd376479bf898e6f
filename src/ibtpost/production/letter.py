"""One letter end to end: load, validate, compose, render, convert, finish, store.

Everything is validated and rendered once before a reference is allocated or a file is
written, so bad input leaves no trace.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ibtpost.approval import versions
from ibtpost.data.config import find_municipality, load_config
from ibtpost.documents.convert import ConverterPool
from ibtpost.documents.pdf.finish import PdfFacts, finish_letter_pdf
from ibtpost.documents.render import render_docx
from ibtpost.errors import Location, RenderError, TemplateError
from ibtpost.files import slug, write_atomic
from ibtpost.models import Config, LetterContext, LetterDefinition, PreviousLetter
from ibtpost.register import REGISTER_NAME, LetterKey, Register, validate_reference
from ibtpost.text import ladder
from ibtpost.text.compose import PLACEHOLDER_REFERENCE, compose
from ibtpost.text.definitions import load_letter


@dataclass(frozen=True)
class Assets:
    """The template files a letter is rendered with, read once."""

    template: bytes
    signature: bytes
    logo: bytes | None
    template_label: str

    @classmethod
    def load(cls, config: Config, definition: LetterDefinition) -> Assets:
        """Read the Word template, signature and logo named by config and definition."""
        root = config.root
        label = f"templates/{definition.template}"
        path = root / "templates" / definition.template
        if not path.is_file():
            raise TemplateError(
                "Word template not found",
                Location(label),
                hint=f"{definition.path.name} names it under 'template'",
            )
        signature = root / "templates" / config.sender.signatory.image
        logo = config.settings.logo
        return cls(
            template=path.read_bytes(),
            signature=signature.read_bytes(),
            logo=logo.read_bytes() if logo else None,
            template_label=label,
        )


@dataclass(frozen=True)
class LetterFiles:
    """A produced letter."""

    reference: str
    docx: Path
    pdf: Path
    facts: PdfFacts
    letter: LetterContext


def render_letter(letter: LetterContext, assets: Assets) -> bytes:
    """Render with the loaded assets."""
    return render_docx(
        letter, assets.template, assets.signature, assets.logo, assets.template_label
    )


def produce_letter(
    root: Path,
    letter_id: str,
    municipality_query: str,
    day: date,
    reference: str | None = None,
    out: Path | None = None,
    concept: bool = False,
) -> LetterFiles:
    """Produce one letter as .docx and PDF/A in ``out`` (default outbox/letters/).

    A draft definition always gives a CONCEPT letter. A final letter is refused unless
    the definition and templates are exactly their approved version (versions.py). The
    previous letter on the municipality's ladder (for texts that refer to it) comes from
    the register.
    """
    config = load_config(root)
    definition = load_letter(root, letter_id)
    municipality = find_municipality(config, municipality_query)
    explicit = validate_reference(reference) if reference is not None else None
    assets = Assets.load(config, definition)
    concept = concept or definition.status == "draft"
    previous = previous_letter(root, municipality.code)

    def make(ref: str) -> LetterContext:
        return compose(
            definition, municipality, config, ref, day, concept=concept, previous=previous
        )

    # Validate by rendering once with a stand-in reference before anything is recorded.
    render_letter(make(PLACEHOLDER_REFERENCE), assets)
    working = versions.working_copy(root, definition.id)
    if not concept:
        versions.require_approved(root, definition.id, working)  # a final letter: approved text

    key = LetterKey(definition.id, municipality.code, day)
    with Register.for_root(root) as register:
        versions.record_version(register, root, definition.id, working)
        ref = register.reference_for(key, config.settings.references, explicit)
    letter = make(ref)
    docx = render_letter(letter, assets)
    target = out if out is not None else root / "outbox" / "letters"
    stem = f"{ref}-{slug(municipality.name)}"
    with tempfile.TemporaryDirectory(prefix="ibtpost-") as tmp:
        work = Path(tmp)
        (work / f"{stem}.docx").write_bytes(docx)
        settings = config.settings
        with ConverterPool(
            1, settings.soffice, settings.converter_python, settings.convert_timeout
        ) as pool:
            pool.convert(work / f"{stem}.docx", work / f"{stem}.pdf")
        pdf, facts = finish_letter_pdf((work / f"{stem}.pdf").read_bytes(), letter, f"{stem}.pdf")
    check_pages(facts.pages, definition, stem)
    write_atomic(target / f"{stem}.docx", docx)
    write_atomic(target / f"{stem}.pdf", pdf)
    return LetterFiles(ref, target / f"{stem}.docx", target / f"{stem}.pdf", facts, letter)


def previous_letter(root: Path, code: str) -> PreviousLetter | None:
    """The last letter sent in the municipality's open supervision case, if any."""
    if not (root / "outbox" / REGISTER_NAME).is_file():
        return None  # nothing sent yet (and reading must not create the register)
    with Register.for_root(root) as register:
        case = register.open_cases().get(code)
        if case is None:
            return None
        return ladder.previous_letter(register.case_letters(case.id))


def check_pages(pages: int, definition: LetterDefinition, name: str) -> None:
    """Refuse a letter whose page count is outside the definition's bounds."""
    if not definition.min_pages <= pages <= definition.max_pages:
        raise RenderError(
            f"{name}: {pages} pages, outside {definition.min_pages}-{definition.max_pages}",
            Location(f"letters/{definition.path.name}", None, "pages"),
            hint="shorten or lengthen the text, or change the bounds under 'pages'",
        )
