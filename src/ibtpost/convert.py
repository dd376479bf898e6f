"""Convert .docx to tagged PDF/A-2b with LibreOffice in headless mode.

Each :class:`LibreOffice` converter has a profile directory of its own (two soffice
processes sharing a profile run one after the other). One ``--convert-to`` call converts
many files, but LibreOffice silently stops after about 247 of them, so files go in chunks and
every expected output is checked; a filter typo yields a plain PDF with exit 0, so every
output is verified (see :mod:`ibtpost.pdf`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ibtpost.errors import ConvertError

PDF_FILTER = (
    'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"},'
    '"UseTaggedPDF":{"type":"boolean","value":"true"}}'
)
CHUNK = 200


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


class LibreOffice:
    """A headless LibreOffice with its own profile directory."""

    def __init__(
        self, command: str = "soffice", timeout: float = 120.0, profile: Path | None = None
    ) -> None:
        self.program = find_soffice(command)
        self.timeout = timeout  # seconds allowed per file in one soffice call
        self._own_profile = profile is None
        self.profile = profile or Path(tempfile.mkdtemp(prefix="ibtpost-lo-"))

    def close(self) -> None:
        """Remove the profile directory when this converter made it."""
        if self._own_profile:
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> LibreOffice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def convert(self, sources: Sequence[Path], outdir: Path) -> list[Path]:
        """Convert ``sources`` (.docx) into ``outdir``; returns the PDFs in the same order."""
        outdir.mkdir(parents=True, exist_ok=True)
        results: list[Path] = []
        for start in range(0, len(sources), CHUNK):
            chunk = list(sources[start : start + CHUNK])
            self._run(chunk, outdir)
            for src in chunk:
                pdf = outdir / (src.stem + ".pdf")
                if not pdf.is_file() or pdf.stat().st_size == 0:
                    raise ConvertError(f"LibreOffice produced no PDF for {src.name}")
                results.append(pdf)
        return results

    def _run(self, chunk: list[Path], outdir: Path) -> None:
        args = [
            self.program,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            f"-env:UserInstallation={self.profile.resolve().as_uri()}",
            "--convert-to",
            PDF_FILTER,
            "--outdir",
            str(outdir),
            *(str(p) for p in chunk),
        ]
        env = dict(os.environ, SAL_USE_VCLPLUGIN="svp", HOME=str(self.profile))
        proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
        )
        try:
            _, err = proc.communicate(timeout=self.timeout * len(chunk))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConvertError(
                f"LibreOffice did not finish converting {len(chunk)} file(s) in time; stopped it"
            ) from None
        if proc.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            last = lines[-1] if lines else "no message"
            raise ConvertError(f"LibreOffice failed (exit {proc.returncode}): {last}")
