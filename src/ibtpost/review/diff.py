"""``ibtpost diff``: two versions of a letter compared word by word, file by file.

A version is the working copy (the files as they are now), the approved one
(letters/approvals.yaml), or any version the register recorded when a letter was made
from it; ids may be shortened to any unambiguous prefix. The texts of a version come from
the register (``texts``), from the approved snapshots under letters/approved/, or from
the working copy where a file is unchanged, so two versions can be compared long after
the files changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ibtpost.approval import approvals, versions
from ibtpost.approval.approvals import Approval
from ibtpost.approval.versions import Version
from ibtpost.core.errors import Location, UsageError
from ibtpost.core.layout import Layout
from ibtpost.register import Register
from ibtpost.text.worddiff import ChangedLine, word_diff

WORKING = "working"
APPROVED = "approved"


@dataclass(frozen=True)
class Side:
    """One of the two versions compared."""

    version: Version
    working: bool = False
    approval: Approval | None = None  # set when this version is (or was) approved
    current: bool = False  # the approval in force

    def describe(self) -> str:
        """E.g. "approved 3f2a9c1d0b7e (by A. Jurist on 2026-11-28)"."""
        if self.working:
            state = " (approved)" if self.current else " (not approved)"
            return f"working copy {self.version.id}{state}"
        if self.approval is not None:
            kind = "approved" if self.current else "earlier approved"
            return f"{kind} {self.version.id} (by {self.approval.by} on {self.approval.day})"
        seen = f" (first used {self.version.first_seen[:10]})" if self.version.first_seen else ""
        return f"version {self.version.id}{seen}"


@dataclass(frozen=True)
class FileDiff:
    """The difference in one file."""

    path: str
    status: str  # "changed", "added", "removed"
    lines: tuple[ChangedLine, ...] = ()
    note: str | None = None  # said instead of (or besides) lines


@dataclass(frozen=True)
class LetterDiff:
    """The result of ``ibtpost diff``."""

    letter: str
    new: Side
    old: Side | None  # None: nothing to compare with (never approved)
    files: tuple[FileDiff, ...] = ()
    known: tuple[str, ...] = field(default=())  # the versions one could name instead


def diff_letter(
    root: Path, letter: str, old_spec: str | None = None, new_spec: str | None = None
) -> LetterDiff:
    """Compare ``old_spec`` (default: the approved version) with ``new_spec`` (default: the
    working copy). Unknown or ambiguous version: UsageError."""
    working = versions.working_copy(root, letter)
    entries = [a for a in approvals.load_approvals(root) if a.letter == letter]
    current = entries[-1] if entries else None
    register = _open_register(root)
    try:
        recorded = versions.recorded_versions(register, letter) if register else []
        known_versions: dict[str, Version] = {v.id: v for v in recorded}
        for entry in entries:
            known_versions.setdefault(entry.version, Version(letter, entry.version, entry.files))
        known_versions[working.version.id] = known_versions.get(working.version.id, working.version)
        approved_as = {entry.version: entry for entry in entries}

        def side(spec: str, option: str) -> Side:
            if spec == WORKING:
                version = working.version
            elif spec == APPROVED:
                if current is None:
                    raise UsageError(
                        location=Location(None, None, option),
                        key="error.diff_never_approved",
                        values={"letter": letter},
                    )
                version = known_versions[current.version]
            else:
                version = _resolve(spec, known_versions, letter, option)
            return Side(
                version,
                working=spec == WORKING,
                approval=approved_as.get(version.id),
                current=current is not None and current.version == version.id,
            )

        known = tuple(_known(known_versions, approved_as, current, working.version.id))
        new = side(new_spec or WORKING, "to")
        if old_spec is None and current is None:
            return LetterDiff(letter, new, None, known=known)
        old = side(old_spec or APPROVED, "from")

        def text(version: Version, path: str) -> str | None:
            return _text(root, register, working, entries, version, path)

        files = _compare(old.version.files, new.version.files, old.version, new.version, text)
        return LetterDiff(letter, new, old, files, known)
    finally:
        if register is not None:
            register.close()


def _open_register(root: Path) -> Register | None:
    """The register if there is one (reading must not create it)."""
    if not Layout(root).register.is_file():
        return None
    return Register.for_root(root)


def _resolve(spec: str, versions: Mapping[str, Version], letter: str, option: str) -> Version:
    wanted = spec.strip().lower()
    matches = [v for key, v in versions.items() if wanted and key.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(sorted(versions)) or "none"
    raise UsageError(
        location=Location(None, None, option),
        key="error.version_ambiguous" if matches else "error.version_unknown",
        values={"spec": spec, "letter": letter, "known": f"{known}, {APPROVED}, {WORKING}"},
    )


def _known(
    versions: Mapping[str, Version],
    approved_as: Mapping[str, Approval],
    current: Approval | None,
    working: str,
) -> list[str]:
    """One line per known version: id, first use, approval, working copy."""
    out = []
    for version in sorted(versions.values(), key=lambda v: (v.first_seen or "", v.id)):
        notes = []
        if version.first_seen:
            notes.append(f"first used {version.first_seen[:10]}")
        if (entry := approved_as.get(version.id)) is not None:
            latest = current is not None and current.version == version.id
            notes.append(f"{'approved' if latest else 'was approved'} by {entry.by}")
        if version.id == working:
            notes.append("working copy")
        out.append(f"{version.id} ({', '.join(notes)})" if notes else version.id)
    return out


def _text(
    root: Path,
    register: Register | None,
    working: versions.WorkingCopy,
    entries: list[Approval],
    version: Version,
    path: str,
) -> str | None:
    """The text of ``path`` in ``version``, from wherever it is kept."""
    sha = version.files[path]
    if working.version.files.get(path) == sha:
        found = versions.text_of(path, working.contents[path])
        return None if found is None else found[1]
    if register is not None and (text := versions.stored_text(register, sha)) is not None:
        return text
    for entry in entries:
        if entry.files.get(path) == sha:
            text = approvals.snapshot_text(root, entry.letter, entry.version, path, sha)
            if text is not None:
                return text
    return None


def _compare(
    old: Mapping[str, str],
    new: Mapping[str, str],
    old_version: Version,
    new_version: Version,
    text: Callable[[Version, str], str | None],
) -> tuple[FileDiff, ...]:
    found = []
    for path in sorted(old.keys() | new.keys()):
        if old.get(path) == new.get(path):
            continue
        status = "added" if path not in old else "removed" if path not in new else "changed"
        if not versions.reviewable(path):
            found.append(FileDiff(path, status, note=f"{status} (an image: not compared)"))
            continue
        before = text(old_version, path) if path in old else ""
        after = text(new_version, path) if path in new else ""
        if before is None or after is None:
            which = old_version.id if before is None else new_version.id
            missing = f"{status}; the text of version {which} is not kept (not recorded)"
            found.append(FileDiff(path, status, note=missing))
            continue
        lines = tuple(word_diff(before, after))
        note: str | None = None
        if not lines:
            note = (
                "no word of its text changed (layout, styles or images only)"
                if path.endswith(".docx")
                else "no word changed (spacing, line breaks or indentation only)"
            )
        found.append(FileDiff(path, status, lines, note))
    return tuple(found)
