"""Recording and showing the motivering of a case (``ibtpost motivering``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ibtpost.production.motivering import (
    CaseMotivering,
    RecordedMotivering,
    motivering_of,
    record_motivering,
)
from ibtpost.service.common import Line, line


@dataclass(frozen=True)
class Motivated:
    """What recording a motivering did, and its summary."""

    done: RecordedMotivering
    summary: Line


def motivering(
    root: Path, reference: str, file: Path, part: str | None = None, by: str | None = None
) -> Motivated:
    """Record the text of ``file`` as the motivering ``part`` written on the letter
    ``reference`` (a new version when it changed)."""
    done = record_motivering(root, reference, file, part, by)
    what = line(f"motivering.part.{done.part}")
    values = {"reference": done.reference, "part": what, "version": done.version}
    if not done.added:
        return Motivated(done, line("summary.motivering.again", **values))
    return Motivated(done, line("summary.motivering", **values, municipality=done.municipality))


def show_motivering(root: Path, reference: str) -> CaseMotivering:
    """Every version of the motivering written on the letter ``reference``."""
    return motivering_of(root, reference)
