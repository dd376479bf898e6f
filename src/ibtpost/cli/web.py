"""The web command of the command line: ibtpost web."""

from __future__ import annotations

import argparse
import contextlib
import sys

from ibtpost.cli.args import EXIT_OK, SubParsers, bounded
from ibtpost.core.errors import Location, UsageError


def cmd_web(args: argparse.Namespace) -> int:
    """ibtpost web."""
    from ibtpost.web.server import check_host, serve

    if not check_host(args.host):
        # beyond this machine the workplace needs accounts, a login and TLS (not built yet):
        # anyone who could reach the address and read the URL would be the secretariat
        raise UsageError(
            f"{args.host} is not a loopback address: ibtpost web serves only this machine "
            "until it has a login; use 127.0.0.1 (or ::1)",
            Location(None, None, "host"),
        )
    print(
        "ibtpost web: open this address in a browser on this machine (Ctrl+C stops):",
        file=sys.stderr,
    )
    # Ctrl+C is how the server is stopped (uvicorn shuts down, then re-raises it)
    with contextlib.suppress(KeyboardInterrupt):
        serve(args.root, args.host, int(args.port), open_browser=args.open, say=_say)
    print("ibtpost web: stopped", file=sys.stderr)
    return EXIT_OK


def _say(url: str) -> None:
    print(url, flush=True)


def add_web_commands(sub: SubParsers) -> None:
    """ibtpost web."""
    p = sub.add_parser(
        "web",
        help="the secretariat's and reviewers' workplace in the browser (127.0.0.1 only)",
        description="Serve the web workplace on 127.0.0.1: the status overview, batches "
        "(make one, with live progress), each letter's pages, review (word diff, preview, "
        "approve), dispatch (queue, send, withdraw) and the audit trail, all through the "
        "same functions as the commands. Prints one URL with a random token for this "
        "launch; without the token nothing is served. Every change made through it is an "
        "audit event with origin web.",
    )
    p.add_argument(
        "--port",
        type=bounded(int, 1024, 65535),
        default=8470,
        help="TCP port, 1024 to 65535 (default 8470)",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback IP address to serve on (default 127.0.0.1; ::1 too); any other is "
        "refused until the workplace has a login",
    )
    p.add_argument("--open", action="store_true", help="open the URL in the default browser")
    p.set_defaults(func=cmd_web)
