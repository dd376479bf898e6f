"""Dispatch as one stage: a copy follows its letter, ``withdraw`` takes one copy alone, and a
letter mailed and then posted reads the same delivery everywhere. Real batch, real SMTP
server on 127.0.0.1, real SQLite."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree
from tests.conftest import Result
from tests.realdata import import_real_data
from tests.smtpserver import SmtpServer
from tests.test_copies import COPIES, VLAARDINGEN, _batch, _import, _with_copies
from tests.test_exactly_once import events, run
from tests.webserver import WebServer

from ibtpost.archive.mdto import NAMESPACE
from ibtpost.dispatch import states
from ibtpost.dispatch.delivery import letter_delivery, outbox_summary
from ibtpost.register import Register
from ibtpost.register import letters as letter_register

pytestmark = pytest.mark.libreoffice

COLLEGE = "college-gm0622@gemeente.test"
NS = {"m": NAMESPACE}


def _copies_queued(root: Path, cli: Callable[..., Result], tmp_path: Path) -> tuple[str, str]:
    """A batch of one letter to Vlaardingen with copies to its raad and to GS, queued."""
    _with_copies(root, cli, COPIES)
    import_real_data(root, (VLAARDINGEN,), tmp_path)
    raad = _import(cli, root, tmp_path, "raad", f"gemeentecode,email\n{VLAARDINGEN},raad@vl.test\n")
    assert raad.code == 0, raad.err
    gs = _import(cli, root, tmp_path, "gs", "provincie,email\nZuid-Holland,gs@zh.test\n")
    assert gs.code == 0, gs.err
    batch = _batch(cli, root, VLAARDINGEN)
    queued = cli(root, "queue", batch)
    assert queued.code == 0, queued.err
    with Register.for_root(root) as register:
        (letter,) = letter_register.batch_letters(register, batch)
    return batch, letter.reference


def _states(root: Path, batch: str) -> dict[str, str]:
    with Register.for_root(root) as register:
        return {e.role: e.state for e in states.entries(register, batch, copies=True)}


def test_a_copy_is_not_sent_while_its_letter_failed_and_goes_to_the_post_room_with_it(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer
) -> None:
    batch, reference = _copies_queued(root, cli, tmp_path)
    server.recorder.refuse_rcpt = {COLLEGE: "550 5.1.1 mailbox unavailable"}
    sent = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert sent.returncode == 1
    assert f"failed {reference}: 550" in sent.stdout
    assert f"post room {reference}-raad" in sent.stdout
    assert server.recorder.received == []  # neither the letter nor a copy went
    # nor its Cc: the CdK gets a copy by post with the letter (legal review 2026-12, CdK)
    assert f"post room {reference}-cdk" in sent.stdout
    assert _states(root, batch) == {
        "college": "failed",
        "raad": "post",
        "gs": "post",
        "cdk": "post",
    }
    moved = events(root, "copy.to_post_room")
    assert sorted(e.data["role"] for e in moved) == ["gs", "raad"]
    (added,) = [e for e in events(root, "copy.queued") if e.data["role"] == "cdk"]
    assert added.data["state"] == "post" and "mail failed" in added.data["missing"]
    room = cli(root, "post-room", batch)
    assert room.code == 0, room.err
    assert room.out.splitlines()[0] == reference
    assert set(room.out.splitlines()[1:]) == {
        f"{reference}-cdk: Aan de Commissaris van de Koning van Zuid-Holland",
        f"{reference}-gs: Aan Gedeputeerde Staten van de provincie Zuid-Holland",
        f"{reference}-raad: Aan de gemeenteraad van Vlaardingen",
    }
    again = run(root, "send", "--retry-delay", "0.01", url=server.url)  # nothing twice
    assert len([e for e in events(root, "copy.queued") if e.data["role"] == "cdk"]) == 1
    assert again.returncode == 0, again.stderr
    posted = cli(root, "post", batch, "--date", "2026-04-10")
    assert posted.code == 0, posted.err
    assert set(_states(root, batch).values()) == {"posted"}
    assert sorted(e.data["role"] for e in events(root, "copy.posted")) == ["cdk", "gs", "raad"]


def test_withdraw_takes_one_copy_alone_and_queue_queues_it_again(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    batch, reference = _copies_queued(root, cli, tmp_path)
    label = f"{reference}-raad"
    withdrawn = cli(root, "withdraw", batch, "-r", label, "--reason", "wrong griffie")
    assert withdrawn.code == 0, withdrawn.err
    assert withdrawn.out.splitlines() == [f"withdrawn {label} (was queued)"]
    assert _states(root, batch) == {"college": "queued", "raad": "withdrawn", "gs": "queued"}
    (event,) = events(root, "copy.withdrawn")
    assert (event.reference, event.data["role"], event.data["reason"]) == (
        reference,
        "raad",
        "wrong griffie",
    )
    assert events(root, "letter.withdrawn") == []
    again = cli(root, "withdraw", batch, "-r", label, "--reason", "twice")
    assert again.code == 2 and f"{label} is withdrawn" in again.err
    queued = cli(root, "queue", batch)
    assert queued.code == 0, queued.err
    assert _states(root, batch) == {"college": "queued", "raad": "queued", "gs": "queued"}
    requeued = [e for e in events(root, "copy.queued") if e.data["role"] == "raad"]
    assert [e.data["requeued"] for e in requeued] == [False, True]


def test_a_letter_mailed_and_then_posted_reads_the_same_everywhere(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer
) -> None:
    """delivery: mail and post: sent by SMTP, then recorded as posted. The report, the
    outbox, the web's batch and letter pages, the MDTO export and the case file all show the
    one delivery of ``ibtpost.dispatch.delivery``."""
    definition = root / "letters" / "trede-2.yaml"
    text = definition.read_text("utf-8")
    definition.write_text(text.replace("status: final", "status: final\ndelivery: mail and post"))
    assert cli(root, "approve", "trede-2", "--by", "A. Jurist").code == 0
    import_real_data(root, (VLAARDINGEN,), tmp_path)
    batch = _batch(cli, root, VLAARDINGEN)
    assert cli(root, "queue", batch).code == 0
    assert run(root, "send", "--retry-delay", "0.01", url=server.url).returncode == 0
    assert cli(root, "post", batch, "--date", "2026-04-16").code == 0
    with Register.for_root(root) as register:
        (letter,) = letter_register.batch_letters(register, batch)
        found = letter_delivery(register, letter)
        (summary,) = [s for s in outbox_summary(register) if s.batch == batch]
    assert (found.state, found.channel) == ("sent", "mail and post")
    assert found.label_nl == "per e-mail en per post verzonden"

    (row,) = csv.DictReader(io.StringIO(cli(root, "report", batch).out))
    assert (row["state"], row["channel"], row["posted_on"]) == (
        found.state,
        found.channel,
        "2026-04-16",
    )
    assert (summary.sent, summary.posted, summary.post) == (1, 1, 0)
    outbox = cli(root, "outbox").out
    cells = [c.strip() for c in next(x for x in outbox.splitlines() if batch in x).split("│")]
    assert cells[5] == "1" and cells[9] == "1"  # sent, posted

    web = WebServer(root).start()
    try:
        status, _, batch_page = web.request("GET", f"/batches/{batch}")
        assert status == 200, batch_page
        status, _, letter_page = web.request("GET", f"/letters/{letter.reference}")
        assert status == 200, letter_page
    finally:
        web.stop()
    assert f'class="state-{found.state}">{found.label_nl}' in batch_page
    assert f"<dt>Bezorging</dt><dd>{found.label_nl}, 2026-04-16" in letter_page

    out = tmp_path / "export"
    exported = cli(root, "export", "mdto", batch, "--out", str(out))
    assert exported.code == 0, exported.err
    results = [
        etree.parse(str(path)).findtext(".//m:event/m:eventResultaat", namespaces=NS)
        for path in sorted(out.rglob("*.xml"))
    ]
    assert found.channel_label("nl") in results

    case = cli(root, "case", VLAARDINGEN)
    assert case.code == 0, case.err
    folder = root / "outbox" / "cases" / VLAARDINGEN / "case-file"
    (filed,) = csv.DictReader(io.StringIO((folder / "delivery-report.csv").read_text("utf-8")))
    assert (filed["state"], filed["channel"]) == (found.state, found.channel)
    assert json.loads(cli(root, "report", batch, "--format", "json").out)[0]["state"] == "sent"
