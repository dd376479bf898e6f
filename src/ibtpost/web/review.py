"""Beoordelen (``/review``, ``/review/{letter}``): the diff, the preview, the edge-case proof
and approving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ibtpost.core import clock
from ibtpost.core.errors import IbtpostError
from ibtpost.core.files import sha256_file
from ibtpost.service.review import (
    approve,
    has_definition,
    letter_review,
    letters_to_review,
    preview,
    proof,
)
from ibtpost.web.common import (
    Web,
    call,
    form_errors,
    form_values,
    letter_id_of,
    not_found,
    render,
)
from ibtpost.web.jobs import Job
from ibtpost.web.pages import page_images
from ibtpost.web.words import Message, messages, not_a_date

REVIEW_TEXT = {
    "draft": "concept (draft)",
    "approved": "goedgekeurd zoals het is",
    "changed": "gewijzigd sinds goedkeuring",
    "incomplete": "goedkeuringen nodig",
    "unapproved": "nooit goedgekeurd",
}


def review_list(request: Request) -> Response:
    """Beoordelen: every letter definition and where it stands."""
    web: Web = request.app.state.web
    found = letters_to_review(web.root)
    problems = [line for exc in found.problems for line in messages(exc)]
    return render(
        request,
        "review.html",
        {
            "nav": "review",
            "title": "Beoordelen",
            "states": found.states,
            "texts": REVIEW_TEXT,
            "problems": problems,
        },
    )


def review_letter(request: Request) -> Response:
    """One letter: the word diff (approved -> working copy, or any two versions), the
    preview and the edge-case proof, and approving."""
    letter = letter_id_of(request.path_params["letter"])
    return _review_view(request, letter, {}, {})


def _review_view(
    request: Request,
    letter: str,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status_code: int = 200,
    extra: dict[str, Any] | None = None,
) -> Response:
    web: Web = request.app.state.web
    q = request.query_params
    old, new = q.get("from") or None, q.get("to") or None
    try:
        view = letter_review(web.root, letter, old, new)
    except IbtpostError as exc:
        return _broken(request, letter, exc)
    if view.problem is not None:
        errors = {**errors, **form_errors(view.problem)}
    return render(
        request,
        "review_letter.html",
        {
            "nav": "review",
            "title": f"Beoordelen: {letter}",
            "letter": letter,
            "state": view.state,
            "texts": REVIEW_TEXT,
            "diff": view.diff,
            "versions": view.versions,
            "known": [_version_label(line) for line in view.diff.known],
            "selected": {"from": old or "", "to": new or ""},
            "names": view.names,
            "values": {"date": clock.today().isoformat(), **values},
            "errors": errors,
            "proof_job": web.jobs.get(f"proof:{letter}"),
            **(extra or {}),
        },
        status_code,
    )


#: the notes of a version (``diff``'s English) as the page says them
_VERSION_NOTES = (
    ("first used ", "voor het eerst gebruikt "),
    ("was approved by ", "eerder goedgekeurd door "),
    ("approved by ", "goedgekeurd door "),
    ("working copy", "werkversie"),
)


def _version_label(line: str) -> str:
    """A known version as the version menus show it, its notes in Dutch."""
    for english, dutch in _VERSION_NOTES:
        line = line.replace(english, dutch)
    return line


def _broken(request: Request, letter: str, exc: IbtpostError) -> Response:
    """A letter whose definition (or a file it needs) has an error: 422 with each problem's
    file and line; a letter without a definition file is not found (404)."""
    web: Web = request.app.state.web
    if not has_definition(web.root, letter):
        raise not_found(f"brief {letter}")
    return render(
        request,
        "error.html",
        {
            "nav": "review",
            "title": f"Beoordelen: {letter}",
            "detail": f"De brief {letter} kan niet worden getoond: een bestand bevat een fout. "
            "Verbeter het bestand en laad deze pagina opnieuw.",
            "problems": messages(exc),
        },
        422,
    )


async def approve_letter(request: Request) -> Response:
    """Approve the working copy: ``approve``, the gate ``ibtpost approve`` uses."""
    web: Web = request.app.state.web
    letter = letter_id_of(request.path_params["letter"])
    form = await request.form()
    values = form_values(form, ("by", "note"))
    try:
        done = await call(approve, web.root, letter, values["by"], values["note"] or None)
    except IbtpostError as exc:
        return _review_view(request, letter, values, form_errors(exc), 400)
    message = "".join(line.text("nl") for line in (done.summary, done.count) if line)
    return _review_view(request, letter, {}, {}, 200, {"approved": message})


async def preview_letter(request: Request) -> Response:
    """A fresh review copy for one municipality: ``preview`` with the server's warm
    converters; its pages shown as images."""
    web: Web = request.app.state.web
    letter = letter_id_of(request.path_params["letter"])
    form = await request.form()
    values = form_values(form, ("municipality", "date"))
    try:
        day = clock.parse_date(values["date"])
    except ValueError:
        return _review_view(request, letter, values, {"date": [not_a_date(values["date"])]}, 400)
    if not values["municipality"].strip():
        missing: list[str] = [Message("Gemeente: kies een gemeente")]
        return _review_view(request, letter, values, {"municipality": missing}, 400)
    warm = web.warm.get() if web.warm else None
    try:
        made = await call(preview, web.root, letter, (values["municipality"],), day, None, warm)
    except IbtpostError as exc:
        found = form_errors(exc)
        found["municipality"] = found.pop("municipalities", []) + found.get("municipality", [])
        return _review_view(request, letter, values, found, 400)
    pdf = made.result.files[0]
    sha = sha256_file(pdf)
    web.previews[sha] = pdf
    pages = await run_in_threadpool(page_images, web.root, pdf, sha)
    return _review_view(
        request,
        letter,
        values,
        {},
        200,
        {
            "preview": {
                "sha": sha,
                "pages": len(pages),
                "warnings": [w.text("nl") for w in made.warnings],
            }
        },
    )


def preview_image(request: Request) -> Response:
    """A page of a review copy this server made."""
    web: Web = request.app.state.web
    pdf = web.previews.get(request.path_params["sha"])
    if pdf is None:
        raise not_found("preview")
    images = page_images(web.root, pdf, request.path_params["sha"])
    number = int(request.path_params["page"])
    if not 1 <= number <= len(images):
        raise not_found("page")
    return FileResponse(images[number - 1], media_type="image/png")


async def proof_letter(request: Request) -> Response:
    """The edge-case proof (``ibtpost proof LETTER --edge-cases``) in the background."""
    web: Web = request.app.state.web
    letter = letter_id_of(request.path_params["letter"])

    def work(job: Job) -> list[str]:
        made = proof(web.root, letter, clock.today(), edges=True, progress=job.progress)
        job.result = made.result.files[0]
        return [line.text("nl") for line in (*made.pages, *made.warnings, made.summary)]

    try:
        web.jobs.start(f"proof:{letter}", "proof", f"Proef {letter} (randgevallen)", work)
    except IbtpostError as exc:
        return _review_view(request, letter, {}, form_errors(exc), 409)
    return RedirectResponse(f"/review/{letter}#proef", 303)


def proof_file(request: Request) -> Response:
    """The PDF of the last finished edge-case proof of a letter."""
    web: Web = request.app.state.web
    letter = letter_id_of(request.path_params["letter"])
    job = web.jobs.get(f"proof:{letter}")
    if job is None or job.state != "done" or not isinstance(job.result, Path):
        raise not_found("proof")
    return FileResponse(job.result, media_type="application/pdf", filename=job.result.name)


def proof_progress(request: Request) -> Response:
    """The progress block of a proof (polled by htmx)."""
    web: Web = request.app.state.web
    letter = letter_id_of(request.path_params["letter"])
    job = web.jobs.get(f"proof:{letter}")
    if job is None:
        raise not_found("proof")
    response = render(
        request, "_progress.html", {"job": job, "poll": f"/review/{letter}/proof/progress"}
    )
    if not job.running:
        response.headers["HX-Refresh"] = "true"
    return response
