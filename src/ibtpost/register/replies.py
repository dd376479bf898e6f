"""Replies and zienswijzen in the register (table ``replies``): what a college sent back on
a letter, when it was received, and the file kept of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ibtpost.core import clock
from ibtpost.core.domain import Reply
from ibtpost.register import Register


@dataclass(frozen=True)
class ReplyRecord:
    """One recorded reply."""

    id: int
    reference: str  # the letter it answers
    reply: Reply
    file: str | None  # under outbox/, the copy kept in the case
    sha256: str | None
    note: str | None


def add(
    register: Register,
    reference: str,
    reply: Reply,
    file: str | None,
    sha256: str | None,
    note: str | None,
) -> int:
    """Record a reply (inside the caller's transaction); its id."""
    cursor = register.db.execute(
        "INSERT INTO replies (reference, kind, received, file, sha256, note, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (reference, reply.kind, reply.received.isoformat(), file, sha256, note, clock.stamp()),
    )
    return int(cursor.lastrowid or 0)


def latest(register: Register) -> dict[str, Reply]:
    """The last reply received on each letter that has one, by reference."""
    rows = register.db.execute(
        "SELECT reference, kind, received FROM replies ORDER BY received, id"
    ).fetchall()
    return {str(r): Reply(kind, date.fromisoformat(day)) for r, kind, day in rows}


def of_letter(register: Register, reference: str) -> list[ReplyRecord]:
    """Every reply recorded on one letter, in the order received."""
    rows = register.db.execute(
        "SELECT id, reference, kind, received, file, sha256, note FROM replies"
        " WHERE reference=? ORDER BY received, id",
        (reference,),
    ).fetchall()
    return [
        ReplyRecord(i, r, Reply(kind, date.fromisoformat(day)), f, sha, note)
        for i, r, kind, day, f, sha, note in rows
    ]
