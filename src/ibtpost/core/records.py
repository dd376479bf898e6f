"""What the register records, as plain values: letters, batches and supervision cases.

These types are shared by the register (which stores them) and the pure stages that reason
about them (the ladder), so they live below both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ibtpost.core.domain import ReactionTerm


@dataclass(frozen=True)
class LetterKey:
    """What makes a letter the same letter: its definition, municipality and date."""

    letter: str
    municipality: str
    day: date


@dataclass(frozen=True)
class BatchRecord:
    """A batch: one letter definition, one date, a set of municipalities."""

    id: str
    letter: str
    day: date
    concept: bool
    reason: str | None
    created_at: str = ""
    completed_at: str | None = None


@dataclass(frozen=True)
class PlannedLetter:
    """A letter a batch is about to make."""

    key: LetterKey
    trede: int | None  # None: a letter beside the ladder (herstel, intrekking, afsluiting)
    deadline: date | None  # the end of the term the ladder waits for
    reason: str | None  # why this letter deviates from the ladder, if it does
    sample: bool  # built on sample figures
    kind: str = "ladder"  # "ladder", "herstel", "intrekking" or "afsluiting"
    corrects: str | None = None  # the reference of the letter it corrects or withdraws


@dataclass(frozen=True)
class LetterRecord:
    """A letter as the register knows it."""

    reference: str
    letter: str
    municipality: str
    day: date
    batch: str | None
    trede: int | None
    concept: bool
    deadline: date | None
    reason: str | None
    docx_sha256: str | None
    pdf_sha256: str | None
    pages: int | None
    sample: bool
    sent_on: date | None
    sent_via: str | None
    case_id: int | None
    #: the term the letter asks a reaction by, as its text states it (None: it states none);
    #: ``reaction_known`` is False for a letter recorded before this was kept
    reaction: ReactionTerm | None = None
    reaction_known: bool = False
    kind: str = "ladder"  # "ladder", "herstel", "intrekking" or "afsluiting"
    corrects: str | None = None  # the reference of the letter it corrects or withdraws

    @property
    def on_ladder(self) -> bool:
        """A step of the interventieladder (not a herstel, intrekking or afsluiting)."""
        return self.kind == "ladder"


@dataclass(frozen=True)
class CaseRecord:
    """A supervision case: opened by the first letter sent, closed when the task is met."""

    id: int
    municipality: str
    opened_on: date
    closed_on: date | None
    closed_why: str | None
