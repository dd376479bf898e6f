"""Letter versions: what lawyers approve, identified by content and recorded when used.

**A version** of a letter is identified by its content: the SHA-256 of every file that
shapes what a municipality receives, and a short version id over those hashes
(:func:`ibtpost.approval.approvals.version_id`). The files are the letter definition
(``letters/<id>.yaml``), the Word template its ``template:`` names, the images that
template shows when they are separate files (the signature named in
``config/sender.yaml``, the logo named in ``config/settings.yaml``), and the mail
templates ``templates/mail.mjml`` and ``templates/mail.txt``. A change to any of them is a
new version; the per-file hashes say which file changed.

**Recorded when used**: each version a letter is produced from (batch, single letter,
approval, review copies) goes into the register (:mod:`ibtpost.register.versions`): the
hashes, and per file hash its text (the YAML and mail templates as they are, the Word
template's text as :func:`ibtpost.text.worddiff.docx_text` extracts it), so that
``ibtpost diff`` can compare two versions after the files moved on. The gate that lets
only an approved version out is :mod:`ibtpost.approval.gate`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from ibtpost.approval.approvals import version_id
from ibtpost.core.layout import Layout
from ibtpost.register import Register
from ibtpost.register import versions as stored
from ibtpost.text.definitions import definition_path, load_letter
from ibtpost.text.worddiff import docx_text

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


# -- versions ---------------------------------------------------------------------------


def version_files(root: Path, letter: str) -> list[str]:
    """The files of ``letter`` (paths relative to ``root``) that exist now."""
    path = definition_path(root, letter)
    if not path.is_file():
        load_letter(root, letter)  # raises the error that names the known letters
    names = [_template_name(path), *MAIL_TEMPLATES, *_image_names(root, path)]
    found = {f"letters/{letter}.yaml"}
    for name in names:
        plain = name and "/" not in name and "\\" not in name and not name.startswith(".")
        if plain and Layout(root).template(name).is_file():
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


def _image_names(root: Path, definition: Path) -> list[str]:
    """The signature of the letter's signatory (config/sender.yaml: the one the definition
    names under ``signatory:``, else the default) and the logo (config/settings.yaml)."""
    names = []
    sender = _read_yaml(Layout(root).config_file("sender.yaml"))
    data = _read_yaml(definition)
    named = data.get("signatory") if isinstance(data, dict) else None
    signatory = sender.get("signatory") if isinstance(sender, dict) else None
    listed = sender.get("signatories") if isinstance(sender, dict) else None
    if named is not None and isinstance(listed, dict):
        signatory = listed.get(named)
    if isinstance(signatory, dict) and signatory.get("image"):
        names.append(str(signatory["image"]))
    settings = _read_yaml(Layout(root).config_file("settings.yaml"))
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
        first_seen = stored.add_version(register, letter_id, version.id, version.files)
        for path, sha in version.files.items():
            if stored.has_text(register, sha):
                continue
            found = text_of(path, working.contents[path])
            if found is not None:
                stored.add_text(register, sha, *found)
    return replace(version, first_seen=first_seen)


def recorded_versions(register: Register, letter: str) -> list[Version]:
    """The versions of ``letter`` the register has seen, oldest first."""
    return [
        Version(letter, v, files, seen) for v, files, seen in stored.versions_of(register, letter)
    ]


def stored_text(register: Register, sha256: str) -> str | None:
    """The text the register keeps for a file hash, if any."""
    return stored.text(register, sha256)
