"""Batches (``/batches``) and a batch (``/batches/{id}``): making a batch, its progress, its
letters and its files."""

from __future__ import annotations

import copy
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ibtpost.core import clock
from ibtpost.core.errors import IbtpostError
from ibtpost.dispatch.queue import only_file_words
from ibtpost.production.selection import BatchRequest
from ibtpost.service import batches as service
from ibtpost.service.batches import Candidates, converted_since
from ibtpost.service.common import NotFound
from ibtpost.service.dispatch import outbox, queue_states
from ibtpost.web.common import (
    Web,
    as_web,
    batch_id_of,
    call,
    form_errors,
    form_values,
    letter_id_of,
    not_found,
    render,
)
from ibtpost.web.jobs import Job, JobState
from ibtpost.web.words import Message, messages, not_a_date

#: the media type of each file of a batch the server hands out
MEDIA = {".csv": "text/csv; charset=utf-8", ".json": "application/json", ".pdf": "application/pdf"}


def batches(request: Request) -> Response:
    """Batches: ``ibtpost outbox``, and the form that makes a batch (filled in from the
    query: ``?letter=herstel&corrects=7500001``, the links on a letter's page)."""
    q = request.query_params
    values = {k: q[k] for k in ("letter", "corrects") if q.get(k)}
    return _batches_page(request, values, {})


def _batches_page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status_code: int = 200,
) -> Response:
    web: Web = request.app.state.web
    rows = outbox(web.root, changes=False).rows
    definitions = service.letter_choices(web.root)
    letter = values.get("letter") or next((d.id for d in definitions if d.status == "final"), "")
    day_text = values.get("date") or clock.today().isoformat()
    try:
        day = clock.parse_date(day_text)
        found = (
            as_web(
                service.candidates,
                web.root,
                letter,
                day,
                bool(values.get("concept")),
                values.get("corrects") or None,
            )
            if letter
            else Candidates()
        )
    except ValueError:
        found = Candidates()
    chosen = values.get("municipalities")
    return render(
        request,
        "batches.html",
        {
            "nav": "batches",
            "title": "Batches",
            "rows": rows,
            "definitions": definitions,
            "values": {**values, "letter": letter, "date": day_text},
            "candidates": found,
            "notes": _notes(found),
            "chosen": None if chosen is None else set(chosen),
            "errors": errors,
        },
        status_code,
    )


def batch_candidates(request: Request) -> Response:
    """The due municipalities of the batch form (fetched by htmx when letter or date change)."""
    web: Web = request.app.state.web
    q = request.query_params
    try:
        day = clock.parse_date(q.get("date", ""))
    except ValueError:
        return render(
            request,
            "_candidates.html",
            {
                "candidates": Candidates(),
                "notes": [],
                "date_error": not_a_date(q.get("date", "")),
                "chosen": None,
            },
        )
    letter = letter_id_of(q.get("letter", ""))
    corrects = q.get("corrects", "").strip() or None
    found = as_web(service.candidates, web.root, letter, day, bool(q.get("concept")), corrects)
    return render(
        request, "_candidates.html", {"candidates": found, "notes": _notes(found), "chosen": None}
    )


def _notes(found: Candidates) -> list[str]:
    """Why the others are not due, and what stops the plan, in Dutch."""
    return [
        *(messages(found.problem) if found.problem else ()),
        *(n.text("nl") for n in found.notes),
    ]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


