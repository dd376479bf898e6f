"""Send exactly what was queued, exactly once: concurrent send runs as real processes, the
frozen envelope and message, withdraw, the fall-back to post, the delivery report and the
Dutch calendar day. Real batch (LibreOffice), real SQLite, real SMTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import Result, copy_tree
from tests.realdata import college, ibtpost, import_addresses, import_real_data
from tests.smtpserver import Recorder, SmtpServer

from ibtpost.dispatch import send
from ibtpost.dispatch.send import frozen_message
from ibtpost.mail.transport import SmtpTransport, smtp_settings
from ibtpost.register import Register, audit, dispatch
from ibtpost.register import letters as letter_register

pytestmark = pytest.mark.libreoffice

DAY = "2026-04-09"
# real-looking data on the reserved .test domain (RFC 2606): not sample data, so live SMTP
# (to 127.0.0.1 only) may take it
CODES = ("GM0622", "GM0363", "GM0935", "GM0014", "GM0518", "GM0344")


@pytest.fixture(scope="module")
def queued_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with real figures and addresses for CODES and their batch queued (made once;
    each test works on a copy)."""
    base = tmp_path_factory.mktemp("queued")
    root = copy_tree(base / "root")
    import_real_data(root, CODES, base)
    args = ["batch", "trede-2", "--date", DAY]
    for code in CODES:
        args += ["-m", code]
    assert ibtpost(root, *args) == 0
    (batch,) = [p.name for p in (root / "outbox").iterdir() if p.name.startswith("trede-2-")]
    assert ibtpost(root, "queue", batch) == 0
    return root


@pytest.fixture
def root(queued_root: Path, tmp_path: Path) -> Path:
    """A private copy of the queued root."""
    target = tmp_path / "root"
    shutil.copytree(queued_root, target)
    return target


def batch_of(root: Path) -> str:
    (batch,) = [p.name for p in (root / "outbox").iterdir() if p.name.startswith("trede-2-")]
    return batch


def references(root: Path) -> dict[str, str]:
    """Municipality code -> reference of the queued batch."""
    with Register.for_root(root) as register:
        return {
            x.municipality: x.reference
            for x in letter_register.batch_letters(register, batch_of(root))
        }


