"""The records the procedure's gates read (tables ``publications`` and ``litigation``): the
publication of a letter's kennisgeving in the Staatscourant, and what happens at the court
about a besluit (beroep, voorlopige voorziening, uitspraak, schorsing). Also which copies of
a letter went out, read from the audit trail (a copy's ``copy.sent`` or ``copy.posted``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ibtpost.core import clock
from ibtpost.core.domain import LitigationEvent, LitigationKind, Publication
from ibtpost.register import Register, audit


@dataclass(frozen=True)
class LitigationRecord:
    """One recorded event at the court, with the file kept of it."""

    id: int
    reference: str  # the letter (a besluit) it is about
    event: LitigationEvent
    file: str | None  # under outbox/, the copy kept in the case
    sha256: str | None


def publication(register: Register, reference: str) -> Publication | None:
    """The recorded publication of the kennisgeving of the letter ``reference``."""
    row = register.db.execute(
        "SELECT staatscourant, day, url FROM publications WHERE reference=?", (reference,)
    ).fetchone()
    return Publication(row[0], date.fromisoformat(row[1]), row[2]) if row else None


def publications(register: Register) -> dict[str, Publication]:
    """Every recorded publication, by the reference of its letter."""
    rows = register.db.execute("SELECT reference, staatscourant, day, url FROM publications")
    return {str(r): Publication(s, date.fromisoformat(d), u) for r, s, d, u in rows}


def add_publication(register: Register, reference: str, found: Publication) -> None:
    """Record a publication (inside the caller's transaction)."""
    register.db.execute(
        "INSERT INTO publications (reference, staatscourant, day, url, recorded_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (reference, found.staatscourant, found.day.isoformat(), found.url, clock.stamp()),
    )


def litigation(register: Register, reference: str) -> list[LitigationRecord]:
    """The events at the court about the letter ``reference``, by date (then as recorded)."""
    rows = register.db.execute(
        "SELECT id, reference, event, day, note, file, sha256 FROM litigation"
        " WHERE reference=? ORDER BY day, id",
        (reference,),
    ).fetchall()
    return [
        LitigationRecord(i, r, LitigationEvent(_kind(e), date.fromisoformat(d), n), f, sha)
        for i, r, e, d, n, f, sha in rows
    ]


def latest_litigation(register: Register) -> dict[str, LitigationEvent]:
    """The last event at the court about each letter that has one, by reference."""
    rows = register.db.execute(
        "SELECT reference, event, day, note FROM litigation ORDER BY day, id"
    )
    return {str(r): LitigationEvent(_kind(e), date.fromisoformat(d), n) for r, e, d, n in rows}


def add_litigation(
    register: Register,
    reference: str,
    event: LitigationEvent,
    file: str | None,
    sha256: str | None,
) -> int:
    """Record an event at the court (inside the caller's transaction); its id."""
    cursor = register.db.execute(
        "INSERT INTO litigation (reference, event, day, note, file, sha256, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            reference,
            event.event,
            event.day.isoformat(),
            event.note,
            file,
            sha256,
            clock.stamp(),
        ),
    )
    return int(cursor.lastrowid or 0)


def copies_out(register: Register, reference: str) -> dict[str, date]:
    """The roles (``raad``, ``gs``) whose copy of the letter ``reference`` went out, each
    with the first day it did: the Dutch calendar day it was sent by e-mail, or the day it
    was recorded as posted (the audit trail's ``copy.sent`` and ``copy.posted``)."""
    out: dict[str, date] = {}
    for event in audit.events(register, reference=reference):
        if event.kind == audit.COPY_SENT:
            day = clock.dutch_day(datetime.fromisoformat(event.at))
        elif event.kind == audit.COPY_POSTED:
            day = date.fromisoformat(str(event.data.get("date") or event.at[:10]))
        else:
            continue
        role = str(event.data.get("role"))
        out[role] = min(out.get(role, day), day)
    return out


def _kind(text: str) -> LitigationKind:
    return text  # type: ignore[return-value]  # written only from LITIGATION_KINDS
