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
from ibtpost.register.connection import Connection

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


class References(Connection):
    """Allocating references."""

    def reference_for(
        self, key: LetterKey, series: ReferenceSeries, explicit: str | None = None
    ) -> str:
        """The reference of ``key``: its recorded one, ``explicit``, or the next free number."""
        with self.transaction():
            return self._allocate(key, series, explicit)

    def _allocate(self, key: LetterKey, series: ReferenceSeries, explicit: str | None) -> str:
        row = self.db.execute(
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
            owner = self.owner(explicit)
            if owner is not None:
                raise UsageError(
                    location=Location(None, None, "reference"),
                    hint=Phrase("hint.new_reference", {"reference": Param("reference")}),
                    key="error.reference_taken",
                    values={
                        "explicit": explicit,
                        "letter": owner.letter,
                        "municipality": owner.municipality,
                        "day": owner.day.isoformat(),
                    },
                )
            reference = explicit
        else:
            reference = self._next_free(series)
        self.db.execute(
            "INSERT INTO letters (reference, letter, municipality, letter_date, allocated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (reference, key.letter, key.municipality, key.day.isoformat(), clock.stamp()),
        )
        return reference

    def _next_free(self, series: ReferenceSeries) -> str:
        row = self.db.execute("SELECT next FROM series WHERE name='default'").fetchone()
        number = max(int(row[0]) if row else series.first, series.first)
        while self.db.execute("SELECT 1 FROM letters WHERE reference=?", (str(number),)).fetchone():
            number += 1
        if number > series.last:
            raise RegisterError(
                f"reference series {series.first}-{series.last} is used up",
                Location("config/settings.yaml", None, "references"),
            )
        self.db.execute(
            "INSERT INTO series (name, next) VALUES ('default', ?)"
            " ON CONFLICT(name) DO UPDATE SET next=excluded.next",
            (number + 1,),
        )
        return str(number)

    def owner(self, reference: str) -> LetterKey | None:
        """The letter a reference belongs to, if any."""
        row = self.db.execute(
            "SELECT letter, municipality, letter_date FROM letters WHERE reference=?", (reference,)
        ).fetchone()
        if row is None:
            return None
        return LetterKey(row[0], row[1], date.fromisoformat(row[2]))
