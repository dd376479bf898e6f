"""The guard in front of every request of ``ibtpost web``.

- **Host allow-list**: only ``127.0.0.1:PORT`` and ``localhost:PORT`` (and the address
  served on), so a page of another site that rebinds its DNS name to 127.0.0.1 gets
  nothing (400).
- **Token**: a random token per launch, printed in the one URL ``ibtpost web`` gives (as
  Jupyter does). The first request carries it as ``?token=``; the server answers with an
  HttpOnly, SameSite=Strict cookie and a redirect to the same page without it. Without
  the token or the cookie nothing is served (403).
- **POST**: the form must carry the CSRF token of this launch (field ``csrf``), the
  ``Origin`` header, when sent, must be this server, and ``Sec-Fetch-Site``, when sent,
  ``same-origin`` (or ``none``). Only ``application/x-www-form-urlencoded`` bodies of at
  most 1 MB are taken.
- **Headers** on every answer: a strict Content-Security-Policy (only this server's own
  scripts, styles and images; no inline script or style), ``X-Content-Type-Options:
  nosniff``, ``Referrer-Policy: same-origin`` (no Referer leaves for another site; with
  ``no-referrer`` browsers send ``Origin: null`` on a form POST),
  ``X-Frame-Options: DENY`` and ``Cache-Control: no-store``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)
MAX_BODY = 1024 * 1024
CSRF_FIELD = "csrf"


def new_token() -> str:
    """A fresh per-launch token (256 bits)."""
    return secrets.token_urlsafe(32)


def csrf_token(token: str) -> str:
    """The CSRF token of a launch, derived from its access token."""
    return hmac.new(token.encode(), b"ibtpost-csrf", hashlib.sha256).hexdigest()


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host header values this server answers."""
    names = {"127.0.0.1", "localhost", f"[{host}]" if ":" in host else host}
    return frozenset(f"{name}:{port}" for name in names)


class Guard:
    """ASGI middleware: the checks of the module docstring, before the app sees a request."""

    def __init__(self, app: ASGIApp, token: str, host: str, port: int) -> None:
        self.app = app
        self.token = token
        self.csrf = csrf_token(token)
        self.hosts = allowed_hosts(host, port)
        self.origins = frozenset(f"http://{h}" for h in self.hosts)
        self.cookie = f"ibtpost_{port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *[
                        (k, v)
                        for k, v in message.get("headers", [])
                        if k.lower() != b"cache-control"
                    ],
                    *HEADERS,
                ]
            await send(message)

        if headers.get("host", "") not in self.hosts:
            await _plain(secured, 400, "Onbekende host: deze server antwoordt alleen op 127.0.0.1.")
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.get("token", [None])[0]
        if given is not None:
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                await _plain(secured, 403, "Geen toegang: het token klopt niet.")
                return
            rest = {k: v for k, v in query.items() if k != "token"}
            location = scope["path"] + (("?" + urlencode(rest, doseq=True)) if rest else "")
            await secured(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [
                        (b"location", location.encode("latin-1")),
                        (b"set-cookie", self._cookie_header()),
                    ],
                }
            )
            await secured({"type": "http.response.body", "body": b""})
            return
        cookie = SimpleCookie()
        cookie.load(headers.get("cookie", ""))
        morsel = cookie.get(self.cookie)
        if morsel is None or not hmac.compare_digest(morsel.value.encode(), self.token.encode()):
            await _plain(
                secured,
                403,
                "Geen toegang: open de link met het token die `ibtpost web` bij het starten gaf.",
            )
            return
        if scope["method"] not in ("GET", "HEAD"):
            refused = self._refuse_post(headers)
            body = b""
            if refused is None:
                body, refused = await _read_body(receive)
            if refused is None:
                form = parse_qs(body.decode("utf-8", "replace"))
                sent = form.get(CSRF_FIELD, [""])[0]
                if not hmac.compare_digest(sent.encode(), self.csrf.encode()):
                    refused = "Geweigerd: het formulier mist het CSRF-token van deze sessie."
            if refused is not None:
                await _plain(secured, 403, refused)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, secured)

    def _cookie_header(self) -> bytes:
        return f"{self.cookie}={self.token}; HttpOnly; SameSite=Strict; Path=/".encode()

    def _refuse_post(self, headers: dict[str, str]) -> str | None:
        """Why a POST is refused before its body is read, or None."""
        origin = headers.get("origin")
        if origin is not None and origin not in self.origins:
            return f"Geweigerd: een formulier van een andere herkomst ({origin})."
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return f"Geweigerd: een verzoek van een andere site (Sec-Fetch-Site: {site})."
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            return "Geweigerd: alleen formulieren van deze server worden aangenomen."
        return None


async def _read_body(receive: Receive) -> tuple[bytes, str | None]:
    """The whole request body (at most MAX_BODY bytes)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"", "Geweigerd: verbinding verbroken."
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return b"", "Geweigerd: formulier te groot."
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _replay(body: bytes, original: Receive) -> Receive:
    """A receive callable that gives ``body`` once, then what the client sends (its
    disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


async def _plain(send: Send, status: int, text: str) -> None:
    """A short plain-text refusal."""
    body = (text + "\n").encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
