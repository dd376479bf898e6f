"""The records the procedure's gates read: ``ibtpost publication`` (a kennisgeving published
in the Staatscourant) and ``ibtpost litigation`` (what happens at the court about a
besluit). Each is checked in full before anything is written, audited, and recorded once: the
same record again adds nothing.

A file given with a litigation event (the beroepschrift, the uitspraak) is kept in the
municipality's case folder, ``outbox/cases/<code>/``, with its SHA-256, as replies are.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ibtpost.core import clock, validate
from ibtpost.core.domain import LitigationEvent, Publication
from ibtpost.core.errors import IbtpostError, Location, UsageError
from ibtpost.core.layout import Layout
from ibtpost.core.records import LetterRecord
from ibtpost.production.replies import keep_in_case, read_answer
from ibtpost.register import Register, audit, procedure, validate_reference
from ibtpost.register import letters as letter_register
from ibtpost.rules import gates
from ibtpost.text.definitions import load_letter

#: a Staatscourant number as it is cited: "2026-12345", "12345", "2026, 12345"
_STAATSCOURANT = re.compile(r"\d{4}(?:[-, ]{1,2}\d{1,7})?|\d{1,7}")


@dataclass(frozen=True)
class RecordedPublication:
    """What ``publication`` recorded."""

    reference: str
    municipality: str
    publication: Publication
    added: bool = True  # False: the same publication was recorded before


@dataclass(frozen=True)
class RecordedLitigation:
    """What ``litigation`` recorded."""

    reference: str
    municipality: str
    event: LitigationEvent
    file: Path | None
    sha256: str | None
    added: bool = True


def _where(name: str) -> Location:
    return Location(None, None, name)


def _sent_letter(register: Register, reference: str) -> LetterRecord:
    """The final letter ``reference``; UsageError naming ``reference`` otherwise."""
    return letter_register.final_letter(register, reference)


def _check_day(day: date, letter: LetterRecord, field: str) -> None:
    """``day`` is not before the letter's date and not after today."""
    if day < letter.day:
        raise UsageError(
            key="error.before_letter",
            values={"day": day.isoformat(), "letter_day": letter.day.isoformat()},
            location=_where(field),
        )
    today = clock.today()
    if day > today:
        raise UsageError(
            key="error.in_future",
            values={"day": day.isoformat(), "today": today.isoformat()},
            location=_where(field),
        )


def record_publication(
    root: Path, reference: str, staatscourant: str, day: date, url: str | None = None
) -> RecordedPublication:
    """Record that the kennisgeving of the letter ``reference`` was published in the
    Staatscourant ``staatscourant`` on ``day`` (at ``url``)."""
    reference = validate_reference(reference)
    number = validate.one_line(staatscourant, "staatscourant")
    if not _STAATSCOURANT.fullmatch(number):
        raise UsageError(
            key="error.staatscourant", values={"text": number}, location=_where("staatscourant")
        )
    if url is not None:
        url = validate.one_line(url, "url")
        if not re.fullmatch(r"https?://\S+", url):
            raise UsageError(key="error.url", values={"text": url}, location=_where("url"))
    found = Publication(number, day, url)
    with Register.for_root(root) as register:
        letter = _sent_letter(register, reference)
        if not _has_kennisgeving(root, letter.letter):
            raise UsageError(
                key="error.no_kennisgeving",
                values={"reference": reference, "letter": letter.letter},
                location=_where("reference"),
            )
        _check_day(day, letter, "date")
        with register.transaction():
            before = procedure.publication(register, reference)
            if before == found:
                return RecordedPublication(reference, letter.municipality, found, False)
            if before is not None:
                raise UsageError(
                    key="error.published_before",
                    values={
                        "reference": reference,
                        "staatscourant": before.staatscourant,
                        "day": before.day.isoformat(),
                    },
                    location=_where("staatscourant"),
                )
            procedure.add_publication(register, reference, found)
            audit.record(
                register,
                audit.PUBLICATION_RECORDED,
                reference=reference,
                batch=letter.batch,
                data={
                    "municipality": letter.municipality,
                    "staatscourant": number,
                    "date": day.isoformat(),
                    "url": url,
                },
            )
    return RecordedPublication(reference, letter.municipality, found)


def _has_kennisgeving(root: Path, letter: str) -> bool:
    try:
        return load_letter(root, letter).kennisgeving is not None
    except IbtpostError:
        return False


def record_litigation(
    root: Path,
    reference: str,
    event: str,
    day: date,
    note: str | None = None,
    file: Path | None = None,
) -> RecordedLitigation:
    """Record an event at the court (``beroep``, ``voorlopige-voorziening``, ``uitspraak``,
    ``schorsing``) about the besluit ``reference`` on ``day``; ``file`` is kept in the
    case."""
    reference = validate_reference(reference)
    if event not in gates.LITIGATION_KINDS:
        raise UsageError(
            key="error.litigation.kind",
            values={"text": event, "kinds": ", ".join(gates.LITIGATION_KINDS)},
            location=_where("event"),
        )
    if note is not None:
        note = validate.one_line(note, "note")
    data = _read_document(file) if file is not None else None
    found = LitigationEvent(event, day, note)  # type: ignore[arg-type]  # checked above
    with Register.for_root(root) as register:
        letter = _sent_letter(register, reference)
        if letter.trede != gates.BESLUIT:
            raise UsageError(
                key="error.litigation.not_besluit",
                values={"reference": reference, "letter": letter.letter},
                location=_where("reference"),
            )
        _check_day(day, letter, "date")
        digest = hashlib.sha256(data).hexdigest() if data is not None else None
        with register.transaction():
            recorded = procedure.litigation(register, reference)
            same = next((r for r in recorded if r.event == found and r.sha256 == digest), None)
            if same is not None:  # recorded before (a command run twice): nothing is added
                kept = Layout(root).outbox / same.file if same.file else None
                return RecordedLitigation(
                    reference, letter.municipality, found, kept, digest, False
                )
            events = sorted([*(r.event for r in recorded), found], key=lambda e: e.day)
            wrong = gates.out_of_order(events)
            if wrong is not None:
                raise UsageError(
                    key=wrong, values={"reference": reference}, location=_where("event")
                )
            kept_path: Path | None = None
            relative: str | None = None
            if file is not None and data is not None and digest is not None:
                stem = f"{reference}-{event}-{day.isoformat()}"
                kept_path, relative = keep_in_case(
                    root, letter.municipality, stem, file.suffix, data, digest
                )
            procedure.add_litigation(register, reference, found, relative, digest)
            audit.record(
                register,
                audit.LITIGATION_RECORDED,
                reference=reference,
                batch=letter.batch,
                data={
                    "municipality": letter.municipality,
                    "event": event,
                    "date": day.isoformat(),
                    "note": note,
                    "file": relative,
                    "sha256": digest,
                    "original_name": file.name if file else None,
                },
            )
    return RecordedLitigation(reference, letter.municipality, found, kept_path, digest)


def _read_document(file: Path) -> bytes:
    """The bytes of a PDF, an e-mail (.eml) or a Word document (.docx); anything else is
    refused, naming ``file``."""
    if file.suffix.lower() != ".docx":
        return read_answer(file)
    where = Location(str(file), None, "file")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read it ({exc.strerror})", where) from None
    if not data.startswith(b"PK"):
        raise UsageError("is named .docx but is not a Word document", where)
    return data
