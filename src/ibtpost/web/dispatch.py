"""Verzenden (``/dispatch``, ``/batches/{id}/send``): queueing, sending and withdrawing."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ibtpost.core.errors import IbtpostError
from ibtpost.dispatch.queue import only_file_words
from ibtpost.dispatch.send import SendOptions
from ibtpost.service import dispatch as service
from ibtpost.service.dispatch import TransportInfo
from ibtpost.service.postroom import withdraw
from ibtpost.web.batches import batch_view
from ibtpost.web.common import (
    Web,
    batch_id_of,
    call,
    form_errors,
    form_values,
    not_found,
    render,
)
from ibtpost.web.jobs import Job
from ibtpost.web.words import messages


def dispatch_page(request: Request) -> Response:
    """Verzenden: the complete batches, what is queued and sent, the letters whose address
    changed since they were queued, and the way to queue and send."""
    web: Web = request.app.state.web
    found = service.outbox(web.root)
    return render(
        request,
        "dispatch.html",
        {
            "nav": "dispatch",
            "title": "Verzenden",
            "rows": found.complete,
            "changed": [line.text("nl") for line in found.changed_lines],
        },
    )


async def queue(request: Request) -> Response:
    """Queue a batch: ``service.dispatch.queue`` (the letter checks, then the frozen
    messages) in the background; the batch page shows each failed letter's reasons."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])

    def work(job: Job) -> list[str]:
        # the checks read the PDFs in this process: no fork() of a server with threads
        done = service.queue(web.root, batch_id, processes=1)
        job.result = done.result
        return [line.text("nl") for line in done.lines]

    try:
        await call(service.require_complete, web.root, batch_id)
        web.jobs.start(batch_id, "queue", f"Batch {batch_id} klaarzetten", work)
    except IbtpostError as exc:
        return batch_view(request, web, batch_id, form_errors(exc), 409)
    return RedirectResponse(f"/batches/{batch_id}", 303)


def send_page(request: Request) -> Response:
    """The confirmation before sending: counts, the transport, what live SMTP would refuse."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])
    return _send_view(request, web, batch_id, {})


def _send_view(
    request: Request, web: Web, batch_id: str, errors: dict[str, list[str]], status_code: int = 200
) -> Response:
    check = service.send_check(web.root, batch_id)
    if check is None:
        raise not_found(f"batch {batch_id}")
    transport: TransportInfo | None = None
    try:
        transport = service.transport_info()
    except IbtpostError as exc:
        errors = {**errors, "": [*errors.get("", []), *messages(exc)]}
    return render(
        request,
        "send.html",
        {
            "nav": "dispatch",
            "title": f"Verzenden: {batch_id}",
            "batch_id": batch_id,
            "counts": check.counts,
            "transport": transport,
            "refused": [
                {"reference": e.reference, "only_file": only_file_words(e.only_file or "", "nl")}
                for e in check.only_file
            ],
            "job": web.jobs.get(batch_id),
            "errors": errors,
        },
        status_code,
    )


async def send_batch(request: Request) -> Response:
    """Send a batch's queue: ``service.dispatch.send`` with the transport of the environment
    (file transport unless IBTPOST_SMTP_URL is set), in the background."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])

    def work(job: Job) -> list[str]:
        done = service.send(web.root, SendOptions(batch=batch_id), progress=job.progress)
        job.result = done.report
        return [line.text("nl") for line in done.lines]

    try:
        web.jobs.start(batch_id, "send", f"Batch {batch_id} verzenden", work)
    except IbtpostError as exc:
        return _send_view(request, web, batch_id, form_errors(exc), 409)
    return RedirectResponse(f"/batches/{batch_id}", 303)


async def withdraw_letter(request: Request) -> Response:
    """Withdraw a queued letter: ``service.postroom.withdraw`` (``ibtpost withdraw BATCH -r
    REF --reason``)."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])
    form = await request.form()
    values = form_values(form, ("reference", "reason"))
    try:
        await call(withdraw, web.root, batch_id, (values["reference"],), values["reason"])
    except IbtpostError as exc:
        return batch_view(request, web, batch_id, form_errors(exc), 400)
    return RedirectResponse(f"/batches/{batch_id}", 303)
