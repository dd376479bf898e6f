"""Long work of ``ibtpost web`` in the background: one thread per job, progress the pages
poll, at most one job per batch at a time.

A job runs a use case (``service.batches.make_batch``, ``service.review.proof``,
``service.dispatch.queue``, ``service.dispatch.send``) exactly as the command does, with a
progress callback where it takes one, inside ``audit.origin("web")`` so that every event it
records says it came from the web. The job list lives as long as the server: a page reloaded
while a job runs finds it again by its key (the batch id), with its count, ETA and, once
done, its outcome.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ibtpost.core.errors import IbtpostError, UsageError
from ibtpost.register import audit
from ibtpost.web.crashes import crash_text, log_crash
from ibtpost.web.words import messages


class JobState(StrEnum):
    """Where a background job is: running, done, or failed (its errors say why)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Job:
    """One piece of background work and how far it is."""

    key: str  # the batch id (or "proof:<letter>")
    kind: str  # batch, queue, send, proof
    title: str  # Dutch, shown on the page
    done: int = 0
    total: int | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    state: JobState = JobState.RUNNING
    errors: list[str] = field(default_factory=list)  # its problems in Dutch
    lines: list[str] = field(default_factory=list)  # the outcome, one line each
    result: Any = None
    watch: Callable[[], int] | None = None  # counts what is done, for work without a callback
    converted: int | None = None  # letters LibreOffice converted so far (a batch)
    watch_converted: Callable[[], int] | None = None
    reference: str | None = None  # of an unexpected failure, in the server's log

    @property
    def running(self) -> bool:
        """Whether the job still runs."""
        return self.state == JobState.RUNNING

    @property
    def elapsed(self) -> float:
        """Seconds since the start (until the end, once finished)."""
        return (self.finished or time.monotonic()) - self.started

    @property
    def eta(self) -> float | None:
        """Seconds still to go, estimated from the pace so far; None before the first."""
        if not self.running or not self.total or not self.done:
            return None
        return self.elapsed / self.done * (self.total - self.done)

    def refresh(self) -> Job:
        """Update the count from ``watch`` (for work that reports no progress of its own)."""
        if self.running and self.watch is not None:
            self.done = self.watch()
        if self.running and self.watch_converted is not None:
            self.converted = self.watch_converted()
        return self

    def progress(self, done: int, total: int) -> None:
        """The ``ProgressCallback`` a long use case calls after each item."""
        self.done, self.total = done, total


class Jobs:
    """The jobs of one server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}

    def get(self, key: str) -> Job | None:
        """The latest job of ``key``, running or finished."""
        with self._lock:
            return self._jobs.get(key)

    def running(self) -> list[Job]:
        """The jobs still running."""
        with self._lock:
            return [job for job in self._jobs.values() if job.running]

    def start(self, key: str, kind: str, title: str, work: Callable[[Job], list[str]]) -> Job:
        """Run ``work(job)`` in a new thread; it returns the outcome's lines. Refused
        (UsageError) while another job of ``key`` runs."""
        with self._lock:
            current = self._jobs.get(key)
            if current is not None and current.running:
                raise UsageError(
                    f"{current.title} loopt nog voor {key}; wacht tot die klaar is",
                    key="error.job_running",  # the message above is the web's only
                    values={"title": current.title},
                )
            job = Job(key, kind, title)
            self._jobs[key] = job
        thread = threading.Thread(
            target=self._run, args=(job, work), name=f"ibtpost-web-{kind}", daemon=True
        )
        thread.start()
        return job

    def _run(self, job: Job, work: Callable[[Job], list[str]]) -> None:
        try:
            with audit.origin("web"):
                job.lines = work(job)
            job.state = JobState.DONE
        except IbtpostError as exc:
            job.errors = messages(exc)
            job.state = JobState.FAILED
        except Exception:  # a bug, not bad input: the log has the traceback, the page its reference
            job.reference = log_crash(f"job {job.key} ({job.kind})")
            job.errors = [crash_text(job.reference)]
            job.state = JobState.FAILED
        finally:
            job.finished = time.monotonic()
