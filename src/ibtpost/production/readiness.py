"""What a final voornemen or besluit needs of its case before it is made (legal review
2026-12, §3 and §4 point 1): a besluit answers the college's zienswijze (the reply written
with ``ibtpost motivering``), the letter of trede 6 states the facts after the besluit's
term, and a voornemen or besluit rests on current figures (their peildatum at most
``settings.max_figures_age_days`` before the letter's date).

A concept may be made without them: it shows the gap (``[IN TE VULLEN: ...]``) and the
batch warns. Pure: the previous letter carries its reply and motivering."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ibtpost.core import dutch
from ibtpost.core.domain import Config, CorrectedLetter, Municipality, PreviousLetter
from ibtpost.core.errors import IbtpostError, Location, NextAction, Phrase, UsageError
from ibtpost.text.nodes import LetterDefinition


@dataclass(frozen=True)
class Readiness:
    """The problems that refuse a final letter, and the same as warnings for a concept."""

    problems: list[IbtpostError] = field(default_factory=list)
    warnings: list[Phrase] = field(default_factory=list)


def needs_current_figures(definition: LetterDefinition) -> bool:
    """A voornemen (it asks for a zienswijze) or a besluit rests on dated figures."""
    return definition.besluit or bool(definition.zienswijze_weeks)


def readiness(
    config: Config,
    definition: LetterDefinition,
    municipality: Municipality,
    previous: PreviousLetter | None,
    day: date,
    concept: bool,
    corrects: CorrectedLetter | None = None,
) -> Readiness:
    """What keeps the letter of ``definition`` for ``municipality`` on ``day`` from being
    final: as problems (a final letter) or warnings (a concept)."""
    found: list[IbtpostError] = []
    named: dict[str, object] = {"name": municipality.name, "code": municipality.code}
    where = Location(None, None, "municipalities")
    figures = config.figures.get(municipality.code)
    limit = config.settings.max_figures_age_days
    if (
        figures is not None
        and needs_current_figures(definition)
        and (day - figures.peildatum).days > limit
    ):
        fresh = NextAction(
            "import-figures",
            {"file": "...", "peildatum": "...", "source": "..."},
            why="hint.fresh_figures",
        )
        found.append(
            UsageError(
                location=where,
                hint=fresh,
                key="error.figures_too_old",
                values={
                    **named,
                    "peildatum": dutch.long_date(figures.peildatum),
                    "limit": limit,
                    "day": dutch.long_date(day),
                },
            )
        )
    written = previous.motivering if previous is not None else None
    for part, key in (
        ("herstel", "error.no_herstel_text"),
        ("intrekking", "error.no_intrekking_text"),
    ):
        if (
            corrects is not None
            and definition.kind == part
            and not getattr(corrects.motivering, part)
        ):
            found.append(_unwritten_on(corrects.letter, corrects.reference, named, key, part))
    if (
        definition.on_ladder
        and previous is not None
        and definition.besluit
        and previous.reply is not None
        and previous.reply.kind == "zienswijze"
        and not (written and written.zienswijze)
    ):
        found.append(_unwritten(previous, named, "error.no_zienswijze_reply", "zienswijze"))
    if (
        definition.on_ladder
        and previous is not None
        and definition.trede > previous.trede
        and previous.trede == 5
        and not (written and written.feiten)
    ):
        found.append(_unwritten(previous, named, "error.no_facts", "feiten"))
    if concept:
        warnings = [Phrase("warning.concept", {"problem": Phrase(p.key, p.values)}) for p in found]
        return Readiness([], warnings)
    return Readiness(found)


def _unwritten(
    previous: PreviousLetter, named: dict[str, object], key: str, part: str
) -> UsageError:
    return _unwritten_on(previous.letter, previous.reference, named, key, part)


def _unwritten_on(
    letter: str, reference: str, named: dict[str, object], key: str, part: str
) -> UsageError:
    """The text a person writes on the letter ``reference`` is missing (``key``)."""
    write = NextAction(
        "motivering",
        {"reference": reference, "file": "...", "part": part},
        why="hint.motivering",
    )
    return UsageError(
        location=Location(None, None, "municipalities"),
        hint=write,
        key=key,
        values={**named, "letter": letter, "reference": reference},
    )
