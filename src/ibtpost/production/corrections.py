"""The sent letter a herstel corrects or an intrekking withdraws (``--corrects REF``).

A herstel corrects a letter that went out (an erratum, or a herstelbesluit of a besluit); an
intrekking withdraws a besluit tot indeplaatsstelling (art. 124d Gemeentewet). The letter
named must be in the register, final, sent, and addressed to the municipality the new
letter is for; an intrekking names a besluit of the ladder. What the new letter says of it
comes from here (:class:`~ibtpost.core.domain.CorrectedLetter`: its reference, date, trede,
subject as composed, whether it was a besluit and had a kennisgeving, and what a person
wrote on it with ``ibtpost motivering``).
"""

from __future__ import annotations

from pathlib import Path

from ibtpost.core.domain import Config, CorrectedLetter, Motivering, Municipality
from ibtpost.core.errors import IbtpostError, Location, NextAction, Param, UsageError
from ibtpost.core.layout import Layout
from ibtpost.register import LetterRecord, Register
from ibtpost.register import letters as letter_register
from ibtpost.register import motivering as motivering_register
from ibtpost.text.compose import compose
from ibtpost.text.definitions import load_letter
from ibtpost.text.nodes import LetterDefinition

_WHERE = Location(None, None, "corrects")


def corrected_letter(
    config: Config, register: Register | None, definition: LetterDefinition, reference: str | None
) -> tuple[LetterRecord, CorrectedLetter] | None:
    """The letter ``definition`` corrects or withdraws, checked; None for a letter that
    corrects none. UsageError naming ``corrects`` when it is missing, not wanted, unknown,
    a concept, never sent, a correction itself, or (for an intrekking) not a besluit."""
    if not definition.corrects_a_letter:
        if reference is not None:
            raise UsageError(
                location=_WHERE,
                key="error.corrects_not_wanted",
                values={"letter": definition.id, "corrects": Param("corrects")},
            )
        return None
    if reference is None:
        raise UsageError(
            location=_WHERE,
            key="error.corrects_needed",
            values={"letter": definition.id, "corrects": Param("corrects", "...")},
        )
    if register is None:  # no register: no letter of that reference
        raise UsageError(
            location=_WHERE, key="error.unknown_reference", values={"reference": reference}
        )
    try:
        record = letter_register.final_letter(register, reference)
    except UsageError as exc:  # the same words, naming --corrects
        raise UsageError(location=_WHERE, key=exc.key, values=exc.values) from None
    sent_on = record.sent_on
    if sent_on is None:
        raise UsageError(
            location=_WHERE,
            hint=NextAction(
                "withdraw",
                {"batch": record.batch or "...", "reference": reference, "reason": "..."},
            ),
            key="error.corrects_not_sent",
            values={"reference": reference},
        )
    if not record.on_ladder and record.corrects is not None:
        raise UsageError(
            location=_WHERE,
            key="error.corrects_a_correction",
            values={"reference": reference, "letter": record.letter, "original": record.corrects},
        )
    original = _definition_of(config, record)
    besluit = original is not None and original.besluit and record.on_ladder
    if definition.kind == "intrekking" and not besluit:
        raise UsageError(
            location=_WHERE,
            key="error.corrects_not_besluit",
            values={"reference": reference, "letter": record.letter},
        )
    versions = motivering_register.versions(register, reference)  # by part, oldest first
    written = Motivering.of({v.part: v.text for v in versions})  # the latest of each part
    return record, CorrectedLetter(
        reference=record.reference,
        letter=record.letter,
        trede=record.trede,
        day=record.day,
        subject=_subject(config, original, record),
        besluit=besluit,
        kennisgeving=original is not None and original.kennisgeving is not None,
        sent_on=sent_on,
        motivering=written,
    )


def corrected_in(
    root: Path, config: Config, definition: LetterDefinition, reference: str | None
) -> tuple[LetterRecord, CorrectedLetter] | None:
    """:func:`corrected_letter` in the register of ``root``, opened only when there is a
    letter to look up (a register that does not exist yet holds none, and is not made)."""
    if reference is None and not definition.corrects_a_letter:
        return None
    if reference is not None and not Layout(root).register.is_file():
        raise UsageError(
            location=_WHERE, key="error.unknown_reference", values={"reference": reference}
        )
    if reference is None:
        return corrected_letter(config, None, definition, None)
    with Register.for_root(root) as register:
        return corrected_letter(config, register, definition, reference)


def same_municipality(record: LetterRecord, municipality: Municipality, config: Config) -> None:
    """UsageError when the letter corrected was addressed to another municipality."""
    if record.municipality == municipality.code:
        return
    owner = config.municipalities.get(record.municipality)
    raise UsageError(
        location=_WHERE,
        key="error.corrects_other_municipality",
        values={
            "reference": record.reference,
            "owner": owner.name if owner else record.municipality,
            "owner_code": record.municipality,
            "name": municipality.name,
            "code": municipality.code,
        },
    )


def _definition_of(config: Config, record: LetterRecord) -> LetterDefinition | None:
    """The definition the letter was made from, if it still loads."""
    try:
        return load_letter(config.root, record.letter)
    except IbtpostError:
        return None


def _subject(config: Config, original: LetterDefinition | None, record: LetterRecord) -> str:
    """The subject of the letter corrected, composed as it was; its definition's title when
    that is no longer possible."""
    municipality = config.municipalities.get(record.municipality)
    if original is None or municipality is None:
        return original.title if original is not None else record.letter
    try:
        return compose(original, municipality, config, record.reference, record.day).subject
    except IbtpostError:
        return original.title
