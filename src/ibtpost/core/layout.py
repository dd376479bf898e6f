"""The layout of an ibtpost root on disk, in one place: where the configuration, the letter
definitions, the templates, the register and every folder and file of the outbox live.

Every stage asks a :class:`Layout` for a path instead of building ``root / "outbox" / ...``
itself, so that a folder is named once. A layout only computes paths: it creates, reads and
checks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: the register's file name under outbox/
REGISTER_NAME = "register.sqlite"


@dataclass(frozen=True)
class BatchLayout:
    """The files of one batch folder, ``outbox/<batch id>/``."""

    folder: Path

    @property
    def id(self) -> str:
        """The batch id: the folder's name."""
        return self.folder.name

    @property
    def manifest_json(self) -> Path:
        """The manifest the register checks a batch against (letters, hashes)."""
        return self.folder / "manifest.json"

    @property
    def manifest_csv(self) -> Path:
        """The same manifest as a table for people."""
        return self.folder / "manifest.csv"

    @property
    def print_file(self) -> Path:
        """Every letter of the batch in one PDF, for printing."""
        return self.folder / "print.pdf"

    @property
    def checks(self) -> Path:
        """The cached outcome of the letter checks that gate ``queue``."""
        return self.folder / "checks.json"

    @property
    def post_room_file(self) -> Path:
        """The letters and copies the post room sends by post, in one PDF."""
        return self.folder / "post-room.pdf"

    @property
    def post_room_list(self) -> Path:
        """One row per envelope of the post-room file."""
        return self.folder / "post-room.csv"

    @property
    def spool(self) -> Path:
        """The frozen messages of the queued letters, one file each."""
        return self.folder / "spool"

    @property
    def mail(self) -> Path:
        """The .eml files of the file transport."""
        return self.folder / "mail"

    @property
    def lock(self) -> Path:
        """The lock a batch run or a queue holds on the folder."""
        return self.folder / ".lock"

    @property
    def old_work(self) -> Path:
        """The scratch folder an older ibtpost left in the batch folder (removed)."""
        return self.folder / ".work"

    def file(self, name: str) -> Path:
        """A letter's file (or another file) of the batch by its name in the folder."""
        return self.folder / name

    def eml(self, reference: str) -> Path:
        """The .eml file the file transport writes for ``reference``."""
        return self.mail / f"{reference}.eml"


@dataclass(frozen=True)
class Layout:
    """The folders and files of the ibtpost root ``root``."""

    root: Path

    # -- what people write ---------------------------------------------------------------

    @property
    def config(self) -> Path:
        """config/: municipalities, provinces, figures, sender, settings, legal text."""
        return self.root / "config"

    def config_file(self, name: str) -> Path:
        """A file under config/."""
        return self.config / name

    @property
    def letters(self) -> Path:
        """letters/: one YAML definition per letter, approvals.yaml, approved/."""
        return self.root / "letters"

    def definition(self, letter: str) -> Path:
        """The definition file of a letter id (``trede-2`` -> letters/trede-2.yaml)."""
        return self.letters / f"{letter}.yaml"

    @property
    def approvals(self) -> Path:
        """letters/approvals.yaml: every approval, appended."""
        return self.letters / "approvals.yaml"

    @property
    def approved(self) -> Path:
        """letters/approved/: the texts of each approved version."""
        return self.letters / "approved"

    def approved_version(self, letter: str, version: str) -> Path:
        """The texts of one approved version (letters/approved/<letter>-<version>/)."""
        return self.approved / f"{letter}-{version}"

    @property
    def templates(self) -> Path:
        """templates/: the Word layout, the signature image, the mail templates."""
        return self.root / "templates"

    def template(self, name: str) -> Path:
        """A file under templates/."""
        return self.templates / name

    # -- what ibtpost writes ---------------------------------------------------------------

    @property
    def outbox(self) -> Path:
        """outbox/: everything ibtpost produces, and the register."""
        return self.root / "outbox"

    @property
    def register(self) -> Path:
        """The register (SQLite): references, letters, batches, dispatch, audit."""
        return self.outbox / REGISTER_NAME

    def batch(self, batch_id: str) -> BatchLayout:
        """The folder of a batch, ``outbox/<batch id>/``."""
        return BatchLayout(self.outbox / batch_id)

    @property
    def single_letters(self) -> Path:
        """Where ``ibtpost letter`` writes without ``--out``."""
        return self.outbox / "letters"

    @property
    def previews(self) -> Path:
        """Review copies (preview, proof)."""
        return self.outbox / "preview"

    @property
    def cases(self) -> Path:
        """Per municipality: replies received and the case file."""
        return self.outbox / "cases"

    def case(self, municipality_code: str) -> Path:
        """The case folder of one municipality (``outbox/cases/GM0622``)."""
        return self.cases / municipality_code

    def case_file(self, municipality_code: str) -> Path:
        """Where ``ibtpost case`` writes without ``--out`` (``outbox/cases/GM0622/case-file``)."""
        return self.case(municipality_code) / "case-file"

    @property
    def page_images(self) -> Path:
        """The page images ``ibtpost web`` made of PDFs, one folder per PDF's SHA-256."""
        return self.outbox / ".web" / "pages"
