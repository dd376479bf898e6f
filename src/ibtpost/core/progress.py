"""Progress of a long job (a batch, a proof, a send run): one callback type for every stage.

A job calls ``progress(done, total)`` after each item; the command line draws a bar from it,
``ibtpost web`` shows it on the job's page. ``NO_PROGRESS`` is the callback that ignores it.
"""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(done, total)``: ``done`` of ``total`` items are finished
ProgressCallback = Callable[[int, int], None]


def NO_PROGRESS(done: int, total: int) -> None:
    """Ignore progress."""
