"""``ibtpost web`` as people start it, and the background jobs' rules."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import Result
from tests.webserver import free_port

from ibtpost.core.errors import UsageError
from ibtpost.register import Register, audit
from ibtpost.web.jobs import Job, Jobs


def test_the_command_prints_one_url_and_serves_only_with_its_token(root: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ibtpost", "--root", str(root), "web", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        prefix = f"http://127.0.0.1:{port}/?token="
        assert url.startswith(prefix) and len(url) > len(prefix) + 30
        token = url.removeprefix(prefix)

        def get(path: str, cookie: str = "") -> http.client.HTTPResponse:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            connection.close()
            return response

        for _ in range(100):  # the URL is printed just before uvicorn listens
            try:
                first = get("/")
                break
            except ConnectionRefusedError:
                threading.Event().wait(0.1)
        assert first.status == 403
        response = get(f"/?token={token}")
        assert response.status == 303
        assert get("/", f"ibtpost_{port}={token}").status == 200
        assert get("/", f"ibtpost_{port}={token[:-1]}x").status == 403
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "ibtpost web: stopped" in err


def test_an_address_that_is_not_an_ip_address_is_refused(
    root: Path, cli: Callable[..., Result]
) -> None:
    result = cli(root, "web", "--host", "example.org")
    assert result.code == 2
    assert "--host: 'example.org' is not an IP address" in result.err
    assert cli(root, "web", "--port", "80").code == 2


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])  # noqa: S104 - refused
def test_an_address_beyond_this_machine_is_refused_without_a_login(
    root: Path, cli: Callable[..., Result], host: str
) -> None:
    """Without a login the workplace serves only the loopback: any other address is
    refused (exit 2, one line), nothing served."""
    result = cli(root, "web", "--host", host)
    assert result.code == 2
    (line,) = result.err.strip().splitlines()
    assert line.startswith(f"error: --host: {host} is not a loopback address")


def test_one_job_per_batch_at_a_time_and_its_events_say_web(root: Path) -> None:
    jobs = Jobs()
    release = threading.Event()

    def slow(job: Job) -> list[str]:
        job.progress(1, 2)
        release.wait(30)
        with Register.for_root(root) as register:
            audit.record(register, audit.CASE_CLOSED, data={"municipality": "GM0622"})
        return ["klaar"]

    first = jobs.start("trede-2-2026-04-09", "batch", "Batch maken", slow)
    with pytest.raises(UsageError, match="loopt nog"):
        jobs.start("trede-2-2026-04-09", "queue", "Klaarzetten", lambda job: [])
    other = jobs.start("trede-3-2026-04-09", "batch", "Batch maken", lambda job: ["ok"])
    assert first.running and first.done == 1 and first.total == 2
    release.set()
    for job in (first, other):
        for _ in range(300):
            if not job.running:
                break
            threading.Event().wait(0.05)
    assert first.state == "done" and first.lines == ["klaar"] and other.state == "done"
    with Register.for_root(root) as register:
        (event,) = list(audit.events(register))
    assert event.data == {"municipality": "GM0622", "origin": "web"}

    def failing(job: Job) -> list[str]:
        raise UsageError("no batch 'x'")

    again = jobs.start("trede-2-2026-04-09", "queue", "Klaarzetten", failing)
    for _ in range(300):
        if not again.running:
            break
        threading.Event().wait(0.05)
    assert again.state == "failed"  # an error without Dutch wording: not its English text
    assert again.errors == [
        "Er is een fout gevonden; de beheerder vindt de melding in het logboek."
    ]


def test_a_batch_job_counts_the_letters_converted_while_it_runs(root: Path) -> None:
    """The batch page's live count of converted letters: the ``letter.generated`` events of
    the batch recorded after the job started, not those of an earlier run."""
    from ibtpost.web.batches import converted_since

    with Register.for_root(root) as register:
        audit.record(register, audit.LETTER_GENERATED, reference="7500001", batch="b1", data={})
    job = Job("b1", "batch", "Batch b1 maken")
    job.watch_converted = converted_since(root, "b1")
    assert job.refresh().converted == 0  # the earlier run's letter does not count
    with Register.for_root(root) as register:
        audit.record(register, audit.LETTER_GENERATED, reference="7500002", batch="b1", data={})
        audit.record(register, audit.LETTER_GENERATED, reference="7500009", batch="b2", data={})
        audit.record(register, audit.LETTER_QUEUED, reference="7500001", batch="b1", data={})
    assert job.refresh().converted == 1


def test_the_warm_converter_starts_anew_after_a_failed_start(root: Path) -> None:
    """A LibreOffice that could not start is not kept: once the setting is right, the next
    preview gets a converter that works (no restart of the server)."""
    from ibtpost.core.errors import IbtpostError
    from ibtpost.web.warm import WarmConverters

    settings = root / "config" / "settings.yaml"
    good = settings.read_text("utf-8")
    settings.write_text(good.replace("command: soffice", "command: /nonexistent/soffice"))
    warm = WarmConverters(root)
    try:
        with pytest.raises(IbtpostError):
            warm.get().start().result()
        settings.write_text(good, "utf-8")
        pool = warm.get().start().result(timeout=120)
        assert len(pool.converters) == 1
    finally:
        warm.close()
