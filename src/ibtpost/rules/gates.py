"""The procedure's gates: what the law requires before a besluit (trede 5) and before its
execution (trede 6), whatever reason is given (pure, no I/O).

- **Trede 5**, the besluit tot indeplaatsstelling, only after a trede-4 voornemen that was
  sent (by e-mail or posted), whose kennisgeving's publication is recorded (Gemeentewet art.
  124 lid 4) and whose copies to the gemeenteraad and to gedeputeerde staten went out (art.
  124 lid 4, art. 124b lid 2). The zienswijze term (Awb 4:8) is checked beside these
  (``production.selection``).
- **Trede 6**, the execution, only after a trede-5 besluit that was posted (its bekendmaking),
  whose term counted from the posting has passed, with no beroep or voorlopige voorziening
  pending (recorded without a later uitspraak), no schorsing recorded, and not withdrawn by
  a sent intrekking (art. 124d).

Each refusal names what is missing and the step that records it. A concept (a draft to
read) is made without the gates; a final letter never.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from ibtpost.core import dutch
from ibtpost.core.domain import LitigationEvent, PreviousLetter
from ibtpost.core.errors import NextAction, Phrase
from ibtpost.core.records import LetterRecord

VOORNEMEN = 4
BESLUIT = 5
UITVOERING = 6
#: the copies of a voornemen that must have gone out before the besluit
COPIES = ("raad", "gs")
#: how the register records a letter as posted (``sent_via``)
POSTED = "post"
LITIGATION_KINDS = ("beroep", "voorlopige-voorziening", "uitspraak", "schorsing")
#: the proceedings an uitspraak ends: the voorlopige voorziening first (it is decided first)
_PROCEEDINGS = ("voorlopige-voorziening", "beroep")


@dataclass(frozen=True)
class GateFacts:
    """What the gates read of one municipality's case."""

    code: str
    previous: PreviousLetter | None  # the last letter sent in the case
    previous_batch: str | None = None
    unsent: LetterRecord | None = None  # a final letter made but not sent yet
    copies_out: frozenset[str] = frozenset()  # of the previous letter
    litigation: tuple[LitigationEvent, ...] = ()  # about the previous letter, by date
    #: the sent intrekking of the previous letter (a besluit withdrawn, art. 124d), if any
    withdrawn_by: LetterRecord | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a gate stays shut: a catalogue key, its values, and the step that opens it."""

    key: str
    values: dict[str, object] = field(default_factory=dict)
    hint: NextAction | Phrase | None = None


def refusal(trede: int, day: date, facts: GateFacts) -> Refusal | None:
    """Why a final ``trede`` letter dated ``day`` may not be made; None when it may."""
    if trede == BESLUIT:
        return _besluit(facts)
    if trede == UITVOERING:
        return _uitvoering(day, facts)
    return None


def _needs(trede: int, wanted: int, facts: GateFacts) -> Refusal | None:
    """A refusal when the last letter sent is not a ``wanted`` letter."""
    previous, unsent = facts.previous, facts.unsent
    if previous is not None and previous.trede == wanted:
        return None
    values: dict[str, object] = {"trede": trede, "wanted": wanted}
    if unsent is not None and unsent.trede == wanted:
        values |= {"reference": unsent.reference}
        if wanted == BESLUIT:
            hint = NextAction(
                "post",
                {"batch": unsent.batch or "...", "reference": unsent.reference, "date": "..."},
                why="hint.gate.post",
            )
            return Refusal("error.gate.not_posted", values, hint)
        return Refusal("error.gate.unsent", values, NextAction("send", why="hint.gate.send"))
    last = f"{previous.letter} {previous.reference}" if previous is not None else "-"
    hint = NextAction(
        "batch", {"letter": f"trede-{wanted}", "municipalities": facts.code}, why="hint.gate.make"
    )
    return Refusal("error.gate.missing", values | {"last": last}, hint)


def _besluit(facts: GateFacts) -> Refusal | None:
    missing = _needs(BESLUIT, VOORNEMEN, facts)
    if missing is not None or facts.previous is None:
        return missing
    previous = facts.previous
    values: dict[str, object] = {"reference": previous.reference, "trede": BESLUIT}
    if previous.publication is None:
        hint = NextAction(
            "publication",
            {"reference": previous.reference, "staatscourant": "...", "date": "..."},
            why="hint.gate.record",
        )
        return Refusal("error.gate.not_published", values, hint)
    for role in COPIES:
        if role not in facts.copies_out:
            label = f"{previous.reference}-{role}"
            post = NextAction(
                "post", {"batch": facts.previous_batch or "...", "reference": label, "date": "..."}
            )
            both = Phrase("hint.gate.copy", {"send": NextAction("send"), "post": post})
            return Refusal("error.gate.copy", values | {"role": role}, both)
    return None


def _uitvoering(day: date, facts: GateFacts) -> Refusal | None:
    missing = _needs(UITVOERING, BESLUIT, facts)
    if missing is not None or facts.previous is None:
        return missing
    previous = facts.previous
    values: dict[str, object] = {"reference": previous.reference, "trede": UITVOERING}
    if previous.sent_via != POSTED:
        hint = NextAction(
            "post",
            {
                "batch": facts.previous_batch or "...",
                "reference": previous.reference,
                "date": "...",
            },
            why="hint.gate.post",
        )
        return Refusal("error.gate.not_posted", values | {"wanted": BESLUIT}, hint)
    if facts.withdrawn_by is not None:  # an intrekking ends the besluit's effect
        by = facts.withdrawn_by
        on = by.sent_on or by.day
        return Refusal(
            "error.gate.withdrawn",
            values | {"by": f"{by.letter} {by.reference}", "day": dutch.long_date(on)},
        )
    if previous.deadline is None or day <= previous.deadline:
        until = dutch.long_date(previous.deadline) if previous.deadline else "-"
        hint = NextAction("status", {"date": "..."}, why="hint.see")
        return Refusal("error.gate.term", values | {"until": until}, hint)
    if any(e.event == "schorsing" for e in facts.litigation):
        return Refusal("error.gate.schorsing", values)
    pending = pending_proceedings(facts.litigation)
    if pending:
        first = pending[0]
        hint = NextAction(
            "litigation",
            {"reference": previous.reference, "event": "uitspraak", "date": "..."},
            why="hint.gate.record",
        )
        return Refusal(
            "error.gate.pending",
            values | {"event": first.event, "since": dutch.long_date(first.day)},
            hint,
        )
    return None


def pending_proceedings(events: Sequence[LitigationEvent]) -> list[LitigationEvent]:
    """The beroep and voorlopige voorziening still pending: each uitspraak ends the open
    voorlopige voorziening if there is one, else the open beroep (``events`` by date)."""
    open_: list[LitigationEvent] = []
    for event in events:
        if event.event in _PROCEEDINGS:
            open_.append(event)
        elif event.event == "uitspraak":
            for kind in _PROCEEDINGS:
                found = [e for e in open_ if e.event == kind]
                if found:
                    open_.remove(found[-1])
                    break
    return open_


def out_of_order(events: Sequence[LitigationEvent]) -> str | None:
    """Why ``events`` (by date) cannot have happened in this order, as a catalogue key: an
    uitspraak with no beroep or voorlopige voorziening pending, a schorsing without a
    voorlopige voorziening before it. None when they can."""
    open_: list[LitigationEvent] = []
    asked_vovo = False
    for event in events:
        if event.event in _PROCEEDINGS:
            open_.append(event)
            asked_vovo = asked_vovo or event.event == "voorlopige-voorziening"
        elif event.event == "uitspraak":
            if not open_:
                return "error.litigation.uitspraak_first"
            open_ = pending_proceedings([*open_, event])
        elif event.event == "schorsing" and not asked_vovo:
            return "error.litigation.schorsing_first"
    return None
