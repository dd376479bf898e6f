"""The dispatch queue: letters of a batch go out by e-mail once, and only once.

Each queued letter moves through these states (table ``dispatch`` in the register):

``queued`` -> ``sending`` -> ``sent`` | ``failed`` | back to ``queued`` (a retry)

``sending`` is written and committed *before* the message is handed to the transport,
and the reply is recorded right after. A run that dies in between leaves the letter in
``sending``; the next run cannot know whether the server accepted it, so it marks the
letter ``in_doubt``, reports it and does not send it again unless told to
(``--resend-in-doubt``, with the same Message-ID so the receiver can recognise a repeat).
A letter in ``sent`` is never picked again. Letters without a known college or CdK
address are ``post``: they go to the post room's print file instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ibtpost import audit, failpoints
from ibtpost.ahead import compose_ahead
from ibtpost.register import Register
from ibtpost.transport import Outcome, Outgoing, Transport

STATES = ("queued", "sending", "sent", "failed", "in_doubt", "post")


@dataclass(frozen=True)
class QueueEntry:
    """A letter in the dispatch queue."""

    reference: str
    batch: str
    state: str
    only_file: str | None  # why this letter may not leave the machine, if so
    college: str | None
    copies: tuple[str, ...]
    message_id: str | None
    attempts: int
    reply: str | None


@dataclass
class SendReport:
    """What a send run did."""

    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # not for this transport
    attempts: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Prepared:
    """A letter ready for the queue: its addresses, or None for the post room."""

    reference: str
    college: str | None
    copies: tuple[str, ...]
    message_id: str | None
    only_file: str | None = None
    missing: str | None = None  # why it goes to the post room


def enqueue(register: Register, batch: str, letters: list[Prepared]) -> tuple[int, int, int]:
    """Put letters of ``batch`` in the queue (once: a letter already queued keeps its
    state). Returns how many were queued, sent to the post room, and already there."""
    queued = post = already = 0
    now = _now()
    with register.transaction():
        for item in letters:
            state = "post" if item.college is None else "queued"
            cursor = register.db.execute(
                "INSERT INTO dispatch (reference, batch, state, only_file, college, copies,"
                " message_id, reply, queued_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(reference) DO NOTHING",
                (
                    item.reference,
                    batch,
                    state,
                    item.only_file,
                    item.college,
                    json.dumps(list(item.copies)),
                    item.message_id,
                    item.missing,
                    now,
                    now,
                ),
            )
            if cursor.rowcount == 0:
                already += 1
                continue
            audit.record(
                register,
                audit.LETTER_QUEUED,
                reference=item.reference,
                batch=batch,
                data={
                    "state": state,
                    "college": item.college,
                    "copies": list(item.copies),
                    "message_id": item.message_id,
                    "only_file": item.only_file,
                    "missing": item.missing,
                },
            )
            if state == "post":
                post += 1
            else:
                queued += 1
    return queued, post, already


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def entries(
    register: Register, batch: str | None = None, states: tuple[str, ...] = STATES
) -> list[QueueEntry]:
    """Queue entries (of one batch), in reference order."""
    marks = ",".join("?" for _ in states)
    sql = (
        "SELECT reference, batch, state, only_file, college, copies, message_id, attempts,"
        f" reply FROM dispatch WHERE state IN ({marks})"
    )
    params: list[Any] = list(states)
    if batch is not None:
        sql += " AND batch=?"
        params.append(batch)
    rows = register.db.execute(sql + " ORDER BY reference", params).fetchall()
    return [
        QueueEntry(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5] or "[]")), r[6], r[7], r[8])
        for r in rows
    ]


def set_state(register: Register, reference: str, state: str, **values: Any) -> None:
    """Change one entry's state (inside the caller's transaction)."""
    columns = {"state": state, "updated_at": _now(), **values}
    assignments = ", ".join(f"{name}=?" for name in columns)
    register.db.execute(
        f"UPDATE dispatch SET {assignments} WHERE reference=?", [*columns.values(), reference]
    )


def mark_stranded(register: Register) -> list[str]:
    """Letters left in ``sending`` by a run that died: they become ``in_doubt``."""
    with register.transaction():
        stranded = [e.reference for e in entries(register, states=("sending",))]
        for reference in stranded:
            set_state(
                register,
                reference,
                "in_doubt",
                reply="the run that sent it stopped before the reply was recorded",
            )
    return stranded


MessageFor = Callable[[QueueEntry], Outgoing]


async def send_queue(
    register: Register,
    transport: Transport,
    message_for: MessageFor,
    *,
    batch: str | None = None,
    limit: int | None = None,
    max_attempts: int = 5,
    retry_delay: float = 30.0,
    rate_per_minute: float | None = None,
    resend_in_doubt: bool = False,
) -> SendReport:
    """Send what is queued (and, if asked, what is in doubt) through ``transport``."""
    started = time.perf_counter()
    report = SendReport()
    report.in_doubt = mark_stranded(register)
    wanted = ("queued", "in_doubt") if resend_in_doubt else ("queued",)
    todo = entries(register, batch, wanted)
    if limit is not None:
        todo = todo[:limit]
    interval = 60.0 / rate_per_minute if rate_per_minute else 0.0
    last_start = 0.0
    sendable = []
    for entry in todo:
        if entry.only_file and transport.live:
            report.refused.append((entry.reference, entry.only_file))
        else:
            sendable.append(entry)
    # The messages are composed in a child process, ahead of the loop, so composing (CPU)
    # and the SMTP dialogue (waiting) overlap.
    try:
        async with contextlib.aclosing(compose_ahead(message_for, sendable)) as messages:
            for entry in sendable:
                prepared = await anext(messages)
                last_start = await _send_one(
                    register,
                    transport,
                    entry,
                    prepared,
                    report,
                    max_attempts,
                    retry_delay,
                    interval,
                    last_start,
                )
    finally:
        await transport.close()  # also when composing or recording fails half-way
    report.seconds = time.perf_counter() - started
    return report


async def _send_one(
    register: Register,
    transport: Transport,
    entry: QueueEntry,
    prepared: Outgoing,
    report: SendReport,
    max_attempts: int,
    retry_delay: float,
    interval: float,
    last_start: float,
) -> float:
    """Deliver one letter with its retries and record the outcome; returns when the last
    attempt started (for the rate limit)."""
    attempt = entry.attempts
    while True:
        attempt += 1
        wait = last_start + interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        last_start = time.monotonic()
        with register.transaction(durable=True):  # on disk before the message leaves
            set_state(
                register, entry.reference, "sending", attempts=attempt, transport=transport.name
            )
        outcome = await transport.deliver(prepared)
        report.attempts += 1
        failpoints.hit("delivered", report.attempts)
        retry = outcome.verdict == "retry" and attempt < max_attempts
        # each attempt is one event, written with the state it leads to
        with register.transaction():
            audit.record(
                register,
                audit.SEND_ATTEMPT,
                reference=entry.reference,
                batch=entry.batch,
                data={
                    "attempt": attempt,
                    "transport": transport.name,
                    "message_id": entry.message_id,
                    "verdict": outcome.verdict,
                    "reply": outcome.reply,
                },
            )
            if retry:
                set_state(register, entry.reference, "queued", reply=outcome.reply)
            else:
                _record_outcome(register, transport, entry, outcome, attempt, report)
        if not retry:
            break
        await asyncio.sleep(retry_delay * 2 ** (attempt - entry.attempts - 1))
    failpoints.hit("recorded", len(report.sent) + len(report.failed))
    return last_start


def _record_outcome(
    register: Register,
    transport: Transport,
    entry: QueueEntry,
    outcome: Outcome,
    attempt: int,
    report: SendReport,
) -> None:
    """The last attempt's outcome: sent (and, for mail that left the machine, sent on the
    ladder) or failed, with its event; inside the caller's transaction."""
    if outcome.verdict == "sent":
        set_state(register, entry.reference, "sent", reply=outcome.reply, sent_at=_now())
        letter = register.letter_by_reference(entry.reference)
        # only mail that left the machine counts on the ladder (not .eml files)
        if transport.live and letter is not None and letter.sent_on is None and not letter.concept:
            register.record_sent(entry.reference, "mail", datetime.now(UTC).date())
        audit.record(
            register,
            audit.LETTER_SENT,
            reference=entry.reference,
            batch=entry.batch,
            data={"reply": outcome.reply, "transport": transport.name},
        )
        report.sent.append(entry.reference)
        return
    why = (
        outcome.reply
        if outcome.verdict == "failed"
        else f"gave up after {attempt} attempts: {outcome.reply}"
    )
    set_state(register, entry.reference, "failed", reply=why)
    audit.record(
        register,
        audit.LETTER_FAILED,
        reference=entry.reference,
        batch=entry.batch,
        data={"reply": why},
    )
    report.failed.append((entry.reference, why))


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
    post: int  # waiting for the post room (no e-mail address known)
    posted: int
    complete: bool
    concept: bool


def outbox_summary(register: Register) -> list[BatchSummary]:
    """Per batch how many letters are queued, sent, failed, in doubt or for the post room."""
    out = []
    for batch in register.batches():
        letters = register.batch_letters(batch.id)
        states = {e.reference: e.state for e in entries(register, batch.id)}
        posted = sum(1 for letter in letters if letter.sent_via == "post")
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
                post=sum(
                    1
                    for letter in letters
                    if states.get(letter.reference) == "post" and letter.sent_on is None
                ),
                posted=posted,
                complete=batch.completed_at is not None,
                concept=batch.concept,
            )
        )
    return out
