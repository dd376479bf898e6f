"""The interventieladder's rules, as pure functions over figures, cases and letters."""

from __future__ import annotations

from datetime import date

import pytest

from ibtpost.core.domain import Figures
from ibtpost.register import CaseRecord, LetterRecord
from ibtpost.rules import ladder

DAY = date(2026, 4, 9)
DEADLINE = date(2026, 4, 30)


def figures(task: int = 100, realised: int = 0) -> Figures:
    return Figures("GM0622", date(2024, 12, 20), date(2025, 7, 1), task, 0, realised, 0, False, "t")


def letter(trede: int, *, sent: bool = True, deadline: date | None = DEADLINE) -> LetterRecord:
    return LetterRecord(
        reference=f"75{trede:05d}",
        letter=f"trede-{trede}",
        municipality="GM0622",
        day=DAY,
        batch="b1",
        trede=trede,
        concept=False,
        deadline=deadline,
        reason=None,
        docx_sha256=None,
        pdf_sha256=None,
        pages=3,
        sample=False,
        sent_on=DAY if sent else None,
        sent_via="post" if sent else None,
        case_id=1 if sent else None,
    )


CASE = CaseRecord(1, "GM0622", DAY, None, None)


def standing(
    fig: Figures,
    sent: tuple[LetterRecord, ...] = (),
    pending: LetterRecord | None = None,
    case: CaseRecord | None = CASE,
) -> ladder.Standing:
    return ladder.Standing("GM0622", fig, case if sent else None, sent, pending)


def test_meeting_the_task_gets_nothing() -> None:
    """A municipality that meets its task is recommended no letter."""
    advice = ladder.advise(standing(figures(100, 100)), DAY)
    assert (advice.action, advice.next_trede) == ("none", None)


def test_meeting_the_task_closes_an_open_case() -> None:
    """With an open case, meeting the task means closing it, not escalating."""
    advice = ladder.advise(standing(figures(100, 120), (letter(2),)), date(2026, 6, 1))
    assert (advice.action, advice.next_trede) == ("close", None)


def test_no_case_starts_at_trede_2() -> None:
    """A shortfall without a case is recommended the trede-2 letter."""
    advice = ladder.advise(standing(figures()), DAY)
    assert (advice.action, advice.next_trede) == ("letter", 2)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 29), ("wait", None)),
        (DEADLINE, ("wait", None)),  # the deadline day itself still belongs to the term
        (date(2026, 5, 1), ("letter", 3)),
    ],
)
def test_escalation_waits_until_the_term_has_passed(
    day: date, expected: tuple[str, int | None]
) -> None:
    """The next trede is recommended only from the day after the previous letter's term."""
    advice = ladder.advise(standing(figures(), (letter(2),)), day)
    assert (advice.action, advice.next_trede) == expected


def test_an_unsent_letter_blocks_the_next() -> None:
    """A generated letter that is not yet sent does not count, and blocks a new one."""
    advice = ladder.advise(standing(figures(), pending=letter(2, sent=False)), DAY)
    assert advice.action == "pending"
    assert "7500002" in advice.note


def test_trede_6_is_the_last_step() -> None:
    """After the sanction letter the ladder recommends nothing further."""
    advice = ladder.advise(standing(figures(), (letter(2), letter(6))), date(2027, 1, 1))
    assert (advice.action, advice.next_trede) == ("last", None)


@pytest.mark.parametrize(
    ("sent", "day", "trede", "why"),
    [
        ((), DAY, 3, "skips trede 2"),
        ((), DAY, 5, "skips trede 2 to 4"),
        ((letter(2),), date(2026, 5, 1), 2, "repeats trede 2"),
        ((letter(2),), date(2026, 5, 1), 4, "skips trede 3"),
        ((letter(2),), date(2026, 4, 20), 3, "trede 3 before the 7500002 runs until 30 april 2026"),
        ((letter(2),), date(2026, 5, 1), 1, "trede 1 where the ladder recommends trede 3"),
    ],
)
def test_departures_from_the_ladder_are_named(
    sent: tuple[LetterRecord, ...], day: date, trede: int, why: str
) -> None:
    """Each letter other than the recommended one gets a reason that says how it departs."""
    s = standing(figures(), sent)
    assert ladder.deviation(s, ladder.advise(s, day), trede, f"trede-{trede}", day) == why


def test_the_recommended_letter_needs_no_reason() -> None:
    """The recommended letter, and a re-run of a pending one, are no departure."""
    s = standing(figures(), (letter(2),))
    later = date(2026, 5, 1)
    assert ladder.deviation(s, ladder.advise(s, later), 3, "trede-3", later) is None
    pending = standing(figures(), pending=letter(2, sent=False))
    assert ladder.deviation(pending, ladder.advise(pending, DAY), 2, "trede-2", DAY) is None


def test_standings_count_only_sent_letters_of_the_open_case() -> None:
    """Concept letters and letters of a closed case do not count on the ladder."""
    old = LetterRecord(**{**letter(2).__dict__, "reference": "7400000", "case_id": 0})
    concept = LetterRecord(**{**letter(3, sent=False).__dict__, "concept": True})
    result = ladder.standings({"GM0622": figures()}, {"GM0622": CASE}, [old, letter(2), concept])
    s = result["GM0622"]
    assert [r.reference for r in s.sent] == ["7500002"]
    assert s.pending is None
    assert s.trede == 2
