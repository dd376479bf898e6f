"""The ``ibtpost`` command line. Only this module prints and chooses exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from ibtpost import __version__
from ibtpost.check import run_check
from ibtpost.errors import EXIT_BAD_INPUT, EXIT_FAILURE, IbtpostError, Problems
from ibtpost.pipeline import produce_letter

EXIT_OK = 0


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and one line on a usage error (as argparse does)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see: {self.prog} --help)\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-04-09") from None


def cmd_letter(args: argparse.Namespace) -> int:
    """ibtpost letter."""
    result = produce_letter(
        args.root, args.letter, args.municipality, args.date, args.reference, args.out
    )
    print(result.docx)
    print(result.pdf)
    mark = f" [{', '.join(result.letter.marks)}]" if result.letter.marks else ""
    print(
        f"letter {args.letter} for {result.letter.municipality.name}, Onze referentie "
        f"{result.reference}, {result.facts.pages} pages, PDF/A-{result.facts.pdfa}{mark}",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """ibtpost check."""
    report = run_check(args.root)
    for finding in report.findings:
        print(finding)
    errors, warnings = len(report.errors), len(report.warnings)
    print(f"{errors} error(s), {warnings} warning(s)")
    return EXIT_BAD_INPUT if errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command."""
    parser = _Parser(
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
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser(
        "letter",
        help="produce one letter as .docx and PDF/A",
        description="Produce one letter for one municipality as .docx and tagged PDF/A-2b. "
        "Prints the paths of both files.",
    )
    p.add_argument("letter", help="letter definition, e.g. trede-2 (letters/trede-2.yaml)")
    p.add_argument(
        "--municipality",
        "-m",
        required=True,
        help="code (GM0622, 0622) or name (Vlaardingen), case-insensitive",
    )
    p.add_argument(
        "--date", "-d", type=_date, required=True, help="dagtekening of the letter, YYYY-MM-DD"
    )
    p.add_argument(
        "--reference",
        "-r",
        help="Onze referentie to use (digits); default: the next number of the series",
    )
    p.add_argument("--out", "-o", type=Path, help="folder for the files (default: outbox/letters/)")
    p.set_defaults(func=cmd_letter)

    p = sub.add_parser(
        "check",
        help="validate config/, letters/ and templates/ together",
        description="Validate config/, letters/ and templates/ together and list every "
        "problem. Errors exit 2; warnings alone exit 0.",
    )
    p.set_defaults(func=cmd_check)
    return parser


def _report(exc: IbtpostError) -> None:
    problems = exc.problems if isinstance(exc, Problems) else [exc]
    for problem in problems:
        hint = f" (hint: {problem.hint})" if problem.hint else ""
        print(f"error: {problem}{hint}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except IbtpostError as exc:
        _report(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_FAILURE
