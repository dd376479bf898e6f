"""The letter commands: letter, batch, status and reply."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ibtpost.cli.args import EXIT_OK, SubParsers, parse_date, progress_bar
from ibtpost.core import clock

# The modules behind the commands are imported when their command runs: `ibtpost send` or
# `ibtpost status` need not load the Word, PDF and LibreOffice machinery (half a second),
# nor rich where nothing is drawn.
if TYPE_CHECKING:
    from ibtpost.production.supervision import StatusRow


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
        corrects=args.corrects,
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


def cmd_batch(args: argparse.Namespace) -> int:
    """ibtpost batch."""
    from ibtpost.production.selection import BatchRequest
    from ibtpost.service.batches import make_batch

    request = BatchRequest(
        letter=args.letter,
        day=args.date,
        municipalities=tuple(args.municipality or ()),
        concept=args.concept,
        reason=args.reason,
        corrects=args.corrects,
    )
    with progress_bar(f"batch {args.letter}") as progress:
        made = make_batch(args.root, request, progress)
    result = made.result
    for line in (*made.warnings, made.summary):
        print(line.text("en"), file=sys.stderr)
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

    from ibtpost.service.status import supervision_status

    found = supervision_status(args.root, args.date, due_only=args.due)
    rows = found.rows
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
        "answered",
        "procedure",
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
            _answered(row),
            _procedure(row),
            row.next_letter or ("close case" if row.action == "close" else "-"),
            row.note,
            "by post" if row.by_post else "",
        )
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    console.print(f"{found.due} letter(s) due; * = sample figures ({found.samples})")
    for why in found.by_post:
        console.print(f"by post: {why}")
    return EXIT_OK


def _answered(row: StatusRow) -> str:
    """The status table's answer cell: the date received, or whether the term passed."""
    if row.answered:
        kind = " (zienswijze)" if row.answer_kind == "zienswijze" else ""
        if row.no_reply_text:
            kind = " (zienswijze, no reply text: ibtpost motivering)"
        return row.answered + kind
    if row.last_reference is None:
        return ""
    return "no, term passed" if row.term_passed else "not yet"


def _procedure(row: StatusRow) -> str:
    """The status table's procedure cell: the kennisgeving's publication, the court."""
    parts = [f"Stcrt. {row.published}" if row.published else "", row.litigation or ""]
    return "; ".join(part for part in parts if part)


def cmd_reply(args: argparse.Namespace) -> int:
    """ibtpost reply."""
    from ibtpost.service.replies import reply

    done = reply(args.root, args.reference, args.received, args.kind, args.file, args.note)
    print(done.summary.text("en"))
    if not done.done.added:
        return EXIT_OK
    print("next: `ibtpost status` shows the case as answered", file=sys.stderr)
    return EXIT_OK


def cmd_motivering(args: argparse.Namespace) -> int:
    """ibtpost motivering."""
    from ibtpost.service.motivering import motivering, show_motivering

    if args.file is None:
        found = show_motivering(args.root, args.reference)
        if not found.versions:
            print(f"{found.reference} {found.municipality}: no motivering written")
        for version in found.versions:
            by = f" by {version.by}" if version.by else ""
            latest = found.latest(version.part) == version
            print(
                f"{version.part} version {version.version}{' (printed)' if latest else ''}: "
                f"{version.recorded_at}{by}, sha256 {version.sha256[:12]}"
            )
        for part in ("zienswijze", "feiten"):
            current = found.latest(part)
            if current is not None:
                print(f"\n--- {part}, version {current.version} ---\n{current.text}")
        return EXIT_OK
    done = motivering(args.root, args.reference, args.file, args.part, args.by)
    print(done.summary.text("en"))
    return EXIT_OK


def add_letter_commands(sub: SubParsers) -> None:
    """ibtpost letter, batch, status, reply and motivering."""
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
    p.add_argument(
        "--corrects",
        metavar="REFERENCE",
        help="the Onze referentie of the sent letter a herstel corrects or an intrekking withdraws "
        "(the same municipality's; required for those letters, refused for the others)",
    )
    p.set_defaults(func=cmd_letter)

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
    p.add_argument(
        "--corrects",
        metavar="REFERENCE",
        help="the Onze referentie of the sent letter a herstel corrects or an intrekking withdraws "
        "(the same municipality's; required for those letters, refused for the others)",
    )
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser(
        "status",
        help="per municipality: task, realisation, trede and the next letter",
        description="Per municipality: task, realisation, shortfall, current trede, the "
        "last letter and its term, and the recommended next letter on --date.",
    )
    p.add_argument(
        "--date", "-d", type=parse_date, default=clock.today(), help="YYYY-MM-DD (default: today)"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--due", action="store_true", help="only municipalities with something to do")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "reply",
        help="record that the college answered a letter (a reply or a zienswijze)",
        description="Record that the college answered the letter REFERENCE on --received: "
        "a reply, or a zienswijze on a voornemen (--kind). With --file the PDF or e-mail "
        "(.eml) received is copied into the case (outbox/cases/<code>/) and its SHA-256 "
        "kept. Audited. `ibtpost status` then shows the case's last letter as answered, "
        "and the next letter's text can refer to the reply ({% if reply %} ... "
        "{{ reply.received }} ... {% endif %}).",
    )
    p.add_argument("reference", help="the Onze referentie of the letter answered")
    p.add_argument(
        "--received", type=parse_date, required=True, help="the date it was received, YYYY-MM-DD"
    )
    p.add_argument(
        "--kind",
        choices=("reply", "zienswijze"),
        default="reply",
        help="reply (default) or zienswijze (on a voornemen)",
    )
    p.add_argument("--file", type=Path, help="the PDF or e-mail (.eml) received")
    p.add_argument("--note", help="a note (one line), kept in the audit trail")
    p.set_defaults(func=cmd_reply)

    p = sub.add_parser(
        "motivering",
        help="record the motivering of a case: the reply to a zienswijze, the facts after a term",
        description="Record what only a person can write for one case, on the letter "
        "REFERENCE it answers: the summary of the college's zienswijze on a voornemen and "
        "the minister's reply to it (--part zienswijze; the besluit prints it under "
        "'Zienswijze en reactie'), or the facts after the term of a besluit, the college's "
        "report (--part feiten; the letter of trede 6 prints them), what a herstel of a sent "
        "letter changes (--part herstel, on the letter corrected; the herstel prints it), or "
        "why a besluit is withdrawn (--part intrekking, on the besluit; the intrekking "
        "prints it). --file is plain UTF-8 "
        "text, paragraphs separated by a blank line. Versioned and audited: the same text "
        "again adds nothing, a changed text a new version (the latest is printed). Without "
        "--file: the texts recorded and their versions.",
    )
    p.add_argument("reference", help="the Onze referentie of the letter the text answers")
    p.add_argument("--file", type=Path, help="the text (UTF-8, paragraphs by blank lines)")
    p.add_argument(
        "--part",
        choices=("zienswijze", "feiten", "herstel", "intrekking"),
        help="zienswijze (default before trede 5), feiten (default on a besluit), herstel "
        "or intrekking",
    )
    p.add_argument("--by", help="who wrote or approved the text (one line), kept with it")
    p.set_defaults(func=cmd_motivering)
