"""queue, send and outbox as the secretariat runs them: real batch, real SMTP on 127.0.0.1."""

from __future__ import annotations

import email
import hashlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from email.policy import default
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import Result
from tests.realdata import import_real_data
from tests.smtpserver import SmtpServer

from ibtpost.register import Register, audit
from ibtpost.register import letters as letter_register

pytestmark = pytest.mark.libreoffice

DAY = "2026-04-09"
# real-looking data for three municipalities, on the reserved .test domain (RFC 2606):
# not sample data, so live SMTP (to 127.0.0.1 only) may take it
CODES = ("GM0622", "GM0363", "GM0935")  # Vlaardingen, Amsterdam, Maastricht
CDK_OF = {
    "GM0622": "cdk@zuid-holland.test",
    "GM0363": "cdk@noord-holland.test",
    "GM0935": "cdk@limburg.test",
}


def real_data(root: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    """Import figures and addresses for CODES as the secretariat would."""
    import_real_data(root, CODES, tmp_path)


def make_batch(root: Path, cli: Callable[..., Result]) -> Path:
    args = ["batch", "trede-2", "--date", DAY]
    for code in CODES:
        args += ["-m", code]
    result = cli(root, *args)
    assert result.code == 0, result.err
    folder = Path(result.out.strip().splitlines()[-1])
    assert cli(root, "queue", folder.name).code == 0
    return folder


def run_send(
    root: Path, url: str, *args: str, failpoint: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IBTPOST_")}
    env["IBTPOST_SMTP_URL"] = url
    if failpoint:
        env["IBTPOST_FAILPOINT"] = failpoint
    return subprocess.run(
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
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_smtp_delivers_each_letter_with_headers_parts_and_the_identical_pdf(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer
) -> None:
    """To the college, Cc the CdK, Reply-To the IBT mailbox; HTML and text; the outbox PDF."""
    real_data(root, cli, tmp_path)
    folder = make_batch(root, cli)
    sent = run_send(root, server.url)
    assert sent.returncode == 0, sent.stderr
    received = server.recorder.received
    assert len(received) == 3
    pdfs = {p.name.split("-")[0]: p for p in folder.glob("*.pdf")}
    for item in received:
        msg = item.message
        reference = str(msg["X-Ibtpost-Reference"])
        code = next(c for c in CODES if f"college-{c.lower()}@" in str(msg["To"]))
        assert item.recipients[0] == f"college-{code.lower()}@gemeente.test"
        assert item.recipients[1] == CDK_OF[code]
        assert msg["Cc"].addresses[0].addr_spec == CDK_OF[code]
        assert "ibtspreidingswet@minjenv.nl" in str(msg["Reply-To"])
        assert reference in str(msg["Subject"])
        assert msg["Message-ID"] == f"<ibtpost.{reference}@minjenv.nl>"
        html = msg.get_body(preferencelist=("html",))
        text = msg.get_body(preferencelist=("plain",))
        assert html is not None and reference in html.get_content()
        assert text is not None and "Geacht college" in text.get_content()
        [attachment] = list(msg.iter_attachments())
        assert attachment.get_filename() == pdfs[reference].name
        assert attachment.get_content() == pdfs[reference].read_bytes()
    again = run_send(root, server.url)
    assert again.returncode == 0
    assert len(server.recorder.received) == 3
    status = cli(root, "outbox")
    assert f"│ {folder.name} │       3 │          0 │      0 │    3 │" in status.out
    with Register.for_root(root) as register:
        assert audit.verify(register).ok
        kinds = [e.kind for e in audit.events(register, batch=folder.name)]
    assert kinds.count("letter.sent") == 3


@pytest.mark.parametrize("point", ["delivered:2", "recorded:1"])
def test_a_killed_send_never_sends_twice(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer, point: str
) -> None:
    """SIGKILL after a server accepted a letter, or after recording one; then send again."""
    real_data(root, cli, tmp_path)
    make_batch(root, cli)
    killed = run_send(root, server.url, failpoint=point)
    assert killed.returncode == -signal.SIGKILL
    rerun = run_send(root, server.url)
    colleges = [r.recipients[0] for r in server.recorder.received]
    assert len(colleges) == len(set(colleges))  # nobody received a letter twice
    if point == "delivered:2":
        assert rerun.returncode == 0, rerun.stderr
        assert "1 sent, 0 failed, 1 in doubt" in rerun.stderr
        assert len(colleges) == 3  # the in-doubt one did arrive, once
        resend = run_send(root, server.url)
        assert len(server.recorder.received) == 3
        assert "0 sent" in resend.stderr
    else:
        assert "2 sent, 0 failed, 0 in doubt" in rerun.stderr
        assert len(colleges) == 3


def test_file_transport_and_sample_data_never_reach_smtp(
    root: Path, cli: Callable[..., Result], server: SmtpServer
) -> None:
    """On the shipped (sample) data: SMTP refuses every letter; the file transport writes .eml."""
    result = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622", "-m", "GM0363")
    folder = Path(result.out.strip().splitlines()[-1])
    queued = cli(root, "queue", folder.name)
    assert "2 may only go to files" in queued.err
    refused = run_send(root, server.url)
    assert refused.returncode == 1
    assert "only the file transport may take it" in refused.stderr
    assert server.recorder.received == []
    files = cli(root, "send")
    assert files.code == 0, files.err
    emls = sorted((folder / "mail").glob("*.eml"))
    assert len(emls) == 2
    parsed = email.message_from_bytes(emls[0].read_bytes(), policy=default)
    assert parsed["X-Ibtpost-Reference"] is not None
    # .eml files are not mail that left the machine: nothing counts on the ladder
    with Register.for_root(root) as register:
        assert {r.sent_on for r in letter_register.batch_letters(register, folder.name)} == {None}
        digests = {hashlib.sha256(e.read_bytes()).hexdigest() for e in emls}
    assert len(digests) == 2


def test_test_mode_sends_to_one_address_and_leaves_the_queue_alone(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer
) -> None:
    """--test-to: every message to the test address, real ones in headers, nothing marked sent."""
    real_data(root, cli, tmp_path)
    folder = make_batch(root, cli)
    test = run_send(root, server.url, "--test-to", "toets@ministerie.test")
    assert test.returncode == 0, test.stderr
    received = server.recorder.received
    assert [r.recipients for r in received] == [["toets@ministerie.test"]] * 3
    assert all(".test@" in str(r.message["Message-ID"]) for r in received)
    assert all("gemeente.test" in str(r.message["X-Ibtpost-Original-To"]) for r in received)
    real = run_send(root, server.url)
    assert real.returncode == 0, real.stderr
    assert "3 sent" in real.stderr
    assert len(server.recorder.received) == 6
    assert cli(root, "outbox").out.count(folder.name) == 1


def test_the_mail_carries_the_pdf_as_queued_and_a_missing_spool_file_is_refused(
    root: Path, cli: Callable[..., Result]
) -> None:
    """A PDF changed in the batch folder after queue does not change the mail: it carries
    the PDF that was checked and queued. A frozen message that is gone is refused (exit 1),
    naming its file; withdraw and queue compose it anew from the letter's files."""
    result = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622", "-m", "GM0363")
    folder = Path(result.out.strip().splitlines()[-1])
    assert cli(root, "queue", folder.name).code == 0
    first, second = sorted(folder.glob("[0-9]*.pdf"))
    queued_pdf = second.read_bytes()
    second.write_bytes(queued_pdf + b"\n% changed\n")
    (spool,) = (folder / "spool").glob(f"{first.name.split('-')[0]}-*.eml")
    spool.unlink()
    sent = cli(root, "send")
    assert sent.code == 1
    assert f"{folder.name}/spool/{spool.name} is missing; the letter is not sent" in sent.err
    written = {p.stem: p for p in (folder / "mail").glob("*.eml")}
    assert sorted(written) == [second.name.split("-")[0]]
    parsed = email.message_from_bytes(
        written[second.name.split("-")[0]].read_bytes(), policy=default
    )
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_content() == queued_pdf
    reference = first.name.split("-")[0]
    assert cli(root, "withdraw", folder.name, "-r", reference, "--reason", "spool weg").code == 0
    requeued = cli(root, "queue", folder.name)
    assert requeued.code == 0, requeued.err
    again = cli(root, "send")
    assert again.code == 0, again.err
    assert len(list((folder / "mail").glob("*.eml"))) == 2


def test_letters_without_an_address_go_to_the_post_room_file(
    root: Path, cli: Callable[..., Result]
) -> None:
    """queue leaves a letter without an e-mail address out of the mail, lists it, and puts
    it in post-room.pdf (duplex: whole sheets); send never touches it."""
    # Vlaardingen has no public college address; Groningen has
    (root / "config" / "college-addresses.csv").unlink()
    result = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622", "-m", "GM0014")
    folder = Path(result.out.strip().splitlines()[-1])
    queued = cli(root, "queue", folder.name)
    assert queued.code == 0, queued.err
    assert "1 queued for e-mail, 1 for the post room" in queued.err
    assert "no e-mail address of the college of Vlaardingen (GM0622)" in queued.err
    post_room = folder / "post-room.pdf"
    assert f"post room: 1 letter(s) to print in {post_room}" in queued.err
    (vlaardingen,) = folder.glob("*-vlaardingen.pdf")
    pages = len(PdfReader(vlaardingen).pages)
    printed = PdfReader(post_room)
    assert len(printed.pages) == pages + pages % 2
    assert "Vlaardingen" in printed.pages[0].extract_text()
    assert "Groningen" not in "".join(p.extract_text() for p in printed.pages)
    sent = cli(root, "send")
    assert sent.code == 0, sent.err
    # the letters' mail (Vlaardingen's letter goes by post: its CdK gets a copy mail)
    assert [p.stem for p in (folder / "mail").glob("*.eml") if "-" not in p.stem] == [
        p.name.partition("-")[0] for p in folder.glob("*-groningen.pdf")
    ]
    assert [p.stem for p in (folder / "mail").glob("*-cdk.eml")] == [
        p.name.partition("-")[0] + "-cdk" for p in folder.glob("*-vlaardingen.pdf")
    ]
    again = cli(root, "queue", folder.name)
    assert "0 queued for e-mail, 0 for the post room, 2 already queued" in again.err
    assert post_room.exists()
