"""The accounts of the people who use ibtpost (``ibtpost users``): add, list, disable, set
a password. Kept in the register (argon2id hashes), each change audited."""

from __future__ import annotations

import re
from pathlib import Path

from ibtpost.core import passwords, validate
from ibtpost.core.errors import Location, UsageError
from ibtpost.register import Register, audit
from ibtpost.register import accounts as account_register
from ibtpost.register.accounts import ROLES, Account

_LOGIN = re.compile(r"^[a-z][a-z0-9._-]{1,39}$")


def _where(field: str) -> Location:
    return Location(None, None, field)


def _checked_login(login: str) -> str:
    if not _LOGIN.match(login):
        raise UsageError(
            f"{login!r} is not a login: 2 to 40 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter",
            _where("login"),
        )
    return login


def _checked_roles(roles: list[str]) -> tuple[str, ...]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise UsageError(
            f"{', '.join(unknown) or 'no role'}: a role is one of {', '.join(ROLES)}",
            _where("role"),
        )
    return tuple(dict.fromkeys(roles))


def _hashed(password: str, login: str) -> str:
    weak = passwords.weakness(password, login)
    if weak:
        raise UsageError(f"the password {weak}", _where("password"))
    return passwords.hash_password(password)


def add_user(root: Path, login: str, name: str, roles: list[str], password: str) -> Account:
    """A new account; UsageError (nothing written) for a bad login, name, role or password,
    or a login that exists."""
    login = _checked_login(login)
    name = validate.one_line(name, "name")
    chosen = _checked_roles(roles)
    digest = _hashed(password, login)
    with Register.for_root(root) as register, register.transaction():
        if account_register.account(register, login) is not None:
            raise UsageError(f"an account {login!r} exists already", _where("login"))
        account_register.add(register, login, name, chosen, digest)
        audit.record(
            register,
            audit.ACCOUNT_ADDED,
            data={"login": login, "name": name, "roles": list(chosen)},
        )
        found = account_register.account(register, login)
    assert found is not None  # noqa: S101 - just written in this transaction
    return found


def list_users(root: Path) -> list[Account]:
    """Every account, by login."""
    with Register.for_root(root) as register:
        return account_register.accounts(register)


def disable_user(root: Path, login: str) -> bool:
    """Disable ``login`` (its past actions stay attributed); False when it already was."""
    with Register.for_root(root) as register, register.transaction():
        _existing(register, login)
        changed = account_register.disable(register, login)
        if changed:
            audit.record(register, audit.ACCOUNT_DISABLED, data={"login": login})
    return changed


def change_password(root: Path, login: str, password: str) -> None:
    """A new password for the active account ``login``."""
    with Register.for_root(root) as register, register.transaction():
        found = _existing(register, login)
        if not found.active:
            raise UsageError(f"the account {login!r} is disabled", _where("login"))
        account_register.set_password(register, login, _hashed(password, login))
        audit.record(register, audit.ACCOUNT_PASSWORD, data={"login": login})


def _existing(register: Register, login: str) -> Account:
    found = account_register.account(register, login)
    if found is None:
        raise UsageError(f"no account {login!r}", _where("login"))
    return found
