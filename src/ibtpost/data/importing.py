"""Import what the secretariat receives (CSV or XLSX) into config/.

Three imports, each from a table with a header row (column order free, names in any case):

- figures: ``gemeentecode, taak_regulier, taak_amv, realisatie_regulier, realisatie_amv``;
  each row replaces that municipality's row in ``config/figures.csv`` as real data;
- addresses: ``gemeentecode, email`` per municipality (``--role college``: the college's
  address for IBT letters, ``config/college-addresses.csv``; ``--role raad``: the
  gemeenteraad's griffie, ``config/raad-addresses.csv``) or ``provincie, email`` per
  province (``--role cdk``: the Commissaris van de Koning, ``config/cdk-addresses.csv``,
  also ``ibtpost import cdk``; ``--role gs``: gedeputeerde staten,
  ``config/gs-addresses.csv``).

Every row is checked and every problem is collected; :class:`~ibtpost.core.errors.Problems`
carries them all, each naming file, spreadsheet row (header = row 1) and column. When
anything is wrong nothing is written. Columns the import does not know are ignored and
reported in :attr:`ImportResult.ignored_columns`. Writes go through staged temporary files
that are verified with the config loaders before any file is replaced.

This module never prints; the CLI reports the result.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from ibtpost.core import clock, validate
from ibtpost.core.domain import Config
from ibtpost.core.errors import (
    Hint,
    IbtpostError,
    ImportFileError,
    Location,
    Param,
    Phrase,
    Problems,
    UsageError,
)
from ibtpost.core.files import replace_all, sha256_of
from ibtpost.core.layout import Layout
from ibtpost.data.addresses import OVERLAYS, ROLES, load_address_overlay
from ibtpost.data.collect import Collector, read_csv
from ibtpost.data.config import load_config
from ibtpost.data.figures import FIGURE_COLUMNS, load_figures
from ibtpost.data.sheets import Sheet, code_cell, read_sheet, text_cell, whole_number
from ibtpost.register import Register, audit

T = TypeVar("T")

FIGURE_INPUT = (
    "gemeentecode",
    "taak_regulier",
    "taak_amv",
    "realisatie_regulier",
    "realisatie_amv",
)
# input column -> column of config/figures.csv
FIGURE_TARGET = {
    "taak_regulier": "task_regular",
    "taak_amv": "task_amv",
    "realisatie_regulier": "realised_regular",
    "realisatie_amv": "realised_amv",
}
ADDRESS_INPUT = ("gemeentecode", "email")
CDK_INPUT = ("provincie", "email")


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    kind: str  # "figures", "addresses", "cdk"
    source: str  # the imported file's name
    target: str  # "config/figures.csv"
    rows: int  # data rows read
    changed: int  # rows of the target that were added or changed
    ignored_columns: tuple[str, ...]  # header columns the import does not use


class _Rows:
    """Collects problems while checking the rows of one sheet."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.problems: list[IbtpostError] = []
        self.stray = list(sheet.stray)

    def get(
        self, convert: Callable[[object], T], cells: list[object], row: int, name: str
    ) -> T | None:
        try:
            return convert(self.sheet.cell(cells, name))
        except ValueError as exc:
            self.add(str(exc), row, name)
            return None

    def add(self, message: str, row: int, name: str | None, hint: Hint = "") -> None:
        self.problems.append(ImportFileError(message, self.sheet.where(row, name), hint))

    def once(self, seen: dict[str, int], key: str, row: int, name: str) -> bool:
        """False (and a problem) when ``key`` was on an earlier row."""
        if key in seen:
            self.add(f"{key} appears twice (also on row {seen[key]})", row, name)
            return False
        seen[key] = row
        return True

    def raise_if_any(self) -> None:
        """Raise Problems with every problem, in row order."""
        problems = sorted(
            self.problems + self.stray, key=lambda p: p.location.row or 0
        )  # stable: columns of one row stay in their order
        if problems:
            raise Problems(problems)


def _municipality(rows: _Rows, config: Config, cells: list[object], row: int) -> str | None:
    code = rows.get(code_cell, cells, row, "gemeentecode")
    if code is not None and code not in config.municipalities:
        rows.add(
            f"unknown municipality code {code}",
            row,
            "gemeentecode",
            hint="codes as in config/municipalities.csv",
        )
        return None
    return code


