"""Replies and zienswijzen (``ibtpost reply``): the college answered a letter.

What was received is kept in the municipality's case: the file (a PDF or an e-mail)
copied under ``outbox/cases/<code>/``, its SHA-256 and the date it was received in the
register, and a ``reply.received`` audit event. From then on ``ibtpost status`` shows the
case's last letter as answered, and the next letter's text can say so (``reply``:
``{% if reply %}uw reactie van {{ reply.received }}{% endif %}``).
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ibtpost.core import clock, validate
from ibtpost.core.domain import Reply
from ibtpost.core.errors import Location, UsageError
from ibtpost.core.files import write_atomic
from ibtpost.core.layout import Layout
from ibtpost.register import Register, audit, replies, validate_reference
from ibtpost.register import letters as letter_register
from ibtpost.rules.gates import VOORNEMEN

KINDS = ("reply", "zienswijze")


@dataclass(frozen=True)
class RecordedReply:
    """What ``reply`` recorded."""

    reference: str
    municipality: str
    reply: Reply
    file: Path | None  # the copy kept in the case
    sha256: str | None
    added: bool = True  # False: the same reply was recorded before


def record_reply(
    root: Path,
    reference: str,
    received: date,
    kind: str = "reply",
    file: Path | None = None,
    note: str | None = None,
) -> RecordedReply:
    """Record that the college answered the letter ``reference`` on ``received``.

    Everything is checked before anything is written: an unknown or concept letter, a date
    before the letter's or after today, a file that is neither PDF nor e-mail, a note of
    more than one line are each a UsageError naming the argument. A reaction on a voornemen
    (trede 4) is recorded as a zienswijze, whatever ``kind`` says (Awb 4:8).
    """
    reference = validate_reference(reference)
    if kind not in KINDS:
        raise UsageError(f"{kind!r} is not one of {', '.join(KINDS)}", Location(None, None, "kind"))
    if note is not None:
        note = validate.one_line(note, "note")
    data = read_answer(file) if file is not None else None
    with Register.for_root(root) as register:
        letter = letter_register.final_letter(register, reference)
        if letter.trede == VOORNEMEN:  # a reaction on a voornemen is a zienswijze (Awb 4:8)
            kind = "zienswijze"
        earliest = letter.sent_on or letter.day
        today = clock.today()
        if received < earliest:
            raise UsageError(
                f"{received.isoformat()} is before the letter was "
                f"{'sent' if letter.sent_on else 'dated'} ({earliest.isoformat()})",
                Location(None, None, "received"),
            )
        if received > today:
            raise UsageError(
                f"{received.isoformat()} is in the future (today is {today.isoformat()})",
                Location(None, None, "received"),
            )
        answer = Reply(kind, received)  # type: ignore[arg-type]  # checked against KINDS
        kept: Path | None = None
        relative: str | None = None
        digest: str | None = None
        if file is not None and data is not None:
            digest = hashlib.sha256(data).hexdigest()
            stem = f"{reference}-{kind}-{received.isoformat()}"
            kept, relative = keep_in_case(
                root, letter.municipality, stem, file.suffix, data, digest
            )
        with register.transaction():  # checked and added at once: a second run adds nothing
            same = [
                r
                for r in replies.of_letter(register, reference)
                if r.reply == answer and r.sha256 == digest
            ]
            if same:  # recorded before (a command run twice): nothing is added
                return RecordedReply(reference, letter.municipality, answer, kept, digest, False)
            replies.add(register, reference, answer, relative, digest, note)
            audit.record(
                register,
                audit.REPLY_RECEIVED,
                reference=reference,
                batch=letter.batch,
                data={
                    "municipality": letter.municipality,
                    "kind": kind,
                    "received": received.isoformat(),
                    "file": relative,
                    "sha256": digest,
                    "original_name": file.name if file else None,
                    "note": note,
                },
            )
    return RecordedReply(reference, letter.municipality, answer, kept, digest)


def keep_in_case(
    root: Path, municipality: str, stem: str, suffix: str, data: bytes, digest: str
) -> tuple[Path, str]:
    """Keep a document received in a case (a reply, a court's document) in the
    municipality's case folder as ``<stem>-<sha256 prefix><suffix>``; its path, and that
    path relative to outbox/ as the register records it."""
    layout = Layout(root)
    kept = layout.case(municipality) / f"{stem}-{digest[:12]}{suffix.lower()}"
    write_atomic(kept, data)
    return kept, str(kept.relative_to(layout.outbox))


def read_answer(file: Path) -> bytes:
    """The bytes of a PDF or an e-mail (.eml); anything else is refused, naming ``file``."""
    where = Location(str(file), None, "file")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read it ({exc.strerror})", where) from None
    suffix = file.suffix.lower()
    if suffix == ".pdf":
        if not data.startswith(b"%PDF-"):
            raise UsageError("is named .pdf but is not a PDF", where)
        return data
    if suffix == ".eml":
        head = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(data)
        if not (head.get("From") or head.get("Date")) or not data.strip():
            raise UsageError("is named .eml but has no e-mail headers (From, Date)", where)
        return data
    raise UsageError("must be a PDF (.pdf) or an e-mail (.eml)", where)
