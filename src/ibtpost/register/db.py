"""The register: one SQLite file (outbox/register.sqlite) that remembers every reference.

A reference ("Onze referentie") belongs to one letter forever: the same letter (definition,
municipality, date) asked for again gets the same reference, and a reference is never given
to a different letter. Allocation happens in one IMMEDIATE transaction, so two processes
never draw the same number. The schema is versioned with ``PRAGMA user_version``.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ibtpost import clock
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
    # 2: batches, files per letter, dispatch state, supervision cases
    """
    CREATE TABLE batches (
        id            TEXT PRIMARY KEY,
        letter        TEXT NOT NULL,
        letter_date   TEXT NOT NULL,
        concept       INTEGER NOT NULL,
        reason        TEXT,
        created_at    TEXT NOT NULL,
        completed_at  TEXT
    );
    ALTER TABLE letters ADD COLUMN batch TEXT REFERENCES batches(id);
    ALTER TABLE letters ADD COLUMN trede INTEGER;
    ALTER TABLE letters ADD COLUMN concept INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE letters ADD COLUMN term_deadline TEXT;
    ALTER TABLE letters ADD COLUMN reason TEXT;
    ALTER TABLE letters ADD COLUMN docx_sha256 TEXT;
    ALTER TABLE letters ADD COLUMN pdf_sha256 TEXT;
    ALTER TABLE letters ADD COLUMN pages INTEGER;
    ALTER TABLE letters ADD COLUMN sample INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE letters ADD COLUMN sent_on TEXT;
    ALTER TABLE letters ADD COLUMN sent_via TEXT;
    ALTER TABLE letters ADD COLUMN case_id INTEGER REFERENCES cases(id);
    CREATE INDEX letters_batch ON letters (batch);
    CREATE TABLE cases (
        id            INTEGER PRIMARY KEY,
        municipality  TEXT NOT NULL,
        opened_on     TEXT NOT NULL,
        closed_on     TEXT,
        closed_why    TEXT
    );
    CREATE UNIQUE INDEX one_open_case ON cases (municipality) WHERE closed_on IS NULL;
    """,
    # 3: the audit trail (append-only, hash-chained; see audit.py)
    """
    CREATE TABLE events (
        seq        INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,
        kind       TEXT NOT NULL,
        reference  TEXT,
        batch      TEXT,
        data       TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
    );
    CREATE INDEX events_reference ON events (reference);
    CREATE INDEX events_batch ON events (batch);
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused');
    END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused');
    END;
    """,
    # 4: the dispatch queue
    """
    CREATE TABLE dispatch (
        reference   TEXT PRIMARY KEY REFERENCES letters(reference),
        batch       TEXT NOT NULL REFERENCES batches(id),
        state       TEXT NOT NULL,
        only_file   TEXT,
        college     TEXT,
        copies      TEXT,
        message_id  TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        transport   TEXT,
        reply       TEXT,
        queued_at   TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        sent_at     TEXT
    );
    CREATE INDEX dispatch_batch_state ON dispatch (batch, state);
    """,
    # 5: letter versions and their texts (see review.py); the version a batch was made from
    """
    CREATE TABLE versions (
        letter      TEXT NOT NULL,
        version     TEXT NOT NULL,
        files       TEXT NOT NULL,
        first_seen  TEXT NOT NULL,
        PRIMARY KEY (letter, version)
    );
    CREATE TABLE texts (
        sha256  TEXT PRIMARY KEY,
        kind    TEXT NOT NULL,
        text    TEXT NOT NULL
    );
    ALTER TABLE batches ADD COLUMN version TEXT;
    """,
    # 6: the frozen message of a queued letter (envelope sender, spool file and its hash)
    # and the send run that holds a letter while it is being sent
    """
    ALTER TABLE dispatch ADD COLUMN sender TEXT;
    ALTER TABLE dispatch ADD COLUMN message_sha256 TEXT;
    ALTER TABLE dispatch ADD COLUMN spool TEXT;
    ALTER TABLE dispatch ADD COLUMN run TEXT;
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
        """Bring the schema up to date. The version is read inside the write transaction,
        so two processes opening a new register at once apply each migration once."""
        with self.transaction():
            version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
            if version > len(MIGRATIONS):
                raise RegisterError(
                    f"register schema {version} is newer than this ibtpost knows "
                    f"({len(MIGRATIONS)})",
                    Location(str(self.path)),
                )
            for number in range(version, len(MIGRATIONS)):
                for statement in _statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextlib.contextmanager
    def transaction(self, *, durable: bool = False) -> Iterator[None]:
        """One IMMEDIATE transaction: other writers wait until it ends.

        Inside an open transaction it joins that one (no savepoint): what it does commits
        or rolls back with the outer transaction, so a state change and its audit event
        (:mod:`ibtpost.audit`) are written together or not at all.

        Commits survive a crash of the process. ``durable`` also makes this one survive a
        power failure: the write-ahead log is synced to disk before the commit returns
        (``synchronous=FULL``; about a millisecond here). Dispatch uses it for the mark
        it writes before a message leaves, so that no power cut can undo it and let the
        message go twice.
        """
        if self.db.in_transaction:
            if durable:
                raise RegisterError("a durable transaction cannot join an open one")
            yield
            return
        if durable:
            self.db.execute("PRAGMA synchronous=FULL")
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        finally:
            if durable:
                self.db.execute("PRAGMA synchronous=NORMAL")

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
                    f"this letter already has reference {row[0]}; {explicit} cannot replace it",
                    Location(None, None, "--reference"),
                )
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

    # -- batches and letters -------------------------------------------------------------

    def letter(self, key: LetterKey) -> LetterRecord | None:
        """The recorded letter for ``key``, if any."""
        row = self.db.execute(
            f"SELECT {_LETTER_COLUMNS} FROM letters"
            " WHERE letter=? AND municipality=? AND letter_date=?",
            (key.letter, key.municipality, key.day.isoformat()),
        ).fetchone()
        return _letter(row) if row else None

    def letter_by_reference(self, reference: str) -> LetterRecord | None:
        """The recorded letter with this reference, if any."""
        row = self.db.execute(
            f"SELECT {_LETTER_COLUMNS} FROM letters WHERE reference=?", (reference,)
        ).fetchone()
        return _letter(row) if row else None

    def open_batch(
        self, batch: BatchRecord, planned: Sequence[PlannedLetter], series: ReferenceSeries
    ) -> dict[str, str]:
        """Record ``batch`` and give each planned letter its reference, all in one transaction.

        A letter already in this batch keeps its reference; a concept letter of another
        batch moves here; a final letter of another batch is a conflict (RegisterError).
        Returns the reference per municipality code.
        """
        refs: dict[str, str] = {}
        with self.transaction():
            self.db.execute(
                "INSERT INTO batches (id, letter, letter_date, concept, reason, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
                (
                    batch.id,
                    batch.letter,
                    batch.day.isoformat(),
                    int(batch.concept),
                    batch.reason,
                    clock.stamp(),
                ),
            )
            for plan in planned:
                existing = self.letter(plan.key)
                if (
                    existing
                    and existing.batch not in (None, batch.id)
                    and (not existing.concept or existing.sent_on is not None)
                ):
                    raise RegisterError(
                        f"{plan.key.municipality}: {plan.key.letter} of "
                        f"{plan.key.day.isoformat()} is already in batch {existing.batch}"
                    )
                reference = self._allocate(plan.key, series, None)
                self.db.execute(
                    "UPDATE letters SET batch=?, trede=?, concept=?, term_deadline=?,"
                    " reason=COALESCE(?, reason),"
                    " sample=? WHERE reference=? AND sent_on IS NULL",
                    (
                        batch.id,
                        plan.trede,
                        int(batch.concept),
                        plan.deadline.isoformat() if plan.deadline else None,
                        plan.reason,
                        int(plan.sample),
                        reference,
                    ),
                )
                refs[plan.key.municipality] = reference
        return refs

    def batch(self, batch_id: str) -> BatchRecord | None:
        """The batch with this id, if any."""
        row = self.db.execute(
            "SELECT id, letter, letter_date, concept, reason, created_at, completed_at"
            " FROM batches WHERE id=?",
            (batch_id,),
        ).fetchone()
        if row is None:
            return None
        return BatchRecord(
            row[0], row[1], date.fromisoformat(row[2]), bool(row[3]), row[4], row[5], row[6]
        )

    def batches(self) -> list[BatchRecord]:
        """Every batch, oldest first."""
        ids = self.db.execute("SELECT id FROM batches ORDER BY created_at, id").fetchall()
        return [b for (i,) in ids if (b := self.batch(i)) is not None]

    def batch_letters(self, batch_id: str) -> list[LetterRecord]:
        """The letters of a batch in reference order."""
        rows = self.db.execute(
            f"SELECT {_LETTER_COLUMNS} FROM letters WHERE batch=? ORDER BY reference",
            (batch_id,),
        ).fetchall()
        return [_letter(r) for r in rows]

    def record_files(self, reference: str, docx_sha256: str, pdf_sha256: str, pages: int) -> None:
        """Remember the hashes of a letter's finished files (after both are written)."""
        self.db.execute(
            "UPDATE letters SET docx_sha256=?, pdf_sha256=?, pages=? WHERE reference=?",
            (docx_sha256, pdf_sha256, pages, reference),
        )

    def complete_batch(self, batch_id: str) -> None:
        """Mark a batch complete (every file, the manifest and the print file written)."""
        self.db.execute("UPDATE batches SET completed_at=? WHERE id=?", (clock.stamp(), batch_id))

    # -- the ladder ----------------------------------------------------------------------

    def all_letters(self) -> list[LetterRecord]:
        """Every letter, in date and reference order."""
        rows = self.db.execute(
            f"SELECT {_LETTER_COLUMNS} FROM letters ORDER BY letter_date, reference"
        ).fetchall()
        return [_letter(r) for r in rows]

    def open_cases(self) -> dict[str, CaseRecord]:
        """The open supervision case per municipality code."""
        rows = self.db.execute(
            "SELECT id, municipality, opened_on, closed_on, closed_why FROM cases"
            " WHERE closed_on IS NULL"
        ).fetchall()
        return {r[1]: CaseRecord(r[0], r[1], date.fromisoformat(r[2]), None, None) for r in rows}

    def mark_sent(self, reference: str, via: str, day: date) -> LetterRecord:
        """Record that a letter went out (by mail or post); it now counts on the ladder.

        Opens the municipality's supervision case when it has none. Refuses concept letters
        and letters already sent.
        """
        with self.transaction():
            return self.record_sent(reference, via, day)

    def record_sent(self, reference: str, via: str, day: date) -> LetterRecord:
        """:meth:`mark_sent` inside the caller's transaction."""
        row = self.db.execute(
            f"SELECT {_LETTER_COLUMNS} FROM letters WHERE reference=?", (reference,)
        ).fetchone()
        if row is None:
            raise UsageError(f"no letter with reference {reference}")
        letter = _letter(row)
        if letter.concept:
            raise UsageError(f"{reference} is a concept letter and cannot be sent")
        if letter.sent_on is not None:
            raise UsageError(
                f"{reference} was already sent by {letter.sent_via} on {letter.sent_on.isoformat()}"
            )
        case = self.db.execute(
            "SELECT id FROM cases WHERE municipality=? AND closed_on IS NULL",
            (letter.municipality,),
        ).fetchone()
        if case is None:
            case_id = self.db.execute(
                "INSERT INTO cases (municipality, opened_on) VALUES (?, ?)",
                (letter.municipality, day.isoformat()),
            ).lastrowid
        else:
            case_id = case[0]
        self.db.execute(
            "UPDATE letters SET sent_on=?, sent_via=?, case_id=? WHERE reference=?",
            (day.isoformat(), via, case_id, reference),
        )
        return letter

    def close_case(self, municipality: str, day: date, why: str) -> bool:
        """Close the open case of ``municipality``; False when it had none."""
        cursor = self.db.execute(
            "UPDATE cases SET closed_on=?, closed_why=? WHERE municipality=? AND closed_on IS NULL",
            (day.isoformat(), why, municipality),
        )
        return cursor.rowcount > 0

    def case_letters(self, case_id: int) -> list[LetterRecord]:
        """The sent letters of a case, in the order they were sent."""
        rows = self.db.execute(
            f"SELECT {_LETTER_COLUMNS} FROM letters WHERE case_id=?"
            " ORDER BY sent_on, letter_date, reference",
            (case_id,),
        ).fetchall()
        return [_letter(r) for r in rows]


