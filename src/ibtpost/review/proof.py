"""Review copies of a letter text: ``ibtpost preview`` and ``ibtpost proof``.

Legal reviewers see a letter text on real and edge-case data before approving it. A review
copy is not a letter: it is composed with CONCEPT marks and the placeholder reference
0000000 (outside every reference series: the series starts at 1 or above), every page
carries a large CONCEPT watermark (:mod:`ibtpost.documents.pdf.watermark`), and nothing
is recorded in the register: no reference is allocated, no letter or batch is written,
nothing counts on the ladder. It works for draft and final definitions alike.

The letters go through the production engine (:mod:`ibtpost.production.engine`), as a
batch's do: the Word template prepared once, the pool of long-lived LibreOffice converters
started in the background while the letters are composed, and the review copy as its sink
(:class:`ReviewCopies`): the pages joined in order while LibreOffice converts the rest.

Which municipalities a proof covers without ``--municipality``: every municipality that
does not meet its task. Those are the ones the interventieladder can send a letter of
any trede to; whether one is due for this trede today depends on its earlier letters and
their terms, which a proof of the text leaves aside (``ibtpost status`` shows that). For
trede 2 on a register without letters this is exactly the batch of everyone due.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ibtpost.approval import versions
from ibtpost.core.domain import Config, CorrectedLetter, Municipality
from ibtpost.core.errors import IbtpostError, Location, Param, Phrase, Problems, UsageError
from ibtpost.core.files import slug, write_atomic
from ibtpost.core.layout import Layout
from ibtpost.core.progress import ProgressCallback
from ibtpost.data.config import load_config
from ibtpost.data.municipalities import find_municipalities
from ibtpost.documents.pdf.watermark import ReviewCopy
from ibtpost.documents.render import Assets, render_letter
from ibtpost.production.corrections import corrected_in, same_municipality
from ibtpost.production.engine import Converters, Job, converter_count, docx_in, produce
from ibtpost.production.supervision import previous_letters
from ibtpost.register import LetterRecord, Register
from ibtpost.review.checkdata import SAMPLE_CORRECTED
from ibtpost.review.edgecases import edge_cases
from ibtpost.text.compose import PLACEHOLDER_REFERENCE, compose
from ibtpost.text.composed import LetterContext
from ibtpost.text.definitions import load_letter
from ibtpost.text.nodes import LetterDefinition


@dataclass(frozen=True)
class Target:
    """A municipality to show the letter for, with the data to compose it with."""

    municipality: Municipality
    config: Config
    label: str  # the outline entry, e.g. "GM0622 Vlaardingen"
    case: str = ""  # the edge case, "" for none


@dataclass(frozen=True)
class Shown:
    """One letter in a review copy."""

    target: Target
    letter: LetterContext
    first_page: int  # 1-based page of the review copy where it starts
    pages: int


@dataclass
class ReviewResult:
    """What ``preview`` or ``proof`` made."""

    files: list[Path]
    letters: list[Shown]
    seconds: float
    warnings: list[str | Phrase] = field(default_factory=list)
    version: str = ""  # the letter version shown (definition and templates)

    @property
    def pages(self) -> int:
        """All pages of all letters."""
        return sum(item.pages for item in self.letters)


def record_shown_version(root: Path, letter_id: str) -> str:
    """Record the version of the text a review copy shows, so that `ibtpost diff` can
    compare it later; the only thing a review copy writes to the register (no reference,
    letter or batch)."""
    with Register.for_root(root) as register:
        return versions.record_version(register, root, letter_id).id


def preview(
    root: Path,
    letter_id: str,
    queries: tuple[str, ...],
    day: date,
    out: Path | None = None,
    converters: Converters | None = None,
    corrects: str | None = None,
) -> ReviewResult:
    """One review copy per municipality, as ``<letter>-<date>-<name>.pdf`` in ``out``
    (default outbox/preview/). ``converters``: a pool that is already running (kept warm by
    a long-lived caller such as ``ibtpost web``) instead of one started for this preview.
    ``corrects``: the sent letter a herstel or intrekking names (a stand-in without it)."""
    started = time.perf_counter()
    config, definition, assets = _load(root, letter_id)
    original, fixes = _corrections(root, config, definition, corrects)
    named = find_municipalities(config, queries)
    if original is not None:
        for municipality in named:
            same_municipality(original, municipality, config)
    targets = [Target(m, config, f"{m.code} {m.name}") for m in named]
    if not targets:
        raise UsageError(
            location=Location(None, None, "municipalities"),
            key="error.no_municipality",
            values={"municipalities": Param("municipalities")},
        )
    version = record_shown_version(root, definition.id)
    folder = out if out is not None else Layout(root).previews
    shown: list[Shown] = []
    files: list[Path] = []

    def keep(index: int, letter: LetterContext, pdf: bytes) -> None:
        target = targets[index]
        name = target.municipality.name
        copy = ReviewCopy(_title(definition, day, name))
        pages = copy.add(pdf, target.label)
        path = folder / f"{definition.id}-{day.isoformat()}-{slug(name)}.pdf"
        write_atomic(path, copy.write())
        files.append(path)
        shown.append(Shown(target, letter, 1, pages))

    repaired = _produce(
        root, config, definition, assets, targets, day, keep, None, converters, fixes
    )
    warnings: list[str | Phrase] = [*repaired, *_page_warnings(definition, shown)]
    return ReviewResult(files, shown, time.perf_counter() - started, warnings, version)


def proof(
    root: Path,
    letter_id: str,
    day: date,
    queries: tuple[str, ...] = (),
    edges: bool = False,
    out: Path | None = None,
    progress: ProgressCallback | None = None,
    corrects: str | None = None,
) -> ReviewResult:
    """One review copy with the letter for many municipalities (see the module docstring),
    or for the edge cases (:mod:`ibtpost.review.edgecases`). ``corrects``: the sent letter a
    herstel or intrekking names; the copy is then for its municipality alone."""
    started = time.perf_counter()
    config, definition, assets = _load(root, letter_id)
    original, fixes = _corrections(root, config, definition, corrects)
    if edges and queries:
        raise UsageError(
            key="error.edge_cases_alone",
            values={"edge_cases": Param("edge_cases"), "municipalities": Param("municipalities")},
        )
    if edges:
        targets = [Target(c.municipality, c.config, c.label, c.name) for c in edge_cases(config)]
        suffix = "-edge-cases"
    elif queries or original is not None:
        chosen = find_municipalities(config, queries) if queries else []
        if original is not None:
            for municipality in chosen:
                same_municipality(original, municipality, config)
            chosen = [config.municipalities[original.municipality]]
        targets = [Target(m, config, f"{m.code} {m.name}") for m in chosen]
        codes = "|".join(sorted(m.code for m in chosen)).encode()
        suffix = f"-{hashlib.sha256(codes).hexdigest()[:6]}"
    else:
        targets = [Target(m, config, f"{m.code} {m.name}") for m in applicable(config)]
        suffix = ""
    if not targets:
        raise UsageError(f"every municipality meets its task: no letter {definition.id} to show")
    version = record_shown_version(root, definition.id)
    name = f"{definition.id}-{day.isoformat()}-proof{suffix}.pdf"
    path = Layout(root).previews / name if out is None else out
    if path.is_dir():
        path = path / name
    copy = ReviewCopy(_title(definition, day, "proof" + suffix.replace("-", " ")))
    shown: list[Shown] = []

    def keep(index: int, letter: LetterContext, pdf: bytes) -> None:
        first = copy.pages + 1
        shown.append(Shown(targets[index], letter, first, copy.add(pdf, targets[index].label)))

    repaired = _produce(root, config, definition, assets, targets, day, keep, progress, None, fixes)
    write_atomic(path, copy.write())
    warnings: list[str | Phrase] = [*repaired, *_page_warnings(definition, shown)]
    return ReviewResult([path], shown, time.perf_counter() - started, warnings, version)


def applicable(config: Config) -> list[Municipality]:
    """The municipalities a letter of the ladder can be for: those that do not meet their
    task, in code order."""
    return [
        m
        for code, m in sorted(config.municipalities.items())
        if code in config.figures and not config.figures[code].meets_task
    ]


def _load(root: Path, letter_id: str) -> tuple[Config, LetterDefinition, Assets]:
    config = load_config(root)
    definition = load_letter(root, letter_id)
    return config, definition, Assets.load(config, definition)


def _title(definition: LetterDefinition, day: date, what: str) -> str:
    return f"CONCEPT {definition.id} {day.isoformat()} {what}"


def _corrections(
    root: Path, config: Config, definition: LetterDefinition, corrects: str | None
) -> tuple[LetterRecord | None, CorrectedLetter | None]:
    """The letter a review copy of a herstel or intrekking names: the one ``corrects``
    names, checked as a batch checks it; without it a stand-in (onze referentie 0000000),
    so that the text can be read before there is a letter to correct."""
    if corrects is None:
        return None, (SAMPLE_CORRECTED if definition.corrects_a_letter else None)
    found = corrected_in(root, config, definition, corrects)
    return found if found is not None else (None, None)


def _compose_all(
    root: Path,
    definition: LetterDefinition,
    targets: list[Target],
    day: date,
    corrects: CorrectedLetter | None = None,
) -> list[LetterContext]:
    """Every letter, composed before anything is converted; every problem reported."""
    previous = previous_letters(root)
    letters: list[LetterContext] = []
    problems: list[IbtpostError] = []
    for target in targets:
        try:
            letters.append(
                compose(
                    definition,
                    target.municipality,
                    target.config,
                    PLACEHOLDER_REFERENCE,
                    day,
                    concept=True,
                    previous=previous.get(target.municipality.code),
                    corrects=corrects,
                )
            )
        except Problems as exc:
            problems.extend(exc.problems)
        except IbtpostError as exc:
            problems.append(exc)
    if problems:
        raise Problems(problems)
    return letters


class ReviewCopies:
    """The sink of review copies: each letter's PDF as LibreOffice made it (no metadata, no
    register), handed in order to ``keep``, which stamps and joins the pages."""

    def __init__(self, keep: Callable[[int, LetterContext, bytes], None]) -> None:
        self.keep = keep
        self.index: dict[str, int] = {}

    def existing(self, job: Job) -> bytes | None:
        """A review copy is always made."""
        return None

    def source(self, job: Job, work: Path) -> Path:
        """The .docx in the work folder."""
        return docx_in(work, job)

    def finished(self, job: Job, pdf: bytes) -> bytes:
        """The PDF as it is."""
        return pdf

    def record(self, job: Job, result: bytes) -> None:
        """Join it (in the order of the letters)."""
        self.keep(self.index[job.name], job.letter, result)


def _produce(
    root: Path,
    config: Config,
    definition: LetterDefinition,
    assets: Assets,
    targets: list[Target],
    day: date,
    keep: Callable[[int, LetterContext, bytes], None],
    progress: ProgressCallback | None,
    warm: Converters | None = None,
    corrects: CorrectedLetter | None = None,
) -> list[str]:
    """Compose, render and convert every letter; ``keep`` receives each PDF in order.

    Returns what the converter pool had to repair, as warnings.
    """
    sink = ReviewCopies(keep)
    size = converter_count(config, None, len(targets))
    with contextlib.nullcontext(warm) if warm else Converters(config, size) as converters:
        converters.start()  # LibreOffice starts while the letters are composed
        letters = _compose_all(root, definition, targets, day, corrects)

        def jobs() -> Iterator[Job]:
            for index, letter in enumerate(letters):
                job = Job(
                    f"{index:04d}-{slug(letter.municipality.name)}",
                    letter,
                    render_letter(letter, assets),
                )
                sink.index[job.name] = index
                yield job

        produced = produce(jobs(), converters, sink, total=len(letters), progress=progress)
        return produced.incidents


def _page_warnings(definition: LetterDefinition, shown: list[Shown]) -> list[Phrase]:
    """Letters whose page count is outside the definition's bounds (a batch would refuse
    them): the reviewer should know."""
    return [
        Phrase(
            "warning.pages",
            {
                "label": item.target.label,
                "pages": item.pages,
                "low": definition.min_pages,
                "high": definition.max_pages,
                "file": f"letters/{definition.path.name}",
            },
        )
        for item in shown
        if definition.pages_problem(item.pages) is not None
    ]
