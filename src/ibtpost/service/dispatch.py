"""Queueing and sending (``ibtpost queue``, ``ibtpost send``, ``ibtpost outbox``; the
Verzenden screen): each use case with its summary in :class:`Line` objects.

The post room's use cases (withdraw, post-room, post, report) are in
:mod:`ibtpost.service.postroom`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ibtpost.core.progress import NO_PROGRESS, ProgressCallback
from ibtpost.dispatch import send as sending
from ibtpost.dispatch.delivery import BatchSummary, outbox_summary
from ibtpost.dispatch.queue import QueueResult, changed_addresses, queue_batch
from ibtpost.dispatch.send import SendOptions, SendReport, transport_from_environment
from ibtpost.dispatch.states import WITHDRAWABLE, DispatchState, QueueEntry, entries
from ibtpost.mail.transport import Transport
from ibtpost.register import Register
from ibtpost.register import letters as letter_register
from ibtpost.register.dispatch import parse_label
from ibtpost.register.letters import complete_batch
from ibtpost.service.common import Line, line

# -- queue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queued:
    """What queueing a batch did, and its summary: one line per letter not queued (a check
    failed) or newly sent to the post room, the checks, the counts, the post room's file."""

    result: QueueResult
    failed: list[Line]
    missing: list[Line]
    checks: Line | None  # None when no letter was checked in this run
    summary: Line
    post_room: Line | None  # None when no letter of the batch is to be printed

    @property
    def lines(self) -> list[Line]:
        """Every line of the summary, in order."""
        found = [*self.failed, *self.missing, self.checks, self.summary, self.post_room]
        return [x for x in found if x is not None]

    @property
    def ok(self) -> bool:
        """Whether every letter passed its checks."""
        return not self.result.failed


def require_complete(root: Path, batch_id: str) -> None:
    """UsageError unless the register has ``batch_id`` and it is complete (what queueing
    needs), without queueing anything."""
    with Register.for_root(root) as register:
        complete_batch(register, batch_id)


def queue(root: Path, batch_id: str, processes: int | None = None) -> Queued:
    """Put the letters of the complete batch ``batch_id`` in the dispatch queue, each after
    its checks (``processes`` for the checks: None for as many as there are cores)."""
    result = queue_batch(root, batch_id, processes)
    failed = len(result.failed)
    checks = None
    if result.checked:
        checks = line(
            "summary.queue.checks",
            checked=result.checked,
            cached=result.from_cache,
            seconds=result.check_seconds,
            failed=failed,
        )
    summary = line(
        "summary.queue",
        batch=result.batch,
        queued=result.queued,
        post=result.post,
        already=result.already,
        file_only=result.file_only,
        failed=line("summary.queue.failed", count=failed) if failed else "",
    )
    post_room = None
    if result.post_room_file is not None:
        post_room = line(
            "summary.queue.post_room", letters=result.by_post, file=result.post_room_file
        )
    return Queued(
        result,
        [line("summary.queue.not_queued", check=check) for check in result.failed],
        [line("summary.queue.missing", line=missing) for missing in result.missing],
        checks,
        summary,
        post_room,
    )


@dataclass(frozen=True)
class QueueState:
    """A letter of a batch as the queue has it (for the batch's page)."""

    entry: QueueEntry

    @property
    def only_file(self) -> str | None:
        """Why only the file transport may take it, or None."""
        return self.entry.only_file

    @property
    def withdrawable(self) -> bool:
        """Whether ``withdraw`` may take it out of the queue."""
        return self.entry.state in WITHDRAWABLE

    @property
    def checked(self) -> bool:
        """Whether its checks passed: it is in the queue (not withdrawn)."""
        return self.entry.state != DispatchState.WITHDRAWN


def queue_states(root: Path, batch_id: str) -> dict[str, QueueState]:
    """The queue entry of each queued letter of ``batch_id``, by reference."""
    with Register.for_root(root) as register:
        if letter_register.batch(register, batch_id) is None:
            return {}
        return {e.reference: QueueState(e) for e in entries(register, batch_id)}


