"""References: recorded, stable for the same letter, unique across processes (real SQLite)."""

from __future__ import annotations

import multiprocessing
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ibtpost.core.domain import ReferenceSeries
from ibtpost.core.errors import RegisterError, UsageError
from ibtpost.register import LetterKey, Register
from ibtpost.register import references as reference_register
from ibtpost.register.schema import MIGRATIONS

SERIES = ReferenceSeries(100, 100000)
DAY = date(2026, 4, 9)


def test_same_letter_gets_same_reference(tmp_path: Path) -> None:
    """Asking twice for one letter returns one number; another letter gets the next."""
    with Register(tmp_path / "r.sqlite") as reg:
        first = reference_register.reference_for(reg, LetterKey("trede-2", "GM0622", DAY), SERIES)
        again = reference_register.reference_for(reg, LetterKey("trede-2", "GM0622", DAY), SERIES)
        other = reference_register.reference_for(reg, LetterKey("trede-2", "GM0518", DAY), SERIES)
    assert first == again == "100"
    assert other == "101"


def test_series_skips_numbers_given_explicitly(tmp_path: Path) -> None:
    """A number recorded by hand is never drawn from the series."""
    with Register(tmp_path / "r.sqlite") as reg:
        assert (
            reference_register.reference_for(
                reg, LetterKey("trede-2", "GM0001", DAY), SERIES, "100"
            )
            == "100"
        )
        assert (
            reference_register.reference_for(reg, LetterKey("trede-2", "GM0002", DAY), SERIES)
            == "101"
        )


def test_explicit_reference_cannot_move(tmp_path: Path) -> None:
    """A letter that has a number keeps it; another explicit number is refused."""
    with Register(tmp_path / "r.sqlite") as reg:
        reference_register.reference_for(
            reg, LetterKey("trede-2", "GM0622", DAY), SERIES, "7468089"
        )
        with pytest.raises(UsageError, match="already has reference 7468089"):
            reference_register.reference_for(
                reg, LetterKey("trede-2", "GM0622", DAY), SERIES, "7468090"
            )


def test_series_used_up(tmp_path: Path) -> None:
    """An exhausted series is an error, not a reused number."""
    with Register(tmp_path / "r.sqlite") as reg:
        tiny = ReferenceSeries(5, 5)
        reference_register.reference_for(reg, LetterKey("trede-2", "GM0001", DAY), tiny)
        with pytest.raises(RegisterError, match="used up"):
            reference_register.reference_for(reg, LetterKey("trede-2", "GM0002", DAY), tiny)


def test_reopened_register_keeps_numbers(tmp_path: Path) -> None:
    """The numbers survive closing and reopening the file."""
    path = tmp_path / "r.sqlite"
    with Register(path) as reg:
        first = reference_register.reference_for(reg, LetterKey("trede-2", "GM0622", DAY), SERIES)
    with Register(path) as reg:
        assert (
            reference_register.reference_for(reg, LetterKey("trede-2", "GM0622", DAY), SERIES)
            == first
        )
        assert reference_register.owner(reg, first) == LetterKey("trede-2", "GM0622", DAY)


def _allocate(path: str, worker: int, count: int, queue: multiprocessing.Queue[list[str]]) -> None:
    refs = []
    with Register(Path(path)) as reg:
        for n in range(count):
            refs.append(
                reference_register.reference_for(
                    reg, LetterKey("trede-2", f"GM{worker}{n:03d}", DAY), SERIES
                )
            )
    queue.put(refs)


def test_two_processes_never_share_a_number(tmp_path: Path) -> None:
    """Two processes allocating at once get disjoint, gap-free numbers."""
    path = str(tmp_path / "r.sqlite")
    Register(Path(path)).close()
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[list[str]] = ctx.Queue()
    procs = [ctx.Process(target=_allocate, args=(path, w, 60, queue)) for w in (1, 2)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    numbers = sorted(int(r) for refs in results for r in refs)
    assert numbers == list(range(100, 220))


def _open(path: str, start: Any) -> None:
    start.wait()
    Register(Path(path)).close()


def test_processes_creating_a_register_at_once_migrate_it_once(tmp_path: Path) -> None:
    """Four processes opening a new register together leave one schema, fully migrated."""
    path = str(tmp_path / "new.sqlite")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_open, args=(path, start)) for _ in range(4)]
    for proc in procs:
        proc.start()
    start.set()
    for proc in procs:
        proc.join(timeout=60)
    assert [proc.exitcode for proc in procs] == [0, 0, 0, 0]
    with Register(Path(path)) as reg:
        version = reg.db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in reg.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert version == len(MIGRATIONS)
    assert {"letters", "series", "batches", "cases"} <= tables


def _open_fresh(path: str, start: Any, errors: Any) -> None:
    start.wait()
    try:
        Register(Path(path)).close()
    except RegisterError as exc:
        errors.put(str(exc))


def test_opening_a_new_register_at_once_is_never_refused(tmp_path: Path) -> None:
    """Switching a new file to WAL does not wait on SQLite's busy handler; before the retry
    about one opening in fifty failed with "database is locked" when three processes
    opened a new register together. Eighty rounds of three must all succeed."""
    ctx = multiprocessing.get_context("fork")
    errors: multiprocessing.Queue[str] = ctx.Queue()
    for round_ in range(80):
        path = str(tmp_path / f"new-{round_}.sqlite")
        start = ctx.Event()
        procs = [ctx.Process(target=_open_fresh, args=(path, start, errors)) for _ in range(3)]
        for proc in procs:
            proc.start()
        start.set()
        for proc in procs:
            proc.join(timeout=60)
        assert [proc.exitcode for proc in procs] == [0, 0, 0]
    assert errors.empty(), errors.get()


def test_durable_transaction_syncs_its_commit(tmp_path: Path) -> None:
    """Inside a durable transaction the log is synced on commit (FULL), around it the
    register's normal setting applies; a durable transaction cannot hide in another."""
    with Register(tmp_path / "r.sqlite") as reg:

        def level() -> int:
            return int(reg.db.execute("PRAGMA synchronous").fetchone()[0])

        assert level() == 1  # NORMAL
        with reg.transaction(durable=True):
            assert level() == 2  # FULL
            reg.db.execute("CREATE TABLE t (x)")
        assert level() == 1
        with (
            pytest.raises(RegisterError, match="durable"),
            reg.transaction(),
            reg.transaction(durable=True),
        ):
            pass
        with pytest.raises(ZeroDivisionError), reg.transaction(durable=True):
            1 / 0  # noqa: B018
        assert level() == 1
