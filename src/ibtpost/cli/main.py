"""The ``ibtpost`` command line. Only the cli modules print and choose exit codes; the
dispatch commands (queue, send, outbox, audit) are in :mod:`ibtpost.cli_dispatch`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ibtpost import __version__, clock
from ibtpost.cli.args import EXIT_OK, Parser, SubParsers, parse_date, progress_bar
from ibtpost.cli.dispatch import add_dispatch_commands
from ibtpost.cli.proof import add_proof_commands
from ibtpost.cli.review import add_review_commands
from ibtpost.errors import EXIT_BAD_INPUT, EXIT_FAILURE, IbtpostError, Problems

# The modules behind the commands are imported when their command runs: `ibtpost send` or
# `ibtpost status` need not load the Word, PDF and LibreOffice machinery (half a second),
# nor rich where nothing is drawn.
if TYPE_CHECKING:
    from ibtpost.data.importing import ImportResult


def cmd_letter(args: argparse.Namespace) -> int:
    """ibtpost letter."""
    from ibtpost.production.letter import produce_letter

    result = produce_letter(
        args.root,
        args.letter,
        args.municipality,
        args.date,
        args.reference,
        args.out,
        concept=args.concept,
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
    if args.batch:
        return _check_batch(args)
    from ibtpost.review.check import run_check

    report = run_check(args.root)
    for finding in report.findings:
        print(finding)
    errors, warnings = len(report.errors), len(report.warnings)
    print(f"{errors} error(s), {warnings} warning(s)")
    return EXIT_BAD_INPUT if errors else EXIT_OK


def _check_batch(args: argparse.Namespace) -> int:
    """ibtpost check --batch: the checks `queue` runs, on every letter, queueing nothing."""
    from ibtpost.review.lettercheck import check_batch

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
    from ibtpost.data.importing import import_figures

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
    from ibtpost.data.importing import import_addresses

    return _run_import(args, lambda: import_addresses(args.root, args.file, sheet=args.sheet))


def cmd_import_cdk(args: argparse.Namespace) -> int:
    """ibtpost import cdk."""
    from ibtpost.data.importing import import_cdk

    return _run_import(args, lambda: import_cdk(args.root, args.file, sheet=args.sheet))


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


def cmd_batch(args: argparse.Namespace) -> int:
    """ibtpost batch."""
    from ibtpost.production.batch import run_batch
    from ibtpost.production.selection import BatchRequest

    request = BatchRequest(
        letter=args.letter,
        day=args.date,
        municipalities=tuple(args.municipality or ()),
        concept=args.concept,
        reason=args.reason,
    )
    with progress_bar(f"batch {args.letter}") as progress:
        result = run_batch(args.root, request, progress)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    kind = "concept batch" if result.concept else "batch"
    print(
        f"{kind} {result.id}: {len(result.letters)} letters ({result.converted} converted, "
        f"{len(result.letters) - result.converted} unchanged), {result.pages} pages, "
        f"{result.seconds:.1f} s, {len(result.warnings)} warning(s)",
        file=sys.stderr,
    )
    print(result.folder)
    if not result.concept:
        print(
            f"next: check the letters, then `ibtpost post {result.id}` once the post room "
            "has sent them",
            file=sys.stderr,
        )
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """ibtpost status."""
    from rich.console import Console
    from rich.table import Table

    from ibtpost.production.supervision import status

    rows = status(args.root, args.date)
    if args.due:
        rows = [row for row in rows if row.action in ("letter", "close")]
    if args.json:
        print(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    table = Table(title=f"Supervision status on {args.date.isoformat()}", title_justify="left")
    for heading in (
        "code",
        "municipality",
        "task",
        "realised",
        "shortfall",
        "trede",
        "last letter",
        "term until",
        "next",
        "note",
        "mail",
    ):
        numeric = heading in ("task", "realised", "shortfall", "trede")
        table.add_column(heading, justify="right" if numeric else "left")
    for row in rows:
        table.add_row(
            row.code,
            row.name + (" *" if row.sample else ""),
            str(row.task),
            str(row.realised),
            str(row.shortfall),
            str(row.trede or ""),
            row.last_reference or "",
            row.term_until or "",
            row.next_letter or ("close case" if row.action == "close" else "-"),
            row.note,
            "by post" if row.by_post else "",
        )
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    due = sum(1 for row in rows if row.action == "letter")
    samples = sum(1 for row in rows if row.sample)
    console.print(f"{due} letter(s) due; * = sample figures ({samples})")
    for row in rows:
        if row.by_post and row.action == "letter":
            console.print(f"by post: {row.by_post}")
    return EXIT_OK


def cmd_post(args: argparse.Namespace) -> int:
    """ibtpost post."""
    from ibtpost.production.supervision import mark_posted

    sent = mark_posted(args.root, args.batch, tuple(args.reference or ()), args.date)
    for letter in sent:
        print(f"{letter.reference} {letter.municipality}: posted {args.date.isoformat()}")
    print(
        f"{len(sent)} letter(s) recorded as posted; they now count on the ladder", file=sys.stderr
    )
    return EXIT_OK


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
        "--date", "-d", type=parse_date, required=True, help="dagtekening of the letter, YYYY-MM-DD"
    )
    p.add_argument(
        "--reference",
        "-r",
        help="Onze referentie to use (digits); default: the next number of the series",
    )
    p.add_argument("--out", "-o", type=Path, help="folder for the files (default: outbox/letters/)")
    p.add_argument(
        "--concept",
        action="store_true",
        help="mark every page CONCEPT (always so for a draft letter definition)",
    )
    p.set_defaults(func=cmd_letter)

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

    p = sub.add_parser(
        "batch",
        help="produce a batch of letters in outbox/<batch-id>/",
        description="Produce LETTER for every municipality due for it on --date (see "
        "`ibtpost status`), or for the ones given with --municipality. Writes per letter "
        "<reference>-<name>.docx and .pdf, manifest.csv, manifest.json and print.pdf into "
        "outbox/<batch-id>/. Running the same batch again gives the same letters and "
        "numbers and converts only what changed.",
    )
    p.add_argument("letter", help="letter definition, e.g. trede-2")
    p.add_argument("--date", "-d", type=parse_date, required=True, help="dagtekening, YYYY-MM-DD")
    p.add_argument(
        "--municipality",
        "-m",
        action="append",
        help="code or name; repeat for more (default: every municipality due for LETTER)",
    )
    p.add_argument(
        "--concept",
        action="store_true",
        help="mark every page CONCEPT (required for a draft letter definition)",
    )
    p.add_argument(
        "--reason",
        help="why a letter departs from the ladder (skipped or repeated step, term not "
        "passed); recorded with each such letter",
    )
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser(
        "status",
        help="per municipality: task, realisation, trede and the next letter",
        description="Per municipality: task, realisation, shortfall, current trede, the "
        "last letter and its term, and the recommended next letter on --date.",
    )
    p.add_argument(
        "--date", "-d", type=parse_date, default=date.today(), help="YYYY-MM-DD (default: today)"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--due", action="store_true", help="only municipalities with something to do")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "post",
        help="record that the post room sent the letters of a batch",
        description="Record that letters of BATCH went out by post on --date; from then on "
        "they count on the ladder from that date. Without --reference: every letter of the "
        "batch not yet sent, or, once the batch is queued, every letter waiting for the post "
        "room (no e-mail address, or failed). A letter queued for e-mail, being sent or in "
        "doubt is refused: withdraw it first.",
    )
    p.add_argument("batch", help="batch id (its folder name under outbox/)")
    p.add_argument("--reference", "-r", action="append", help="only this letter; repeatable")
    p.add_argument(
        "--date",
        "-d",
        type=parse_date,
        default=clock.dutch_day(clock.now()),
        help="posting date (default: today in the Netherlands)",
    )
    p.set_defaults(func=cmd_post)

    _add_import(sub)
    add_dispatch_commands(sub)
    add_review_commands(sub)
    add_proof_commands(sub)
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
