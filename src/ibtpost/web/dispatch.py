"""Verzenden (``/dispatch``, ``/batches/{id}/send``): queueing, sending and withdrawing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ibtpost.core.errors import IbtpostError, problem_lines
from ibtpost.dispatch.delivery import outbox_summary
from ibtpost.dispatch.postroom import withdraw
from ibtpost.dispatch.queue import queue_batch
from ibtpost.dispatch.send import SendOptions, send, transport_from_environment
from ibtpost.dispatch.states import DispatchState, entries
from ibtpost.production.supervision import complete_batch
from ibtpost.register import Register
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


def dispatch_page(request: Request) -> Response:
    """Verzenden: the batches, what is queued and sent, and the way to queue and send."""
    web: Web = request.app.state.web
    with Register.for_root(web.root) as register:
        rows = [row for row in outbox_summary(register) if row.complete]
    return render(request, "dispatch.html", {"nav": "dispatch", "title": "Verzenden", "rows": rows})


async def queue(request: Request) -> Response:
    """Queue a batch: ``queue_batch`` (the letter checks, then the frozen messages) in the
    background; the batch page shows each failed letter's reasons."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])

    def work(job: Job) -> list[str]:
        # the checks read the PDFs in this process: no fork() of a server with threads
        result = queue_batch(web.root, batch_id, processes=1)
        job.result = result
        return [
            *(f"niet klaargezet: {check}" for check in result.failed),
            *(f"postkamer: {line}" for line in result.missing),
            f"batch {result.batch}: {result.queued} klaargezet voor e-mail, {result.post} voor "
            f"de postkamer, {result.already} al klaargezet; {result.file_only} alleen naar "
            "bestanden (voorbeeldgegevens of concept)",
        ]

    try:
        await call(_require_complete, web.root, batch_id)
        web.jobs.start(batch_id, "queue", f"Batch {batch_id} klaarzetten", work)
    except IbtpostError as exc:
        return batch_view(request, web, batch_id, form_errors(exc), 409)
    return RedirectResponse(f"/batches/{batch_id}", 303)


def _require_complete(root: Path, batch_id: str) -> None:
    with Register.for_root(root) as register:
        complete_batch(register, batch_id)


def send_page(request: Request) -> Response:
    """The confirmation before sending: counts, the transport, what live SMTP would refuse."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])
    return _send_view(request, web, batch_id, {})


def _send_view(
    request: Request, web: Web, batch_id: str, errors: dict[str, list[str]], status_code: int = 200
) -> Response:
    with Register.for_root(web.root) as register:
        if register.batch(batch_id) is None:
            raise not_found(f"batch {batch_id}")
        queued = entries(register, batch_id)
    counts = {state.value: sum(e.state == state for e in queued) for state in DispatchState}
    transport: dict[str, Any] = {}
    try:
        chosen = transport_from_environment()
        settings = getattr(chosen, "settings", None)
        transport = {
            "name": chosen.name,
            "live": chosen.live,
            "server": f"{settings.scheme}://{settings.host}:{settings.port}" if settings else None,
        }
    except IbtpostError as exc:
        errors = {**errors, "": [*errors.get("", []), *problem_lines(exc)]}
    refused = [e for e in queued if e.state == DispatchState.QUEUED and e.only_file]
    return render(
        request,
        "send.html",
        {
            "nav": "dispatch",
            "title": f"Verzenden: {batch_id}",
            "batch_id": batch_id,
            "counts": counts,
            "transport": transport,
            "refused": refused,
            "job": web.jobs.get(batch_id),
            "errors": errors,
        },
        status_code,
    )


async def send_batch(request: Request) -> Response:
    """Send a batch's queue: ``send`` with the transport of the environment (file transport
    unless IBTPOST_SMTP_URL is set), in the background."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])

    def work(job: Job) -> list[str]:
        transport = transport_from_environment()
        report = send(web.root, SendOptions(batch=batch_id), transport, job.progress)
        job.result = report
        return [
            *(f"verzonden {ref}" for ref in report.sent),
            *(f"mislukt {ref}: {why}" for ref, why in report.failed),
            *(f"niet verzonden {ref}: {why}" for ref, why in report.refused),
            *(f"onzeker {ref}" for ref in report.in_doubt),
            f"{len(report.sent)} verzonden, {len(report.failed)} mislukt, "
            f"{len(report.in_doubt)} onzeker, {len(report.refused)} geweigerd, "
            f"{len(report.left)} door een andere run genomen, via {transport.name} in "
            f"{report.seconds:.1f} s",
        ]

    try:
        web.jobs.start(batch_id, "send", f"Batch {batch_id} verzenden", work)
    except IbtpostError as exc:
        return _send_view(request, web, batch_id, form_errors(exc), 409)
    return RedirectResponse(f"/batches/{batch_id}", 303)


async def withdraw_letter(request: Request) -> Response:
    """Withdraw a queued letter: ``withdraw`` (``ibtpost withdraw BATCH -r REF --reason``)."""
    web: Web = request.app.state.web
    batch_id = batch_id_of(request.path_params["batch"])
    form = await request.form()
    values = form_values(form, ("reference", "reason"))
    try:
        await call(withdraw, web.root, batch_id, (values["reference"],), values["reason"])
    except IbtpostError as exc:
        return batch_view(request, web, batch_id, form_errors(exc), 400)
    return RedirectResponse(f"/batches/{batch_id}", 303)
