"""ibtpost users: the accounts of the people who use ibtpost."""

from __future__ import annotations

import argparse
import getpass
import sys

from ibtpost.cli.args import SubParsers
from ibtpost.core.errors import Location, UsageError

EXIT_OK = 0


def _password(args: argparse.Namespace) -> str:
    """The password: the first line of standard input with --password-stdin, else asked
    twice at the terminal (never an argument: it would stand in the shell's history)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError(
            "no terminal to ask the password at: give it on standard input with --password-stdin",
            Location(None, None, "password"),
        )
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise UsageError("the two passwords differ", Location(None, None, "password"))
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    """ibtpost users add."""
    from ibtpost.service.accounts import add_user

    made = add_user(args.root, args.login, args.name, args.role, _password(args))
    print(f"added {made.login} ({made.name}): {', '.join(made.roles)}")
    return EXIT_OK


def cmd_users_list(args: argparse.Namespace) -> int:
    """ibtpost users list."""
    from ibtpost.service.accounts import list_users

    for account in list_users(args.root):
        state = f"disabled {account.disabled_at}" if account.disabled_at else "active"
        print(f"{account.login}\t{account.name}\t{','.join(account.roles)}\t{state}")
    return EXIT_OK


def cmd_users_disable(args: argparse.Namespace) -> int:
    """ibtpost users disable."""
    from ibtpost.service.accounts import disable_user

    changed = disable_user(args.root, args.login)
    print(f"disabled {args.login}" if changed else f"{args.login} was disabled already")
    return EXIT_OK


def cmd_users_passwd(args: argparse.Namespace) -> int:
    """ibtpost users passwd."""
    from ibtpost.service.accounts import change_password

    change_password(args.root, args.login, _password(args))
    print(f"password of {args.login} changed")
    return EXIT_OK


def add_account_commands(sub: SubParsers) -> None:
    """ibtpost users add|list|disable|passwd."""
    users = sub.add_parser(
        "users",
        help="the accounts of the people who use ibtpost (add, list, disable, passwd)",
        description="Accounts, kept in the register (passwords as argon2id hashes, never in "
        "config/), each change audited. Roles: secretariaat (batches, queue, send, withdraw, "
        "post, replies, imports), jurist (texts, preview, proof, approve, legal entries, "
        "motivering, publication and litigation records), beheer (accounts, settings); a "
        "person may hold several.",
    )
    actions = users.add_subparsers(dest="action", required=True)
    p = actions.add_parser("add", help="add an account", description="Add the account LOGIN.")
    p.add_argument("login", help="2 to 40 lower-case letters, digits, '.', '_' or '-'")
    p.add_argument("--name", required=True, help="the person's full name")
    p.add_argument(
        "--role",
        action="append",
        required=True,
        help="secretariaat, jurist or beheer; repeat for more",
    )
    p.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    p.set_defaults(func=cmd_users_add)
    p = actions.add_parser("list", help="list the accounts", description="Every account.")
    p.set_defaults(func=cmd_users_list)
    p = actions.add_parser(
        "disable",
        help="disable an account",
        description="Disable LOGIN: it can no longer be used; what it did stays attributed.",
    )
    p.add_argument("login")
    p.set_defaults(func=cmd_users_disable)
    p = actions.add_parser(
        "passwd", help="set an account's password", description="Set the password of LOGIN."
    )
    p.add_argument("login")
    p.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    p.set_defaults(func=cmd_users_passwd)
