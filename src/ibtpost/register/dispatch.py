"""The dispatch queue in the register (table ``dispatch``): its states and every change of
state, each a conditional update in one transaction with its audit event.

Each queued letter moves through these states::

    queued -> sending -> sent | failed | queued (a retry)
    queued | post | failed -> withdrawn -> queued | post   (ibtpost withdraw, then queue)
    post | failed | withdrawn -> posted                      (ibtpost post)

**Claimed.** A send run takes a letter with one compare-and-set: ``UPDATE ... SET
state='sending' WHERE reference=? AND state='queued'``, in its own IMMEDIATE transaction,
synced to disk before the message leaves (:func:`claim`). Only the run whose update changed
the row sends it; any other run, started at the same time or overlapping, sees that no row
changed and leaves the letter to the one that has it. ``withdraw`` and ``post`` change a
letter with the same kind of conditional update, so none of them can act on a letter
another one is sending.

**In doubt.** A letter in ``sending`` names the run that holds it; one whose run is gone
(:func:`mark_stranded`) was handed to a server by a run that died before it could record
the reply, and becomes ``in_doubt`` (see :mod:`ibtpost.mail.runs`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ibtpost.core import clock, validate
from ibtpost.core.errors import Location, UsageError
from ibtpost.register import audit
from ibtpost.register.db import Register

STATES = ("queued", "sending", "sent", "failed", "in_doubt", "post", "withdrawn", "posted")
#: States ``withdraw`` takes a letter out of: it has not been handed to a server.
WITHDRAWABLE = ("queued", "post", "failed")
#: States in which a letter waits for the post room.
FOR_THE_POST_ROOM = ("post", "failed")
#: States from which ``post`` may record a letter as posted.
POSTABLE = ("post", "failed", "withdrawn")

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


def enqueue(register: Register, batch: str, letters: list[Prepared]) -> tuple[int, int, int]:
    """Put letters of ``batch`` (and their copies) in the queue, once: an entry already
    queued keeps its state, a withdrawn one is queued again with its new message. Returns how
    many letters were queued, sent to the post room, and already there (copies not counted)."""
    queued = post = already = 0
    now = clock.stamp()
    with register.transaction():
        for item in letters:
            state = "post" if item.college is None else "queued"
            before = register.db.execute(
                "SELECT state FROM dispatch WHERE reference=? AND role=?",
                (item.reference, item.role),
            ).fetchone()
            if before is not None and before[0] != "withdrawn":
                already += item.role == LETTER
                continue
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
            audit.record(
                register,
                audit.LETTER_QUEUED if item.role == LETTER else audit.COPY_QUEUED,
                reference=item.reference,
                batch=batch,
                data={
                    **({} if item.role == LETTER else {"role": item.role}),
                    **({"addressee": item.addressee} if item.addressee else {}),
                    "state": state,
                    "from": item.sender,
                    "to": item.college,
                    "cc": list(item.copies),
                    "message_id": item.message_id,
                    "message_sha256": item.message_sha256,
                    "spool": item.spool,
                    "pdf_sha256": item.pdf_sha256,
                    "only_file": item.only_file,
                    "missing": item.missing,
                    "requeued": before is not None,
                    "post_too": item.post_too,
                },
            )
            if item.role != LETTER:
                continue
            if state == "post":
                post += 1
            else:
                queued += 1
    return queued, post, already


def entries(
    register: Register,
    batch: str | None = None,
    states: tuple[str, ...] = STATES,
    *,
    copies: bool = False,
) -> list[QueueEntry]:
    """Queue entries of letters (of one batch), in reference order; with ``copies``, the
    copies that have a mail of their own as well, each right after its letter."""
    marks = ",".join("?" for _ in states)
    sql = f"SELECT {_COLUMNS} FROM dispatch WHERE state IN ({marks})"
    params: list[Any] = list(states)
    if not copies:
        sql += " AND role=?"
        params.append(LETTER)
    if batch is not None:
        sql += " AND batch=?"
        params.append(batch)
    order = " ORDER BY reference, role <> 'college', role"
    rows = register.db.execute(sql + order, params).fetchall()
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


def set_state(
    register: Register,
    reference: str,
    state: str,
    *,
    only_from: tuple[str, ...] = (),
    role: str = LETTER,
    **values: Any,
) -> bool:
    """Change one entry's state (inside the caller's transaction); with ``only_from``, only
    when it is in one of those states. Returns whether the row changed."""
    columns = {"state": state, "updated_at": clock.stamp(), **values}
    assignments = ", ".join(f"{name}=?" for name in columns)
    sql = f"UPDATE dispatch SET {assignments} WHERE reference=? AND role=?"
    params = [*columns.values(), reference, role]
    if only_from:
        sql += f" AND state IN ({','.join('?' for _ in only_from)})"
        params += only_from
    return register.db.execute(sql, params).rowcount == 1


def mark_stranded(register: Register, alive: Callable[[str | None], bool]) -> list[str]:
    """Letters left in ``sending`` by a run that died (``alive(run)`` is false): they become
    ``in_doubt``. A letter a live run (another ``send`` now) is sending is left alone."""
    stranded = []
    with register.transaction():
        for item in entries(register, states=("sending",), copies=True):
            if alive(item.run):
                continue
            why = "the run that sent it stopped before the reply was recorded"
            set_state(
                register,
                item.reference,
                "in_doubt",
                only_from=("sending",),
                role=item.role,
                reply=why,
            )
            audit.record(
                register,
                audit.LETTER_IN_DOUBT,
                reference=item.reference,
                batch=item.batch,
                data={"run": item.run, "reply": why, **_role(item)},
            )
            stranded.append(item.label)
    return stranded


def _role(item: QueueEntry) -> dict[str, str]:
    """``{"role": "raad"}`` for a copy's audit event; nothing for the letter."""
    return {"role": item.role} if item.is_copy else {}


