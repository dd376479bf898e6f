"""A letter definition as a tree: the text nodes (paragraphs, headings, bullets, tables,
page breaks) and :class:`LetterDefinition`, as :mod:`ibtpost.text.definitions` reads them
from letters/<id>.yaml. Plain frozen dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ibtpost.core.errors import Location


@dataclass(frozen=True)
class Text:
    """A piece of letter text with Jinja placeholders and light markup, and where it stands."""

    source: str
    location: Location


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph; may contain **bold** and footnote markers [^id]."""

    text: Text
    when: Text | None = None  # a Jinja expression: the block is left out when it is false


@dataclass(frozen=True)
class Heading:
    """An intermediate heading (tussenkop)."""

    text: Text
    when: Text | None = None


@dataclass(frozen=True)
class Bullets:
    """A bulleted list: fixed items, or one item per element of ``foreach``.

    With ``foreach`` (a Jinja expression giving a list), ``items`` holds the one item text,
    rendered once per element with the element as ``item``.
    """

    items: tuple[Text, ...]
    when: Text | None = None
    foreach: Text | None = None
    #: ``bullet``; ``body`` for a ``paragraphs:`` block, one body paragraph per element
    style: Literal["bullet", "body"] = "bullet"


@dataclass(frozen=True)
class Table:
    """A small table, e.g. the figures; widths in millimetres."""

    header: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]
    widths_mm: tuple[float, ...]
    location: Location
    when: Text | None = None


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""

    when: Text | None = None


Block = Paragraph | Heading | Bullets | Table | PageBreak


@dataclass(frozen=True)
class RequiredText:
    """A mandatory block of a letter: a phrase of the definition's own text that every
    generated letter must show (checked before the letter may be queued)."""

    name: str  # "rechtsmiddelenclausule"
    text: str  # "Tegen dit besluit kan geen bezwaar worden gemaakt."
    location: Location


@dataclass(frozen=True)
class LetterDefinition:
    """One letter (one trede) as the lawyers wrote it in letters/<id>.yaml."""

    id: str  # "trede-2"
    trede: int
    title: str
    status: Literal["draft", "final"]
    subject: Text
    addressee: Text
    salutation: Text
    body: tuple[Block, ...]
    footnotes: dict[str, Text]
    closing: Text
    reply_weeks: int | None
    min_pages: int
    max_pages: int
    path: Path
    template: str  # file name under templates/
    compliance_weeks: int | None = None  # term to comply (trede 4 and 5)
    zienswijze_weeks: int | None = None  # term for the college's zienswijze (a voornemen)
    #: the term the announced besluit will set, counted from its bekendmaking (a voornemen
    #: states it as a period only: its date is not known before the besluit is made known)
    besluit_weeks: int | None = None
    #: who signs: a key of ``signatories:`` in config/sender.yaml; None: its ``signatory``
    signatory: str | None = None
    signatory_line: int | None = None  # the line of ``signatory:`` in the definition
    #: a besluit (trede 5): its signatory needs a mandate note before a final letter is made
    besluit: bool = False
    on_behalf: Text | None = None  # the signature formula; None: config/sender.yaml's
    required: tuple[RequiredText, ...] = ()  # mandatory blocks, see RequiredText
    approvals: int = 1  # approvals of one version by different people before a final batch
    delivery: Literal["mail", "mail and post"] = "mail"  # "mail and post": bekendmaking by post
    #: who gets a copy, and as what: (("cdk", "afschrift"), ("raad", "afschrift"), ...)
    copies: tuple[tuple[str, str], ...] = (("cdk", "afschrift"),)
    #: the public notice (kennisgeving) made beside each letter, as a document definition
    kennisgeving: LetterDefinition | None = None
    #: what the letter is (see ``text.definitions.KINDS``): a step of the ladder, or a
    #: herstel, an intrekking or an afsluiting beside it
    kind: Literal["ladder", "herstel", "intrekking", "afsluiting"] = "ladder"

    @property
    def on_ladder(self) -> bool:
        """A step of the interventieladder (it has a trede and moves the case on)."""
        return self.kind == "ladder"

    @property
    def corrects_a_letter(self) -> bool:
        """A herstel or an intrekking: it names the sent letter it corrects or withdraws
        (``--corrects REF``)."""
        return self.kind in ("herstel", "intrekking")

    def copy_roles(self) -> tuple[str, ...]:
        """The roles that get a copy with a mail of their own (not the CdK's Cc)."""
        return tuple(role for role, _ in self.copies if role != "cdk")

    @property
    def ladder_weeks(self) -> int | None:
        """How long the ladder waits before the next step: the compliance term if the
        letter sets one, else the reply term."""
        return self.compliance_weeks if self.compliance_weeks is not None else self.reply_weeks

    def pages_problem(self, pages: int) -> str | None:
        """Why a letter of ``pages`` pages is outside this definition's bounds, or None."""
        return pages_problem(pages, self.min_pages, self.max_pages)


def pages_problem(pages: int, low: int, high: int) -> str | None:
    """``"4 pages, outside 2-3"`` when ``pages`` is not within ``low``-``high``, else None:
    the one rule on a letter's page count (batch, letter, review copies, letter checks)."""
    return None if low <= pages <= high else f"{pages} pages, outside {low}-{high}"
