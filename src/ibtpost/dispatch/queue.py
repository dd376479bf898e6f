"""Queueing a batch for e-mail (``ibtpost queue``).

Each letter's e-mail is composed here, once, from the addresses and templates of that
moment, and frozen: its bytes go to the batch folder's ``spool/``, its hash and envelope to
the dispatch queue (:func:`ibtpost.dispatch.states.enqueue`). ``send`` delivers exactly
that. Letters without an e-mail address go to the post room (:mod:`ibtpost.dispatch.postroom`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ibtpost.approval import gate
from ibtpost.core.domain import Config, CorrectedLetter, Municipality
from ibtpost.core.errors import IbtpostError, Location, Problems, RegisterError
from ibtpost.core.files import letter_files, write_atomic
from ibtpost.core.layout import BatchLayout, Layout
from ibtpost.core.messages import Lang, say
from ibtpost.data.config import load_config
from ibtpost.data.recipients import (
    CopyRecipient,
    MissingAddress,
    cdk_copy,
    copy_recipient,
    copy_recipients,
    mail_recipients,
)
from ibtpost.dispatch import states
from ibtpost.dispatch.postfile import (
    for_the_post_room,
    post_places,
    undeliverable,
    write_post_room_file,
)
from ibtpost.dispatch.states import LETTER, DispatchState, Prepared
from ibtpost.mail.message import MailMessage, compose_mail
from ibtpost.mail.templates import load_mail_templates
from ibtpost.production.batch import batch_lock
from ibtpost.production.corrections import corrected_in
from ibtpost.register import BatchRecord, LetterRecord, Register, audit
from ibtpost.register import letters as letter_register
from ibtpost.register import notices as notice_register
from ibtpost.register.letters import complete_batch
from ibtpost.text.compose import compose
from ibtpost.text.definitions import load_letter
from ibtpost.text.nodes import LetterDefinition

# The letter checks are imported by `queue` when it runs.
if TYPE_CHECKING:
    from ibtpost.review.lettercheck import LetterCheck


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
    """Why a letter may only go to the file transport, or None: the reasons of
    :data:`ONLY_FILE_REASONS`, in English, as the queue entry records them (the web says
    them in Dutch with :func:`only_file_words`)."""
    reasons = []
    if batch.concept or letter.concept:
        reasons.append(say("reason.concept", "en"))
    if letter.sample:
        reasons.append(say("reason.sample", "en"))
    if sample_address:
        reasons.append(say("reason.sample_address", "en"))
    return "; ".join(reasons) or None


#: the reasons a letter may only go to the file transport, as catalogue keys
ONLY_FILE_REASONS = ("reason.concept", "reason.sample", "reason.sample_address")


def only_file_words(recorded: str, lang: Lang) -> str:
    """The recorded reasons of :func:`only_file_reason` in ``lang`` (a reason it does not
    know stays as recorded)."""
    known = {say(key, "en"): key for key in ONLY_FILE_REASONS}
    return "; ".join(
        say(known[part], lang) if part in known else part for part in recorded.split("; ")
    )


def queue_batch(root: Path, batch_id: str, processes: int | None = None) -> QueueResult:
    """Put every letter of a complete batch in the dispatch queue (once), after the checks
    on its files (:mod:`ibtpost.review.lettercheck`) passed; a letter that fails them is left
    out, reported and recorded as an audit event, and queued by a later run once fixed.

    Each letter's e-mail is composed here, once, from today's addresses and templates, and
    frozen: its bytes go to the batch folder's ``spool/``, its hash and envelope to the
    queue. A withdrawn letter is composed and queued anew."""
    with Register.for_root(root) as register:
        complete_batch(register, batch_id)  # an unknown batch is named before any lock
    with batch_lock(Layout(root).batch(batch_id).folder):  # a re-run of it cannot rewrite files now
        return _queue_batch(root, batch_id, processes)


def _queue_batch(root: Path, batch_id: str, processes: int | None) -> QueueResult:
    config = load_config(root)
    with Register.for_root(root) as register:
        batch = complete_batch(register, batch_id)
        gate.check_batch(root, register, batch)  # only approved text, as it was made
        pending, withdrawn_copies = _not_queued(register, batch_id)
        in_queue = (
            len(letter_register.batch_letters(register, batch_id))
            - len(pending)
            + len(withdrawn_copies)
        )
    from ibtpost.review.lettercheck import BatchCheck, check_letters, seal_roots_of
    from ibtpost.review.noticecheck import check_notices

    checks = BatchCheck(batch_id)
    folder = Layout(root).batch(batch_id).folder
    definition = load_letter(root, batch.letter)
    post_too = definition.delivery == "mail and post"
    copies_of = {
        letter.reference: _copies(
            definition.copies, config.municipalities[letter.municipality], config
        )
        for letter in pending
    }
    if not batch.concept:  # before anything is composed: nothing is queued or spooled
        unknown = [
            problem
            for letter in pending
            for problem in undeliverable(config, letter.municipality, copies_of[letter.reference])
        ]
        if unknown:  # each recipient named once
            raise Problems(list({str(p): p for p in unknown}.values()))
    notices: list[LetterCheck] = []
    if pending:  # the checks run outside the register: they may take seconds
        roots = seal_roots_of(config.settings, batch.concept)
        checks = check_letters(folder, pending, definition, processes, roots)
        if not batch.concept:  # a final letter's kennisgeving is a record, checked as well
            with Register.for_root(root) as register:
                recorded = notice_register.of_letters(register, [x.reference for x in pending])
            notices = check_notices(folder, pending, definition, recorded, roots)
    failed = {c.reference: c for c in checks.failed}
    for check in notices:  # a letter whose kennisgeving fails is not queued either
        if check.problems and check.reference not in failed:
            failed[check.reference] = check
    composer = Composer(root, config)
    prepared: list[Prepared] = []
    missing: list[str] = []
    file_only = 0
    for letter in pending:  # composed outside the register too
        if letter.reference in failed:
            continue
        municipality = config.municipalities[letter.municipality]
        copies = copies_of[letter.reference]
        again = withdrawn_copies.get(letter.reference)
        for copy in copies:
            if again is None or copy.role in again:
                prepared.append(_copy(composer, letter, batch, folder, copy))
        if again is not None:  # the letter is queued: only its withdrawn copies go again
            continue
        recipients = mail_recipients(municipality, config)
        if isinstance(recipients, MissingAddress):
            prepared.append(
                Prepared(
                    letter.reference, None, (), None, missing=str(recipients),
                    pdf_sha256=letter.pdf_sha256, post_too=post_too,
                )
            )  # fmt: skip
            missing.append(f"{letter.reference}: {recipients} ({recipients.hint})")
            continue
        reason = only_file_reason(letter, batch, recipients.sample)
        file_only += reason is not None
        named = tuple(c for c in copies if c.role != "cdk")  # the CdK is the mail's Cc
        frozen = composer.freeze(letter, batch, folder, reason, copies=named)
        prepared.append(replace(frozen, post_too=post_too))
    with Register.for_root(root) as register:
        queued, post, already = states.enqueue(register, batch_id, prepared)
        _freeze_notices(register, batch_id, [n for n in notices if n.ok])
        _record_failures(register, batch_id, pending, failed)
        by_post = for_the_post_room(register, batch_id)
        places = post_places(config, register, batch_id, by_post)
    print_path = write_post_room_file(folder, places)
    return QueueResult(
        batch_id,
        queued,
        post,
        already + in_queue,
        file_only,
        tuple(missing),
        len(by_post),
        print_path,
        tuple(failed.values()),
        len(checks.letters),
        checks.seconds,
        checks.cached,
    )


def _copies(
    copies: tuple[tuple[str, str], ...], municipality: Municipality, config: Config
) -> list[CopyRecipient]:
    """The copies of a letter with an entry of their own: those of its definition with a
    mail of their own (raad, gs), and the CdK's when the letter goes by post (no e-mail
    address of the college or of the CdK, so no mail with the CdK as Cc): by a mail of its
    own, or by post."""
    found = copy_recipients(copies, municipality, config)
    if isinstance(mail_recipients(municipality, config), MissingAddress):
        found.append(cdk_copy(municipality, config))
    return found


def _not_queued(
    register: Register, batch_id: str
) -> tuple[list[LetterRecord], dict[str, set[str]]]:
    """The letters of a batch that are not in the queue, or not wholly: never queued, or
    withdrawn, or still queued with a copy withdrawn alone (by reference: the roles of those
    copies, which are queued again)."""
    known = {
        e.reference
        for e in states.entries(register, batch_id)
        if e.state != DispatchState.WITHDRAWN
    }
    again: dict[str, set[str]] = {}
    for e in states.entries(register, batch_id, (DispatchState.WITHDRAWN,), copies=True):
        if e.is_copy and e.reference in known:
            again.setdefault(e.reference, set()).add(e.role)
    letters = [
        x
        for x in letter_register.batch_letters(register, batch_id)
        if x.reference not in known or x.reference in again
    ]
    return letters, again


class Composer:
    """Composes and freezes the e-mail of a batch letter (for ``queue``)."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        self.templates = load_mail_templates(root)
        self.definitions: dict[str, LetterDefinition] = {}
        self._listed: dict[Path, dict[str, list[Path]]] = {}

    def _pdf(self, folder: Path, letter: LetterRecord) -> Path:
        """The letter's PDF in the batch folder, as the batch recorded it."""
        listed = self._listed.get(folder)
        if listed is None:
            listed = self._listed[folder] = {
                reference: files.get(".pdf", [])
                for reference, files in letter_files(folder).items()
            }
        pdfs = listed.get(letter.reference, [])
        if len(pdfs) != 1:
            raise RegisterError(
                f"{folder.name}: no single PDF for {letter.reference}",
                Location(str(folder)),
                hint="run the batch again to restore it",
            )
        return pdfs[0]

    def message(
        self,
        letter: LetterRecord,
        batch: BatchRecord,
        folder: Path,
        copies: tuple[CopyRecipient, ...] = (),
        copy: CopyRecipient | None = None,
    ) -> MailMessage:
        """The letter's e-mail as composed now (no Date header: that is set when sent); with
        ``copy``, the mail that carries a copy of it to that recipient."""
        path = self._pdf(folder, letter)
        pdf = path.read_bytes()
        if hashlib.sha256(pdf).hexdigest() != letter.pdf_sha256:
            raise RegisterError(
                f"{path.name} differs from the PDF the batch recorded; it is not queued",
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
            # the mail needs the heading fields and the reaction term the batch recorded
            # from the letter as made; a letter recorded before that is composed whole
            body=not letter.reaction_known,
            corrects=self._corrected(definition, letter),
        )
        if letter.reaction_known:
            context = replace(context, reaction=letter.reaction)
        return compose_mail(
            context,
            pdf,
            path.name,
            self.config,
            templates=self.templates,
            copies=copies,
            copy=copy,
        )

    def _corrected(
        self, definition: LetterDefinition, letter: LetterRecord
    ) -> CorrectedLetter | None:
        """The letter a herstel or intrekking names (its subject names it)."""
        if letter.corrects is None:
            return None
        found = corrected_in(self.root, self.config, definition, letter.corrects)
        return found[1] if found is not None else None

    def freeze(
        self,
        letter: LetterRecord,
        batch: BatchRecord,
        folder: Path,
        only_file: str | None,
        *,
        copies: tuple[CopyRecipient, ...] = (),
        copy: CopyRecipient | None = None,
    ) -> Prepared:
        """Compose the letter's e-mail (or its copy's) and keep it in ``spool/`` under its
        hash."""
        mail = self.message(letter, batch, folder, copies, copy)
        data = mail.as_bytes()
        digest = hashlib.sha256(data).hexdigest()
        label = letter.reference if copy is None else f"{letter.reference}-{copy.role}"
        name = f"{label}-{digest[:16]}.eml"
        path = BatchLayout(folder).spool / name
        write_atomic(path, data)  # also over a file of that name that was changed
        return Prepared(
            letter.reference,
            mail.to[0],
            mail.cc,
            mail.message_id,
            only_file=only_file,
            sender=mail.sender,
            message_sha256=digest,
            spool=name,
            pdf_sha256=letter.pdf_sha256,
            role=copy.role if copy is not None else LETTER,
            addressee=copy.addressee if copy is not None else None,
        )


