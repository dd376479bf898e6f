"""Sending the queue (``ibtpost send``): each letter's frozen message, exactly once.

**Frozen.** ``queue`` composed each letter's e-mail once and kept it in the batch folder's
``spool/`` with its SHA-256 and envelope (:mod:`ibtpost.dispatch.queue`); :func:`send`
delivers exactly those bytes to exactly that envelope, whatever the configuration says
later, after checking the hash. The Date header is not part of the frozen message: it is
put in front of it at each attempt.

**Exactly once.** Each letter is claimed with one conditional update
(:func:`ibtpost.dispatch.states.claim`), so any number of runs may send at once; a run
holds its lock file while it lives (:mod:`ibtpost.dispatch.runs`), so only a dead run's
letters become in doubt. A letter in ``sent`` is never picked again.

**A copy follows its letter.** A copy (to the gemeenteraad, to GS) is sent after its letter
and only when its letter was not refused: while the letter waits for the post room (no
address, or its mail failed) the copy goes there with it (:data:`~ibtpost.dispatch.states.ROOM`);
while the letter's frozen message is refused, the copy is not sent either. The CdK's own
copy of a letter that goes by post is mailed all the same: that is why it exists.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from ibtpost.core import clock, failpoints
from ibtpost.core.errors import IbtpostError
from ibtpost.core.layout import Layout
from ibtpost.core.progress import NO_PROGRESS, ProgressCallback
from ibtpost.dispatch import states
from ibtpost.dispatch.queue import changed_addresses
from ibtpost.dispatch.runs import SendRun, run_alive
from ibtpost.dispatch.states import FOR_THE_POST_ROOM, Channel, DispatchState, QueueEntry
from ibtpost.mail.message import for_test_recipient
from ibtpost.mail.transport import (
    PASSWORD_VARIABLE,
    URL_VARIABLE,
    USER_VARIABLE,
    Envelope,
    FileTransport,
    Outcome,
    Outgoing,
    SmtpTransport,
    Transport,
    Verdict,
    smtp_settings,
)
from ibtpost.register import Register, audit
from ibtpost.register import cases as case_register
from ibtpost.register import letters as letter_register
from ibtpost.register.letters import complete_batch

MAX_ATTEMPTS = 5
RETRY_DELAY = 30.0


@dataclass
class SendReport:
    """What a send run did."""

    sent: list[str] = field(default_factory=list)
    copies_sent: list[str] = field(default_factory=list)  # copies with a mail of their own
    failed: list[tuple[str, str]] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # not handed to the transport
    left: list[str] = field(default_factory=list)  # claimed by another run (or withdrawn)
    changed: list[str] = field(default_factory=list)  # address changed since queued
    to_post_room: list[str] = field(default_factory=list)  # copies gone with their letter
    attempts: int = 0
    seconds: float = 0.0


class SpoolError(IbtpostError):
    """A queued letter's frozen message is missing or differs from its recorded hash."""

    def __init__(self, message: str, found: str | None = None) -> None:
        super().__init__(message, hint="withdraw it and queue it again to compose it anew")
        self.found = found


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
    progress: ProgressCallback = NO_PROGRESS,
) -> SendReport:
    """Send what is queued (and, if asked, what is in doubt) through ``transport``.

    ``message_for`` gives an entry's frozen message (raising :class:`SpoolError` when it is
    missing or changed); ``now`` is the clock (the Date header, and the day a letter counts
    from); ``progress(done, total)`` follows the letters and copies handled.
    """
    options = settings or SendSettings()
    started = time.perf_counter()
    report = SendReport()
    with SendRun(register) as run:
        report.in_doubt = states.mark_stranded(register, lambda name: run_alive(run.folder, name))
        wanted = states.WAITING if options.resend_in_doubt else (DispatchState.QUEUED,)
        sender = _Sender(register, transport, run, options, wanted, report, now)
        todo = states.entries(register, options.batch, wanted, copies=True)
        total = _expected(todo, options.limit)
        try:
            progress(0, total)
            letters_done = 0  # --limit counts letters; a letter's copies go with it
            for done, item in enumerate(todo, start=1):
                if not item.is_copy:
                    if options.limit is not None and letters_done >= options.limit:
                        break
                    outcomes = len(report.sent) + len(report.failed)
                    await sender.one(item, message_for)
                    letters_done += len(report.sent) + len(report.failed) > outcomes
                else:
                    await sender.one(item, message_for)
                progress(min(done, total), total)
            progress(total, total)
        finally:
            await transport.close()  # also when recording fails half-way
    report.seconds = time.perf_counter() - started
    return report


