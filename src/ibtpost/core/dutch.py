"""Dutch dates and words as letters print them (pure functions)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

_NUMBERS = (
    "nul",
    "een",
    "twee",
    "drie",
    "vier",
    "vijf",
    "zes",
    "zeven",
    "acht",
    "negen",
    "tien",
    "elf",
    "twaalf",
)


def long_date(day: date) -> str:
    """The date in a letter: ``9 april 2026`` (no leading zero, month in lower case)."""
    return str(format_date(day, "d MMMM y", locale="nl_NL"))


def short_date(day: date) -> str:
    """The compact date of a table heading: ``1-7-2025``."""
    return f"{day.day}-{day.month}-{day.year}"


def number_word(n: int) -> str:
    """A small count in words (``drie``); larger numbers stay digits."""
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def weeks_text(weeks: int) -> str:
    """``drie weken``, ``een week``."""
    return "een week" if weeks == 1 else f"{number_word(weeks)} weken"


def join_and(items: list[str]) -> str:
    """``a``, ``a en b``, ``a, b en c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} en {items[-1]}"


def college_name(municipality: str) -> str:
    """The college of a municipality as addressed: ``College van B&W van Vlaardingen``."""
    return f"College van B&W van {municipality}"


def cdk_name(province: str) -> str:
    """The Commissaris van de Koning as the copy line and the mail name them:
    ``Commissaris van de Koning van de provincie Zuid-Holland``."""
    return f"Commissaris van de Koning van de provincie {province}"
