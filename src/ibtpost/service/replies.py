"""Recording that a college answered a letter (``ibtpost reply``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ibtpost.production.replies import RecordedReply, record_reply
from ibtpost.service.common import Line, line


@dataclass(frozen=True)
class Replied:
    """What recording a reply did, and its summary."""

    done: RecordedReply
    summary: Line


def reply(
    root: Path,
    reference: str,
    received: date,
    kind: str = "reply",
    file: Path | None = None,
    note: str | None = None,
) -> Replied:
    """Record that the college answered the letter ``reference`` on ``received`` (a
    reply or a zienswijze); ``file``, the PDF or e-mail received, is kept in the case."""
    done = record_reply(root, reference, received, kind, file, note)
    what = line(f"reply.kind.{done.reply.kind}")
    if not done.added:
        return Replied(done, line("summary.reply.again", reference=done.reference, kind=what))
    summary = line(
        "summary.reply",
        reference=done.reference,
        municipality=done.municipality,
        kind=what,
        received=done.reply.received.isoformat(),
        kept=line("summary.reply.kept", file=done.file) if done.file else "",
    )
    return Replied(done, summary)