def claim(
    register: Register,
    reference: str,
    run: str,
    transport: str,
    states: tuple[str, ...],
    role: str = LETTER,
) -> int | None:
    """Take a letter for sending if it is still in one of ``states``: one conditional
    update, on disk before the message leaves. Returns its attempt number, or None when
    another run (or ``withdraw``, or ``post``) changed it first."""
    with register.transaction(durable=True):
        marks = ",".join("?" for _ in states)
        changed = register.db.execute(
            "UPDATE dispatch SET state='sending', attempts=attempts+1, run=?, transport=?,"
            f" updated_at=? WHERE reference=? AND role=? AND state IN ({marks})",
            (run, transport, clock.stamp(), reference, role, *states),
        ).rowcount
        if changed != 1:
            return None
        row = register.db.execute(
            "SELECT attempts FROM dispatch WHERE reference=? AND role=?", (reference, role)
        ).fetchone()
    return int(row[0])


# -- withdrawing --------------------------------------------------------------------------


def withdraw(
    register: Register, batch: str, references: tuple[str, ...], reason: str
) -> list[QueueEntry]:
    """Take queued letters of ``batch`` out of the queue (all that can be, or
    ``references``), in one transaction: all named letters or none. A letter that is being
    sent, was sent, is in doubt or was posted is refused with the state it is in, and so is
    one whose copy is being sent or in doubt (the copies go with their letter)."""
    where = Location(None, None, "--reference")
    reason = validate.one_line(reason, "--reason")
    with register.transaction():
        queued: dict[str, QueueEntry] = {}
        copies: dict[str, list[QueueEntry]] = {}
        for e in entries(register, batch, copies=True):
            if e.is_copy:
                copies.setdefault(e.reference, []).append(e)
            else:
                queued[e.reference] = e
        if references:
            for reference in references:
                found = queued.get(reference)
                if found is None:
                    raise UsageError(_not_queued(register, batch, reference), where)
                if found.state not in WITHDRAWABLE:
                    raise UsageError(
                        f"{reference} is {_state_text(found.state)}: only a letter that is "
                        "queued, waiting for the post room or failed can be withdrawn",
                        where,
                    )
            chosen = [queued[r] for r in dict.fromkeys(references)]
        else:
            chosen = [e for e in queued.values() if e.state in WITHDRAWABLE]
            if not chosen:
                raise UsageError(
                    f"batch {batch} has no letter to withdraw (none queued, waiting for the "
                    "post room or failed)",
                    Location(None, None, "BATCH"),
                    hint="see `ibtpost outbox`",
                )
        for item in chosen:
            busy = [c for c in copies.get(item.reference, []) if c.state in ("sending", "in_doubt")]
            if busy:
                raise UsageError(
                    f"{item.reference} cannot be withdrawn: its copy {busy[0].label} is "
                    f"{_state_text(busy[0].state)}",
                    where,
                    hint="wait for the send run to finish, then see `ibtpost outbox`",
                )
        for item in chosen:
            if not set_state(
                register, item.reference, "withdrawn", only_from=WITHDRAWABLE, reply=reason
            ):
                raise UsageError(f"{item.reference} changed state while being withdrawn", where)
            audit.record(
                register,
                audit.LETTER_WITHDRAWN,
                reference=item.reference,
                batch=batch,
                data={"reason": reason, "state": item.state, "message_sha256": item.message_sha256},
            )
            for copy in copies.get(item.reference, []):  # the copies go with the letter
                if set_state(
                    register,
                    copy.reference,
                    "withdrawn",
                    only_from=WITHDRAWABLE,
                    role=copy.role,
                    reply=reason,
                ):
                    audit.record(
                        register,
                        audit.LETTER_WITHDRAWN,
                        reference=copy.reference,
                        batch=batch,
                        data={"reason": reason, "state": copy.state, **_role(copy)},
                    )
    return chosen


