"""Recording the procedure's records: a kennisgeving's publication (``ibtpost
publication``) and what happens at the court about a besluit (``ibtpost litigation``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ibtpost.production.procedure import (
    RecordedLitigation,
    RecordedPublication,
    record_litigation,
    record_publication,
)
from ibtpost.service.common import Line, line


@dataclass(frozen=True)
class Published:
    """What recording a publication did, and its summary."""

    done: RecordedPublication
    summary: Line


@dataclass(frozen=True)
class Litigated:
    """What recording an event at the court did, and its summary."""

    done: RecordedLitigation
    summary: Line


def publication(
    root: Path, reference: str, staatscourant: str, day: date, url: str | None = None
) -> Published:
    """Record that the kennisgeving of the letter ``reference`` was published in the
    Staatscourant ``staatscourant`` on ``day``."""
    done = record_publication(root, reference, staatscourant, day, url)
    if not done.added:
        return Published(done, line("summary.recorded_before", reference=done.reference))
    summary = line(
        "summary.publication",
        reference=done.reference,
        municipality=done.municipality,
        staatscourant=done.publication.staatscourant,
        day=done.publication.day.isoformat(),
    )
    return Published(done, summary)


def litigation(
    root: Path,
    reference: str,
    event: str,
    day: date,
    note: str | None = None,
    file: Path | None = None,
) -> Litigated:
    """Record an event at the court about the besluit ``reference`` on ``day``; ``file``
    (the beroepschrift, the uitspraak) is kept in the case."""
    done = record_litigation(root, reference, event, day, note, file)
    if not done.added:
        return Litigated(done, line("summary.recorded_before", reference=done.reference))
    summary = line(
        "summary.litigation",
        reference=done.reference,
        municipality=done.municipality,
        event=done.event.event,
        day=done.event.day.isoformat(),
        kept=line("summary.reply.kept", file=done.file) if done.file else "",
    )
    return Litigated(done, summary)
