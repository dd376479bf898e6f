"""The mail templates against the letters they carry: a message states no date its letter
does not state.

A college reads the e-mail first. When it gives another date than the letter (the letter
asks a reply "binnen drie weken na dagtekening", the e-mail "uiterlijk 6 mei 2026", the
rolled end of those three weeks), the college cannot know which one counts. ``ibtpost
check`` therefore composes every branch of every letter definition, fills the mail
templates for the letter's own e-mail and for each copy's, and refuses a date in a message
that its letter does not state, naming the template's line that prints it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ibtpost.core.domain import Config
from ibtpost.core.errors import IbtpostError, Location, TemplateError
from ibtpost.data.recipients import cdk_copy, copy_recipient
from ibtpost.mail.message import mail_context
from ibtpost.mail.templates import MailTemplates
from ibtpost.review.checkdata import Compositions
from ibtpost.text.composed import LetterContext
from ibtpost.text.nodes import LetterDefinition

_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
#: A date as letters and mails write it: "6 mei 2026", "1 juni 2026".
DUTCH_DATE = re.compile(rf"\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}\b")
_TAG = re.compile(r"<[^>]+>")


def dates_in(text: str) -> set[str]:
    """The dates written in ``text`` ("6 mei 2026"), whitespace normalised."""
    return set(DUTCH_DATE.findall(" ".join(text.split())))


def mail_date_problems(
    definitions: list[LetterDefinition], compositions: Compositions, templates: MailTemplates
) -> list[IbtpostError]:
    """For every definition and branch, every message that carries the letter (to the
    college, and each copy with a mail of its own): a date the message states that the
    letter does not is an error at the template line that prints it. One error per
    template line and letter."""
    config = compositions.config
    problems: list[IbtpostError] = []
    seen: set[tuple[str, str, int | None]] = set()
    for definition in definitions:
        done: set[tuple[object, frozenset[str]]] = set()
        for branch in compositions.of(definition):
            if isinstance(branch.outcome, IbtpostError):
                continue  # compose_problems reports it
            letter = branch.outcome
            stated = dates_in(letter.text) | {letter.date_text}
            # the mail context holds no figures: branches that state the same dates and
            # term give the same dates in their mails
            if (letter.reaction, frozenset(stated)) in done:
                continue
            done.add((letter.reaction, frozenset(stated)))
            for context in mail_contexts(definition, letter, config):
                for label, source, rendered in _rendered(templates, context):
                    for day in sorted(dates_in(rendered) - stated):
                        line, name = _origin(source, context, day)
                        key = (definition.id, label, line)
                        if key in seen:
                            continue
                        seen.add(key)
                        problems.append(
                            TemplateError(
                                f"the e-mail of {definition.id} states {day}"
                                f"{f' ({{{{ {name} }}}})' if name else ''}, a date its letter "
                                f"does not state ({branch.variant}); a message states a term "
                                "as its letter does",
                                Location(label, line),
                            )
                        )
    return problems


def mail_contexts(
    definition: LetterDefinition, letter: LetterContext, config: Config
) -> Iterator[dict[str, Any]]:
    """The mail contexts of one letter: its own e-mail, and each copy's (the raad's, GS's,
    and the CdK's own for a letter that goes by post)."""
    mun = letter.municipality
    copies = tuple(
        copy_recipient(role, kind, mun, config) for role, kind in definition.copies if role != "cdk"
    )
    attachment = f"{letter.reference}.pdf"
    yield mail_context(letter, config, attachment, copies)
    for copy in (*copies, cdk_copy(mun, config)):
        yield mail_context(letter, config, attachment, copies, copy)


def _rendered(templates: MailTemplates, context: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(label, source, text) of the plain-text part and of the HTML part as text."""
    yield templates.text_label, templates.text_source, templates.render_text(context)
    as_html = templates.render_html(context)
    yield templates.mjml_label, templates.mjml_source, html.unescape(_TAG.sub(" ", as_html))


def _origin(source: str, context: Mapping[str, Any], day: str) -> tuple[int | None, str]:
    """The first line of ``source`` that prints a name whose value holds ``day``, and that
    name ("reaction.phrase"); (None, "") when no name holds it (the date is in the
    template's own text, found by its line)."""
    names = sorted(_names_holding(context, day), key=len, reverse=True)
    lines = source.splitlines()
    for number, line in enumerate(lines, start=1):
        for name in names:
            if re.search(rf"\{{\{{[^}}]*\b{re.escape(name)}\b", line):
                return number, name
    for number, line in enumerate(lines, start=1):
        if day in " ".join(line.split()):
            return number, ""
    return None, ""


def _names_holding(value: Any, day: str, prefix: str = "") -> Iterator[str]:
    """The dotted names under ``value`` whose text contains ``day``."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _names_holding(item, day, f"{prefix}{key}.")
    elif isinstance(value, str) and day in value:
        yield prefix.rstrip(".")