def _not_queued(register: Register, batch: str, reference: str) -> str:
    """Why ``reference`` is not a queue entry of ``batch``."""
    letter = register.letter_by_reference(reference)
    if letter is None:
        return f"no letter with reference {reference}"
    if letter.batch != batch:
        return f"{reference} is in batch {letter.batch}, not in {batch}"
    return f"{reference} is not queued (run `ibtpost queue {batch}` first)"


def _state_text(state: str) -> str:
    """A state as a sentence fragment: ``being sent``, ``in doubt``."""
    return {
        "sending": "being sent",
        "in_doubt": "in doubt",
        "post": "waiting for the post room",
    }.get(state, state)


# -- the outbox ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchSummary:
    """One line of ``ibtpost outbox``."""

    batch: str
    letters: int
    not_queued: int
    queued: int
    sent: int
    failed: int
    in_doubt: int
    post: int  # waiting for the post room: no e-mail address known, or failed
    posted: int
    complete: bool
    concept: bool
    withdrawn: int = 0


def outbox_summary(register: Register) -> list[BatchSummary]:
    """Per batch how many letters are queued, sent, failed, in doubt or for the post room."""
    out = []
    for batch in register.batches():
        letters = register.batch_letters(batch.id)
        states = {e.reference: e.state for e in entries(register, batch.id)}
        count = {state: sum(1 for s in states.values() if s == state) for state in STATES}
        out.append(
            BatchSummary(
                batch=batch.id,
                letters=len(letters),
                not_queued=sum(1 for letter in letters if letter.reference not in states),
                queued=count["queued"] + count["sending"],
                sent=count["sent"],
                failed=count["failed"],
                in_doubt=count["in_doubt"],
                post=len(for_the_post_room(register, batch.id)),
                posted=sum(1 for letter in letters if letter.sent_via == "post"),
                complete=batch.completed_at is not None,
                concept=batch.concept,
                withdrawn=count["withdrawn"],
            )
        )
    return out


def copies_for_the_post_room(register: Register, batch: str) -> list[QueueEntry]:
    """The copies of ``batch``'s letters waiting for the post room (no address known, or
    their mail failed), not yet posted, each with its own place in the post room's file."""
    return [e for e in entries(register, batch, FOR_THE_POST_ROOM, copies=True) if e.is_copy]


def for_the_post_room(register: Register, batch: str) -> list[str]:
    """The letters of ``batch`` waiting for the post room (no address known, failed, or going
    by post as well as by e-mail), not yet posted, in reference order."""
    posted = {x.reference for x in register.batch_letters(batch) if x.sent_via == "post"}
    return [
        item.reference
        for item in entries(register, batch)
        if (item.state in FOR_THE_POST_ROOM or (item.post_too and item.state != "withdrawn"))
        and item.reference not in posted
    ]
