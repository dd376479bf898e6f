"""delivery: mail and post: the letter goes by e-mail and by post, and counts on the ladder
(and its term) from the posting date, the date of bekendmaking. Real batch, SMTP, SQLite."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import Result
from tests.realdata import import_real_data
from tests.smtpserver import SmtpServer
from tests.test_exactly_once import run

from ibtpost.register import Register, dispatch
from ibtpost.register import letters as letter_register

pytestmark = pytest.mark.libreoffice

CODES = ("GM0622", "GM0363")
DAY = "2026-04-09"


def test_a_letter_by_mail_and_post_counts_from_the_posting_date(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer
) -> None:
    """Queued for e-mail and in the post room's file at once; the e-mail does not make it
    count; `post` does, from its date, and the ladder's term runs from that date."""
    definition = root / "letters" / "trede-2.yaml"
    text = definition.read_text("utf-8")
    definition.write_text(text.replace("status: final", "status: final\ndelivery: mail and post"))
    assert cli(root, "approve", "trede-2", "--by", "A. Jurist").code == 0
    import_real_data(root, CODES, tmp_path)
    made = cli(root, "batch", "trede-2", "--date", DAY, "-m", CODES[0], "-m", CODES[1])
    assert made.code == 0, made.err
    batch = Path(made.out.strip().splitlines()[-1]).name
    queued = cli(root, "queue", batch)
    assert queued.code == 0, queued.err
    assert "2 queued for e-mail" in queued.err
    assert "post room: 2 letter(s) to print" in queued.err
    printed = "".join(
        p.extract_text() for p in PdfReader(root / "outbox" / batch / "post-room.pdf").pages
    )
    assert "Vlaardingen" in printed and "Amsterdam" in printed

    sent = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert sent.returncode == 0, sent.stderr
    assert len(server.recorder.received) == 2
    with Register.for_root(root) as register:
        letters = letter_register.batch_letters(register, batch)
        assert {x.sent_on for x in letters} == {None}  # the e-mail alone does not count
        assert {e.state for e in dispatch.entries(register, batch)} == {"sent"}
    status = json.loads(cli(root, "status", "--date", "2026-04-16", "--json").out)
    assert {r["code"]: r["last_reference"] for r in status if r["code"] in CODES} == {
        CODES[0]: None,
        CODES[1]: None,
    }

    posted = cli(root, "post", batch, "--date", "2026-04-16")
    assert posted.code == 0, posted.err
    assert len(posted.out.splitlines()) == 2
    with Register.for_root(root) as register:
        letters = letter_register.batch_letters(register, batch)
    assert {x.sent_on.isoformat() for x in letters if x.sent_on} == {"2026-04-16"}
    assert {x.sent_via for x in letters} == {"post"}
    # three weeks from the posting date: 7 mei 2026 (not 30 april, from the letter's date)
    assert {x.deadline.isoformat() for x in letters if x.deadline} == {"2026-05-07"}
    status = json.loads(cli(root, "status", "--date", "2026-05-01", "--json").out)
    rows = {r["code"]: r for r in status if r["code"] in CODES}
    assert {r["last_sent_on"] for r in rows.values()} == {"2026-04-16"}
    assert {r["term_until"] for r in rows.values()} == {"2026-05-07"}
    assert {r["action"] for r in rows.values()} == {"wait"}
    report = list(csv.DictReader(io.StringIO(cli(root, "report", batch).out)))
    assert {(r["channel"], r["state"], r["posted_on"]) for r in report} == {
        ("mail and post", "sent", "2026-04-16")
    }
    assert cli(root, "post-room", batch).out == ""
