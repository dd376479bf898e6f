"""The dispatch commands of the command line: queue, send, withdraw, post-room, post,
report, outbox and audit.

rich is imported where a table is drawn: `ibtpost send` starts faster without it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
from ibtpost.data.config import load_config
from ibtpost.dispatch.delivery import outbox_summary
from ibtpost.dispatch.postroom import mark_posted, post_room, withdraw
from ibtpost.dispatch.queue import changed_addresses, queue_batch
from ibtpost.dispatch.report import FORMATS
from ibtpost.dispatch.send import (
    MAX_ATTEMPTS,
    RETRY_DELAY,
    SendOptions,
    send,
    transport_from_environment,
)
from ibtpost.production.supervision import complete_batch
from ibtpost.register import Register, audit, validate_reference
from ibtpost.register.dispatch import parse_label


def cmd_queue(args: argparse.Namespace) -> int:
    """ibtpost queue."""
    result = queue_batch(args.root, args.batch)
    for check in result.failed:
        print(f"not queued: {check}", file=sys.stderr)
    for line in result.missing:
        print(f"post room: {line}", file=sys.stderr)
    if result.checked:
        print(
            f"checks: {result.checked} letter(s) checked ({result.from_cache} from "
            f"checks.json) in {result.check_seconds:.1f} s, {len(result.failed)} failed",
            file=sys.stderr,
        )
    print(
        f"batch {result.batch}: {result.queued} queued for e-mail, {result.post} for the post "
        f"room, {result.already} already queued; {result.file_only} may only go to files "
        "(sample data or concept)"
        + (f"; {len(result.failed)} not queued (checks failed)" if result.failed else ""),
        file=sys.stderr,
    )
    if result.post_room_file is not None:
        print(
            f"post room: {result.by_post} letter(s) to print in {result.post_room_file}",
            file=sys.stderr,
        )
    if result.failed:
        print(
            f"next: fix the letters above, run the batch again, then `ibtpost queue "
            f"{result.batch}` again; `ibtpost send --batch {result.batch}` sends what is queued",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(f"next: `ibtpost send --batch {result.batch}`", file=sys.stderr)
    return EXIT_OK


def cmd_send(args: argparse.Namespace) -> int:
    """ibtpost send."""
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
    transport = transport_from_environment()
    report = send(args.root, options, transport)
    _print_changes(report.changed)
    if args.dry_run:
        for reference in report.sent:
            print(f"would send {reference}")
        for label in report.copies_sent:
            print(f"would send copy {label}")
        copies = f" and {len(report.copies_sent)} copy(ies)" if report.copies_sent else ""
        print(
            f"dry run: {len(report.sent)} letter(s){copies} would go by {transport.name}",
            file=sys.stderr,
        )
        return EXIT_OK
    for reference in report.sent:
        print(f"sent {reference}")
    for label in report.copies_sent:
        print(f"sent copy {label}")
    for reference, why in report.failed:
        print(f"failed {reference}: {why}")
    for label in report.to_post_room:
        print(f"post room {label}: its letter waits for the post room; the copy goes with it")
    for reference in report.in_doubt:
        print(
            f"in doubt {reference}: the run that sent it stopped before the reply was "
            "recorded; not sent again (--resend-in-doubt sends it with the same Message-ID)",
            file=sys.stderr,
        )
    for reference, why in report.refused:
        print(f"not sent {reference}: {why}", file=sys.stderr)
    for reference in report.left:
        print(f"left {reference}: another send run (or withdraw) took it first", file=sys.stderr)
    copies = f" (and {len(report.copies_sent)} copy(ies))" if report.copies_sent else ""
    print(
        f"{len(report.sent)} sent{copies}, {len(report.failed)} failed, "
        f"{len(report.in_doubt)} in doubt, "
        f"{len(report.refused)} refused, {len(report.left)} left to another run, "
        f"{report.attempts} attempt(s) by {transport.name} in {report.seconds:.1f} s",
        file=sys.stderr,
    )
    if report.failed or report.to_post_room:
        batches = _batches_of(args.root, [ref for ref, _ in report.failed] + report.to_post_room)
        print(
            "next: failed letters wait for the post room: "
            + "; ".join(f"`ibtpost post-room {b}`" for b in batches),
            file=sys.stderr,
        )
    return EXIT_FAILURE if report.failed or report.refused else EXIT_OK


def _batches_of(root: Path, references: list[str]) -> list[str]:
    """The batches these letters belong to, sorted, read in one register session."""
    with Register.for_root(root) as register:
        letters = [register.letter_by_reference(parse_label(r)[0]) for r in references]
    return sorted({x.batch for x in letters if x is not None and x.batch})


def _print_changes(changed: list[str]) -> None:
    """Letters whose address changed after they were queued (they go to the recorded one)."""
    if not changed:
        return
    print(
        f"address changed since queueing ({len(changed)} letter(s)); each still goes to the "
        "address recorded at queue unless withdrawn (`ibtpost withdraw BATCH -r REF --reason ...`, "
        "then `ibtpost queue BATCH`):",
        file=sys.stderr,
    )
    for line in changed:
        print(f"  {line}", file=sys.stderr)


def cmd_outbox(args: argparse.Namespace) -> int:
    """ibtpost outbox."""
    from rich.console import Console
    from rich.table import Table

    with Register.for_root(args.root) as register:
        rows = outbox_summary(register)
        changed = changed_addresses(args.root, register, None)
    table = Table(title="Outbox", title_justify="left")
    headings = "batch|letters|not queued|queued|sent|failed|in doubt|post room|posted|withdrawn"
    for heading in headings.split("|"):
        table.add_column(heading, justify="left" if heading == "batch" else "right")
    for row in rows:
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
    if any(not row.complete for row in rows):
        console.print("* incomplete: run its `ibtpost batch` command again")
    if any(row.post for row in rows):
        console.print(
            "post room: letters without an e-mail address, and failed ones, wait for the post "
            "room (`ibtpost post-room BATCH` prints them; `ibtpost post BATCH` records them)"
        )
    sys.stdout.flush()
    _print_changes(changed)
    return EXIT_OK


def cmd_withdraw(args: argparse.Namespace) -> int:
    """ibtpost withdraw."""
    withdrawn = withdraw(args.root, args.batch, tuple(args.reference or ()), args.reason)
    for item in withdrawn:
        print(f"withdrawn {item.label} (was {item.state})")
    print(
        f"{len(withdrawn)} letter(s) or copy(ies) withdrawn from batch {args.batch}; "
        f"next: `ibtpost queue {args.batch}` queues them again with today's addresses and "
        "templates",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_post_room(args: argparse.Namespace) -> int:
    """ibtpost post-room."""
    places, path = post_room(args.root, args.batch)
    for place in places:  # a letter: its reference; a copy: REF-role and its addressee
        print(place.reference if not place.addressee else f"{place.reference}-{place.role}: "
              f"{place.addressee}")  # fmt: skip
    if path is None:
        print(f"batch {args.batch}: no letter waits for the post room", file=sys.stderr)
        return EXIT_OK
    copies = sum(1 for place in places if place.addressee)
    print(
        f"post room: {len(places) - copies} letter(s) and {copies} copy(ies) to print in "
        f"{path} (envelopes: {path.with_suffix('.csv').name}); once posted: "
        f"`ibtpost post {args.batch} --date YYYY-MM-DD`",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_post(args: argparse.Namespace) -> int:
    """ibtpost post."""
    posted = mark_posted(args.root, args.batch, tuple(args.reference or ()), args.date)
    for letter in posted.letters:
        print(f"{letter.reference} {letter.municipality}: posted {args.date.isoformat()}")
    for label in posted.copies:
        print(f"{label}: copy posted {args.date.isoformat()}")
    copies = f" and {len(posted.copies)} copy(ies)" if posted.copies else ""
    print(
        f"{len(posted.letters)} letter(s){copies} recorded as posted; the letters now count on "
        "the ladder",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """ibtpost report."""
    from ibtpost.dispatch.report import as_csv, as_json, delivery_report

    config = load_config(args.root)
    names = {code: m.name for code, m in config.municipalities.items()}
    with Register.for_root(args.root) as register:
        complete_batch(register, args.batch)
        rows = delivery_report(register, args.batch, names)
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
