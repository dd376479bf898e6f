"""Making a batch (``ibtpost batch``, the Batches screen) and what a batch holds.

The delivery state of a batch's letters is not here: that is the dispatch stage's read model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ibtpost.core.errors import IbtpostError
from ibtpost.core.layout import BatchLayout, Layout
from ibtpost.core.progress import NO_PROGRESS, ProgressCallback
from ibtpost.data.config import load_config
from ibtpost.dispatch.delivery import Delivery, batch_deliveries
from ibtpost.production.batch import BatchResult, run_batch
from ibtpost.production.selection import BatchRequest, Plan, check_request
from ibtpost.register import BatchRecord, LetterRecord, Register, audit
from ibtpost.register import letters as letter_register
from ibtpost.service.common import Line, NotFound, line, warning_lines
from ibtpost.text.definitions import definition_files, load_letter


def batch_files(batch: BatchLayout) -> dict[str, Path]:
    """The files of a batch folder people download, by their name in the folder."""
    kept = (batch.manifest_csv, batch.manifest_json, batch.print_file, batch.post_room_file)
    return {path.name: path for path in kept}


@dataclass(frozen=True)
class LetterChoice:
    """A letter definition a batch can be made of."""

    id: str
    title: str
    status: str  # draft or final


def letter_choices(root: Path) -> list[LetterChoice]:
    """Every letter definition that loads, sorted by file name."""
    found = []
    for path in definition_files(root):
        try:
            definition = load_letter(root, path.stem)
        except IbtpostError:
            continue
        found.append(LetterChoice(definition.id, definition.title, definition.status))
    return found


@dataclass(frozen=True)
class Due:
    """A municipality a batch would hold."""

    code: str
    name: str


@dataclass(frozen=True)
class Candidates:
    """Who is due for a letter on a day, and why others are not (or what is wrong)."""

    due: list[Due] = field(default_factory=list)
    notes: list[Line] = field(default_factory=list)  # who is left out, and why
    #: what stops the plan (an unknown letter, nobody due ...): each front end words it
    problem: IbtpostError | None = None


def candidates(
    root: Path, letter: str, day: date, concept: bool = False, corrects: str | None = None
) -> Candidates:
    """The municipalities the batch of everyone due for ``letter`` on ``day`` would hold,
    as ``batch`` plans it (the approval left aside); a problem becomes a note. ``corrects``:
    the letter a herstel or intrekking names (its municipality is then the one)."""
    try:
        draft = load_letter(root, letter).status == "draft"
        request = BatchRequest(letter, day, concept=concept or draft, corrects=corrects)
        plan = check_request(root, request, approval=False)
    except IbtpostError as exc:
        return Candidates([], [], exc)
    due = [Due(p.municipality.code, p.municipality.name) for p in plan.letters]
    return Candidates(due, [Line(p.key, p.values) for p in plan.skipped])


def plan(root: Path, request: BatchRequest) -> Plan:
    """Everything ``make_batch`` checks before it records anything, with the same errors;
    records nothing. The plan names the batch and its municipalities."""
    return check_request(root, request)


@dataclass(frozen=True)
class MadeBatch:
    """What making a batch did, and its summary."""

    result: BatchResult
    summary: Line
    warnings: list[Line]


def make_batch(
    root: Path, request: BatchRequest, progress: ProgressCallback = NO_PROGRESS
) -> MadeBatch:
    """Make (or complete) the batch ``request`` asks for; ``progress`` after each letter."""
    result = run_batch(root, request, progress)
    summary = line(
        "summary.batch.concept" if result.concept else "summary.batch",
        id=result.id,
        letters=len(result.letters),
        converted=result.converted,
        unchanged=len(result.letters) - result.converted,
        pages=result.pages,
        seconds=result.seconds,
        warnings=len(result.warnings),
    )
    return MadeBatch(result, summary, warning_lines(result.warnings))


def converted_since(root: Path, batch_id: str) -> Callable[[], int]:
    """Counts the letters of ``batch_id`` converted from now on: each converted letter is
    recorded with a ``letter.generated`` event as it is done."""
    with Register.for_root(root) as register:
        start = audit.last_seq(register)

    def count() -> int:
        with Register.for_root(root) as register:
            return audit.count(register, audit.LETTER_GENERATED, batch_id, after=start)

    return count


@dataclass(frozen=True)
class BatchRow:
    """A letter of a batch as the batch's page lists it."""

    letter: LetterRecord
    name: str  # the municipality's name (its code when config/ no longer has it)
    delivery: Delivery  # where the letter is on its way to the college

    @property
    def reference(self) -> str:
        """The letter's Onze referentie."""
        return self.letter.reference

    @property
    def code(self) -> str:
        """The municipality's code."""
        return self.letter.municipality


@dataclass(frozen=True)
class BatchView:
    """A batch as the register has it: its record, letters and the files in its folder."""

    id: str
    batch: BatchRecord | None  # None while the batch is still being recorded
    rows: list[BatchRow]
    files: list[str]  # the names of the batch_files there


def batch_view(root: Path, batch_id: str) -> BatchView:
    """The batch ``batch_id``: its record, its letters and its files (none if unknown)."""
    config = load_config(root)
    with Register.for_root(root) as register:
        batch = letter_register.batch(register, batch_id)
        letters = letter_register.batch_letters(register, batch_id) if batch else []
        deliveries = batch_deliveries(register, batch_id) if batch else {}
    rows = []
    for letter in letters:
        municipality = config.municipalities.get(letter.municipality)
        name = municipality.name if municipality else letter.municipality
        rows.append(BatchRow(letter, name, deliveries[letter.reference]))
    kept = batch_files(Layout(root).batch(batch_id))
    files = [name for name, path in kept.items() if path.is_file()] if batch else []
    return BatchView(batch_id, batch, rows, files)


def batch_file(root: Path, batch_id: str, name: str) -> Path:
    """One of the :func:`batch_files` of a batch the register knows; NotFound otherwise."""
    path = batch_files(Layout(root).batch(batch_id)).get(name)
    if path is None:
        raise NotFound(name)
    with Register.for_root(root) as register:
        if letter_register.batch(register, batch_id) is None:
            raise NotFound(f"batch {batch_id}")
    if not path.is_file():
        raise NotFound(name)
    return path
