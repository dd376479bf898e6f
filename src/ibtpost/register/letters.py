"""Batches and their letters in the register: what a batch holds, each letter's files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ibtpost.core import clock
from ibtpost.core.domain import ReactionTerm, ReferenceSeries
from ibtpost.core.errors import Location, NextAction, RegisterError, UsageError
from ibtpost.core.records import BatchRecord, LetterKey, LetterRecord, PlannedLetter
from ibtpost.register import references as reference_register
from ibtpost.register.connection import Register


def letter(reg: Register, key: LetterKey) -> LetterRecord | None:
    """The recorded letter for ``key``, if any."""
    row = reg.db.execute(
        f"SELECT {_LETTER_COLUMNS} FROM letters"
        " WHERE letter=? AND municipality=? AND letter_date=?",
        (key.letter, key.municipality, key.day.isoformat()),
    ).fetchone()
    return _letter(row) if row else None


def letter_by_reference(reg: Register, reference: str) -> LetterRecord | None:
    """The recorded letter with this reference, if any."""
    row = reg.db.execute(
        f"SELECT {_LETTER_COLUMNS} FROM letters WHERE reference=?", (reference,)
    ).fetchone()
    return _letter(row) if row else None


def mark_kind(reg: Register, reference: str, kind: str, corrects: str | None) -> None:
    """Record what the letter ``reference`` is (a herstel, intrekking or afsluiting) and
    the letter it corrects or withdraws (a letter made on its own, not in a batch)."""
    with reg.transaction():
        reg.db.execute(
            "UPDATE letters SET kind=?, trede=NULL, corrects=? WHERE reference=?",
            (kind, corrects, reference),
        )


def corrections_of(reg: Register, reference: str) -> list[LetterRecord]:
    """The letters that correct or withdraw the letter ``reference`` (a herstel, an
    intrekking), in date and reference order."""
    rows = reg.db.execute(
        f"SELECT {_LETTER_COLUMNS} FROM letters WHERE corrects=? ORDER BY letter_date, reference",
        (reference,),
    ).fetchall()
    return [_letter(r) for r in rows]


def final_letter(reg: Register, reference: str, *, final: bool = True) -> LetterRecord:
    """The recorded letter ``reference``, for a record made on it (a reply, a motivering, a
    publication, a litigation event): UsageError naming the parameter ``reference`` when
    there is none, or (with ``final``) when it is a concept, which was never sent."""
    found = letter_by_reference(reg, reference)
    where = Location(None, None, "reference")
    if found is None:
        raise UsageError(
            key="error.unknown_reference", values={"reference": reference}, location=where
        )
    if final and found.concept:
        raise UsageError(
            key="error.concept_reference", values={"reference": reference}, location=where
        )
    return found


def open_batch(
    reg: Register, batch: BatchRecord, planned: Sequence[PlannedLetter], series: ReferenceSeries
) -> dict[str, str]:
    """Record ``batch`` and give each planned letter its reference, all in one transaction.

    A letter already in this batch keeps its reference; a concept letter of another
    batch moves here; a final letter of another batch is a conflict (RegisterError).
    Returns the reference per municipality code.
    """
    refs: dict[str, str] = {}
    with reg.transaction():
        reg.db.execute(
            "INSERT INTO batches (id, letter, letter_date, concept, reason, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
            (
                batch.id,
                batch.letter,
                batch.day.isoformat(),
                int(batch.concept),
                batch.reason,
                clock.stamp(),
            ),
        )
        for plan in planned:
            existing = letter(reg, plan.key)
            if (
                existing
                and existing.batch not in (None, batch.id)
                and (not existing.concept or existing.sent_on is not None)
            ):
                raise RegisterError(
                    f"{plan.key.municipality}: {plan.key.letter} of "
                    f"{plan.key.day.isoformat()} is already in batch {existing.batch}"
                )
            reference = reference_register._allocate(reg, plan.key, series, None)
            reg.db.execute(
                "UPDATE letters SET batch=?, trede=?, concept=?, term_deadline=?,"
                " reason=COALESCE(?, reason), sample=?, kind=?, corrects=?"
                " WHERE reference=? AND sent_on IS NULL",
                (
                    batch.id,
                    plan.trede,
                    int(batch.concept),
                    plan.deadline.isoformat() if plan.deadline else None,
                    plan.reason,
                    int(plan.sample),
                    plan.kind,
                    plan.corrects,
                    reference,
                ),
            )
            refs[plan.key.municipality] = reference
    return refs


def record_deadlines(reg: Register, deadlines: Mapping[str, date | None]) -> None:
    """Set the end of the term the ladder waits for, per reference (letters not sent)."""
    with reg.transaction():
        reg.db.executemany(
            "UPDATE letters SET term_deadline=? WHERE reference=? AND sent_on IS NULL",
            [(d.isoformat() if d else None, ref) for ref, d in deadlines.items()],
        )


def record_terms(
    reg: Register, terms: Mapping[str, tuple[date | None, ReactionTerm | None]]
) -> None:
    """Per reference (letters not sent): the end of the term the ladder waits for, and the
    term the letter asks a reaction by as its text states it (its e-mail states the same)."""
    with reg.transaction():
        reg.db.executemany(
            "UPDATE letters SET term_deadline=?, reaction_stated=?, reaction_deadline=?,"
            " reaction_weeks=? WHERE reference=? AND sent_on IS NULL",
            [
                (
                    deadline.isoformat() if deadline else None,
                    "none" if reaction is None else "date" if reaction.as_date else "period",
                    reaction.deadline.isoformat() if reaction else None,
                    reaction.weeks if reaction else None,
                    ref,
                )
                for ref, (deadline, reaction) in terms.items()
            ],
        )


def batch(reg: Register, batch_id: str) -> BatchRecord | None:
    """The batch with this id, if any."""
    row = reg.db.execute(
        "SELECT id, letter, letter_date, concept, reason, created_at, completed_at"
        " FROM batches WHERE id=?",
        (batch_id,),
    ).fetchone()
    if row is None:
        return None
    return BatchRecord(
        row[0], row[1], date.fromisoformat(row[2]), bool(row[3]), row[4], row[5], row[6]
    )


def batches(reg: Register) -> list[BatchRecord]:
    """Every batch, oldest first."""
    ids = reg.db.execute("SELECT id FROM batches ORDER BY created_at, id").fetchall()
    return [b for (i,) in ids if (b := batch(reg, i)) is not None]


def batch_letters(reg: Register, batch_id: str) -> list[LetterRecord]:
    """The letters of a batch in reference order."""
    rows = reg.db.execute(
        f"SELECT {_LETTER_COLUMNS} FROM letters WHERE batch=? ORDER BY reference",
        (batch_id,),
    ).fetchall()
    return [_letter(r) for r in rows]


def record_files(
    reg: Register, reference: str, docx_sha256: str, pdf_sha256: str, pages: int
) -> None:
    """Remember the hashes of a letter's finished files (after both are written)."""
    reg.db.execute(
        "UPDATE letters SET docx_sha256=?, pdf_sha256=?, pages=? WHERE reference=?",
        (docx_sha256, pdf_sha256, pages, reference),
    )


