"""LibreOffice converters kept running for fresh previews.

``ibtpost preview`` starts LibreOffice for every run (most of its four seconds). The web
server starts one converter on first need and keeps it, so that a reviewer's preview of a
letter for a municipality of their choice takes about a second (see bench/README.md).
It is closed when the server stops.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ibtpost.data.config import load_config
from ibtpost.production.engine import Converters


class WarmConverters:
    """One converter pool for the server's previews, started on first need."""

    def __init__(self, root: Path, size: int = 1) -> None:
        self.root = root
        self.size = size
        self._lock = threading.Lock()
        self._converters: Converters | None = None

    def get(self) -> Converters:
        """The running pool (started, in the background, on the first call)."""
        with self._lock:
            current = self._converters
            if current is not None and current.start().done() and current.start().exception():
                # LibreOffice did not start (the preview that asked said why): try anew now
                # rather than failing every later preview until the server restarts
                current.__exit__(None, None, None)
                self._converters = current = None
            if current is None:
                current = self._converters = Converters(load_config(self.root), self.size)
                current.start()
            return current

    def close(self) -> None:
        """Stop the converters' LibreOffice."""
        with self._lock:
            if self._converters is not None:
                self._converters.__exit__(None, None, None)
                self._converters = None
