"""Writing files safely: every file appears whole or not at all."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path


def slug(name: str) -> str:
    """A file-name-safe ASCII form of a name: "'s-Gravenhage" -> "s-gravenhage"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return text or "brief"


def stage(path: Path, data: bytes) -> Path:
    """Write ``data`` to a synced temporary file next to ``path``; return the temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _sync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (best effort: not every file system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    tmp = stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_all(
    files: Mapping[Path, bytes], verify: Callable[[Path, Path], None] | None = None
) -> None:
    """Write several files: stage (and ``verify(target, staged)``) all, then rename each.

    Nothing is replaced until every file is written and verified, so bad content never
    replaces a good file; a crash leaves each file either old or new, never half written.
    """
    staged: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            staged[path] = stage(path, data)
        if verify is not None:
            for path, tmp in staged.items():
                verify(path, tmp)
        for path, tmp in list(staged.items()):
            os.replace(tmp, path)
            del staged[path]
            _sync_dir(path.parent)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)


#: How the file name of a letter's kennisgeving ends (before its suffix).
NOTICE_STEM_END = "-kennisgeving"


def letter_files(folder: Path) -> dict[str, dict[str, list[Path]]]:
    """The letter files of a batch folder, ``<reference>-<name>.pdf|.docx``, by reference
    and suffix, listed once; an absent folder has none. A letter's kennisgeving
    (``<reference>-<name>-kennisgeving.pdf``) is not a letter file."""
    found: dict[str, dict[str, list[Path]]] = {}
    with contextlib.suppress(FileNotFoundError), os.scandir(folder) as listing:
        for item in listing:
            reference, dash, _ = item.name.partition("-")
            suffix = Path(item.name).suffix
            if Path(item.name).stem.endswith(NOTICE_STEM_END):
                continue
            if dash and reference.isdigit() and suffix in (".pdf", ".docx") and item.is_file():
                found.setdefault(reference, {}).setdefault(suffix, []).append(Path(item.path))
    return found


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in pieces."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
