"""Queue a batch for e-mail and send the queue: the commands `queue` and `send`.

The pieces: :mod:`ibtpost.mail` composes a message, :mod:`ibtpost.dispatch` keeps the
queue and its states, :mod:`ibtpost.transport` delivers. This module puts them together
for a batch folder in outbox/.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ibtpost import audit, dispatch, failpoints, review
from ibtpost.compose import compose
from ibtpost.config import load_config
from ibtpost.definitions import load_letter
from ibtpost.errors import Location, RegisterError
from ibtpost.mail import (
    MissingAddress,
    compose_mail,
    load_mail_templates,
    mail_recipients,
    message_id,
)
from ibtpost.models import Config, LetterDefinition
from ibtpost.outbox import letter_files, write_atomic
from ibtpost.register import BatchRecord, LetterRecord, Register
from ibtpost.supervision import complete_batch
from ibtpost.transport import (
    PASSWORD_VARIABLE,
    URL_VARIABLE,
    USER_VARIABLE,
    Envelope,
    FileTransport,
    Outgoing,
    SmtpTransport,
    Transport,
    smtp_settings,
)

# The letter checks and the post room's print file (pikepdf) are imported by `queue` when it
# runs: `send` starts faster without them.
if TYPE_CHECKING:
    from ibtpost.lettercheck import LetterCheck

#: In the batch folder: the letters that go by post (no e-mail address known).
POST_ROOM_FILE = "post-room.pdf"


@dataclass(frozen=True)
class QueueResult:
    """What `queue` did."""

    batch: str
    queued: int
    post: int
    already: int
    file_only: int
    missing: tuple[str, ...]  # one line per letter newly sent to the post room
    by_post: int = 0  # letters of the batch in the post room's print file
    post_room_file: Path | None = None
    failed: tuple[LetterCheck, ...] = ()  # letters not queued: a check on their files failed
    checked: int = 0  # letters checked in this run (those not queued before)
    check_seconds: float = 0.0
    from_cache: int = 0  # outcomes taken from checks.json


def only_file_reason(letter: LetterRecord, batch: BatchRecord, sample_address: bool) -> str | None:
    """Why a letter may only go to the file transport, or None."""
    reasons = []
    if batch.concept or letter.concept:
        reasons.append("a concept letter")
    if letter.sample:
        reasons.append("built on sample figures")
    if sample_address:
        reasons.append("a sample (.example) address")
    return "; ".join(reasons) or None


def queue_batch(root: Path, batch_id: str, processes: int | None = None) -> QueueResult:
    """Put every letter of a complete batch in the dispatch queue (once), after the checks
    on its files (:mod:`ibtpost.lettercheck`) passed; a letter that fails them is left
    out, reported and recorded as an audit event, and queued by a later run once fixed."""
    config = load_config(root)
    with Register.for_root(root) as register:
        batch = complete_batch(register, batch_id)
        review.check_batch(root, register, batch)  # only approved text, as it was made
        known = {e.reference for e in dispatch.entries(register, batch_id)}
        pending = [x for x in register.batch_letters(batch_id) if x.reference not in known]
    from ibtpost.lettercheck import BatchCheck, check_letters

    checks = BatchCheck(batch_id)
    if pending:  # the checks run outside the register: they may take seconds
        definition = load_letter(root, batch.letter)
        checks = check_letters(root / "outbox" / batch_id, pending, definition, processes)
    failed = {c.reference: c for c in checks.failed}
    with Register.for_root(root) as register:
        batch = complete_batch(register, batch_id)
        sender = config.sender.mail_from.address
        prepared: list[dispatch.Prepared] = []
        missing: list[str] = []
        file_only = 0
        letters = register.batch_letters(batch_id)
        for letter in letters:
            if letter.reference in failed:
                continue
            municipality = config.municipalities[letter.municipality]
            recipients = mail_recipients(municipality, config)
            if isinstance(recipients, MissingAddress):
                prepared.append(
                    dispatch.Prepared(letter.reference, None, (), None, missing=str(recipients))
                )
                missing.append(f"{letter.reference}: {recipients} ({recipients.hint})")
                continue
            reason = only_file_reason(letter, batch, recipients.sample)
            file_only += reason is not None
            prepared.append(
                dispatch.Prepared(
                    letter.reference,
                    recipients.to,
                    (recipients.cc,),
                    message_id(letter.reference, sender),
                    only_file=reason,
                )
            )
        queued, post, already = dispatch.enqueue(register, batch_id, prepared)
        _record_failures(register, batch_id, letters, failed)
        by_post = [e.reference for e in dispatch.entries(register, batch_id, ("post",))]
    print_path = write_post_room_file(root / "outbox" / batch_id, by_post)
    return QueueResult(
        batch_id,
        queued,
        post,
        already,
        file_only,
        tuple(missing),
        len(by_post),
        print_path,
        tuple(failed.values()),
        len(checks.letters),
        checks.seconds,
        checks.cached,
    )


def _record_failures(
    register: Register, batch_id: str, letters: list[LetterRecord], failed: dict[str, LetterCheck]
) -> None:
    """One ``letter.check_failed`` audit event per letter left out of the queue."""
    by_reference = {letter.reference: letter for letter in letters}
    with register.transaction():
        for reference, check in failed.items():
            letter = by_reference.get(reference)
            audit.record(
                register,
                audit.LETTER_CHECK_FAILED,
                reference=reference,
                batch=batch_id,
                data={
                    "letter": letter.letter if letter else None,
                    "municipality": letter.municipality if letter else None,
                    "pdf_sha256": check.pdf_sha256,
                    "docx_sha256": check.docx_sha256,
                    "problems": list(check.problems),
                },
            )


def write_post_room_file(folder: Path, references: list[str]) -> Path | None:
    """``post-room.pdf``: the letters without an e-mail address, ready to print duplex
    (written again on each `queue`; None and no file when every letter can be mailed)."""
    path = folder / POST_ROOM_FILE
    if not references:
        path.unlink(missing_ok=True)
        return None
    import pikepdf

    from ibtpost.manifest import print_file

    files = letter_files(folder)
    pdfs = sorted(p for ref in references for p in files.get(ref, {}).get(".pdf", []))
    with contextlib.ExitStack() as stack:
        opened = [stack.enter_context(pikepdf.open(p)) for p in pdfs]
        write_atomic(path, print_file(opened))
    return path


def transport_from_environment(environ: Mapping[str, str] | None = None) -> Transport:
    """SMTP when IBTPOST_SMTP_URL is set, else the file transport."""
    env = os.environ if environ is None else environ
    url = env.get(URL_VARIABLE)
    if not url:
        return FileTransport()
    return SmtpTransport(smtp_settings(url, env.get(USER_VARIABLE), env.get(PASSWORD_VARIABLE)))


class _Messages:
    """Builds the message of a queue entry from the register, config and batch folder."""

    def __init__(self, root: Path, config: Config, register: Register, test_to: str | None):
        self.root = root
        self.config = config
        self.test_to = test_to
        self.templates = load_mail_templates(root)
        self.definitions: dict[str, LetterDefinition] = {}
        self._listed: dict[Path, dict[str, list[Path]]] = {}
        # read here, in the register's thread: the messages are composed in another one
        self.batches = {b.id: b for b in register.batches()}
        self.letters = {
            letter.reference: letter
            for batch in self.batches
            for letter in register.batch_letters(batch)
        }

    def _pdfs(self, folder: Path) -> dict[str, list[Path]]:
        """The PDFs of a batch folder by reference, listed once."""
        found = self._listed.get(folder)
        if found is None:
            found = self._listed[folder] = {
                reference: files.get(".pdf", [])
                for reference, files in letter_files(folder).items()
            }
        return found

    def __call__(self, entry: dispatch.QueueEntry) -> Outgoing:
        letter = self.letters.get(entry.reference)
        batch = self.batches.get(entry.batch)
        if letter is None or batch is None:
            raise RegisterError(f"queue entry {entry.reference} has no letter or batch")
        folder = self.root / "outbox" / batch.id
        pdfs = self._pdfs(folder).get(letter.reference, [])
        if len(pdfs) != 1:
            raise RegisterError(
                f"{folder.name}: no single PDF for {letter.reference}",
                Location(str(folder)),
                hint="run the batch again to restore it",
            )
        pdf = pdfs[0].read_bytes()
        if hashlib.sha256(pdf).hexdigest() != letter.pdf_sha256:
            raise RegisterError(
                f"{pdfs[0].name} differs from the PDF the batch recorded; it is not sent",
                hint="run the batch again to restore it",
            )
        definition = self.definitions.get(letter.letter)
        if definition is None:
            definition = self.definitions[letter.letter] = load_letter(self.root, letter.letter)
        context = compose(
            definition,
            self.config.municipalities[letter.municipality],
            self.config,
            letter.reference,
            letter.day,
            concept=batch.concept or letter.concept,
            body=False,  # the mail needs the heading fields only
        )
        mail = compose_mail(
            context,
            pdf,
            pdfs[0].name,
            self.config,
            test_recipient=self.test_to,
            sent_at=datetime.now(UTC),
            templates=self.templates,
        )
        envelope = Envelope(mail.sender, mail.to[0], mail.cc)
        return Outgoing(letter.reference, mail.as_bytes(), envelope, folder)


@dataclass(frozen=True)
class SendOptions:
    """The options of `ibtpost send`."""

    batch: str | None = None
    limit: int | None = None
    dry_run: bool = False
    max_attempts: int = 5
    retry_delay: float = 30.0
    rate_per_minute: float | None = None
    resend_in_doubt: bool = False
    test_to: str | None = None


def send(
    root: Path, options: SendOptions, transport: Transport | None = None
) -> dispatch.SendReport:
    """Send the queue (of one batch) through the configured transport."""
    config = load_config(root)
    transport = transport or transport_from_environment()
    with Register.for_root(root) as register:
        if options.batch is not None:
            complete_batch(register, options.batch)
        review.check_sendable(root, register, options.batch, options.resend_in_doubt)
        if options.dry_run:
            todo = dispatch.entries(register, options.batch, ("queued",))
            report = dispatch.SendReport()
            report.sent = [e.reference for e in todo[: options.limit]]
            return report
        messages = _Messages(root, config, register, options.test_to)
        if options.test_to is not None:
            return asyncio.run(_send_test(register, transport, messages, options))
        failpoints.hit("send-start")
        return asyncio.run(
            dispatch.send_queue(
                register,
                transport,
                messages,
                batch=options.batch,
                limit=options.limit,
                max_attempts=options.max_attempts,
                retry_delay=options.retry_delay,
                rate_per_minute=options.rate_per_minute,
                resend_in_doubt=options.resend_in_doubt,
            )
        )


async def _send_test(
    register: Register, transport: Transport, messages: _Messages, options: SendOptions
) -> dispatch.SendReport:
    """Test mode: deliver the queued letters to the test address only. The queue is left as
    it is (a letter sent to a test address has not been sent), and each delivery is an
    audit event that names the test address."""
    report = dispatch.SendReport()
    todo = dispatch.entries(register, options.batch, ("queued",))[: options.limit]
    try:
        for entry in todo:
            if entry.only_file and transport.live:
                report.refused.append((entry.reference, entry.only_file))
                continue
            outcome = await transport.deliver(messages(entry))
            report.attempts += 1
            audit.record(
                register,
                audit.SEND_ATTEMPT,
                reference=entry.reference,
                batch=entry.batch,
                data={
                    "test_to": options.test_to,
                    "transport": transport.name,
                    "verdict": outcome.verdict,
                    "reply": outcome.reply,
                },
            )
            if outcome.verdict == "sent":
                report.sent.append(entry.reference)
            else:
                report.failed.append((entry.reference, outcome.reply))
    finally:
        await transport.close()
    return report
