"""``ibtpost web`` refuses what it must, and bad form input gives the command line's message
next to the field with nothing recorded: a real server on 127.0.0.1, real register."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.conftest import Result, copy_tree, files_under
from tests.webserver import DUE, WebServer, change_text, few_due

from ibtpost.register import Register, audit
from ibtpost.register import letters as letter_register


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebServer]:
    root = copy_tree(tmp_path / "root")
    few_due(root)
    server = WebServer(root).start()
    yield server
    server.stop()


def events(root: Path) -> int:
    with Register.for_root(root) as register:
        return audit.verify(register).count


def snapshot(root: Path) -> dict[Path, bytes]:
    """Every file under letters/ and outbox/ except the register (whose WAL may be touched
    by reads) with its content."""
    return {
        p: p.read_bytes()
        for p in files_under(root / "letters") + files_under(root / "outbox")
        if not p.name.startswith("register.sqlite")
    }


def test_nothing_without_the_token(web: WebServer) -> None:
    status, _, body = web.request("GET", "/", cookie=False)
    assert status == 403 and "token" in body
    status, _, _ = web.request("GET", "/?token=wrong", cookie=False)
    assert status == 403
    status, headers, _ = web.request("GET", "/batches", headers={"Cookie": "ibtpost_1=x"})
    assert status == 403
    status, headers, _ = web.request("GET", f"/audit?token={web.token}&kind=approval", cookie=False)
    assert status == 303
    assert headers["location"] == "/audit?kind=approval"  # the token leaves the address bar
    assert f"{web.cookie}; HttpOnly; SameSite=Strict" in headers["set-cookie"]
    status, headers, body = web.request("GET", "/")
    assert status == 200 and "Overzicht" in body
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_foreign_host_is_refused(web: WebServer) -> None:
    """DNS rebinding: a page of evil.example resolved to 127.0.0.1 gets nothing."""
    for host in (f"evil.example:{web.port}", "127.0.0.1", f"127.0.0.1:{web.port + 1}"):
        status, _, body = web.request("GET", "/", headers={"Host": host})
        assert status == 400, host
        assert "Onbekende host" in body
    assert web.request("GET", "/", headers={"Host": f"localhost:{web.port}"})[0] == 200


def test_posts_without_csrf_token_or_from_elsewhere_change_nothing(web: WebServer) -> None:
    root = web.root
    change_text(root)
    before, count = snapshot(root), events(root)
    form = {"by": "A. Jurist", "note": "akkoord"}
    attempts = [
        ({}, form),  # no CSRF token
        ({}, {**form, "csrf": "0" * 64}),  # a wrong one
        ({"Origin": "http://evil.example"}, {**form, "csrf": web.csrf}),
        ({"Sec-Fetch-Site": "cross-site"}, {**form, "csrf": web.csrf}),
        ({"Content-Type": "text/plain"}, {**form, "csrf": web.csrf}),
    ]
    for headers, body in attempts:
        status, _, text = web.request("POST", "/review/trede-2/approve", form=body, headers=headers)
        assert status == 403, (headers, body)
        assert "Geweigerd" in text
    status, _, _ = web.request(
        "POST", "/review/trede-2/approve", form=form | {"csrf": web.csrf}, cookie=False
    )
    assert status == 403
    assert snapshot(root) == before and events(root) == count
    # the same form with the token, from this server, is taken
    status, _, text = web.request(
        "POST",
        "/review/trede-2/approve",
        form={**form, "csrf": web.csrf},
        headers={"Origin": f"http://{web.host}", "Sec-Fetch-Site": "same-origin"},
    )
    assert status == 200 and "goedgekeurd: trede-2" in text
    with Register.for_root(root) as register:
        last = list(audit.events(register))[-1]
    assert last.kind == "approval" and last.data["origin"] == "web"
    assert last.data["by"] == "A. Jurist"


@pytest.mark.parametrize(
    "path",
    [
        "/letters/..%2F..%2F..%2Fetc%2Fpasswd/file.pdf",
        "/letters/7500000/file.yaml",
        "/letters/..%2Fletters%2Ftrede-2/file.pdf",
        "/batches/..%2F..%2Fconfig/files/manifest.csv",
        "/batches/trede-2-2026-04-09/files/..%2F..%2Fconfig%2Fsettings.yaml",
        "/batches/trede-2-2026-04-09/files/register.sqlite",
        "/static/..%2F..%2F..%2Fconfig%2Fsettings.yaml",
        "/static/../app.py",
        "/previews/..%2F..%2Fconfig/1.png",
        "/review/..%2F..%2Fconfig%2Fsettings/proof.pdf",
    ],
)
def test_no_file_by_a_path_from_the_request(web: WebServer, path: str) -> None:
    status, _, body = web.request("GET", path)
    assert status == 404, path
    assert "references:" not in body and "root:" not in body and "import " not in body


def form_error(body: str, field: str) -> list[str]:
    """The messages shown next to a form field."""
    found = re.search(rf'<ul class="field-error" id="fout-{field}">(.*?)</ul>', body, re.S)
    assert found is not None, f"no error next to {field}"
    items = re.findall(r"<li>(?:<span[^>]*>Fout: </span>)?(.*?)</li>", found.group(1), re.S)
    return [html.unescape(item).strip() for item in items]


def cli_errors(result: Result) -> list[str]:
    return [line.removeprefix("error: ") for line in result.err.splitlines() if line.strip()]


def test_bad_form_input_shows_the_problem_in_dutch_and_records_nothing(
    web: WebServer, cli: Callable[..., Result]
) -> None:
    root = web.root
    before, count = snapshot(root), events(root)
    base = {"csrf": web.csrf, "letter": "trede-2", "date": "2026-04-09", "due": list(DUE)}

    status, _, body = web.request("POST", "/batches", form={**base, "date": "2026-02-30"})
    assert status == 400
    assert form_error(body, "date") == ["'2026-02-30' is geen datum zoals 2026-04-09"]
    assert (
        "'2026-02-30' is not a date like 2026-04-09"
        in cli(root, "batch", "trede-2", "--date", "2026-02-30").err
    )

    status, _, body = web.request(
        "POST", "/batches", form={**base, "municipalities": ["GM0202"], "extra": "Atlantis"}
    )
    assert status == 400
    expected = cli_errors(cli(root, "batch", "trede-2", "-d", "2026-04-09", "-m", "Atlantis"))
    assert form_error(body, "municipalities") == [
        "Gemeenten: onbekende gemeente 'Atlantis' (tip: geef een code zoals GM0622 of een naam "
        "zoals in config/municipalities.csv)"
    ]
    assert "Atlantis" in expected[0]

    # Groningen meets its task: a letter to it departs from the ladder and needs a reason
    status, _, body = web.request(
        "POST", "/batches", form={**base, "municipalities": ["GM0202"], "extra": "Groningen"}
    )
    assert status == 400
    result = cli(root, "batch", "trede-2", "-d", "2026-04-09", "-m", "GM0202", "-m", "Groningen")
    assert result.code == 2
    assert form_error(body, "municipalities") == [
        "Gemeenten: Groningen (GM0014): deze stap wijkt af van de ladder (tip: vul ‘Reden’ in "
        "om vast te leggen waarom, of laat de gemeente weg)"
    ]
    assert "reason" in cli_errors(result)[0]

    change_text(root)
    before = snapshot(root)
    status, _, body = web.request(
        "POST", "/review/trede-2/approve", form={"csrf": web.csrf, "by": " "}
    )
    assert status == 400
    result = cli(root, "approve", "trede-2", "--by", " ")
    assert result.code == 2
    assert cli_errors(result) == ["--by: must be one line of text"]
    assert form_error(body, "by") == ["Naam: moet één regel tekst zijn"]

    assert snapshot(root) == before and events(root) == count
    with Register.for_root(root) as register:
        assert letter_register.batches(register) == []
