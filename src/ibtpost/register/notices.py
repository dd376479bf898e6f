"""The kennisgeving of a letter as a record of its own (table ``notices``): its reference
(the letter's with ``-K``: ``7500002-K``), the hashes of its files as made, and the hash
frozen when its letter was queued. A published kennisgeving links to its publication
(``register.procedure.publication`` of the letter's reference)."""

from __future__ import annotations

from dataclasses import dataclass

from ibtpost.core import clock
from ibtpost.register import Register

#: what a kennisgeving's reference adds to its letter's
SUFFIX = "-K"


def notice_reference(letter: str) -> str:
    """The reference of the kennisgeving of the letter ``letter``: ``7500002-K``."""
    return f"{letter}{SUFFIX}"


@dataclass(frozen=True)
class NoticeRecord:
    """A kennisgeving as the register knows it."""

    reference: str  # "7500002-K"
    letter: str  # "7500002"
    pdf_sha256: str
    docx_sha256: str | None
    pages: int | None
    made_at: str
    frozen_sha256: str | None = None  # the PDF as queued with its letter
    frozen_at: str | None = None


_COLUMNS = "reference, letter, pdf_sha256, docx_sha256, pages, made_at, frozen_sha256, frozen_at"


def record(
    register: Register, letter: str, pdf_sha256: str, docx_sha256: str | None, pages: int | None
) -> bool:
    """Record (or update, while not frozen) the kennisgeving of ``letter`` made in its batch,
    inside the caller's transaction; True when something changed."""
    before = of_letter(register, letter)
    if before is not None and (before.frozen_sha256 or before.pdf_sha256 == pdf_sha256):
        return False
    register.db.execute(
        "INSERT INTO notices (reference, letter, pdf_sha256, docx_sha256, pages, made_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(letter) DO UPDATE SET"
        " pdf_sha256=excluded.pdf_sha256, docx_sha256=excluded.docx_sha256,"
        " pages=excluded.pages, made_at=excluded.made_at",
        (notice_reference(letter), letter, pdf_sha256, docx_sha256, pages, clock.stamp()),
    )
    return True


def freeze(register: Register, letter: str, pdf_sha256: str) -> bool:
    """Freeze the kennisgeving of ``letter`` as queued (inside the caller's transaction);
    True when it was not frozen yet."""
    cursor = register.db.execute(
        "UPDATE notices SET frozen_sha256=?, frozen_at=? WHERE letter=? AND frozen_sha256 IS NULL",
        (pdf_sha256, clock.stamp(), letter),
    )
    return cursor.rowcount > 0


def of_letter(register: Register, letter: str) -> NoticeRecord | None:
    """The kennisgeving of the letter ``letter``, if it has one."""
    row = register.db.execute(
        f"SELECT {_COLUMNS} FROM notices WHERE letter=?", (letter,)
    ).fetchone()
    return NoticeRecord(*row) if row else None


def of_letters(register: Register, letters: list[str]) -> dict[str, NoticeRecord]:
    """The kennisgevingen of ``letters``, by the letter's reference (one query per 500)."""
    found: dict[str, NoticeRecord] = {}
    for start in range(0, len(letters), 500):
        chunk = letters[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = register.db.execute(
            f"SELECT {_COLUMNS} FROM notices WHERE letter IN ({marks})",
            chunk,
        ).fetchall()
        found.update((str(row[1]), NoticeRecord(*row)) for row in rows)
    return found
