"""A PDF's pages as PNG images for the browser (browsers do not reliably show PDFs inline).

Drawn by poppler's ``pdftoppm`` (poppler-utils, installed by tools/system-deps.sh) and kept
in ``outbox/.web/pages/<sha256 of the PDF>/``: the same PDF is drawn once, a changed PDF
gets new images. The folder is written complete or not at all (drawn into a temporary
folder, then renamed), so two requests at once never see half a set.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ibtpost.core.errors import ConvertError
from ibtpost.core.layout import Layout

RESOLUTION = 90  # dots per inch: an A4 page is 744 x 1052 pixels


def page_images(root: Path, pdf: Path, sha256: str) -> list[Path]:
    """The PNG of every page of ``pdf`` (whose SHA-256 is ``sha256``), drawn on first use."""
    folder = Layout(root).page_images / sha256
    if not folder.is_dir():
        folder.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{sha256[:12]}-", dir=folder.parent))
        try:
            done = subprocess.run(
                ["pdftoppm", "-png", "-r", str(RESOLUTION), str(pdf), str(work / "page")],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if done.returncode != 0:
                raise ConvertError(f"pdftoppm could not draw {pdf.name}: {done.stderr.strip()}")
            try:
                work.rename(folder)
            except OSError:  # another request drew it first
                shutil.rmtree(work, ignore_errors=True)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
