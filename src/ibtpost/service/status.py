"""Supervision status (``ibtpost status``) and the Overzicht screen built on it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ibtpost.production.supervision import StatusRow, status

#: the orders the overview can be sorted in, by name
SORTS: dict[str, Callable[[StatusRow], Any]] = {
    "code": lambda r: r.code,
    "name": lambda r: r.name.casefold(),
    "province": lambda r: (r.province, r.name.casefold()),
    "shortfall": lambda r: (-r.shortfall, r.name.casefold()),
    "trede": lambda r: (-(r.trede or 0), r.name.casefold()),
    "term": lambda r: (r.term_until or "9999", r.name.casefold()),
}


def _has_work(row: StatusRow) -> bool:
    """A letter is due, or the case can be closed."""
    return row.action in ("letter", "close")


@dataclass(frozen=True)
class Status:
    """Every municipality's status on ``day`` (or only those with something to do)."""

    day: date
    rows: list[StatusRow]

    @property
    def due(self) -> int:
        """Municipalities a letter is due for."""
        return sum(1 for row in self.rows if row.action == "letter")

    @property
    def samples(self) -> int:
        """Rows on sample figures."""
        return sum(1 for row in self.rows if row.sample)

    @property
    def by_post(self) -> list[str]:
        """Why a due letter cannot go by e-mail, one per municipality it applies to."""
        return [row.by_post for row in self.rows if row.by_post and row.action == "letter"]


def supervision_status(root: Path, day: date, *, due_only: bool = False) -> Status:
    """The supervision status on ``day``; ``due_only``: only municipalities with something
    to do (a letter due, or a case to close)."""
    rows = status(root, day)
    if due_only:
        rows = [row for row in rows if _has_work(row)]
    return Status(day, rows)


@dataclass(frozen=True)
class Filters:
    """What the overview shows: a province, a trede (a number or ``none``), only the
    municipalities with something to do, and the order (a key of :data:`SORTS`)."""

    province: str = ""
    trede: str = ""
    due: bool = False
    sort: str = "code"


@dataclass(frozen=True)
class Overview:
    """The overview: the rows the filters let through, sorted; the counts and provinces of
    all rows (for the filters)."""

    day: date
    rows: list[StatusRow]
    counts: dict[str, int] = field(default_factory=dict)
    provinces: list[str] = field(default_factory=list)


def read_overview(root: Path, day: date, filters: Filters = Filters()) -> Overview:
    """The status on ``day``, counted, then filtered and sorted as ``filters`` ask."""
    rows = status(root, day)
    counts = {
        "all": len(rows),
        "due": sum(r.action == "letter" for r in rows),
        "close": sum(r.action == "close" for r in rows),
        "open": sum(r.trede is not None for r in rows),
        "short": sum(r.shortfall > 0 for r in rows),
        "sample": sum(r.sample for r in rows),
    }
    provinces = sorted({r.province for r in rows})
    if filters.province:
        rows = [r for r in rows if r.province == filters.province]
    if filters.trede == "none":
        rows = [r for r in rows if r.trede is None]
    elif filters.trede.isdigit():
        rows = [r for r in rows if r.trede == int(filters.trede)]
    if filters.due:
        rows = [r for r in rows if _has_work(r)]
    rows.sort(key=SORTS.get(filters.sort, SORTS["code"]))
    return Overview(day, rows, counts, provinces)
