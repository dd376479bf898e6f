"""The post room and the delivery report (``ibtpost withdraw``, ``post-room``, ``post``,
``report``): each use case with its summary in :class:`Line` objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ibtpost.data.config import load_config
from ibtpost.dispatch import postroom
from ibtpost.dispatch.postroom import Posted, PostPlace
from ibtpost.dispatch.report import ReportRow, delivery_report
from ibtpost.dispatch.states import QueueEntry
from ibtpost.register import Register
from ibtpost.register.letters import complete_batch
from ibtpost.service.common import Line, line


@dataclass(frozen=True)
class Withdrawn:
    """What withdrawing did: the letters and copies taken out of the queue, one line each,
    and the count."""

    batch: str
    entries: list[QueueEntry]
    lines: list[Line]
    summary: Line


def withdraw(root: Path, batch_id: str, labels: tuple[str, ...], reason: str) -> Withdrawn:
    """Take letters of ``batch_id`` (those named by ``labels``, ``7500001`` or
    ``7500001-raad``; all that can be when none) out of the queue, with ``reason``."""
    taken = postroom.withdraw(root, batch_id, labels, reason)
    return Withdrawn(
        batch_id,
        taken,
        [line("summary.withdraw.one", label=item.label, state=item.state) for item in taken],
        line("summary.withdraw", count=len(taken), batch=batch_id),
    )


@dataclass(frozen=True)
class PostRoom:
    """The batch's post-room file rebuilt: the envelopes in it, and the file (None when no
    letter waits for the post room: the file is removed)."""

    batch: str
    places: list[PostPlace]
    path: Path | None

    @property
    def copies(self) -> int:
        """How many of the envelopes hold a copy."""
        return sum(1 for place in self.places if place.addressee)

    @property
    def letters(self) -> int:
        """How many of the envelopes hold a letter."""
        return len(self.places) - self.copies

    @property
    def listing(self) -> Path | None:
        """The envelopes' list beside the file (post-room.csv)."""
        return None if self.path is None else self.path.with_suffix(".csv")


def post_room(root: Path, batch_id: str) -> PostRoom:
    """Write the batch's post-room.pdf anew with every letter and copy waiting for the post
    room."""
    places, path = postroom.post_room(root, batch_id)
    return PostRoom(batch_id, places, path)


@dataclass(frozen=True)
class PostedSummary:
    """What recording the post did: the letters and copies, one line each, and the count."""

    posted: Posted
    day: date
    lines: list[Line]
    summary: Line


def post(root: Path, batch_id: str, references: tuple[str, ...], day: date) -> PostedSummary:
    """Record that the post room sent letters of ``batch_id`` on ``day`` (``references``, or
    every letter waiting for it)."""
    posted = postroom.mark_posted(root, batch_id, references, day)
    on = day.isoformat()
    letters = [
        line("summary.post.letter", reference=x.reference, municipality=x.municipality, day=on)
        for x in posted.letters
    ]
    copies = [line("summary.post.copy", label=label, day=on) for label in posted.copies]
    summary = line(
        "summary.post",
        letters=len(posted.letters),
        copies=line("summary.post.copies", count=len(copies)) if copies else "",
    )
    return PostedSummary(posted, day, [*letters, *copies], summary)


def report(root: Path, batch_id: str) -> list[ReportRow]:
    """The delivery report of the complete batch ``batch_id``: one row per letter."""
    config = load_config(root)
    names = {code: m.name for code, m in config.municipalities.items()}
    with Register.for_root(root) as register:
        complete_batch(register, batch_id)
        return delivery_report(register, batch_id, names)
