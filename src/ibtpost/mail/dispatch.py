"""The dispatch queue: each queued letter goes out once, exactly as it was queued.

Each queued letter moves through these states (table ``dispatch`` in the register)::

    queued -> sending -> sent | failed | queued (a retry)
    queued | post | failed -> withdrawn -> queued | post   (ibtpost withdraw, then queue)
    post | failed | withdrawn -> posted                      (ibtpost post)

**Frozen.** ``queue`` composes each letter's e-mail once and keeps it in the batch
folder's ``spool/`` with its SHA-256 and its envelope (From, To, Cc) in the queue row;
``send`` delivers exactly those bytes to exactly that envelope, whatever the
configuration says later, after checking the hash. The Date header is not part of the
frozen message: it is put in front of it at each attempt.

**Claimed.** A run takes a letter with one compare-and-set: ``UPDATE ... SET
state='sending' WHERE reference=? AND state='queued'``, in its own IMMEDIATE transaction,
synced to disk before the message leaves. Only the run whose update changed the row sends
it; any other run, started at the same time or overlapping, sees that no row changed and
leaves the letter to the one that has it. ``withdraw`` and ``post`` change a letter with
the same kind of conditional update, so none of them can act on a letter another one is
sending.

**Never twice.** A letter in ``sending`` names the run that holds it. Each run holds an
exclusive ``flock`` on its own file under ``outbox/runs/`` for as long as it lives; the
kernel releases it when the process ends, however it ends. A letter left in ``sending``
by a run whose lock is free was handed to the server by a run that died before it could
record the reply: it becomes ``in_doubt``, is reported, and is not sent again unless told
to (``--resend-in-doubt``, with the same Message-ID so the receiver can recognise a
repeat). A letter in ``sent`` is never picked again. Letters without a known address are
``post``: they go to the post room's print file instead, as do letters that ``failed``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import fcntl
import json
import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from ibtpost import clock, failpoints
from ibtpost.errors import IbtpostError, Location, UsageError
from ibtpost.mail.transport import Outcome, Outgoing, Transport
from ibtpost.register import Register, audit

STATES = ("queued", "sending", "sent", "failed", "in_doubt", "post", "withdrawn", "posted")
#: States ``withdraw`` takes a letter out of: it has not been handed to a server.
WITHDRAWABLE = ("queued", "post", "failed")
#: States in which a letter waits for the post room.
FOR_THE_POST_ROOM = ("post", "failed")
#: States from which ``post`` may record a letter as posted.
POSTABLE = ("post", "failed", "withdrawn")

#: ``send`` defaults, also used by the command line.
MAX_ATTEMPTS = 5
RETRY_DELAY = 30.0

_COLUMNS = (
    "reference, batch, state, only_file, sender, college, copies, message_id, message_sha256,"
    " spool, attempts, reply, queued_at, sent_at, run, transport"
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


@dataclass
class SendReport:
    """What a send run did."""

    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # not handed to the transport
    left: list[str] = field(default_factory=list)  # claimed by another run (or withdrawn)
    changed: list[str] = field(default_factory=list)  # address changed since queued
    attempts: int = 0
    seconds: float = 0.0


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


class SpoolError(IbtpostError):
    """A queued letter's frozen message is missing or differs from its recorded hash."""

    def __init__(self, message: str, found: str | None = None) -> None:
        super().__init__(message, hint="withdraw it and queue it again to compose it anew")
        self.found = found


def enqueue(register: Register, batch: str, letters: list[Prepared]) -> tuple[int, int, int]:
    """Put letters of ``batch`` in the queue, once: a letter already queued keeps its state,
    a withdrawn one is queued again with its new message. Returns how many were queued, sent
    to the post room, and already there."""
    queued = post = already = 0
    now = clock.stamp()
    with register.transaction():
        for item in letters:
            state = "post" if item.college is None else "queued"
            before = register.db.execute(
                "SELECT state FROM dispatch WHERE reference=?", (item.reference,)
            ).fetchone()
            if before is not None and before[0] != "withdrawn":
                already += 1
                continue
            register.db.execute(
                "INSERT OR REPLACE INTO dispatch (reference, batch, state, only_file, sender,"
                " college, copies, message_id, message_sha256, spool, reply, attempts,"
                " queued_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?,?)",
                (
                    item.reference,
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
                ),
            )
            audit.record(
                register,
                audit.LETTER_QUEUED,
                reference=item.reference,
                batch=batch,
                data={
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
                },
            )
            if state == "post":
                post += 1
            else:
                queued += 1
    return queued, post, already


