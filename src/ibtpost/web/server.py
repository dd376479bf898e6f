"""Starting ``ibtpost web``: the address, the per-launch token, uvicorn."""

from __future__ import annotations

import ipaddress
import webbrowser
from collections.abc import Callable
from pathlib import Path

import uvicorn

from ibtpost.core.errors import Location, UsageError
from ibtpost.web import security
from ibtpost.web.app import create_app

DEFAULT_PORT = 8470
LOOPBACK = "127.0.0.1"


def check_host(host: str) -> bool:
    """Whether ``host`` is an IP address on this machine's loopback; UsageError when it is
    not an IP address at all."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        raise UsageError(f"{host!r} is not an IP address", Location(None, None, "host")) from None


def url_of(host: str, port: int, token: str) -> str:
    """The one URL a launch prints."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def serve(
    root: Path,
    host: str,
    port: int,
    *,
    open_browser: bool = False,
    say: Callable[[str], None] = print,
    token: str | None = None,
) -> None:
    """Serve ``root`` until interrupted; prints the URL with the token first."""
    check_host(host)
    token = token or security.new_token()
    app = create_app(root.resolve(), token, host, port)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    url = url_of(host, port, token)
    say(url)
    if open_browser:
        webbrowser.open(url)
    server.run()
