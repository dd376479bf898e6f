"""Letter text: markup, escaping of inserted values, Dutch dates (pure functions)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ibtpost.core import dutch
from ibtpost.core.errors import DefinitionError, Location
from ibtpost.text.textengine import Span, escape_markup, parse_markup, render_text

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
HERE = Location("letters/x.yaml", 3, "body[0].paragraph")


def test_bold_and_footnote_markup() -> None:
    """**bold** and [^name] become spans."""
    assert parse_markup("op **trede 2** van de ladder[^l] nu") == [
        Span("op "),
        Span("trede 2", bold=True),
        Span(" van de ladder"),
        Span("", footnote="l"),
        Span(" nu"),
    ]


def test_unclosed_bold_is_refused() -> None:
    """A ** without its partner is an error, not a half-bold letter."""
    with pytest.raises(ValueError, match="not closed"):
        parse_markup("op **trede 2 van")


@given(st.text())
def test_inserted_values_never_become_markup(value: str) -> None:
    """Whatever a placeholder inserts comes out as the same plain text."""
    rendered = render_text("{{ v }}", {"v": value}, HERE)
    spans = parse_markup(rendered)
    assert "".join(s.text for s in spans) == value
    assert not any(s.bold or s.italic or s.footnote for s in spans)


@given(st.text())
def test_escape_round_trip(value: str) -> None:
    """Escaped text parses back to itself."""
    assert "".join(s.text for s in parse_markup(escape_markup(value))) == value


def test_unknown_placeholder_names_location() -> None:
    """A missing value raises with the file, line and field of the text."""
    with pytest.raises(DefinitionError) as info:
        render_text("{{ municipality.nam }}", {"municipality": {"name": "X"}}, HERE)
    assert str(info.value).startswith("letters/x.yaml:3: body[0].paragraph: unknown placeholder")


def test_sandbox_blocks_attribute_escape() -> None:
    """Letter text cannot reach Python internals."""
    with pytest.raises(DefinitionError):
        render_text("{{ ''.__class__.__mro__ }}", {}, HERE)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_long_date_is_day_month_year(day: date) -> None:
    """Dates read "9 april 2026": no leading zero, Dutch month in lower case."""
    assert dutch.long_date(day) == f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def test_known_dates() -> None:
    """The reference letter's dates."""
    assert dutch.long_date(date(2026, 4, 9)) == "9 april 2026"
    assert dutch.short_date(date(2025, 7, 1)) == "1-7-2025"
    assert dutch.weeks_text(3) == "drie weken"
    assert dutch.weeks_text(1) == "een week"
