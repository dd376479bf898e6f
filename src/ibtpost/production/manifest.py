"""The files that describe a finished batch: manifest.csv, manifest.json, print.pdf."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pikepdf

from ibtpost.files import write_atomic

if TYPE_CHECKING:
    from ibtpost.production.batch import BatchLetter
    from ibtpost.production.selection import Plan

MANIFEST_FIELDS = (
    "reference",
    "municipality",
    "name",
    "trede",
    "letter",
    "date",
    "docx",
    "pdf",
    "docx_sha256",
    "pdf_sha256",
    "pages",
    "data_source",
    "sample",
    "concept",
    "reason",
)
PRINT_FILE = "print.pdf"


def write_manifests(
    folder: Path, plan: Plan, letters: list[BatchLetter], reasons: dict[str, str | None]
) -> None:
    request, definition = plan.request, plan.definition
    rows: list[dict[str, Any]] = [
        {
            "reference": item.reference,
            "municipality": item.municipality.code,
            "name": item.municipality.name,
            "trede": definition.trede,
            "letter": definition.id,
            "date": request.day.isoformat(),
            "docx": item.docx.name,
            "pdf": item.pdf.name,
            "docx_sha256": item.docx_sha256,
            "pdf_sha256": item.pdf_sha256,
            "pages": item.pages,
            "data_source": item.data_source,
            "sample": item.sample,
            "concept": request.concept,
            "reason": reasons.get(item.reference) or "",
        }
        for item in letters
    ]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(folder / "manifest.csv", text.getvalue().encode("utf-8"))
    document = {
        "batch": plan.id,
        "letter": definition.id,
        "trede": definition.trede,
        "status": definition.status,
        "date": request.day.isoformat(),
        "concept": request.concept,
        "reason": request.reason,
        "print_file": PRINT_FILE,
        "letters": rows,
    }
    data = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    write_atomic(folder / "manifest.json", data.encode("utf-8"))


def print_file(letters: list[pikepdf.Pdf]) -> bytes:
    """One PDF of all letters for the post room, each letter starting on a new sheet
    (a blank page after a letter with an odd page count, for duplex printing)."""
    with pikepdf.new() as out:
        for doc in letters:
            out.pages.extend(doc.pages)
            if len(doc.pages) % 2:
                box = doc.pages[-1].mediabox
                out.add_blank_page(page_size=(float(box[2]), float(box[3])))
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
        return buffer.getvalue()
