"""The data commands: check (config/, letters/, templates/ together) and import."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ibtpost.cli.args import EXIT_OK, Parser, SubParsers, parse_date, report_error
from ibtpost.cli.words import CliWords
from ibtpost.core.errors import EXIT_BAD_INPUT, EXIT_FAILURE, IbtpostError, Problems, hint_text

# The modules behind the commands are imported when their command runs: `ibtpost send` or
# `ibtpost status` need not load the Word, PDF and LibreOffice machinery (half a second),
# nor rich where nothing is drawn.
if TYPE_CHECKING:
    from ibtpost.service.imports import Imported


def cmd_check(args: argparse.Namespace) -> int:
    """ibtpost check."""
    if args.batch:
        return _check_batch(args)
    from ibtpost.service.review import check

    report = check(args.root)
    words = CliWords("check")
    for finding in report.findings:
        hint = hint_text(finding.hint, words)
        print(f"{finding.text(words)}; {hint}" if hint else finding.text(words))
    errors, warnings = len(report.errors), len(report.warnings)
    print(f"{errors} error(s), {warnings} warning(s)")
    return EXIT_BAD_INPUT if errors else EXIT_OK


def _check_batch(args: argparse.Namespace) -> int:
    """ibtpost check --batch: the checks `queue` runs, on every letter, queueing nothing."""
    from ibtpost.review.noticecheck import check_batch

    result = check_batch(args.root, args.batch)
    for check in result.failed:
        print(f"failed: {check}")
    print(
        f"{len(result.letters)} letter(s) checked ({result.cached} from checks.json) in "
        f"{result.seconds:.1f} s: {len(result.letters) - len(result.failed)} passed, "
        f"{len(result.failed)} failed"
    )
    return EXIT_FAILURE if result.failed else EXIT_OK


IMPORT_NEXT = {
    "figures": "ibtpost check, then ibtpost letter trede-2 --municipality CODE --date YYYY-MM-DD",
    "addresses": "ibtpost check",
    "cdk": "ibtpost check",
    "raad": "ibtpost check",
    "gs": "ibtpost check",
}


def _run_import(args: argparse.Namespace, run: Callable[[], Imported]) -> int:
    """Run one import; on bad input list every problem, then one summary line."""
    try:
        done = run()
    except IbtpostError as exc:
        report_error(exc, "import")
        problems = exc.problems if isinstance(exc, Problems) else [exc]
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        first = str(problems[0].location.file or "")
        where = f"in {first}" if first else "on the command line"
        print(f"error: {count} {where}; nothing imported", file=sys.stderr)
        return exc.exit_code
    if done.ignored is not None:
        print(done.ignored.text("en"), file=sys.stderr)
    print(done.summary.text("en"))
    print(f"next: {IMPORT_NEXT[done.result.kind]}")
    return EXIT_OK


def cmd_import_figures(args: argparse.Namespace) -> int:
    """ibtpost import figures."""
    from ibtpost.service.imports import import_figures

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
    from ibtpost.service.imports import import_addresses

    return _run_import(
        args, lambda: import_addresses(args.root, args.file, role=args.role, sheet=args.sheet)
    )


def cmd_import_cdk(args: argparse.Namespace) -> int:
    """ibtpost import cdk."""
    from ibtpost.service.imports import import_addresses

    return _run_import(
        args, lambda: import_addresses(args.root, args.file, role="cdk", sheet=args.sheet)
    )


def _add_import(sub: SubParsers) -> None:
    """ibtpost import figures|addresses|cdk."""
    imp = sub.add_parser(
        "import",
        help="import figures or e-mail addresses from a CSV or XLSX file into config/",
        description="Import what the secretariat receives, from CSV (UTF-8, ',' or ';') or "
        "XLSX (first sheet unless --sheet). Every problem is listed at once (file, row, "
        "column); when there is any, nothing is written.",
    )
    kinds = imp.add_subparsers(dest="kind", required=True, parser_class=Parser)

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
        "--peildatum", type=parse_date, help="YYYY-MM-DD; default: keep each row's current date"
    )
    p.add_argument(
        "--verdeelbesluit",
        type=parse_date,
        help="YYYY-MM-DD; default: keep each row's current date",
    )
    p.set_defaults(func=cmd_import_figures)

    p = kinds.add_parser(
        "addresses",
        help="e-mail addresses of one recipient role (college, raad, cdk, gs)",
        description="The e-mail addresses of one recipient role. --role college (default): "
        "columns gemeentecode, email, the college's address for IBT letters, kept in "
        "config/college-addresses.csv next to the general address. --role raad: columns "
        "gemeentecode, email, the gemeenteraad's (griffie's) address for the copies a letter "
        "definition sends it (copies: raad), config/raad-addresses.csv. --role cdk: columns "
        "provincie, email, the Commissaris van de Koning (the Cc of every letter), "
        "config/cdk-addresses.csv. --role gs: columns provincie, email, gedeputeerde staten "
        "(copies: gs), config/gs-addresses.csv. Province names as in config/provinces.csv "
        "(any case).",
    )
    common(p)
    p.add_argument(
        "--role",
        choices=("college", "raad", "cdk", "gs"),
        default="college",
        help="whose addresses the file holds (default: college)",
    )
    p.set_defaults(func=cmd_import_addresses)

    p = kinds.add_parser(
        "cdk",
        help="the Commissarissen van de Koning's e-mail addresses (= addresses --role cdk)",
        description="Columns provincie, email: the Commissaris van de Koning's e-mail "
        "address. Kept in config/cdk-addresses.csv; it overrides cdk_email in "
        "config/provinces.csv. Province names as in config/provinces.csv (any case).",
    )
    common(p)
    p.set_defaults(func=cmd_import_cdk)


def add_data_commands(sub: SubParsers) -> None:
    """ibtpost check and import."""
    p = sub.add_parser(
        "check",
        help="validate config/, letters/ and templates/ together",
        description="Validate config/, letters/ and templates/ together and list every "
        "problem. Errors exit 2; warnings alone exit 0. With --batch: run the checks that "
        "`ibtpost queue` runs on every letter of a batch, without queueing anything (exit 1 "
        "when a letter fails).",
    )
    p.add_argument(
        "--batch",
        "-b",
        metavar="BATCH",
        help="check the generated letters of this batch (its folder name under outbox/)",
    )
    p.set_defaults(func=cmd_check)

    _add_import(sub)
