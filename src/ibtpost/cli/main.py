"""The ``ibtpost`` command line: the parser and the one place errors become messages and exit
codes. The commands are in one module per group: letters (letter, batch, status, post),
data (check, import), dispatch (queue, send, withdraw, post-room, report, outbox, audit),
review (diff, approve), proof (preview, proof), archive (export mdto, case) and accounts
(users).
Only the cli modules print."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ibtpost import __version__
from ibtpost.cli.accounts import add_account_commands
from ibtpost.cli.archive import add_archive_commands
from ibtpost.cli.args import Parser, report_error
from ibtpost.cli.data import add_data_commands
from ibtpost.cli.dispatch import add_dispatch_commands
from ibtpost.cli.letters import add_letter_commands
from ibtpost.cli.procedure import add_procedure_commands
from ibtpost.cli.proof import add_proof_commands
from ibtpost.cli.review import add_review_commands
from ibtpost.cli.web import add_web_commands
from ibtpost.core.errors import EXIT_FAILURE, IbtpostError

# The modules behind the commands are imported when their command runs: `ibtpost send` or
# `ibtpost status` need not load the Word, PDF and LibreOffice machinery (half a second),
# nor rich where nothing is drawn.


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command."""
    parser = Parser(
        prog="ibtpost",
        description="Supervision letters (IBT Spreidingswet): YAML definitions and data to "
        "Word and PDF/A letters.",
        epilog="Exit codes: 0 ok, 1 failure, 2 bad input. See README.md.",
    )
    parser.add_argument("--version", action="version", version=f"ibtpost {__version__}")
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(os.environ.get("IBTPOST_ROOT", ".")),
        help="folder holding letters/, templates/, config/ and outbox/ "
        "(default: $IBTPOST_ROOT or the current directory)",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    add_letter_commands(sub)
    add_procedure_commands(sub)
    add_data_commands(sub)
    add_dispatch_commands(sub)
    add_review_commands(sub)
    add_proof_commands(sub)
    add_web_commands(sub)
    add_archive_commands(sub)
    add_account_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except IbtpostError as exc:
        report_error(exc, args.command)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_FAILURE
