"""Brief (``/letters/{reference}``): one letter's pages, recipients, checks and files."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ibtpost.core.files import sha256_file
from ibtpost.core.messages import say
from ibtpost.register.motivering import PARTS
from ibtpost.rules.gates import LITIGATION_KINDS
from ibtpost.service.common import NotFound
from ibtpost.service.letters import LetterFile, letter_file, letter_view
from ibtpost.web.common import Web, not_found, render
from ibtpost.web.pages import page_images


def _letter_file(web: Web, reference: str, suffix: str) -> LetterFile:
    try:
        return letter_file(web.root, reference, suffix)
    except NotFound as exc:
        raise not_found(exc.what) from None


#: the parts of a motivering, as the letter's page titles them (the message catalogue's)
PART_TITLES = {part: say(f"motivering.part.{part}", "nl").capitalize() for part in PARTS}
#: an event at the court as the letter's page names it (the message catalogue's)
LITIGATION_WORDS = {kind: say(f"litigation.event.{kind}", "nl") for kind in LITIGATION_KINDS}


def letter_page(request: Request) -> Response:
    """Brief: one letter's pages, recipients, checks, delivery state, audit events, files."""
    web: Web = request.app.state.web
    try:
        view = letter_view(web.root, request.path_params["reference"])
    except NotFound as exc:
        raise not_found(exc.what) from None
    images = page_images(web.root, view.pdf, view.sha256)
    letter, entry = view.letter, view.entry
    copies = [  # the copies with a mail of their own: as queued, else as config/ has them
        {
            "to": c.to,
            "kind": c.kind,
            "address": c.address,
            "state": c.delivery.label_nl if c.delivery else None,
        }
        for c in view.copies
    ]
    return render(
        request,
        "letter.html",
        {
            "nav": "batches",
            "title": f"Brief {letter.reference}",
            "letter": letter,
            "municipality": view.municipality,
            "pages": len(images),
            "sha": view.sha256,
            "matches": view.matches,
            "entry": entry,
            "state": view.delivery.label_nl,
            "recipients": view.recipients,
            "copies": copies,
            "check": view.check,
            "events": view.events,
            "publication": view.publication,
            "litigation": view.litigation,
            "litigation_words": LITIGATION_WORDS,
            "written": view.written(),
            "corrections": view.corrections,
            "notice": view.notice,
            "part_titles": PART_TITLES,
            "correctable": view.correctable,
            "withdrawable": view.withdrawable,
        },
    )


def letter_page_image(request: Request) -> Response:
    """One page of a letter as PNG."""
    web: Web = request.app.state.web
    pdf = _letter_file(web, request.path_params["reference"], "pdf").path
    images = page_images(web.root, pdf, sha256_file(pdf))
    number = int(request.path_params["page"])
    if not 1 <= number <= len(images):
        raise not_found("page")
    return FileResponse(images[number - 1], media_type="image/png")


def letter_download(request: Request) -> Response:
    """The letter's PDF or Word file."""
    web: Web = request.app.state.web
    suffix = request.path_params["kind"]
    path = _letter_file(web, request.path_params["reference"], suffix).path
    media = (
        "application/pdf"
        if suffix == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return FileResponse(path, media_type=media, filename=path.name)