def entries(
    register: Register, batch: str | None = None, states: tuple[str, ...] = STATES
) -> list[QueueEntry]:
    """Queue entries (of one batch), in reference order."""
    marks = ",".join("?" for _ in states)
    sql = f"SELECT {_COLUMNS} FROM dispatch WHERE state IN ({marks})"
    params: list[Any] = list(states)
    if batch is not None:
        sql += " AND batch=?"
        params.append(batch)
    rows = register.db.execute(sql + " ORDER BY reference", params).fetchall()
    return [_entry(r) for r in rows]


def entry(register: Register, reference: str) -> QueueEntry | None:
    """The queue entry of one letter, if it was ever queued."""
    row = register.db.execute(
        f"SELECT {_COLUMNS} FROM dispatch WHERE reference=?", (reference,)
    ).fetchone()
    return _entry(row) if row else None


def _entry(r: Any) -> QueueEntry:
    return QueueEntry(
        r[0], r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6] or "[]")), r[7], r[8], r[9],
        r[10], r[11], r[12], r[13], r[14], r[15],
    )  # fmt: skip


def set_state(
    register: Register,
    reference: str,
    state: str,
    *,
    only_from: tuple[str, ...] = (),
    **values: Any,
) -> bool:
    """Change one entry's state (inside the caller's transaction); with ``only_from``, only
    when it is in one of those states. Returns whether the row changed."""
    columns = {"state": state, "updated_at": clock.stamp(), **values}
    assignments = ", ".join(f"{name}=?" for name in columns)
    sql = f"UPDATE dispatch SET {assignments} WHERE reference=?"
    params = [*columns.values(), reference]
    if only_from:
        sql += f" AND state IN ({','.join('?' for _ in only_from)})"
        params += only_from
    return register.db.execute(sql, params).rowcount == 1


# -- send runs ----------------------------------------------------------------------------


class SendRun:
    """One ``send`` run: an id, and an exclusive lock on ``outbox/runs/<id>.lock`` held for
    as long as the process lives (the kernel drops it when the process ends, even killed)."""

    def __init__(self, register: Register) -> None:
        self.folder = runs_folder(register)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        self.path = self.folder / f"{self.id}.lock"
        self._fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def close(self) -> None:
        """The run is over: remove its lock file and release the lock."""
        self.path.unlink(missing_ok=True)
        os.close(self._fd)

    def __enter__(self) -> SendRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def runs_folder(register: Register) -> Path:
    """Where send runs keep their lock files: ``outbox/runs/``."""
    return register.path.parent / "runs"


def run_alive(folder: Path, run: str | None) -> bool:
    """Whether the send run ``run`` still holds its lock (its process lives)."""
    if not run or "/" in run:
        return False
    path = folder / f"{run}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        path.unlink(missing_ok=True)  # a dead run's lock file
        return False
    finally:
        os.close(fd)  # closing releases the lock this check took


def mark_stranded(register: Register) -> list[str]:
    """Letters left in ``sending`` by a run that died: they become ``in_doubt``. A letter a
    live run (another ``send`` now) is sending is left alone."""
    folder = runs_folder(register)
    stranded = []
    with register.transaction():
        for item in entries(register, states=("sending",)):
            if run_alive(folder, item.run):
                continue
            why = "the run that sent it stopped before the reply was recorded"
            set_state(register, item.reference, "in_doubt", only_from=("sending",), reply=why)
            audit.record(
                register,
                audit.LETTER_IN_DOUBT,
                reference=item.reference,
                batch=item.batch,
                data={"run": item.run, "reply": why},
            )
            stranded.append(item.reference)
    return stranded


