"""What a letter definition's texts say and use, read without composing them: every text
with whether it is an expression, the config/legal.yaml entries it uses, and the rule that a
sentence states a term once (as a date, or as a period, never both)."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterator

from ibtpost.core.errors import DefinitionError, Location
from ibtpost.text.nodes import Bullets, Heading, LetterDefinition, Paragraph, Table, Text

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z{\[(])")
_TERM_USE = re.compile(
    r"\b(reply_term|compliance_term|zienswijze_term|besluit_term)\.(text|deadline)\b"
)


def one_date_per_term(texts: list[Text]) -> list[DefinitionError]:
    """A sentence that states a term both as a period (``{{ reply_term.text }}``, "drie
    weken") and as a date (``{{ reply_term.deadline }}``) is refused: when the deadline is
    rolled past a weekend or holiday the two disagree ("binnen drie weken, dat wil zeggen
    uiterlijk 6 mei" for a letter of 14 april, whose three weeks end on 5 mei). A letter
    states a term as one calendar date."""
    problems = []
    for text in texts:
        for sentence in _SENTENCE_END.split(text.source):
            used: dict[str, set[str]] = {}
            for term, part in _TERM_USE.findall(sentence):
                used.setdefault(term, set()).add(part)
            for term, parts in sorted(used.items()):
                if term == "besluit_term" and "deadline" in parts:
                    problems.append(
                        DefinitionError(
                            "states besluit_term as a date; the besluit's term counts from "
                            "its bekendmaking, which no letter before it knows",
                            text.location,
                            hint="state it as a period: binnen {{ besluit_term.text }} na de "
                            "bekendmaking van het besluit",
                        )
                    )
                elif parts == {"text", "deadline"}:
                    problems.append(
                        DefinitionError(
                            f"states {term} both as a period ({{{{ {term}.text }}}}) and as a "
                            f"date ({{{{ {term}.deadline }}}}) in one sentence; a rolled "
                            "deadline makes them disagree",
                            text.location,
                            hint=f"state the term as one date: uiterlijk {{{{ {term}.deadline }}}}",
                        )
                    )
    return problems


def definition_texts(definition: LetterDefinition) -> Iterator[tuple[Text, bool]]:
    """Every text of a definition, and whether it is an expression (``when``, ``foreach``)."""
    for text in (definition.subject, definition.addressee, definition.salutation):
        yield text, False
    for block in definition.body:
        if block.when is not None:
            yield block.when, True
        if isinstance(block, Paragraph | Heading):
            yield block.text, False
        elif isinstance(block, Bullets):
            if block.foreach is not None:
                yield block.foreach, True
            for item in block.items:
                yield item, False
        elif isinstance(block, Table):
            for cell in itertools.chain(block.header, *block.rows):
                yield cell, False
    for note in definition.footnotes.values():
        yield note, False
    yield definition.closing, False
    if definition.on_behalf is not None:
        yield definition.on_behalf, False
    if definition.kennisgeving is not None:  # its own texts (the rest is the letter's)
        notice = definition.kennisgeving
        yield notice.subject, False
        for text, expression in definition_texts(dataclasses.replace(notice, on_behalf=None)):
            if text is not notice.subject and text.source:
                yield text, expression


_LEGAL_NAME = re.compile(r"\blegal\.([a-z][a-z0-9_]*)")


def legal_entries(definition: LetterDefinition) -> dict[str, Location]:
    """The config/legal.yaml entries a definition's text uses (``{{ legal.<name> }}``), with
    where each is first used."""
    found: dict[str, Location] = {}
    for text, _ in definition_texts(definition):
        for name in _LEGAL_NAME.findall(text.source):
            found.setdefault(name, text.location)
    return found
