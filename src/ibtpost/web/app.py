"""The routes of ``ibtpost web``: one handler per screen and action, each calling the library
function the command line calls (named in its docstring).

Screens (Dutch interface text; code and URLs in English): Overzicht (``/``), Batches
(``/batches``), a batch (``/batches/{id}``), Brief (``/letters/{reference}``), Verzenden
(``/dispatch``, ``/batches/{id}/send``), Beoordelen (``/review``, ``/review/{letter}``) and
Audit (``/audit``). Files are served by reference number or batch id through the register
and the batch's manifest, never by a path taken from the request.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ibtpost.approval.gate import approve, review_state
from ibtpost.core import clock
from ibtpost.core.errors import IbtpostError, problem_lines
from ibtpost.core.files import sha256_file
from ibtpost.data.config import load_config
from ibtpost.data.recipients import MissingAddress, copy_recipients, mail_recipients
from ibtpost.mail.queue import queue_batch, withdraw
from ibtpost.mail.send import SendOptions, send, transport_from_environment
from ibtpost.production.batch import check_request, run_batch
from ibtpost.production.selection import BatchRequest
from ibtpost.production.supervision import StatusRow, complete_batch, status
from ibtpost.register import Register, audit, dispatch, validate_reference
from ibtpost.review.diff import diff_letter
from ibtpost.review.lettercheck import check_letters, seal_roots_of
from ibtpost.review.proof import preview, proof
from ibtpost.text.definitions import definition_files, load_letter
from ibtpost.web import security
from ibtpost.web.jobs import Job, Jobs
from ibtpost.web.pages import page_images
from ibtpost.web.warm import WarmConverters

HERE = Path(__file__).parent
#: the files of a batch folder the server hands out, by the name in the URL
BATCH_FILES = {
    "manifest.csv": ("manifest.csv", "text/csv; charset=utf-8"),
    "manifest.json": ("manifest.json", "application/json"),
    "print.pdf": ("print.pdf", "application/pdf"),
    "post-room.pdf": ("post-room.pdf", "application/pdf"),
}
#: the command line's option names, as the form fields that take them
FIELDS = {
    "--municipality": "municipalities",
    "--reason": "reason",
    "--date": "date",
    "--by": "by",
    "--note": "note",
    "--reference": "reference",
    "--from": "from",
    "--to": "to",
    "status": "letter",
}
STATE_TEXT = {
    "queued": "klaargezet voor e-mail",
    "sending": "wordt verzonden",
    "sent": "verzonden",
    "failed": "mislukt (naar de postkamer)",
    "in_doubt": "onzeker",
    "post": "wacht op de postkamer",
    "withdrawn": "teruggetrokken",
    "posted": "per post verzonden",
}
#: the states a send run leaves a letter in
DONE = ("sent", "failed", "in_doubt")
MADE_TEXT = {"made": "gemaakt, niet klaargezet", "open": "nog niet gemaakt"}
REVIEW_TEXT = {
    "draft": "concept (draft)",
    "approved": "goedgekeurd zoals het is",
    "changed": "gewijzigd sinds goedkeuring",
    "incomplete": "goedkeuringen nodig",
    "unapproved": "nooit goedgekeurd",
}
_BATCH_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
_LETTER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,60}$")

T = TypeVar("T")


@dataclass
class Web:
    """What the handlers share: the root, the launch's tokens, the jobs, the warm converters."""

    root: Path
    token: str
    templates: Jinja2Templates
    jobs: Jobs = field(default_factory=Jobs)
    warm: WarmConverters | None = None
    previews: dict[str, Path] = field(default_factory=dict)  # sha256 -> preview PDF made here

    @property
    def csrf(self) -> str:
        """The CSRF token every form carries."""
        return security.csrf_token(self.token)


def form_errors(exc: IbtpostError) -> dict[str, list[str]]:
    """The messages of ``exc`` (as the command line prints them) by form field."""
    problems = getattr(exc, "problems", None) or [exc]
    found: dict[str, list[str]] = {}
    for problem, line in zip(problems, problem_lines(exc), strict=True):
        name = FIELDS.get(problem.location.field or "", "")
        found.setdefault(name, []).append(line)
    return found


