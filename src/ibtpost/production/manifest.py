"""The files that describe a finished batch: manifest.csv and manifest.json."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ibtpost.core.domain import Municipality
from ibtpost.core.files import write_atomic
from ibtpost.core.layout import BatchLayout
from ibtpost.documents.pdf.printfile import PRINT_FILE

if TYPE_CHECKING:
    from ibtpost.production.notice import Notice
    from ibtpost.production.selection import Plan


@dataclass
class BatchLetter:
    """A produced letter of a batch: a row of its manifest."""

    reference: str
    municipality: Municipality
    docx: Path
    pdf: Path
    docx_sha256: str
    pdf_sha256: str
    pages: int
    sample: bool
    data_source: str
    converted: bool


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
    "kennisgeving_docx",
    "kennisgeving_pdf",
    "kennisgeving_pdf_sha256",
)


def write_manifests(
    folder: Path,
    plan: Plan,
    letters: list[BatchLetter],
    reasons: dict[str, str | None],
    notices: Mapping[str, Notice] | None = None,
) -> None:
    """manifest.csv and manifest.json: a row per letter, with its kennisgeving if any."""
    notices = notices or {}
    request, definition = plan.request, plan.definition
    rows: list[dict[str, Any]] = [
        {
            "reference": item.reference,
            "municipality": item.municipality.code,
            "name": item.municipality.name,
            "trede": definition.trede if definition.on_ladder else None,
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
            **_notice_fields(notices.get(item.reference)),
        }
        for item in letters
    ]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(BatchLayout(folder).manifest_csv, text.getvalue().encode("utf-8"))
    document = {
        "batch": plan.id,
        "letter": definition.id,
        "trede": definition.trede if definition.on_ladder else None,
        "status": definition.status,
        "date": request.day.isoformat(),
        "concept": request.concept,
        "reason": request.reason,
        "print_file": PRINT_FILE,
        "letters": rows,
    }
    data = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    write_atomic(BatchLayout(folder).manifest_json, data.encode("utf-8"))


def _notice_fields(notice: Notice | None) -> dict[str, str]:
    if notice is None:
        return {"kennisgeving_docx": "", "kennisgeving_pdf": "", "kennisgeving_pdf_sha256": ""}
    return {
        "kennisgeving_docx": notice.docx.name,
        "kennisgeving_pdf": notice.pdf.name,
        "kennisgeving_pdf_sha256": notice.pdf_sha256,
    }
