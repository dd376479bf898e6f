"""What the screens of ``ibtpost web`` share: the server's state, calling the library as the
web, rendering a page, the 404s and the errors of a form (in Dutch, :mod:`ibtpost.web.words`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from ibtpost.core.errors import IbtpostError
from ibtpost.register import audit
from ibtpost.web import security
from ibtpost.web.jobs import Jobs
from ibtpost.web.warm import WarmConverters
from ibtpost.web.words import form_errors as form_errors_nl

#: a batch name and a letter name as the URLs take them (anything else is not found)
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
    """The problems of ``exc`` in Dutch by the form field they are about ("" for the form)."""
    return form_errors_nl(exc)


def as_web(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a library function as the web: every audit event it records says so."""
    with audit.origin("web"):
        return fn(*args, **kwargs)


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A library call in a worker thread (the event loop keeps serving)."""
    return await run_in_threadpool(as_web, fn, *args, **kwargs)


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """The template ``name`` with ``context``, the CSRF token and the running jobs."""
    web: Web = request.app.state.web
    context = {"csrf": web.csrf, "running": web.jobs.running(), **context}
    return web.templates.TemplateResponse(request, name, context, status_code=status_code)


def not_found(what: str) -> HTTPException:
    """The 404 for ``what``, to raise."""
    return HTTPException(404, f"Niet gevonden: {what}")


def batch_id_of(text: str) -> str:
    """``text`` if it can be a batch id, else not found."""
    if not _BATCH_ID.match(text):
        raise not_found("batch")
    return text


def letter_id_of(text: str) -> str:
    """``text`` if it can be a letter name, else not found."""
    if not _LETTER_ID.match(text):
        raise not_found("brief")
    return text


def form_values(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    """The fields ``names`` of ``form`` as text ("" when missing)."""
    return {name: str(form.get(name) or "") for name in names}
