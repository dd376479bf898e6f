"""The dispatch queue against a real SMTP server on 127.0.0.1: once, and only once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import pytest
from tests.smtpserver import SmtpServer

from ibtpost.core.domain import ReferenceSeries
from ibtpost.core.errors import UsageError
from ibtpost.dispatch import runs
from ibtpost.dispatch import states as dispatch
from ibtpost.dispatch.send import MessageFor, SendReport, SendSettings, send_queue
from ibtpost.mail.transport import (
    Envelope,
    FileTransport,
    Outgoing,
    SmtpTransport,
    Transport,
    smtp_settings,
)
from ibtpost.register import BatchRecord, LetterKey, PlannedLetter, Register, audit
from ibtpost.register import dispatch as rows
from ibtpost.register import letters as letter_register

DAY = date(2026, 4, 9)
SERIES = ReferenceSeries(7500000, 7599999)
CODES = ("GM0622", "GM0363", "GM1900", "GM0796", "GM0518")
CDK = "cdk@zuid-holland.example"


@pytest.fixture
def register(tmp_path: Path) -> Iterator[Register]:
    """A register with one batch of five letters, all queued for mail."""
    with Register(tmp_path / "outbox" / "register.sqlite") as reg:
        planned = [
            PlannedLetter(LetterKey("trede-2", code, DAY), 2, date(2026, 4, 30), None, False)
            for code in CODES
        ]
        refs = letter_register.open_batch(
            reg, BatchRecord("b1", "trede-2", DAY, False, None), planned, SERIES
        )
        dispatch.enqueue(
            reg,
            "b1",
            [
                dispatch.Prepared(
                    refs[code],
                    f"college-{code}@test.example",
                    (CDK,),
                    f"<ibtpost.{refs[code]}@test.example>",
                )
                for code in CODES
            ],
        )
        yield reg


def message_for(folder: Path) -> MessageFor:
    def build(entry: dispatch.QueueEntry) -> Outgoing:
        msg = EmailMessage()
        msg["From"] = "ibt@test.example"
        msg["To"] = entry.college or ""
        msg["Cc"] = ", ".join(entry.copies)
        msg["Subject"] = f"Onze referentie {entry.reference}"
        msg["Message-ID"] = entry.message_id or ""
        msg["X-Ibtpost-Reference"] = entry.reference
        msg.set_content("Geacht college,")
        envelope = Envelope("ibt@test.example", entry.college or "", entry.copies)
        return Outgoing(entry.reference, msg.as_bytes(policy=SMTP), envelope, folder)

    return build


def send(register: Register, transport: Transport, tmp_path: Path, **options: Any) -> SendReport:
    settings = SendSettings(retry_delay=0.01, **options)
    return asyncio.run(send_queue(register, transport, message_for(tmp_path), settings))


def test_every_letter_arrives_once_with_its_envelope(
    register: Register, server: SmtpServer, tmp_path: Path
) -> None:
    """All five arrive, To the college and Cc the CdK; a second run sends nothing."""
    transport = SmtpTransport(smtp_settings(server.url, None, None))
    report = send(register, transport, tmp_path)
    assert len(report.sent) == 5
    received = server.recorder.received
    assert len(received) == 5
    assert all(r.recipients[1] == CDK for r in received)
    assert sorted(r.recipients[0] for r in received) == sorted(
        f"college-{c}@test.example" for c in CODES
    )
    again = send(register, SmtpTransport(smtp_settings(server.url, None, None)), tmp_path)
    assert again.sent == []
    assert len(server.recorder.received) == 5
    assert {e.state for e in dispatch.entries(register)} == {"sent"}
    letters = {r.reference: r for r in letter_register.batch_letters(register, "b1")}
    assert {(r.sent_via, r.sent_on is not None) for r in letters.values()} == {("mail", True)}


def test_a_misbehaving_server_delivers_each_letter_once_within_bounded_attempts(
    register: Register, server: SmtpServer, tmp_path: Path
) -> None:
    """421 at connect, 451 on DATA, a dropped connection, 550 for one college."""
    rec = server.recorder
    rec.refuse_connections = 1
    rec.fail_data = 1
    rec.drop_data = 1
    rec.refuse_rcpt = {"college-GM0363@test.example": "550 5.1.1 mailbox unknown"}
    transport = SmtpTransport(smtp_settings(server.url, None, None))
    report = send(register, transport, tmp_path, max_attempts=4)
    assert len(report.sent) == 4
    [(failed_ref, why)] = report.failed
    assert why == "550 college college-GM0363@test.example: 5.1.1 mailbox unknown"
    colleges = [r.recipients[0] for r in rec.received]
    assert sorted(colleges) == sorted(f"college-{c}@test.example" for c in CODES if c != "GM0363")
    assert len(set(colleges)) == len(colleges)
    states = {e.reference: (e.state, e.attempts) for e in dispatch.entries(register)}
    assert states[failed_ref] == ("failed", 1)
    assert all(attempts <= 4 for _, attempts in states.values())
    assert report.attempts == 5 + 3  # one extra per fault: refused, 451, dropped
    trail = list(audit.events(register, reference=failed_ref))
    # the CdK, the failed mail's Cc, gets a copy by post with the letter
    kinds = ["letter.queued", "send.attempt", "letter.failed", "copy.queued"]
    assert [e.kind for e in trail] == kinds
    assert trail[2].data["reply"] == why
    assert (trail[3].data["role"], trail[3].data["state"]) == ("cdk", "post")
    retried = [e for e in audit.events(register) if e.kind == "send.attempt"]
    assert len(retried) == report.attempts
    assert audit.verify(register).ok


def test_attempts_are_bounded_when_the_server_keeps_refusing(
    register: Register, server: SmtpServer, tmp_path: Path
) -> None:
    """A server that answers 451 every time: each letter fails after max-attempts tries."""
    server.recorder.fail_data = 10**6
    transport = SmtpTransport(smtp_settings(server.url, None, None))
    report = send(register, transport, tmp_path, max_attempts=3, limit=2)
    assert [why for _, why in report.failed] == [
        "gave up after 3 attempts: 451 4.3.0 try again later"
    ] * 2
    assert report.attempts == 6
    assert server.recorder.received == []


def test_a_letter_left_sending_is_in_doubt_and_not_repeated(
    register: Register, server: SmtpServer, tmp_path: Path
) -> None:
    """A run that died after handing over a message: in doubt, reported, not sent again."""
    [first, *_] = dispatch.entries(register)
    with register.transaction():
        rows.move(register, first.reference, "sending", ("queued",), attempts=1)
    report = send(register, SmtpTransport(smtp_settings(server.url, None, None)), tmp_path)
    assert report.in_doubt == [first.reference]
    assert first.reference not in report.sent
    assert len(server.recorder.received) == 4
    resent = send(
        register,
        SmtpTransport(smtp_settings(server.url, None, None)),
        tmp_path,
        resend_in_doubt=True,
    )
    assert resent.sent == [first.reference]
    assert server.recorder.received[-1].message["Message-ID"] == first.message_id
    (doubt,) = [e for e in audit.events(register) if e.kind == "letter.in_doubt"]
    assert doubt.reference == first.reference


def test_a_letter_another_live_run_is_sending_is_left_alone(
    register: Register, server: SmtpServer, tmp_path: Path
) -> None:
    """A letter held in `sending` by a run that is alive (its lock held) is neither marked in
    doubt nor sent by a second run; once that run is gone, it is in doubt."""
    [first, *_] = dispatch.entries(register)
    with runs.SendRun(register) as other:
        attempt = dispatch.claim(register, first.reference, other.id, "smtp", ("queued",))
        assert attempt == 1
        assert dispatch.claim(register, first.reference, other.id, "smtp", ("queued",)) is None
        report = send(register, SmtpTransport(smtp_settings(server.url, None, None)), tmp_path)
        assert report.in_doubt == []
        assert first.reference not in report.sent and len(report.sent) == 4
        assert dispatch.entry(register, first.reference).state == "sending"  # type: ignore[union-attr]
    later = send(register, SmtpTransport(smtp_settings(server.url, None, None)), tmp_path)
    assert later.in_doubt == [first.reference]
    assert not list(runs.runs_folder(register).iterdir())  # no lock file left behind


def test_file_transport_writes_eml_and_only_file_letters_stay_off_smtp(
    register: Register, server: SmtpServer, tmp_path: Path
) -> None:
    """Letters that may only go to files are refused by SMTP and written by the file transport."""
    with register.transaction():
        register.db.execute("UPDATE dispatch SET only_file='built on sample figures'")
    report = send(register, SmtpTransport(smtp_settings(server.url, None, None)), tmp_path)
    assert len(report.refused) == 5
    assert server.recorder.received == []
    files = send(register, FileTransport(), tmp_path)
    assert len(files.sent) == 5
    written = sorted(p.name for p in (tmp_path / "mail").glob("*.eml"))
    assert written == sorted(f"{e.reference}.eml" for e in dispatch.entries(register))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("smtp://mail.example.org:25", "plain SMTP to mail.example.org is refused"),
        ("smtp://user:pw@127.0.0.1:25", "credentials do not belong in the URL"),
        ("http://127.0.0.1", "is not an smtp://"),
    ],
)
def test_smtp_url_rules(url: str, message: str) -> None:
    """Plain SMTP only to loopback; credentials only from the environment."""
    with pytest.raises(UsageError, match=message):
        smtp_settings(url, None, None)


def test_tls_urls_are_accepted() -> None:
    """STARTTLS and SMTPS to any host, with default ports."""
    assert smtp_settings("smtp+starttls://mail.example.org", None, None).port == 587
    assert smtp_settings("smtps://mail.example.org", "u", "p").port == 465
