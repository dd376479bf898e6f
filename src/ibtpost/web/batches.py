"""Batches (``/batches``) and a batch (``/batches/{id}``): making a batch, its progress, its
letters and its files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from ibtpost.core import clock
from ibtpost.core.errors import IbtpostError
from ibtpost.data.config import load_config
from ibtpost.production.batch import check_request, run_batch
from ibtpost.production.selection import BatchRequest
from ibtpost.register import Register, audit, dispatch
from ibtpost.text.definitions import definition_files, load_letter
from ibtpost.web.common import (
    STATE_TEXT,
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
from ibtpost.web.jobs import Job
from ibtpost.web.words import Message, messages, not_a_date

#: the files of a batch folder the server hands out, by the name in the URL
BATCH_FILES = {
    "manifest.csv": ("manifest.csv", "text/csv; charset=utf-8"),
    "manifest.json": ("manifest.json", "application/json"),
    "print.pdf": ("print.pdf", "application/pdf"),
    "post-room.pdf": ("post-room.pdf", "application/pdf"),
}
MADE_TEXT = {"made": "gemaakt, niet klaargezet", "open": "nog niet gemaakt"}


def _definitions(root: Path) -> list[dict[str, str]]:
    out = []
    for path in definition_files(root):
        try:
            definition = load_letter(root, path.stem)
        except IbtpostError:
            continue
        out.append({"id": definition.id, "title": definition.title, "status": definition.status})
    return out


def _candidates(root: Path, letter: str, day: date, concept: bool) -> dict[str, Any]:
    """Who is due for ``letter`` on ``day`` (the plan of the batch of everyone due)."""
    try:
        draft = load_letter(root, letter).status == "draft"
        plan = check_request(
            root, BatchRequest(letter, day, concept=concept or draft), approval=False
        )
    except IbtpostError as exc:
        return {"due": [], "note": messages(exc)}
    return {
        "due": [{"code": p.municipality.code, "name": p.municipality.name} for p in plan.letters],
        "note": list(plan.skipped),
    }


def batches(request: Request) -> Response:
    """Batches: ``ibtpost outbox``, and the form that makes a batch."""
    return _batches_page(request, {}, {})


def _batches_page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status_code: int = 200,
) -> Response:
    web: Web = request.app.state.web
    with Register.for_root(web.root) as register:
        rows = dispatch.outbox_summary(register)
    definitions = _definitions(web.root)
    letter = values.get("letter") or next(
        (d["id"] for d in definitions if d["status"] == "final"), ""
    )
    day_text = values.get("date") or clock.today().isoformat()
    try:
        day = clock.parse_date(day_text)
        candidates = (
            as_web(_candidates, web.root, letter, day, bool(values.get("concept")))
            if letter
            else {"due": [], "note": []}
        )
    except ValueError:
        candidates = {"due": [], "note": []}
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
            "candidates": candidates,
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
                "candidates": {"due": [], "note": []},
                "date_error": not_a_date(q.get("date", "")),
                "chosen": None,
            },
        )
    letter = letter_id_of(q.get("letter", ""))
    found = as_web(_candidates, web.root, letter, day, bool(q.get("concept")))
    return render(request, "_candidates.html", {"candidates": found, "chosen": None})


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


async def make_batch(request: Request) -> Response:
    """Make a batch: the checks of ``ibtpost batch`` now (errors next to the fields, nothing
    recorded), then ``run_batch`` in the background with its progress on the batch's page."""
    web: Web = request.app.state.web
    form = await request.form()
    values: dict[str, Any] = form_values(form, ("letter", "date", "reason", "extra", "concept"))
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
    )
    if not everyone_due and not batch_request.municipalities:
        errors["municipalities"] = [Message("Gemeenten: kies ten minste één gemeente")]
        return _batches_page(request, values, errors, 400)
    try:
        plan = await call(check_request, web.root, batch_request)
    except IbtpostError as exc:
        return _batches_page(request, values, form_errors(exc), 400)

    def work(job: Job) -> list[str]:
        job.watch_converted = converted_since(web.root, plan.id)
        result = run_batch(web.root, batch_request, job.progress)
        job.converted = result.converted
        job.result = result
        kind = "conceptbatch" if result.concept else "batch"
        return [
            f"{kind} {result.id}: {len(result.letters)} brieven ({result.converted} omgezet, "
            f"{len(result.letters) - result.converted} ongewijzigd), {result.pages} pagina's, "
            f"{result.seconds:.1f} s, {len(result.warnings)} waarschuwing(en)",
            *(f"waarschuwing: {w}" for w in result.warnings),
        ]

    try:
        web.jobs.start(plan.id, "batch", f"Batch {plan.id} maken", work)
    except IbtpostError as exc:
        return _batches_page(request, values, form_errors(exc), 409)
    return RedirectResponse(f"/batches/{plan.id}", 303)


def converted_since(root: Path, batch_id: str) -> Callable[[], int]:
    """Counts the letters of ``batch_id`` converted from now on: each converted letter is
    recorded with a ``letter.generated`` event as it is done."""
    with Register.for_root(root) as register:
        start = audit.last_seq(register)

    def count() -> int:
        with Register.for_root(root) as register:
            return audit.count(register, audit.LETTER_GENERATED, batch_id, after=start)

    return count


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
        job.refresh()
    config = load_config(web.root)
    with Register.for_root(web.root) as register:
        batch = register.batch(batch_id)
        letters = register.batch_letters(batch_id) if batch else []
        entries = {e.reference: e for e in dispatch.entries(register, batch_id)} if batch else {}
    if batch is None and job is None:
        raise not_found(f"batch {batch_id}")
    folder = web.root / "outbox" / batch_id
    files = [name for name, (stored, _) in BATCH_FILES.items() if (folder / stored).is_file()]
    failed = (
        {check.reference: check for check in job.result.failed}
        if job is not None and job.kind == "queue" and job.state == "done"
        else {}
    )
    rows = []
    for letter in letters:
        entry = entries.get(letter.reference)
        state = (
            "posted"
            if letter.sent_via == "post"
            else (entry.state if entry else ("made" if letter.pdf_sha256 else "open"))
        )
        municipality = config.municipalities.get(letter.municipality)
        rows.append(
            {
                "reference": letter.reference,
                "code": letter.municipality,
                "name": municipality.name if municipality else letter.municipality,
                "state": state,
                "state_text": STATE_TEXT.get(state, MADE_TEXT.get(state, state)),
                "pages": letter.pages,
                "sample": letter.sample,
                "only_file": entry.only_file if entry else None,
                "withdrawable": entry is not None and entry.state in dispatch.WITHDRAWABLE,
                "checks": (
                    "; ".join(failed[letter.reference].problems)
                    if letter.reference in failed
                    else ("geslaagd" if entry is not None and entry.state != "withdrawn" else "")
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
            "batch": batch,
            "batch_id": batch_id,
            "rows": rows,
            "files": files,
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
    name = request.path_params["name"]
    if name not in BATCH_FILES:
        raise not_found(name)
    with Register.for_root(web.root) as register:
        if register.batch(batch_id) is None:
            raise not_found(f"batch {batch_id}")
    stored, media = BATCH_FILES[name]
    path = web.root / "outbox" / batch_id / stored
    if not path.is_file():
        raise not_found(name)
    return FileResponse(path, media_type=media, filename=f"{batch_id}-{stored}")
