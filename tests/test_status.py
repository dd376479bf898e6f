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


def test_status_lists_letters_that_go_by_post(root: Path, cli: Callable[..., Result]) -> None:
    """With every address known nothing goes by post; without the college and CdK address
    files, the letters due to those municipalities are listed, with the reason."""
    shipped = json.loads(cli(root, "status", "--date", "2026-04-09", "--json").out)
    assert all(row["by_post"] is None for row in shipped)
    (root / "config" / "college-addresses.csv").unlink()
    (root / "config" / "cdk-addresses.csv").unlink()
    rows = {
        row["code"]: row
        for row in json.loads(cli(root, "status", "--date", "2026-04-09", "--json").out)
    }
    assert rows["GM0622"]["by_post"] == (
        "no e-mail address of the college of Vlaardingen (GM0622) nor of the Commissaris van "
        "de Koning of Zuid-Holland"
    )
    assert rows["GM0935"]["by_post"] is None  # Maastricht: Limburg's CdK address is public
    table = cli(root, "status", "--date", "2026-04-09", "--due")
    lines = [line for line in table.out.splitlines() if line.startswith("by post: ")]
    due_by_post = [r for r in rows.values() if r["by_post"] and r["action"] == "letter"]
    assert len(lines) == len(due_by_post) > 0
    assert f"by post: {rows['GM0622']['by_post']}" in lines


def test_status_rejects_a_bad_date(root: Path, cli: Callable[..., Result]) -> None:
    """A malformed --date is a one-line usage error with exit 2."""
    result = cli(root, "status", "--date", "9-4-2026")
    assert result.code == 2
    assert result.err.strip() == (
        "error: argument --date/-d: '9-4-2026' is not a date like 2026-04-09 "
        "(see: ibtpost status --help)"
    )
