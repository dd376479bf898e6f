"""Reviewing a letter's text: where each letter stands, the word diff between two versions,
review copies (preview, proof) and approving (``ibtpost diff``, ``approve``, ``preview``,
``proof``; the Beoordelen screen)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ibtpost.approval.gate import Approved, ReviewState, review_state
from ibtpost.approval.gate import approve as approve_version
from ibtpost.core.errors import IbtpostError
from ibtpost.core.progress import NO_PROGRESS, ProgressCallback
from ibtpost.data.config import load_config
from ibtpost.mail.checks import mail_date_problems
from ibtpost.mail.templates import load_mail_templates
from ibtpost.production.engine import Converters
from ibtpost.review import proof as copies
from ibtpost.review.check import Report, run_check
from ibtpost.review.checkdata import Compositions
from ibtpost.review.diff import LetterDiff, diff_letter
from ibtpost.review.proof import ReviewResult
from ibtpost.service.common import Line, line, warning_lines
from ibtpost.text.definitions import definition_files, definition_path
from ibtpost.text.nodes import LetterDefinition


@dataclass(frozen=True)
class ReviewList:
    """Every letter definition and where it stands; the problems of those that do not load."""

    states: list[ReviewState]
    problems: list[IbtpostError]  # of the definitions that do not load; each front end words them


def check(root: Path) -> Report:
    """``ibtpost check``: config/, letters/ and templates/ together, and the mail templates
    against every letter they carry (no date in an e-mail that its letter lacks)."""
    return run_check(root, extra=(_mail_dates,))


def _mail_dates(
    root: Path, definitions: list[LetterDefinition], compositions: Compositions
) -> list[IbtpostError]:
    return mail_date_problems(definitions, compositions, load_mail_templates(root))


def letters_to_review(root: Path) -> ReviewList:
    """Where each letter definition under letters/ stands for its reviewers."""
    states: list[ReviewState] = []
    problems: list[IbtpostError] = []
    for path in definition_files(root):
        try:
            states.append(review_state(root, path.stem))
        except IbtpostError as exc:
            problems.append(exc)
    return ReviewList(states, problems)


def has_definition(root: Path, letter: str) -> bool:
    """Whether ``letter`` names a definition file (one that may not load)."""
    try:
        return definition_path(root, letter).is_file()
    except IbtpostError:
        return False


@dataclass(frozen=True)
class LetterReview:
    """One letter for its reviewers: where it stands, the diff asked for (or, when a version
    asked for is unknown, the default diff and the problem), the versions known, and the
    municipalities a preview can be made for."""

    state: ReviewState
    diff: LetterDiff
    names: list[str]  # every municipality's name, sorted
    problem: IbtpostError | None = None  # the version asked for is not known

    @property
    def versions(self) -> list[str]:
        """The version ids the diff can compare."""
        return [known.split(" ", 1)[0] for known in self.diff.known]


def letter_review(
    root: Path, letter: str, old: str | None = None, new: str | None = None
) -> LetterReview:
    """``letter`` for its reviewers, the diff from ``old`` to ``new`` (by default: the
    approved version to the working copy). A definition that does not load raises."""
    state = review_state(root, letter)
    problem = None
    try:
        diff = diff_letter(root, letter, old, new)
    except IbtpostError as exc:
        problem = exc
        diff = diff_letter(root, letter)
    names = sorted(m.name for m in load_config(root).municipalities.values())
    return LetterReview(state, diff, names, problem)


def diff(root: Path, letter: str, old: str | None = None, new: str | None = None) -> LetterDiff:
    """The word diff of ``letter`` from ``old`` to ``new`` (``ibtpost diff``)."""
    return diff_letter(root, letter, old, new)


@dataclass(frozen=True)
class Approval:
    """What approving did, and its summary: ``summary`` (approved, or approved before),
    ``count`` when more approvals by different people are needed, ``waiting`` what that
    means for a final batch."""

    done: Approved
    summary: Line
    count: Line | None
    waiting: Line | None


def approve(root: Path, letter: str, by: str, note: str | None = None) -> Approval:
    """Approve the working copy of ``letter`` (an approved, unchanged letter adds nothing)."""
    done = approve_version(root, letter, by, note)
    approval = done.approval
    names = {"letter": approval.letter, "version": approval.version, "by": approval.by}
    summary = (
        line("summary.approve", **names)
        if done.added
        else line("summary.approve.again", **names, day=approval.day)
    )
    short = done.given < done.needed
    numbers = {"given": done.given, "needed": done.needed}
    return Approval(
        done,
        summary,
        line("summary.approve.count", **numbers) if short else None,
        line("summary.approve.waiting", **numbers, letter=approval.letter) if short else None,
    )


@dataclass(frozen=True)
class Reviewed:
    """A review copy made (preview or proof) and its summary: ``pages`` says where each
    letter starts (a proof), ``warnings`` what looks wrong, ``summary`` the outcome."""

    result: ReviewResult
    summary: Line
    warnings: list[Line]
    pages: list[Line] = field(default_factory=list)


def preview(
    root: Path,
    letter: str,
    municipalities: Sequence[str],
    day: date,
    out: Path | None = None,
    warm: Converters | None = None,
    corrects: str | None = None,
) -> Reviewed:
    """A CONCEPT review copy of ``letter`` for each municipality (outbox/preview/ or
    ``out``); ``warm``: converters already running; ``corrects``: the letter a herstel or
    intrekking names."""
    result = copies.preview(root, letter, tuple(municipalities), day, out, warm, corrects)
    summary = line(
        "summary.preview",
        letter=letter,
        files=len(result.files),
        pages=result.pages,
        seconds=result.seconds,
        version=result.version,
    )
    return Reviewed(result, summary, warning_lines(result.warnings))


def proof(
    root: Path,
    letter: str,
    day: date,
    municipalities: Sequence[str] = (),
    *,
    edges: bool = False,
    out: Path | None = None,
    progress: ProgressCallback = NO_PROGRESS,
    corrects: str | None = None,
) -> Reviewed:
    """One CONCEPT PDF of ``letter`` for every municipality it applies to, the ones named,
    or (``edges``) the edge cases; ``progress`` after each letter; ``corrects``: the letter
    a herstel or intrekking names (the copy is then for its municipality)."""
    result = copies.proof(
        root,
        letter,
        day,
        tuple(municipalities),
        edges=edges,
        out=out,
        progress=progress,
        corrects=corrects,
    )
    summary = line(
        "summary.proof",
        letter=letter,
        version=result.version,
        letters=len(result.letters),
        pages=result.pages,
        seconds=result.seconds,
        warnings=len(result.warnings),
    )
    pages = [
        line("summary.proof.page", page=item.first_page, label=item.target.label)
        for item in result.letters
    ]
    return Reviewed(result, summary, warning_lines(result.warnings), pages)