@dataclass(frozen=True)
class BatchRecord:
    """A batch: one letter definition, one date, a set of municipalities."""

    id: str
    letter: str
    day: date
    concept: bool
    reason: str | None
    created_at: str = ""
    completed_at: str | None = None


@dataclass(frozen=True)
class PlannedLetter:
    """A letter a batch is about to make."""

    key: LetterKey
    trede: int
    deadline: date | None  # the end of the term the ladder waits for
    reason: str | None  # why this letter deviates from the ladder, if it does
    sample: bool  # built on sample figures


@dataclass(frozen=True)
class LetterRecord:
    """A letter as the register knows it."""

    reference: str
    letter: str
    municipality: str
    day: date
    batch: str | None
    trede: int | None
    concept: bool
    deadline: date | None
    reason: str | None
    docx_sha256: str | None
    pdf_sha256: str | None
    pages: int | None
    sample: bool
    sent_on: date | None
    sent_via: str | None
    case_id: int | None


@dataclass(frozen=True)
class CaseRecord:
    """A supervision case: opened by the first letter sent, closed when the task is met."""

    id: int
    municipality: str
    opened_on: date
    closed_on: date | None
    closed_why: str | None


_LETTER_COLUMNS = (
    "reference, letter, municipality, letter_date, batch, trede, concept, term_deadline,"
    " reason, docx_sha256, pdf_sha256, pages, sample, sent_on, sent_via, case_id"
)


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _letter(row: Sequence[Any]) -> LetterRecord:
    return LetterRecord(
        reference=str(row[0]),
        letter=row[1],
        municipality=row[2],
        day=date.fromisoformat(row[3]),
        batch=row[4],
        trede=row[5],
        concept=bool(row[6]),
        deadline=_day(row[7]),
        reason=row[8],
        docx_sha256=row[9],
        pdf_sha256=row[10],
        pages=row[11],
        sample=bool(row[12]),
        sent_on=_day(row[13]),
        sent_via=row[14],
        case_id=row[15],
    )


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration script; a trigger body's own ';' stays inside it."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""
    if pending.strip(" \n;"):
        yield pending
