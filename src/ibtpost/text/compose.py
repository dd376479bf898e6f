"""Compose a :class:`~ibtpost.text.composed.LetterContext`: pure, no I/O.

The date (dagtekening) and the reference are arguments, so the same inputs always give the
same letter. All letter text is rendered here; render only lays it out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ibtpost.core import dutch
from ibtpost.core.domain import (
    Config,
    CorrectedLetter,
    Figures,
    Motivering,
    Municipality,
    PreviousLetter,
    ReactionTerm,
    Signatory,
)
from ibtpost.core.errors import DataError, DefinitionError, Location, Phrase
from ibtpost.rules.terms import term_deadline
from ibtpost.text.composed import (
    LetterContext,
    RBlock,
    RPageBreak,
    RParagraph,
    RTable,
    Run,
)
from ibtpost.text.nodes import Bullets, Heading, LetterDefinition, PageBreak, Paragraph, Table, Text
from ibtpost.text.textengine import ITEM_NAME, evaluate, is_true, parse_markup, render_text

SAMPLE_MARK = "VOORBEELD"
CONCEPT_MARK = "CONCEPT"
#: The reference used when a letter is composed only to validate it.
PLACEHOLDER_REFERENCE = "0000000"


def term(weeks: int | None, day: date, roll: bool) -> dict[str, Any]:
    """A term in the letter text: ``weeks``, ``text`` ("drie weken") and ``deadline``."""
    if not weeks:
        return {"weeks": None, "text": "", "deadline": None}
    return {
        "weeks": weeks,
        "text": dutch.weeks_text(weeks),
        "deadline": term_deadline(day, weeks, roll),
    }


def _motivering(motivering: Motivering) -> dict[str, list[str] | None]:
    """A motivering's parts as the text sees them: paragraphs, or None when not written."""
    return {
        part: list(found) if (found := getattr(motivering, part)) else None
        for part in ("zienswijze", "feiten", "herstel", "intrekking")
    }


def text_context(
    definition: LetterDefinition,
    municipality: Municipality,
    figures: Figures,
    config: Config,
    reference: str,
    day: date,
    previous: PreviousLetter | None = None,
    corrects: CorrectedLetter | None = None,
) -> dict[str, Any]:
    """The names a letter text can use (see ``textengine.CONTEXT_NAMES``)."""
    province = config.provinces.get(municipality.province)
    roll = config.settings.roll_terms
    motivering = (previous.motivering if previous else None) or Motivering()
    return {
        "municipality": {
            "code": municipality.code,
            "name": municipality.name,
            "official_name": municipality.official_name,
            "province": municipality.province,
        },
        "figures": {k: v for k, v in asdict(figures).items() if k not in {"location"}}
        | {
            "shortfall": figures.shortfall,
            "shortfall_regular": figures.shortfall_regular,
            "shortfall_amv": figures.shortfall_amv,
        },
        "trede": definition.trede,
        "letter": definition.id,
        "date": day,
        "reference": reference,
        "reply_term": term(definition.reply_weeks, day, roll),
        "compliance_term": term(definition.compliance_weeks, day, roll),
        "zienswijze_term": term(definition.zienswijze_weeks, day, roll),
        "besluit_term": term(definition.besluit_weeks, day, roll),
        "previous": (
            {
                "letter": previous.letter,
                "trede": previous.trede,
                "reference": previous.reference,
                "date": previous.day,
                "deadline": previous.deadline,
                # the day each copy went out (None: not yet), e.g. previous.copies.gs
                "copies": {"raad": None, "gs": None} | dict(previous.copies_out),
            }
            if previous is not None
            else None
        ),
        "reply": (
            {"received": previous.reply.received, "kind": previous.reply.kind}
            if previous is not None and previous.reply is not None
            else None
        ),
        "motivering": _motivering(motivering),
        # the sent letter a herstel corrects or an intrekking withdraws (--corrects)
        "corrects": (
            {
                "reference": corrects.reference,
                "letter": corrects.letter,
                "trede": corrects.trede,
                "date": corrects.day,
                "subject": corrects.subject,
                "besluit": corrects.besluit,
                "kennisgeving": corrects.kennisgeving,
                "sent_on": corrects.sent_on,
                "motivering": _motivering(corrects.motivering),
            }
            if corrects is not None
            else None
        ),
        "publication": (
            {
                "staatscourant": previous.publication.staatscourant,
                "date": previous.publication.day,
                "url": previous.publication.url or "",
            }
            if previous is not None and previous.publication is not None
            else None
        ),
        "agreements": [
            {
                "action": a.action,
                "deadline": a.deadline,
                "follow_up": a.follow_up or "",
                "agreed_on": a.agreed_on,
                "agreed_with": a.agreed_with or "",
            }
            for a in config.agreements.get(municipality.code, ())
        ],
        "sender": {
            "organisation": config.sender.organisation,
            "department": config.sender.department,
            "mailbox": config.sender.mailbox,
        },
        "legal": {name: entry.shown for name, entry in config.legal.items()},
        "province": {
            "name": municipality.province,
            "cdk_name": province.cdk_name if province and province.cdk_name else "",
        },
    }


