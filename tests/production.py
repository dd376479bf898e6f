"""PDFs made the way users get them, for tests that compose their own letters: the
production converter pool (one soffice per converter, driven over UNO by unoworker.py, with
its PDF/A export options) and the finishing a batch applies to each letter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ibtpost.core.domain import Config
from ibtpost.documents.convert import ConverterPool
from ibtpost.documents.pdf.finish import finish_letter_pdf
from ibtpost.production.engine import converter_count
from ibtpost.text.composed import LetterContext


def convert_docx(config: Config, sources: Sequence[Path], outdir: Path) -> list[Path]:
    """LibreOffice's own PDFs of ``sources`` (.docx) in ``outdir``, made by the converter
    pool with the settings and size a batch of as many letters uses (two threads per
    converter, as in a batch)."""
    outdir.mkdir(parents=True, exist_ok=True)
    targets = [outdir / f"{source.stem}.pdf" for source in sources]
    settings = config.settings
    size = converter_count(config, None, len(sources))
    with (
        ConverterPool(
            size, settings.soffice, settings.converter_python, settings.convert_timeout
        ) as pool,
        ThreadPoolExecutor(2 * size) as executor,
    ):
        list(executor.map(pool.convert, sources, targets))
    return targets


def letter_pdfs(
    config: Config, letters: Mapping[str, tuple[LetterContext, bytes]], outdir: Path
) -> dict[str, Path]:
    """Each letter's finished PDF ``outdir/STEM.pdf`` from its rendered .docx bytes, keyed by
    STEM: converted by the converter pool, then given its metadata and checked as tagged
    PDF/A-2b with embedded fonts (``finish_letter_pdf``), as a batch does."""
    outdir.mkdir(parents=True, exist_ok=True)
    sources = []
    for stem, (_, docx) in letters.items():
        source = outdir / f"{stem}.docx"
        source.write_bytes(docx)
        sources.append(source)
    raws = convert_docx(config, sources, outdir / "libreoffice")
    made: dict[str, Path] = {}
    for (stem, (letter, _)), raw in zip(letters.items(), raws, strict=True):
        pdf, _facts = finish_letter_pdf(raw.read_bytes(), letter, f"{stem}.pdf")
        made[stem] = outdir / f"{stem}.pdf"
        made[stem].write_bytes(pdf)
    return made
