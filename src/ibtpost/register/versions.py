"""Letter versions in the register (tables ``versions`` and ``texts``, and the version each
batch was made from); what they mean is :mod:`ibtpost.approval.versions`."""

from __future__ import annotations

import json
from collections.abc import Mapping

from ibtpost.core import clock
from ibtpost.register import Register


def add_version(register: Register, letter: str, version: str, files: Mapping[str, str]) -> str:
    """Record a version once; returns when the register first saw it."""
    with register.transaction():
        register.db.execute(
            "INSERT INTO versions (letter, version, files, first_seen) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (letter, version, json.dumps(dict(files), sort_keys=True), clock.stamp()),
        )
        row = register.db.execute(
            "SELECT first_seen FROM versions WHERE letter=? AND version=?", (letter, version)
        ).fetchone()
    return str(row[0])


def versions_of(register: Register, letter: str) -> list[tuple[str, dict[str, str], str]]:
    """``(version, files, first_seen)`` of every recorded version of ``letter``, oldest first."""
    rows = register.db.execute(
        "SELECT version, files, first_seen FROM versions WHERE letter=? ORDER BY first_seen",
        (letter,),
    ).fetchall()
    return [(str(v), json.loads(f), str(seen)) for v, f, seen in rows]


def has_text(register: Register, sha256: str) -> bool:
    """Whether the text of a file with this hash is kept."""
    return (
        register.db.execute("SELECT 1 FROM texts WHERE sha256=?", (sha256,)).fetchone() is not None
    )


def add_text(register: Register, sha256: str, kind: str, text: str) -> None:
    """Keep the text of a file (``kind``: text, or docx for the Word template's text)."""
    register.db.execute(
        "INSERT INTO texts (sha256, kind, text) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (sha256, kind, text),
    )


def text(register: Register, sha256: str) -> str | None:
    """The text kept for a file hash, if any."""
    row = register.db.execute("SELECT text FROM texts WHERE sha256=?", (sha256,)).fetchone()
    return None if row is None else str(row[0])


def set_batch_version(register: Register, batch_id: str, version: str) -> None:
    """Remember the version a batch's letters were made from (when the batch completes)."""
    register.db.execute("UPDATE batches SET version=? WHERE id=?", (version, batch_id))


def batch_version(register: Register, batch_id: str) -> str | None:
    """The version a batch was last made from; None for a batch made before versions were
    recorded."""
    row = register.db.execute("SELECT version FROM batches WHERE id=?", (batch_id,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])