class _Composer:
    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx
        self.footnote_order: list[str] = []

    def plain(self, text: Text) -> str:
        """Rendered text with markup removed (for single-line fields and table cells)."""
        return "".join(
            span.text for span in parse_markup(render_text(text.source, self.ctx, text.location))
        )

    def runs(self, text: Text) -> tuple[Run, ...]:
        rendered = render_text(text.source, self.ctx, text.location)
        try:
            spans = parse_markup(rendered)
        except ValueError as exc:
            raise DefinitionError(str(exc), text.location) from None
        out = []
        for span in spans:
            if span.footnote is not None:
                self.footnote_order.append(span.footnote)
                out.append(Run("", footnote=len(self.footnote_order)))
            else:
                out.append(Run(span.text, span.bold, span.italic))
        return tuple(out)

    def each(
        self, foreach: Text, item: Text, style: Literal["bullet", "body"] = "bullet"
    ) -> list[RParagraph]:
        """One bullet (or paragraph, ``style`` body) per element of the list ``foreach``
        gives, with the element as item; none for an empty list or None."""
        elements = evaluate(foreach.source, self.ctx, foreach.location)
        if elements is None:
            return []
        if isinstance(elements, str | bytes | dict) or not hasattr(elements, "__iter__"):
            raise DefinitionError(f"foreach: {foreach.source} is not a list", foreach.location)
        outer = self.ctx
        bullets = []
        try:
            for element in elements:
                self.ctx = outer | {ITEM_NAME: element}
                bullets.append(RParagraph(style, self.runs(item)))
        finally:
            self.ctx = outer
        return bullets


def signatory_of(definition: LetterDefinition, config: Config) -> Signatory:
    """Who signs letters of ``definition``: the signatory it names under ``signatory:``
    (``signatories:`` of config/sender.yaml), else sender.yaml's ``signatory``."""
    signatory = config.sender.signer(definition.signatory)
    if signatory is None:
        known = ", ".join(sorted(config.sender.signatories)) or "none"
        raise DefinitionError(
            f"no signatory {definition.signatory!r} in config/sender.yaml (signatories: {known})",
            Location(f"letters/{definition.path.name}", definition.signatory_line, "signatory"),
        )
    return signatory


