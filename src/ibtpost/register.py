"""The register: one SQLite file (outbox/register.sqlite) that remembers every reference.

A reference ("Onze referentie") belongs to one letter forever: the same letter (definition,
municipality, date) asked for again gets the same reference, and a reference is never given
to a different letter. Allocation happens in one IMMEDIATE transaction, so two processes
never draw the same number. The schema is versioned with ``PRAGMA user_version``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from ibtpost.errors import Location, RegisterError, UsageError
from ibtpost.models import ReferenceSeries

REGISTER_NAME = "register.sqlite"
_REFERENCE = re.compile(r"^[0-9]{1,12}$")

MIGRATIONS: list[str] = [
    # 1: references
    """
    CREATE TABLE letters (
        reference     TEXT PRIMARY KEY,
        letter        TEXT NOT NULL,
        municipality  TEXT NOT NULL,
        letter_date   TEXT NOT NULL,
        allocated_at  TEXT NOT NULL,
        UNIQUE (letter, municipality, letter_date)
    );
    CREATE TABLE series (
        name  TEXT PRIMARY KEY,
        next  INTEGER NOT NULL
    );
    """,
]


@dataclass(frozen=True)
class LetterKey:
    """What makes a letter the same letter: its definition, municipality and date."""

    letter: str
    municipality: str
    day: date


def validate_reference(text: str) -> str:
    """A reference as digits only; otherwise a UsageError."""
    text = text.strip()
    if not _REFERENCE.match(text):
        raise UsageError(
            f"reference {text!r} must be 1 to 12 digits", Location(None, None, "--reference")
        )
    return text


class Register:
    """The SQLite register of one ibtpost root."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"register unusable: {exc}", Location(str(path))) from None

    @classmethod
    def for_root(cls, root: Path) -> Register:
        """The register under ``root``/outbox/."""
        return cls(root / "outbox" / REGISTER_NAME)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise RegisterError(
                f"register schema {version} is newer than this ibtpost knows ({len(MIGRATIONS)})",
                Location(str(self.path)),
            )
        for number in range(version, len(MIGRATIONS)):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def reference_for(
        self, key: LetterKey, series: ReferenceSeries, explicit: str | None = None
    ) -> str:
        """The reference of ``key``: its recorded one, ``explicit``, or the next free number."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self.db.execute(
                "SELECT reference FROM letters WHERE letter=? AND municipality=? AND letter_date=?",
                (key.letter, key.municipality, key.day.isoformat()),
            ).fetchone()
            if row is not None:
                if explicit is not None and explicit != row[0]:
                    raise UsageError(
                        f"this letter already has reference {row[0]}; {explicit} cannot replace it",
                        Location(None, None, "--reference"),
                    )
                self.db.execute("COMMIT")
                return str(row[0])
            if explicit is not None:
                owner = self.owner(explicit)
                if owner is not None:
                    raise UsageError(
                        f"reference {explicit} already belongs to {owner.letter} for "
                        f"{owner.municipality} dated {owner.day.isoformat()}",
                        Location(None, None, "--reference"),
                        hint="leave out --reference to get a new number",
                    )
                reference = explicit
            else:
                reference = self._next_free(series)
            self.db.execute(
                "INSERT INTO letters (reference, letter, municipality, letter_date, allocated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (reference, key.letter, key.municipality, key.day.isoformat(), now),
            )
            self.db.execute("COMMIT")
            return reference
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

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
