"""config/settings.yaml: references, address kind, LibreOffice, logo, signing, the age of
figures a voornemen or besluit may rest on."""

from __future__ import annotations

from pathlib import Path

from ibtpost.core.domain import AddressKind, ReferenceSeries, Settings
from ibtpost.core.errors import DataError, Location
from ibtpost.core.layout import Layout
from ibtpost.core.yamlsource import YMap, load_yaml
from ibtpost.data.collect import Collector
from ibtpost.data.signing import load_signing

#: one reporting period: figures older than this on a voornemen's or besluit's date are stale
MAX_FIGURES_AGE_DAYS = 183


def load_settings(path: Path, label: str, root: Path, c: Collector) -> Settings | None:
    """Read config/settings.yaml."""
    data = load_yaml(path, DataError, label)
    if not isinstance(data, YMap):
        c.add(DataError("must be a mapping of keys to values", Location(label, 1)))
        return None
    kind = data.get("address")
    if kind not in ("visit", "postal"):
        c.add(
            DataError(
                "must be 'visit' or 'postal'", Location(label, data.line_of("address"), "address")
            )
        )
        kind = "visit"
    address_kind: AddressKind = "visit" if kind == "visit" else "postal"
    refs = data.get("references")
    series = ReferenceSeries(1, 9_999_999)
    if not isinstance(refs, YMap) or not all(
        isinstance(refs.get(k), int) for k in ("first", "last")
    ):
        c.add(
            DataError(
                "needs whole numbers 'first' and 'last'",
                Location(label, data.line_of("references"), "references"),
            )
        )
    else:
        series = ReferenceSeries(refs["first"], refs["last"])
        if not 0 < series.first <= series.last:
            c.add(
                DataError(
                    "'first' must be positive and not above 'last'",
                    Location(label, refs.line, "references"),
                )
            )
    logo_name = data.get("logo")
    logo = None
    if logo_name:
        logo = Layout(root).template(str(logo_name))
        if not logo.is_file():
            c.add(
                DataError(
                    f"logo file templates/{logo_name} not found",
                    Location(label, data.line_of("logo"), "logo"),
                )
            )
    office = data.get("libreoffice")
    command, timeout = "soffice", 120.0
    python, processes = "/usr/bin/python3", 0
    if isinstance(office, YMap):
        command = str(office.get("command") or command)
        raw_timeout = office.get("timeout_seconds", timeout)
        if not isinstance(raw_timeout, int | float) or raw_timeout <= 0:
            c.add(
                DataError(
                    "must be a positive number",
                    Location(
                        label, office.line_of("timeout_seconds"), "libreoffice.timeout_seconds"
                    ),
                )
            )
        else:
            timeout = float(raw_timeout)
        python = str(office.get("python") or python)
        raw_processes = office.get("processes", 0)
        if raw_processes == "auto":
            raw_processes = 0
        bad = isinstance(raw_processes, bool) or not isinstance(raw_processes, int)
        if bad or raw_processes < 0:
            c.add(
                DataError(
                    "must be 'auto' or a whole number of processes",
                    Location(label, office.line_of("processes"), "libreoffice.processes"),
                )
            )
        else:
            processes = raw_processes
    roll = True
    terms = data.get("terms")
    if terms is not None:
        if not isinstance(terms, YMap):
            c.add(
                DataError(
                    "must be a mapping with roll_to_working_day",
                    Location(label, data.line_of("terms"), "terms"),
                )
            )
        else:
            for key in sorted(set(terms) - {"roll_to_working_day"}):
                c.add(
                    DataError(f"unknown key {key!r}", Location(label, terms.line_of(key), "terms"))
                )
            raw_roll = terms.get("roll_to_working_day", True)
            if not isinstance(raw_roll, bool):
                c.add(
                    DataError(
                        "must be true or false",
                        Location(
                            label,
                            terms.line_of("roll_to_working_day"),
                            "terms.roll_to_working_day",
                        ),
                    )
                )
            else:
                roll = raw_roll
    signing = load_signing(data.get("signing"), data.line_of("signing"), label, root, c)
    max_age = data.get("max_figures_age_days", MAX_FIGURES_AGE_DAYS)
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age < 1:
        where = Location(label, data.line_of("max_figures_age_days"), "max_figures_age_days")
        c.add(DataError("must be a whole number of days, at least 1", where))
        max_age = MAX_FIGURES_AGE_DAYS
    return Settings(
        address_kind, series, logo, command, timeout, python, processes, roll, signing, max_age
    )
