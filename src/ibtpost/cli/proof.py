"""The review commands of the command line: preview and proof.

The modules behind them (Word, PDF, LibreOffice) are imported when a command runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ibtpost.cli.args import EXIT_OK, SubParsers, parse_date, progress_bar
from ibtpost.core import clock

if TYPE_CHECKING:
    from ibtpost.service.review import Reviewed

PLACEHOLDER_HELP = (
    "A review copy is not a letter: it shows the placeholder reference 0000000 (never a "
    "real one), carries CONCEPT on every page, and allocates no reference and records no "
    "letter; only the version of the text it shows is recorded (for `ibtpost diff`). Works "
    "for draft and final letter definitions alike."
)


def _summary(made: Reviewed) -> None:
    for line in (*made.warnings, made.summary):
        print(line.text("en"), file=sys.stderr)


def cmd_preview(args: argparse.Namespace) -> int:
    """ibtpost preview."""
    from ibtpost.service.review import preview

    made = preview(
        args.root, args.letter, args.municipality, args.date, args.out, corrects=args.corrects
    )
    for path in made.result.files:
        print(path)
    _summary(made)
    return EXIT_OK


def cmd_proof(args: argparse.Namespace) -> int:
    """ibtpost proof."""
    from ibtpost.service.review import proof

    with progress_bar(f"proof {args.letter}") as progress:
        made = proof(
            args.root,
            args.letter,
            args.date,
            args.municipality or (),
            edges=args.edge_cases,
            out=args.out,
            progress=progress,
            corrects=args.corrects,
        )
    if args.edge_cases:
        for line in made.pages:
            print(line.text("en"), file=sys.stderr)
    _summary(made)
    print(made.result.files[0])
    return EXIT_OK


def add_proof_commands(sub: SubParsers) -> None:
    """ibtpost preview and proof."""
    p = sub.add_parser(
        "preview",
        help="a letter as a CONCEPT review copy (PDF) per municipality; records no letter",
        description="Produce LETTER for each --municipality as a PDF review copy in "
        f"outbox/preview/ (or --out), named <letter>-<date>-<name>.pdf. {PLACEHOLDER_HELP} "
        "Prints the paths.",
    )
    p.add_argument("letter", help="letter definition, e.g. trede-3 (letters/trede-3.yaml)")
    p.add_argument(
        "--municipality",
        "-m",
        action="append",
        required=True,
        help="code (GM0622, 0622) or name (Vlaardingen), case-insensitive; repeat for more",
    )
    p.add_argument(
        "--date",
        "-d",
        type=parse_date,
        default=clock.today(),
        help="dagtekening shown, YYYY-MM-DD (default: today)",
    )
    p.add_argument("--out", "-o", type=Path, help="folder for the files (default: outbox/preview/)")
    p.add_argument(
        "--corrects",
        metavar="REFERENCE",
        help="the sent letter a herstel or intrekking names (default: a stand-in, onze "
        "referentie 0000000)",
    )
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser(
        "proof",
        help="one CONCEPT PDF of a letter for every municipality it applies to, or edge cases",
        description="Produce one PDF review copy of LETTER, each letter on new pages with a "
        "bookmark naming it: for every municipality that does not meet its task (the ones "
        "the ladder can send a letter to; whether one is due today is left aside), for the "
        "ones given with --municipality, or with --edge-cases for a built-in set: real "
        "figures, the longest name, a Postbus address, zero task and AMV only (sample "
        "figures derived from a real municipality, marked VOORBEELD) and sample figures. "
        f"{PLACEHOLDER_HELP} Default file: outbox/preview/<letter>-<date>-proof[-...].pdf; "
        "prints its path.",
    )
    p.add_argument("letter", help="letter definition, e.g. trede-3")
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--municipality",
        "-m",
        action="append",
        help="code or name; repeat for more (default: every municipality not meeting its task)",
    )
    which.add_argument(
        "--edge-cases",
        action="store_true",
        help="the built-in edge cases instead of real municipalities' letters",
    )
    p.add_argument(
        "--date",
        "-d",
        type=parse_date,
        default=clock.today(),
        help="dagtekening shown, YYYY-MM-DD (default: today)",
    )
    p.add_argument(
        "--out", "-o", type=Path, help="the PDF file to write (a folder: the default name in it)"
    )
    p.add_argument(
        "--corrects",
        metavar="REFERENCE",
        help="the sent letter a herstel or intrekking names; the copy is then for its "
        "municipality (default: a stand-in, onze referentie 0000000)",
    )
    p.set_defaults(func=cmd_proof)
