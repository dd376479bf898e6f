"""The one clock of ibtpost: what time it is, as stored, and which day it is in the Netherlands.

Times are stored in UTC (ISO 8601 with offset). A day that counts in law (the day a letter
was sent, from which its terms run) is the calendar day in Europe/Amsterdam: a letter sent
at 00:30 Dutch time on 1 May (22:30 UTC on 30 April) counts from 1 May.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: The time zone of the Dutch calendar (CET/CEST).
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def stamp(instant: datetime | None = None, *, precision: str = "seconds") -> str:
    """``instant`` (default: now) as stored: ISO 8601 in UTC, ``2026-04-09T10:00:00+00:00``."""
    moment = now() if instant is None else instant.astimezone(UTC)
    return moment.isoformat(timespec=precision)


def dutch_day(instant: datetime) -> date:
    """The calendar day of ``instant`` (aware) in the Netherlands."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("dutch_day needs an aware datetime")
    return instant.astimezone(AMSTERDAM).date()


def today() -> date:
    """Today in the Netherlands (the default date of commands that take one)."""
    return dutch_day(now())


def parse_date(text: str) -> date:
    """A date written like 2026-04-09; ValueError with the message the command line and the
    web forms show."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date like 2026-04-09") from None