def _web(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a library function as the web: every audit event it records says so."""
    with audit.origin("web"):
        return fn(*args, **kwargs)


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A library call in a worker thread (the event loop keeps serving)."""
    return await run_in_threadpool(_web, fn, *args, **kwargs)


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    web: Web = request.app.state.web
    context = {"csrf": web.csrf, "running": web.jobs.running(), **context}
    return web.templates.TemplateResponse(request, name, context, status_code=status_code)


def _not_found(what: str) -> HTTPException:
    return HTTPException(404, f"Niet gevonden: {what}")


def _batch_id(text: str) -> str:
    if not _BATCH_ID.match(text):
        raise _not_found("batch")
    return text


def _letter_id(text: str) -> str:
    if not _LETTER_ID.match(text):
        raise _not_found("brief")
    return text


# -- Overzicht --------------------------------------------------------------------------

SORTS: dict[str, Callable[[StatusRow], Any]] = {
    "code": lambda r: r.code,
    "name": lambda r: r.name.casefold(),
    "province": lambda r: (r.province, r.name.casefold()),
    "shortfall": lambda r: (-r.shortfall, r.name.casefold()),
    "trede": lambda r: (-(r.trede or 0), r.name.casefold()),
    "term": lambda r: (r.term_until or "9999", r.name.casefold()),
}


def overview(request: Request) -> Response:
    """Overzicht: ``ibtpost status`` as a table, filtered and sorted."""
    web: Web = request.app.state.web
    q = request.query_params
    errors: dict[str, list[str]] = {}
    try:
        day = clock.parse_date(q["date"]) if q.get("date") else clock.today()
    except ValueError as exc:
        errors["date"] = [str(exc)]
        day = clock.today()
    rows = _web(status, web.root, day)
    provinces = sorted({r.province for r in rows})
    counts = {
        "all": len(rows),
        "due": sum(r.action == "letter" for r in rows),
        "close": sum(r.action == "close" for r in rows),
        "open": sum(r.trede is not None for r in rows),
        "short": sum(r.shortfall > 0 for r in rows),
        "sample": sum(r.sample for r in rows),
    }
    province, trede, due = q.get("province", ""), q.get("trede", ""), q.get("due", "")
    if province:
        rows = [r for r in rows if r.province == province]
    if trede == "none":
        rows = [r for r in rows if r.trede is None]
    elif trede.isdigit():
        rows = [r for r in rows if r.trede == int(trede)]
    if due:
        rows = [r for r in rows if r.action in ("letter", "close")]
    sort = q.get("sort", "code")
    rows.sort(key=SORTS.get(sort, SORTS["code"]))
    return _page(
        request,
        "overview.html",
        {
            "nav": "overview",
            "title": "Overzicht",
            "rows": rows,
            "counts": counts,
            "day": day,
            "provinces": provinces,
            "filters": {"province": province, "trede": trede, "due": due, "sort": sort},
            "errors": errors,
        },
    )


# -- Batches ----------------------------------------------------------------------------


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
        return {"due": [], "note": problem_lines(exc)}
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
            _web(_candidates, web.root, letter, day, bool(values.get("concept")))
            if letter
            else {"due": [], "note": []}
        )
    except ValueError:
        candidates = {"due": [], "note": []}
    chosen = values.get("municipalities")
    return _page(
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
    except ValueError as exc:
        return _page(
            request,
            "_candidates.html",
            {"candidates": {"due": [], "note": []}, "date_error": str(exc), "chosen": None},
        )
    letter = _letter_id(q.get("letter", ""))
    found = _web(_candidates, web.root, letter, day, bool(q.get("concept")))
    return _page(request, "_candidates.html", {"candidates": found, "chosen": None})


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


async def make_batch(request: Request) -> Response:
    """Make a batch: the checks of ``ibtpost batch`` now (errors next to the fields, nothing
    recorded), then ``run_batch`` in the background with its progress on the batch's page."""
    web: Web = request.app.state.web
    form = await request.form()
    values: dict[str, Any] = _values(form, ("letter", "date", "reason", "extra", "concept"))
    chosen = [str(v) for v in form.getlist("municipalities")]
    values["municipalities"] = chosen
    due = [str(v) for v in form.getlist("due")]
    errors: dict[str, list[str]] = {}
    try:
        day = clock.parse_date(values["date"])
    except ValueError as exc:
        errors["date"] = [str(exc)]
    letter = values["letter"]
    if not letter:
        errors["letter"] = ["--letter: choose a letter definition"]
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
        errors["municipalities"] = ["--municipality: choose at least one municipality"]
        return _batches_page(request, values, errors, 400)
    try:
        plan = await call(check_request, web.root, batch_request)
    except IbtpostError as exc:
        return _batches_page(request, values, form_errors(exc), 400)

    def work(job: Job) -> list[str]:
        job.watch_converted = _converted_since(web.root, plan.id)
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


def _converted_since(root: Path, batch_id: str) -> Callable[[], int]:
    """Counts the letters of ``batch_id`` converted from now on: each converted letter is
    recorded with a ``letter.generated`` event as it is done."""
    with Register.for_root(root) as register:
        start = audit.last_seq(register)

    def count() -> int:
        with Register.for_root(root) as register:
            return audit.count(register, audit.LETTER_GENERATED, batch_id, after=start)

    return count


def _values(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name) or "") for name in names}


