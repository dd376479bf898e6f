"""The letters of a batch or of a municipality's supervision case, as records: each final
letter with its PDF in the batch folder (checked against the SHA-256 the register
recorded) and when and how it was sent."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from ibtpost.archive.mdto import ArchivedLetter, Case
from ibtpost.core import clock
from ibtpost.core.domain import Config, Municipality
from ibtpost.core.errors import IbtpostError, UsageError
from ibtpost.core.files import letter_files
from ibtpost.core.layout import Layout
from ibtpost.data.municipalities import find_municipality
from ibtpost.dispatch.delivery import MAIL, delivery
from ibtpost.dispatch.states import entry as queue_entry
from ibtpost.register import LetterRecord, Register
from ibtpost.register import cases as case_register
from ibtpost.register import letters as letter_register
from ibtpost.register.letters import complete_batch


@dataclass(frozen=True)
class LetterFile:
    """A letter, its PDF and what the archive records say about it."""

    record: LetterRecord
    pdf: Path
    archived: ArchivedLetter
    data: bytes  # the PDF's bytes as checked against the register (what is written out)


def case_of(municipality: Municipality) -> Case:
    """The supervision case of a municipality (one per municipality: its IBT file)."""
    return Case(
        id=f"IBT-{municipality.code}",
        name=f"Interbestuurlijk toezicht Spreidingswet, gemeente {municipality.name}",
        municipality=municipality.code,
        college=f"College van burgemeester en wethouders van {municipality.name}",
    )


def batch_letters(register: Register, batch_id: str) -> list[LetterRecord]:
    """The final letters of a complete batch; an unknown, incomplete or concept batch is
    refused (exit 2)."""
    batch = complete_batch(register, batch_id)
    if batch.concept:
        raise UsageError(f"batch {batch_id} is a concept batch: its letters are not records")
    return [r for r in letter_register.batch_letters(register, batch_id) if r.pdf_sha256]


def case_letters(register: Register, code: str) -> list[LetterRecord]:
    """The final letters of a municipality that were produced in a batch, in date and
    reference order."""
    return [
        r
        for r in case_register.all_letters(register)
        if r.municipality == code and not r.concept and r.batch and r.pdf_sha256
    ]


def case_records(
    register: Register, config: Config, query: str
) -> tuple[Municipality, list[LetterRecord]]:
    """The municipality ``query`` names (a code or a name) and the final letters of its
    case; exit 2 for an unknown municipality or one without a final letter."""
    municipality = find_municipality(config, query)
    records = case_letters(register, municipality.code)
    if not records:
        raise UsageError(
            f"{municipality.code} ({municipality.name}) has no final letter in any batch"
        )
    return municipality, records


def letter_file(
    root: Path,
    register: Register,
    config: Config,
    record: LetterRecord,
    checked_at: str,
    listed: dict[Path, dict[str, dict[str, list[Path]]]] | None = None,
) -> LetterFile:
    """A letter's PDF in its batch folder, checked against the register, as a record.
    ``listed`` keeps each batch folder's listing for the next letter of the same batch."""
    folder = Layout(root).batch(str(record.batch)).folder
    listed = {} if listed is None else listed
    if folder not in listed:
        listed[folder] = letter_files(folder)
    pdfs = listed[folder].get(record.reference, {}).get(".pdf", [])
    if len(pdfs) != 1:
        raise IbtpostError(
            f"letter {record.reference}: no single PDF in outbox/{record.batch}/ "
            f"(found {len(pdfs)})"
        )
    pdf = pdfs[0]
    data = pdf.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != record.pdf_sha256:
        raise IbtpostError(
            f"letter {record.reference}: {pdf.name} differs from the PDF the register "
            f"recorded (SHA-256 {digest[:12]}, recorded {str(record.pdf_sha256)[:12]})"
        )
    municipality = config.municipalities.get(record.municipality)
    if municipality is None:
        raise IbtpostError(
            f"letter {record.reference}: municipality {record.municipality} "
            "is no longer in config/municipalities.csv"
        )
    sent, how = _sent(register, record)
    return LetterFile(
        record,
        pdf,
        ArchivedLetter(
            reference=record.reference,
            title=_title(data) or record.letter,
            trede=record.trede,
            day=record.day,
            sent=sent,
            sent_how=how,
            case=case_of(municipality),
            file_name=pdf.name,
            size=len(data),
            sha256=digest,
            checksum_at=checked_at,
        ),
        data,
    )


def checked_now() -> str:
    """The time a checksum is taken: now, UTC, as xsd:dateTime."""
    return clock.stamp()


def _sent(register: Register, record: LetterRecord) -> tuple[str | None, str | None]:
    """When and how the letter was sent, from its delivery (:mod:`ibtpost.dispatch.delivery`):
    the time the mail server took it, or the posting date; None when it was not sent (file
    transport does not count)."""
    if record.sent_on is None:
        return None, None
    entry = queue_entry(register, record.reference)
    found = delivery(record, entry)
    how = found.channel_label("nl") or None
    if found.channel == MAIL and entry is not None and entry.sent_at:
        return entry.sent_at, how
    return record.sent_on.isoformat(), how


def _title(pdf: bytes) -> str | None:
    """The PDF's title (the letter's subject line)."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            title = doc.docinfo.get("/Title")
            return " ".join(str(title).split()) if title is not None else None
    except pikepdf.PdfError:
        return None
