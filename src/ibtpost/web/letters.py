"""Brief (``/letters/{reference}``): one letter's pages, recipients, checks and files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ibtpost.core.errors import IbtpostError
from ibtpost.core.files import sha256_file
from ibtpost.data.config import load_config
from ibtpost.data.recipients import MissingAddress, copy_recipients, mail_recipients
from ibtpost.dispatch.delivery import delivery
from ibtpost.dispatch.states import entry as queue_entry
from ibtpost.register import Register, audit, validate_reference
from ibtpost.register.dispatch import copies_of
from ibtpost.review.lettercheck import check_letters, seal_roots_of
from ibtpost.text.definitions import load_letter
from ibtpost.web.common import Web, not_found, render
from ibtpost.web.pages import page_images


def _letter_file(root: Path, reference: str, suffix: str) -> tuple[Path, Any]:
    """The file of a letter (``pdf`` or ``docx``) as its batch's manifest names it."""
    try:
        reference = validate_reference(reference)
    except IbtpostError:
        raise not_found(f"brief {reference}") from None
    with Register.for_root(root) as register:
        letter = register.letter_by_reference(reference)
    if letter is None or letter.batch is None:
        raise not_found(f"brief {reference}")
    folder = root / "outbox" / letter.batch
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise not_found(f"manifest of {letter.batch}") from None
    row = next((r for r in manifest.get("letters", []) if r.get("reference") == reference), None)
    name = str(row.get(suffix, "")) if row else ""
    if not name or Path(name).name != name or not name.endswith(f".{suffix}"):
        raise not_found(f"{suffix} of {reference}")
    path = folder / name
    if not path.is_file():
        raise not_found(f"{suffix} of {reference}")
    return path, letter


def letter_page(request: Request) -> Response:
    """Brief: one letter's pages, recipients, checks, delivery state, audit events, files."""
    web: Web = request.app.state.web
    reference = request.path_params["reference"]
    pdf, letter = _letter_file(web.root, reference, "pdf")
    config = load_config(web.root)
    municipality = config.municipalities.get(letter.municipality)
    with Register.for_root(web.root) as register:
        entry = queue_entry(register, letter.reference)
        queued_copies = {c.role: c for c in copies_of(register, letter.reference)}
        events = list(audit.events(register, letter.reference))
        batch = register.batch(letter.batch) if letter.batch else None
    sha = sha256_file(pdf)
    images = page_images(web.root, pdf, sha)
    recipients: dict[str, Any] = {}
    if entry is not None and entry.college:
        recipients = {"to": entry.college, "cc": ", ".join(entry.copies), "frozen": True}
    elif municipality is not None:
        found = mail_recipients(municipality, config)
        if isinstance(found, MissingAddress):
            recipients = {"missing": str(found)}
        else:
            recipients = {"to": found.to, "cc": found.cc, "frozen": False}
    definition = load_letter(web.root, letter.letter)
    copies = [  # the copies with a mail of their own: as queued, else as config/ has them
        {
            "to": c.mentioned,
            "kind": c.kind,
            "address": queued.college if queued else c.address,
            "state": delivery(letter, queued).label_nl if queued else None,
        }
        for c in (copy_recipients(definition.copies, municipality, config) if municipality else [])
        for queued in [queued_copies.get(c.role)]
    ]
    # the checks `queue` runs, the seal's included (a concept is never sealed)
    roots = seal_roots_of(config.settings, batch.concept if batch else letter.concept)
    checked = check_letters(pdf.parent, [letter], definition, 1, roots).letters
    return render(
        request,
        "letter.html",
        {
            "nav": "batches",
            "title": f"Brief {letter.reference}",
            "letter": letter,
            "municipality": municipality,
            "pages": len(images),
            "sha": sha,
            "matches": sha == letter.pdf_sha256,
            "entry": entry,
            "state": delivery(letter, entry).label_nl,
            "recipients": recipients,
            "copies": copies,
            "check": checked[0] if checked else None,
            "events": events,
        },
    )


def letter_page_image(request: Request) -> Response:
    """One page of a letter as PNG."""
    web: Web = request.app.state.web
    pdf, _ = _letter_file(web.root, request.path_params["reference"], "pdf")
    images = page_images(web.root, pdf, sha256_file(pdf))
    number = int(request.path_params["page"])
    if not 1 <= number <= len(images):
        raise not_found("page")
    return FileResponse(images[number - 1], media_type="image/png")


def letter_download(request: Request) -> Response:
    """The letter's PDF or Word file."""
    web: Web = request.app.state.web
    suffix = request.path_params["kind"]
    if suffix not in ("pdf", "docx"):
        raise not_found(suffix)
    path, _ = _letter_file(web.root, request.path_params["reference"], suffix)
    media = (
        "application/pdf"
        if suffix == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return FileResponse(path, media_type=media, filename=path.name)