def environment(url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IBTPOST_")}
    if url is not None:
        env["IBTPOST_SMTP_URL"] = url
    return env


def start_send(root: Path, url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ibtpost",
            "--root",
            str(root),
            "send",
            "--retry-delay",
            "0.01",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(url),
    )


def run(root: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    """ibtpost in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "ibtpost", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=environment(url),
        timeout=120,
        check=False,
    )


def events(root: Path, kind: str | None = None) -> list[audit.Event]:
    with Register.for_root(root) as register:
        assert audit.verify(register).ok
        found = list(audit.events(register))
    return [e for e in found if kind is None or e.kind == kind]


@pytest.fixture
def slow_server() -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1 that takes 0.25 s to answer each DATA."""
    srv = SmtpServer(Recorder(delay=0.25))
    srv.start()
    yield srv
    srv.stop()


# -- exactly once under concurrency ---------------------------------------------------------


@pytest.mark.parametrize("runs", [2, 3])
def test_concurrent_send_runs_deliver_each_letter_once(
    queued_root: Path, tmp_path: Path, runs: int
) -> None:
    """Two or three `send` processes started together against a slow server, three times
    over: every letter arrives exactly once, is recorded sent once, and the runs that did not
    get a letter say they left it to another run."""
    for turn in range(3):
        root = tmp_path / f"turn-{turn}"
        shutil.copytree(queued_root, root)
        server = SmtpServer(Recorder(delay=0.25))
        server.start()
        try:
            processes = [start_send(root, server.url) for _ in range(runs)]
            outputs = [p.communicate(timeout=120) for p in processes]
        finally:
            server.stop()
        assert [p.returncode for p in processes] == [0] * runs, outputs
        received = Counter(str(r.message["X-Ibtpost-Reference"]) for r in server.recorder.received)
        assert sorted(received) == sorted(references(root).values())
        assert set(received.values()) == {1}, received
        sent_events = Counter(e.reference for e in events(root, audit.LETTER_SENT))
        assert set(sent_events.values()) == {1} and len(sent_events) == len(CODES)
        attempts = [e for e in events(root, audit.SEND_ATTEMPT) if e.data["verdict"] == "sent"]
        assert len(attempts) == len(CODES)
        sent_by = [
            {line.split()[1] for line in out.splitlines() if line.startswith("sent ")}
            for out, _ in outputs
        ]
        assert sorted(r for run_sent in sent_by for r in run_sent) == sorted(received)
        for (_, err), run_sent in zip(outputs, sent_by, strict=True):
            left = {
                line.split()[1].rstrip(":") for line in err.splitlines() if line.startswith("left ")
            }
            assert left <= set(received) - run_sent  # what it left, another run sent


def test_send_and_withdraw_at_once_never_both(root: Path, slow_server: SmtpServer) -> None:
    """withdraw while a send run is busy: each letter is either sent or withdrawn, never
    both, and a letter the run is sending cannot be withdrawn (exit 2, its state named)."""
    batch = batch_of(root)
    refs = sorted(references(root).values())
    sender = start_send(root, slow_server.url)
    deadline = time.monotonic() + 60
    while not slow_server.recorder.received and time.monotonic() < deadline:
        time.sleep(0.05)  # the run has the queue and is sending
    named = ["-r" + r for r in refs]
    refused = run(root, "withdraw", batch, *named, "--reason", "adres gewijzigd")
    taken = run(root, "withdraw", batch, "--reason", "adres gewijzigd")
    sender.communicate(timeout=120)
    assert refused.returncode == 2, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert " is sent: " in refused.stderr or " is being sent: " in refused.stderr
    with Register.for_root(root) as register:
        states = {e.reference: e.state for e in dispatch.entries(register, batch)}
    got = Counter(str(r.message["X-Ibtpost-Reference"]) for r in slow_server.recorder.received)
    withdrawn = {e.reference for e in events(root, audit.LETTER_WITHDRAWN)}
    assert set(got.values()) == {1}
    assert not withdrawn & set(got)
    assert withdrawn | set(got) == set(refs)
    assert {r for r, s in states.items() if s == "withdrawn"} == withdrawn
    assert {r for r, s in states.items() if s == "sent"} == set(got)
    assert taken.returncode == (0 if withdrawn else 2), taken.stderr


def test_post_and_queue_while_send_runs_change_nothing_it_sends(
    root: Path, slow_server: SmtpServer
) -> None:
    """While a send run is busy, `post` of its letters is refused (nothing recorded) and
    `queue` again queues nothing: every letter is mailed once and none is also posted."""
    batch = batch_of(root)
    refs = sorted(references(root).values())
    sender = start_send(root, slow_server.url)
    deadline = time.monotonic() + 60
    while not slow_server.recorder.received and time.monotonic() < deadline:
        time.sleep(0.05)
    posted = run(root, "post", batch, *("-r" + r for r in refs), "--date", DAY)
    queued = run(root, "queue", batch)
    sender.communicate(timeout=120)
    assert posted.returncode == 2, posted.stderr
    assert "cannot be recorded as posted" in posted.stderr
    assert queued.returncode == 0, queued.stderr
    assert "0 queued for e-mail, 0 for the post room, 6 already queued" in queued.stderr
    got = Counter(str(r.message["X-Ibtpost-Reference"]) for r in slow_server.recorder.received)
    assert sorted(got) == refs and set(got.values()) == {1}
    assert events(root, audit.LETTER_POSTED) == []
    with Register.for_root(root) as register:
        assert {x.sent_via for x in letter_register.batch_letters(register, batch)} == {"mail"}


# -- the frozen envelope and message ---------------------------------------------------------


def test_an_address_imported_after_queue_is_reported_and_not_used(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer
) -> None:
    """A new college address imported between queue and send: the letter goes to the
    address recorded at queue; outbox and send say which letter's address changed."""
    refs = references(root)
    import_addresses(root, {"GM0622": "nieuw-adres@vlaardingen.test"}, tmp_path)
    outbox = cli(root, "outbox")
    expected = f"{refs['GM0622']}: To {college('GM0622')} -> nieuw-adres@vlaardingen.test"
    assert expected in outbox.err
    sent = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert sent.returncode == 0, sent.stderr
    assert expected in sent.stderr
    by_reference = {str(r.message["X-Ibtpost-Reference"]): r for r in server.recorder.received}
    vlaardingen = by_reference[refs["GM0622"]]
    assert vlaardingen.recipients == [college("GM0622"), "cdk@zuid-holland.test"]
    assert college("GM0622") in str(vlaardingen.message["To"])
    queued = next(e for e in events(root, audit.LETTER_QUEUED) if e.reference == refs["GM0622"])
    assert queued.data["to"] == college("GM0622")
    assert queued.data["cc"] == ["cdk@zuid-holland.test"]
    assert queued.data["from"] == "ibtspreidingswet@minjenv.nl"


def test_the_message_sent_is_the_frozen_one_whatever_the_templates_say_now(
    root: Path, server: SmtpServer
) -> None:
    """The mail template changed after queue: send delivers the queued bytes (Date in
    front), whose SHA-256 is the one the letter.queued event recorded."""
    template = root / "templates" / "mail.txt"
    template.write_text(template.read_text("utf-8").replace("Geacht", "Beste"), "utf-8")
    sent = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert sent.returncode == 0, sent.stderr
    queued = {e.reference: e.data for e in events(root, audit.LETTER_QUEUED)}
    for item in server.recorder.received:
        data = item.data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        head, _, rest = data.partition(b"\r\n")
        assert head.startswith(b"Date: ")
        reference = str(item.message["X-Ibtpost-Reference"])
        spool = root / "outbox" / batch_of(root) / "spool" / queued[reference]["spool"]
        assert rest == spool.read_bytes()
        assert hashlib.sha256(rest).hexdigest() == queued[reference]["message_sha256"]
        assert "Geacht college" in item.message.get_body(("plain",)).get_content()


def test_a_changed_spool_file_is_refused_and_audited(
    root: Path, cli: Callable[..., Result], server: SmtpServer
) -> None:
    """A frozen message edited after queue is not sent (exit 1, a send.refused event); the
    others go; after withdraw and queue it is composed anew and sent."""
    refs = references(root)
    batch = batch_of(root)
    target = refs["GM0363"]
    (spool,) = (root / "outbox" / batch / "spool").glob(f"{target}-*.eml")
    spool.write_bytes(spool.read_bytes().replace(b"Geacht college", b"Geacht kollege"))
    sent = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert sent.returncode == 1
    assert f"not sent {target}: {batch}/spool/{spool.name} differs from the message queued" in (
        sent.stderr
    )
    got = {str(r.message["X-Ibtpost-Reference"]) for r in server.recorder.received}
    assert got == set(refs.values()) - {target}
    (refused,) = events(root, audit.SEND_REFUSED)
    assert (
        refused.reference == target
        and refused.data["found_sha256"] != refused.data["expected_sha256"]
    )
    assert cli(root, "withdraw", batch, "-r", target, "--reason", "spool gewijzigd").code == 0
    assert cli(root, "queue", batch).code == 0
    again = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert again.returncode == 0, again.stderr
    last = server.recorder.received[-1]
    assert str(last.message["X-Ibtpost-Reference"]) == target
    assert "Geacht college" in last.message.get_body(("plain",)).get_content()


# -- withdraw ----------------------------------------------------------------------------------


def test_withdraw_then_queue_goes_to_the_new_address(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer
) -> None:
    """withdraw takes a queued letter out (audited with the reason); queue composes it anew
    from today's addresses, same files and reference; send delivers it there."""
    refs = references(root)
    batch = batch_of(root)
    folder = root / "outbox" / batch
    pdfs = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}
    import_addresses(root, {"GM0622": "nieuw-adres@vlaardingen.test"}, tmp_path)
    withdrawn = cli(root, "withdraw", batch, "-r", refs["GM0622"], "--reason", "nieuw adres")
    assert withdrawn.code == 0, withdrawn.err
    assert f"withdrawn {refs['GM0622']} (was queued)" in withdrawn.out
    (event,) = events(root, audit.LETTER_WITHDRAWN)
    assert event.reference == refs["GM0622"] and event.data["reason"] == "nieuw adres"
    queued = cli(root, "queue", batch)
    assert queued.code == 0, queued.err
    assert "1 queued for e-mail" in queued.err
    requeued = [e for e in events(root, audit.LETTER_QUEUED) if e.reference == refs["GM0622"]]
    assert [e.data["to"] for e in requeued] == [college("GM0622"), "nieuw-adres@vlaardingen.test"]
    assert requeued[-1].data["requeued"] is True
    sent = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert sent.returncode == 0, sent.stderr
    by_reference = {str(r.message["X-Ibtpost-Reference"]): r for r in server.recorder.received}
    assert by_reference[refs["GM0622"]].recipients[0] == "nieuw-adres@vlaardingen.test"
    assert len(server.recorder.received) == len(CODES)
    assert {p.name: p.read_bytes() for p in folder.glob("*.pdf")} == pdfs


def test_withdrawing_a_sent_letter_is_refused(
    root: Path, cli: Callable[..., Result], server: SmtpServer
) -> None:
    """A sent letter cannot be withdrawn: exit 2, one line naming its state, nothing
    changed; nor can one that is in doubt."""
    refs = references(root)
    batch = batch_of(root)
    assert run(root, "send", "--limit", "1", url=server.url).returncode == 0
    first = min(refs.values())
    before = len(events(root))
    refused = cli(root, "withdraw", batch, "-r", first, "-r", max(refs.values()), "--reason", "x")
    assert refused.code == 2
    assert refused.err.strip() == (
        f"error: --reference: {first} is sent: only a letter that is queued, waiting for the "
        "post room or failed can be withdrawn"
    )
    assert len(events(root)) == before
    with Register.for_root(root) as register:
        assert dispatch.entry(register, max(refs.values())).state == "queued"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["withdraw", "no-such-batch", "--reason", "x"], "error: BATCH: no batch 'no-such-batch'"),
        (["withdraw", "{batch}", "-r", "9999999", "--reason", "x"], "no letter with reference"),
        (["withdraw", "{batch}", "-r", "abc", "--reason", "x"], "must be 1 to 12 digits"),
        (["withdraw", "{batch}"], "the following arguments are required: --reason"),
        (["withdraw", "{batch}", "--reason", " "], "error: --reason: must be one line of text"),
        (["send", "--rate", "-5"], "argument --rate: '-5' is not a number above 0 to 6000"),
        (["send", "--rate", "0"], "argument --rate: '0' is not a number above 0"),
        (["send", "--rate", "nan"], "argument --rate: 'nan' is not a number"),
        (["send", "--limit", "0"], "argument --limit: '0' is not a whole number of 1 or more"),
        (["send", "--max-attempts", "0"], "argument --max-attempts: '0' is not a whole number"),
        (["send", "--max-attempts", "50"], "argument --max-attempts: '50' is not a whole number"),
        (["send", "--retry-delay", "-1"], "argument --retry-delay: '-1' is not a number from 0"),
        (["send", "--retry-delay", "1e9"], "argument --retry-delay: '1e9' is not a number"),
        (["report", "no-such-batch"], "error: BATCH: no batch 'no-such-batch'"),
        (["report", "{batch}", "--format", "xml"], "argument --format: invalid choice"),
        (["post-room", "no-such-batch"], "error: BATCH: no batch 'no-such-batch'"),
    ],
)
def test_bad_dispatch_input_is_one_line_exit_2_and_changes_nothing(
    root: Path, cli: Callable[..., Result], args: list[str], message: str
) -> None:
    """Unknown batch or reference, withdraw without a reason, numeric send options out of
    range: exit 2, one line naming the problem, nothing written."""
    before = len(events(root))
    spool = sorted(p.name for p in (root / "outbox").rglob("*"))
    result = cli(root, *(a.format(batch=batch_of(root)) for a in args))
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert message in result.err
    assert len(events(root)) == before
    assert sorted(p.name for p in (root / "outbox").rglob("*")) == spool


