"""The print file: letters joined for the post room, each starting on a new sheet."""

from __future__ import annotations

import io

import pikepdf

#: In a batch folder: every letter of the batch, for the post room.
PRINT_FILE = "print.pdf"


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
