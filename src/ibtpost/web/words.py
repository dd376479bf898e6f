"""How ``ibtpost web`` words what the library leaves to its front ends, in Dutch: a parameter
as the form field that takes it, a next step as a sentence with a link to the page where it
is taken (where there is one), an error as its Dutch catalogue message. An error without a
catalogue message is not shown in English: the page names where the problem is (file, line,
field) and the server's log has the message."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from ibtpost.core.errors import (
    IbtpostError,
    Location,
    NextAction,
    Param,
    hint_text,
    problems_of,
)
from ibtpost.core.messages import Lang

LOG = logging.getLogger("ibtpost.web")

#: library parameter -> (the form field that takes it, its label on the page)
FORM_FIELDS: dict[str, tuple[str, str]] = {
    "by": ("by", "Naam"),
    "concept": ("concept", "Concept"),
    "corrects": ("corrects", "Herstelt of trekt in"),
    "date": ("date", "Datum"),
    "from": ("from", "Van versie"),
    "letter": ("letter", "Brief"),
    "municipalities": ("municipalities", "Gemeenten"),
    "note": ("note", "Toelichting"),
    "reason": ("reason", "Reden"),
    "reference": ("reference", "Referentie"),
    "to": ("to", "Naar versie"),
}
#: a use case -> what the step is, in a sentence, when a page says it
STEPS: dict[str, str] = {
    "approve": "keur de brief goed op de pagina Beoordelen",
    "batch": "maak de batch op de pagina Batches",
    "check": "laat de controle van de gegevens draaien (ibtpost check)",
    "diff": "bekijk de verschillen op de pagina Beoordelen",
    "import-addresses": "laat de e-mailadressen importeren",
    "import-cdk": "laat de e-mailadressen van de Commissarissen van de Koning importeren",
    "import-figures": "laat de cijfers importeren",
    "litigation": "laat de procedure bij de rechter vastleggen (ibtpost litigation)",
    "motivering": "laat de jurist de motivering vastleggen (ibtpost motivering)",
    "outbox": "zie de pagina Batches",
    "post": "leg de verzending per post vast op de pagina van de batch",
    "publication": "laat de publicatie van de kennisgeving vastleggen (ibtpost publication)",
    "queue": "zet de batch klaar op de pagina van de batch",
    "reply": "laat het antwoord van de gemeente vastleggen",
    "send": "verzend op de pagina Verzenden",
    "status": "zie het Overzicht",
    "withdraw": "trek de brief terug op de pagina van de batch",
}
#: labels of the links to the page of a step
_LINK_LABELS = {
    "review": "Naar Beoordelen",
    "batches": "Naar Batches",
    "overview": "Naar Overzicht",
}


class Message(str):
    """A message as a page shows it, with the links to the pages of its next steps."""

    links: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, text: str, links: tuple[tuple[str, str], ...] = ()) -> Message:
        message = cls(text)
        message.links = links
        return message


def form_field(parameter: str) -> str:
    """The form field that takes ``parameter`` ("" when no form takes it). The dispatch
    modules still name options (``--reference``); those are read as parameters too."""
    name = parameter.removeprefix("--")
    return FORM_FIELDS[name][0] if name in FORM_FIELDS else ""


def link(action: NextAction) -> tuple[str, str] | None:
    """The page where ``action`` is taken, with the link's label; None when no page takes it."""
    args = {name: v if isinstance(v, str) else ",".join(v) for name, v in action.args.items()}
    letter, batch = args.get("letter", ""), args.get("batch", "")
    if action.action in ("approve", "diff") and letter:
        query = {k: args[k] for k in ("from", "to") if args.get(k, "...") != "..."}
        href = f"/review/{quote(letter)}" + (f"?{urlencode(query)}" if query else "")
        return href, _LINK_LABELS["review"]
    if action.action in ("withdraw", "queue", "post") and batch and batch != "...":
        return f"/batches/{quote(batch)}", f"Naar batch {batch}"
    if action.action in ("batch", "outbox"):
        return "/batches", _LINK_LABELS["batches"]
    if action.action == "status":
        date = args.get("date", "")
        return ("/" + (f"?{urlencode({'date': date})}" if date else "")), _LINK_LABELS["overview"]
    return None


@dataclass
class WebWords:
    """The web's wording; collects the links of the steps it words."""

    lang: Lang = "nl"

    def __post_init__(self) -> None:
        self.links: list[tuple[str, str]] = []

    def where(self, location: Location) -> str:
        """``bestand X, regel N, veld F``, or the label of a form field."""
        if location.file is None and location.line is None and location.field:
            name = location.field.removeprefix("--")
            return FORM_FIELDS[name][1] if name in FORM_FIELDS else f"veld {name}"
        parts = []
        if location.file is not None:
            parts.append(f"bestand {location.file}")
        if location.line is not None:
            parts.append(f"regel {location.line}")
        elif location.row is not None:
            parts.append(f"rij {location.row}")
        if location.field:
            parts.append(f"veld {location.field}")
        return ", ".join(parts)

    def param(self, param: Param) -> str:
        """The label of the field in (Dutch) quotes."""
        label = FORM_FIELDS[param.name][1] if param.name in FORM_FIELDS else param.name
        return f"‘{label}’"

    def action(self, action: NextAction) -> str:
        """The step as a sentence; its page is remembered as a link."""
        found = link(action)
        if found is not None and found not in self.links:
            self.links.append(found)
        return STEPS.get(action.action, "zie de handleiding")


def message(problem: IbtpostError) -> Message:
    """One problem in Dutch: ``waar: melding (tip: ...)``, with the links of its steps."""
    words = WebWords()
    where = words.where(problem.location)
    if problem.key:
        text = problem.text("nl", words)
        text = f"{where}: {text}" if where else text
    else:  # no Dutch wording: where it is, and the English message in the log only
        LOG.warning("shown without its message: %s", problem)
        text = (
            f"Er is een fout gevonden ({where}); de beheerder vindt de melding in het logboek."
            if where
            else "Er is een fout gevonden; de beheerder vindt de melding in het logboek."
        )
    hint = problem.hint
    if hint and not isinstance(hint, str):  # a plain text hint is English: left out
        text += f" (tip: {hint_text(hint, words)})"
    return Message.of(text, tuple(words.links))


def messages(exc: IbtpostError) -> list[str]:
    """Every problem of ``exc`` in Dutch (each a :class:`Message`)."""
    return [message(problem) for problem in problems_of(exc)]


def form_errors(exc: IbtpostError) -> dict[str, list[str]]:
    """The problems of ``exc`` in Dutch (each a :class:`Message`) by the form field they are
    about ("" for the form as a whole)."""
    found: dict[str, list[str]] = {}
    for problem in problems_of(exc):
        where = problem.location
        if where.file is None and where.line is None:
            name = form_field(where.field or "")
        else:  # the status of a letter definition is the letter the form chose
            name = (
                "letter"
                if str(where.file).startswith("letters/") and where.field == "status"
                else ""
            )
        found.setdefault(name, []).append(message(problem))
    return found


def not_a_date(text: str) -> Message:
    """The Dutch message for a date the form got that is not one."""
    return Message(f"{text!r} is geen datum zoals 2026-04-09")
