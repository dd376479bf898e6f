"""Convert .docx to tagged PDF/A-2b with LibreOffice in headless mode.

Each :class:`LibreOffice` converter has a profile directory of its own (two soffice
processes sharing a profile run one after the other). One ``--convert-to`` call converts
many files, but LibreOffice silently stops after about 247 of them, so files go in chunks and
every expected output is checked; a filter typo yields a plain PDF with exit 0, so every
output is verified (see :mod:`ibtpost.documents.pdf.finish`).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ibtpost.core.errors import ConvertError

#: The PDF export options of every letter: PDF/A-2 (b), tagged, PDF/UA (finished by
#: :mod:`ibtpost.documents.pdf.accessible`). The one place they are set:
#: the UNO converters get them from here, and :data:`PDF_FILTER` spells them for
#: ``soffice --convert-to`` (a typo there silently yields a plain PDF, so neither is typed
#: twice).
PDF_EXPORT: dict[str, int | bool] = {
    "SelectPdfVersion": 2,
    "UseTaggedPDF": True,
    "PDFUACompliance": True,
}
PDF_FILTER = "pdf:writer_pdf_Export:" + json.dumps(
    {
        name: {
            "type": "boolean" if isinstance(value, bool) else "long",
            "value": str(value).lower(),
        }
        for name, value in PDF_EXPORT.items()
    },
    separators=(",", ":"),
)


def find_soffice(command: str = "soffice") -> str:
    """The path of the soffice program, or a ConvertError saying what to install."""
    found = shutil.which(command)
    if found is None:
        raise ConvertError(
            f"LibreOffice ({command}) not found",
            hint="install it: apt-get install --no-install-recommends libreoffice-writer-nogui "
            "fonts-dejavu-core (or run `make setup` as root)",
        )
    return found


WORKER = Path(__file__).with_name("unoworker.py")
STARTUP_SECONDS = 60.0


class ConverterFailure(Exception):
    """A converter hung or died; the pool restarts it (internal to this module)."""


class Converter:
    """One worker process (see :mod:`ibtpost.documents.unoworker`) with its own soffice and
    profile."""

    def __init__(self, program: str, python: str, name: str) -> None:
        self.name = name
        self.profile = Path(tempfile.mkdtemp(prefix="ibtpost-lo-"))
        self._log = (self.profile / "worker.log").open("wb")
        try:
            self.proc = subprocess.Popen(
                [
                    python,
                    str(WORKER),
                    program,
                    (self.profile / "user").resolve().as_uri(),
                    f"ibtpost-{os.getpid()}-{name}-{id(self)}",
                    str(STARTUP_SECONDS),
                    json.dumps(PDF_EXPORT),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log,
                env=dict(os.environ, HOME=str(self.profile)),
                start_new_session=True,  # one process group: the worker and its soffice
            )
        except OSError as exc:
            self._cleanup()
            raise ConvertError(
                f"cannot start the converter with {python}: {exc}",
                hint="set libreoffice.python in config/settings.yaml to a Python with "
                "LibreOffice's uno module (Debian: apt-get install python3-uno)",
            ) from None
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        first = self._reply(STARTUP_SECONDS + 5)
        if first is None or not first.get("ready"):
            detail = first.get("fatal") if first else self._last_log_line()
            self.kill()
            raise ConvertError(
                f"the LibreOffice converter did not start: {detail}",
                hint="Debian: apt-get install libreoffice-writer-nogui python3-uno",
            )
        self.soffice_pid = int(first["soffice_pid"])

    def _read(self) -> None:
        stdout = self.proc.stdout
        if stdout is None:  # pragma: no cover - Popen was given stdout=PIPE
            return
        for raw in stdout:
            try:
                self._lines.put(json.loads(raw))
            except ValueError:
                continue  # stray output is not a reply
        self._lines.put(None)

    def _reply(self, timeout: float) -> dict[str, Any] | None:
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            raise ConverterFailure(f"no answer in {timeout:g} s (hung)") from None

    def _last_log_line(self) -> str:
        self._log.flush()
        lines = (self.profile / "worker.log").read_text("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else "no message"

    @property
    def pids(self) -> tuple[int, int]:
        """The worker's and its soffice's process ids."""
        return self.proc.pid, self.soffice_pid

    def convert(self, src: Path, dst: Path, timeout: float) -> None:
        """Convert one file; ConvertError when LibreOffice refuses it, ConverterFailure when
        the converter hung or died (the caller restarts it)."""
        stdin = self.proc.stdin
        if stdin is None:  # pragma: no cover - Popen was given stdin=PIPE
            raise ConverterFailure("the converter has no input")
        job = json.dumps({"src": str(src.resolve()), "dst": str(dst.resolve())})
        try:
            stdin.write(job.encode("utf-8") + b"\n")
            stdin.flush()
        except (BrokenPipeError, OSError):
            raise ConverterFailure("the converter died (it no longer reads its input)") from None
        reply = self._reply(timeout)
        if reply is None:
            raise ConverterFailure(f"the converter died ({self._last_log_line()})")
        if not reply.get("ok"):
            if self.proc.poll() is not None or self._dead():
                raise ConverterFailure(str(reply.get("error")))
            raise ConvertError(f"LibreOffice could not convert {src.name}: {reply.get('error')}")
        if not dst.is_file() or dst.stat().st_size == 0:
            raise ConvertError(f"LibreOffice produced no PDF for {src.name}")

    def _dead(self) -> bool:
        try:
            os.kill(self.soffice_pid, 0)
        except ProcessLookupError:
            return True
        return False

    def kill(self) -> None:
        """Stop the worker and its soffice at once."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._cleanup()

    def close(self) -> None:
        """Let the worker stop its soffice, then clean up."""
        self.request_stop()
        self.await_stop()

    def request_stop(self) -> None:
        """Tell the worker to stop (it ends its soffice), without waiting."""
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    def await_stop(self) -> None:
        """Wait for a worker told to stop (15 s at most), then make sure it is gone."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=15)
        self.kill()

    def _cleanup(self) -> None:
        self._log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class ConverterPool:
    """A few long-lived converters (one per core by default) shared by a whole batch.

    :meth:`convert` is thread-safe: each call borrows a free converter. A converter that
    does not answer within ``timeout`` seconds, or dies, is killed and replaced, and the
    letter is tried again (``retries`` times); what happened is kept in :attr:`incidents`.
    """

    def __init__(
        self,
        size: int,
        program: str = "soffice",
        python: str = "/usr/bin/python3",
        timeout: float = 120.0,
        retries: int = 1,
    ) -> None:
        self.program = find_soffice(program)
        self.python = python
        self.timeout = timeout
        self.retries = retries
        self.size = max(1, size)
        self.incidents: list[str] = []
        self._free: queue.Queue[Converter] = queue.Queue()
        self._all: list[Converter] = []
        self._lock = threading.Lock()
        self._count = 0
        with ThreadPoolExecutor(self.size) as starter:
            futures = [starter.submit(self._new) for _ in range(self.size)]
        errors = [f.exception() for f in futures if f.exception() is not None]
        for f in futures:
            if f.exception() is None:
                self._free.put(f.result())
        if errors:
            self.close()
            raise errors[0]  # type: ignore[misc]

    def _new(self) -> Converter:
        with self._lock:
            self._count += 1
            name = str(self._count)
        converter = Converter(self.program, self.python, name)
        with self._lock:
            self._all.append(converter)
        return converter

    def _retire(self, converter: Converter) -> None:
        with self._lock:
            if converter in self._all:
                self._all.remove(converter)
        converter.kill()

    @property
    def converters(self) -> list[Converter]:
        """The running converters (for tests and diagnostics)."""
        with self._lock:
            return list(self._all)

    def convert(self, src: Path, dst: Path) -> None:
        """Convert ``src`` (.docx) to ``dst`` (PDF/A-2b, tagged)."""
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            converter = self._free.get()
            try:
                converter.convert(src, dst, self.timeout)
            except ConverterFailure as exc:
                self._retire(converter)
                self.incidents.append(
                    f"converter {converter.name} failed on {src.name}: {exc}; restarted"
                    + ("; retrying" if attempt < attempts else "")
                )
                self._free.put(self._new())
                if attempt == attempts:
                    raise ConvertError(
                        f"LibreOffice failed on {src.name} {attempts} times: {exc}"
                    ) from None
            except BaseException:
                self._free.put(converter)
                raise
            else:
                self._free.put(converter)
                return

    def close(self) -> None:
        """Stop every converter (all at once)."""
        converters = self.converters
        for converter in converters:
            converter.request_stop()
        for converter in converters:
            converter.await_stop()
        with self._lock:
            self._all.clear()

    def __enter__(self) -> ConverterPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
