"""Supervision cases in the register: opened by the first letter sent, closed when the letter
that ends the supervision (an afsluiting) is sent; a letter counts on the ladder once it is
recorded as sent."""

from __future__ import annotations

from datetime import date

from ibtpost.core.errors import UsageError
from ibtpost.core.records import CaseRecord, LetterRecord
from ibtpost.register import audit
from ibtpost.register.connection import Register
from ibtpost.register.letters import _LETTER_COLUMNS, _letter


def all_letters(reg: Register) -> list[LetterRecord]:
    """Every letter, in date and reference order."""
    rows = reg.db.execute(
        f"SELECT {_LETTER_COLUMNS} FROM letters ORDER BY letter_date, reference"
    ).fetchall()
    return [_letter(r) for r in rows]


def open_cases(reg: Register) -> dict[str, CaseRecord]:
    """The open supervision case per municipality code."""
    rows = reg.db.execute(
        "SELECT id, municipality, opened_on, closed_on, closed_why FROM cases"
        " WHERE closed_on IS NULL"
    ).fetchall()
    return {r[1]: CaseRecord(r[0], r[1], date.fromisoformat(r[2]), None, None) for r in rows}


def mark_sent(reg: Register, reference: str, via: str, day: date) -> LetterRecord:
    """Record that a letter went out (by mail or post); it now counts on the ladder.

    Opens the municipality's supervision case when it has none. Refuses concept letters
    and letters already sent.
    """
    with reg.transaction():
        return record_sent(reg, reference, via, day)


def record_sent(reg: Register, reference: str, via: str, day: date) -> LetterRecord:
    """:meth:`mark_sent` inside the caller's transaction."""
    row = reg.db.execute(
        f"SELECT {_LETTER_COLUMNS} FROM letters WHERE reference=?", (reference,)
    ).fetchone()
    if row is None:
        raise UsageError(f"no letter with reference {reference}")
    letter = _letter(row)
    if letter.concept:
        raise UsageError(f"{reference} is a concept letter and cannot be sent")
    if letter.sent_on is not None:
        raise UsageError(
            f"{reference} was already sent by {letter.sent_via} on {letter.sent_on.isoformat()}"
        )
    case = reg.db.execute(
        "SELECT id FROM cases WHERE municipality=? AND closed_on IS NULL",
        (letter.municipality,),
    ).fetchone()
    if case is None:
        case_id = reg.db.execute(
            "INSERT INTO cases (municipality, opened_on) VALUES (?, ?)",
            (letter.municipality, day.isoformat()),
        ).lastrowid
    else:
        case_id = case[0]
    reg.db.execute(
        "UPDATE letters SET sent_on=?, sent_via=?, case_id=? WHERE reference=?",
        (day.isoformat(), via, case_id, reference),
    )
    if letter.kind == "afsluiting":  # the letter that ends the supervision: the case closes
        why = f"afsluiting {reference}"
        if close_case(reg, letter.municipality, day, why):
            audit.record(
                reg,
                audit.CASE_CLOSED,
                reference=reference,
                data={
                    "municipality": letter.municipality,
                    "case": case_id,
                    "date": day.isoformat(),
                    "why": why,
                },
            )
    return letter


def close_case(reg: Register, municipality: str, day: date, why: str) -> bool:
    """Close the open case of ``municipality``; False when it had none."""
    cursor = reg.db.execute(
        "UPDATE cases SET closed_on=?, closed_why=? WHERE municipality=? AND closed_on IS NULL",
        (day.isoformat(), why, municipality),
    )
    return cursor.rowcount > 0


def case_letters(reg: Register, case_id: int) -> list[LetterRecord]:
    """The sent letters of a case, in the order they were sent."""
    rows = reg.db.execute(
        f"SELECT {_LETTER_COLUMNS} FROM letters WHERE case_id=?"
        " ORDER BY sent_on, letter_date, reference",
        (case_id,),
    ).fetchall()
    return [_letter(r) for r in rows]
