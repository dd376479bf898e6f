"""Importing what the secretariat receives (``ibtpost import``): figures and e-mail
addresses from CSV or XLSX into config/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ibtpost.data import importing
from ibtpost.data.importing import ImportResult
from ibtpost.service.common import Line, count, line


@dataclass(frozen=True)
class Imported:
    """What an import did, its summary, and a warning about columns it did not use."""

    result: ImportResult
    summary: Line
    ignored: Line | None


def _imported(result: ImportResult) -> Imported:
    rows = count(result.rows, "count.row", "count.rows")
    names = {"rows": rows, "source": result.source, "target": result.target}
    summary = (
        line("summary.import", **names, changed=result.changed)
        if result.changed
        else line("summary.import.same", **names)
    )
    ignored = (
        line(
            "summary.import.ignored",
            source=result.source,
            columns=", ".join(result.ignored_columns),
        )
        if result.ignored_columns
        else None
    )
    return Imported(result, summary, ignored)


def import_figures(
    root: Path,
    path: Path,
    *,
    source: str,
    peildatum: date | None = None,
    verdeelbesluit: date | None = None,
    sheet: str | None = None,
) -> Imported:
    """Real figures per municipality into config/figures.csv (every problem at once;
    nothing written when there is any)."""
    return _imported(
        importing.import_figures(
            root,
            path,
            source=source,
            peildatum=peildatum,
            verdeelbesluit=verdeelbesluit,
            sheet=sheet,
        )
    )


def import_addresses(
    root: Path, path: Path, *, role: str = "college", sheet: str | None = None
) -> Imported:
    """The e-mail addresses of one recipient role (college, raad, cdk, gs) into its
    config/<role>-addresses.csv."""
    return _imported(importing.import_addresses(root, path, role=role, sheet=sheet))
