"""ibtpost status as the secretariat sees it (no LibreOffice needed)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result


def shortfalls(root: Path) -> dict[str, int]:
    """Task minus realisation per municipality, from the figures file (both categories)."""
    with (root / "config" / "figures.csv").open(encoding="utf-8") as handle:
        return {
            row["code"]: max(int(row["task_regular"]) - int(row["realised_regular"]), 0)
            + max(int(row["task_amv"]) - int(row["realised_amv"]), 0)
            for row in csv.DictReader(handle)
        }


def test_status_json_recommends_trede_2_exactly_where_the_task_is_not_met(
    root: Path, cli: Callable[..., Result]
) -> None:
    """Without cases, every municipality short of its task is due for trede-2, others nothing."""
    result = cli(root, "status", "--date", "2026-04-09", "--json")
    assert result.code == 0, result.err
    rows = {row["code"]: row for row in json.loads(result.out)}
    assert len(rows) == 342
    expected = shortfalls(root)
    for code, row in rows.items():
        assert row["shortfall"] == expected[code]
        if expected[code]:
            assert (row["action"], row["next_letter"]) == ("letter", "trede-2")
        else:
            assert (row["action"], row["next_letter"]) == ("none", None)
    vlaardingen = rows["GM0622"]
    assert (vlaardingen["task"], vlaardingen["realised"], vlaardingen["sample"]) == (100, 0, False)


def test_status_table_lists_what_is_due(root: Path, cli: Callable[..., Result]) -> None:
    """The table shows the due municipalities and ends with a count."""
    result = cli(root, "status", "--date", "2026-04-09", "--due")
    assert result.code == 0, result.err
    due = sum(1 for value in shortfalls(root).values() if value)
    assert "GM0622" in result.out
    assert "Vlaardingen" in result.out
    assert "Tubbergen" not in result.out  # meets its task
    # every row shown is built on sample figures except Vlaardingen's
    assert result.out.rstrip().endswith(f"{due} letter(s) due; * = sample figures ({due - 1})")


def test_status_rejects_a_bad_date(root: Path, cli: Callable[..., Result]) -> None:
    """A malformed --date is a one-line usage error with exit 2."""
    result = cli(root, "status", "--date", "9-4-2026")
    assert result.code == 2
    assert result.err.strip() == (
        "error: argument --date/-d: '9-4-2026' is not a date like 2026-04-09 "
        "(see: ibtpost status --help)"
    )
