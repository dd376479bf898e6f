"""Overzicht (``/``): ``ibtpost status`` as a table."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ibtpost.core import clock
from ibtpost.service.status import Filters, read_overview
from ibtpost.web.common import (
    Web,
    as_web,
    render,
)
from ibtpost.web.words import not_a_date


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
    province, trede, due = q.get("province", ""), q.get("trede", ""), q.get("due", "")
    sort = q.get("sort", "code")
    found = as_web(read_overview, web.root, day, Filters(province, trede, bool(due), sort))
    return render(
        request,
        "overview.html",
        {
            "nav": "overview",
            "title": "Overzicht",
            "rows": found.rows,
            "counts": found.counts,
            "day": day,
            "provinces": found.provinces,
            "filters": {"province": province, "trede": trede, "due": due, "sort": sort},
            "errors": errors,
        },
    )
