"""Small validators shared by the loaders: each returns a clean value or raises ValueError."""

from __future__ import annotations

import re
from datetime import date

_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f<>{}]")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")
_POSTCODE = re.compile(r"^[1-9][0-9]{3} [A-Z]{2}$")
_CODE = re.compile(r"^(?:GM)?([0-9]{4})$", re.IGNORECASE)


def clean_text(value: str, *, required: bool = True) -> str:
    """Strip ``value``; refuse line breaks, control characters and ``< > { }``."""
    value = value.strip()
    if required and not value:
        raise ValueError("is empty")
    match = _FORBIDDEN.search(value)
    if match:
        char = match.group(0)
        shown = {"\n": "a line break", "\r": "a line break", "\t": "a tab"}.get(char, repr(char))
        raise ValueError(f"contains {shown}, which a letter cannot show")
    return value


def optional_text(value: str | None) -> str | None:
    """Like :func:`clean_text`, but empty becomes None."""
    if value is None:
        return None
    value = clean_text(value, required=False)
    return value or None


def email(value: str | None) -> str | None:
    """A plausible e-mail address, or None when empty."""
    value = optional_text(value)
    if value is None:
        return None
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def postcode(value: str) -> str:
    """A Dutch postcode in the form "1234 AB"."""
    value = clean_text(value)
    if not _POSTCODE.match(value):
        raise ValueError(f"{value!r} is not a postcode like '1234 AB'")
    return value


def municipality_code(value: str) -> str:
    """GM0622 from "GM0622", "gm0622" or "0622"."""
    match = _CODE.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a municipality code like GM0622")
    return f"GM{match.group(1)}"


def non_negative_int(value: str) -> int:
    """A whole number of places, zero or more."""
    text = value.strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError(f"{value!r} is not a whole number of zero or more")
    return int(text)


def iso_date(value: str) -> date:
    """A date written as YYYY-MM-DD."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 2025-07-01") from None


def yes_no(value: str) -> bool:
    """``yes``/``no`` (also true/false, ja/nee, 1/0)."""
    text = value.strip().lower()
    if text in {"yes", "true", "ja", "1"}:
        return True
    if text in {"no", "false", "nee", "0"}:
        return False
    raise ValueError(f"{value!r} is not yes or no")
