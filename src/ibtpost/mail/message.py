"""The e-mail that carries a letter: headers, HTML and plain text, the PDF attached.

Pure: composing sends nothing and writes nothing. The templates are
:mod:`ibtpost.mail.templates` (MJML and plain text, compiled once).

Recipients (:mod:`ibtpost.data.recipients`): To the college, Cc the Commissaris van de
Koning of its province, Reply-To the IBT mailbox. A letter without either address gets a
:class:`MissingAddress` and goes by post.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import hashlib
import io
import re
from dataclasses import dataclass
from email.generator import BytesGenerator
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from ibtpost.core import dutch, validate
from ibtpost.core.domain import Config
from ibtpost.core.errors import InputError, Location
from ibtpost.data.recipients import CopyRecipient, MissingAddress, Recipients, mail_recipients
from ibtpost.mail.templates import (
    MailTemplates,
    load_mail_templates,
)
from ibtpost.text.compose import CONCEPT_MARK, SAMPLE_MARK
from ibtpost.text.composed import LetterContext

#: What a page mark means, said at the top of the mail.
MARK_NOTES = {
    SAMPLE_MARK: "deze brief is gebaseerd op voorbeeldgegevens en is geen echte brief.",
    CONCEPT_MARK: "deze brief is een concept en nog niet vastgesteld.",
}
#: Header of the real To and Cc when a test recipient gets the mail instead.
ORIGINAL_TO = "X-Ibtpost-Original-To"
ORIGINAL_CC = "X-Ibtpost-Original-Cc"
REFERENCE_HEADER = "X-Ibtpost-Reference"

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")
_REFERENCE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]*$")


class _HeaderClasses(HeaderRegistry):
    """The standard header classes, made once per name (the stdlib makes one per header)."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


_POLICY = email.policy.SMTP.clone(header_factory=_HeaderClasses())
_LINE_END = re.compile(r"\r\n|\r|\n")


class _Generator(BytesGenerator):
    """The stdlib's generator, writing each body in one piece instead of line by line.

    The bytes are the same (``Generator._write_lines`` splits on the same line ends and
    writes each line followed by the policy's line end); a 175 KiB message serialises in
    about a third of the time.
    """

    def _write_lines(self, lines: str) -> None:
        if not lines:
            return
        line_end: str = self._NL  # type: ignore[attr-defined]  # set by flatten()
        if "\r" in lines:
            self.write(_LINE_END.sub(line_end, lines))
        else:  # the usual case, and much faster than the regular expression
            self.write(lines.replace("\n", line_end))


class MailError(InputError):
    """A mail cannot be composed: a header would break, an address is malformed or missing."""


class MissingAddressError(MailError):
    """The college's or the CdK's e-mail address is unknown: the letter goes by post."""

    def __init__(self, missing: MissingAddress) -> None:
        super().__init__(
            str(missing), Location("config/college-addresses.csv", None, "email"), missing.hint
        )
        self.missing = missing


@dataclass(frozen=True)
class MailMessage:
    """One composed mail, ready for a transport."""

    message: EmailMessage
    reference: str
    message_id: str  # "<ibtpost.7468089@minjenv.nl>"
    sender: str  # envelope sender: the From address
    to: tuple[str, ...]  # the addresses the mail goes to (To), after any test redirect
    cc: tuple[str, ...]
    #: the real recipients of the letter (for the CdK's copy of a letter that goes by post:
    #: which of the letter's addresses is missing)
    recipients: Recipients | MissingAddress
    test: bool  # True when redirected to a test recipient
    sample: bool  # relies on sample data: sample figures or an example-domain address
    concept: bool  # the letter is marked CONCEPT

    @property
    def envelope_recipients(self) -> tuple[str, ...]:
        """Every address the transport delivers to (To and Cc)."""
        return self.to + self.cc

    def as_bytes(self) -> bytes:
        """The message as sent over SMTP (CRLF line ends, 7-bit headers)."""
        out = io.BytesIO()
        _Generator(out, mangle_from_=False, policy=_POLICY).flatten(self.message)
        return out.getvalue()