def batch_page(request: Request) -> Response:
    """A batch: its letters with their state, its files, its job, and the dispatch actions."""
    web: Web = request.app.state.web
    batch_id = _batch_id(request.path_params["batch"])
    return _batch_view(request, web, batch_id, {})


def _batch_view(
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
        raise _not_found(f"batch {batch_id}")
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
                "state_text": STATE_TEXT.get(
                    state,
                    {"made": "gemaakt, niet klaargezet", "open": "nog niet gemaakt"}.get(
                        state, state
                    ),
                ),
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
    return _page(
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
    batch_id = _batch_id(request.path_params["batch"])
    job = web.jobs.get(batch_id)
    if job is None:
        raise _not_found(f"job {batch_id}")
    response = _page(request, "_progress.html", {"job": job.refresh(), "batch_id": batch_id})
    if not job.running:
        response.headers["HX-Refresh"] = "true"
    return response


def batch_file(request: Request) -> Response:
    """manifest.csv, manifest.json, print.pdf or post-room.pdf of a batch the register knows."""
    web: Web = request.app.state.web
    batch_id = _batch_id(request.path_params["batch"])
    name = request.path_params["name"]
    if name not in BATCH_FILES:
        raise _not_found(name)
    with Register.for_root(web.root) as register:
        if register.batch(batch_id) is None:
            raise _not_found(f"batch {batch_id}")
    stored, media = BATCH_FILES[name]
    path = web.root / "outbox" / batch_id / stored
    if not path.is_file():
        raise _not_found(name)
    return FileResponse(path, media_type=media, filename=f"{batch_id}-{stored}")


# -- Brief ------------------------------------------------------------------------------


def _letter_file(root: Path, reference: str, suffix: str) -> tuple[Path, Any]:
    """The file of a letter (``pdf`` or ``docx``) as its batch's manifest names it."""
    try:
        reference = validate_reference(reference)
    except IbtpostError:
        raise _not_found(f"brief {reference}") from None
    with Register.for_root(root) as register:
        letter = register.letter_by_reference(reference)
    if letter is None or letter.batch is None:
        raise _not_found(f"brief {reference}")
    folder = root / "outbox" / letter.batch
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise _not_found(f"manifest of {letter.batch}") from None
    row = next((r for r in manifest.get("letters", []) if r.get("reference") == reference), None)
    name = str(row.get(suffix, "")) if row else ""
    if not name or Path(name).name != name or not name.endswith(f".{suffix}"):
        raise _not_found(f"{suffix} of {reference}")
    path = folder / name
    if not path.is_file():
        raise _not_found(f"{suffix} of {reference}")
    return path, letter


def letter_page(request: Request) -> Response:
    """Brief: one letter's pages, recipients, checks, delivery state, audit events, files."""
    web: Web = request.app.state.web
    reference = request.path_params["reference"]
    pdf, letter = _letter_file(web.root, reference, "pdf")
    config = load_config(web.root)
    municipality = config.municipalities.get(letter.municipality)
    with Register.for_root(web.root) as register:
        entry = dispatch.entry(register, letter.reference)
        queued_copies = {c.role: c for c in dispatch.copies_of(register, letter.reference)}
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
            "state": STATE_TEXT.get(queued.state, queued.state) if queued else None,
        }
        for c in (copy_recipients(definition.copies, municipality, config) if municipality else [])
        for queued in [queued_copies.get(c.role)]
    ]
    # the checks `queue` runs, the seal's included (a concept is never sealed)
    roots = seal_roots_of(config.settings, batch.concept if batch else letter.concept)
    checked = check_letters(pdf.parent, [letter], definition, 1, roots).letters
    state = "posted" if letter.sent_via == "post" else (entry.state if entry else None)
    return _page(
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
            "state": STATE_TEXT.get(state or "", "gemaakt, niet klaargezet"),
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
        raise _not_found("page")
    return FileResponse(images[number - 1], media_type="image/png")


def letter_download(request: Request) -> Response:
    """The letter's PDF or Word file."""
    web: Web = request.app.state.web
    suffix = request.path_params["kind"]
    if suffix not in ("pdf", "docx"):
        raise _not_found(suffix)
    path, _ = _letter_file(web.root, request.path_params["reference"], suffix)
    media = (
        "application/pdf"
        if suffix == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return FileResponse(path, media_type=media, filename=path.name)


# -- Verzenden --------------------------------------------------------------------------


def dispatch_page(request: Request) -> Response:
    """Verzenden: the batches, what is queued and sent, and the way to queue and send."""
    web: Web = request.app.state.web
    with Register.for_root(web.root) as register:
        rows = [row for row in dispatch.outbox_summary(register) if row.complete]
    return _page(request, "dispatch.html", {"nav": "dispatch", "title": "Verzenden", "rows": rows})


async def queue(request: Request) -> Response:
    """Queue a batch: ``queue_batch`` (the letter checks, then the frozen messages) in the
    background; the batch page shows each failed letter's reasons."""
    web: Web = request.app.state.web
    batch_id = _batch_id(request.path_params["batch"])

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
        return _batch_view(request, web, batch_id, form_errors(exc), 409)
    return RedirectResponse(f"/batches/{batch_id}", 303)


def _require_complete(root: Path, batch_id: str) -> None:
    with Register.for_root(root) as register:
        complete_batch(register, batch_id)


def send_page(request: Request) -> Response:
    """The confirmation before sending: counts, the transport, what live SMTP would refuse."""
    web: Web = request.app.state.web
    batch_id = _batch_id(request.path_params["batch"])
    return _send_view(request, web, batch_id, {})


def _send_view(
    request: Request, web: Web, batch_id: str, errors: dict[str, list[str]], status_code: int = 200
) -> Response:
    with Register.for_root(web.root) as register:
        if register.batch(batch_id) is None:
            raise _not_found(f"batch {batch_id}")
        entries = dispatch.entries(register, batch_id)
    counts = {state: sum(e.state == state for e in entries) for state in dispatch.STATES}
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
    refused = [e for e in entries if e.state == "queued" and e.only_file]
    return _page(
        request,
        "send.html",
        {
            "nav": "dispatch",
            "title": f"Verzenden: {batch_id}",
            "batch_id": batch_id,
            "counts": counts,
            "transport": transport,
            "refused": refused,
            "queued": counts["queued"],
            "job": web.jobs.get(batch_id),
            "errors": errors,
        },
        status_code,
    )


async def send_batch(request: Request) -> Response:
    """Send a batch's queue: ``send`` with the transport of the environment (file transport
    unless IBTPOST_SMTP_URL is set), in the background."""
    web: Web = request.app.state.web
    batch_id = _batch_id(request.path_params["batch"])

    def handled() -> int:
        with Register.for_root(web.root) as register:
            return sum(e.state in DONE for e in dispatch.entries(register, batch_id))

    def work(job: Job) -> list[str]:
        with Register.for_root(web.root) as register:
            job.total = sum(e.state == "queued" for e in dispatch.entries(register, batch_id))
        before = handled()
        job.watch = lambda: handled() - before
        transport = transport_from_environment()
        report = send(web.root, SendOptions(batch=batch_id), transport)
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
    batch_id = _batch_id(request.path_params["batch"])
    form = await request.form()
    values = _values(form, ("reference", "reason"))
    try:
        await call(withdraw, web.root, batch_id, (values["reference"],), values["reason"])
    except IbtpostError as exc:
        return _batch_view(request, web, batch_id, form_errors(exc), 400)
    return RedirectResponse(f"/batches/{batch_id}", 303)


# -- Beoordelen -------------------------------------------------------------------------


def review_list(request: Request) -> Response:
    """Beoordelen: every letter definition and where it stands."""
    web: Web = request.app.state.web
    states = []
    problems = []
    for path in definition_files(web.root):
        try:
            states.append(review_state(web.root, path.stem))
        except IbtpostError as exc:
            problems.extend(problem_lines(exc))
    return _page(
        request,
        "review.html",
        {
            "nav": "review",
            "title": "Beoordelen",
            "states": states,
            "texts": REVIEW_TEXT,
            "problems": problems,
        },
    )


def review_letter(request: Request) -> Response:
    """One letter: the word diff (approved -> working copy, or any two versions), the
    preview and the edge-case proof, and approving."""
    letter = _letter_id(request.path_params["letter"])
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
        state = review_state(web.root, letter)
    except IbtpostError as exc:
        raise _not_found(str(exc)) from None
    try:
        diff = diff_letter(web.root, letter, old, new)
    except IbtpostError as exc:
        errors = {**errors, **form_errors(exc)}
        diff = diff_letter(web.root, letter)
    config = load_config(web.root)
    names = sorted(m.name for m in config.municipalities.values())
    return _page(
        request,
        "review_letter.html",
        {
            "nav": "review",
            "title": f"Beoordelen: {letter}",
            "letter": letter,
            "state": state,
            "texts": REVIEW_TEXT,
            "diff": diff,
            "versions": [line.split(" ", 1)[0] for line in diff.known],
            "known": diff.known,
            "selected": {"from": old or "", "to": new or ""},
            "names": names,
            "values": {"date": clock.today().isoformat(), **values},
            "errors": errors,
            "proof_job": web.jobs.get(f"proof:{letter}"),
            **(extra or {}),
        },
        status_code,
    )


async def approve_letter(request: Request) -> Response:
    """Approve the working copy: ``approve``, the gate ``ibtpost approve`` uses."""
    web: Web = request.app.state.web
    letter = _letter_id(request.path_params["letter"])
    form = await request.form()
    values = _values(form, ("by", "note"))
    try:
        result = await call(approve, web.root, letter, values["by"], values["note"] or None)
    except IbtpostError as exc:
        return _review_view(request, letter, values, form_errors(exc), 400)
    approval = result.approval
    message = (
        f"goedgekeurd: {approval.letter} versie {approval.version} door {approval.by}"
        if result.added
        else f"{approval.letter} versie {approval.version} is al goedgekeurd door "
        f"{approval.by} op {approval.day}; niets toegevoegd"
    )
    if result.given < result.needed:
        message += f" ({result.given} van de {result.needed} goedkeuringen)"
    return _review_view(request, letter, {}, {}, 200, {"approved": message})


async def preview_letter(request: Request) -> Response:
    """A fresh review copy for one municipality: ``preview`` with the server's warm
    converters; its pages shown as images."""
    web: Web = request.app.state.web
    letter = _letter_id(request.path_params["letter"])
    form = await request.form()
    values = _values(form, ("municipality", "date"))
    try:
        day = clock.parse_date(values["date"])
    except ValueError as exc:
        return _review_view(request, letter, values, {"date": [str(exc)]}, 400)
    if not values["municipality"].strip():
        return _review_view(
            request, letter, values, {"municipality": ["--municipality: give a municipality"]}, 400
        )
    warm = web.warm.get() if web.warm else None
    try:
        result = await call(preview, web.root, letter, (values["municipality"],), day, None, warm)
    except IbtpostError as exc:
        found = form_errors(exc)
        found["municipality"] = found.pop("municipalities", []) + found.get("municipality", [])
        return _review_view(request, letter, values, found, 400)
    pdf = result.files[0]
    sha = sha256_file(pdf)
    web.previews[sha] = pdf
    pages = await run_in_threadpool(page_images, web.root, pdf, sha)
    return _review_view(
        request,
        letter,
        values,
        {},
        200,
        {"preview": {"sha": sha, "pages": len(pages), "warnings": result.warnings}},
    )


def preview_image(request: Request) -> Response:
    """A page of a review copy this server made."""
    web: Web = request.app.state.web
    pdf = web.previews.get(request.path_params["sha"])
    if pdf is None:
        raise _not_found("preview")
    images = page_images(web.root, pdf, request.path_params["sha"])
    number = int(request.path_params["page"])
    if not 1 <= number <= len(images):
        raise _not_found("page")
    return FileResponse(images[number - 1], media_type="image/png")


async def proof_letter(request: Request) -> Response:
    """The edge-case proof (``ibtpost proof LETTER --edge-cases``) in the background."""
    web: Web = request.app.state.web
    letter = _letter_id(request.path_params["letter"])

    def work(job: Job) -> list[str]:
        result = proof(web.root, letter, clock.today(), (), edges=True, progress=job.progress)
        job.result = result.files[0]
        return [
            *(f"pagina {item.first_page}: {item.target.label}" for item in result.letters),
            *(f"waarschuwing: {w}" for w in result.warnings),
            f"proef {letter} versie {result.version}: {len(result.letters)} brieven, "
            f"{result.pages} pagina's, {result.seconds:.1f} s",
        ]

    try:
        web.jobs.start(f"proof:{letter}", "proof", f"Proef {letter} (randgevallen)", work)
    except IbtpostError as exc:
        return _review_view(request, letter, {}, form_errors(exc), 409)
    return RedirectResponse(f"/review/{letter}#proef", 303)


def proof_file(request: Request) -> Response:
    """The PDF of the last finished edge-case proof of a letter."""
    web: Web = request.app.state.web
    letter = _letter_id(request.path_params["letter"])
    job = web.jobs.get(f"proof:{letter}")
    if job is None or job.state != "done" or not isinstance(job.result, Path):
        raise _not_found("proof")
    return FileResponse(job.result, media_type="application/pdf", filename=job.result.name)


def proof_progress(request: Request) -> Response:
    """The progress block of a proof (polled by htmx)."""
    web: Web = request.app.state.web
    letter = _letter_id(request.path_params["letter"])
    job = web.jobs.get(f"proof:{letter}")
    if job is None:
        raise _not_found("proof")
    response = _page(
        request, "_progress.html", {"job": job, "poll": f"/review/{letter}/proof/progress"}
    )
    if not job.running:
        response.headers["HX-Refresh"] = "true"
    return response


# -- Audit ------------------------------------------------------------------------------


def _audit_filters(request: Request) -> tuple[dict[str, str], str | None, str | None]:
    q = request.query_params
    filters = {name: q.get(name, "").strip() for name in ("reference", "batch", "kind", "date")}
    return filters, filters["reference"] or None, filters["batch"] or None


def audit_page(request: Request) -> Response:
    """Audit: the events with filters, and verifying the chain (``ibtpost audit verify``)."""
    web: Web = request.app.state.web
    filters, reference, batch = _audit_filters(request)
    with Register.for_root(web.root) as register:
        found = [
            e
            for e in audit.events(register, reference, batch)
            if (not filters["kind"] or e.kind == filters["kind"])
            and (not filters["date"] or e.at.startswith(filters["date"]))
        ]
        verified = audit.verify(register) if request.query_params.get("verify") else None
    return _page(
        request,
        "audit.html",
        {
            "nav": "audit",
            "title": "Audit",
            "events": found[-500:],
            "shown": min(len(found), 500),
            "total": len(found),
            "kinds": audit.KINDS,
            "filters": filters,
            "verified": verified,
            "export": "&".join(
                f"{k}={v}" for k, v in filters.items() if v and k in ("reference", "batch")
            ),
        },
    )


def audit_export(request: Request) -> Response:
    """The events as JSON Lines (``ibtpost audit export``; reference and batch filters)."""
    web: Web = request.app.state.web
    _, reference, batch = _audit_filters(request)
    out = io.StringIO()
    with Register.for_root(web.root) as register:
        audit.export(register, out, reference, batch)
    return Response(
        out.getvalue(),
        media_type="application/x-ndjson",
        headers={"content-disposition": 'attachment; filename="audit.jsonl"'},
    )


# -- the application --------------------------------------------------------------------


async def _http_error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "Interne fout"
    return _page(
        request,
        "error.html",
        {"title": "Niet gevonden" if code == 404 else "Fout", "detail": detail, "nav": ""},
        code,
    )


async def _input_error(request: Request, exc: Exception) -> Response:
    lines = problem_lines(exc) if isinstance(exc, IbtpostError) else [str(exc)]
    return _page(
        request, "error.html", {"title": "Fout", "detail": "; ".join(lines), "nav": ""}, 400
    )


def _lifespan(web: Web) -> Callable[[Starlette], contextlib.AbstractAsyncContextManager[None]]:
    """Stop the warm converters when the server stops."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if web.warm is not None:
                await run_in_threadpool(web.warm.close)

    return lifespan


def create_app(root: Path, token: str, host: str, port: int, warm: bool = True) -> Starlette:
    """The application for ``root``, guarded for ``host:port`` with ``token``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["seconds"] = lambda s: "-" if s is None else f"{s:.0f} s"
    templates = Jinja2Templates(env=env)
    web = Web(root, token, templates, warm=WarmConverters(root) if warm else None)
    routes = [
        Route("/", overview),
        Route("/batches", batches),
        Route("/batches", make_batch, methods=["POST"]),
        Route("/batches/candidates", batch_candidates),
        Route("/batches/{batch}", batch_page),
        Route("/batches/{batch}/progress", batch_progress),
        Route("/batches/{batch}/files/{name}", batch_file),
        Route("/batches/{batch}/queue", queue, methods=["POST"]),
        Route("/batches/{batch}/send", send_page),
        Route("/batches/{batch}/send", send_batch, methods=["POST"]),
        Route("/batches/{batch}/withdraw", withdraw_letter, methods=["POST"]),
        Route("/letters/{reference}", letter_page),
        Route("/letters/{reference}/pages/{page:int}.png", letter_page_image),
        Route("/letters/{reference}/file.{kind}", letter_download),
        Route("/dispatch", dispatch_page),
        Route("/review", review_list),
        Route("/review/{letter}", review_letter),
        Route("/review/{letter}/approve", approve_letter, methods=["POST"]),
        Route("/review/{letter}/preview", preview_letter, methods=["POST"]),
        Route("/review/{letter}/proof", proof_letter, methods=["POST"]),
        Route("/review/{letter}/proof.pdf", proof_file),
        Route("/review/{letter}/proof/progress", proof_progress),
        Route("/previews/{sha}/{page:int}.png", preview_image),
        Route("/audit", audit_page),
        Route("/audit/export.jsonl", audit_export),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(security.Guard, token=token, host=host, port=port)],
        exception_handlers={HTTPException: _http_error, IbtpostError: _input_error},
        lifespan=_lifespan(web),
    )
    app.state.web = web
    return app
