"""A real ``ibtpost web`` server on 127.0.0.1 for the tests, and a root with few letters due."""

from __future__ import annotations

import csv
import http.client
import io
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import uvicorn

from ibtpost.web import security
from ibtpost.web.app import create_app

#: the municipalities due for trede 2 in :func:`few_due`: Arnhem and Baarn (sample college
#: addresses), Vlaardingen (real figures, no college address: the post room)
DUE = ("GM0202", "GM0308", "GM0622")


def few_due(root: Path, due: tuple[str, ...] = DUE) -> None:
    """Let every municipality meet its task except ``due`` (realisation 0), so that a batch of
    everyone due holds only those."""
    path = root / "config" / "figures.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))
    for row in rows:
        if row["code"] in due:
            row["realised_regular"] = row["realised_amv"] = "0"
        else:
            row["realised_regular"], row["realised_amv"] = row["task_regular"], row["task_amv"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), "utf-8")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebServer:
    """``create_app`` served by uvicorn in a thread, as ``ibtpost web`` serves it."""

    def __init__(self, root: Path, *, warm: bool = False) -> None:
        self.root = root
        self.token = security.new_token()
        self.csrf = security.csrf_token(self.token)
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        app = create_app(root, self.token, "127.0.0.1", self.port, warm=warm)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        """The URL ``ibtpost web`` prints."""
        return f"http://{self.host}/?token={self.token}"

    @property
    def cookie(self) -> str:
        """The cookie the server gives for the token."""
        return f"ibtpost_{self.port}={self.token}"

    def start(self) -> WebServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(60)

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str | list[str]] | None = None,
        headers: dict[str, str] | None = None,
        cookie: bool = True,
    ) -> tuple[int, dict[str, str], str]:
        """One request (http.client: every header as given, Host included)."""
        sent = {"Host": self.host, **({"Cookie": self.cookie} if cookie else {}), **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()


def change_text(root: Path) -> None:
    """A reviewer's edit of the trede-2 text: "langere" becomes "lange"."""
    path = root / "letters" / "trede-2.yaml"
    text = path.read_text("utf-8")
    assert "op de langere termijn" in text
    path.write_text(text.replace("op de langere termijn", "op de lange termijn", 1), "utf-8")
