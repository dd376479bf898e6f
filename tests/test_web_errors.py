"""``ibtpost web`` when something goes wrong: an unexpected failure shows a Dutch page with a
reference the log has with the traceback; a broken letter definition is shown with its file
and line (422), not as a page that does not exist."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import copy_tree
from tests.webserver import WebServer

ENGLISH = ("RuntimeError", "boom", "Traceback", "Internal Server Error", "Error", "failed")


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebServer]:
    server = WebServer(copy_tree(tmp_path / "root")).start()
    yield server
    server.stop()


def crash(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom: a bug")


def reference_in(body: str) -> str:
    found = re.search(r"foutreferentie ([0-9a-f]{8})\)", body)
    assert found, body
    return found.group(1)


def logged(caplog: pytest.LogCaptureFixture, reference: str) -> logging.LogRecord:
    (record,) = [r for r in caplog.records if reference in r.getMessage()]
    assert record.name == "ibtpost.web" and record.exc_info is not None
    assert "RuntimeError: boom: a bug" in caplog.text  # the traceback
    return record


def test_an_unexpected_failure_shows_a_dutch_page_with_the_logged_reference(
    web: WebServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("ibtpost.web.overview.read_overview", crash)
    with caplog.at_level(logging.ERROR, logger="ibtpost.web"):
        status, headers, body = web.request("GET", "/")
    assert status == 500
    assert "Interne fout" in body and "Er ging onverwacht iets mis" in body
    assert not [word for word in ENGLISH if word in body]
    assert "default-src 'none'" in headers["content-security-policy"]  # the guard's headers
    logged(caplog, reference_in(body))


def test_a_crashed_job_shows_its_reference_in_dutch(
    web: WebServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("ibtpost.web.review.proof", crash)
    with caplog.at_level(logging.ERROR, logger="ibtpost.web"):
        status, _, _ = web.request("POST", "/review/trede-2/proof", form={"csrf": web.csrf})
        assert status == 303
        for _ in range(300):
            status, _, body = web.request("GET", "/review/trede-2/proof/progress")
            if "Mislukt" in body:
                break
            threading.Event().wait(0.05)
    assert status == 200 and "Mislukt na" in body and "Er ging onverwacht iets mis" in body
    assert not [word for word in ENGLISH if word in body]
    record = logged(caplog, reference_in(body))
    assert "proof:trede-2" in record.getMessage()
    _, _, page = web.request("GET", "/review/trede-2")
    assert reference_in(page) == reference_in(body)


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (
            lambda t: t.replace("trede: 2\n", "trede: 2\nondertekenaar: nobody\n"),
            12,
            "onbekende sleutel",
        ),
        (
            lambda t: t.replace("trede: 2\n", "trede: [2\n"),
            12,
            "de opmaak van het bestand klopt niet",
        ),
    ],
    ids=["unknown-field", "invalid-yaml"],
)
def test_a_broken_definition_is_shown_with_its_file_and_line(
    web: WebServer, change: Any, line: int, message: str
) -> None:
    path = web.root / "letters" / "trede-2.yaml"
    path.write_text(change(path.read_text("utf-8")), "utf-8")
    status, _, body = web.request("GET", "/review/trede-2")
    assert status == 422, body
    assert "De brief trede-2 kan niet worden getoond" in body
    assert f"bestand letters/trede-2.yaml, regel {line}" in body, body
    assert message in body
    status, _, body = web.request("GET", "/review/trede-7")  # no definition file at all
    assert status == 404 and "Niet gevonden" in body