def test_withdraw_of_a_letter_in_another_batch_is_refused(
    root: Path, cli: Callable[..., Result]
) -> None:
    """withdraw names a reference of another batch: exit 2, which batch it is in."""
    refs = references(root)
    batch = batch_of(root)
    other = cli(root, "batch", "trede-2", "--date", "2026-04-10", "-m", "GM0622", "--reason", "r")
    assert other.code == 0, other.err
    other_batch = Path(other.out.strip().splitlines()[-1]).name
    result = cli(root, "withdraw", other_batch, "-r", refs["GM0363"], "--reason", "x")
    assert result.code == 2
    assert f"{refs['GM0363']} is in batch {batch}, not in {other_batch}" in result.err


# -- failed letters go by post -----------------------------------------------------------------


def test_a_refused_letter_goes_to_the_post_room_and_counts_once_posted(
    root: Path, cli: Callable[..., Result], server: SmtpServer
) -> None:
    """A college address the server refuses (550) ends failed; outbox shows it waiting for
    the post room; post-room.pdf holds it alone; `post` records it and it counts on the
    ladder from the posting date; sent letters cannot be posted again."""
    refs = references(root)
    batch = batch_of(root)
    server.recorder.refuse_rcpt = {college("GM0935"): "550 5.1.1 mailbox unavailable"}
    sent = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert sent.returncode == 1
    assert f"failed {refs['GM0935']}: 550 college {college('GM0935')}" in sent.stdout
    assert f"`ibtpost post-room {batch}`" in sent.stderr
    outbox = cli(root, "outbox")
    row = next(line for line in outbox.out.splitlines() if batch in line)
    cells = [c.strip() for c in row.split("│")[1:-1]]
    assert cells[1:] == ["6", "0", "0", "5", "1", "0", "1", "0", "0"]
    room = cli(root, "post-room", batch)
    assert room.code == 0, room.err
    # the CdK, the failed mail's Cc, gets a copy by post with the letter
    assert room.out.splitlines() == [
        refs["GM0935"],
        f"{refs['GM0935']}-cdk: Aan de Commissaris van de Koning van Limburg",
    ]
    printed = PdfReader(root / "outbox" / batch / "post-room.pdf")
    text = "".join(p.extract_text() for p in printed.pages)
    assert "Maastricht" in text and "Vlaardingen" not in text
    refused = cli(root, "post", batch, "-r", refs["GM0622"], "--date", "2026-04-10")
    assert refused.code == 2 and "is sent by e-mail" in refused.err
    posted = cli(root, "post", batch, "--date", "2026-04-10")
    assert posted.code == 0, posted.err
    assert posted.out.splitlines() == [
        f"{refs['GM0935']} GM0935: posted 2026-04-10",
        f"{refs['GM0935']}-cdk: copy posted 2026-04-10",
    ]
    with Register.for_root(root) as register:
        letter = letter_register.letter_by_reference(register, refs["GM0935"])
        assert letter is not None and letter.sent_via == "post"
        assert letter.sent_on == date(2026, 4, 10) and letter.case_id is not None
        assert dispatch.entry(register, refs["GM0935"]).state == "posted"  # type: ignore[union-attr]
    status = json.loads(cli(root, "status", "--date", "2026-04-11", "--json").out)
    maastricht = next(r for r in status if r["code"] == "GM0935")
    assert maastricht["trede"] == 2
    assert cli(root, "post-room", batch).out == ""
    assert not (root / "outbox" / batch / "post-room.pdf").exists()


