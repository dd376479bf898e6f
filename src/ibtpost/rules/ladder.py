"""The interventieladder: which letter a municipality should get next (pure, no I/O).

The rules, as the secretariat applies them:

- a municipality that meets its task gets nothing; when it has an open case, the letter
  that ends the supervision (the afsluiting) is recommended, and the case closes once that
  letter is sent;
- one that does not and has no open case is recommended trede 2 (Informatie opvragen en
  valideren: the first letter of a case);
- a letter counts once it is sent (by mail, or marked as posted); a generated letter that
  is not yet sent blocks the next one;
- escalation goes one trede at a time, and only after the term of the previous letter has
  passed (the day after its deadline);
- trede 6 is the last step;
- a herstel, an intrekking or an afsluiting takes no step: the ladder reads past them (an
  intrekking stops trede 6 on the besluit it withdraws, see :mod:`ibtpost.rules.gates`; an
  afsluiting closes the case once it is sent; a municipality with an open case that meets
  its task is recommended the afsluiting);
- any other letter (a skipped or repeated step, a step before the term passed, a letter to
  a municipality that meets its task) needs a recorded reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ibtpost.core import dutch
from ibtpost.core.domain import Figures, Motivering, PreviousLetter, Publication, Reply
from ibtpost.core.records import CaseRecord, LetterRecord
from ibtpost.rules.gates import VOORNEMEN

STEPS = {
    1: "Signaleren",
    2: "Informatie opvragen en valideren",
    3: "Actief toezicht",
    4: "Vooraankondiging van juridische interventie",
    5: "Besluit tot indeplaatsstelling",
    6: "Sanctie indeplaatsstelling",
}
FIRST_STEP = 2
LAST_STEP = 6

Action = Literal["none", "close", "letter", "wait", "pending", "last"]


@dataclass(frozen=True)
class Standing:
    """Where a municipality stands: its figures and its supervision case."""

    code: str
    figures: Figures
    case: CaseRecord | None
    sent: tuple[LetterRecord, ...]  # the open case's sent letters, oldest first
    pending: LetterRecord | None  # a final letter generated but not yet sent

    @property
    def trede(self) -> int | None:
        """The trede of the last letter sent in the open case."""
        return self.sent[-1].trede if self.sent else None

    @property
    def last(self) -> LetterRecord | None:
        """The last letter sent in the open case."""
        return self.sent[-1] if self.sent else None


@dataclass(frozen=True)
class Advice:
    """What the ladder recommends for one municipality on one day."""

    action: Action
    next_trede: int | None
    note: str


def advise(standing: Standing, day: date) -> Advice:
    """The recommended next step for ``standing`` on ``day``."""
    if standing.figures.meets_task:
        if standing.case is not None:
            return Advice("close", None, "task met: the afsluiting ends the case")
        return Advice("none", None, "task met")
    if standing.pending is not None:
        p = standing.pending
        return Advice(
            "pending",
            None,
            f"letter {p.reference} (trede {p.trede}) in batch {p.batch} is not sent yet",
        )
    last = standing.last
    if standing.case is None or last is None or last.trede is None:
        return Advice("letter", FIRST_STEP, "no case yet: the first letter")
    if last.trede >= LAST_STEP:
        return Advice("last", None, f"trede {LAST_STEP} reached: no further letter")
    if last.deadline is not None and day <= last.deadline:
        return Advice(
            "wait",
            None,
            f"term of {last.reference} runs until {dutch.long_date(last.deadline)}",
        )
    return Advice("letter", last.trede + 1, f"term of {last.reference} has passed")


def deviation(standing: Standing, advice: Advice, trede: int, letter: str, day: date) -> str | None:
    """Why a ``trede`` letter for this municipality departs from the ladder; None if it
    does not (then no reason is needed)."""
    if advice.next_trede == trede:
        return None
    pending = standing.pending
    if pending is not None and pending.letter == letter and pending.day == day:
        return None  # the same letter again: a re-run of its batch
    if advice.action in ("none", "close"):
        return "meets its task"
    if advice.action == "pending":
        return advice.note
    if advice.action == "wait":
        return f"trede {trede} before the {advice.note.removeprefix('term of ')}"
    if advice.action == "last":
        return advice.note
    expected = advice.next_trede if advice.next_trede is not None else FIRST_STEP
    if trede > expected:
        skipped = str(expected) if trede == expected + 1 else f"{expected} to {trede - 1}"
        return f"skips trede {skipped}"
    if trede == standing.trede:
        return f"repeats trede {trede}"
    return f"trede {trede} where the ladder recommends trede {expected}"


def previous_letter(
    sent: Sequence[LetterRecord],
    excluding: str | None = None,
    replies: Mapping[str, Reply] | None = None,
    publications: Mapping[str, Publication] | None = None,
    motiveringen: Mapping[str, Motivering] | None = None,
) -> PreviousLetter | None:
    """The last sent letter of a case (``sent`` oldest first), leaving out the reference
    ``excluding`` (a letter is not its own predecessor), with its term, the last reply
    recorded on it (``replies`` by reference), its kennisgeving's publication
    (``publications`` by reference) and the motivering written on it (``motiveringen`` by
    reference). A reaction on a voornemen (trede 4) is a zienswijze, whatever kind it was
    recorded as (Awb 4:8)."""
    prior = [r for r in sent if r.reference != excluding and r.on_ladder]
    if not prior:
        return None
    last = prior[-1]
    reply = (replies or {}).get(last.reference)
    if reply is not None and last.trede == VOORNEMEN:
        reply = Reply("zienswijze", reply.received)
    return PreviousLetter(
        last.letter,
        last.trede or 0,
        last.reference,
        last.day,
        last.deadline,
        reply,
        last.sent_via,
        (publications or {}).get(last.reference),
        (motiveringen or {}).get(last.reference),
    )


def standings(
    figures: dict[str, Figures],
    cases: dict[str, CaseRecord],
    letters: list[LetterRecord],
) -> dict[str, Standing]:
    """The standing of every municipality that has figures."""
    sent: dict[str, list[LetterRecord]] = {}
    pending: dict[str, LetterRecord] = {}
    for record in letters:
        if not record.on_ladder:  # a herstel, intrekking or afsluiting takes no step
            continue
        case = cases.get(record.municipality)
        if record.sent_on is not None:
            if case is not None and record.case_id == case.id:
                sent.setdefault(record.municipality, []).append(record)
        elif record.batch is not None and not record.concept:
            pending[record.municipality] = record
    for records in sent.values():
        records.sort(key=lambda r: (r.sent_on or r.day, r.day, r.reference))
    return {
        code: Standing(
            code=code,
            figures=fig,
            case=cases.get(code),
            sent=tuple(sent.get(code, ())),
            pending=pending.get(code),
        )
        for code, fig in figures.items()
    }