def compose(
    definition: LetterDefinition,
    municipality: Municipality,
    config: Config,
    reference: str,
    day: date,
    *,
    concept: bool = False,
    previous: PreviousLetter | None = None,
    body: bool = True,
    corrects: CorrectedLetter | None = None,
) -> LetterContext:
    """Everything one letter needs, with all text rendered.

    ``previous`` is the previous letter on this municipality's ladder (``previous`` in the
    text); ``concept`` marks every page CONCEPT. ``body=False`` leaves the body and the
    footnotes empty: the heading fields alone, for the e-mail that carries the letter.
    """
    figures = config.figures.get(municipality.code)
    if figures is None:
        raise DataError(
            location=Location("config/figures.csv", None, "code"),
            hint=Phrase("hint.add_figures"),
            key="error.no_figures_for",
            values={"code": municipality.code, "name": municipality.name},
        )
    signatory = signatory_of(definition, config)
    address = municipality.address(config.settings.address_kind)
    if address is None:
        raise DataError(
            key=f"error.no_{config.settings.address_kind}_address",
            values={"name": municipality.name},
            location=Location(
                municipality.location.file,
                municipality.location.line,
                f"{config.settings.address_kind}_street",
            ),
        )
    ctx = text_context(
        definition, municipality, figures, config, reference, day, previous, corrects
    )
    c = _Composer(ctx)
    blocks: list[RBlock] = []
    for block in definition.body if body else ():
        if block.when is not None and not is_true(block.when.source, ctx, block.when.location):
            continue
        if isinstance(block, Paragraph):
            blocks.append(RParagraph("body", c.runs(block.text)))
        elif isinstance(block, Heading):
            blocks.append(RParagraph("heading", c.runs(block.text)))
        elif isinstance(block, Bullets) and block.foreach is not None:
            blocks.extend(c.each(block.foreach, block.items[0], block.style))
        elif isinstance(block, Bullets):
            blocks.extend(RParagraph("bullet", c.runs(item)) for item in block.items)
        elif isinstance(block, Table):
            blocks.append(
                RTable(
                    tuple(c.plain(t) for t in block.header),
                    tuple(tuple(c.plain(t) for t in row) for row in block.rows),
                    block.widths_mm,
                )
            )
        elif isinstance(block, PageBreak):
            blocks.append(RPageBreak())
    footnotes = tuple(
        (RParagraph("body", c.runs(definition.footnotes[name])),) for name in c.footnote_order
    )
    marks = ((CONCEPT_MARK,) if concept else ()) + ((SAMPLE_MARK,) if figures.sample else ())
    letter = LetterContext(
        definition_id=definition.id,
        trede=definition.trede,
        reference=reference,
        date=day,
        date_text=dutch.long_date(day),
        subject=c.plain(definition.subject),
        # a document without an addressee (a public notice) has no address block
        addressee_lines=(c.plain(definition.addressee), *address.lines)
        if definition.addressee.source
        else (),
        return_address=config.sender.return_address if definition.addressee.source else "",
        salutation=c.plain(definition.salutation),
        body=tuple(blocks),
        footnotes=footnotes,
        closing=c.plain(definition.closing),
        on_behalf=c.plain(definition.on_behalf) if definition.on_behalf is not None else None,
        signatory=signatory,
        sender=config.sender,
        marks=marks,
        municipality=municipality,
        figures=figures,
        cc=dutch.cdk_name(municipality.province),
        reply_deadline=ctx["reply_term"]["deadline"],
        compliance_deadline=ctx["compliance_term"]["deadline"],
        zienswijze_deadline=ctx["zienswijze_term"]["deadline"],
        besluit=definition.besluit,
        previous=previous,
        corrects=corrects,
        kind=definition.kind,
    )
    return dataclasses.replace(letter, reaction=reaction_term(definition, letter, ctx))


#: The terms a letter may ask a reaction by, first found first: a voornemen's zienswijze
#: term, a reply term, else the compliance term.
_REACTION_TERMS = (
    ("zienswijze_term", "zienswijze_weeks"),
    ("reply_term", "reply_weeks"),
    ("compliance_term", "compliance_weeks"),
)


def reaction_term(
    definition: LetterDefinition, letter: LetterContext, ctx: dict[str, Any]
) -> ReactionTerm | None:
    """The term the letter asks a reaction by, as its composed text states it: the date
    ("6 mei 2026" appears in the letter), else the period ("binnen drie weken"), else none;
    none for a besluit. Read from the text as composed, so a term stated only in a block
    left out (``when:``) is not stated."""
    if definition.besluit:
        return None
    text = " ".join(letter.text.split())
    for name, weeks_field in _REACTION_TERMS:
        weeks = getattr(definition, weeks_field)
        if not weeks:
            continue
        deadline = ctx[name]["deadline"]
        if dutch.long_date(deadline) in text:
            return ReactionTerm(deadline, weeks, as_date=True)
        if f"binnen {dutch.weeks_text(weeks)}" in text:
            return ReactionTerm(deadline, weeks, as_date=False)
    return None


_OWN_REFERENCE = re.compile(r"(?<![.\w])reference\b")


def bind_reference(
    letter: LetterContext,
    reference: str,
    definition: LetterDefinition,
    recompose: Callable[[str], LetterContext],
) -> LetterContext:
    """``letter``, composed with the stand-in reference to validate it, with its real
    ``reference``: the same context with the reference set. Only when the definition's
    text prints the letter's own reference (``{{ reference }}``; ``previous.reference`` is
    another letter's) is it composed again, by ``recompose(reference)``."""
    if _uses_reference(definition.path):
        return recompose(reference)
    return dataclasses.replace(letter, reference=reference)


@lru_cache(maxsize=16)
def _uses_reference(path: Path) -> bool:
    return bool(_OWN_REFERENCE.search(path.read_text("utf-8")))
