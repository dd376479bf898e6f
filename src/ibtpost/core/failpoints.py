"""Named points where a test can kill ibtpost, to prove that a re-run repairs everything.

Set ``IBTPOST_FAILPOINT`` to ``NAME`` or ``NAME:N``; when the batch passes that point (the
N-th time, for a counted point) the process kills itself with SIGKILL, exactly as a power
cut or the OOM killer would: no clean-up handler runs. Unset, a fail point costs one
dictionary lookup. The points are listed in README.md (Development).
"""

from __future__ import annotations

import os
import signal

VARIABLE = "IBTPOST_FAILPOINT"


def hit(name: str, count: int | None = None) -> None:
    """Die here if the fail point ``name`` (at ``count``) is set."""
    wanted = os.environ.get(VARIABLE)
    if not wanted:
        return
    point, _, number = wanted.partition(":")
    if point != name:
        return
    if number and count is not None and int(number) != count:
        return
    os.kill(os.getpid(), signal.SIGKILL)
