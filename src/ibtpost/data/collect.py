"""Reading config/ files: problems collected (every one, with file, line and field) and
CSV rows read with their line numbers."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from ibtpost.core.errors import DataError, IbtpostError, Location, Problems
from ibtpost.core.yamlsource import YMap, load_yaml

T = TypeVar("T")


class Collector:
    """Collects problems while loading, so that all of them can be reported at once."""

    def __init__(self) -> None:
        self.problems: list[IbtpostError] = []
        self.codes: set[str] = set()  # every municipality code seen, also on rows with problems

    def field(self, convert: Callable[[str], T], value: str, where: Location) -> T | None:
        """``convert(value)``; on ValueError record a problem at ``where`` and return None."""
        try:
            return convert(value)
        except ValueError as exc:
            self.problems.append(DataError(str(exc), where))
            return None

    def add(self, problem: IbtpostError) -> None:
        """Record a problem found by the caller."""
        self.problems.append(problem)

    def raise_if_any(self) -> None:
        """Raise :class:`Problems` when anything was recorded."""
        if self.problems:
            raise Problems(self.problems)


def rel(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` for messages, or as given when outside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def locator(label: str, line: int) -> Callable[[str], Location]:
    """A function naming a field of one CSV row: ``loc("email")``."""
    return lambda name: Location(label, line, name)


def read_csv(path: Path, columns: list[str], label: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from a UTF-8 CSV file that has at least ``columns``."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise DataError("file not found", Location(label)) from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except UnicodeDecodeError as exc:
            raise DataError(f"not UTF-8 text ({exc.reason})", Location(label, 1)) from None
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(f"missing column(s) {', '.join(missing)}", Location(label, 1))
        try:
            while True:
                start = reader.line_num + 1  # a quoted field may span lines: name the first
                row = next(reader, None)
                if row is None:
                    break
                if None in row:
                    raise DataError("more fields than the header has", Location(label, start))
                yield start, {k: (v if v is not None else "") for k, v in row.items()}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError(f"unreadable CSV: {exc}", Location(label, reader.line_num)) from None


def optional_mapping(path: Path, label: str, c: Collector, what: str) -> YMap:
    """The mapping of an optional YAML file of config/ (empty when the file is absent or
    empty); a file that is not a mapping is a problem saying it must map ``what``."""
    if not path.is_file():
        return YMap()
    data = load_yaml(path, DataError, label)
    if data is None:
        return YMap()
    if not isinstance(data, YMap):
        c.add(DataError(f"must map {what}", Location(label, 1)))
        return YMap()
    return data
