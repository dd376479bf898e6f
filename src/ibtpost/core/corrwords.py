"""The message catalogue's entries for letters beside the ladder (a herstel, an intrekking,
an afsluiting), English and Dutch; part of ``core/messages.py``'s catalogue."""

from __future__ import annotations

from ibtpost.core.wording import Wording

CORRECTIONS: dict[str, Wording] = {
    "motivering.part.herstel": Wording("what the herstel changes", "wat de herstelbrief herstelt"),
    "motivering.part.intrekking": Wording(
        "why the besluit is withdrawn", "waarom het besluit wordt ingetrokken"
    ),
    "error.corrects_needed": Wording(
        "{letter} names the sent letter it corrects or withdraws: give {corrects}",
        "{letter} noemt de verzonden brief die wordt hersteld of ingetrokken: vul {corrects} in",
    ),
    "error.corrects_not_wanted": Wording(
        "{letter} corrects no letter: leave {corrects} out",
        "{letter} herstelt geen brief: laat {corrects} leeg",
    ),
    "error.corrects_not_sent": Wording(
        "{reference} was never sent: a letter that did not go out is withdrawn from its "
        "batch, not corrected",
        "{reference} is nooit verzonden: een brief die niet is uitgegaan, wordt uit zijn batch "
        "teruggetrokken, niet hersteld",
    ),
    "error.corrects_other_municipality": Wording(
        "{reference} is a letter to {owner} ({owner_code}), not to {name} ({code})",
        "{reference} is een brief aan {owner} ({owner_code}), niet aan {name} ({code})",
    ),
    "error.corrects_not_besluit": Wording(
        "{reference} is a {letter} letter, not a besluit tot indeplaatsstelling: only a "
        "besluit is withdrawn",
        "{reference} is een brief {letter}, geen besluit tot indeplaatsstelling: alleen een "
        "besluit wordt ingetrokken",
    ),
    "error.corrects_a_correction": Wording(
        "{reference} is itself a {letter} letter: name the letter it corrected ({original})",
        "{reference} is zelf een brief {letter}: noem de brief die daarmee werd hersteld "
        "({original})",
    ),
    "error.no_herstel_text": Wording(
        "{name} ({code}): what the herstel of {letter} {reference} changes is not written "
        "yet; a final herstel states it",
        "{name} ({code}): wat de herstelbrief van {letter} {reference} herstelt, is nog niet "
        "geschreven; een definitieve herstelbrief noemt het",
    ),
    "error.no_intrekking_text": Wording(
        "{name} ({code}): why the besluit {reference} is withdrawn is not written yet; a "
        "final intrekking states it",
        "{name} ({code}): waarom het besluit {reference} wordt ingetrokken, is nog niet "
        "geschreven; een definitieve intrekking noemt het",
    ),
    "error.no_case_to_close": Wording(
        "{name} ({code}) has no open supervision case: there is none to close",
        "{name} ({code}) heeft geen lopend toezichtdossier: er is niets af te sluiten",
    ),
    "error.gate.withdrawn": Wording(
        "{name} ({code}): the besluit {reference} was withdrawn by {by} of {day}; trede "
        "{trede} cannot rest on it",
        "{name} ({code}): het besluit {reference} is ingetrokken bij {by} van {day}; trede "
        "{trede} kan er niet op rusten",
    ),
}
