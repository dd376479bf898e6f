"""Send runs: each ``ibtpost send`` holds an exclusive lock on its own file under
``outbox/runs/`` for as long as its process lives. The kernel releases the lock when the
process ends, however it ends, so a letter left in ``sending`` by a run whose lock is free
was left by a run that died (:func:`ibtpost.register.dispatch.mark_stranded`). The locks
are local to one machine."""

from __future__ import annotations

import fcntl
import os
import secrets
import socket
from pathlib import Path

from ibtpost.register import Register


class SendRun:
    """One ``send`` run: an id, and an exclusive lock on ``outbox/runs/<id>.lock`` held for
    as long as the process lives (the kernel drops it when the process ends, even killed)."""

    def __init__(self, register: Register) -> None:
        self.folder = runs_folder(register)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        self.path = self.folder / f"{self.id}.lock"
        self._fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def close(self) -> None:
        """The run is over: remove its lock file and release the lock."""
        self.path.unlink(missing_ok=True)
        os.close(self._fd)

    def __enter__(self) -> SendRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def runs_folder(register: Register) -> Path:
    """Where send runs keep their lock files: ``outbox/runs/``."""
    return register.path.parent / "runs"


def run_alive(folder: Path, run: str | None) -> bool:
    """Whether the send run ``run`` still holds its lock (its process lives)."""
    if not run or "/" in run:
        return False
    path = folder / f"{run}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        path.unlink(missing_ok=True)  # a dead run's lock file
        return False
    finally:
        os.close(fd)  # closing releases the lock this check took
