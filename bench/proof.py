"""Benchmark: `ibtpost proof` of every municipality a trede-2 letter applies to, against the
batch of the same letters.

    python bench/proof.py [--repeat 2] [--merge-sample 20] [--json FILE]

In one run, on a private copy of the shipped data:

1. batch   `ibtpost batch trede-2 --date 2026-04-09` end to end (a process of its own);
2. proof   `ibtpost proof trede-2 --date 2026-04-09` end to end: the same 308 letters
           composed, rendered and converted, stamped CONCEPT and joined into one PDF;
3. join    the joining and stamping alone, on the batch's own PDFs, in this process: the
           Form XObject route of ibtpost.watermark, against pypdf's `merge_page` of a
           watermark page onto every page (for a sample of letters, extrapolated).

Batch and proof run in turns (`--repeat`), in alternating order, each on a fresh outbox,
and each takes its best run: the speed of the shared virtual cores drifts.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import shutil
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from batch import DAY, finish, timed, workspace  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402

from ibtpost.documents.pdf.watermark import ReviewCopy  # noqa: E402


def join_ours(pdfs: list[bytes]) -> tuple[float, int]:
    """Seconds to stamp and join ``pdfs`` the way a proof does; pages."""
    start = time.perf_counter()
    copy = ReviewCopy("bench")
    for pdf in pdfs:
        copy.add(pdf, "letter")
    copy.write()
    return time.perf_counter() - start, copy.pages


def join_merge_page(pdfs: list[bytes]) -> float:
    """Seconds to join ``pdfs`` with pypdf's merge_page of a watermark page per page."""
    stamp = ReviewCopy("stamp")
    blank = PdfWriter()
    blank.add_blank_page(595.3, 841.9)
    buffer = io.BytesIO()
    blank.write(buffer)
    stamp.add(buffer.getvalue())
    watermark = PdfReader(io.BytesIO(stamp.write())).pages[0]
    start = time.perf_counter()
    writer = PdfWriter()
    for pdf in pdfs:
        for source in PdfReader(io.BytesIO(pdf)).pages:
            page = writer.add_page(source)
            page.merge_page(watermark)
    writer.write(io.BytesIO())
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="turns of batch and proof")
    parser.add_argument(
        "--merge-sample", type=int, default=20, help="letters for the merge_page way"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    work, root, ibtpost, env = workspace("ibtpost-bench-proof-")
    print(f"machine: {os.cpu_count()} cores", flush=True)

    batch_runs: list[tuple[float, int]] = []
    proof_runs: list[tuple[float, int]] = []
    folder = work
    pages = 0
    for turn in range(1, args.repeat + 1):
        order = ("batch", "proof") if turn % 2 else ("proof", "batch")
        for kind in order:
            shutil.rmtree(root / "outbox", ignore_errors=True)
            command = [*ibtpost, kind, "trede-2", "--date", DAY]
            seconds, memory, report = timed(command, env)
            if kind == "batch":
                batch_runs.append((seconds, memory))
                folder = Path(report.strip().splitlines()[-1])
                kept = work / "batch-pdfs"
                shutil.rmtree(kept, ignore_errors=True)
                kept.mkdir()
                for pdf in folder.glob("[0-9]*.pdf"):
                    shutil.copy(pdf, kept / pdf.name)
            else:
                proof_runs.append((seconds, memory))
                summary = next(line for line in report.splitlines() if "letters," in line)
                pages = int(summary.split(" pages")[0].rsplit(" ", 1)[1])
            print(f"[{turn}] {kind:5}  {seconds:6.1f} s  peak {memory / 2**20:.0f} MiB", flush=True)

    pdfs = [p.read_bytes() for p in sorted((work / "batch-pdfs").glob("*.pdf"))]
    n = len(pdfs)
    ours, joined = join_ours(pdfs)
    sample = pdfs[:: max(1, n // args.merge_sample)][: args.merge_sample]
    merged = join_merge_page(sample) / len(sample) * n
    batch_s, batch_mem = min(batch_runs)
    proof_s, proof_mem = min(proof_runs)
    print(f"batch   {batch_s:7.1f} s  {n} letters  peak {batch_mem / 2**20:.0f} MiB")
    print(f"proof   {proof_s:7.1f} s  {pages} pages  peak {proof_mem / 2**20:.0f} MiB")
    print(f"join    {ours:7.1f} s  Form XObject, {joined} pages")
    print(f"join    {merged:7.1f} s  merge_page (sample of {len(sample)}, extrapolated)")
    figures = {
        "letters": n,
        "pages": pages,
        "repeat": args.repeat,
        "batch_seconds": round(batch_s, 2),
        "batch_peak_mib": round(batch_mem / 2**20),
        "proof_seconds": round(proof_s, 2),
        "proof_peak_mib": round(proof_mem / 2**20),
        "proof_over_batch": round(proof_s / batch_s, 3),
        "join_xobject_seconds": round(ours, 2),
        "join_merge_page_seconds_extrapolated": round(merged, 1),
    }
    print(f"ratio   proof/batch = {figures['proof_over_batch']:.3f}")
    return finish(figures, args.json, work, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
