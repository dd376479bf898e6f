"""Terms end on a working day of the Algemene termijnenwet (pure functions, setting)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import REPO, copy_tree

from ibtpost.core.errors import Problems
from ibtpost.data.config import load_config
from ibtpost.rules.terms import atw_holidays, is_working_day, term_deadline

HOLIDAYS_2026 = {
    date(2026, 1, 1): "Nieuwjaarsdag",
    date(2026, 4, 3): "Goede Vrijdag",
    date(2026, 4, 5): "Eerste Paasdag",
    date(2026, 4, 6): "Tweede Paasdag",
    date(2026, 4, 27): "Koningsdag",
    date(2026, 5, 5): "5 mei",
    date(2026, 5, 14): "Hemelvaartsdag",
    date(2026, 5, 24): "Eerste Pinksterdag",
    date(2026, 5, 25): "Tweede Pinksterdag",
    date(2026, 12, 25): "Eerste Kerstdag",
    date(2026, 12, 26): "Tweede Kerstdag",
}


def test_the_2026_holidays_are_the_atw_list() -> None:
    """Exactly the Atw art. 3 days: 5 mei included (not a lustrum year), Goede Vrijdag too."""
    assert atw_holidays(2026) == HOLIDAYS_2026


def test_5_mei_every_year_and_koningsdag_as_celebrated() -> None:
    """5 mei counts every year; Koningsdag moves to the 26th when the 27th is a Sunday."""
    for year in range(2020, 2036):
        assert date(year, 5, 5) in atw_holidays(year)
    assert atw_holidays(2025)[date(2025, 4, 26)] == "Koningsdag"  # 27 april 2025 is a Sunday
    assert date(2025, 4, 27) not in atw_holidays(2025)
    assert atw_holidays(2013)[date(2013, 4, 30)] == "Koninginnedag"


@pytest.mark.parametrize(
    ("raw", "rolled"),
    [
        (date(2026, 4, 3), date(2026, 4, 7)),  # Goede Vrijdag, weekend, Tweede Paasdag
        (date(2026, 4, 6), date(2026, 4, 7)),  # Tweede Paasdag
        (date(2026, 4, 27), date(2026, 4, 28)),  # Koningsdag (Monday)
        (date(2026, 5, 5), date(2026, 5, 6)),  # 5 mei (Tuesday)
        (date(2026, 5, 14), date(2026, 5, 15)),  # Hemelvaartsdag (Thursday)
        (date(2026, 5, 25), date(2026, 5, 26)),  # Tweede Pinksterdag
        (date(2026, 12, 25), date(2026, 12, 28)),  # Kerst on Friday and Saturday, then Sunday
        (date(2026, 12, 26), date(2026, 12, 28)),
        (date(2026, 1, 1), date(2026, 1, 2)),  # Nieuwjaarsdag (Thursday)
        (date(2026, 6, 6), date(2026, 6, 8)),  # a Saturday
        (date(2026, 6, 7), date(2026, 6, 8)),  # a Sunday
        (date(2026, 4, 30), date(2026, 4, 30)),  # a Thursday: stays
    ],
)
def test_rolls_to_next_working_day(raw: date, rolled: date) -> None:
    """A term ending on a weekend day or holiday ends on the next working day."""
    start = raw - timedelta(weeks=3)
    assert term_deadline(start, 3, roll=True) == rolled
    assert term_deadline(start, 3, roll=False) == raw


def test_reference_letter_term() -> None:
    """9 april 2026 + 3 weeks = 30 april 2026 (Thursday), rolled or not."""
    assert term_deadline(date(2026, 4, 9), 3, roll=True) == date(2026, 4, 30)
    assert is_working_day(date(2026, 4, 30))


@given(
    st.dates(min_value=date(1970, 1, 1), max_value=date(2099, 12, 1)),
    st.integers(min_value=0, max_value=26),
)
def test_rolled_deadline_properties(day: date, weeks: int) -> None:
    """Never earlier, always a working day, less than 6 days later, idempotent."""
    raw = day + timedelta(weeks=weeks)
    rolled = term_deadline(day, weeks, roll=True)
    assert rolled >= raw
    assert is_working_day(rolled)
    assert rolled - raw < timedelta(days=6)
    assert term_deadline(rolled, 0, roll=True) == rolled
    assert term_deadline(day, weeks, roll=False) == raw
    if is_working_day(raw):
        assert rolled == raw


def set_terms(root: Path, block: str) -> None:
    """Replace the terms: block of the root copy's settings."""
    path = root / "config" / "settings.yaml"
    text = path.read_text(encoding="utf-8")
    old = "terms:\n  roll_to_working_day: true\n"
    assert old in text
    path.write_text(text.replace(old, block), encoding="utf-8")


