"""Small validators shared by the loaders: each returns a clean value or raises ValueError."""

from __future__ import annotations

import re
from datetime import date
from email.utils import parseaddr

from ibtpost.core.errors import Location, UsageError

_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f<>{}]")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")
_POSTCODE = re.compile(r"^[1-9][0-9]{3} [A-Z]{2}$")
_CODE = re.compile(r"^(?:GM)?([0-9]{4})$", re.IGNORECASE)
_LOOSE_CODE = re.compile(r"^(?:GM)?([0-9]{1,4})$", re.IGNORECASE)
# One mailbox: a dot-atom local part, domain labels of letters, digits and inner hyphens,
# a top-level domain of letters (so the reserved "example" for sample data passes).
_MAILBOX = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
# Characters that could add a recipient or a header when the address goes into a mail.
_NOT_IN_ADDRESS = re.compile(r"[\s,;:<>()\[\]\"\\\x00-\x1f\x7f]")


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
    """One e-mail address (see :func:`mailbox`: it goes into mail headers), or None when
    empty."""
    value = optional_text(value)
    if value is None:
        return None
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return mailbox(value)


def mailbox(value: str) -> str:
    """Exactly one e-mail address ``local@domain.tld``, safe to put in a mail header.

    Refuses empty values, lists (commas, semicolons), display names, whitespace, line
    breaks and other characters that could inject a header.
    """
    text = value.strip()
    if not text:
        raise ValueError("is empty")
    bad = _NOT_IN_ADDRESS.search(text)
    if bad:
        char = bad.group(0)
        shown = {"\n": "a line break", "\r": "a line break", "\t": "a tab", " ": "a space"}.get(
            char, repr(char)
        )
        raise ValueError(f"{text!r} is not one e-mail address (contains {shown})")
    if parseaddr(text) != ("", text) or not _MAILBOX.match(text) or len(text) > 254:
        raise ValueError(f"{text!r} is not an e-mail address like name@example.nl")
    return text


#: Domains reserved for examples (RFC 2606, RFC 6761): mail to them can never be delivered.
SAMPLE_DOMAINS = ("example", "example.com", "example.net", "example.org")


def is_sample_address(address: str) -> bool:
    """True for an address on a reserved example domain (``cdk@zuid-holland.example``)."""
    domain = address.rpartition("@")[2].strip().rstrip(".").lower()
    return any(domain == d or domain.endswith("." + d) for d in SAMPLE_DOMAINS)


def loose_municipality_code(value: str) -> str:
    """GM0622 from "GM0622", "0622" or "622" (spreadsheets drop leading zeros)."""
    match = _LOOSE_CODE.match(value.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{value!r} is not a municipality code like GM0622, 0622 or 622")
    return f"GM{int(match.group(1)):04d}"


def postcode(value: str) -> str:
    """A Dutch postcode in the form "1234 AB"."""
    value = clean_text(value)
    if not _POSTCODE.match(value):
        raise ValueError(f"{value!r} is not a postcode like '1234 AB'")
    return value


_HOUSE_NUMBER = re.compile(r"^[1-9][0-9]{0,4}(?: ?[A-Za-z]{1,4}|[-/ ][0-9A-Za-z]{1,6})?$")
_POBOX = re.compile(r"^[1-9][0-9]{0,5}$")


def house_number(value: str) -> str:
    """A Dutch house number with an optional addition: "6", "10a", "12-14", "1 A"."""
    text = value.strip()
    if not text:
        raise ValueError("is empty: a street address needs a house number")
    if not _HOUSE_NUMBER.match(text):
        raise ValueError(f"{text!r} is not a house number like '6', '10a' or '12-14'")
    return text


def pobox_number(value: str) -> str:
    """A Postbus number: a whole number from 1, without leading zeros."""
    text = value.strip()
    if not _POBOX.match(text):
        raise ValueError(f"{text!r} is not a Postbus number like 1002")
    return text


def municipality_code(value: str) -> str:
    """GM0622 from "GM0622", "gm0622" or "0622"."""
    match = _CODE.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a municipality code like GM0622")
    return f"GM{match.group(1)}"


#: More places than any municipality's task or realisation can plausibly be (the whole
#: country's need is of the order of 100,000 places): such a figure is a typing or unit
#: error, and would be printed in a letter as a fact.
MAX_PLACES = 100_000


def plausible_places(count: int) -> int:
    """``count`` if it is a number of places a municipality can have; else a ValueError."""
    if count > MAX_PLACES:
        raise ValueError(
            f"{count} places is more than any municipality could have (at most {MAX_PLACES})"
        )
    return count


def non_negative_int(value: str) -> int:
    """A whole number, zero or more."""
    text = value.strip()
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError(f"{value!r} is not a whole number of zero or more")
    return int(text)


def places(value: str) -> int:
    """A number of places: whole, zero or more, and plausible (see :data:`MAX_PLACES`)."""
    return plausible_places(non_negative_int(value))


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


def one_line(text: str, field: str) -> str:
    """``text`` stripped, when it is one non-empty line (a name, a reason, a note kept in the
    audit trail); else a UsageError naming ``field``."""
    text = text.strip()
    if not text or any(ch in text for ch in "\r\n\t\x00"):
        raise UsageError(location=Location(None, None, field), key="error.one_line")
    return text
