"""The e-mail address overlays, one per recipient role, written by ``ibtpost import addresses
--role ROLE`` over the public data: config/college-addresses.csv (the college),
raad-addresses.csv (the gemeenteraad, through its griffie), cdk-addresses.csv (the
Commissaris van de Koning) and gs-addresses.csv (gedeputeerde staten)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ibtpost.core import validate
from ibtpost.core.domain import Municipality, Province
from ibtpost.core.errors import DataError, Location
from ibtpost.data.collect import Collector, locator, read_csv

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


@dataclass(frozen=True)
class Overlay:
    """One overlay file of e-mail addresses of one recipient role."""

    role: str  # "college", "raad" (per municipality), "cdk", "gs" (per province)
    file_name: str
    key: str  # "code" or "province"
    attribute: str  # the Municipality or Province attribute it sets

    @property
    def columns(self) -> list[str]:
        return [self.key, "email", "source"]

    @property
    def per_municipality(self) -> bool:
        return self.key == "code"


#: The address overlays by role (``ibtpost import addresses --role ROLE``).
OVERLAYS = {
    "college": Overlay("college", COLLEGE_ADDRESSES, "code", "ibt_email"),
    "raad": Overlay("raad", "raad-addresses.csv", "code", "raad_email"),
    "cdk": Overlay("cdk", CDK_ADDRESSES, "province", "cdk_email"),
    "gs": Overlay("gs", "gs-addresses.csv", "province", "gs_email"),
}
ROLES = tuple(OVERLAYS)


def apply_overlays(
    municipalities: dict[str, Municipality],
    provinces: dict[str, Province],
    loaded: dict[str, dict[str, tuple[str, Location]]],
    c: Collector,
) -> None:
    """Set ``Municipality.ibt_email``/``raad_email`` and ``Province.cdk_email``/``gs_email``
    from the overlays (``loaded``: role -> key -> (email, location))."""
    for role, found in loaded.items():
        overlay = OVERLAYS[role]
        for name, (email, where) in found.items():
            if overlay.per_municipality:
                if name not in municipalities:
                    if name not in c.codes:  # a municipality row with problems is reported
                        c.add(DataError(f"unknown municipality {name}", where))
                    continue
                changes: dict[str, Any] = {overlay.attribute: email}
                municipalities[name] = dataclasses.replace(municipalities[name], **changes)
                continue
            if name not in provinces:
                c.add(
                    DataError(
                        f"unknown province {name!r}",
                        where,
                        hint=f"one of {', '.join(provinces)}",
                    )
                )
                continue
            province_changes: dict[str, Any] = {overlay.attribute: email}
            provinces[name] = dataclasses.replace(provinces[name], **province_changes)
