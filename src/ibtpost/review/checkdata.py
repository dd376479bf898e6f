"""What the letters need of the data, per municipality, and every branch of their text
composed once: the part of ``ibtpost check`` that looks at letters and data together.

Composing every letter for every municipality (342 x 6, twice) took about 8 seconds. It is
not needed: what one municipality's data can lack is known from the names a definition
uses (a figures row and the configured address for every letter; the name of the province's
Commissaris van de Koning where ``province.cdk_name`` is printed), and is looked up per
municipality directly. Composing then finds misspelt names, an unguarded ``previous`` and
missing mandatory text: once per branch (with and without a previous letter, with and
without agreements) for one municipality, and for every municipality only when a
definition's conditions depend on a municipality's data (``when: figures.task_amv > 0``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from ibtpost.core.domain import (
    Agreement,
    Config,
    CorrectedLetter,
    Motivering,
    Municipality,
    PreviousLetter,
    Publication,
    Reply,
)
from ibtpost.core.errors import DataError, DefinitionError, IbtpostError, Location
from ibtpost.text.compose import PLACEHOLDER_REFERENCE, compose
from ibtpost.text.composed import LetterContext
from ibtpost.text.nodes import LetterDefinition
from ibtpost.text.scan import definition_texts
from ibtpost.text.textengine import normalise, used_paths

CHECK_DATE = date(2026, 1, 1)
#: A stand-in previous letter, so that text under ``{% if previous %}`` is checked too.
SAMPLE_PREVIOUS = PreviousLetter(
    "trede-1", 1, PLACEHOLDER_REFERENCE, date(2025, 12, 1), date(2025, 12, 22)
)
#: The same previous letter, answered and its kennisgeving published: texts that use
#: ``reply`` or ``publication`` are composed both ways.
SAMPLE_ANSWERED = replace(
    SAMPLE_PREVIOUS,
    reply=Reply("reply", date(2025, 12, 15)),
    publication=Publication("2025-12345", date(2025, 12, 3), "https://example.org/stcrt"),
    copies_out=(("gs", date(2025, 12, 2)), ("raad", date(2025, 12, 2))),
)
#: The same previous letter with a zienswijze and a motivering written on it (both parts):
#: texts that use ``motivering`` are composed with it too.
SAMPLE_WRITTEN = replace(
    SAMPLE_ANSWERED,
    reply=Reply("zienswijze", date(2025, 12, 15)),
    motivering=Motivering(("voorbeeldalinea", "tweede alinea"), ("voorbeeldfeit",)),
)
#: Stand-in agreements (one with a follow-up, one without), so that every branch of the
#: item text of a ``foreach: agreements`` list is checked.
SAMPLE_AGREEMENTS = (
    Agreement(
        "voorbeeldactie",
        date(2026, 2, 1),
        "voorbeeld van vervolg",
        agreed_on=date(2026, 1, 15),
        agreed_with="de wethouder",
    ),
    Agreement(
        "tweede voorbeeldactie",
        date(2026, 3, 1),
        agreed_on=date(2026, 1, 15),
        agreed_with="de wethouder",
    ),
)
#: Stand-in letters a herstel or an intrekking names (``--corrects``): a letter, and a
#: besluit with a kennisgeving with the text of the herstel and of the intrekking written,
#: so that both branches of their texts are checked.
SAMPLE_CORRECTED = CorrectedLetter(
    PLACEHOLDER_REFERENCE,
    "trede-2",
    2,
    date(2025, 12, 1),
    "Voorbeeldonderwerp",
    besluit=False,
    kennisgeving=False,
    sent_on=date(2025, 12, 1),
)
SAMPLE_CORRECTED_BESLUIT = replace(
    SAMPLE_CORRECTED,
    letter="trede-5",
    trede=5,
    besluit=True,
    kennisgeving=True,
    motivering=Motivering(herstel=("voorbeeldherstel",), intrekking=("voorbeeldreden",)),
)
#: Names whose values differ per municipality.
DATA_NAMES = frozenset({"municipality", "figures", "province"})


@dataclass(frozen=True)
class Needs:
    """The names a definition uses (with where first) and whether its conditions depend
    on a municipality's data."""

    uses: dict[str, Location]
    data_conditions: bool


def needs_of(definition: LetterDefinition) -> Needs:
    """What a definition's texts use."""
    uses: dict[str, Location] = {}
    deciding: set[str] = set()
    for text, expression in definition_texts(definition):
        used, decides = used_paths(text.source, expression)
        for path in sorted(used):
            uses.setdefault(path, text.location)
        deciding |= decides
    return Needs(uses, any(path.split(".")[0] in DATA_NAMES for path in deciding))