async def make_batch(request: Request) -> Response:
    """Make a batch: the checks of ``ibtpost batch`` now (errors next to the fields, nothing
    recorded), then ``run_batch`` in the background with its progress on the batch's page."""
    web: Web = request.app.state.web
    form = await request.form()
    values: dict[str, Any] = form_values(
        form, ("letter", "date", "reason", "extra", "concept", "corrects")
    )
    chosen = [str(v) for v in form.getlist("municipalities")]
    values["municipalities"] = chosen
    due = [str(v) for v in form.getlist("due")]
    errors: dict[str, list[str]] = {}
    try:
        day = clock.parse_date(values["date"])
    except ValueError:
        errors["date"] = [not_a_date(values["date"])]
    letter = values["letter"]
    if not letter:
        errors["letter"] = [Message("Brief: kies een brief")]
    if errors:
        return _batches_page(request, values, errors, 400)
    extra = _lines(values["extra"])
    everyone_due = not extra and bool(due) and set(chosen) == set(due)
    batch_request = BatchRequest(
        letter=letter,
        day=day,
        municipalities=() if everyone_due else tuple(chosen + extra),
        concept=bool(values["concept"]),
        reason=values["reason"].strip() or None,
        corrects=values["corrects"].strip() or None,
    )
    if not everyone_due and not batch_request.municipalities and not batch_request.corrects:
        errors["municipalities"] = [Message("Gemeenten: kies ten minste één gemeente")]
        return _batches_page(request, values, errors, 400)
    try:
        planned = await call(service.plan, web.root, batch_request)
    except IbtpostError as exc:
        return _batches_page(request, values, form_errors(exc), 400)

    def work(job: Job) -> list[str]:
        job.watch_converted = converted_since(web.root, planned.id)
        made = service.make_batch(web.root, batch_request, job.progress)
        job.converted = made.result.converted
        job.result = made.result
        return [line.text("nl") for line in (made.summary, *made.warnings)]

    try:
        web.jobs.start(planned.id, "batch", f"Batch {planned.id} maken", work)
    except IbtpostError as exc:
        return _batches_page(request, values, form_errors(exc), 409)
    return RedirectResponse(f"/batches/{planned.id}", 303)


def batch_page(request: Request) -> Response:
    """A batch: its letters with their state, its files, its job, and the dispatch actions."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])
    return batch_view(request, web, batch_id, {})


def batch_view(
    request: Request, web: Web, batch_id: str, errors: dict[str, list[str]], status_code: int = 200
) -> Response:
    job = web.jobs.get(batch_id)
    if job is not None:
        # a snapshot taken before the rows are read: a job that ends while they are read
        # still shows as running (and the page reloads when it ends), never as done beside
        # rows from before its end
        job = copy.copy(job.refresh())
    view = service.batch_view(web.root, batch_id)
    if view.batch is None and job is None:
        raise not_found(f"batch {batch_id}")
    queued = queue_states(web.root, batch_id) if view.batch else {}
    failed = (
        {check.reference: check for check in job.result.failed}
        if job is not None and job.kind == "queue" and job.state == JobState.DONE
        else {}
    )
    rows = []
    for row in view.rows:
        letter = row.letter
        entry = queued.get(letter.reference)
        rows.append(
            {
                "reference": letter.reference,
                "code": letter.municipality,
                "name": row.name,
                "state": row.delivery.state,
                "state_text": row.delivery.label_nl,
                "pages": letter.pages,
                "sample": letter.sample,
                "only_file": only_file_words(entry.only_file, "nl")
                if entry and entry.only_file
                else None,
                "withdrawable": entry is not None and entry.withdrawable,
                "checks": (
                    "; ".join(failed[letter.reference].problems)
                    if letter.reference in failed
                    else ("geslaagd" if entry is not None and entry.checked else "")
                ),
                "failed": letter.reference in failed,
            }
        )
    return render(
        request,
        "batch.html",
        {
            "nav": "batches",
            "title": f"Batch {batch_id}",
            "batch": view.batch,
            "batch_id": batch_id,
            "rows": rows,
            "files": view.files,
            "job": job,
            "errors": errors,
        },
        status_code,
    )


def batch_progress(request: Request) -> Response:
    """The progress block of a batch's job (polled by htmx); reloads the page once done."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])
    job = web.jobs.get(batch_id)
    if job is None:
        raise not_found(f"job {batch_id}")
    response = render(request, "_progress.html", {"job": job.refresh(), "batch_id": batch_id})
    if not job.running:
        response.headers["HX-Refresh"] = "true"
    return response


def batch_file(request: Request) -> Response:
    """manifest.csv, manifest.json, print.pdf or post-room.pdf of a batch the register knows."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])
    try:
        path = service.batch_file(web.root, batch_id, request.path_params["name"])
    except NotFound as exc:
        raise not_found(exc.what) from None
    return FileResponse(path, media_type=MEDIA[path.suffix], filename=f"{batch_id}-{path.name}")