# --- headers ---------------------------------------------------------------------------


def header_text(name: str, value: str) -> str:
    """``value`` for header ``name``; a line break or control character is refused."""
    match = _CONTROL.search(value)
    if match:
        raise MailError(
            f"{name}: {value!r} contains a line break or control character "
            f"({match.group(0)!r}); refused, it could add a header",
            Location(None, None, name),
        )
    return value.strip()


def addr_spec(name: str, value: str) -> str:
    """One address for header ``name``: checked, with an IDN domain in its ASCII form."""
    text = header_text(name, value)
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        raise MailError(f"{name}: {text!r} is not an e-mail address", Location(None, None, name))
    if not local.isascii():
        raise MailError(
            f"{name}: {text!r} has a non-ASCII name before the @, which needs SMTPUTF8",
            Location(None, None, name),
        )
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise MailError(
                f"{name}: {text!r} has a domain that is not a valid IDN",
                Location(None, None, name),
            ) from None
    try:
        return validate.mailbox(f"{local}@{domain}")
    except ValueError as exc:
        raise MailError(f"{name}: {exc}", Location(None, None, name)) from None


def _address(name: str, display: str, spec: str) -> Address:
    return Address(display_name=header_text(name, display), addr_spec=spec)


def message_id(
    reference: str, from_address: str, *, test: bool = False, role: str | None = None
) -> str:
    """``<ibtpost.7468089@minjenv.nl>``: the same for every composition of a letter; a copy
    with a mail of its own: ``<ibtpost.7468089.raad@minjenv.nl>``.

    A mail to a test recipient gets ``.test`` in its id, so that the real mail is never
    taken for a repeat of the test.
    """
    domain = from_address.rpartition("@")[2]
    copy = f".{role}" if role else ""
    return f"<ibtpost.{reference}{copy}{'.test' if test else ''}@{domain}>"


_REDIRECTED = ("to", "cc", "message-id")


