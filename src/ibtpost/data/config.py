"""Load and validate everything under config/ into a :class:`~ibtpost.models.Config`.

Every problem is collected, not just the first; :class:`~ibtpost.errors.Problems` carries
them all, each naming file, line and field.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from ibtpost.errors import DataError, IbtpostError, Location, Problems, UsageError
from ibtpost.models import (
    Address,
    AddressKind,
    Agreement,
    Config,
    Figures,
    MailFrom,
    Municipality,
    Province,
    ReferenceSeries,
    Sender,
    Settings,
    Signatory,
)
from ibtpost.text import validate
from ibtpost.text.yamlsource import YList, YMap, load_yaml

T = TypeVar("T")

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
FIGURE_COLUMNS = [
    "code",
    "verdeelbesluit",
    "peildatum",
    "task_regular",
    "task_amv",
    "realised_regular",
    "realised_amv",
    "sample",
    "source",
]
# Overlay files written by ``ibtpost import``; both are optional.
COLLEGE_ADDRESSES = "college-addresses.csv"
COLLEGE_ADDRESS_COLUMNS = ["code", "email", "source"]
CDK_ADDRESSES = "cdk-addresses.csv"
CDK_ADDRESS_COLUMNS = ["province", "email", "source"]


class Collector:
    """Collects problems while loading, so that all of them can be reported at once."""

    def __init__(self) -> None:
        self.problems: list[IbtpostError] = []
        self.codes: set[str] = set()  # every municipality code seen, also on rows with problems

    def field(self, convert: Callable[[str], T], value: str, where: Location) -> T | None:
        """``convert(value)``; on ValueError record a problem at ``where`` and return None."""
        try:
            return convert(value)
        except ValueError as exc:
            self.problems.append(DataError(str(exc), where))
            return None

    def add(self, problem: IbtpostError) -> None:
        """Record a problem found by the caller."""
        self.problems.append(problem)

    def raise_if_any(self) -> None:
        """Raise :class:`Problems` when anything was recorded."""
        if self.problems:
            raise Problems(self.problems)


def rel(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` for messages, or as given when outside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def locator(label: str, line: int) -> Callable[[str], Location]:
    """A function naming a field of one CSV row: ``loc("email")``."""
    return lambda name: Location(label, line, name)


def read_csv(path: Path, columns: list[str], label: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from a UTF-8 CSV file that has at least ``columns``."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise DataError("file not found", Location(label)) from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except UnicodeDecodeError as exc:
            raise DataError(f"not UTF-8 text ({exc.reason})", Location(label, 1)) from None
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(f"missing column(s) {', '.join(missing)}", Location(label, 1))
        try:
            while True:
                start = reader.line_num + 1  # a quoted field may span lines: name the first
                row = next(reader, None)
                if row is None:
                    break
                if None in row:
                    raise DataError("more fields than the header has", Location(label, start))
                yield start, {k: (v if v is not None else "") for k, v in row.items()}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError(f"unreadable CSV: {exc}", Location(label, reader.line_num)) from None


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


def load_figures(path: Path, label: str, c: Collector) -> dict[str, Figures]:
    """Read config/figures.csv: one row per municipality with its source."""
    result: dict[str, Figures] = {}
    for line, row in read_csv(path, FIGURE_COLUMNS, label):
        loc = locator(label, line)

        code = c.field(validate.municipality_code, row["code"], loc("code"))
        values: dict[str, Any] = {}
        for key in ("task_regular", "task_amv", "realised_regular", "realised_amv"):
            values[key] = c.field(validate.non_negative_int, row[key], loc(key))
        for key in ("verdeelbesluit", "peildatum"):
            values[key] = c.field(validate.iso_date, row[key], loc(key))
        sample = c.field(validate.yes_no, row["sample"], loc("sample"))
        source = c.field(
            lambda v: validate.clean_text(v, required=False), row["source"], loc("source")
        )
        if source == "" and sample is False:
            # real figures go into letters as facts: where they come from must be known
            # (sample figures are marked VOORBEELD; `ibtpost check` warns about them)
            c.add(
                DataError(
                    "is empty: real figures (sample=no) need their source",
                    loc("source"),
                    hint="import them with `ibtpost import figures FILE --source TEXT`",
                )
            )
            source = None
        if code in result:
            c.add(DataError(f"duplicate figures for {code}", loc("code")))
            continue
        if code is None or sample is None or source is None or None in values.values():
            continue
        result[code] = Figures(
            code=code, sample=sample, source=source, location=Location(label, line), **values
        )
    return result


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


def _text(c: Collector, data: YMap, key: str, label: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        c.add(DataError("missing or not text", Location(label, data.line_of(key), key)))
        return ""
    return c.field(validate.clean_text, value, Location(label, data.line_of(key), key)) or ""


def _lines(c: Collector, data: YMap, key: str, label: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, YList) or not all(isinstance(v, str) for v in value):
        c.add(DataError("must be a list of lines", Location(label, data.line_of(key), key)))
        return ()
    return tuple(validate.clean_text(v) for v in value)


def load_sender(path: Path, label: str, c: Collector) -> Sender | None:
    """Read config/sender.yaml."""
    data = load_yaml(path, DataError, label)
    if not isinstance(data, YMap):
        c.add(DataError("must be a mapping of keys to values", Location(label, 1)))
        return None
    sig = data.get("signatory")
    if not isinstance(sig, YMap):
        c.add(
            DataError(
                "missing signatory block", Location(label, data.line_of("signatory"), "signatory")
            )
        )
        sig = YMap()
        sig.line, sig.key_lines = data.line, {}
    signatory = Signatory(
        on_behalf=_text(c, sig, "on_behalf", label),
        name=_text(c, sig, "name", label),
        function=_text(c, sig, "function", label),
        image=_text(c, sig, "image", label),
    )
    mailbox = _text(c, data, "mailbox", label)
    c.field(validate.email, mailbox, Location(label, data.line_of("mailbox"), "mailbox"))
    organisation = _text(c, data, "organisation", label)
    return Sender(
        organisation=organisation,
        department=_text(c, data, "department", label),
        visit_lines=_lines(c, data, "visiting_address", label),
        postal_lines=_lines(c, data, "postal_address", label),
        website=_text(c, data, "website", label),
        return_address=_text(c, data, "return_address", label),
        mailbox=mailbox,
        signatory=signatory,
        mail=_mail_from(c, data, label, mailbox, organisation),
    )


MAIL_KEYS = {"from", "from_name"}


def _mail_from(c: Collector, data: YMap, label: str, mailbox: str, name: str) -> MailFrom | None:
    """``mail:`` of sender.yaml: the From of the e-mail (optional; defaults per key)."""
    if "mail" not in data or data.get("mail") is None:
        return None
    block = data.get("mail")
    if not isinstance(block, YMap):
        c.add(
            DataError(
                "must be a mapping with from and from_name",
                Location(label, data.line_of("mail"), "mail"),
            )
        )
        return None
    for key in sorted(set(block) - MAIL_KEYS):
        c.add(DataError(f"unknown key {key!r}", Location(label, block.line_of(key), f"mail.{key}")))
    address, display = mailbox, name
    raw_from = block.get("from")
    where = Location(label, block.line_of("from"), "mail.from")
    if raw_from is not None:
        checked = c.field(validate.mailbox, raw_from, where) if isinstance(raw_from, str) else None
        if not isinstance(raw_from, str):
            c.add(DataError("must be one e-mail address", where))
        address = checked or address
    raw_name = block.get("from_name")
    where = Location(label, block.line_of("from_name"), "mail.from_name")
    if raw_name is not None:
        checked = (
            c.field(validate.clean_text, raw_name, where) if isinstance(raw_name, str) else None
        )
        if not isinstance(raw_name, str):
            c.add(DataError("must be a line of text", where))
        display = checked or display
    return MailFrom(address, display)


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
        logo = root / "templates" / str(logo_name)
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
    return Settings(address_kind, series, logo, command, timeout, python, processes, roll)


AGREEMENT_KEYS = {"action", "deadline", "follow_up"}


def load_agreements(
    path: Path, label: str, codes: set[str], c: Collector
) -> dict[str, tuple[Agreement, ...]]:
    """Read config/agreements.yaml (optional): GM code -> list of agreed actions."""
    if not path.is_file():
        return {}
    data = load_yaml(path, DataError, label)
    if data is None:
        return {}
    if not isinstance(data, YMap):
        c.add(DataError("must map municipality codes to lists of agreements", Location(label, 1)))
        return {}
    result: dict[str, tuple[Agreement, ...]] = {}
    for key, items in data.items():
        line = data.line_of(key)
        code = c.field(validate.municipality_code, key, Location(label, line, key))
        if code is None:
            continue
        if code not in codes:
            c.add(DataError(f"unknown municipality {code}", Location(label, line, key)))
            continue
        if code in result:
            c.add(DataError(f"{code} is listed twice", Location(label, line, key)))
            continue
        if not isinstance(items, YList):
            c.add(DataError("must be a list of agreements", Location(label, line, key)))
            continue
        agreements: list[Agreement] = []
        for i, item in enumerate(items):
            where = f"{key}[{i}]"
            item_line = items.line_of(i)
            if not isinstance(item, YMap):
                c.add(
                    DataError(
                        "must have action, deadline and optionally follow_up",
                        Location(label, item_line, where),
                    )
                )
                continue

            def loc(name: str, item: YMap = item, where: str = where) -> Location:
                return Location(label, item.line_of(name), f"{where}.{name}")

            for unknown in sorted(set(item) - AGREEMENT_KEYS):
                c.add(DataError(f"unknown key {unknown!r}", loc(unknown)))
            raw_action = item.get("action")
            action = (
                c.field(validate.clean_text, raw_action, loc("action"))
                if isinstance(raw_action, str)
                else None
            )
            if not isinstance(raw_action, str):
                c.add(DataError("missing or not text", loc("action")))
            raw_deadline = item.get("deadline")
            deadline: date | None
            if isinstance(raw_deadline, date):
                deadline = raw_deadline
            elif isinstance(raw_deadline, str):
                deadline = c.field(validate.iso_date, raw_deadline, loc("deadline"))
            else:
                deadline = None
                c.add(DataError("missing or not a date like 2026-05-01", loc("deadline")))
            raw_follow = item.get("follow_up")
            follow_up = None
            if raw_follow is not None:
                if isinstance(raw_follow, str):
                    follow_up = c.field(validate.optional_text, raw_follow, loc("follow_up"))
                else:
                    c.add(DataError("must be text", loc("follow_up")))
            if action is None or deadline is None:
                continue
            agreements.append(
                Agreement(action, deadline, follow_up, Location(label, item_line, where))
            )
        result[code] = tuple(agreements)
    return result


def load_config(root: Path) -> Config:
    """Load and cross-check config/ under ``root``; raise :class:`Problems` listing all problems."""
    c = Collector()
    cfg = root / "config"

    def guarded(load: Callable[[], T | None]) -> T | None:
        """Run one loader; its problems join the others instead of stopping the load."""
        try:
            return load()
        except Problems as exc:
            c.problems.extend(exc.problems)
        except IbtpostError as exc:
            c.add(exc)
        return None

    def config_file(name: str) -> tuple[Path, str]:
        return cfg / name, f"config/{name}"

    municipalities = guarded(lambda: load_municipalities(*config_file("municipalities.csv"), c))
    provinces = guarded(lambda: load_provinces(*config_file("provinces.csv"), c))
    figures = guarded(lambda: load_figures(*config_file("figures.csv"), c))
    sender = guarded(lambda: load_sender(*config_file("sender.yaml"), c))
    settings = guarded(lambda: load_settings(*config_file("settings.yaml"), root, c))
    college = guarded(
        lambda: load_address_overlay(
            *config_file(COLLEGE_ADDRESSES), "code", COLLEGE_ADDRESS_COLUMNS, c
        )
    )
    cdk = guarded(
        lambda: load_address_overlay(
            *config_file(CDK_ADDRESSES), "province", CDK_ADDRESS_COLUMNS, c
        )
    )
    agreements = guarded(lambda: load_agreements(*config_file("agreements.yaml"), set(c.codes), c))

    if municipalities is not None and provinces is not None:
        for mun in municipalities.values():
            if mun.province not in provinces:
                c.add(
                    DataError(
                        f"province {mun.province!r} is not in config/provinces.csv",
                        Location(mun.location.file, mun.location.line, "province"),
                    )
                )
    if municipalities is not None and provinces is not None:
        apply_overlays(municipalities, provinces, college or {}, cdk or {}, c)
    if municipalities is not None and figures is not None:
        for fig in figures.values():
            if fig.code not in c.codes:
                c.add(
                    DataError(
                        f"figures for unknown municipality {fig.code}",
                        Location(fig.location.file, fig.location.line, "code"),
                    )
                )
    if sender is not None:
        image = root / "templates" / sender.signatory.image
        if sender.signatory.image and not image.is_file():
            c.add(
                DataError(
                    f"signature image templates/{sender.signatory.image} not found",
                    Location("config/sender.yaml", None, "signatory.image"),
                )
            )
    c.raise_if_any()
    assert municipalities is not None
    assert provinces is not None
    assert figures is not None
    assert sender is not None
    assert settings is not None
    return Config(root, municipalities, provinces, figures, sender, settings, agreements or {})


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
        f"unknown municipality {query!r}",
        Location(None, None, "--municipality"),
        hint="give a code like GM0622 or a name as in config/municipalities.csv",
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
