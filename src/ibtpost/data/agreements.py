"""config/agreements.yaml: the agreements a college made (trede 3 texts refer to them)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ibtpost.core import validate
from ibtpost.core.domain import Agreement
from ibtpost.core.errors import DataError, Location
from ibtpost.core.yamlsource import YList, YMap
from ibtpost.data.collect import Collector, optional_mapping

AGREEMENT_KEYS = {"action", "deadline", "follow_up", "agreed_on", "agreed_with"}


def load_agreements(
    path: Path, label: str, codes: set[str], c: Collector
) -> dict[str, tuple[Agreement, ...]]:
    """Read config/agreements.yaml (optional): GM code -> list of agreed actions."""
    data = optional_mapping(path, label, c, "municipality codes to lists of agreements")
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
                        "must have action, deadline, agreed_on, agreed_with and optionally "
                        "follow_up",
                        Location(label, item_line, where),
                    )
                )
                continue

            def loc(name: str, item: YMap = item, where: str = where) -> Location:
                return Location(label, item.line_of(name), f"{where}.{name}")

            for unknown in sorted(set(item) - AGREEMENT_KEYS):
                c.add(DataError(f"unknown key {unknown!r}", loc(unknown)))
            action = _text(item.get("action"), loc("action"), c, "missing or not text")
            deadline = _date(item.get("deadline"), loc("deadline"), c)
            agreed_on = _date(item.get("agreed_on"), loc("agreed_on"), c)
            agreed_with = _text(
                item.get("agreed_with"),
                loc("agreed_with"),
                c,
                "missing or not text: with whom it was agreed",
            )
            raw_follow = item.get("follow_up")
            follow_up = None
            if raw_follow is not None:
                if isinstance(raw_follow, str):
                    follow_up = c.field(validate.optional_text, raw_follow, loc("follow_up"))
                else:
                    c.add(DataError("must be text", loc("follow_up")))
            if action is None or deadline is None or agreed_on is None or agreed_with is None:
                continue
            agreements.append(
                Agreement(
                    action,
                    deadline,
                    follow_up,
                    Location(label, item_line, where),
                    agreed_on,
                    agreed_with,
                )
            )
        result[code] = tuple(agreements)
    return result


def _date(raw: object, where: Location, c: Collector) -> date | None:
    """A date given as a YAML date or as text like 2026-05-01; reported when missing."""
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        return c.field(validate.iso_date, raw, where)
    c.add(DataError("missing or not a date like 2026-05-01", where))
    return None


def _text(raw: object, where: Location, c: Collector, missing: str) -> str | None:
    """A one-line text; ``missing`` is reported when it is absent or not text."""
    if isinstance(raw, str):
        return c.field(validate.clean_text, raw, where)
    c.add(DataError(missing, where))
    return None