def for_test_recipient(data: bytes, test_recipient: str, to: str, cc: tuple[str, ...]) -> bytes:
    """A frozen message (CRLF, as queued) redirected to ``test_recipient``: To that address,
    no Cc, the real addresses ``to`` and ``cc`` in ``X-Ibtpost-Original-To`` and ``-Cc``, and
    ``.test`` in the Message-ID. Only the header block changes; the body stays byte for byte
    what the college will get."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise MailError("the queued message has no header block", Location(None, None, "message"))
    kept: list[bytes] = []
    mid = ""
    for field in re.split(rb"\r\n(?![ \t])", head):
        name = field.partition(b":")[0].strip().lower().decode("ascii", "replace")
        if name == "message-id":
            mid = field.partition(b":")[2].decode("ascii").strip()
        if name not in _REDIRECTED:
            kept.append(field)
    spec = addr_spec("test recipient", test_recipient)
    local, at, domain = mid.strip("<>").rpartition("@")
    added = [
        f"To: {spec}",
        f"{ORIGINAL_TO}: {addr_spec('To', to)}",
        f"{ORIGINAL_CC}: {', '.join(addr_spec('Cc', c) for c in cc)}",
        f"Message-ID: <{local}.test{at}{domain}>",
    ]
    return b"\r\n".join([*(a.encode("ascii") for a in added), *kept]) + sep + body


# --- the mail --------------------------------------------------------------------------


def pdf_part(pdf: bytes, name: str) -> EmailMessage:
    """The PDF as an attachment part (base64 in 76-character lines, the bytes unchanged)."""
    part = EmailMessage(policy=_POLICY)
    part["Content-Type"] = "application/pdf"
    part["Content-Transfer-Encoding"] = "base64"
    part["Content-Disposition"] = "attachment"
    part.set_param("filename", name, header="Content-Disposition")
    part.set_payload(base64_lines(pdf))
    return part


def base64_lines(data: bytes) -> str:
    """``base64.encodebytes(data)`` as text (76-character lines), without its per-line loop."""
    text = base64.b64encode(data).decode("ascii")
    return "".join(text[i : i + 76] + "\n" for i in range(0, len(text), 76))


def _set_boundaries(msg: EmailMessage, pdf: bytes) -> None:
    """Fix the MIME boundaries: derived from the PDF (a resend has the same ones), and
    checked against the text parts only. Base64 and quoted-printable text never contain
    ``=_``, so only a 7-bit text part could hold one; the stdlib instead searches the whole
    message, attachment included, for each boundary."""
    seed = hashlib.sha256(pdf).hexdigest()[:24]
    parts = [p for p in msg.walk() if not p.is_multipart()]
    texts = [str(p.get_payload()) for p in parts if p.get_content_maintype() == "text"]
    salt = 0
    while True:
        mixed, alternative = f"=_ibtpost_{seed}_{salt}m", f"=_ibtpost_{seed}_{salt}a"
        if not any(mixed in t or alternative in t for t in texts):
            break
        salt += 1
    msg.set_boundary(mixed)
    for part in msg.walk():
        if part.get_content_type() == "multipart/alternative":
            part.set_boundary(alternative)


def mail_context(
    letter: LetterContext,
    config: Config,
    attachment: str,
    copies: tuple[CopyRecipient, ...] = (),
    copy: CopyRecipient | None = None,
) -> dict[str, Any]:
    """The names the mail templates use. ``copies``: the letter's copies with a mail of
    their own (named in the letter's mail); ``copy``: the copy this mail carries."""
    reaction = letter.reaction
    sender = config.sender
    others = [c.mentioned for c in copies]
    return {
        "copy": (
            {
                "kind": copy.kind,
                "to": copy.mentioned,
                "salutation": copy.salutation,
                "college": f"het college van burgemeester en wethouders van "
                f"{letter.municipality.name}",
            }
            if copy is not None
            else None
        ),
        "other_copies": dutch.join_and(others),
        "other_copies_verb": "ontvangt" if len(others) == 1 else "ontvangen",
        # a besluit asks no reaction: its mail says where questions go, not replies
        "besluit": letter.besluit,
        "salutation": letter.salutation,
        "subject": letter.subject,
        "reference": letter.reference,
        "date_text": letter.date_text,
        # the term the letter asks a reaction by, stated as the letter states it
        "reaction": (
            {
                "phrase": reaction.phrase,
                "deadline": reaction.deadline_text,
                "period": reaction.period_text,
                "as_date": reaction.as_date,
            }
            if reaction is not None
            else None
        ),
        "mailbox": sender.mailbox,
        "cc": letter.cc,
        "organisation": sender.organisation,
        "department": sender.department,
        "website": sender.website,
        "attachment": attachment,
        "municipality": letter.municipality.name,
        "marks": [m for m in letter.marks if m in MARK_NOTES],
        "mark_notes": MARK_NOTES,
    }


def compose_mail(
    letter: LetterContext,
    pdf: bytes,
    pdf_name: str,
    config: Config,
    *,
    test_recipient: str | None = None,
    sent_at: dt.datetime | None = None,
    templates: MailTemplates | None = None,
    copies: tuple[CopyRecipient, ...] = (),
    copy: CopyRecipient | None = None,
) -> MailMessage:
    """The mail that carries ``letter`` with ``pdf`` attached as ``pdf_name``; with
    ``copy``, the mail of its own that carries a copy of it to the gemeenteraad, to GS or
    (when the letter goes by post) to the CdK (To that recipient, no Cc). ``copies`` are
    named in the letter's own mail.

    ``test_recipient`` sends To it and nothing Cc; the real addresses go into
    ``X-Ibtpost-Original-To`` and ``-Cc``. ``sent_at`` (with a time zone) sets the Date
    header; without it the dispatcher sets Date. Raises :class:`MissingAddressError` when
    the college or the CdK has no address, :class:`MailError` for a header that would
    break.
    """
    reference = header_text("reference", letter.reference)
    if not _REFERENCE.match(reference):
        raise MailError(
            f"reference {reference!r} cannot be part of a Message-ID",
            Location(None, None, "reference"),
        )
    name = header_text("attachment", pdf_name)
    if "/" in name or "\\" in name or not name.lower().endswith(".pdf"):
        raise MailError(
            f"attachment name {name!r} must be a file name ending in .pdf",
            Location(None, None, "attachment"),
        )
    if not name.startswith(f"{reference}-"):
        raise MailError(
            f"attachment name {name!r} must start with the reference {reference}-",
            Location(None, None, "attachment"),
        )
    if not pdf.startswith(b"%PDF-"):
        raise MailError(f"{name} is not a PDF", Location(None, None, "attachment"))

    found = mail_recipients(letter.municipality, config)
    if isinstance(found, MissingAddress) and copy is None:
        raise MissingAddressError(found)
    if copy is not None and copy.address is None:
        raise MailError(f"{copy.missing}: the copy goes by post", Location(None, None, copy.role))
    if copy is not None and copy.address is not None:
        real_to = addr_spec("To", copy.address)
    else:
        assert isinstance(found, Recipients)  # noqa: S101 (refused above)
        real_to = addr_spec("To", found.to)
    # the letter's own Cc (a copy's mail has none; the CdK's copy of a letter by post
    # has no letter mail to name)
    real_cc = addr_spec("Cc", found.cc) if isinstance(found, Recipients) else ""
    origin = config.sender.mail_from
    from_address = addr_spec("From", origin.address)
    reply_to = addr_spec("Reply-To", config.sender.mailbox)
    test = test_recipient is not None
    mid = message_id(reference, from_address, test=test, role=copy.role if copy else None)

    msg = EmailMessage(policy=_POLICY)
    msg["From"] = _address("From", origin.name, from_address)
    if test_recipient is not None:
        to: tuple[str, ...] = (addr_spec("test recipient", test_recipient),)
        cc: tuple[str, ...] = ()
        msg["To"] = to[0]
        msg[ORIGINAL_TO] = real_to
        if real_cc:
            msg[ORIGINAL_CC] = real_cc
    elif copy is not None:
        to, cc = (real_to,), ()
        msg["To"] = _address("To", copy.name, real_to)
    else:
        assert isinstance(found, Recipients)  # noqa: S101 (refused above)
        to, cc = (real_to,), (real_cc,)
        msg["To"] = _address("To", found.to_name, real_to)
        msg["Cc"] = _address("Cc", found.cc_name, real_cc)
    msg["Reply-To"] = reply_to
    prefix = f"{copy.kind.capitalize()}: " if copy is not None else ""
    msg["Subject"] = header_text(
        "Subject", f"{prefix}Onze referentie {reference}: {letter.subject}"
    )
    msg["Message-ID"] = mid
    if sent_at is not None:
        if sent_at.tzinfo is None or sent_at.utcoffset() is None:
            raise MailError("sent_at needs a time zone", Location(None, None, "Date"))
        msg["Date"] = format_datetime(sent_at)
    msg[REFERENCE_HEADER] = reference

    prepared = templates or load_mail_templates(config.root)
    context = mail_context(letter, config, name, copies, copy)
    msg.set_content(prepared.render_text(context), subtype="plain", charset="utf-8")
    msg.add_alternative(prepared.render_html(context), subtype="html", charset="utf-8")
    msg.make_mixed()
    msg.attach(pdf_part(pdf, name))
    _set_boundaries(msg, pdf)

    sample = (
        letter.figures.sample
        or SAMPLE_MARK in letter.marks
        or (isinstance(found, Recipients) and found.sample)
        or (copy is not None and copy.sample)
        or any(validate.is_sample_address(a) for a in to + cc)
    )
    return MailMessage(
        message=msg,
        reference=reference,
        message_id=mid,
        sender=from_address,
        to=to,
        cc=cc,
        recipients=found,
        test=test,
        sample=sample,
        concept=CONCEPT_MARK in letter.marks,
    )
