"""config/figures.csv: the statutory task per verdeelbesluit and the realisation per
peildatum of each municipality."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ibtpost.core import validate
from ibtpost.core.domain import Figures
from ibtpost.core.errors import DataError, Location, NextAction
from ibtpost.data.collect import Collector, locator, read_csv

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


def load_figures(path: Path, label: str, c: Collector) -> dict[str, Figures]:
    """Read config/figures.csv: one row per municipality with its source."""
    result: dict[str, Figures] = {}
    for line, row in read_csv(path, FIGURE_COLUMNS, label):
        loc = locator(label, line)

        code = c.field(validate.municipality_code, row["code"], loc("code"))
        values: dict[str, Any] = {}
        for key in ("task_regular", "task_amv", "realised_regular", "realised_amv"):
            values[key] = c.field(validate.places, row[key], loc(key))
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
                    hint=NextAction(
                        "import-figures", {"file": "...", "source": "..."}, why="hint.import"
                    ),
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
