"""Terms (termijnen) in letters: weeks after the date, rolled to a working day (pure).

The Algemene termijnenwet (Atw) moves a statutory term that ends on a Saturday, Sunday or
public holiday to the next working day. A term the minister sets in a letter is not a
statutory term, but rolling it forward the same way is the safe, friendly choice; the
setting ``terms.roll_to_working_day`` in config/settings.yaml switches it (on by default).

The holidays are those of Atw article 3: Nieuwjaarsdag, Goede Vrijdag, Eerste en Tweede
Paasdag, Koningsdag (the day it is celebrated), 5 mei, Hemelvaartsdag, Eerste en Tweede
Pinksterdag, Eerste en Tweede Kerstdag. They come from ``holidays.Netherlands`` with two
corrections, because its public calendar is not the Atw list:

- 5 mei (Bevrijdingsdag) is a public holiday there only in lustrum years (2025, 2030, ...);
  the Atw names 5 mei every year, so it is added for every year;
- Goede Vrijdag is public in recent releases and optional in older ones; the Atw puts it
  on a par with the holidays, so it is added (Eerste Paasdag minus two days) in any case.

Anything else the package might list is dropped: only the names above are kept, and a year
in which one of them cannot be found raises, so that a change in the package cannot pass
unnoticed.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

#: ``holidays.Netherlands`` names (language en_US) of the Atw article 3 holidays it lists.
_ATW_NAMES = {
    "New Year's Day": "Nieuwjaarsdag",
    "Good Friday": "Goede Vrijdag",
    "Easter Sunday": "Eerste Paasdag",
    "Easter Monday": "Tweede Paasdag",
    "King's Day": "Koningsdag",
    "Queen's Day": "Koninginnedag",
    "Liberation Day": "5 mei",
    "Ascension Day": "Hemelvaartsdag",
    "Pentecost": "Eerste Pinksterdag",
    "Pentecost Monday": "Tweede Pinksterdag",
    "Christmas Day": "Eerste Kerstdag",
    "Second Day of Christmas": "Tweede Kerstdag",
}
#: Holidays that every year must have; their absence means the package changed.
_REQUIRED = {
    "Nieuwjaarsdag",
    "Eerste Paasdag",
    "Tweede Paasdag",
    "Hemelvaartsdag",
    "Tweede Pinksterdag",
    "Eerste Kerstdag",
    "Tweede Kerstdag",
}
_SATURDAY = 5


@lru_cache(maxsize=64)
def atw_holidays(year: int) -> dict[date, str]:
    """The public holidays of Atw article 3 in ``year``, by date, with their Dutch names.

    Two holidays on one date (Hemelvaartsdag on 5 mei in 2005) are named together:
    "Hemelvaartsdag; 5 mei".
    """
    names: dict[date, list[str]] = {}

    def add(day: date, name: str) -> None:
        if name not in names.setdefault(day, []):
            names[day].append(name)

    # imported here: the holidays package loads every country's calendar (a quarter second)
    from holidays.countries.netherlands import Netherlands  # noqa: PLC0415

    calendar = Netherlands(years=year, language="en_US")  # type: ignore[no-untyped-call]
    for day, joined in calendar.items():
        for part in joined.split("; "):  # the package joins two holidays on one date so
            if part in _ATW_NAMES:
                add(day, _ATW_NAMES[part])
    found = {name for day_names in names.values() for name in day_names}
    missing = _REQUIRED - found
    if not found & {"Koningsdag", "Koninginnedag"}:
        missing.add("Koningsdag")
    if missing:
        raise RuntimeError(
            f"holidays.Netherlands({year}) lacks {', '.join(sorted(missing))}; "
            "check ibtpost.terms against the installed holidays package"
        )
    easter = next(day for day, day_names in names.items() if "Eerste Paasdag" in day_names)
    add(easter - timedelta(days=2), "Goede Vrijdag")
    add(date(year, 5, 5), "5 mei")
    return {day: "; ".join(day_names) for day, day_names in sorted(names.items())}


def is_working_day(day: date) -> bool:
    """True unless ``day`` is a Saturday, a Sunday or a holiday of Atw article 3."""
    return day.weekday() < _SATURDAY and day not in atw_holidays(day.year)


def next_working_day(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def term_deadline(day: date, weeks: int, roll: bool) -> date:
    """``day`` plus ``weeks`` weeks; with ``roll`` moved to the next working day if needed."""
    raw = day + timedelta(weeks=weeks)
    return next_working_day(raw) if roll else raw