def _copy(
    composer: Composer,
    letter: LetterRecord,
    batch: BatchRecord,
    folder: Path,
    copy: CopyRecipient,
) -> Prepared:
    """A copy's queue entry: its own frozen mail, or the post room when its address is
    unknown (it then has its own place in the post room's file)."""
    if copy.address is None:
        return Prepared(
            letter.reference, None, (), None, missing=copy.missing, pdf_sha256=letter.pdf_sha256,
            role=copy.role, addressee=copy.addressee,
        )  # fmt: skip
    reason = only_file_reason(letter, batch, copy.sample)
    return composer.freeze(letter, batch, folder, reason, copy=copy)


def _freeze_notices(register: Register, batch_id: str, checked: list[LetterCheck]) -> None:
    """The kennisgevingen of the letters now queued, frozen as checked, each with its
    ``notice.frozen`` event (once)."""
    with register.transaction():
        for check in checked:
            queued = states.entry(register, check.reference)
            if queued is None or check.pdf_sha256 is None:
                continue
            if notice_register.freeze(register, check.reference, check.pdf_sha256):
                audit.record(
                    register,
                    audit.NOTICE_FROZEN,
                    reference=check.reference,
                    batch=batch_id,
                    data={
                        "notice": notice_register.notice_reference(check.reference),
                        "pdf_sha256": check.pdf_sha256,
                    },
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


def changed_addresses(root: Path, register: Register, batch: str | None) -> list[str]:
    """:func:`address_changes` against ``config/`` as it is now; when config/ does not load,
    one line saying so (a queued letter goes to its recorded envelope either way, so sending
    never depends on config/ loading)."""
    try:
        config = load_config(root)
    except IbtpostError as exc:
        return [f"addresses not compared: config/ does not load ({exc})"]
    return address_changes(root, config, register, batch)


def address_changes(root: Path, config: Config, register: Register, batch: str | None) -> list[str]:
    """One line per letter (or copy) waiting to be sent whose frozen envelope differs from
    what ``config/`` says now: ``7500001: To a@x -> b@x``, ``7500001-raad: To ...``. Such
    letters still go to the envelope recorded at ``queue`` unless they are withdrawn."""
    lines = []
    sender = config.sender.mail_from.address
    for entry in states.entries(register, batch, states.WAITING, copies=True):
        letter = letter_register.letter_by_reference(register, entry.reference)
        municipality = config.municipalities.get(letter.municipality) if letter else None
        if municipality is None:
            continue
        new_cc: tuple[str, ...]
        if entry.is_copy:  # a copy's own mail: To its recipient, no Cc
            now_copy = copy_recipient(entry.role, "", municipality, config)
            new_to, new_cc = now_copy.address or "none", ()
        else:
            now = mail_recipients(municipality, config)
            new_to, new_cc = (
                ("none", ("none",)) if isinstance(now, MissingAddress) else (now.to, (now.cc,))
            )
        changes = [
            f"{label} {old} -> {new}"
            for label, old, new in (
                ("From", entry.sender, sender),
                ("To", entry.college, new_to),
                ("Cc", ", ".join(entry.copies), ", ".join(new_cc)),
            )
            if old is not None and old.lower() != new.lower()
        ]
        if changes:
            lines.append(f"{entry.label}: {'; '.join(changes)}")
    return lines
