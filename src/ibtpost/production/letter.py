"""One letter end to end: load, validate, compose, render, convert, finish, store.

Everything is validated and rendered once before a reference is allocated or a file is
written, so bad input leaves no trace; then the production engine converts the letter into
its folder (:class:`LetterFolder`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ibtpost.approval import gate, versions
from ibtpost.core.errors import Problems
from ibtpost.core.files import slug, write_atomic
from ibtpost.core.layout import Layout
from ibtpost.data.config import load_config
from ibtpost.data.municipalities import find_municipality
from ibtpost.documents.pdf.finish import PdfFacts
from ibtpost.documents.pdf.seal import Sealer
from ibtpost.documents.render import Assets, render_letter
from ibtpost.production.corrections import corrected_in, same_municipality
from ibtpost.production.engine import (
    Converters,
    Job,
    docx_in,
    finish_letter,
    open_sealer,
    produce,
)
from ibtpost.production.readiness import readiness
from ibtpost.production.supervision import previous_letters
from ibtpost.register import LetterKey, Register, validate_reference
from ibtpost.register import letters as letter_register
from ibtpost.register import references as reference_register
from ibtpost.text.compose import PLACEHOLDER_REFERENCE, bind_reference, compose
from ibtpost.text.composed import LetterContext
from ibtpost.text.definitions import load_letter
from ibtpost.text.nodes import LetterDefinition


@dataclass(frozen=True)
class LetterFiles:
    """A produced letter."""

    reference: str
    docx: Path
    pdf: Path
    facts: PdfFacts
    letter: LetterContext


def produce_letter(
    root: Path,
    letter_id: str,
    municipality_query: str,
    day: date,
    reference: str | None = None,
    out: Path | None = None,
    concept: bool = False,
    corrects: str | None = None,
) -> LetterFiles:
    """Produce one letter as .docx and PDF/A in ``out`` (default outbox/letters/).

    A draft definition always gives a CONCEPT letter. A final letter is refused unless
    the definition and templates are exactly their approved version. The previous letter
    on the municipality's ladder (for texts that refer to it) comes from the register;
    ``corrects`` names the sent letter a herstel corrects or an intrekking withdraws (it
    must be addressed to the same municipality).
    """
    config = load_config(root)
    definition = load_letter(root, letter_id)
    municipality = find_municipality(config, municipality_query)
    explicit = validate_reference(reference) if reference is not None else None
    assets = Assets.load(config, definition)
    concept = concept or definition.status == "draft"
    previous = previous_letters(root).get(municipality.code)
    found = corrected_in(root, config, definition, corrects)
    if found is not None:
        same_municipality(found[0], municipality, config)
    fixes = found[1] if found is not None else None

    def make(ref: str) -> LetterContext:
        return compose(
            definition,
            municipality,
            config,
            ref,
            day,
            concept=concept,
            previous=previous,
            corrects=fixes,
        )

    # Validate by composing and rendering once before anything is recorded.
    draft = make(explicit or PLACEHOLDER_REFERENCE)
    render_letter(draft, assets)
    working = versions.working_copy(root, definition.id)
    if not concept:
        gate.require_approved(root, definition.id, working)  # a final letter: approved text
        gate.require_verified(config, definition)
        ready = readiness(config, definition, municipality, previous, day, concept, fixes)
        if ready.problems:
            raise Problems(ready.problems)

    key = LetterKey(definition.id, municipality.code, day)
    with open_sealer(config, concept) as sealer:  # checked before anything is recorded
        with Register.for_root(root) as register:
            versions.record_version(register, root, definition.id, working)
            ref = reference_register.reference_for(
                register, key, config.settings.references, explicit
            )
            if not definition.on_ladder:
                letter_register.mark_kind(register, ref, definition.kind, corrects)
        letter = draft if ref == draft.reference else bind_reference(draft, ref, definition, make)
        job = Job(f"{ref}-{slug(municipality.name)}", letter, render_letter(letter, assets))
        target = out if out is not None else Layout(root).single_letters
        sink = LetterFolder(target, definition, sealer)
        with Converters(config, 1) as converters:
            produced = produce([job], converters, sink, total=1)
        (facts,) = produced.results
    return LetterFiles(ref, target / f"{job.name}.docx", target / f"{job.name}.pdf", facts, letter)


class LetterFolder:
    """The sink of a single letter: its .docx and PDF written side by side into a folder."""

    def __init__(
        self, folder: Path, definition: LetterDefinition, sealer: Sealer | None = None
    ) -> None:
        self.folder = folder
        self.definition = definition
        self.sealer = sealer

    def existing(self, job: Job) -> PdfFacts | None:
        """A single letter is always made."""
        return None

    def source(self, job: Job, work: Path) -> Path:
        """The .docx in the work folder (the letter's folder gets both files at the end)."""
        return docx_in(work, job)

    def finished(self, job: Job, pdf: bytes) -> PdfFacts:
        """Finish (and, a final letter with signing configured, seal) the PDF and write
        both files."""
        data, facts = finish_letter(job, pdf, self.definition)
        if self.sealer is not None:
            data = self.sealer.seal(data)
        write_atomic(self.folder / f"{job.name}.docx", job.docx)
        write_atomic(self.folder / f"{job.name}.pdf", data)
        return facts

    def record(self, job: Job, result: PdfFacts) -> None:
        """Nothing is recorded of a single letter."""
