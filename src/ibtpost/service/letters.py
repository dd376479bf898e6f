"""One letter as its screen shows it: its file (found through its batch's manifest), its
recipients (frozen at ``queue``, else as config/ has them today), its copies and the checks
``queue`` runs.

Which delivery state a letter or copy is in is the dispatch stage's read model
(:mod:`ibtpost.dispatch.delivery`); the view carries it for the letter and each copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ibtpost.core.domain import Config, Municipality, Publication
from ibtpost.core.errors import IbtpostError
from ibtpost.core.files import sha256_file
from ibtpost.core.layout import Layout
from ibtpost.data.config import load_config
from ibtpost.data.recipients import (
    CopyRecipient,
    MissingAddress,
    cdk_copy,
    copy_recipients,
    mail_recipients,
)
from ibtpost.dispatch.delivery import Delivery, delivery
from ibtpost.dispatch.states import QueueEntry
from ibtpost.dispatch.states import entry as queue_entry
from ibtpost.register import BatchRecord, LetterRecord, Register, audit, motivering, procedure
from ibtpost.register import letters as letter_register
from ibtpost.register import notices as notice_register
from ibtpost.register import validate_reference as valid_reference
from ibtpost.register.dispatch import copies_of
from ibtpost.register.motivering import PARTS, MotiveringVersion
from ibtpost.register.notices import NoticeRecord
from ibtpost.review.lettercheck import LetterCheck, check_letters, seal_roots_of
from ibtpost.service.common import NotFound
from ibtpost.text.definitions import load_letter

#: the files of a letter, by the key its batch's manifest names them with
SUFFIXES = ("pdf", "docx")


@dataclass(frozen=True)
class LetterFile:
    """A file of a letter, and the letter as the register has it."""

    path: Path
    letter: LetterRecord


def letter_file(root: Path, reference: str, suffix: str = "pdf") -> LetterFile:
    """The ``pdf`` or ``docx`` of the letter ``reference`` as its batch's manifest names it;
    NotFound for an unknown letter, a batch without manifest or a file not there."""
    try:
        reference = valid_reference(reference)
    except IbtpostError:
        raise NotFound(f"letter {reference}") from None
    if suffix not in SUFFIXES:
        raise NotFound(suffix)
    with Register.for_root(root) as register:
        letter = letter_register.letter_by_reference(register, reference)
    if letter is None or letter.batch is None:
        raise NotFound(f"letter {reference}")
    batch = Layout(root).batch(letter.batch)
    try:
        manifest = json.loads(batch.manifest_json.read_text("utf-8"))
    except (OSError, ValueError):
        raise NotFound(f"manifest of {letter.batch}") from None
    row = next((r for r in manifest.get("letters", []) if r.get("reference") == reference), None)
    name = str(row.get(suffix, "")) if row else ""
    if not name or Path(name).name != name or not name.endswith(f".{suffix}"):
        raise NotFound(f"{suffix} of {reference}")
    path = batch.file(name)
    if not path.is_file():
        raise NotFound(f"{suffix} of {reference}")
    return LetterFile(path, letter)


@dataclass(frozen=True)
class Recipients:
    """Who a letter's mail goes to: frozen when it was queued, else as config/ has it now."""

    to: str = ""
    cc: str = ""
    frozen: bool = False  # True: as recorded at ``queue``
    missing: str = ""  # why the letter cannot be mailed (it goes by post), if so


@dataclass(frozen=True)
class CopyView:
    """A copy with a mail of its own (raad, GS): as queued, else as config/ has it."""

    role: str
    kind: str  # afschrift, ter kennisneming
    to: str  # "de gemeenteraad van Vlaardingen"
    address: str | None  # None: no e-mail address, the copy goes by post
    delivery: Delivery | None  # where the copy is, None while not queued


