"""The motivering of a case (``ibtpost motivering``): what only a person can write.

A lawyer writes, per municipality and per letter answered, the summary of the college's
zienswijze on a voornemen and the minister's reply to it (part ``zienswijze``), or, for a
besluit whose term has passed, the facts after the term: the college's report (part
``feiten``); on a sent letter that holds a mistake, what its herstel changes (part
``herstel``); on a besluit, why it is withdrawn (part ``intrekking``, art. 124d). The text
is plain UTF-8 (paragraphs separated by blank lines, as Markdown); it is
kept in the register, versioned by its SHA-256 (the same text again adds nothing, a changed
text a new version: the latest is the one the next letter prints) and audited
(``motivering.recorded``). The next letter's text uses it as ``motivering.zienswijze`` and
``motivering.feiten``, the paragraphs of the latest text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ibtpost.core import validate
from ibtpost.core.errors import Location, UsageError
from ibtpost.register import Register, audit, validate_reference
from ibtpost.register import letters as letter_register
from ibtpost.register import motivering as register
from ibtpost.register.motivering import PARTS, MotiveringVersion
from ibtpost.text.definitions import load_letter

#: the longest text taken: some pages of a besluit, not a document of its own
MAX_CHARS = 20_000
#: a tag of HTML (or XML): the text is plain
_HTML = re.compile(r"<[A-Za-z!/?]")
#: a template tag: the text is inserted as it is, never rendered
_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
#: control characters other than line ends and tabs: not a text file
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RecordedMotivering:
    """What ``motivering`` recorded."""

    reference: str
    municipality: str
    part: str
    version: int
    sha256: str
    added: bool = True  # False: the latest version has this text already


@dataclass(frozen=True)
class CaseMotivering:
    """The motivering written on one letter: every version, by part and oldest first."""

    reference: str
    municipality: str
    letter: str  # the letter definition of the letter answered (trede-4)
    versions: tuple[MotiveringVersion, ...]

    def latest(self, part: str) -> MotiveringVersion | None:
        """The version of ``part`` a letter prints, if any."""
        found = [v for v in self.versions if v.part == part]
        return found[-1] if found else None


def default_part(trede: int | None) -> str:
    """The part a text on a letter of ``trede`` is, when not named: the facts after the
    term for a besluit (trede 5 and on), the reply to a zienswijze before it."""
    return "feiten" if (trede or 0) >= 5 else "zienswijze"


def read_text(file: Path) -> str:
    """The text of ``file``: UTF-8, plain (no HTML, no template tags), not empty, at most
    ``MAX_CHARS``; line ends made ``\\n``, surrounding blank space removed. Anything else is
    a UsageError naming the file."""
    where = Location(str(file), None, "file")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read it ({exc.strerror})", where) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError("is not UTF-8 text", where) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text):
        raise UsageError("is not plain text (it holds control characters)", where)
    text = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    if not text:
        raise UsageError("is empty", where)
    if len(text) > MAX_CHARS:
        raise UsageError(f"is too long ({len(text)} characters; at most {MAX_CHARS})", where)
    if _HTML.search(text):
        raise UsageError(
            "holds HTML; write plain text, paragraphs separated by a blank line", where
        )
    if _TAG.search(text):
        raise UsageError("holds a template tag ({{, {%, {#); write plain text", where)
    return text


def record_motivering(
    root: Path, reference: str, file: Path, part: str | None = None, by: str | None = None
) -> RecordedMotivering:
    """Record the text of ``file`` as the motivering ``part`` on the letter ``reference``.

    Everything is checked before anything is written: an unknown or concept letter, an
    unknown part, a name of more than one line, a file that is not a plain text are each a
    UsageError naming the argument."""
    reference = validate_reference(reference)
    if part is not None and part not in PARTS:
        raise UsageError(f"{part!r} is not one of {', '.join(PARTS)}", Location(None, None, "part"))
    if by is not None:
        by = validate.one_line(by, "by")
    text = read_text(file)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with Register.for_root(root) as reg:
        letter = letter_register.final_letter(reg, reference)
        part = part or default_part(letter.trede)
        _answers(root, letter.letter, reference, part)
        with reg.transaction():  # checked and added at once: a second run adds nothing
            before = register.versions(reg, reference, part)
            if before and before[-1].sha256 == digest:
                return RecordedMotivering(
                    reference, letter.municipality, part, before[-1].version, digest, False
                )
            version = register.add(reg, reference, part, text, digest, by)
            audit.record(
                reg,
                audit.MOTIVERING_RECORDED,
                reference=reference,
                batch=letter.batch,
                data={
                    "municipality": letter.municipality,
                    "part": part,
                    "version": version,
                    "sha256": digest,
                    "chars": len(text),
                    "by": by,
                    "file": file.name,
                },
            )
    return RecordedMotivering(reference, letter.municipality, part, version, digest)


def motivering_of(root: Path, reference: str) -> CaseMotivering:
    """Every version of the motivering written on the letter ``reference``."""
    reference = validate_reference(reference)
    with Register.for_root(root) as reg:
        letter = letter_register.final_letter(reg, reference, final=False)
        found = register.versions(reg, reference)
    return CaseMotivering(reference, letter.municipality, letter.letter, tuple(found))


def _answers(root: Path, letter: str, reference: str, part: str) -> None:
    """Refuse a text on a letter it cannot answer: the reply to a zienswijze goes on a
    letter that asked for one (a voornemen), the facts after the term on a besluit."""
    definition = load_letter(root, letter)
    if part == "zienswijze" and not definition.zienswijze_weeks:
        raise UsageError(
            f"{reference} is a {letter} letter, which asks for no zienswijze: the reply to a "
            "zienswijze goes on the voornemen",
            Location(None, None, "reference"),
        )
    if part == "intrekking" and not (definition.besluit and definition.on_ladder):
        raise UsageError(
            f"{reference} is a {letter} letter, not a besluit tot indeplaatsstelling: why a "
            "besluit is withdrawn goes on that besluit",
            Location(None, None, "reference"),
        )
    if part == "feiten" and not definition.besluit:
        raise UsageError(
            f"{reference} is a {letter} letter, not a besluit: the facts after a term go on "
            "the besluit",
            Location(None, None, "reference"),
        )
