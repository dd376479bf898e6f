"""Letter versions, the approval gate and approving: what lawyers approve is what goes out.

**A version** of a letter is identified by its content: the SHA-256 of every file that
shapes what a municipality receives, and a short version id over those hashes
(:func:`ibtpost.approvals.version_id`). The files are the letter definition
(``letters/<id>.yaml``), the Word template its ``template:`` names, the images that
template shows when they are separate files (the signature named in
``config/sender.yaml``, the logo named in ``config/settings.yaml``), and the mail
templates ``templates/mail.mjml`` and ``templates/mail.txt``. A change to any of them is a
new version; the per-file hashes say which file changed.

**Recorded when used**: each version a letter is produced from (batch, single letter,
approval; any other producer calls :func:`record_version` too) goes into the register,
tables ``versions`` and ``texts`` (migration 5): the hashes, and per file hash its text
(the YAML and mail templates as they are, the Word template's text as
:func:`ibtpost.worddiff.docx_text` extracts it), so that ``ibtpost diff`` can compare two
versions after the files moved on.

**The gate**: a reviewer approves one version (``ibtpost approve``, kept in
``letters/approvals.yaml``). A final batch, a final single letter, ``queue`` and ``send``
refuse a letter whose files are not exactly its approved version, naming what changed
since the approval; ``queue`` and ``send`` also refuse a batch made from another version
than the approved one, until the batch is made again. Concept batches and concept letters
are not gated: every page says CONCEPT and they can never be sent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from ibtpost import clock
from ibtpost.approval import approvals
from ibtpost.approval.approvals import Approval, version_id
from ibtpost.errors import Location, UsageError
from ibtpost.register import BatchRecord, Register, audit, dispatch
from ibtpost.text.definitions import definition_path, load_letter
from ibtpost.text.worddiff import docx_text
from ibtpost.text.yamlsource import YMap, load_yaml

MAIL_TEMPLATES = ("mail.mjml", "mail.txt")
_TEXT_SUFFIXES = (".yaml", ".yml", ".mjml", ".txt", ".html")
DEFAULT_TEMPLATE = "brief.docx"  # as in definitions.py, when a definition names none


@dataclass(frozen=True)
class Version:
    """One version of a letter: its files (path -> SHA-256) and the id over them."""

    letter: str
    id: str
    files: Mapping[str, str]
    first_seen: str | None = None  # when the register first saw it


@dataclass(frozen=True)
class WorkingCopy:
    """The letter's files as they are now, read once."""

    version: Version
    contents: Mapping[str, bytes]


class NotApproved(UsageError):
    """A final letter, batch or dispatch of a letter whose files are not its approved
    version (exit 2)."""


# -- versions ---------------------------------------------------------------------------


def version_files(root: Path, letter: str) -> list[str]:
    """The files of ``letter`` (paths relative to ``root``) that exist now."""
    path = definition_path(root, letter)
    if not path.is_file():
        load_letter(root, letter)  # raises the error that names the known letters
    names = [_template_name(path), *MAIL_TEMPLATES, *_image_names(root)]
    found = {f"letters/{letter}.yaml"}
    for name in names:
        plain = name and "/" not in name and "\\" not in name and not name.startswith(".")
        if plain and (root / "templates" / name).is_file():
            found.add(f"templates/{name}")
    return sorted(found)


def _read_yaml(path: Path) -> object:
    """The YAML of a file, or None when it cannot be read (its own loader reports why)."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _template_name(definition: Path) -> str:
    data = _read_yaml(definition)
    return str(data.get("template", DEFAULT_TEMPLATE)) if isinstance(data, dict) else ""


def _image_names(root: Path) -> list[str]:
    """The signature (config/sender.yaml) and the logo (config/settings.yaml), if named."""
    names = []
    sender = _read_yaml(root / "config" / "sender.yaml")
    signatory = sender.get("signatory") if isinstance(sender, dict) else None
    if isinstance(signatory, dict) and signatory.get("image"):
        names.append(str(signatory["image"]))
    settings = _read_yaml(root / "config" / "settings.yaml")
    if isinstance(settings, dict) and settings.get("logo"):
        names.append(str(settings["logo"]))
    return names


def working_copy(root: Path, letter: str) -> WorkingCopy:
    """The current version of ``letter`` and the bytes of its files."""
    contents = {path: (root / path).read_bytes() for path in version_files(root, letter)}
    files = {path: hashlib.sha256(data).hexdigest() for path, data in contents.items()}
    return WorkingCopy(Version(letter, version_id(files), files), contents)


def reviewable(path: str) -> bool:
    """Whether a file's text can be shown and compared (not an image)."""
    return path.endswith((".docx", *_TEXT_SUFFIXES))