@dataclass(frozen=True)
class LetterView:
    """Everything the letter's screen shows, but its page images."""

    letter: LetterRecord
    batch: BatchRecord | None
    municipality: Municipality | None  # None when config/ no longer has it
    pdf: Path
    sha256: str  # of the PDF as it is now
    entry: QueueEntry | None  # the letter's queue entry, if it was queued
    delivery: Delivery  # where the letter is on its way to the college
    recipients: Recipients | None  # None: unknown municipality and never queued
    copies: list[CopyView]
    check: LetterCheck | None  # the checks ``queue`` runs
    events: list[audit.Event]
    publication: Publication | None = None  # of its kennisgeving, if recorded
    litigation: tuple[procedure.LitigationRecord, ...] = ()  # at the court, by date
    #: the motivering written on this letter (``ibtpost motivering``): every version, by
    #: part and oldest first
    motivering: list[MotiveringVersion] = field(default_factory=list)
    #: the letters that correct or withdraw this one (a herstel, an intrekking)
    corrections: list[LetterRecord] = field(default_factory=list)
    #: it can be corrected (a final letter that was sent) or withdrawn (a sent besluit of
    #: the ladder), with the letters herstel and intrekking of letters/
    correctable: bool = False
    withdrawable: bool = False
    #: its kennisgeving, a record of its own (``7500002-K``), if it has one
    notice: NoticeRecord | None = None

    def written(self) -> list[tuple[MotiveringVersion, int]]:
        """Per part written: the latest version (the one a letter prints) and how many
        versions there are."""
        found = []
        for part in PARTS:
            versions = [v for v in self.motivering if v.part == part]
            if versions:
                found.append((versions[-1], len(versions)))
        return found

    @property
    def matches(self) -> bool:
        """Whether the PDF is the one the register recorded."""
        return self.sha256 == self.letter.pdf_sha256


def letter_view(root: Path, reference: str) -> LetterView:
    """The letter ``reference`` (see :class:`LetterView`); NotFound as :func:`letter_file`."""
    found = letter_file(root, reference, "pdf")
    letter = found.letter
    config = load_config(root)
    municipality = config.municipalities.get(letter.municipality)
    with Register.for_root(root) as register:
        entry = queue_entry(register, letter.reference)
        queued = {c.role: c for c in copies_of(register, letter.reference)}
        events = list(audit.events(register, letter.reference))
        published = procedure.publication(register, letter.reference)
        litigation = tuple(procedure.litigation(register, letter.reference))
        written = motivering.versions(register, letter.reference)
        batch = letter_register.batch(register, letter.batch) if letter.batch else None
        corrections = letter_register.corrections_of(register, letter.reference)
        notice = notice_register.of_letter(register, letter.reference)
    recipients: Recipients | None = None
    if entry is not None and entry.college:
        recipients = Recipients(entry.college, ", ".join(entry.copies), frozen=True)
    elif municipality is not None:
        mail = mail_recipients(municipality, config)
        if isinstance(mail, MissingAddress):
            recipients = Recipients(missing=str(mail))
        else:
            recipients = Recipients(mail.to, mail.cc)
    definition = load_letter(root, letter.letter)
    copies = [
        CopyView(
            c.role,
            c.kind,
            c.mentioned,
            queued[c.role].college if c.role in queued else c.address,
            delivery(letter, queued[c.role]) if c.role in queued else None,
        )
        for c in _copies(definition.copies, municipality, config, "cdk" in queued)
    ]
    # the checks `queue` runs, the seal's included (a concept is never sealed)
    roots = seal_roots_of(config.settings, batch.concept if batch else letter.concept)
    checked = check_letters(found.path.parent, [letter], definition, 1, roots).letters
    sent = letter.sent_on is not None and not letter.concept
    return LetterView(
        letter,
        batch,
        municipality,
        found.path,
        sha256_file(found.path),
        entry,
        delivery(letter, entry),
        recipients,
        copies,
        checked[0] if checked else None,
        events,
        published,
        litigation,
        written,
        corrections,
        correctable=sent and (Layout(root).letters / "herstel.yaml").is_file(),
        withdrawable=sent
        and letter.on_ladder
        and definition.besluit
        and (Layout(root).letters / "intrekking.yaml").is_file(),
        notice=notice,
    )


def _copies(
    copies: tuple[tuple[str, str], ...],
    municipality: Municipality | None,
    config: Config,
    cdk_queued: bool,
) -> list[CopyRecipient]:
    """The copies a letter's screen names: those with a mail of their own, and the CdK's
    own copy when it was queued (its letter goes by post)."""
    if municipality is None:
        return []
    found = copy_recipients(copies, municipality, config)
    return found + ([cdk_copy(municipality, config)] if cdk_queued else [])
