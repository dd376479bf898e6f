"""Bad input: exit 2, one line naming file, line and field, and nothing written."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import Result, files_under

ARGS = ("letter", "trede-2", "--municipality", "GM0622", "--date", "2026-04-09")


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a file of the test's root copy."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """1-based line number of the first line containing ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def run_bad(cli: Callable[..., Result], root: Path, *args: str) -> str:
    """Run, expect exit 2 with one error line and no output files; return the line."""
    out = root / "out"
    result = cli(root, *args, "--out", str(out))
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    assert not out.exists()
    assert files_under(root / "outbox") == []
    return lines[0]


def test_yaml_syntax_error(root: Path, cli: Callable[..., Result]) -> None:
    """A YAML syntax error names the definition file and the line."""
    path = root / "letters" / "trede-2.yaml"
    replace_in(path, "salutation: Geacht college,", "salutation: [Geacht college,")
    line = run_bad(cli, root, *ARGS)
    assert re.match(r"error: letters/trede-2\.yaml:\d+: YAML syntax error", line), line


@pytest.mark.parametrize(
    ("old", "new", "field", "name"),
    [
        # an unknown name is found when the definition loads
        (
            "salutation: Geacht college,",
            "salutation: Geacht {{ gemeente }},",
            "salutation",
            "gemeente",
        ),
        # a misspelt attribute is caught by the strict render
        ("gemeente {{ municipality.name }}", "gemeente {{ municipality.nam }}", "addressee", "nam"),
    ],
)
def test_unknown_placeholder(
    root: Path, cli: Callable[..., Result], old: str, new: str, field: str, name: str
) -> None:
    """An unknown placeholder is named with the definition's file, line and field."""
    path = root / "letters" / "trede-2.yaml"
    replace_in(path, old, new)
    expected = line_of(path, f"{field}:")
    line = run_bad(cli, root, *ARGS)
    assert line.startswith(f"error: letters/trede-2.yaml:{expected}: {field}: unknown placeholder")
    assert name in line


def test_unknown_municipality(root: Path, cli: Callable[..., Result]) -> None:
    """A municipality that does not exist is refused by name."""
    line = run_bad(
        cli, root, "letter", "trede-2", "--municipality", "Atlantis", "--date", "2026-04-09"
    )
    assert "unknown municipality 'Atlantis'" in line


def test_missing_figures(root: Path, cli: Callable[..., Result]) -> None:
    """A municipality without figures cannot get a letter."""
    path = root / "config" / "figures.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(x for x in lines if not x.startswith("GM0622,")), encoding="utf-8")
    line = run_bad(cli, root, *ARGS)
    assert line.startswith("error: config/figures.csv: code: no figures for GM0622 Vlaardingen")


@pytest.mark.parametrize(
    ("bad", "says"),
    [('"Vlaar\ndingen"', "a line break"), ("Vlaar<dingen", "'<'")],
)
def test_name_with_newline_or_angle_bracket(
    root: Path, cli: Callable[..., Result], bad: str, says: str
) -> None:
    """A name that a letter cannot show is refused with its file, line and field."""
    path = root / "config" / "municipalities.csv"
    expected = line_of(path, "GM0622,")
    replace_in(path, "GM0622,0622,Vlaardingen,", f"GM0622,0622,{bad},")
    line = run_bad(cli, root, *ARGS)
    assert line.startswith(f"error: config/municipalities.csv:{expected}: name: contains"), line
    assert says in line


def test_bad_date_is_a_usage_error(root: Path, cli: Callable[..., Result]) -> None:
    """A malformed --date exits 2 with one line."""
    line = run_bad(cli, root, "letter", "trede-2", "--municipality", "GM0622", "--date", "9-4-2026")
    assert "not a date like 2026-04-09" in line


def test_reference_never_given_to_another_letter(root: Path, cli: Callable[..., Result]) -> None:
    """A recorded reference cannot be reused for another municipality; the first stays."""
    first = cli(root, *ARGS, "--reference", "7468089", "--out", str(root / "first"))
    assert first.code == 0, first.err
    result = cli(
        root,
        "letter",
        "trede-2",
        "--municipality",
        "Schiedam",
        "--date",
        "2026-04-09",
        "--reference",
        "7468089",
        "--out",
        str(root / "second"),
    )
    assert result.code == 2
    assert result.err.strip() == (
        "error: --reference: reference 7468089 already belongs to trede-2 for GM0622 dated "
        "2026-04-09 (hint: leave out --reference to get a new number)"
    )
    assert not (root / "second").exists()
