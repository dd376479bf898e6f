"""The e-mail address overlays: config/college-addresses.csv and config/cdk-addresses.csv,
written by ``ibtpost import addresses|cdk``, over the public data."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ibtpost.data.collect import Collector, locator, read_csv
from ibtpost.errors import DataError, Location
from ibtpost.models import (
    Municipality,
    Province,
)
from ibtpost.text import validate

COLLEGE_ADDRESSES = "college-addresses.csv"
COLLEGE_ADDRESS_COLUMNS = ["code", "email", "source"]
CDK_ADDRESSES = "cdk-addresses.csv"
CDK_ADDRESS_COLUMNS = ["province", "email", "source"]


def load_address_overlay(
    path: Path, label: str, key: str, columns: list[str], c: Collector
) -> dict[str, tuple[str, Location]]:
    """Read an overlay of e-mail addresses (college-addresses.csv, cdk-addresses.csv).

    Returns ``{code or province: (email, location)}``; a missing file is an empty overlay.
    """
    result: dict[str, tuple[str, Location]] = {}
    if not path.exists():
        return result
    for line, row in read_csv(path, columns, label):
        loc = locator(label, line)
        name = c.field(
            validate.municipality_code if key == "code" else validate.clean_text,
            row[key],
            loc(key),
        )
        email = c.field(validate.mailbox, row["email"], loc("email"))
        c.field(validate.clean_text, row["source"], loc("source"))
        if name is not None and name in result:
            c.add(DataError(f"{name} appears twice", loc(key)))
            continue
        if name is not None and email is not None:
            result[name] = (email, Location(label, line, key))
    return result


def apply_overlays(
    municipalities: dict[str, Municipality],
    provinces: dict[str, Province],
    college: dict[str, tuple[str, Location]],
    cdk: dict[str, tuple[str, Location]],
    c: Collector,
) -> None:
    """Set ``Municipality.ibt_email`` and override ``Province.cdk_email`` from the overlays."""
    for code, (email, where) in college.items():
        if code not in municipalities:
            if code not in c.codes:  # a municipality row with problems is reported already
                c.add(DataError(f"unknown municipality {code}", where))
            continue
        municipalities[code] = dataclasses.replace(municipalities[code], ibt_email=email)
    for name, (email, where) in cdk.items():
        if name not in provinces:
            c.add(
                DataError(
                    f"unknown province {name!r}",
                    where,
                    hint=f"one of {', '.join(provinces)}",
                )
            )
            continue
        provinces[name] = dataclasses.replace(provinces[name], cdk_email=email)
