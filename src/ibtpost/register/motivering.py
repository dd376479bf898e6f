"""The motivering of a case in the register (table ``motivering``): what only a person can
write, per letter it answers and part (``zienswijze``: the summary of the college's
zienswijze and the minister's reply to it; ``feiten``: the facts after a term, the
college's report; ``herstel``: what a herstel of the letter changes; ``intrekking``: why a
besluit is withdrawn). Every version is kept; the latest is the one a letter prints."""

from __future__ import annotations

from dataclasses import dataclass

from ibtpost.core import clock
from ibtpost.core.domain import Motivering
from ibtpost.register import Register

PARTS = ("zienswijze", "feiten", "herstel", "intrekking")


@dataclass(frozen=True)
class MotiveringVersion:
    """One recorded version of one part of a motivering."""

    reference: str  # the letter it answers
    part: str
    version: int  # 1, 2, ... per reference and part
    text: str
    sha256: str
    by: str | None
    recorded_at: str


def versions(
    register: Register, reference: str, part: str | None = None
) -> list[MotiveringVersion]:
    """Every version recorded on the letter ``reference`` (of one ``part``, or all),
    by part and oldest first."""
    sql = (
        "SELECT reference, part, version, text, sha256, by, recorded_at FROM motivering"
        " WHERE reference=?"
    )
    args: tuple[str, ...] = (reference,)
    if part is not None:
        sql += " AND part=?"
        args += (part,)
    rows = register.db.execute(sql + " ORDER BY part, version", args).fetchall()
    return [MotiveringVersion(*row) for row in rows]


def add(
    register: Register, reference: str, part: str, text: str, sha256: str, by: str | None
) -> int:
    """Record the next version of ``part`` (inside the caller's transaction); its number."""
    row = register.db.execute(
        "SELECT COALESCE(MAX(version), 0) FROM motivering WHERE reference=? AND part=?",
        (reference, part),
    ).fetchone()
    version = int(row[0]) + 1
    register.db.execute(
        "INSERT INTO motivering (reference, part, version, text, sha256, by, recorded_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (reference, part, version, text, sha256, by, clock.stamp()),
    )
    return version


def latest(register: Register) -> dict[str, Motivering]:
    """The latest text of each part, by the reference of the letter it answers."""
    rows = register.db.execute(
        "SELECT reference, part, text FROM motivering ORDER BY reference, part, version"
    ).fetchall()
    texts: dict[str, dict[str, str]] = {}
    for reference, part, text in rows:
        texts.setdefault(str(reference), {})[str(part)] = str(text)
    return {reference: Motivering.of(parts) for reference, parts in texts.items()}
