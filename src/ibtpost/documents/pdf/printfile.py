"""The print file: letters joined for the post room, each starting on a new sheet."""

from __future__ import annotations

import io
import warnings

import pikepdf

#: In a batch folder: every letter of the batch, for the post room.
PRINT_FILE = "print.pdf"


def print_file(letters: list[pikepdf.Pdf]) -> bytes:
    """One PDF of all letters for the post room, each letter starting on a new sheet
    (a blank page after a letter with an odd page count, for duplex printing). A sealed
    letter's pages come without its signature field: a seal means nothing on paper."""
    with pikepdf.new() as out, warnings.catch_warnings():
        # pikepdf warns that form fields are not carried over: on purpose, see above
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        for doc in letters:
            first = len(out.pages)
            out.pages.extend(doc.pages)
            for page in out.pages[first:]:
                _drop_signature_fields(page)
            if len(doc.pages) % 2:
                box = doc.pages[-1].mediabox
                out.add_blank_page(page_size=(float(box[2]), float(box[3])))
        buffer = io.BytesIO()
        out.save(buffer, deterministic_id=True)
        return buffer.getvalue()


def _drop_signature_fields(page: pikepdf.Page) -> None:
    annots = page.obj.get("/Annots")
    if annots is None:
        return
    kept = [a for a in annots if a.get("/FT") != "/Sig"]
    if len(kept) != len(annots):
        page.obj.Annots = pikepdf.Array(kept)