# --- writing -----------------------------------------------------------------------------


def _render(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    """CSV as config/ keeps it: UTF-8, ``,``, ``\\n``, quoted only when needed."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _existing(path: Path, columns: list[str], label: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a config CSV file (empty when it does not exist)."""
    if not path.exists():
        return columns, []
    rows = [row for _, row in read_csv(path, columns, label)]
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    return header, rows


def _verify(target: Path, staged: Path) -> None:
    """Load a staged file with the loader of its target; raise Problems when it fails."""
    c = Collector()
    label = f"config/{target.name}"
    if target.name == "figures.csv":
        load_figures(staged, label, c)
    else:
        overlay = next(o for o in OVERLAYS.values() if o.file_name == target.name)
        load_address_overlay(staged, label, overlay.key, overlay.columns, c)
    c.raise_if_any()


def _write(targets: dict[Path, bytes]) -> None:
    """Replace every changed target atomically, after all are staged and verified."""
    changed = {p: data for p, data in targets.items() if not p.exists() or p.read_bytes() != data}
    if changed:
        replace_all(changed, _verify)


def _recorded(root: Path, path: Path, result: ImportResult) -> ImportResult:
    """Record a successful import in the audit trail (after its files were replaced)."""
    with Register.for_root(root) as register:
        audit.record(
            register,
            f"import.{result.kind}",
            data={
                "file": path.name,
                "sha256": sha256_of(path.read_bytes()),
                "rows": result.rows,
                "changed": result.changed,
                "target": result.target,
            },
        )
    return result


def _source_note(path: Path, today: date) -> str:
    try:
        return validate.clean_text(f"{path.name}, imported {today.isoformat()}")
    except ValueError as exc:
        raise UsageError(f"file name {exc}", Location(path.name)) from None


# --- the three imports -------------------------------------------------------------------


def import_figures(
    root: Path,
    path: Path,
    *,
    source: str,
    peildatum: date | None = None,
    verdeelbesluit: date | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Replace the figures of the municipalities in ``path`` with real (non-sample) data."""
    try:
        source = validate.clean_text(source)
    except ValueError as exc:
        raise UsageError(str(exc), Location(None, None, "source")) from None
    config = load_config(root)
    table = read_sheet(path, FIGURE_INPUT, sheet)
    rows = _Rows(table)
    seen: dict[str, int] = {}
    imported: dict[str, dict[str, int]] = {}
    for row, cells in table.rows:
        code = _municipality(rows, config, cells, row)
        numbers = {name: rows.get(whole_number, cells, row, name) for name in FIGURE_TARGET}
        if code is None or not rows.once(seen, code, row, "gemeentecode"):
            continue
        if code not in config.figures and (peildatum is None or verdeelbesluit is None):
            rows.add(
                f"{code} has no row in config/figures.csv to take the dates from",
                row,
                "gemeentecode",
                hint=Phrase(
                    "hint.give_dates",
                    {"peildatum": Param("peildatum"), "verdeelbesluit": Param("verdeelbesluit")},
                ),
            )
            continue
        if all(n is not None for n in numbers.values()):
            imported[code] = {k: v for k, v in numbers.items() if v is not None}
    rows.raise_if_any()

    target = Layout(root).config_file("figures.csv")
    label = "config/figures.csv"
    header, current = _existing(target, FIGURE_COLUMNS, label)
    by_code = {validate.municipality_code(r["code"]): r for r in current}
    changed = 0
    for code, values in imported.items():
        old = by_code.get(code)
        new = dict(old) if old is not None else dict.fromkeys(header, "")
        new["code"] = code
        for name, column in FIGURE_TARGET.items():
            new[column] = str(values[name])
        if verdeelbesluit is not None:
            new["verdeelbesluit"] = verdeelbesluit.isoformat()
        if peildatum is not None:
            new["peildatum"] = peildatum.isoformat()
        new["sample"] = "no"
        new["source"] = source
        if new != old:
            changed += 1
        by_code[code] = new
    ordered = [by_code[code] for code in sorted(by_code)]
    _write({target: _render(header, ordered)})
    result = ImportResult("figures", table.label, label, len(table.rows), changed, table.ignored)
    return _recorded(root, path, result)


def _import_overlay(
    root: Path,
    path: Path,
    *,
    kind: str,
    key: str,
    columns: list[str],
    file_name: str,
    found: dict[str, str],
    order: list[str],
    table: Sheet,
    today: date,
) -> ImportResult:
    """Merge ``found`` ({key: email}) into an overlay file; unchanged rows keep their source."""
    target = Layout(root).config_file(file_name)
    label = f"config/{file_name}"
    header, current = _existing(target, columns, label)
    by_key = {r[key]: r for r in current}
    note = _source_note(path, today)
    changed = 0
    for name, email in found.items():
        old = by_key.get(name)
        if old is not None and old["email"] == email:
            continue  # same address: keep the source that first brought it
        by_key[name] = {
            **(old or dict.fromkeys(header, "")),
            key: name,
            "email": email,
            "source": note,
        }
        changed += 1
    rank = {name: i for i, name in enumerate(order)}
    ordered = sorted(by_key.values(), key=lambda r: (rank.get(r[key], len(rank)), r[key]))
    _write({target: _render(header, ordered)})
    result = ImportResult(kind, table.label, label, len(table.rows), changed, table.ignored)
    return _recorded(root, path, result)


def import_addresses(
    root: Path,
    path: Path,
    *,
    role: str = "college",
    sheet: str | None = None,
    today: date | None = None,
) -> ImportResult:
    """Set the e-mail addresses of one recipient role (see :data:`OVERLAYS`): per
    municipality (college, raad: columns ``gemeentecode, email``) or per province (cdk, gs:
    columns ``provincie, email``)."""
    overlay = OVERLAYS.get(role)
    if overlay is None:
        raise UsageError(
            f"unknown role {role!r}",
            Location(None, None, "role"),
            hint=f"one of {', '.join(ROLES)}",
        )
    config = load_config(root)
    if overlay.per_municipality:
        found, table = _municipality_addresses(config, path, sheet)
        order = sorted(config.municipalities)
    else:
        found, table = _province_addresses(config, path, sheet)
        order = list(config.provinces)
    return _import_overlay(
        root,
        path,
        kind="addresses" if role == "college" else role,
        key=overlay.key,
        columns=overlay.columns,
        file_name=overlay.file_name,
        found=found,
        order=order,
        table=table,
        today=today or clock.today(),
    )


def import_cdk(
    root: Path, path: Path, *, sheet: str | None = None, today: date | None = None
) -> ImportResult:
    """Set the Commissaris van de Koning's e-mail address (config/cdk-addresses.csv); the
    same as ``import_addresses(role="cdk")``."""
    return import_addresses(root, path, role="cdk", sheet=sheet, today=today)


def _municipality_addresses(
    config: Config, path: Path, sheet: str | None
) -> tuple[dict[str, str], Sheet]:
    """``{code: email}`` from a table with columns gemeentecode, email (every row checked)."""
    table = read_sheet(path, ADDRESS_INPUT, sheet)
    rows = _Rows(table)
    seen: dict[str, int] = {}
    found: dict[str, str] = {}
    for row, cells in table.rows:
        code = _municipality(rows, config, cells, row)
        email = rows.get(lambda v: validate.mailbox(text_cell(v)), cells, row, "email")
        if code is None or not rows.once(seen, code, row, "gemeentecode"):
            continue
        if email is not None:
            found[code] = email
    rows.raise_if_any()
    return found, table


def _province_addresses(
    config: Config, path: Path, sheet: str | None
) -> tuple[dict[str, str], Sheet]:
    """``{province: email}`` from a table with columns provincie, email."""
    table = read_sheet(path, CDK_INPUT, sheet)
    names = {name.casefold(): name for name in config.provinces}
    rows = _Rows(table)
    seen: dict[str, int] = {}
    found: dict[str, str] = {}
    for row, cells in table.rows:
        given = text_cell(table.cell(cells, "provincie")).strip()
        province = names.get(given.casefold())
        if not given:
            rows.add("is empty", row, "provincie")
        elif province is None:
            rows.add(
                f"unknown province {given!r}",
                row,
                "provincie",
                hint=f"one of {', '.join(config.provinces)}",
            )
        email = rows.get(lambda v: validate.mailbox(text_cell(v)), cells, row, "email")
        if province is None or not rows.once(seen, province, row, "provincie"):
            continue
        if email is not None:
            found[province] = email
    rows.raise_if_any()
    return found, table