# -- send -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """What a send run did and its summary: ``changed`` (a warning about letters whose
    address changed since they were queued), one line per letter or copy handled
    (``done``: sent, failed, gone to the post room; ``warnings``: in doubt, refused, left to
    another run), then the counts."""

    report: SendReport
    transport: str  # the transport's name
    dry_run: bool
    changed: list[Line]
    done: list[Line]
    warnings: list[Line]
    summary: Line
    post_room_batches: list[str] = field(default_factory=list)  # where failed letters wait

    @property
    def lines(self) -> list[Line]:
        """Every line of the summary, in order."""
        return [*self.changed, *self.done, *self.warnings, self.summary]

    @property
    def ok(self) -> bool:
        """Whether nothing failed and nothing was refused."""
        return not self.report.failed and not self.report.refused


def changed_lines(changed: list[str]) -> list[Line]:
    """The warning about letters whose address changed since they were queued (each still
    goes to the address recorded at queue), and one line per such letter; none if none."""
    if not changed:
        return []
    return [
        line("summary.send.changed", count=len(changed)),
        *(line("summary.send.changed.one", change=change) for change in changed),
    ]


def send(
    root: Path,
    options: SendOptions,
    transport: Transport | None = None,
    progress: ProgressCallback = NO_PROGRESS,
) -> Sent:
    """Send the queue (of ``options.batch``, or all of it) through ``transport`` (that of the
    environment when None); ``progress(done, total)`` after each letter or copy."""
    chosen = transport or transport_from_environment()
    report = sending.send(root, options, chosen, progress)
    copies = len(report.copies_sent)
    if options.dry_run:
        return Sent(
            report,
            chosen.name,
            True,
            changed_lines(report.changed),
            [
                *(line("summary.send.would", reference=r) for r in report.sent),
                *(line("summary.send.would_copy", label=label) for label in report.copies_sent),
            ],
            [],
            line(
                "summary.send.dry_run",
                letters=len(report.sent),
                copies=line("summary.send.dry_run.copies", count=copies) if copies else "",
                transport=chosen.name,
            ),
        )
    done = [
        *(line("summary.send.sent", reference=r) for r in report.sent),
        *(line("summary.send.sent_copy", label=label) for label in report.copies_sent),
        *(line("summary.send.failed", label=label, why=why) for label, why in report.failed),
        *(line("summary.send.to_post_room", label=label) for label in report.to_post_room),
    ]
    warnings = [
        *(line("summary.send.in_doubt", reference=r) for r in report.in_doubt),
        *(line("summary.send.refused", label=label, why=why) for label, why in report.refused),
        *(line("summary.send.left", label=label) for label in report.left),
    ]
    summary = line(
        "summary.send",
        sent=len(report.sent),
        copies=line("summary.send.copies", count=copies) if copies else "",
        failed=len(report.failed),
        in_doubt=len(report.in_doubt),
        refused=len(report.refused),
        left=len(report.left),
        attempts=report.attempts,
        transport=chosen.name,
        seconds=report.seconds,
    )
    waiting = [label for label, _ in report.failed] + report.to_post_room
    return Sent(
        report,
        chosen.name,
        False,
        changed_lines(report.changed),
        done,
        warnings,
        summary,
        _batches_of(root, waiting) if waiting else [],
    )


def _batches_of(root: Path, labels: list[str]) -> list[str]:
    """The batches of these letters or copies (``7500001``, ``7500001-raad``), sorted."""
    with Register.for_root(root) as register:
        letters = [
            letter_register.letter_by_reference(register, parse_label(label)[0]) for label in labels
        ]
    return sorted({x.batch for x in letters if x is not None and x.batch})


@dataclass(frozen=True)
class TransportInfo:
    """The transport ``send`` would use now, as the confirmation before sending shows it."""

    name: str
    live: bool  # whether messages leave the machine
    server: str | None  # scheme://host:port of an SMTP server


def transport_info() -> TransportInfo:
    """The transport of the environment (file transport unless IBTPOST_SMTP_URL is set); the
    error of a bad IBTPOST_SMTP_URL as it is."""
    chosen = transport_from_environment()
    settings = getattr(chosen, "settings", None)
    server = f"{settings.scheme}://{settings.host}:{settings.port}" if settings else None
    return TransportInfo(chosen.name, chosen.live, server)


@dataclass(frozen=True)
class SendCheck:
    """What sending a batch would take: its letters counted by state, and the queued ones
    only the file transport may take (sample data, concept)."""

    batch: str
    counts: dict[str, int]  # by DispatchState value
    only_file: list[QueueEntry]


def send_check(root: Path, batch_id: str) -> SendCheck | None:
    """What sending ``batch_id`` would take; None when there is no such batch."""
    with Register.for_root(root) as register:
        if letter_register.batch(register, batch_id) is None:
            return None
        queued = entries(register, batch_id)
    counts = {state.value: sum(e.state == state for e in queued) for state in DispatchState}
    only_file = [e for e in queued if e.state == DispatchState.QUEUED and e.only_file]
    return SendCheck(batch_id, counts, only_file)


# -- the outbox -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outbox:
    """``ibtpost outbox``: per batch its letters counted by state, and every letter waiting
    to be sent whose address changed since it was queued (with the warning before them)."""

    rows: list[BatchSummary]
    changed: list[str]

    @property
    def complete(self) -> list[BatchSummary]:
        """The rows of the complete batches (those that can be queued and sent)."""
        return [row for row in self.rows if row.complete]

    @property
    def changed_lines(self) -> list[Line]:
        """The warning about the changed addresses, one line each; none if none."""
        return changed_lines(self.changed)


def outbox(root: Path, *, changes: bool = True) -> Outbox:
    """Every batch counted by state (:func:`ibtpost.dispatch.delivery.outbox_summary`) and,
    with ``changes``, the letters whose address changed since they were queued."""
    with Register.for_root(root) as register:
        rows = outbox_summary(register)
        changed = changed_addresses(root, register, None) if changes else []
    return Outbox(rows, changed)