def _expected(todo: list[QueueEntry], limit: int | None) -> int:
    """How many entries of ``todo`` a run with ``limit`` (letters) is expected to handle."""
    if limit is None:
        return len(todo)
    letters = 0
    for count, item in enumerate(todo):
        if not item.is_copy:
            if letters == limit:
                return count
            letters += 1
    return len(todo)


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
        self.refused_letters: set[str] = set()  # letters not handed over: their copies wait

    async def one(self, item: QueueEntry, message_for: MessageFor) -> None:
        """Deliver one letter (if this run gets it) and record the outcome."""
        if item.is_copy and self._follows_its_letter(item):
            return
        if item.only_file and self.transport.live:
            self._refused(item, f"{item.only_file}: only the file transport may take it")
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
            attempt = states.claim(
                self.register,
                item.reference,
                self.run.id,
                self.transport.name,
                self.wanted,
                item.role,
            )
            if attempt is None:
                self.report.left.append(item.label)
                return
            self.last_start = time.monotonic()
            outcome = await self.transport.deliver(dated(prepared, self.now()))
            self.report.attempts += 1
            failpoints.hit("delivered", self.report.attempts)
            retry = outcome.verdict == Verdict.RETRY and attempt < self.options.max_attempts
            tried = {
                "attempt": attempt,
                "transport": self.transport.name,
                "message_id": item.message_id,
                "verdict": outcome.verdict,
                "reply": outcome.reply,
                "run": self.run.id,
            }
            with self.register.transaction():  # each attempt is one event, with its state
                if retry:  # the attempt's event is the retry's
                    states.RETRY.must(self.register, item, tried, reply=outcome.reply, run=None)
                else:
                    audit.record(
                        self.register,
                        audit.SEND_ATTEMPT,
                        reference=item.reference,
                        batch=item.batch,
                        data={**tried, **({"role": item.role} if item.is_copy else {})},
                    )
                    self._record_outcome(item, outcome, attempt)
            if not retry:
                break
            await asyncio.sleep(retry_wait)
            retry_wait *= 2
        failpoints.hit("recorded", len(self.report.sent) + len(self.report.failed))

    def _follows_its_letter(self, copy: QueueEntry) -> bool:
        """A copy is not sent while its letter is refused in this run, or waits for the post
        room (no address, or its mail failed): it then goes to the post room with it. The
        CdK's own copy (of a letter that goes by post) is mailed all the same.
        Returns whether the copy was kept back."""
        if copy.reference in self.refused_letters:
            self._refused(copy, f"its letter {copy.reference} was not sent")
            return True
        if copy.role == "cdk":  # the CdK's own copy exists because its letter goes by post
            return False
        letter = states.entry(self.register, copy.reference)
        if letter is None or letter.state not in FOR_THE_POST_ROOM:
            return False
        why = f"its letter {copy.reference} waits for the post room ({letter.state})"
        data = {"reason": why, "state": str(copy.state)}
        if states.ROOM.apply(self.register, copy, data, reply=why):
            self.report.to_post_room.append(copy.label)
        else:
            self.report.left.append(copy.label)  # another run or withdraw has it
        return True

    def _refused(self, item: QueueEntry, why: str) -> None:
        """Not handed to the transport; a letter's copies are then kept back as well."""
        self.report.refused.append((item.label, why))
        if not item.is_copy:
            self.refused_letters.add(item.reference)

    def _refuse(self, item: QueueEntry, exc: SpoolError) -> None:
        """A frozen message that is missing or changed is not sent: reported and audited
        (once per run), the letter stays where it is."""
        with self.register.transaction():
            current = states.entry(self.register, item.reference, item.role)
            if current is None or current.state not in self.wanted:
                self.report.left.append(item.label)  # another run or withdraw has it
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
                    **({"role": item.role} if item.is_copy else {}),
                },
            )
        self._refused(item, exc.message)

    def _record_outcome(self, item: QueueEntry, outcome: Outcome, attempt: int) -> None:
        """The last attempt's outcome: sent (and, for mail that left the machine, sent on the
        ladder from today's Dutch date) or failed, with its event; inside the caller's
        transaction. A copy never counts on the ladder: only the letter to the college does."""
        register = self.register
        sent = outcome.verdict == Verdict.SENT
        why = (
            outcome.reply
            if sent or outcome.verdict == Verdict.FAILED
            else f"gave up after {attempt} attempts: {outcome.reply}"
        )
        data: dict[str, Any] = {"reply": why, "transport": self.transport.name}
        if item.is_copy:
            data = {"role": item.role, "to": item.college, **data}
        if not sent:
            states.FAILED.must(register, item, data, reply=why)
            self.report.failed.append((item.label, why))
            if states.cdk_follows_to_the_post_room(register, item):
                self.report.to_post_room.append(f"{item.reference}-{states.CDK}")
            return
        at = self.now()
        letter = (
            None if item.is_copy else letter_register.letter_by_reference(register, item.reference)
        )
        # only mail that left the machine counts on the ladder (not .eml files)
        counts = (
            self.transport.live
            and letter is not None
            and letter.sent_on is None
            and not letter.concept
            and not item.post_too  # counts from the posting date (bekendmaking)
        )
        if counts:
            data["sent_on"] = clock.dutch_day(at).isoformat()
        states.SENT.must(register, item, data, reply=outcome.reply, sent_at=clock.stamp(at))
        if counts:
            case_register.record_sent(register, item.reference, Channel.MAIL, clock.dutch_day(at))
        if item.is_copy:
            self.report.copies_sent.append(item.label)
        else:
            self.report.sent.append(item.reference)


