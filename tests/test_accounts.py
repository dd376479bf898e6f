"""ibtpost users: accounts in the register (argon2id), audited; bad input refused whole."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import Result

from ibtpost.core import passwords

PASSWORD = "een-lang-genoeg-wachtwoord"


def _with_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text + "\n"))


def _rows(root: Path, query: str) -> list[tuple[object, ...]]:
    path = root / "outbox" / "register.sqlite"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return db.execute(query).fetchall()


def test_an_account_is_added_listed_disabled_and_its_password_changed(
    root: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_stdin(monkeypatch, PASSWORD)
    added = cli(root, "users", "add", "a.jurist", "--name", "mr. A. Jurist", "--role", "jurist",
                "--role", "beheer", "--password-stdin")  # fmt: skip
    assert added.code == 0, added.err
    assert added.out.strip() == "added a.jurist (mr. A. Jurist): jurist, beheer"
    (stored,) = _rows(root, "SELECT login, name, roles, password_hash FROM accounts")
    assert stored[:3] == ("a.jurist", "mr. A. Jurist", "jurist,beheer")
    digest = str(stored[3])
    assert digest.startswith("$argon2id$") and passwords.verify(digest, PASSWORD)
    assert not passwords.verify(digest, PASSWORD + "x")
    listed = cli(root, "users", "list")
    assert listed.out.splitlines() == ["a.jurist\tmr. A. Jurist\tjurist,beheer\tactive"]

    _with_stdin(monkeypatch, "nog-een-ander-wachtwoord")
    assert cli(root, "users", "passwd", "a.jurist", "--password-stdin").code == 0
    (after,) = _rows(root, "SELECT password_hash FROM accounts")
    assert passwords.verify(str(after[0]), "nog-een-ander-wachtwoord")

    assert cli(root, "users", "disable", "a.jurist").out.strip() == "disabled a.jurist"
    assert cli(root, "users", "disable", "a.jurist").out.strip() == "a.jurist was disabled already"
    _with_stdin(monkeypatch, PASSWORD)
    refused = cli(root, "users", "passwd", "a.jurist", "--password-stdin")
    assert refused.code == 2 and "the account 'a.jurist' is disabled" in refused.err
    events = _rows(root, "SELECT kind, data FROM events ORDER BY seq")
    assert [kind for kind, _ in events] == ["account.added", "account.password", "account.disabled"]
    everything = " ".join(str(data) for _, data in events)
    assert PASSWORD not in everything and "$argon2" not in everything


@pytest.mark.parametrize(
    ("args", "password", "says"),
    [
        (("B X", "--role", "jurist"), PASSWORD, "error: login: 'B X' is not a login"),
        (("b.x", "--role", "koning"), PASSWORD, "error: --role: koning: a role is one of"),
        (("b.x", "--role", "jurist"), "", "error: password: the password is empty"),
        (("b.x", "--role", "jurist"), "kort", "error: password: the password is shorter than 12"),
        (("b.x", "--role", "jurist"), "aaaaaaaaaaaaaa", "fewer than 4 different characters"),
        (("b.x", "--role", "jurist"), "b.x-wachtwoord-123", "contains the login"),
    ],
)
def test_bad_input_is_refused_in_one_line_and_nothing_is_written(
    root: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    password: str,
    says: str,
) -> None:
    _with_stdin(monkeypatch, password)
    done = cli(root, "users", "add", *args[:1], "--name", "B", *args[1:], "--password-stdin")
    assert done.code == 2
    (line,) = done.err.strip().splitlines()
    assert line.startswith(says) or says in line, line
    assert _rows(root, "SELECT * FROM accounts") == []
    assert _rows(root, "SELECT * FROM events") == []


def test_a_login_is_added_once(
    root: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    for expected in (0, 2):
        _with_stdin(monkeypatch, PASSWORD)
        done = cli(root, "users", "add", "a.b", "--name", "A", "--role", "secretariaat",
                   "--password-stdin")  # fmt: skip
        assert done.code == expected
    assert "an account 'a.b' exists already" in done.err
    assert len(_rows(root, "SELECT * FROM accounts")) == 1
