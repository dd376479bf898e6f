"""The dispatch commands of the command line: queue, send, outbox and audit.

rich is imported where a table is drawn: `ibtpost send` starts faster without it."""

from __future__ import annotations

import argparse
import sys

from ibtpost import audit, dispatch
from ibtpost.cli_args import EXIT_OK, Parser, SubParsers, positive_int
from ibtpost.errors import EXIT_FAILURE, RegisterError
from ibtpost.outgoing import SendOptions, queue_batch, send, transport_from_environment
from ibtpost.register import Register, validate_reference


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
    if args.dry_run:
        for reference in report.sent:
            print(f"would send {reference}")
        print(
            f"dry run: {len(report.sent)} letter(s) would go by {transport.name}", file=sys.stderr
        )
        return EXIT_OK
    for reference in report.sent:
        print(f"sent {reference}")
    for reference, why in report.failed:
        print(f"failed {reference}: {why}")
    for reference in report.in_doubt:
        print(
            f"in doubt {reference}: the run that sent it stopped before the reply was "
            "recorded; not sent again (--resend-in-doubt sends it with the same Message-ID)",
            file=sys.stderr,
        )
    for reference, why in report.refused:
        print(f"not sent {reference}: {why}: only the file transport may take it", file=sys.stderr)
    print(
        f"{len(report.sent)} sent, {len(report.failed)} failed, {len(report.in_doubt)} in doubt, "
        f"{len(report.refused)} refused, {report.attempts} attempt(s) by {transport.name} in "
        f"{report.seconds:.1f} s",
        file=sys.stderr,
    )
    return EXIT_FAILURE if report.failed or report.refused else EXIT_OK


def cmd_outbox(args: argparse.Namespace) -> int:
    """ibtpost outbox."""
    from rich.console import Console
    from rich.table import Table

    with Register.for_root(args.root) as register:
        rows = dispatch.outbox_summary(register)
    table = Table(title="Outbox", title_justify="left")
    headings = (
        "batch",
        "letters",
        "not queued",
        "queued",
        "sent",
        "failed",
        "in doubt",
        "post room",
        "posted",
    )
    for heading in headings:
        table.add_column(heading, justify="left" if heading == "batch" else "right")
    for row in rows:
        name = row.batch + (" (concept)" if row.concept else "") + ("" if row.complete else " *")
        table.add_row(
            name,
            *(
                str(v)
                for v in (
                    row.letters,
                    row.not_queued,
                    row.queued,
                    row.sent,
                    row.failed,
                    row.in_doubt,
                    row.post,
                    row.posted,
                )
            ),
        )
    console = Console(width=None if sys.stdout.isatty() else 160)
    console.print(table)
    if any(not row.complete for row in rows):
        console.print("* incomplete: run its `ibtpost batch` command again")
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
    p.add_argument("batch", help="batch id (its folder name under outbox/)")
    p.set_defaults(func=cmd_queue)

    p = sub.add_parser(
        "send",
        help="send the queued e-mail (file transport unless IBTPOST_SMTP_URL is set)",
        description="Send what is queued. Without IBTPOST_SMTP_URL every message is written "
        "as .eml into its batch folder (mail/) and nothing leaves the machine. With it: SMTP "
        "(smtp:// only to loopback; smtp+starttls:// or smtps:// otherwise; credentials from "
        "IBTPOST_SMTP_USER and IBTPOST_SMTP_PASSWORD). A letter a server accepted is never "
        "sent again; one left in doubt by a crash is reported and not repeated unless "
        "--resend-in-doubt.",
    )
    p.add_argument("--batch", "-b", help="only this batch")
    p.add_argument("--limit", type=positive_int, help="send at most N letters")
    p.add_argument("--dry-run", action="store_true", help="list what would be sent")
    p.add_argument("--max-attempts", type=positive_int, default=5, help="per letter (default 5)")
    p.add_argument(
        "--retry-delay",
        type=float,
        default=30.0,
        help="seconds before the first retry; doubled each time (default 30)",
    )
    p.add_argument("--rate", type=float, help="at most this many messages per minute")
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
        "for the post room, or posted.",
    )
    p.set_defaults(func=cmd_outbox)
    _add_audit(sub)