def transport_from_environment(environ: Mapping[str, str] | None = None) -> Transport:
    """SMTP when IBTPOST_SMTP_URL is set, else the file transport."""
    env = os.environ if environ is None else environ
    url = env.get(URL_VARIABLE)
    if not url:
        return FileTransport()
    return SmtpTransport(smtp_settings(url, env.get(USER_VARIABLE), env.get(PASSWORD_VARIABLE)))


def frozen_message(root: Path) -> MessageFor:
    """Reads a queue entry's frozen message from its batch folder's ``spool/`` and checks it
    against the hash recorded at ``queue``."""

    def read(entry: QueueEntry) -> Outgoing:
        layout = Layout(root)
        folder = layout.batch(entry.batch).folder
        if not entry.spool or not entry.message_sha256 or not entry.college or not entry.sender:
            raise SpoolError(
                f"{entry.reference} was queued without a frozen message (before ibtpost "
                "froze messages at queue)"
            )
        path = layout.batch(entry.batch).spool / entry.spool
        shown = path.relative_to(layout.outbox).as_posix()  # BATCH/spool/NAME
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise SpoolError(f"{shown} is missing; the letter is not sent") from None
        found = hashlib.sha256(data).hexdigest()
        if found != entry.message_sha256:
            raise SpoolError(
                f"{shown} differs from the message queued "
                f"(SHA-256 {found[:12]}, queued {entry.message_sha256[:12]}); it is not sent",
                found,
            )
        envelope = Envelope(entry.sender, entry.college, entry.copies)
        return Outgoing(entry.label, data, envelope, folder)

    return read


@dataclass(frozen=True)
class SendOptions(SendSettings):
    """The options of `ibtpost send`: how to send, and the two modes that send nothing."""

    dry_run: bool = False
    test_to: str | None = None


def send(
    root: Path,
    options: SendOptions,
    transport: Transport | None = None,
    progress: ProgressCallback = NO_PROGRESS,
) -> SendReport:
    """Send the queue (of one batch) through the configured transport: each letter's frozen
    message to its frozen envelope. ``report.changed`` lists letters whose address in
    ``config/`` changed since they were queued (they go to the recorded one);
    ``progress(done, total)`` follows the letters and copies handled."""
    transport = transport or transport_from_environment()
    with Register.for_root(root) as register:
        if options.batch is not None:
            complete_batch(register, options.batch)
        changed = changed_addresses(root, register, options.batch)
        if options.dry_run:
            todo = _with_copies(register, options)
            report = SendReport(changed=changed)
            report.sent = [e.reference for e in todo if not e.is_copy]
            report.copies_sent = [e.label for e in todo if e.is_copy]
            return report
        if options.test_to is not None:
            report = asyncio.run(_send_test(root, register, transport, options, options.test_to))
        else:
            failpoints.hit("send-start")
            report = asyncio.run(
                send_queue(register, transport, frozen_message(root), options, progress=progress)
            )
    report.changed = changed
    return report


def _with_copies(register: Register, options: SendOptions) -> list[QueueEntry]:
    """The queued letters (the first ``options.limit`` of them) and their queued copies."""
    queued = (DispatchState.QUEUED,)
    letters = states.entries(register, options.batch, queued)[: options.limit]
    chosen = {e.reference for e in letters}
    return [
        e
        for e in states.entries(register, options.batch, queued, copies=True)
        if e.reference in chosen or (e.is_copy and options.limit is None)
    ]


async def _send_test(
    root: Path, register: Register, transport: Transport, options: SendOptions, test_to: str
) -> SendReport:
    """Test mode: deliver the queued letters' frozen messages to the test address only (To
    rewritten, no Cc). The queue is left as it is (a letter sent to a test address has not
    been sent), and each delivery is an audit event that names the test address."""
    report = SendReport()
    todo = _with_copies(register, options)
    read = frozen_message(root)
    try:
        for entry in todo:
            if entry.only_file and transport.live:
                report.refused.append(
                    (entry.label, f"{entry.only_file}: only the file transport may take it")
                )
                continue
            try:
                frozen = read(entry)
            except SpoolError as exc:
                report.refused.append((entry.label, exc.message))
                continue
            data = for_test_recipient(frozen.data, test_to, entry.college or "", entry.copies)
            envelope = Envelope(frozen.envelope.sender, test_to, ())
            outgoing = dated(replace(frozen, data=data, envelope=envelope), clock.now())
            outcome = await transport.deliver(outgoing)
            report.attempts += 1
            audit.record(
                register,
                audit.SEND_ATTEMPT,
                reference=entry.reference,
                batch=entry.batch,
                data={
                    "test_to": test_to,
                    "transport": transport.name,
                    "verdict": outcome.verdict,
                    "reply": outcome.reply,
                    **({"role": entry.role} if entry.is_copy else {}),
                },
            )
            if outcome.verdict != Verdict.SENT:
                report.failed.append((entry.label, outcome.reply))
            elif entry.is_copy:
                report.copies_sent.append(entry.label)
            else:
                report.sent.append(entry.reference)
    finally:
        await transport.close()
    return report