def claim(
    register: Register, reference: str, run: SendRun, transport: str, states: tuple[str, ...]
) -> int | None:
    """Take a letter for sending if it is still in one of ``states``: one conditional
    update, on disk before the message leaves. Returns its attempt number, or None when
    another run (or ``withdraw``, or ``post``) changed it first."""
    with register.transaction(durable=True):
        marks = ",".join("?" for _ in states)
        changed = register.db.execute(
            "UPDATE dispatch SET state='sending', attempts=attempts+1, run=?, transport=?,"
            f" updated_at=? WHERE reference=? AND state IN ({marks})",
            (run.id, transport, clock.stamp(), reference, *states),
        ).rowcount
        if changed != 1:
            return None
        row = register.db.execute(
            "SELECT attempts FROM dispatch WHERE reference=?", (reference,)
        ).fetchone()
    return int(row[0])


# -- sending ------------------------------------------------------------------------------

MessageFor = Callable[[QueueEntry], Outgoing]
Clock = Callable[[], datetime]


def dated(outgoing: Outgoing, at: datetime) -> Outgoing:
    """The frozen message with its Date header in front (the hashed bytes follow as they
    are)."""
    header = f"Date: {format_datetime(at)}\r\n".encode("ascii")
    return dataclasses.replace(outgoing, data=header + outgoing.data)


@dataclass(frozen=True)
class SendSettings:
    """How ``send_queue`` goes about it."""

    batch: str | None = None
    limit: int | None = None
    max_attempts: int = MAX_ATTEMPTS
    retry_delay: float = RETRY_DELAY
    rate_per_minute: float | None = None
    resend_in_doubt: bool = False


async def send_queue(
    register: Register,
    transport: Transport,
    message_for: MessageFor,
    settings: SendSettings | None = None,
    *,
    now: Clock = clock.now,
) -> SendReport:
    """Send what is queued (and, if asked, what is in doubt) through ``transport``.

    ``message_for`` gives an entry's frozen message (raising :class:`SpoolError` when it is
    missing or changed); ``now`` is the clock (the Date header, and the day a letter counts
    from).
    """
    options = settings or SendSettings()
    started = time.perf_counter()
    report = SendReport()
    with SendRun(register) as run:
        report.in_doubt = mark_stranded(register)
        wanted = ("queued", "in_doubt") if options.resend_in_doubt else ("queued",)
        sender = _Sender(register, transport, run, options, wanted, report, now)
        try:
            for item in entries(register, options.batch, wanted):
                if options.limit is not None and len(report.sent) + len(report.failed) >= (
                    options.limit
                ):
                    break
                await sender.one(item, message_for)
        finally:
            await transport.close()  # also when recording fails half-way
    report.seconds = time.perf_counter() - started
    return report


