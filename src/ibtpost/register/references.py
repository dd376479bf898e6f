"""References ("Onze referentie"): allocated once, never reused.

A reference ("Onze referentie") belongs to one letter forever: the same letter (definition,
municipality, date) asked for again gets the same reference, and a reference is never given
to a different letter. Allocation happens in one IMMEDIATE transaction, so two processes
never draw the same number. The schema is versioned with ``PRAGMA user_version``.
"""

from __future__ import annotations

import re
from datetime import date

from ibtpost.core import clock
from ibtpost.core.domain import ReferenceSeries
from ibtpost.core.errors import Location, Param, Phrase, RegisterError, UsageError
from ibtpost.core.records import LetterKey
from ibtpost.register.connection import Register

_REFERENCE = re.compile(r"^[0-9]{1,12}$")


def validate_reference(text: str) -> str:
    """A reference as digits only; otherwise a UsageError."""
    text = text.strip()
    if not _REFERENCE.match(text):
        raise UsageError(
            location=Location(None, None, "reference"),
            key="error.reference_digits",
            values={"text": text},
        )
    return text


def reference_for(
    reg: Register, key: LetterKey, series: ReferenceSeries, explicit: str | None = None
) -> str:
    """The reference of ``key``: its recorded one, ``explicit``, or the next free number."""
    with reg.transaction():
        return _allocate(reg, key, series, explicit)


def _allocate(reg: Register, key: LetterKey, series: ReferenceSeries, explicit: str | None) -> str:
    row = reg.db.execute(
        "SELECT reference FROM letters WHERE letter=? AND municipality=? AND letter_date=?",
        (key.letter, key.municipality, key.day.isoformat()),
    ).fetchone()
    if row is not None:
        if explicit is not None and explicit != row[0]:
            raise UsageError(
                location=Location(None, None, "reference"),
                key="error.reference_kept",
                values={"recorded": row[0], "explicit": explicit},
            )
        return str(row[0])
    if explicit is not None:
        holder = owner(reg, explicit)
        if holder is not None:
            raise UsageError(
                location=Location(None, None, "reference"),
                hint=Phrase("hint.new_reference", {"reference": Param("reference")}),
                key="error.reference_taken",
                values={
                    "explicit": explicit,
                    "letter": holder.letter,
                    "municipality": holder.municipality,
                    "day": holder.day.isoformat(),
                },
            )
        reference = explicit
    else:
        reference = _next_free(reg, series)
    reg.db.execute(
        "INSERT INTO letters (reference, letter, municipality, letter_date, allocated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (reference, key.letter, key.municipality, key.day.isoformat(), clock.stamp()),
    )
    return reference


def _next_free(reg: Register, series: ReferenceSeries) -> str:
    row = reg.db.execute("SELECT next FROM series WHERE name='default'").fetchone()
    number = max(int(row[0]) if row else series.first, series.first)
    while reg.db.execute("SELECT 1 FROM letters WHERE reference=?", (str(number),)).fetchone():
        number += 1
    if number > series.last:
        raise RegisterError(
            f"reference series {series.first}-{series.last} is used up",
            Location("config/settings.yaml", None, "references"),
        )
    reg.db.execute(
        "INSERT INTO series (name, next) VALUES ('default', ?)"
        " ON CONFLICT(name) DO UPDATE SET next=excluded.next",
        (number + 1,),
    )
    return str(number)


def owner(reg: Register, reference: str) -> LetterKey | None:
    """The letter a reference belongs to, if any."""
    row = reg.db.execute(
        "SELECT letter, municipality, letter_date FROM letters WHERE reference=?", (reference,)
    ).fetchone()
    if row is None:
        return None
    return LetterKey(row[0], row[1], date.fromisoformat(row[2]))
