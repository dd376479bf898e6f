"""The accounts of the people who use ibtpost (table ``accounts``): a login, a full name,
one or more roles and the argon2id hash of the password (never the password, never in
``config/``). A disabled account stays, so that what it did can still be attributed."""

from __future__ import annotations

from dataclasses import dataclass

from ibtpost.core import clock
from ibtpost.register import Register

#: The roles and what each may do (docs/web.md has the table).
ROLES = ("secretariaat", "jurist", "beheer")


@dataclass(frozen=True)
class Account:
    """One account as the register keeps it."""

    login: str
    name: str
    roles: tuple[str, ...]
    password_hash: str | None
    created_at: str
    disabled_at: str | None = None

    @property
    def active(self) -> bool:
        """Not disabled."""
        return self.disabled_at is None


_COLUMNS = "login, name, roles, password_hash, created_at, disabled_at"


def _account(row: tuple[object, ...]) -> Account:
    login, name, roles, password_hash, created_at, disabled_at = row
    return Account(
        str(login),
        str(name),
        tuple(str(roles).split(",")),
        str(password_hash) if password_hash else None,
        str(created_at),
        str(disabled_at) if disabled_at else None,
    )


def account(register: Register, login: str) -> Account | None:
    """The account ``login``, if any."""
    row = register.db.execute(f"SELECT {_COLUMNS} FROM accounts WHERE login=?", (login,)).fetchone()
    return _account(row) if row else None


def accounts(register: Register) -> list[Account]:
    """Every account, by login."""
    rows = register.db.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY login").fetchall()
    return [_account(r) for r in rows]


def add(
    register: Register, login: str, name: str, roles: tuple[str, ...], password_hash: str
) -> None:
    """A new account (inside the caller's transaction)."""
    register.db.execute(
        f"INSERT INTO accounts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, NULL)",
        (login, name, ",".join(roles), password_hash, clock.stamp()),
    )


def set_password(register: Register, login: str, password_hash: str) -> None:
    """A new password hash for ``login`` (inside the caller's transaction)."""
    register.db.execute("UPDATE accounts SET password_hash=? WHERE login=?", (password_hash, login))


def disable(register: Register, login: str) -> bool:
    """Disable ``login`` (inside the caller's transaction); False when it already was."""
    cursor = register.db.execute(
        "UPDATE accounts SET disabled_at=? WHERE login=? AND disabled_at IS NULL",
        (clock.stamp(), login),
    )
    return cursor.rowcount > 0
