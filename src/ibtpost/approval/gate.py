"""The approval gate, and approving: what lawyers approve is what goes out.

A reviewer approves one version of a letter (``ibtpost approve``, kept in
``letters/approvals.yaml``; see :mod:`ibtpost.approval.versions`). A final batch, a final
single letter and ``queue`` refuse a letter whose files are not exactly its approved
version, naming what changed since the approval; ``queue`` also refuses a batch made from
another version than the approved one, until the batch is made again. Once queued, a
letter's message is frozen and goes out as it was checked. Concept batches and concept
letters are not gated: every page says CONCEPT and they can never be sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ibtpost.approval import approvals
from ibtpost.approval.approvals import Approval
from ibtpost.approval.versions import WorkingCopy, record_version, text_of, working_copy
from ibtpost.core import clock, validate
from ibtpost.core.domain import Config
from ibtpost.core.errors import Location, NextAction, Param, Phrase, UsageError
from ibtpost.core.messages import Lang, Wording, say
from ibtpost.core.yamlsource import YMap, load_yaml
from ibtpost.data.config import load_config
from ibtpost.register import BatchRecord, Register, audit, dispatch
from ibtpost.register import letters as letter_register
from ibtpost.register import versions as stored
from ibtpost.text.definitions import load_letter
from ibtpost.text.nodes import LetterDefinition
from ibtpost.text.scan import legal_entries


class NotApproved(UsageError):
    """A final letter, batch or dispatch of a letter whose files are not its approved
    version (exit 2)."""


def describe_changes(old: Mapping[str, str], new: Mapping[str, str]) -> Wording:
    """ "letters/trede-2.yaml changed", "templates/a.docx changed, templates/logo.png added"
    (and in Dutch)."""
    changed = sorted(p for p in old.keys() & new.keys() if old[p] != new[p])
    added, removed = sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys())
    kinds = ((changed, "word.changed"), (added, "word.added"), (removed, "word.unused"))

    def said(lang: Lang) -> str:
        parts = [f"{_and(files, lang)} {say(key, lang)}" for files, key in kinds if files]
        return ", ".join(parts) or say("word.nothing_changed", lang)

    return Wording(said("en"), said("nl"))


def _and(items: list[str], lang: Lang) -> str:
    last = say("word.and", lang)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def approved_version(root: Path, letter: str) -> Approval | None:
    """The latest approval of ``letter`` in letters/approvals.yaml, if any."""
    return approvals.latest(approvals.load_approvals(root), letter)


def approvers(entries: list[Approval], letter: str, version: str) -> list[Approval]:
    """The approvals of one version of ``letter`` by different people (the first of each
    name, names compared without case and spacing), in file order."""
    seen: set[str] = set()
    found = []
    for entry in entries:
        key = _person(entry.by)
        if entry.letter == letter and entry.version == version and key not in seen:
            seen.add(key)
            found.append(entry)
    return found


def _person(name: str) -> str:
    """A name as compared: without case and extra spacing ("A.  Jurist" is "a. jurist")."""
    return " ".join(name.casefold().split())


def require_approved(root: Path, letter: str, working: WorkingCopy | None = None) -> Approval:
    """The approval of the current version of ``letter``; NotApproved naming what changed
    since the last approval (or that there never was one), or, for a letter that needs the
    approval of more than one person (``approvals:`` in its definition), how many are still
    missing."""
    working = working or working_copy(root, letter)
    entries = approvals.load_approvals(root)
    approval = approvals.latest(entries, letter)
    given = approvers(entries, letter, working.version.id)
    needed = load_letter(root, letter).approvals
    if given and len(given) < needed:
        names = ", ".join(f"{a.by} on {a.day}" for a in given)
        raise NotApproved(
            key="error.more_approvals",
            values={
                "letter": letter,
                "needed": needed,
                "version": working.version.id,
                "count": len(given),
                "names": names,
                "approve": _approve(letter),
            },
        )
    if given:
        return given[-1]
    if approval is None:
        raise NotApproved(
            key="error.never_approved", values={"letter": letter, "approve": _approve(letter)}
        )
    if approval.version != working.version.id:
        raise NotApproved(
            key="error.changed_since_approval",
            values={
                "letter": letter,
                "changes": describe_changes(approval.files, working.version.files),
                "version": approval.version,
                "by": approval.by,
                "day": approval.day,
                "diff": NextAction("diff", {"letter": letter}),
                "approve": _approve(letter),
            },
        )
    return approval


def _approve(letter: str) -> NextAction:
    """The step that approves ``letter``: a reviewer gives a name."""
    return NextAction("approve", {"letter": letter, "by": "..."})


@dataclass(frozen=True)
class ReviewState:
    """Where a letter stands for its reviewers (the review screen of ``ibtpost web``)."""

    letter: str
    title: str
    status: str  # draft or final (the definition's status)
    working: str  # the version id of the files as they are now
    approval: Approval | None  # the latest approval of any version
    given: int  # approvals of the working version by different people
    needed: int  # approvals by different people a final batch needs
    changes: Wording | None  # what changed since the latest approval (None: none, or never)

    @property
    def state(self) -> str:
        """``draft``, ``approved`` (as it is), ``changed`` (since the approval),
        ``incomplete`` (more approvals needed) or ``unapproved`` (never approved)."""
        if self.status != "final":
            return "draft"
        if self.given >= self.needed:
            return "approved"
        if self.given:
            return "incomplete"
        return "changed" if self.approval is not None else "unapproved"


def review_state(root: Path, letter: str) -> ReviewState:
    """Where ``letter`` stands: its status, the approval in force and what changed since, as
    :func:`require_approved` judges it."""
    definition = load_letter(root, letter)
    working = working_copy(root, letter)
    entries = approvals.load_approvals(root)
    approval = approvals.latest(entries, letter)
    given = approvers(entries, letter, working.version.id)
    changes = (
        describe_changes(approval.files, working.version.files)
        if approval is not None and approval.version != working.version.id
        else None
    )
    return ReviewState(
        letter,
        definition.title,
        definition.status,
        working.version.id,
        approval,
        len(given),
        definition.approvals,
        changes,
    )


def unverified(config: Config, definition: LetterDefinition) -> list[str]:
    """The config/legal.yaml entries ``definition`` uses that are not verified, each as
    ``name (config/legal.yaml:5)``; an entry that does not exist counts as unverified."""
    found = []
    for name, where in legal_entries(definition).items():
        entry = config.legal.get(name)
        if entry is None:
            found.append(f"{name} (not in config/legal.yaml; used at {where})")
        elif not entry.verified:
            found.append(f"{name} ({entry.location.file}:{entry.location.line})")
    signatory = config.sender.signer(definition.signatory)
    if definition.besluit and signatory is not None and not signatory.mandate:
        where = signatory.location or Location("config/sender.yaml", None, "signatory")
        found.append(f"the mandate of its signatory {signatory.name} ({where.file}:{where.line})")
    return found


def require_verified(config: Config, definition: LetterDefinition) -> None:
    """Refuse a final letter whose text uses legal text nobody verified: such a letter can
    only be made as a concept."""
    missing = unverified(config, definition)
    if missing:
        raise NotApproved(
            hint=Phrase("hint.verify_legal"),
            key="error.legal_unverified",
            values={
                "letter": definition.id,
                "entries": ", ".join(missing),
                "concept": Param("concept"),
            },
        )


def check_batch(root: Path, register: Register, batch: BatchRecord) -> None:
    """Refuse to dispatch a final batch unless its letter is approved as it is now and the
    batch was made from that approved version. Concept batches pass (file transport only)."""
    if batch.concept:
        return
    approval = require_approved(root, batch.letter)
    made_from = stored.batch_version(register, batch.id)
    if made_from != approval.version:
        made = (
            Phrase("error.made_from", {"version": made_from, "letter": batch.letter})
            if made_from
            else Phrase("error.made_before_versions")
        )
        if dispatch.entries(register, batch.id):  # queued letters never change
            todo = (
                Phrase(
                    "hint.put_back",
                    {"diff": NextAction("diff", {"letter": batch.letter, "from": made_from})},
                )
                if made_from
                else Phrase("hint.queued_new_batch")
            )
        else:
            todo = Phrase("hint.remake", {"batch": _remake(register, batch)})
        raise NotApproved(
            key="error.not_from_approved",
            values={"batch": batch.id, "made": made, "version": approval.version, "todo": todo},
        )


def _remake(register: Register, batch: BatchRecord) -> NextAction:
    """The batch step that makes ``batch`` again (same id, so same references)."""
    args: dict[str, str | tuple[str, ...]] = {"letter": batch.letter, "date": batch.day.isoformat()}
    if batch.id != f"{batch.letter}-{batch.day.isoformat()}":  # not everyone due that day
        codes = sorted(
            {letter.municipality for letter in letter_register.batch_letters(register, batch.id)}
        )
        args["municipalities"] = tuple(codes)
    return NextAction("batch", args)


# -- approving ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Approved:
    """What ``approve`` did: the approval in force, and whether it was added now."""

    approval: Approval
    added: bool
    needed: int = 1  # approvals of this version by different people the letter needs
    given: int = 1  # approvals of this version by different people, this one included


def approve(root: Path, letter: str, by: str, note: str | None = None) -> Approved:
    """Approve the current version of ``letter``: append it to letters/approvals.yaml
    (with its texts under letters/approved/) and record an ``approval`` audit event. A
    draft cannot be approved; an approved, unchanged letter adds nothing."""
    by = validate.one_line(by, "by")
    note = validate.one_line(note, "note") if note is not None and note.strip() else None
    definition = load_letter(root, letter)  # a definition that does not load is refused
    if definition.status != "final":
        data = load_yaml(definition.path)
        line = data.line_of("status") if isinstance(data, YMap) else None
        raise UsageError(
            location=Location(f"letters/{definition.path.name}", line, "status"),
            hint=Phrase("hint.set_final"),
            key="error.draft_not_approved",
            values={"letter": letter},
        )
    require_verified(load_config(root), definition)  # legal text nobody verified: no
    working = working_copy(root, letter)
    with Register.for_root(root) as register, register.transaction():
        version = record_version(register, root, letter, working)
        given = approvers(approvals.load_approvals(root), letter, version.id)
        same = [a for a in given if _person(a.by) == _person(by)]
        if same:
            return Approved(same[0], added=False, needed=definition.approvals, given=len(given))
        if len(given) >= definition.approvals:
            return Approved(given[-1], added=False, needed=definition.approvals, given=len(given))
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
    return Approved(approval, added=True, needed=definition.approvals, given=len(given) + 1)