def test_setting_on_by_default_and_when_absent(tmp_path: Path) -> None:
    """The shipped setting rolls; a settings file without terms: rolls too."""
    assert load_config(REPO).settings.roll_terms is True
    root = copy_tree(tmp_path / "root")
    set_terms(root, "")
    assert load_config(root).settings.roll_terms is True


def test_setting_off(tmp_path: Path) -> None:
    """roll_to_working_day: false keeps the raw date."""
    root = copy_tree(tmp_path / "root")
    set_terms(root, "terms:\n  roll_to_working_day: false\n")
    assert load_config(root).settings.roll_terms is False


def test_bad_setting_names_file_and_line(tmp_path: Path) -> None:
    """A value that is not true or false is an error at its line."""
    root = copy_tree(tmp_path / "root")
    set_terms(root, "terms:\n  roll_to_working_day: sometimes\n")
    lines = (root / "config" / "settings.yaml").read_text().splitlines()
    line = next(n for n, x in enumerate(lines, 1) if x.startswith("  roll_to_working_day:"))
    with pytest.raises(Problems) as info:
        load_config(root)
    assert [str(p) for p in info.value.problems] == [
        f"config/settings.yaml:{line}: terms.roll_to_working_day: must be true or false"
    ]


def test_two_holidays_on_one_date() -> None:
    """Hemelvaartsdag fell on 5 mei in 2005: both are named, neither is lost."""
    assert atw_holidays(2005)[date(2005, 5, 5)] == "Hemelvaartsdag; 5 mei"


def test_a_letter_states_a_rolled_term_as_one_date(tmp_path: Path) -> None:
    """trede 3 of 14 april 2026: three weeks end on 5 mei (a holiday), rolled to 6 mei; the
    letter says "uiterlijk 6 mei 2026" and nothing that contradicts it."""
    from ibtpost.text.compose import compose
    from ibtpost.text.definitions import load_letter
    from ibtpost.text.textengine import normalise

    root = copy_tree(tmp_path / "root")
    config = load_config(root)
    definition = load_letter(root, "trede-3")
    letter = compose(
        definition, config.municipalities["GM0622"], config, "7500001", date(2026, 4, 14)
    )
    assert letter.reply_deadline == date(2026, 5, 6)
    text = normalise(
        " ".join(run.text for block in letter.body for run in getattr(block, "runs", ()))
    )
    assert "uiterlijk 6 mei 2026" in text
    assert "5 mei" not in text and "drie weken" not in text


def test_a_term_as_a_period_and_a_date_in_one_sentence_is_refused(tmp_path: Path) -> None:
    """A definition that says "binnen {{ reply_term.text }} ..., dat wil zeggen uiterlijk
    {{ reply_term.deadline }}" in one sentence is refused, naming file, line and field."""
    from ibtpost.text.definitions import load_letter

    root = copy_tree(tmp_path / "root")
    path = root / "letters" / "trede-3.yaml"
    text = path.read_text("utf-8")
    old = "U wordt verzocht uiterlijk {{ reply_term.deadline }} via"
    assert old in text
    path.write_text(
        text.replace(
            old,
            "U wordt verzocht binnen {{ reply_term.text }} na dagtekening, dat wil zeggen\n"
            "      uiterlijk {{ reply_term.deadline }}, via",
        ),
        "utf-8",
    )
    with pytest.raises(Problems) as caught:
        load_letter(root, "trede-3")
    (problem,) = caught.value.problems
    item = text.rindex("  - when:", 0, text.index(old))  # the list item of the paragraph
    line = text[: text.index("paragraph:", item)].count("\n") + 1  # where its text starts
    assert str(problem.location) == f"letters/trede-3.yaml:{line}: body[8].paragraph"
    assert "states reply_term both as a period" in problem.message
    # two sentences, one with the period and one with the date, are fine
    path.write_text(
        text.replace(
            old,
            "U hebt {{ reply_term.text }}. U wordt verzocht uiterlijk "
            "{{ reply_term.deadline }} via",
        ),
        "utf-8",
    )
    assert load_letter(root, "trede-3").id == "trede-3"