def text_of(path: str, data: bytes) -> tuple[str, str] | None:
    """(kind, text) of a file for review: ``docx`` (its text) or ``text``; None for an
    image or a Word file that cannot be read."""
    if path.endswith(".docx"):
        try:
            return "docx", docx_text(data)
        except ValueError:
            return None
    if path.endswith(_TEXT_SUFFIXES):
        return "text", data.decode("utf-8", errors="replace")
    return None


def record_version(
    register: Register, root: Path, letter_id: str, working: WorkingCopy | None = None
) -> Version:
    """Record the current version of ``letter_id`` (or ``working``) and its texts in the
    register, once; returns it with the time the register first saw it."""
    working = working or working_copy(root, letter_id)
    version = working.version
    with register.transaction():
        register.db.execute(
            "INSERT INTO versions (letter, version, files, first_seen) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (letter_id, version.id, json.dumps(dict(version.files), sort_keys=True), clock.stamp()),
        )
        for path, sha in version.files.items():
            if register.db.execute("SELECT 1 FROM texts WHERE sha256=?", (sha,)).fetchone():
                continue
            found = text_of(path, working.contents[path])
            if found is not None:
                register.db.execute(
                    "INSERT INTO texts (sha256, kind, text) VALUES (?, ?, ?)", (sha, *found)
                )
        row = register.db.execute(
            "SELECT first_seen FROM versions WHERE letter=? AND version=?",
            (letter_id, version.id),
        ).fetchone()
    return replace(version, first_seen=str(row[0]))


def recorded_versions(register: Register, letter: str) -> list[Version]:
    """The versions of ``letter`` the register has seen, oldest first."""
    rows = register.db.execute(
        "SELECT version, files, first_seen FROM versions WHERE letter=? ORDER BY first_seen",
        (letter,),
    ).fetchall()
    return [Version(letter, str(v), json.loads(f), str(seen)) for v, f, seen in rows]


def stored_text(register: Register, sha256: str) -> str | None:
    """The text the register keeps for a file hash, if any."""
    row = register.db.execute("SELECT text FROM texts WHERE sha256=?", (sha256,)).fetchone()
    return None if row is None else str(row[0])


# -- the gate -----------------------------------------------------------------------------


def describe_changes(old: Mapping[str, str], new: Mapping[str, str]) -> str:
    """ "letters/trede-2.yaml changed", "templates/a.docx changed, templates/logo.png added"."""
    changed = sorted(p for p in old.keys() & new.keys() if old[p] != new[p])
    parts = []
    if changed:
        parts.append(f"{_and(changed)} changed")
    if added := sorted(new.keys() - old.keys()):
        parts.append(f"{_and(added)} added")
    if removed := sorted(old.keys() - new.keys()):
        parts.append(f"{_and(removed)} no longer used")
    return ", ".join(parts) or "nothing changed"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def approved_version(root: Path, letter: str) -> Approval | None:
    """The latest approval of ``letter`` in letters/approvals.yaml, if any."""
    return approvals.latest(approvals.load_approvals(root), letter)


def require_approved(root: Path, letter: str, working: WorkingCopy | None = None) -> Approval:
    """The approval of the current version of ``letter``; NotApproved naming what changed
    since the last approval (or that there never was one)."""
    working = working or working_copy(root, letter)
    approval = approved_version(root, letter)
    if approval is None:
        raise NotApproved(
            f"letter {letter} is not approved: it has never been approved (review it, "
            f"then: ibtpost approve {letter} --by NAME)"
        )
    if approval.version != working.version.id:
        raise NotApproved(
            f"letter {letter} is not approved: "
            f"{describe_changes(approval.files, working.version.files)} since approval "
            f"{approval.version} by {approval.by} on {approval.day} (see: ibtpost diff "
            f"{letter}, then ibtpost approve {letter} --by NAME)"
        )
    return approval


