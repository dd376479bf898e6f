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
from ibtpost.importing import ImportResult, import_addresses, import_cdk, import_figures
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


IMPORT_NEXT = {
    "figures": "ibtpost check, then ibtpost letter trede-2 --municipality CODE --date YYYY-MM-DD",
    "addresses": "ibtpost check",
    "cdk": "ibtpost check",
}


def _run_import(args: argparse.Namespace, run: Callable[[], ImportResult]) -> int:
    """Run one import; on bad input list every problem, then one summary line."""
    try:
        result = run()
    except IbtpostError as exc:
        _report(exc)
        problems = exc.problems if isinstance(exc, Problems) else [exc]
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        first = str(problems[0].location.file or "")
        where = f"in {first}" if first else "on the command line"
        print(f"error: {count} {where}; nothing imported", file=sys.stderr)
        return exc.exit_code
    if result.ignored_columns:
        print(
            f"warning: {result.source}: ignored column(s) {', '.join(result.ignored_columns)}",
            file=sys.stderr,
        )
    rows = f"{result.rows} row{'s' if result.rows != 1 else ''}"
    state = f"{result.changed} changed" if result.changed else "already up to date"
    print(f"imported {rows} from {result.source} into {result.target} ({state})")
    print(f"next: {IMPORT_NEXT[result.kind]}")
    return EXIT_OK


def cmd_import_figures(args: argparse.Namespace) -> int:
    """ibtpost import figures."""
    return _run_import(
        args,
        lambda: import_figures(
            args.root,
            args.file,
            source=args.source,
            peildatum=args.peildatum,
            verdeelbesluit=args.verdeelbesluit,
            sheet=args.sheet,
        ),
    )


def cmd_import_addresses(args: argparse.Namespace) -> int:
    """ibtpost import addresses."""
    return _run_import(args, lambda: import_addresses(args.root, args.file, sheet=args.sheet))


def cmd_import_cdk(args: argparse.Namespace) -> int:
    """ibtpost import cdk."""
    return _run_import(args, lambda: import_cdk(args.root, args.file, sheet=args.sheet))


def _add_import(sub: argparse._SubParsersAction[_Parser]) -> None:
    """ibtpost import figures|addresses|cdk."""
    imp = sub.add_parser(
        "import",
        help="import figures or e-mail addresses from a CSV or XLSX file into config/",
        description="Import what the secretariat receives, from CSV (UTF-8, ',' or ';') or "
        "XLSX (first sheet unless --sheet). Every problem is listed at once (file, row, "
        "column); when there is any, nothing is written.",
    )
    kinds = imp.add_subparsers(dest="kind", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", type=Path, metavar="FILE", help="a .csv or .xlsx file")
        p.add_argument("--sheet", help="XLSX only: the worksheet to read (default: the first)")

    p = kinds.add_parser(
        "figures",
        help="real figures per municipality into config/figures.csv",
        description="Columns gemeentecode, taak_regulier, taak_amv, realisatie_regulier, "
        "realisatie_amv. Each row replaces that municipality's row in config/figures.csv "
        "as real data (sample=no) with --source; other rows stay as they are.",
    )
    common(p)
    p.add_argument(
        "--source", required=True, help="where the figures come from (stored on every row)"
    )
    p.add_argument(
        "--peildatum", type=_date, help="YYYY-MM-DD; default: keep each row's current date"
    )
    p.add_argument(
        "--verdeelbesluit", type=_date, help="YYYY-MM-DD; default: keep each row's current date"
    )
    p.set_defaults(func=cmd_import_figures)

    p = kinds.add_parser(
        "addresses",
        help="the colleges' e-mail addresses for IBT letters",
        description="Columns gemeentecode, email: the college's e-mail address for IBT "
        "letters. Kept in config/college-addresses.csv, next to the general address.",
    )
    common(p)
    p.set_defaults(func=cmd_import_addresses)

    p = kinds.add_parser(
        "cdk",
        help="the Commissarissen van de Koning's e-mail addresses for the copy",
        description="Columns provincie, email: the Commissaris van de Koning's e-mail "
        "address. Kept in config/cdk-addresses.csv; it overrides cdk_email in "
        "config/provinces.csv. Province names as in config/provinces.csv (any case).",
    )
    common(p)
    p.set_defaults(func=cmd_import_cdk)


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

    _add_import(sub)
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
