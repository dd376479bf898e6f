"""Overzicht (``/``): ``ibtpost status`` as a table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ibtpost.core import clock
from ibtpost.production.supervision import StatusRow, status
from ibtpost.web.common import (
    Web,
    as_web,
    render,
)
from ibtpost.web.words import not_a_date

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
    except ValueError:
        errors["date"] = [not_a_date(q["date"])]
        day = clock.today()
    rows = as_web(status, web.root, day)
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
    return render(
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
