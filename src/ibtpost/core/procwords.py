"""The message catalogue's entries for the procedure's records and gates (``ibtpost
publication``, ``ibtpost litigation``, the gates of trede 5 and 6), English and Dutch; part of
``core/messages.py``'s catalogue."""

from __future__ import annotations

from ibtpost.core.wording import Wording

PROCEDURE: dict[str, Wording] = {
    # an event at the court, as the letter's page, the dossier and its chronology name it
    "litigation.event.beroep": Wording("beroep lodged", "beroep ingesteld"),
    "litigation.event.voorlopige-voorziening": Wording(
        "voorlopige voorziening asked", "voorlopige voorziening gevraagd"
    ),
    "litigation.event.uitspraak": Wording("uitspraak given", "uitspraak gedaan"),
    "litigation.event.schorsing": Wording("besluit suspended", "besluit geschorst"),
    "error.unknown_reference": Wording(
        "no letter with reference {reference}", "geen brief met referentie {reference}"
    ),
    "error.concept_reference": Wording(
        "{reference} is a concept letter: it was never sent",
        "{reference} is een conceptbrief: die is nooit verzonden",
    ),
    "error.before_letter": Wording(
        "{day} is before the letter's date ({letter_day})",
        "{day} ligt voor de datum van de brief ({letter_day})",
    ),
    "error.in_future": Wording(
        "{day} is in the future (today is {today})", "{day} ligt in de toekomst (vandaag: {today})"
    ),
    "error.staatscourant": Wording(
        "{text!r} is not a Staatscourant number (like 2026-12345)",
        "{text!r} is geen nummer van de Staatscourant (zoals 2026-12345)",
    ),
    "error.url": Wording("{text!r} is not a web address", "{text!r} is geen webadres"),
    "error.no_kennisgeving": Wording(
        "{reference} is a {letter} letter, which has no kennisgeving to publish",
        "{reference} is een brief {letter}, die geen kennisgeving heeft om te publiceren",
    ),
    "error.published_before": Wording(
        "the kennisgeving of {reference} is recorded as published in Stcrt. {staatscourant} "
        "of {day}",
        "de kennisgeving van {reference} is al vastgelegd als gepubliceerd in Stcrt. "
        "{staatscourant} van {day}",
    ),
    "error.litigation.kind": Wording(
        "{text!r} is not one of {kinds}", "{text!r} is niet een van {kinds}"
    ),
    "error.litigation.not_besluit": Wording(
        "{reference} is a {letter} letter, not a besluit (trede 5)",
        "{reference} is een brief {letter}, geen besluit (trede 5)",
    ),
    "error.litigation.uitspraak_first": Wording(
        "{reference}: an uitspraak needs a beroep or voorlopige voorziening recorded before it",
        "{reference}: een uitspraak vraagt eerst een vastgelegd beroep of voorlopige voorziening",
    ),
    "error.litigation.schorsing_first": Wording(
        "{reference}: a schorsing needs a voorlopige voorziening recorded before it",
        "{reference}: een schorsing vraagt eerst een vastgelegde voorlopige voorziening",
    ),
    "summary.publication": Wording(
        "{reference} {municipality}: kennisgeving published in Stcrt. {staatscourant} of {day}",
        "{reference} {municipality}: kennisgeving gepubliceerd in Stcrt. {staatscourant} van {day}",
    ),
    "summary.litigation": Wording(
        "{reference} {municipality}: {event} on {day} recorded{kept}",
        "{reference} {municipality}: {event} op {day} vastgelegd{kept}",
    ),
    "summary.recorded_before": Wording(
        "{reference}: this was recorded before; nothing added",
        "{reference}: dit was al vastgelegd; niets toegevoegd",
    ),
    "error.gate.missing": Wording(
        "{name} ({code}): trede {trede} needs a sent trede-{wanted} letter first; the last "
        "letter sent is {last}",
        "{name} ({code}): trede {trede} vraagt eerst een verzonden brief trede {wanted}; de "
        "laatst verzonden brief is {last}",
    ),
    "error.gate.unsent": Wording(
        "{name} ({code}): trede {trede} needs trede-{wanted} letter {reference} sent first",
        "{name} ({code}): trede {trede} vraagt dat brief {reference} (trede {wanted}) eerst is "
        "verzonden",
    ),
    "error.gate.not_posted": Wording(
        "{name} ({code}): trede {trede} needs the besluit {reference} posted first (its "
        "bekendmaking)",
        "{name} ({code}): trede {trede} vraagt dat het besluit {reference} eerst per post is "
        "verzonden (de bekendmaking)",
    ),
    "error.gate.not_published": Wording(
        "{name} ({code}): trede {trede} needs the publication of the kennisgeving of "
        "{reference} recorded",
        "{name} ({code}): trede {trede} vraagt dat de publicatie van de kennisgeving van "
        "{reference} is vastgelegd",
    ),
    "error.gate.copy": Wording(
        "{name} ({code}): trede {trede} needs the {role} copy of {reference} sent or posted",
        "{name} ({code}): trede {trede} vraagt dat het afschrift van {reference} aan {role} "
        "is verzonden",
    ),
    "error.gate.term": Wording(
        "{name} ({code}): the term of the besluit {reference} runs until {until}; trede "
        "{trede} may not come before it",
        "{name} ({code}): de termijn van het besluit {reference} loopt tot {until}; trede "
        "{trede} mag niet eerder komen",
    ),
    "error.gate.pending": Wording(
        "{name} ({code}): a {event} about {reference} is pending since {since}; trede "
        "{trede} waits for its uitspraak",
        "{name} ({code}): er loopt sinds {since} een {event} over {reference}; trede {trede} "
        "wacht op de uitspraak",
    ),
    "error.gate.schorsing": Wording(
        "{name} ({code}): the besluit {reference} is suspended (schorsing recorded); trede "
        "{trede} may not come",
        "{name} ({code}): het besluit {reference} is geschorst (schorsing vastgelegd); trede "
        "{trede} kan niet komen",
    ),
    "hint.gate.send": Wording("send it with `{command}`", "verzend de brief ({command})"),
    "hint.gate.post": Wording(
        "record its posting with `{command}`", "leg de verzending per post vast ({command})"
    ),
    "hint.gate.make": Wording(
        "make that letter first: `{command}`", "maak eerst die brief ({command})"
    ),
    "hint.gate.record": Wording("record it with `{command}`", "leg dit vast ({command})"),
    "hint.gate.copy": Wording(
        "send it with `{send}`, or record its posting with `{post}`",
        "verzend het ({send}), of leg de verzending per post vast ({post})",
    ),
}