def test_post_refuses_a_letter_queued_for_mail(root: Path, cli: Callable[..., Result]) -> None:
    """A letter still queued for e-mail cannot be recorded as posted (it would go twice);
    the hint names withdraw."""
    refs = references(root)
    result = cli(root, "post", batch_of(root), "-r", refs["GM0622"], "--date", DAY)
    assert result.code == 2
    assert f"{refs['GM0622']} is queued for e-mail: it cannot be recorded as posted" in result.err
    assert "ibtpost withdraw" in result.err


# -- the delivery report -------------------------------------------------------------------------


def test_the_delivery_report_agrees_with_the_audit_trail(
    root: Path, cli: Callable[..., Result], server: SmtpServer
) -> None:
    """After a run with one 550 and one retried letter, each report row (CSV and JSON)
    matches the audit export: envelope, message hash, state, attempts, reply, PDF hash."""
    refs = references(root)
    batch = batch_of(root)
    server.recorder.refuse_rcpt = {college("GM0014"): "550 5.1.1 mailbox unavailable"}
    server.recorder.fail_data = 1  # the first letter is retried once
    run(root, "send", "--retry-delay", "0.01", url=server.url)
    as_json = cli(root, "report", batch, "--format", "json")
    assert as_json.code == 0, as_json.err
    rows = {r["reference"]: r for r in json.loads(as_json.out)}
    as_csv = list(csv.DictReader(io.StringIO(cli(root, "report", batch).out)))
    assert [r["reference"] for r in as_csv] == sorted(rows)
    exported = [
        json.loads(line) for line in cli(root, "audit", "export", "--batch", batch).out.splitlines()
    ]
    assert {r["state"] for r in rows.values()} == {"sent", "failed"}
    for reference, row in rows.items():
        mine = [e for e in exported if e["reference"] == reference]
        queued = [e for e in mine if e["kind"] == "letter.queued"][-1]["data"]
        attempts = [e["data"] for e in mine if e["kind"] == "send.attempt"]
        generated = [e for e in mine if e["kind"] == "letter.generated"][-1]["data"]
        outcome = next(e for e in mine if e["kind"] in ("letter.sent", "letter.failed"))
        assert row["to"] == queued["to"] and row["cc"] == queued["cc"]
        assert row["message_sha256"] == queued["message_sha256"]
        assert row["message_id"] == queued["message_id"]
        assert row["pdf_sha256"] == queued["pdf_sha256"] == generated["pdf_sha256"]
        assert row["attempts"] == len(attempts)
        assert row["last_reply"] == outcome["data"]["reply"]
        assert row["state"] == outcome["kind"].removeprefix("letter.")
        assert row["channel"] == ("post" if row["state"] == "failed" else "mail")
        assert row["counts_from"] == outcome["data"].get("sent_on", "")
        assert row["sent_at"][:10] == (outcome["at"][:10] if row["state"] == "sent" else "")
        flat = next(r for r in as_csv if r["reference"] == reference)
        assert flat["to"] == row["to"] and flat["cc"] == "; ".join(row["cc"])
    assert rows[refs["GM0014"]]["state"] == "failed"
    assert max(r["attempts"] for r in rows.values()) == 2


