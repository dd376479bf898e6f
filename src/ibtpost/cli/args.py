"""What the command-line modules share: the parser class, argument types, exit codes."""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
from collections.abc import Callable, Iterator
from datetime import date
from typing import TypeAlias

from ibtpost.cli.words import error_lines
from ibtpost.core import clock
from ibtpost.core.errors import EXIT_BAD_INPUT, IbtpostError

EXIT_OK = 0


class Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and one line on a usage error (as argparse does)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see: {self.prog} --help)\n")


def add_batch_argument(parser: argparse.ArgumentParser) -> None:
    """The BATCH argument of the commands that work on one batch."""
    parser.add_argument("batch", help="batch id (its folder name under outbox/)")


def positive_int(text: str) -> int:
    """A whole number of 1 or more (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def bounded(
    kind: Callable[[str], float], low: float, high: float, *, above: bool = False
) -> Callable[[str], float]:
    """An argparse type: a number of ``kind`` (int or float) from ``low`` (exclusive when
    ``above``) to ``high``."""
    noun = "whole number" if kind is int else "number"
    lower = f"above {low:g}" if above else f"from {low:g}"

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if (
            value is None
            or math.isnan(value)
            or value > high
            or (value <= low if above else value < low)
        ):
            raise argparse.ArgumentTypeError(f"{text!r} is not a {noun} {lower} to {high:g}")
        return value

    parse.__name__ = noun  # argparse names the type in some messages
    return parse


def parse_date(text: str) -> date:
    """A date like 2026-04-09 (argparse type)."""
    try:
        return clock.parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


#: the object ``add_subparsers`` returns (argparse has no public name for its type)
SubParsers: TypeAlias = "argparse._SubParsersAction[Parser]"


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (count, elapsed time, ETA) that is gone when done; yields
    the ``progress(done, total)`` callback that batch and proof call."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield progress


def report_error(exc: IbtpostError, command: str = "") -> None:
    """Every problem of ``exc`` as one line ``error: file:line: field: message (hint: ...)``
    on stderr, parameters as the options of ``command`` and next steps as commands."""
    for line in error_lines(exc, command):
        print(f"error: {line}", file=sys.stderr)
