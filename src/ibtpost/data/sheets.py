"""Reading a table the secretariat receives (CSV or XLSX, a header row, column order free,
names in any case) and the values of its cells: whole numbers, municipality codes, text.
Every problem names the file, the spreadsheet row (header = row 1) and the column."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ibtpost.core import validate
from ibtpost.core.errors import IbtpostError, ImportFileError, Location, Problems, UsageError

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass(frozen=True)
class Sheet:
    """The rows of an imported table: header positions and data rows with their numbers."""

    label: str  # file name as shown in messages
    header_row: int
    columns: dict[str, int]  # wanted column name -> index
    rows: list[tuple[int, list[object]]]  # (spreadsheet row, cells), blank rows left out
    ignored: tuple[str, ...]
    stray: tuple[IbtpostError, ...] = ()  # values in columns without a header

    def cell(self, cells: list[object], name: str) -> object:
        """The value of column ``name`` in a row (None when the row is short)."""
        index = self.columns[name]
        return cells[index] if index < len(cells) else None

    def where(self, row: int, name: str | None = None) -> Location:
        """``figures.xlsx:row 7: taak_amv``."""
        return Location(self.label, None, name, row=row)


# --- reading CSV and XLSX ----------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_csv_rows(path: Path, label: str) -> list[list[object]]:
    """All records of a CSV file: UTF-8 with or without BOM, ``,`` or ``;`` separated."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})",
            Location(label),
            hint="save it as 'CSV UTF-8' or as .xlsx",
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    # Dutch Excel writes ';' (the comma is the decimal separator); the header decides.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return [list(row) for row in reader]
    except csv.Error as exc:
        raise ImportFileError(
            f"unreadable CSV: {exc}", Location(label, None, None, row=reader.line_num)
        ) from None


def _read_xlsx_rows(path: Path, label: str, sheet: str | None) -> list[list[object]]:
    """All rows of the first worksheet (or ``sheet``) as values, formulas evaluated by Excel."""
    from openpyxl import load_workbook  # noqa: PLC0415 - loaded only for XLSX files
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"not a readable XLSX file ({exc})", Location(label)) from None
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            raise UsageError(
                f"no sheet {sheet!r} in {label}",
                Location(None, None, "sheet"),
                hint=f"sheets: {', '.join(book.sheetnames)}",
            )
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()  # some writers store wrong dimensions; read them all
        return [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        book.close()


def read_sheet(path: Path, wanted: Sequence[str], sheet: str | None = None) -> Sheet:
    """Read a CSV or XLSX table and check its header; raise Problems on a bad header."""
    label = path.name
    if not path.is_file():
        raise UsageError("file not found", Location(str(path)))
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        records = _read_xlsx_rows(path, label, sheet)
    elif suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise UsageError("is only for XLSX files", Location(None, None, "sheet"))
        records = _read_csv_rows(path, label)
    else:
        raise UsageError(
            f"cannot read {suffix or 'a file without extension'}",
            Location(label),
            hint="give a .csv or .xlsx file (save an old .xls as .xlsx)",
        )

    numbered = [
        (n, cells) for n, cells in enumerate(records, start=1) if not all(map(_blank, cells))
    ]
    if not numbered:
        raise Problems([ImportFileError("empty file", Location(label, None, None, row=1))])
    header_row, header = numbered[0]
    names = [str(v).strip().casefold() if v is not None else "" for v in header]
    problems: list[IbtpostError] = []
    for name in sorted({n for n in wanted if names.count(n) > 1}, key=names.index):
        problems.append(
            ImportFileError("column appears twice", Location(label, None, name, row=header_row))
        )
    for name in wanted:
        if name not in names:
            problems.append(
                ImportFileError(
                    "missing column",
                    Location(label, None, name, row=header_row),
                    hint=f"the header row needs {', '.join(wanted)}",
                )
            )
    if problems:
        raise Problems(problems)
    data = numbered[1:]
    stray: list[IbtpostError] = []
    for row, cells in data:
        for index, value in enumerate(cells):
            if not _blank(value) and (index >= len(names) or not names[index]):
                stray.append(
                    ImportFileError(
                        f"{_shown(value)} stands in a column without a header",
                        Location(label, None, f"column {index + 1}", row=row),
                    )
                )
    if not data:
        raise Problems(
            [ImportFileError("no data rows below the header", Location(label, row=header_row))]
        )
    ignored = tuple(dict.fromkeys(n for n in names if n and n not in wanted))
    columns = {name: names.index(name) for name in wanted}
    return Sheet(label, header_row, columns, data, ignored, tuple(stray))


# --- cell values -------------------------------------------------------------------------


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def whole_number(value: object) -> int:
    """A count of places: a whole number, zero or more (3 and 3.0 pass, 3.5 and 'x' not)."""
    if _blank(value):
        raise ValueError("is empty")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{_shown(value)} is not a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{_shown(value)} is not a whole number")
        value = int(value)
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"{value} is negative; give zero or more")
        return validate.plausible_places(value)
    text = value.strip()
    if text.startswith("-") and text[1:].isdigit():
        raise ValueError(f"{value!r} is negative; give zero or more")
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"{value!r} is not a whole number")
    return validate.plausible_places(int(text))


def code_cell(value: object) -> str:
    """GM0622 from GM0622, 0622, 622 or the number 622."""
    if _blank(value):
        raise ValueError("is empty")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"{_shown(value)} is not a municipality code like GM0622")
    return validate.loose_municipality_code(str(value))


def text_cell(value: object) -> str:
    """The cell as text ('' when empty)."""
    return "" if value is None else str(value)