# -- the Dutch calendar ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (datetime(2026, 4, 30, 22, 30, tzinfo=UTC), date(2026, 5, 1)),  # 00:30 CEST, 1 May
        (datetime(2026, 4, 30, 21, 59, tzinfo=UTC), date(2026, 4, 30)),  # 23:59 CEST
        (datetime(2026, 1, 31, 23, 5, tzinfo=UTC), date(2026, 2, 1)),  # 00:05 CET, 1 Feb
    ],
)
def test_a_letter_counts_from_the_dutch_calendar_day(
    root: Path, server: SmtpServer, instant: datetime, day: date
) -> None:
    """sent_on is the date in Europe/Amsterdam when the server took the letter, also just
    after midnight when UTC still has the day before; the Date header says the same."""
    transport = SmtpTransport(smtp_settings(server.url, None, None))
    with Register.for_root(root) as register:
        settings = send.SendSettings(limit=1)
        report = asyncio.run(
            send.send_queue(
                register, transport, frozen_message(root), settings, now=lambda: instant
            )
        )
        (reference,) = report.sent
        letter = letter_register.letter_by_reference(register, reference)
    assert letter is not None and letter.sent_on == day
    (received,) = server.recorder.received
    assert received.message["Date"].datetime == instant
    (event,) = events(root, audit.LETTER_SENT)
    assert event.data["sent_on"] == day.isoformat()


def test_send_does_not_depend_on_config_loading(root: Path, server: SmtpServer) -> None:
    """config/ broken after queue: every frozen message still goes to its recorded envelope,
    and send says the addresses were not compared."""
    (root / "config" / "sender.yaml").write_text("organisation: [kapot\n", "utf-8")
    sent = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert sent.returncode == 0, sent.stderr
    assert "addresses not compared: config/ does not load" in sent.stderr
    assert len(server.recorder.received) == len(CODES)
