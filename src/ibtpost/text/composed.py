"""A composed letter, the pure core's output: runs, paragraphs, tables and
:class:`LetterContext`, everything needed to render one letter, built by
:mod:`ibtpost.text.compose`. Plain frozen dataclasses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from ibtpost.core.domain import (
    CorrectedLetter,
    Figures,
    Municipality,
    PreviousLetter,
    ReactionTerm,
    Sender,
    Signatory,
)


@dataclass(frozen=True)
class Run:
    """A run of text with formatting, or a footnote reference (``footnote`` set)."""

    text: str
    bold: bool = False
    italic: bool = False
    footnote: int | None = None  # footnote number (1-based) for a reference run


@dataclass(frozen=True)
class RParagraph:
    """A composed paragraph: its style and runs."""

    style: Literal["body", "heading", "bullet"]
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class RTable:
    """A composed table: header and rows of plain text cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths_mm: tuple[float, ...]


@dataclass(frozen=True)
class RPageBreak:
    """A composed page break."""


RBlock = RParagraph | RTable | RPageBreak


@dataclass(frozen=True)
class LetterContext:
    """Everything needed to render one letter; built by compose, pure data."""

    definition_id: str
    trede: int
    reference: str
    date: dt.date
    date_text: str  # "9 april 2026"
    subject: str
    addressee_lines: tuple[str, ...]
    return_address: str
    salutation: str
    body: tuple[RBlock, ...]
    footnotes: tuple[tuple[RParagraph, ...], ...]  # footnote n is footnotes[n-1]
    closing: str
    sender: Sender
    marks: tuple[str, ...]  # page marks such as "VOORBEELD"
    municipality: Municipality
    figures: Figures
    cc: str  # who gets the copy, e.g. "Commissaris van de Koning van Zuid-Holland"
    reply_deadline: dt.date | None
    compliance_deadline: dt.date | None = None
    #: the date by which the college may give its zienswijze (a voornemen), else None
    zienswijze_deadline: dt.date | None = None
    #: the letter is a besluit (its definition says ``besluit: true``): it asks no reaction
    besluit: bool = False
    previous: PreviousLetter | None = None
    on_behalf: str | None = None  # the signature formula, when the letter sets its own
    signatory: Signatory | None = None  # who signs; None: sender.signatory
    #: the term the letter asks a reaction by, as its text states it; None for a besluit
    #: and for a letter whose text states no such term
    reaction: ReactionTerm | None = None
    #: the sent letter a herstel corrects or an intrekking withdraws
    corrects: CorrectedLetter | None = None
    #: what the letter is: "ladder", "herstel", "intrekking" or "afsluiting"
    kind: str = "ladder"

    @property
    def ladder_deadline(self) -> dt.date | None:
        """The end of the term the ladder waits for: the compliance term, else the reply term."""
        return self.compliance_deadline or self.reply_deadline

    @property
    def text(self) -> str:
        """All text of the letter as composed (subject, addressee, salutation, body, tables,
        footnotes and closing), joined by spaces; not normalised."""
        parts = [self.subject, *self.addressee_lines, self.salutation, self.closing]
        for block in self.body:
            if isinstance(block, RParagraph):
                parts.append("".join(run.text for run in block.runs))
            elif isinstance(block, RTable):
                parts.extend(cell for row in (block.header, *block.rows) for cell in row)
        for note in self.footnotes:
            parts.extend("".join(run.text for run in p.runs) for p in note)
        return " ".join(parts)

    @property
    def document_title(self) -> str:
        """Title of the .docx and the PDF: the subject line."""
        return self.subject

    @property
    def document_subject(self) -> str:
        """Subject of the .docx and the PDF: trede and municipality."""
        return f"Trede {self.trede}: {self.municipality.name}"
