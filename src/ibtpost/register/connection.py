"""The register's connection: one SQLite file (outbox/register.sqlite) in WAL mode, its
migrations, and IMMEDIATE transactions (other writers wait until one ends)."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Self

from ibtpost.core.errors import Location, RegisterError
from ibtpost.core.layout import Layout
from ibtpost.register.schema import MIGRATIONS, statements

_BUSY_SECONDS = 30


def _enter_wal(db: sqlite3.Connection) -> None:
    """Switch to write-ahead logging. SQLite does not wait on its busy handler for this
    switch: a second process opening a new register at the same moment gets "database is
    locked" at once. It is retried here for as long as any other statement would wait."""
    deadline = time.monotonic() + _BUSY_SECONDS
    pause = 0.005
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


class Register:
    """The register of one ibtpost root (``Register.for_root(root)``): its SQLite connection,
    schema and transactions. The operations on its tables are module functions of the
    register package (``letters.batch_letters(reg, batch_id)``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, timeout=_BUSY_SECONDS, isolation_level=None)
            _enter_wal(self.db)
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"register unusable: {exc}", Location(str(path))) from None

    @classmethod
    def for_root(cls, root: Path) -> Self:
        """The register under ``root``/outbox/."""
        return cls(Layout(root).register)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Self:
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
                for statement in statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    @contextlib.contextmanager
    def transaction(self, *, durable: bool = False) -> Iterator[None]:
        """One IMMEDIATE transaction: other writers wait until it ends.

        Inside an open transaction it joins that one (no savepoint): what it does commits
        or rolls back with the outer transaction, so a state change and its audit event
        (:mod:`ibtpost.register.audit`) are written together or not at all.

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
