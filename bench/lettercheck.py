"""Time the checks `ibtpost queue` runs on a full trede-2 batch, and `ibtpost check`.

    .venv/bin/python bench/lettercheck.py [--root DIR] [--processes N] [--sample 20]

Without --root, the shipped data is copied to a temporary folder and the trede-2 batch of
2026-04-09 is made there first (about a minute). Reported:

- check: `ibtpost check` on the data (config, definitions, template, every branch);
- cold: the letter checks on every letter of the batch without checks.json, in a pool of
  --processes (default: one per core);
- warm: the same again, every outcome from checks.json;
- per letter, processor time on a sample of --sample letters: reading the PDF's text with
  pypdf, with poppler's pdftotext (one process per file) and with ibtpost's own reader,
  and the whole check of one letter (PDF and .docx).
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import copy_tree

from ibtpost.cli import main
from ibtpost.documents.pdf import pagetext
from ibtpost.register import Register
from ibtpost.register import letters as letter_register
from ibtpost.review import lettercheck
from ibtpost.review.check import run_check
from ibtpost.text.definitions import load_letter

REPO = Path(__file__).resolve().parents[1]
BATCH = "trede-2-2026-04-09"


def prepare(root: Path | None) -> Path:
    if root is not None:
        return root
    root = Path(tempfile.mkdtemp(prefix="ibtpost-bench-")) / "root"
    copy_tree(root)  # trede 2 approved in it, as in the tests (tests/conftest.py)
    started = time.perf_counter()
    if main(["--root", str(root), "batch", "trede-2", "--date", "2026-04-09"]) != 0:
        raise SystemExit("the batch failed")
    print(f"batch made in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return root


def cpu() -> float:
    """Processor time of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def per_letter(pdfs: list[Path], docxs: list[Path], spec: lettercheck.Spec) -> dict[str, float]:
    def timed(work: Callable[[Path, Path], None]) -> float:
        started = cpu()
        for pdf, docx in zip(pdfs, docxs, strict=True):
            work(pdf, docx)
        return (cpu() - started) / len(pdfs)

    def with_pypdf(pdf: Path, _: Path) -> None:
        for page in PdfReader(pdf).pages:
            page.extract_text()

    def with_pdftotext(pdf: Path, _: Path) -> None:
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)

    def with_pagetext(pdf: Path, _: Path) -> None:
        with pikepdf.open(io.BytesIO(pdf.read_bytes())) as doc:
            read = pagetext.read_pages(doc)
            [pagetext.page_text(page) for page in read.pages]
            pagetext.flow_text(read.pages)

    def whole(pdf: Path, docx: Path) -> None:
        lettercheck.pdf_problems(pdf.read_bytes(), spec)
        lettercheck.docx_problems(docx.read_bytes(), spec)

    return {
        "pypdf text": timed(with_pypdf),
        "pdftotext": timed(with_pdftotext),
        "ibtpost reader": timed(with_pagetext),
        "whole check": timed(whole),
    }


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path)
    parser.add_argument("--processes", type=int)
    parser.add_argument("--sample", type=int, default=20)
    args = parser.parse_args()
    root = prepare(args.root)
    folder = root / "outbox" / BATCH

    started = time.perf_counter()
    report = run_check(root)
    check_seconds = time.perf_counter() - started
    if report.errors:
        raise SystemExit(f"ibtpost check found errors: {report.errors[0]}")

    with Register.for_root(root) as register:
        letters = letter_register.batch_letters(register, BATCH)
    definition = load_letter(root, "trede-2")
    (folder / lettercheck.CHECKS_FILE).unlink(missing_ok=True)
    started, used = time.perf_counter(), cpu()
    cold = lettercheck.check_letters(folder, letters, definition, args.processes)
    cold_seconds, cold_cpu = time.perf_counter() - started, cpu() - used
    if cold.failed:
        raise SystemExit(f"{len(cold.failed)} letters failed, e.g. {cold.failed[0]}")
    warm = lettercheck.check_letters(folder, letters, definition, args.processes)
    if warm.cached != len(letters):
        raise SystemExit("the second run did not take every outcome from checks.json")

    step = max(1, len(letters) // args.sample)
    sample = letters[::step][: args.sample]
    pdfs = [next(folder.glob(f"{x.reference}-*.pdf")) for x in sample]
    docxs = [p.with_suffix(".docx") for p in pdfs]
    costs = per_letter(pdfs, docxs, lettercheck.Spec.of(sample[0], definition))

    pages = sum(c.pages or 0 for c in cold.letters)
    print(f"ibtpost check (data, definitions, template): {check_seconds:.2f} s")
    print(
        f"letter checks, cold: {len(letters)} letters, {pages} pages in {cold_seconds:.2f} s "
        f"({cold_cpu:.2f} s processor time)"
    )
    print(f"letter checks, warm (checks.json): {warm.seconds:.2f} s")
    for name, seconds in costs.items():
        print(f"per letter, {name}: {seconds * 1000:.1f} ms processor time")


if __name__ == "__main__":
    run()