class _Sender:
    """One run's loop over the letters: claim, deliver with retries, record."""

    def __init__(
        self,
        register: Register,
        transport: Transport,
        run: SendRun,
        options: SendSettings,
        wanted: tuple[str, ...],
        report: SendReport,
        now: Clock,
    ) -> None:
        self.register = register
        self.transport = transport
        self.run = run
        self.options = options
        self.wanted = wanted
        self.report = report
        self.now = now
        self.interval = 60.0 / options.rate_per_minute if options.rate_per_minute else 0.0
        self.last_start = 0.0

    async def one(self, item: QueueEntry, message_for: MessageFor) -> None:
        """Deliver one letter (if this run gets it) and record the outcome."""
        if item.only_file and self.transport.live:
            self.report.refused.append(
                (item.reference, f"{item.only_file}: only the file transport may take it")
            )
            return
        try:
            prepared = message_for(item)
        except SpoolError as exc:
            self._refuse(item, exc)
            return
        retry_wait = self.options.retry_delay
        while True:
            wait = self.last_start + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            attempt = claim(
                self.register, item.reference, self.run, self.transport.name, self.wanted
            )
            if attempt is None:
                self.report.left.append(item.reference)
                return
            self.last_start = time.monotonic()
            outcome = await self.transport.deliver(dated(prepared, self.now()))
            self.report.attempts += 1
            failpoints.hit("delivered", self.report.attempts)
            retry = outcome.verdict == "retry" and attempt < self.options.max_attempts
            with self.register.transaction():  # each attempt is one event, with its state
                audit.record(
                    self.register,
                    audit.SEND_ATTEMPT,
                    reference=item.reference,
                    batch=item.batch,
                    data={
                        "attempt": attempt,
                        "transport": self.transport.name,
                        "message_id": item.message_id,
                        "verdict": outcome.verdict,
                        "reply": outcome.reply,
                        "run": self.run.id,
                    },
                )
                if retry:
                    set_state(
                        self.register, item.reference, "queued", reply=outcome.reply, run=None
                    )
                else:
                    self._record_outcome(item, outcome, attempt)
            if not retry:
                break
            await asyncio.sleep(retry_wait)
            retry_wait *= 2
        failpoints.hit("recorded", len(self.report.sent) + len(self.report.failed))

    def _refuse(self, item: QueueEntry, exc: SpoolError) -> None:
        """A frozen message that is missing or changed is not sent: reported and audited
        (once per run), the letter stays where it is."""
        with self.register.transaction():
            current = entry(self.register, item.reference)
            if current is None or current.state not in self.wanted:
                self.report.left.append(item.reference)  # another run or withdraw has it
                return
            audit.record(
                self.register,
                audit.SEND_REFUSED,
                reference=item.reference,
                batch=item.batch,
                data={
                    "spool": item.spool,
                    "expected_sha256": item.message_sha256,
                    "found_sha256": exc.found,
                    "reason": exc.message,
                },
            )
        self.report.refused.append((item.reference, exc.message))

    def _record_outcome(self, item: QueueEntry, outcome: Outcome, attempt: int) -> None:
        """The last attempt's outcome: sent (and, for mail that left the machine, sent on the
        ladder from today's Dutch date) or failed, with its event; inside the caller's
        transaction."""
        register = self.register
        if outcome.verdict == "sent":
            at = self.now()
            set_state(
                register, item.reference, "sent", reply=outcome.reply, sent_at=clock.stamp(at)
            )
            letter = register.letter_by_reference(item.reference)
            data: dict[str, Any] = {"reply": outcome.reply, "transport": self.transport.name}
            # only mail that left the machine counts on the ladder (not .eml files)
            if (
                self.transport.live
                and letter is not None
                and letter.sent_on is None
                and not letter.concept
            ):
                day = clock.dutch_day(at)
                register.record_sent(item.reference, "mail", day)
                data["sent_on"] = day.isoformat()
            audit.record(
                register, audit.LETTER_SENT, reference=item.reference, batch=item.batch, data=data
            )
            self.report.sent.append(item.reference)
            return
        why = (
            outcome.reply
            if outcome.verdict == "failed"
            else f"gave up after {attempt} attempts: {outcome.reply}"
        )
        set_state(register, item.reference, "failed", reply=why)
        audit.record(
            register,
            audit.LETTER_FAILED,
            reference=item.reference,
            batch=item.batch,
            data={"reply": why, "transport": self.transport.name},
        )
        self.report.failed.append((item.reference, why))


# -- withdrawing --------------------------------------------------------------------------


def withdraw(
    register: Register, batch: str, references: tuple[str, ...], reason: str
) -> list[QueueEntry]:
    """Take queued letters of ``batch`` out of the queue (all that can be, or
    ``references``), in one transaction: all named letters or none. A letter that is being
    sent, was sent, is in doubt or was posted is refused with the state it is in."""
    where = Location(None, None, "--reference")
    with register.transaction():
        queued = {e.reference: e for e in entries(register, batch)}
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
                post=sum(
                    1
                    for letter in letters
                    if states.get(letter.reference) in FOR_THE_POST_ROOM and letter.sent_on is None
                ),
                posted=sum(1 for letter in letters if letter.sent_via == "post"),
                complete=batch.completed_at is not None,
                concept=batch.concept,
                withdrawn=count["withdrawn"],
            )
        )
    return out


def for_the_post_room(register: Register, batch: str) -> list[str]:
    """The letters of ``batch`` waiting for the post room (no address known, or failed),
    not yet posted, in reference order."""
    waiting = []
    for item in entries(register, batch, FOR_THE_POST_ROOM):
        letter = register.letter_by_reference(item.reference)
        if letter is not None and letter.sent_on is None:
            waiting.append(item.reference)
    return waiting
