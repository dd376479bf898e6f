"""The dispatch commands of the command line: queue, send, withdraw, post-room, post,
report, outbox and audit.

rich is imported where a table is drawn: `ibtpost send` starts faster without it."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from ibtpost.cli.args import (
    EXIT_OK,
    Parser,
    SubParsers,
    add_batch_argument,
    bounded,
    parse_date,
    positive_int,
)
from ibtpost.core import clock
from ibtpost.core.errors import EXIT_FAILURE, RegisterError
from ibtpost.dispatch.report import FORMATS
from ibtpost.dispatch.send import MAX_ATTEMPTS, RETRY_DELAY, SendOptions
from ibtpost.register import Register, audit, validate_reference
from ibtpost.service.common import Line


def cmd_queue(args: argparse.Namespace) -> int:
    """ibtpost queue."""
    from ibtpost.service.dispatch import queue

    done = queue(args.root, args.batch)
    for line in done.lines:
        print(line.text("en"), file=sys.stderr)
    if not done.ok:
        print(
            f"next: fix the letters above, run the batch again, then `ibtpost queue "
            f"{args.batch}` again; `ibtpost send --batch {args.batch}` sends what is queued",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(f"next: `ibtpost send --batch {args.batch}`", file=sys.stderr)
    return EXIT_OK


def cmd_send(args: argparse.Namespace) -> int:
    """ibtpost send."""
    from ibtpost.service.dispatch import send

    options = SendOptions(
        batch=args.batch,
        limit=args.limit,
        dry_run=args.dry_run,
        max_attempts=args.max_attempts,
        retry_delay=args.retry_delay,
        rate_per_minute=args.rate,
        resend_in_doubt=args.resend_in_doubt,
        test_to=args.test_to,
    )
    done = send(args.root, options)
    _say(done.changed, sys.stderr)
    if done.changed:
        print(
            "  (withdraw: `ibtpost withdraw BATCH -r REF --reason ...`, then "
            "`ibtpost queue BATCH`)",
            file=sys.stderr,
        )
    _say(done.done, sys.stdout)
    if done.report.in_doubt:
        print(
            "hint: `ibtpost send --resend-in-doubt` sends the letters in doubt again, with the "
            "same Message-ID",
            file=sys.stderr,
        )
    _say([*done.warnings, done.summary], sys.stderr)
    if done.dry_run:
        return EXIT_OK
    if done.post_room_batches:
        print(
            "next: failed letters wait for the post room: "
            + "; ".join(f"`ibtpost post-room {b}`" for b in done.post_room_batches),
            file=sys.stderr,
        )
    return EXIT_OK if done.ok else EXIT_FAILURE


def _say(lines: list[Line], stream: TextIO) -> None:
    """Each line in English on ``stream``."""
    for line in lines:
        print(line.text("en"), file=stream)


def cmd_outbox(args: argparse.Namespace) -> int:
    """ibtpost outbox."""
    from rich.console import Console
    from rich.table import Table

    from ibtpost.service.dispatch import outbox

    found = outbox(args.root)
    table = Table(title="Outbox", title_justify="left")
    headings = "batch|letters|not queued|queued|sent|failed|in doubt|post room|posted|withdrawn"
    for heading in headings.split("|"):
        table.add_column(heading, justify="left" if heading == "batch" else "right")
    for row in found.rows:
        name = row.batch + (" (concept)" if row.concept else "") + ("" if row.complete else " *")
        counts = (
            row.letters,
            row.not_queued,
            row.queued,
            row.sent,
            row.failed,
            row.in_doubt,
            row.post,
            row.posted,
            row.withdrawn,
        )
        table.add_row(name, *(str(v) for v in counts))
    console = Console(width=None if sys.stdout.isatty() else 180)
    console.print(table)
    if any(not row.complete for row in found.rows):
        console.print("* incomplete: run its `ibtpost batch` command again")
    if any(row.post for row in found.rows):
        console.print(
            "post room: letters without an e-mail address, and failed ones, wait for the post "
            "room (`ibtpost post-room BATCH` prints them; `ibtpost post BATCH` records them)"
        )
    sys.stdout.flush()
    _say(found.changed_lines, sys.stderr)
    return EXIT_OK


def cmd_withdraw(args: argparse.Namespace) -> int:
    """ibtpost withdraw."""
    from ibtpost.service.postroom import withdraw

    done = withdraw(args.root, args.batch, tuple(args.reference or ()), args.reason)
    _say(done.lines, sys.stdout)
    print(
        f"{done.summary.text('en')}; next: `ibtpost queue {args.batch}` queues them again with "
        "today's addresses and templates",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_post_room(args: argparse.Namespace) -> int:
    """ibtpost post-room."""
    from ibtpost.service.postroom import post_room

    room = post_room(args.root, args.batch)
    for place in room.places:  # a letter: its reference; a copy: REF-role and its addressee
        print(place.reference if not place.addressee else f"{place.reference}-{place.role}: "
              f"{place.addressee}")  # fmt: skip
    if room.path is None or room.listing is None:
        print(f"batch {args.batch}: no letter waits for the post room", file=sys.stderr)
        return EXIT_OK
    print(
        f"post room: {room.letters} letter(s) and {room.copies} copy(ies) to print in "
        f"{room.path} (envelopes: {room.listing.name}); once posted: "
        f"`ibtpost post {args.batch} --date YYYY-MM-DD`",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_post(args: argparse.Namespace) -> int:
    """ibtpost post."""
    from ibtpost.service.postroom import post

    done = post(args.root, args.batch, tuple(args.reference or ()), args.date)
    _say(done.lines, sys.stdout)
    _say([done.summary], sys.stderr)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """ibtpost report."""
    from ibtpost.dispatch.report import as_csv, as_json
    from ibtpost.service.postroom import report

    rows = report(args.root, args.batch)
    sys.stdout.write(as_json(rows) if args.format == "json" else as_csv(rows))
    print(f"{len(rows)} letter(s) in batch {args.batch}", file=sys.stderr)
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """ibtpost audit verify."""
    with Register.for_root(args.root) as register:
        result = audit.verify(register)
    if not result.ok:
        raise RegisterError(str(result))
    print(result, flush=True)
    if result.count:
        print(f"last hash {result.last_hash}", file=sys.stderr)
    return EXIT_OK


def _summary(data: dict[str, object]) -> str:
    """A short line for a table cell: key=value, hashes cut to 12 characters."""
    parts = []
    for key, value in data.items():
        text = "" if value is None else str(value)
        if key.endswith("sha256") and len(text) == 64:
            text = text[:12]
        parts.append(f"{key}={text}")
    return " ".join(parts)


def cmd_audit_show(args: argparse.Namespace) -> int:
    """ibtpost audit show."""
    from rich.console import Console
    from rich.table import Table

    reference = validate_reference(args.reference) if args.reference else None
    with Register.for_root(args.root) as register:
        found = list(audit.events(register, reference, args.batch))
    table = Table(title="Audit trail", title_justify="left")
    for heading in ("seq", "at (UTC)", "kind", "reference", "batch", "data"):
        table.add_column(heading, justify="right" if heading == "seq" else "left")
    for event in found:
        table.add_row(
            str(event.seq),
            event.at.replace("+00:00", "").replace("T", " "),
            event.kind,
            event.reference or "",
            event.batch or "",
            _summary(event.data),
        )
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    console.print(f"{len(found)} event(s)")
    return EXIT_OK


def cmd_audit_export(args: argparse.Namespace) -> int:
    """ibtpost audit export."""
    reference = validate_reference(args.reference) if args.reference else None
    with Register.for_root(args.root) as register:
        count = audit.export(register, sys.stdout, reference, args.batch)
    print(f"{count} event(s) exported", file=sys.stderr)
    return EXIT_OK


def _add_audit(sub: SubParsers) -> None:
    """ibtpost audit verify|show|export."""
    aud = sub.add_parser(
        "audit",
        help="check, show or export the register's tamper-evident audit trail",
        description="The register keeps an append-only, hash-chained audit trail of "
        "letters generated, batches completed, letters posted, cases closed and imports.",
    )
    actions = aud.add_subparsers(dest="action", required=True, parser_class=Parser)
    p = actions.add_parser(
        "verify",
        help="check the hash chain of every event",
        description="Recompute every event's hash and chain link in order. Exit 0 and "
        "'N events, chain intact' (the last hash on stderr), or exit 1 naming the first "
        "broken event.",
    )
    p.set_defaults(func=cmd_audit_verify)

    def filters(p: argparse.ArgumentParser) -> None:
        p.add_argument("--reference", "-r", help="only events of this letter reference")
        p.add_argument("--batch", "-b", help="only events of this batch id")

    p = actions.add_parser(
        "show",
        help="list the events as a table",
        description="List the events in order as a table (hashes shortened to 12 "
        "characters); --reference and --batch narrow the list.",
    )
    filters(p)
    p.set_defaults(func=cmd_audit_show)
    p = actions.add_parser(
        "export",
        help="print the events as JSON Lines",
        description="Print every event as one JSON object per line on stdout, with both "
        "hashes, so the chain can be checked outside ibtpost.",
    )
    filters(p)
    p.set_defaults(func=cmd_audit_export)


def add_dispatch_commands(sub: SubParsers) -> None:
    """ibtpost queue, send, outbox and audit."""
    p = sub.add_parser(
        "queue",
        help="put the letters of a batch in the e-mail queue",
        description="Put every letter of a complete batch in the dispatch queue, once. "
        "Each letter's .docx and PDF are checked first (recorded hashes, no template tags, "
        "mandatory blocks, PDF/A and fonts, page bounds, reference and date on every page); "
        "a letter that fails is not queued, is listed with the reason and exit code 1, and "
        "is queued by a later run once the batch was made again. A letter whose college or "
        "Commissaris van de Koning has no known e-mail address goes to the post room "
        "instead. Letters built on sample data, or concept letters, may only go through the "
        "file transport.",
    )
    add_batch_argument(p)
    p.set_defaults(func=cmd_queue)

    p = sub.add_parser(
        "send",
        help="send the queued e-mail (file transport unless IBTPOST_SMTP_URL is set)",
        description="Send what is queued. Without IBTPOST_SMTP_URL every message is written "
        "as .eml into its batch folder (mail/) and nothing leaves the machine. With it: SMTP "
        "(smtp:// only to loopback; smtp+starttls:// or smtps:// otherwise; credentials from "
        "IBTPOST_SMTP_USER and IBTPOST_SMTP_PASSWORD). Each letter goes out as the message "
        "frozen at `queue`, to the envelope recorded then (a changed address is reported, "
        "not used). Any number of send runs may run at once: each letter is claimed by one. "
        "A letter a server accepted is never sent again; one left in doubt by a crash is "
        "reported and not repeated unless --resend-in-doubt.",
    )
    p.add_argument("--batch", "-b", help="only this batch")
    p.add_argument("--limit", type=positive_int, help="send at most N letters (1 or more)")
    p.add_argument("--dry-run", action="store_true", help="list what would be sent")
    p.add_argument(
        "--max-attempts",
        type=bounded(int, 1, 20),
        default=MAX_ATTEMPTS,
        help=f"per letter, 1 to 20 (default {MAX_ATTEMPTS})",
    )
    p.add_argument(
        "--retry-delay",
        type=bounded(float, 0, 3600),
        default=RETRY_DELAY,
        help="seconds before the first retry, 0 to 3600; doubled each time "
        f"(default {RETRY_DELAY:g})",
    )
    p.add_argument(
        "--rate",
        type=bounded(float, 0, 6000, above=True),
        help="at most this many messages per minute (above 0, up to 6000)",
    )
    p.add_argument(
        "--resend-in-doubt",
        action="store_true",
        help="send in-doubt letters again, with the same Message-ID",
    )
    p.add_argument(
        "--test-to",
        metavar="ADDRESS",
        help="test mode: every message goes to ADDRESS only (the real addresses in headers)",
    )
    p.set_defaults(func=cmd_send)

    p = sub.add_parser(
        "outbox",
        help="per batch: queued, sent, failed, in doubt, post room",
        description="Per batch how many letters are queued, sent, failed, in doubt, waiting "
        "for the post room (no e-mail address, or failed), posted or withdrawn; then every "
        "queued letter whose address in config/ changed since it was queued.",
    )
    p.set_defaults(func=cmd_outbox)

    p = sub.add_parser(
        "withdraw",
        help="take queued letters out of the e-mail queue",
        description="Take letters of a batch that are queued, waiting for the post room or "
        "failed out of the queue (all of them, or those named with -r), with a reason that "
        "the audit trail keeps. `ibtpost queue BATCH` queues them again, composed anew from "
        "today's addresses and templates; the letter files and references stay. A letter "
        "that is being sent, sent, in doubt or posted cannot be withdrawn (exit 2, nothing "
        "changed).",
    )
    add_batch_argument(p)
    p.add_argument(
        "--reference",
        "-r",
        action="append",
        help="only this letter, with its copies, or only this copy (REF-raad); repeatable",
    )
    p.add_argument("--reason", required=True, help="why (one line, kept in the audit trail)")
    p.set_defaults(func=cmd_withdraw)

    p = sub.add_parser(
        "post-room",
        help="rebuild the batch's post-room.pdf (no e-mail address, or failed)",
        description="Write post-room.pdf in the batch folder anew: every letter that waits "
        "for the post room (no e-mail address known, or its e-mail failed) and is not "
        "posted yet, each starting on a new sheet when printed double-sided. Lists their "
        "references. Record them with `ibtpost post BATCH` once posted.",
    )
    add_batch_argument(p)
    p.set_defaults(func=cmd_post_room)

    p = sub.add_parser(
        "post",
        help="record that the post room sent the letters of a batch",
        description="Record that letters of BATCH went out by post on --date; from then on "
        "they count on the ladder from that date. Without --reference: every letter of the "
        "batch not yet sent, or, once the batch is queued, every letter waiting for the post "
        "room (no e-mail address, or failed). A letter queued for e-mail, being sent or in "
        "doubt is refused: withdraw it first.",
    )
    add_batch_argument(p)
    p.add_argument("--reference", "-r", action="append", help="only this letter; repeatable")
    p.add_argument(
        "--date",
        "-d",
        type=parse_date,
        default=clock.today(),
        help="posting date (default: today in the Netherlands)",
    )
    p.set_defaults(func=cmd_post)

    p = sub.add_parser(
        "report",
        help="the delivery report of a batch (CSV or JSON)",
        description="One row per letter of a batch: reference, municipality, recipients (To, "
        "Cc), channel (mail or post), state, times (queued, sent, posted, counts from), "
        "Message-ID and the hash of the frozen message, the server's last reply, attempts, "
        "and the SHA-256 of the PDF attached. It agrees with `ibtpost audit export`.",
    )
    add_batch_argument(p)
    p.add_argument("--format", choices=FORMATS, default="csv", help="csv (default) or json")
    p.set_defaults(func=cmd_report)
    _add_audit(sub)