def finish_batch(reg: Register, batch_id: str) -> None:
    """Mark a batch complete (every file, the manifest and the print file written)."""
    reg.db.execute("UPDATE batches SET completed_at=? WHERE id=?", (clock.stamp(), batch_id))


_LETTER_COLUMNS = (
    "reference, letter, municipality, letter_date, batch, trede, concept, term_deadline,"
    " reason, docx_sha256, pdf_sha256, pages, sample, sent_on, sent_via, case_id,"
    " reaction_stated, reaction_deadline, reaction_weeks, kind, corrects"
)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _letter(row: Sequence[Any]) -> LetterRecord:
    return LetterRecord(
        reference=str(row[0]),
        letter=row[1],
        municipality=row[2],
        day=date.fromisoformat(row[3]),
        batch=row[4],
        trede=row[5],
        concept=bool(row[6]),
        deadline=_day(row[7]),
        reason=row[8],
        docx_sha256=row[9],
        pdf_sha256=row[10],
        pages=row[11],
        sample=bool(row[12]),
        sent_on=_day(row[13]),
        sent_via=row[14],
        case_id=row[15],
        reaction=(
            ReactionTerm(date.fromisoformat(row[17]), int(row[18]), as_date=row[16] == "date")
            if row[16] in ("date", "period")
            else None
        ),
        reaction_known=row[16] is not None,
        kind=str(row[19]),
        corrects=row[20],
    )


def complete_batch(reg: Register, batch_id: str) -> BatchRecord:
    """The batch with this id; a UsageError when there is none or it is not complete."""
    found = batch(reg, batch_id)
    if found is None:
        raise UsageError(
            f"no batch {batch_id!r}",
            Location(None, None, "batch"),
            hint=NextAction("outbox", why="hint.batch_id"),
        )
    if found.completed_at is None:
        raise UsageError(
            f"batch {batch_id} is not complete",
            hint=NextAction(
                "batch", {"letter": found.letter, "date": found.day.isoformat()}, why="hint.finish"
            ),
        )
    return found
