"""``ibtpost export mdto``: the letters of a batch, or of a municipality's supervision case,
with their MDTO metadata, for the archive.

Per letter three files in the target folder: the PDF as sent (the sealed file when letters
are sealed), ``<stem>.mdto.xml`` (the ``informatieobject``) and
``<stem>.pdf.bestand.mdto.xml`` (the ``bestand``: name, size, PRONOM format, SHA-256);
the same three for its kennisgeving, a record of its own (``7500002-K``, related to its
letter, with the event of its publication when recorded);
for a case also ``IBT-<code>.mdto.xml``, the dossier that holds them. Every PDF is checked
against the SHA-256 the register recorded and every XML against the MDTO schema before
anything is written; then all files are written together (each whole or not at all).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from ibtpost.archive import mdto
from ibtpost.archive.policy import load_policy
from ibtpost.archive.records import (
    LetterFile,
    batch_letters,
    case_of,
    case_records,
    checked_now,
    letter_file,
)
from ibtpost.core.errors import IbtpostError, Param, UsageError
from ibtpost.core.files import replace_all, sha256_of
from ibtpost.core.layout import Layout
from ibtpost.data.config import load_config
from ibtpost.register import Register, procedure
from ibtpost.register import notices as notice_register
from ibtpost.review.noticecheck import notice_file

INFORMATIEOBJECT_SUFFIX = ".mdto.xml"
BESTAND_SUFFIX = ".pdf.bestand.mdto.xml"


@dataclass
class ExportResult:
    """What an export wrote."""

    folder: Path
    letters: list[LetterFile]
    files: list[Path]
    warnings: list[str] = field(default_factory=list)
    notices: int = 0  # the kennisgevingen exported with their letters


def export_mdto(
    root: Path, out: Path, batch: str | None = None, case: str | None = None
) -> ExportResult:
    """Export the letters of ``batch`` or of the case of municipality ``case`` into ``out``."""
    if (batch is None) == (case is None):
        raise UsageError(
            key="error.batch_or_case",
            values={"batch": Param("batch"), "case": Param("case", "...")},
        )
    config = load_config(root)
    policy = load_policy(root)
    checked_at = checked_now()
    with Register.for_root(root) as register:
        if batch is not None:
            records = batch_letters(register, batch)
            municipality = None
        else:
            municipality, records = case_records(register, config, str(case))
        listed: dict[Path, dict[str, dict[str, list[Path]]]] = {}  # each folder listed once
        letters = [letter_file(root, register, config, r, checked_at, listed) for r in records]
        notices = [
            found
            for item in letters
            if (found := _notice(root, register, item, checked_at)) is not None
        ]
    files: dict[Path, bytes] = {}
    for item in letters:
        stem = item.pdf.stem
        try:
            files[out / f"{stem}{INFORMATIEOBJECT_SUFFIX}"] = mdto.informatieobject(
                item.archived, policy
            )
            files[out / f"{stem}{BESTAND_SUFFIX}"] = mdto.bestand(item.archived, policy)
        except mdto.SchemaProblem as exc:
            raise IbtpostError(f"letter {item.record.reference}: MDTO not valid: {exc}") from None
        files[out / item.pdf.name] = item.data  # the bytes checked against the register
    for path, archived, links, data in notices:
        stem = path.stem
        try:
            files[out / f"{stem}{INFORMATIEOBJECT_SUFFIX}"] = mdto.informatieobject(
                archived, policy, links
            )
            files[out / f"{stem}{BESTAND_SUFFIX}"] = mdto.bestand(archived, policy)
        except mdto.SchemaProblem as exc:
            raise IbtpostError(
                f"kennisgeving {archived.reference}: MDTO not valid: {exc}"
            ) from None
        files[out / path.name] = data
    if municipality is not None:
        dossier = case_of(municipality)
        files[out / f"{dossier.id}{INFORMATIEOBJECT_SUFFIX}"] = mdto.dossier(
            dossier, [x.archived for x in letters] + [n[1] for n in notices], policy
        )
    out.mkdir(parents=True, exist_ok=True)
    replace_all(files)
    warnings = [note] if (note := policy.unverified_note()) else []
    unsent = [x.record.reference for x in letters if x.archived.sent is None]
    if unsent:
        more = f" (and {len(unsent) - 3} more)" if len(unsent) > 3 else ""
        warnings.append(
            f"{len(unsent)} letter(s) not sent, so without a verzending event: "
            f"{', '.join(unsent[:3])}{more}"
        )
    return ExportResult(out, letters, sorted(files), warnings, len(notices))


def _notice(
    root: Path, register: Register, item: LetterFile, checked_at: str
) -> tuple[Path, mdto.ArchivedLetter, mdto.NoticeLinks, bytes] | None:
    """The kennisgeving of a letter as a record of its own: its PDF (checked against the
    hash the register froze at queue, else the one the batch recorded), its archive record
    and its links (the letter, its publication); None when the letter has none."""
    record = notice_register.of_letter(register, item.record.reference)
    if record is None:
        return None
    folder = Layout(root).batch(str(item.record.batch)).folder
    path = notice_file(folder, item.record.reference)
    expected = record.frozen_sha256 or record.pdf_sha256
    data = path.read_bytes() if path is not None else b""
    if path is None or sha256_of(data) != expected:
        raise IbtpostError(
            f"kennisgeving {record.reference}: the file in outbox/{item.record.batch}/ is "
            f"missing or differs from the one the register recorded ({expected[:12]})"
        )
    archived = dataclasses.replace(
        item.archived,
        reference=record.reference,
        title=f"Kennisgeving bij brief {item.record.reference}",
        trede=None,
        sent=None,
        sent_how=None,
        file_name=path.name,
        size=len(data),
        sha256=expected,
        checksum_at=checked_at,
    )
    published = procedure.publication(register, item.record.reference)
    links = mdto.NoticeLinks(
        item.archived,
        published.day.isoformat() if published else None,
        published.staatscourant if published else None,
    )
    return path, archived, links, data
