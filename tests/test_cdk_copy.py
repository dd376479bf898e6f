"""The Commissaris van de Koning is informed of every letter: the Cc of the letter's mail,
or, when the letter goes by post, a copy of its own: a mail to the CdK, or a place in the
post room's file behind a cover sheet addressed to the CdK. A letter whose CdK can be
reached neither way is not queued. Real batch, real SMTP server on 127.0.0.1, real SQLite."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import Result
from tests.realdata import import_real_data
from tests.smtpserver import SmtpServer
from tests.test_exactly_once import events, run
from tests.webserver import WebServer

from ibtpost.dispatch import states as dispatch
from ibtpost.register import Register
from ibtpost.register import letters as letter_register

pytestmark = pytest.mark.libreoffice

VLAARDINGEN, GRONINGEN = "GM0622", "GM0014"
DAY = "2026-04-09"


def _without_college_address(root: Path, code: str) -> None:
    """The college of ``code`` has no e-mail address: its letter goes by post."""
    overlay = root / "config" / "college-addresses.csv"
    overlay.write_text(
        "".join(x for x in overlay.read_text("utf-8").splitlines(True) if code not in x),
        "utf-8",
    )
    municipalities = root / "config" / "municipalities.csv"
    rows = list(csv.reader(io.StringIO(municipalities.read_text("utf-8"))))
    email = rows[0].index("email")
    for row in rows[1:]:
        if row[0] == code:
            row[email] = ""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    municipalities.write_text(out.getvalue(), "utf-8")


def _without_cdk_address(root: Path, province: str) -> None:
    """The CdK of ``province`` has no e-mail address (not in the shipped overlay)."""
    overlay = root / "config" / "cdk-addresses.csv"
    overlay.write_text(
        "".join(x for x in overlay.read_text("utf-8").splitlines(True) if province not in x),
        "utf-8",
    )


def _batch(cli: Callable[..., Result], root: Path, code: str) -> tuple[str, str]:
    made = cli(root, "batch", "trede-2", "--date", DAY, "-m", code)
    assert made.code == 0, made.err
    batch = Path(made.out.strip().splitlines()[-1]).name
    with Register.for_root(root) as register:
        reference = letter_register.batch_letters(register, batch)[0].reference
    return batch, reference


def _states(root: Path, batch: str) -> dict[str, str]:
    with Register.for_root(root) as register:
        return {e.role: e.state for e in dispatch.entries(register, batch, copies=True)}


def _post_room_list(root: Path, batch: str) -> list[dict[str, str]]:
    path = root / "outbox" / batch / "post-room.csv"
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"))))


def test_a_letter_by_post_sends_the_cdk_a_copy_by_mail(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer
) -> None:
    import_real_data(root, (VLAARDINGEN,), tmp_path)
    _without_college_address(root, VLAARDINGEN)
    batch, reference = _batch(cli, root, VLAARDINGEN)
    queued = cli(root, "queue", batch)
    assert queued.code == 0, queued.err
    assert _states(root, batch) == {"college": "post", "cdk": "queued"}
    listing = _post_room_list(root, batch)  # only the letter: the CdK gets a mail
    assert [(r["reference"], r["role"]) for r in listing] == [(reference, "college")]

    sent = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert sent.returncode == 0, sent.stderr
    assert [tuple(r.recipients) for r in server.recorder.received] == [("cdk@zuid-holland.test",)]
    mail = server.recorder.received[0].message
    assert mail["To"].addresses[0].display_name == (
        "Commissaris van de Koning van de provincie Zuid-Holland"
    )
    assert mail["Cc"] is None
    assert mail["Subject"].startswith(f"Afschrift: Onze referentie {reference}:")
    assert ".cdk@" in mail["Message-ID"]
    text = " ".join(mail.get_body(("plain",)).get_content().split())
    assert text.startswith("Geachte Commissaris,")
    assert "een afschrift van de brief" in text
    assert "burgemeester en wethouders van Vlaardingen" in text
    assert next(p for p in mail.iter_attachments()).get_content().startswith(b"%PDF-")
    assert _states(root, batch) == {"college": "post", "cdk": "sent"}
    assert [(e.reference, e.data["role"]) for e in events(root, "copy.queued")] == [
        (reference, "cdk")
    ]
    assert [(e.data["role"], e.data["to"]) for e in events(root, "copy.sent")] == [
        ("cdk", "cdk@zuid-holland.test")
    ]

    posted = cli(root, "post", batch, "--date", "2026-04-10")  # the letter itself
    assert posted.code == 0, posted.err
    assert _states(root, batch) == {"college": "posted", "cdk": "sent"}
    report = list(csv.DictReader(io.StringIO(cli(root, "report", batch).out)))
    assert report[0]["channel"] == "post"
    assert report[0]["copies"] == "cdk sent cdk@zuid-holland.test"
    web = WebServer(root).start()  # the Brief screen names the CdK's copy and its state
    try:
        status, _, page = web.request("GET", f"/letters/{reference}")
    finally:
        web.stop()
    assert status == 200, page
    assert (
        "de Commissaris van de Koning van Zuid-Holland: cdk@zuid-holland.test (verzonden)" in page
    )


def test_a_letter_by_post_whose_cdk_has_no_e_mail_gets_a_cover_sheet(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    import_real_data(root, (VLAARDINGEN,), tmp_path)
    _without_college_address(root, VLAARDINGEN)
    _without_cdk_address(root, "Zuid-Holland")
    batch, reference = _batch(cli, root, VLAARDINGEN)
    queued = cli(root, "queue", batch)
    assert queued.code == 0, queued.err
    assert _states(root, batch) == {"college": "post", "cdk": "post"}
    listing = _post_room_list(root, batch)
    assert [(r["reference"], r["role"], r["addressee"]) for r in listing] == [
        (reference, "college", ""),
        (reference, "cdk", "Aan de Commissaris van de Koning van Zuid-Holland"),
    ]
    assert listing[1]["address"] == "Postbus 90602; 2509 LP Den Haag"
    pages = PdfReader(root / "outbox" / batch / "post-room.pdf").pages
    first = int(listing[1]["first_page"]) - 1
    cover = pages[first].extract_text()
    assert "Aan de Commissaris van de Koning van Zuid-Holland" in cover
    assert "2509 LP Den Haag" in cover and f"referentie {reference}" in cover
    assert pages[first + 1].extract_text().strip() == ""  # the cover's blank back
    room = cli(root, "post-room", batch)
    assert f"{reference}-cdk: Aan de Commissaris van de Koning van Zuid-Holland" in room.out

    # the copy follows its letter: withdrawn with it, queued again with it
    withdrawn = cli(root, "withdraw", batch, "--reason", "nieuw adres")
    assert withdrawn.code == 0, withdrawn.err
    assert _states(root, batch) == {"college": "withdrawn", "cdk": "withdrawn"}
    assert [e.data["role"] for e in events(root, "copy.withdrawn")] == ["cdk"]
    assert cli(root, "queue", batch).code == 0
    assert _states(root, batch) == {"college": "post", "cdk": "post"}

    # and posted with it
    posted = cli(root, "post", batch, "--date", "2026-04-10")
    assert posted.code == 0, posted.err
    assert _states(root, batch) == {"college": "posted", "cdk": "posted"}
    assert [(e.data["role"], e.data["date"]) for e in events(root, "copy.posted")] == [
        ("cdk", "2026-04-10")
    ]
    assert [e.data.get("copies") for e in events(root, "letter.posted")] == [["cdk"]]
    report = list(csv.DictReader(io.StringIO(cli(root, "report", batch).out)))
    assert report[0]["copies"] == "cdk posted"
    assert cli(root, "post-room", batch).out == ""


def test_a_letter_mailed_to_the_college_has_the_cdk_as_cc_and_no_copy(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    import_real_data(root, (VLAARDINGEN,), tmp_path)
    batch, _ = _batch(cli, root, VLAARDINGEN)
    assert cli(root, "queue", batch).code == 0
    assert _states(root, batch) == {"college": "queued"}
    with Register.for_root(root) as register:
        assert dispatch.entries(register, batch)[0].copies == ("cdk@zuid-holland.test",)


def test_a_letter_whose_cdk_cannot_be_reached_is_not_queued(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """Groningen's college has no e-mail address (the letter goes by post) and its CdK has
    neither an e-mail nor a postal address: exit 2, one line, nothing queued or spooled."""
    import_real_data(root, (GRONINGEN,), tmp_path)
    _without_college_address(root, GRONINGEN)
    (root / "config" / "cdk-addresses.csv").write_text("province,email,source\n", "utf-8")
    batch, _ = _batch(cli, root, GRONINGEN)
    queued = cli(root, "queue", batch)
    assert queued.code == 2
    errors = [x for x in queued.err.splitlines() if x.startswith("error")]
    assert len(errors) == 1, queued.err
    assert "Commissaris van de Koning van Groningen" in errors[0]
    assert "config/provinces.csv" in errors[0] and "postal_address" in errors[0]
    assert "ibtpost import cdk" in queued.err
    with Register.for_root(root) as register:
        assert dispatch.entries(register, batch, copies=True) == []
    assert not (root / "outbox" / batch / "spool").exists()
    assert not (root / "outbox" / batch / "post-room.pdf").exists()


def test_check_lists_provinces_whose_cdk_has_no_address(
    root: Path, cli: Callable[..., Result]
) -> None:
    checked = cli(root, "check")
    assert "no address of the Commissaris van de Koning" not in checked.out + checked.err
    (root / "config" / "cdk-addresses.csv").write_text("province,email,source\n", "utf-8")
    checked = cli(root, "check")
    lines = [
        x
        for x in (checked.out + checked.err).splitlines()
        if "no address of the Commissaris van de Koning" in x
    ]
    assert len(lines) == 1, checked.out + checked.err
    assert lines[0].startswith("warning: config/provinces.csv")
    assert "Groningen" in lines[0] and "Zuid-Holland" not in lines[0]
    assert "7 provinces" in lines[0]
