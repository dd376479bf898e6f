"""Audit (``/audit``): the events with filters, verifying the chain, the export."""

from __future__ import annotations

import io

from starlette.requests import Request
from starlette.responses import Response

from ibtpost.register import Register, audit
from ibtpost.web.common import (
    Web,
    render,
)

#: the most events the page shows (the last ones that match); the export has them all
SHOWN = 500


def _audit_filters(request: Request) -> tuple[dict[str, str], str | None, str | None]:
    q = request.query_params
    filters = {name: q.get(name, "").strip() for name in ("reference", "batch", "kind", "date")}
    return filters, filters["reference"] or None, filters["batch"] or None


def audit_page(request: Request) -> Response:
    """Audit: the events with filters, and verifying the chain (``ibtpost audit verify``)."""
    web: Web = request.app.state.web
    filters, reference, batch = _audit_filters(request)
    with Register.for_root(web.root) as register:
        found, total = audit.latest_events(
            register,
            reference=reference,
            batch=batch,
            kind=filters["kind"] or None,
            day=filters["date"] or None,
            limit=SHOWN,
        )
        verified = audit.verify(register) if request.query_params.get("verify") else None
    return render(
        request,
        "audit.html",
        {
            "nav": "audit",
            "title": "Audit",
            "events": found,
            "shown": len(found),
            "total": total,
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
