"""The application of ``ibtpost web``: the route table, the guard, the error pages. The
handlers live in one module per screen, each calling the library function the command line
calls (named in its docstring).

Screens (Dutch interface text; code and URLs in English): Overzicht (``/``), Batches
(``/batches``), a batch (``/batches/{id}``), Brief (``/letters/{reference}``), Verzenden
(``/dispatch``, ``/batches/{id}/send``), Beoordelen (``/review``, ``/review/{letter}``) and
Audit (``/audit``). Files are served by reference number or batch id through the register
and the batch's manifest, never by a path taken from the request.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ibtpost.core import dutch
from ibtpost.core.errors import IbtpostError
from ibtpost.web import security
from ibtpost.web.audit import audit_export, audit_page
from ibtpost.web.batches import (
    batch_candidates,
    batch_file,
    batch_page,
    batch_progress,
    batches,
    make_batch,
)
from ibtpost.web.common import Web, render
from ibtpost.web.crashes import crash_text, log_crash
from ibtpost.web.dispatch import dispatch_page, queue, send_batch, send_page, withdraw_letter
from ibtpost.web.letters import letter_download, letter_page, letter_page_image
from ibtpost.web.overview import overview
from ibtpost.web.review import (
    approve_letter,
    preview_image,
    preview_letter,
    proof_file,
    proof_letter,
    proof_progress,
    review_letter,
    review_list,
)
from ibtpost.web.warm import WarmConverters
from ibtpost.web.words import messages

HERE = Path(__file__).parent


async def _http_error(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "Interne fout"
    return render(
        request,
        "error.html",
        {"title": "Niet gevonden" if code == 404 else "Fout", "detail": detail, "nav": ""},
        code,
    )


class _CrashPage:
    """ASGI middleware inside the guard: an unexpected exception in a handler (not an
    IbtpostError, not an HTTPException) is logged with its traceback under a reference, and
    the answer is the Dutch error page (500) with that reference and the guard's headers."""

    def __init__(self, app: security.ASGIApp) -> None:
        self.app = app

    async def __call__(
        self, scope: security.Scope, receive: security.Receive, send: security.Send
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: security.Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            reference = log_crash(f"{scope.get('method', '')} {scope.get('path', '')}")
            if started:  # too late for a page: the connection is cut
                raise
            detail = crash_text(reference)
            context = {"title": "Interne fout", "detail": detail, "nav": ""}
            response = render(Request(scope, receive), "error.html", context, 500)
            await response(scope, receive, send)


async def _input_error(request: Request, exc: Exception) -> Response:
    lines = messages(exc) if isinstance(exc, IbtpostError) else []
    context = {"title": "Fout", "detail": "De invoer klopt niet.", "problems": lines, "nav": ""}
    return render(request, "error.html", context, 400)


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
    env.filters["datum"] = dutch.long_date
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
        middleware=[
            Middleware(security.Guard, token=token, host=host, port=port),
            Middleware(_CrashPage),
        ],
        exception_handlers={HTTPException: _http_error, IbtpostError: _input_error},
        lifespan=_lifespan(web),
    )
    app.state.web = web
    return app
