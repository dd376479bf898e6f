"""letters/approvals.yaml: which version of which letter a reviewer approved, and when.

The file is committed with the letters, so an approval travels with the text it approves.
It is a YAML list that only grows: ``ibtpost approve`` appends one entry (letter, version
id, the SHA-256 of every file of that version, by, at, note) and never rewrites the
entries before it, so the repository's history shows every approval. The latest entry of a
letter is the approved version; the entries before it are history.

Next to it, ``letters/approved/<letter>-<version>/`` keeps the approved texts (the letter
definition and mail templates as they were, the Word template's text as ``<name>.txt``),
so ``ibtpost diff`` can show what changed since an approval on any copy of the
repository, also where the register never saw that version.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from ibtpost.core.errors import DefinitionError, Location
from ibtpost.core.files import write_atomic
from ibtpost.core.layout import Layout
from ibtpost.core.yamlsource import YList, YMap, load_yaml

APPROVALS = "letters/approvals.yaml"
SNAPSHOTS = "letters/approved"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_VERSION = re.compile(r"^[0-9a-f]{12}$")

HEADER = """\
# Approved versions of the letter texts. Written by `ibtpost approve LETTER --by NAME`;
# do not edit by hand. Each entry approves one version of one letter: the letter
# definition and the templates it uses, identified by the SHA-256 of each file. The last
# entry of a letter is its approved version; any change to one of its files makes the
# letter unapproved until a reviewer approves the new version (see `ibtpost diff LETTER`).
# The approved texts are kept in letters/approved/<letter>-<version>/.
"""


def version_id(files: Mapping[str, str]) -> str:
    """The version id of a set of files: the first 12 hex digits of the SHA-256 of the
    lines ``<path>\\t<sha256>\\n``, sorted by path (paths relative to the root, with /)."""
    listing = "".join(f"{path}\t{files[path]}\n" for path in sorted(files))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Approval:
    """One entry of letters/approvals.yaml."""

    letter: str
    version: str
    files: Mapping[str, str]
    by: str
    at: str
    note: str | None = None
    line: int | None = None  # where it stands in the file

    @property
    def day(self) -> str:
        """The date of the approval (YYYY-MM-DD)."""
        return self.at[:10]

    def entry(self) -> dict[str, Any]:
        """The entry as written to the file."""
        data: dict[str, Any] = {
            "letter": self.letter,
            "version": self.version,
            "files": dict(sorted(self.files.items())),
            "by": self.by,
            "at": self.at,
        }
        if self.note:
            data["note"] = self.note
        return data


def load_approvals(root: Path) -> list[Approval]:
    """Every approval in file order; [] when the file does not exist. A malformed entry, or
    one whose version id does not fit its files, is a DefinitionError naming its line."""
    path = Layout(root).approvals
    if not path.is_file():
        return []
    data = load_yaml(path, DefinitionError, APPROVALS)
    if data is None:
        return []
    if not isinstance(data, YList):
        raise DefinitionError("must be a list of approvals", Location(APPROVALS, 1))
    return [_approval(item, data.line_of(index), index) for index, item in enumerate(data)]


def _approval(item: object, line: int | None, index: int) -> Approval:
    def fail(message: str, field: str, at: int | None = None) -> DefinitionError:
        return DefinitionError(message, Location(APPROVALS, at or line, f"[{index}].{field}"))

    if not isinstance(item, YMap):
        raise DefinitionError("an approval is a mapping", Location(APPROVALS, line, f"[{index}]"))
    values: dict[str, str] = {}
    for key in ("letter", "version", "by", "at"):
        value = item.get(key)
        if isinstance(value, datetime | date):
            value = value.isoformat()
        if not isinstance(value, str) or not value.strip():
            raise fail("missing or empty", key, item.line_of(key))
        values[key] = value
    files = item.get("files")
    if not isinstance(files, YMap) or not files:
        raise fail("must map each file to its SHA-256", "files", item.line_of("files"))
    for path, sha in files.items():
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise fail(f"{path}: not a SHA-256", "files", files.line_of(path))
    if not _VERSION.match(values["version"]) or values["version"] != version_id(files):
        raise fail(
            "does not match the hashes under files (edited by hand?)",
            "version",
            item.line_of("version"),
        )
    note = item.get("note")
    return Approval(
        values["letter"],
        values["version"],
        dict(files),
        values["by"],
        values["at"],
        str(note) if note is not None else None,
        line,
    )


def latest(approvals: list[Approval], letter: str) -> Approval | None:
    """The approved version of ``letter``: its last entry, if any."""
    return next((a for a in reversed(approvals) if a.letter == letter), None)


def snapshot_dir(root: Path, letter: str, version: str) -> Path:
    """Where the texts of an approved version are kept."""
    return Layout(root).approved_version(letter, version)


def snapshot_name(path: str) -> str:
    """The file name of a version's file in its snapshot folder (a Word template's text
    gets ``.txt`` added)."""
    name = path.rsplit("/", 1)[-1]
    return f"{name}.txt" if name.endswith(".docx") else name


def write_snapshot(root: Path, approval: Approval, texts: Mapping[str, bytes]) -> None:
    """Store the approved texts (path -> content to keep) in the snapshot folder."""
    folder = snapshot_dir(root, approval.letter, approval.version)
    names = [snapshot_name(path) for path in texts]
    if len(set(names)) != len(names):
        raise DefinitionError(
            f"two files of {approval.letter} share a name: {', '.join(sorted(texts))}",
            Location(APPROVALS),
        )
    for path, data in texts.items():
        write_atomic(folder / snapshot_name(path), data)


def snapshot_text(root: Path, letter: str, version: str, path: str, sha256: str) -> str | None:
    """The text of ``path`` in an approved version's snapshot, if kept. A copied file must
    still have the approved hash; a Word template's text cannot be checked that way."""
    snapshot = snapshot_dir(root, letter, version) / snapshot_name(path)
    try:
        data = snapshot.read_bytes()
    except OSError:
        return None
    if not path.endswith(".docx") and hashlib.sha256(data).hexdigest() != sha256:
        return None
    return data.decode("utf-8", errors="replace")


def append(root: Path, approval: Approval) -> None:
    """Append ``approval`` to letters/approvals.yaml (written whole through a temporary
    file, so the file is the old one or the new one, never half written)."""
    path = Layout(root).approvals
    try:
        existing = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = HEADER
    if existing and not existing.endswith("\n"):
        existing += "\n"
    entry = yaml.safe_dump(
        [approval.entry()], allow_unicode=True, sort_keys=False, width=88, default_flow_style=False
    )
    write_atomic(path, (existing + "\n" + entry).encode("utf-8"))
