"""The dispatch queue in the register (table ``dispatch``): its rows, read and changed with
generic, parameterised SQL.

What the states mean, and which change is allowed from which state, is dispatch's own
business (:mod:`ibtpost.dispatch.states`): this module knows no state by name. Every change
of a row is a conditional update (:func:`move`): it changes the row only when it is in one
of the states the caller names, and says whether it did.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ibtpost.core import clock
from ibtpost.register import Register

#: The role of the queue entry that carries the letter itself (To the college, Cc the CdK);
#: a copy with a mail of its own has the role of its recipient (``raad``, ``gs``).
LETTER = "college"
_COLUMNS = (
    "reference, batch, state, only_file, sender, college, copies, message_id, message_sha256,"
    " spool, attempts, reply, queued_at, sent_at, run, transport, post_too, role, addressee"
)


@dataclass(frozen=True)
class QueueEntry:
    """A letter in the dispatch queue, with the envelope and message frozen at ``queue``."""

    reference: str
    batch: str
    state: str
    only_file: str | None  # why this letter may not leave the machine, if so
    sender: str | None
    college: str | None
    copies: tuple[str, ...]
    message_id: str | None
    message_sha256: str | None  # of the frozen message (without Date)
    spool: str | None  # its file name under the batch folder's spool/
    attempts: int
    reply: str | None
    queued_at: str = ""
    sent_at: str | None = None
    run: str | None = None
    transport: str | None = None
    post_too: bool = False  # goes by post as well (delivery: mail and post)
    role: str = LETTER  # "college": the letter; "raad", "gs": a copy with a mail of its own
    addressee: str | None = None  # a copy's recipient: "Aan de gemeenteraad van Vlaardingen"

    @property
    def is_copy(self) -> bool:
        """A copy of the letter to another recipient (not the letter to the college)."""
        return self.role != LETTER

    @property
    def label(self) -> str:
        """``7468089`` for the letter, ``7468089-raad`` for a copy (also its file name)."""
        return self.reference if self.role == LETTER else f"{self.reference}-{self.role}"


def parse_label(label: str) -> tuple[str, str]:
    """``("7468089", "college")`` for ``7468089``, ``("7468089", "raad")`` for a copy's
    label ``7468089-raad`` (:attr:`QueueEntry.label`)."""
    reference, _, role = label.partition("-")
    return reference, role or LETTER


@dataclass(frozen=True)
class Prepared:
    """A letter ready for the queue: its frozen message and envelope, or None for the post
    room."""

    reference: str
    college: str | None
    copies: tuple[str, ...]
    message_id: str | None
    only_file: str | None = None
    missing: str | None = None  # why it goes to the post room
    sender: str | None = None
    message_sha256: str | None = None
    spool: str | None = None
    pdf_sha256: str | None = None
    post_too: bool = False  # goes by post as well (delivery: mail and post)
    role: str = LETTER
    addressee: str | None = None  # a copy's recipient by name: "Aan de gemeenteraad van …"


def state_of(register: Register, reference: str, role: str = LETTER) -> str | None:
    """The state of one entry, or None when it was never queued."""
    row = register.db.execute(
        "SELECT state FROM dispatch WHERE reference=? AND role=?", (reference, role)
    ).fetchone()
    return str(row[0]) if row else None


def insert(register: Register, batch: str, item: Prepared, state: str) -> None:
    """Put one entry in the queue in ``state`` (or replace the one there, inside the
    caller's transaction)."""
    now = clock.stamp()
    register.db.execute(
        "INSERT OR REPLACE INTO dispatch (reference, role, batch, state, only_file,"
        " sender, college, copies, message_id, message_sha256, spool, reply, attempts,"
        " queued_at, updated_at, post_too, addressee)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,?,?,?,?)",
        (
            item.reference,
            item.role,
            batch,
            state,
            item.only_file,
            item.sender,
            item.college,
            json.dumps(list(item.copies)),
            item.message_id,
            item.message_sha256,
            item.spool,
            item.missing,
            now,
            now,
            int(item.post_too),
            item.addressee,
        ),
    )


def entries(
    register: Register,
    batch: str | None = None,
    states: Iterable[str] | None = None,
    *,
    copies: bool = False,
) -> list[QueueEntry]:
    """Queue entries of letters (of one batch; in one of ``states``, or in any), in
    reference order; with ``copies``, the copies that have a mail of their own as well, each
    right after its letter."""
    sql = f"SELECT {_COLUMNS} FROM dispatch WHERE 1=1"
    params: list[Any] = []
    if states is not None:
        wanted = list(states)
        sql += f" AND state IN ({','.join('?' for _ in wanted)})"
        params += wanted
    if not copies:
        sql += " AND role=?"
        params.append(LETTER)
    if batch is not None:
        sql += " AND batch=?"
        params.append(batch)
    order = " ORDER BY reference, role <> ?, role"
    rows = register.db.execute(sql + order, [*params, LETTER]).fetchall()
    return [_entry(r) for r in rows]


def entry(register: Register, reference: str, role: str = LETTER) -> QueueEntry | None:
    """The queue entry of one letter (or of its copy to ``role``), if it was ever queued."""
    row = register.db.execute(
        f"SELECT {_COLUMNS} FROM dispatch WHERE reference=? AND role=?", (reference, role)
    ).fetchone()
    return _entry(row) if row else None


def copies_of(register: Register, reference: str) -> list[QueueEntry]:
    """The copies of a letter that have a queue entry of their own, by role."""
    rows = register.db.execute(
        f"SELECT {_COLUMNS} FROM dispatch WHERE reference=? AND role<>? ORDER BY role",
        (reference, LETTER),
    ).fetchall()
    return [_entry(r) for r in rows]


def _entry(r: Any) -> QueueEntry:
    return QueueEntry(
        r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6] or "[]")), r[7], r[8], r[9],
        r[10], r[11], r[12], r[13], r[14], r[15], bool(r[16]), r[17], r[18],
    )  # fmt: skip


def move(
    register: Register,
    reference: str,
    to: str,
    only_from: Iterable[str],
    *,
    role: str = LETTER,
    count_attempt: bool = False,
    **values: Any,
) -> bool:
    """Change one entry to state ``to`` (inside the caller's transaction), only when it is in
    one of the states ``only_from``; with ``count_attempt``, one more attempt. Other columns
    are set from ``values``. Returns whether the row changed."""
    sources = list(only_from)
    if not sources:
        raise ValueError("a change of state names the states it may come from")
    columns = {"state": to, "updated_at": clock.stamp(), **values}
    assignments = ", ".join(f"{name}=?" for name in columns)
    if count_attempt:
        assignments += ", attempts=attempts+1"
    sql = (
        f"UPDATE dispatch SET {assignments} WHERE reference=? AND role=?"
        f" AND state IN ({','.join('?' for _ in sources)})"
    )
    params = [*columns.values(), reference, role, *sources]
    return register.db.execute(sql, params).rowcount == 1


def attempts(register: Register, reference: str, role: str = LETTER) -> int:
    """How many attempts an entry has had."""
    row = register.db.execute(
        "SELECT attempts FROM dispatch WHERE reference=? AND role=?", (reference, role)
    ).fetchone()
    return int(row[0]) if row else 0
