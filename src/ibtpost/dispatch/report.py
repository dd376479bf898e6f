"""The delivery report of a batch (``ibtpost report``): one row per letter, for the case file.

Built from the register (letters and the dispatch queue), which records each change in the
same transaction as its audit event: the report agrees with ``ibtpost audit export``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

from ibtpost.dispatch.delivery import delivery
from ibtpost.dispatch.states import Channel, DispatchState, QueueEntry, entries
from ibtpost.register import Register
from ibtpost.register import letters as letter_register
from ibtpost.register import notices as notice_register

FORMATS = ("csv", "json")


@dataclass(frozen=True)
class ReportRow:
    """What became of one letter of a batch."""

    reference: str
    municipality: str  # GM0622
    name: str  # Vlaardingen
    to: str  # the college's address the frozen message went (or goes) to
    cc: tuple[str, ...]
    channel: str  # mail, post, mail and post, or "" when not queued
    state: str  # a DispatchState, or made / open (not queued): ibtpost.dispatch.delivery
    queued_at: str  # UTC
    sent_at: str  # UTC, when a server (or the file transport) took the message
    posted_on: str  # the date `ibtpost post` recorded
    counts_from: str  # the day the letter counts from on the ladder (Dutch calendar)
    message_id: str
    message_sha256: str  # the frozen message, without its Date header
    attempts: int
    last_reply: str  # the server's last reply, or why it waits for the post room
    pdf_sha256: str  # the PDF attached (and printed)
    #: the copies with a mail of their own: "raad sent raad@x.example; gs post"
    copies: tuple[str, ...] = ()
    #: its kennisgeving, a record of its own: "7500002-K" (frozen at queue), else ""
    notice: str = ""
    notice_sha256: str = ""


def delivery_report(
    register: Register, batch_id: str, names: Mapping[str, str] | None = None
) -> list[ReportRow]:
    """One row per letter of ``batch_id``, in reference order."""
    queue: dict[str, QueueEntry] = {}
    copies: dict[str, list[str]] = {}
    for e in entries(register, batch_id, copies=True):  # one read: letters, copies
        if e.is_copy:
            copies.setdefault(e.reference, []).append(
                f"{e.role} {delivery(None, e).state} {e.college or ''}".strip()
            )
        else:
            queue[e.reference] = e
    rows = []
    batch_letters = letter_register.batch_letters(register, batch_id)
    notices = notice_register.of_letters(register, [x.reference for x in batch_letters])
    for letter in batch_letters:
        notice = notices.get(letter.reference)
        item = queue.get(letter.reference)
        found = delivery(letter, item)
        rows.append(
            ReportRow(
                reference=letter.reference,
                municipality=letter.municipality,
                name=(names or {}).get(letter.municipality, ""),
                to=(item.college or "") if item else "",
                cc=item.copies if item else (),
                channel=found.channel,
                state=found.state,
                queued_at=item.queued_at if item else "",
                sent_at=(item.sent_at or "") if item and item.state == DispatchState.SENT else "",
                posted_on=letter.sent_on.isoformat()
                if letter.sent_on and letter.sent_via == Channel.POST
                else "",
                counts_from=letter.sent_on.isoformat() if letter.sent_on else "",
                message_id=(item.message_id or "") if item else "",
                message_sha256=(item.message_sha256 or "") if item else "",
                attempts=item.attempts if item else 0,
                last_reply=(item.reply or "") if item else "",
                pdf_sha256=letter.pdf_sha256 or "",
                copies=tuple(copies.get(letter.reference, ())),
                notice=notice.reference if notice else "",
                notice_sha256=(notice.frozen_sha256 or notice.pdf_sha256) if notice else "",
            )
        )
    return rows


def as_csv(rows: list[ReportRow]) -> str:
    """The rows as CSV with a header line (several Cc addresses joined by ``; ``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields(ReportRow)])
    for row in rows:
        values = asdict(row)
        values["cc"] = "; ".join(row.cc)
        values["copies"] = "; ".join(row.copies)
        writer.writerow(values.values())
    return out.getvalue()


def as_json(rows: list[ReportRow]) -> str:
    """The rows as a JSON array of objects (Cc as a list)."""
    return (
        json.dumps(
            [asdict(r) | {"cc": list(r.cc), "copies": list(r.copies)} for r in rows],
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