def set_batch_version(register: Register, batch_id: str, version: str) -> None:
    """Remember the version a batch's letters were made from (when the batch completes)."""
    register.db.execute("UPDATE batches SET version=? WHERE id=?", (version, batch_id))


def batch_version(register: Register, batch_id: str) -> str | None:
    """The version a batch was last made from; None for a batch made before versions were
    recorded."""
    row = register.db.execute("SELECT version FROM batches WHERE id=?", (batch_id,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def check_batch(root: Path, register: Register, batch: BatchRecord) -> None:
    """Refuse to dispatch a final batch unless its letter is approved as it is now and the
    batch was made from that approved version. Concept batches pass (file transport only)."""
    if batch.concept:
        return
    approval = require_approved(root, batch.letter)
    made_from = batch_version(register, batch.id)
    if made_from != approval.version:
        made = (
            f"from version {made_from} of {batch.letter}"
            if made_from
            else "before letter versions were recorded"
        )
        if dispatch.entries(register, batch.id):  # queued letters never change
            todo = (
                f"its letters are queued and are not made again: put the files back as they "
                f"were (ibtpost diff {batch.letter} --from {made_from}) and approve that, or "
                "make the changed letters in a new batch"
                if made_from
                else "its letters are queued and are not made again; make a new batch"
            )
        else:
            todo = f"make it again with `{_remake(register, batch)}` first"
        raise NotApproved(
            f"batch {batch.id} was made {made}, not from the approved version "
            f"{approval.version}: {todo}"
        )


def _remake(register: Register, batch: BatchRecord) -> str:
    """The batch command that makes ``batch`` again (same id, so same references)."""
    command = f"ibtpost batch {batch.letter} --date {batch.day.isoformat()}"
    if batch.id == f"{batch.letter}-{batch.day.isoformat()}":
        return command  # the batch of everyone due that day
    codes = sorted({letter.municipality for letter in register.batch_letters(batch.id)})
    if len(codes) > 8:
        return f"{command} and its {len(codes)} --municipality options"
    return command + "".join(f" -m {code}" for code in codes)


# -- approving ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Approved:
    """What ``approve`` did: the approval in force, and whether it was added now."""

    approval: Approval
    added: bool


def approve(root: Path, letter: str, by: str, note: str | None = None) -> Approved:
    """Approve the current version of ``letter``: append it to letters/approvals.yaml
    (with its texts under letters/approved/) and record an ``approval`` audit event. A
    draft cannot be approved; an approved, unchanged letter adds nothing."""
    by = _one_line(by, "--by")
    note = _one_line(note, "--note") if note is not None and note.strip() else None
    definition = load_letter(root, letter)  # a definition that does not load is refused
    if definition.status != "final":
        data = load_yaml(definition.path)
        line = data.line_of("status") if isinstance(data, YMap) else None
        raise UsageError(
            f"{letter} is a draft (status: draft) and cannot be approved",
            Location(f"letters/{definition.path.name}", line, "status"),
            hint="set status: final first, then approve; drafts stay drafts until a "
            "reviewer changes the status and approves",
        )
    working = working_copy(root, letter)
    with Register.for_root(root) as register, register.transaction():
        current = approved_version(root, letter)
        version = record_version(register, root, letter, working)
        if current is not None and current.version == version.id:
            return Approved(current, added=False)
        approval = Approval(letter, version.id, dict(version.files), by, clock.stamp(), note)
        audit.record(
            register,
            audit.APPROVAL,
            data={
                "letter": letter,
                "version": version.id,
                "files": dict(version.files),
                "by": by,
                "note": note,
            },
        )
        snapshot = {}
        for path, data_bytes in working.contents.items():
            found = text_of(path, data_bytes)
            if found is not None:
                kind, text = found
                snapshot[path] = data_bytes if kind == "text" else text.encode("utf-8")
        approvals.write_snapshot(root, approval, snapshot)
        approvals.append(root, approval)  # last: the approval exists once all is written
    return Approved(approval, added=True)


def _one_line(text: str, field: str) -> str:
    text = text.strip()
    if not text or any(ch in text for ch in "\r\n\t\x00"):
        raise UsageError("must be one line of text", Location(None, None, field))
    return text
