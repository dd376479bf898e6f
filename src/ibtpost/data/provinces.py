"""config/provinces.csv: the provinces and their Commissaris van de Koning."""

from __future__ import annotations

from pathlib import Path

from ibtpost.core import validate
from ibtpost.core.domain import Province
from ibtpost.core.errors import Location
from ibtpost.data.collect import Collector, locator, read_csv

PROVINCE_COLUMNS = [
    "province",
    "cdk_name",
    "cdk_status",
    "cdk_email",
    "postal_address",
    "visiting_address",
    "source_cdk",
    "source_address",
]


def load_provinces(path: Path, label: str, c: Collector) -> dict[str, Province]:
    """Read config/provinces.csv; empty fields stay unknown (None)."""
    result: dict[str, Province] = {}
    for line, row in read_csv(path, PROVINCE_COLUMNS, label):
        loc = locator(label, line)

        name = c.field(validate.clean_text, row["province"], loc("province"))
        cdk = c.field(validate.optional_text, row["cdk_name"], loc("cdk_name"))
        status = c.field(
            lambda v: validate.clean_text(v, required=False), row["cdk_status"], loc("cdk_status")
        )
        email = c.field(validate.email, row["cdk_email"], loc("cdk_email"))
        postal = c.field(validate.optional_text, row["postal_address"], loc("postal_address"))
        visiting = c.field(validate.optional_text, row["visiting_address"], loc("visiting_address"))
        if name is None or status is None:
            continue
        result[name] = Province(name, cdk, status, email, postal, visiting, Location(label, line))
    return result