def data_problems(config: Config, definitions: list[LetterDefinition]) -> list[IbtpostError]:
    """Per municipality, the data a letter needs and the municipality lacks."""
    problems: list[IbtpostError] = []
    if not definitions:
        return problems
    letters = ", ".join(d.id for d in definitions)
    kind = config.settings.address_kind
    kind_text = "visiting" if kind == "visit" else "postal"
    cdk_users = [
        f"{d.id} ({where})"
        for d in definitions
        if (where := needs_of(d).uses.get("province.cdk_name")) is not None
    ]
    for mun in config.municipalities.values():
        here = (mun.location.file, mun.location.line)
        if mun.code not in config.figures:
            problems.append(
                DataError(
                    f"no figures for {mun.code} {mun.name} in config/figures.csv; every letter "
                    f"({letters}) needs them",
                    Location(*here, "code"),
                    hint="add a row for it, or import the figures",
                )
            )
        if mun.address(kind) is None:
            problems.append(
                DataError(
                    f"{mun.name} ({mun.code}) has no {kind_text} address, which every letter "
                    f"prints (config/settings.yaml: address: {kind})",
                    Location(*here, f"{kind}_street"),
                )
            )
        province = config.provinces.get(mun.province)
        if cdk_users and province is not None and province.cdk_name is None:
            problems.append(
                DataError(
                    f"{mun.name} ({mun.code}): the name of the Commissaris van de Koning of "
                    f"{province.name} is unknown, and {', '.join(cdk_users)} print it",
                    Location(province.location.file, province.location.line, "cdk_name"),
                )
            )
    return problems


def wording(letter: LetterContext) -> str:
    """All text of a composed letter, normalised for finding mandatory phrases."""
    return normalise(letter.text)


@dataclass(frozen=True)
class Branch:
    """One branch of a definition's text composed for one municipality."""

    municipality: Municipality
    previous: PreviousLetter | None
    agreements: tuple[Agreement, ...] | None
    #: the composed letter, or the error composing it gave
    outcome: LetterContext | IbtpostError

    @property
    def variant(self) -> str:
        """ "without a previous letter", "with a previous letter that was answered and with
        agreements", ..."""
        return _variant(self.previous, self.agreements)


def branches(
    config: Config, definition: LetterDefinition, everyone: bool = False
) -> Iterator[Branch]:
    """Every branch of ``definition`` composed: with and without a previous letter (answered,
    with a motivering) and agreements where the text uses them, for one municipality with
    complete data, or for each when its conditions depend on a municipality's data (or
    ``everyone``)."""
    kind = config.settings.address_kind
    complete = [
        m
        for m in config.municipalities.values()
        if m.code in config.figures and m.address(kind) is not None
    ]
    if not complete:
        return  # data_problems names what is missing
    needs = needs_of(definition)
    who = complete if needs.data_conditions or everyone else complete[:1]
    previous = (
        (None, SAMPLE_PREVIOUS, SAMPLE_ANSWERED, SAMPLE_WRITTEN)
        if {"previous", "reply", "publication", "motivering"} & set(needs.uses)
        else (None,)
    )
    agreements = ((), SAMPLE_AGREEMENTS) if "agreements" in needs.uses else (None,)
    corrected = (
        (SAMPLE_CORRECTED, SAMPLE_CORRECTED_BESLUIT)
        if definition.corrects_a_letter or "corrects" in needs.uses
        else (None,)
    )
    for mun, before, agreed, fixes in itertools.product(who, previous, agreements, corrected):
        cfg = config if agreed is None else replace(config, agreements={mun.code: agreed})
        try:
            letter = compose(
                definition,
                mun,
                cfg,
                PLACEHOLDER_REFERENCE,
                CHECK_DATE,
                previous=before,
                corrects=fixes,
            )
        except IbtpostError as exc:
            yield Branch(mun, before, agreed, exc)
            continue
        yield Branch(mun, before, agreed, letter)


class Compositions:
    """The branches of each definition, composed once for all checks of one run."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._composed: dict[int, tuple[LetterDefinition, list[Branch]]] = {}

    def of(self, definition: LetterDefinition) -> list[Branch]:
        """Every branch of ``definition`` (see :func:`branches`)."""
        key = id(definition)  # definitions are not hashable; each is kept alive below
        if key not in self._composed:
            self._composed[key] = (definition, list(branches(self.config, definition)))
        return self._composed[key][1]


def compose_problems(
    config: Config,
    definitions: list[LetterDefinition],
    compositions: Compositions | None = None,
) -> list[IbtpostError]:
    """Compose each definition in every branch; report errors and missing mandatory text."""
    composed = compositions or Compositions(config)
    problems: list[IbtpostError] = []
    seen: set[tuple[str, str, str]] = set()
    notices = [d.kennisgeving for d in definitions if d.kennisgeving is not None]
    for definition in [*definitions, *notices]:  # a kennisgeving is composed like a letter
        data_conditions = needs_of(definition).data_conditions
        for branch in composed.of(definition):
            if isinstance(branch.outcome, IbtpostError):
                problems.append(branch.outcome)
                continue
            text = wording(branch.outcome)
            for required in definition.required:
                if required.text in text:
                    continue
                if (definition.id, required.name, branch.variant) in seen:
                    continue
                seen.add((definition.id, required.name, branch.variant))
                mun = branch.municipality
                example = f" (e.g. for {mun.name}, {mun.code})" if data_conditions else ""
                problems.append(
                    DefinitionError(
                        f"mandatory text {required.name!r} is missing from the letter "
                        f"{branch.variant}{example}: it must not stand under a condition",
                        required.location,
                    )
                )
    return problems


def _variant(previous: PreviousLetter | None, agreements: tuple[Agreement, ...] | None) -> str:
    parts = [
        "without a previous letter"
        if previous is None
        else "with a previous letter" + (" that was answered" if previous.reply else "")
    ]
    if agreements is not None:
        parts.append("with agreements" if agreements else "without agreements")
    return " and ".join(parts)
