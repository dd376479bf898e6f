"""config/municipalities.csv: every municipality with its addresses; finding one by code or
name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ibtpost.core import validate
from ibtpost.core.domain import Address, Config, Municipality
from ibtpost.core.errors import DataError, IbtpostError, Location, Phrase, Problems, UsageError
from ibtpost.data.collect import Collector, locator, read_csv

MUNICIPALITY_COLUMNS = [
    "code",
    "cbs_code",
    "name",
    "official_name",
    "short_name",
    "province",
    "visit_street",
    "visit_number",
    "visit_postcode",
    "visit_place",
    "postal_pobox",
    "postal_street",
    "postal_number",
    "postal_postcode",
    "postal_place",
    "email",
    "population",
    "source",
]


def _address(
    c: Collector, row: dict[str, str], loc: Callable[[str], Location], prefix: str
) -> Address | None:
    """Build the visit or postal address from a municipality row: a Postbus or a street
    with a house number, a postcode like 1234 AB and a place."""
    pobox = row.get(f"{prefix}_pobox", "").strip()
    street = row[f"{prefix}_street"].strip()
    number = row[f"{prefix}_number"].strip()
    if not pobox and not street:
        if number:
            c.add(DataError(f"house number {number!r} without a street", loc(f"{prefix}_number")))
        return None
    if pobox and street:
        c.add(DataError("both a Postbus and a street: give one of them", loc(f"{prefix}_pobox")))
        return None
    if pobox:
        box = c.field(validate.pobox_number, pobox, loc(f"{prefix}_pobox"))
        first = f"Postbus {box}" if box is not None else None
    else:
        name = c.field(validate.clean_text, street, loc(f"{prefix}_street"))
        house = c.field(validate.house_number, number, loc(f"{prefix}_number"))
        first = f"{name} {house}" if name is not None and house is not None else None
    code = c.field(validate.postcode, row[f"{prefix}_postcode"], loc(f"{prefix}_postcode"))
    place = c.field(validate.clean_text, row[f"{prefix}_place"], loc(f"{prefix}_place"))
    if first is None or code is None or place is None:
        return None
    return Address(first, code, place)


def load_municipalities(path: Path, label: str, c: Collector) -> dict[str, Municipality]:
    """Read config/municipalities.csv."""
    result: dict[str, Municipality] = {}
    for line, row in read_csv(path, MUNICIPALITY_COLUMNS, label):
        loc = locator(label, line)

        code = c.field(validate.municipality_code, row["code"], loc("code"))
        if code is not None:
            c.codes.add(code)
        name = c.field(validate.clean_text, row["name"], loc("name"))
        official = c.field(validate.clean_text, row["official_name"], loc("official_name"))
        short = c.field(validate.clean_text, row["short_name"], loc("short_name"))
        province = c.field(validate.clean_text, row["province"], loc("province"))
        email = c.field(validate.email, row["email"], loc("email"))
        population = c.field(validate.non_negative_int, row["population"], loc("population"))
        source = c.field(validate.clean_text, row["source"], loc("source"))
        visit = _address(c, row, loc, "visit")
        postal = _address(c, row, loc, "postal")
        if visit is None and postal is None:
            c.add(DataError("no visiting or postal address", loc("visit_street")))
        if code in result:
            c.add(DataError(f"duplicate municipality {code}", loc("code")))
            continue
        if None in (code, name, official, short, province, population, source):
            continue
        assert code is not None
        assert name is not None
        assert official is not None
        assert short is not None
        assert province is not None
        assert source is not None
        assert population is not None
        result[code] = Municipality(
            code=code,
            cbs_code=code[2:],
            name=name,
            official_name=official,
            short_name=short,
            province=province,
            visit=visit,
            postal=postal,
            email=email,
            population=population,
            source=source,
            location=Location(label, line),
        )
    return result


def find_municipality(config: Config, query: str) -> Municipality:
    """A municipality by code (GM0622, 0622) or by name (case-insensitive)."""
    text = query.strip()
    try:
        code = validate.municipality_code(text)
    except ValueError:
        code = None
    if code is not None:
        if code in config.municipalities:
            return config.municipalities[code]
    else:
        wanted = text.casefold()
        for mun in config.municipalities.values():
            if wanted in {
                mun.name.casefold(),
                mun.official_name.casefold(),
                mun.short_name.casefold(),
            }:
                return mun
    raise UsageError(
        location=Location(None, None, "municipalities"),
        hint=Phrase("hint.municipality_code"),
        key="error.unknown_municipality",
        values={"query": query},
    )


def find_municipalities(config: Config, queries: Iterable[str]) -> list[Municipality]:
    """The municipalities named by code or name (``--municipality``), each once, in the
    order given; every unknown one is reported at once (:class:`Problems`)."""
    found: list[Municipality] = []
    problems: list[IbtpostError] = []
    for query in queries:
        try:
            municipality = find_municipality(config, query)
        except IbtpostError as exc:
            problems.append(exc)
            continue
        if municipality not in found:
            found.append(municipality)
    if problems:
        raise Problems(problems)
    return found
