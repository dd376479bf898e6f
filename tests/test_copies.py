"""Copies of a letter to the gemeenteraad and to gedeputeerde staten (``copies:``): each a
mail of its own, or its own place in the post room's file behind a cover sheet with its
addressee. Real batch, real SMTP server on 127.0.0.1, real SQLite."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import Result
from tests.realdata import import_real_data
from tests.smtpserver import SmtpServer
from tests.test_exactly_once import events, run
from tests.webserver import WebServer

from ibtpost.data.config import load_config
from ibtpost.dispatch import states as dispatch
from ibtpost.register import Register
from ibtpost.register import letters as letter_register

pytestmark = pytest.mark.libreoffice

VLAARDINGEN, GRONINGEN = "GM0622", "GM0014"
DAY = "2026-04-09"
COPIES = "copies:\n  cdk: afschrift\n  raad: afschrift\n  gs: ter kennisneming\n"


def _with_copies(root: Path, cli: Callable[..., Result], copies: str = COPIES) -> None:
    """trede-2 in ``root`` sends copies, approved as such."""
    definition = root / "letters" / "trede-2.yaml"
    text = definition.read_text("utf-8")
    definition.write_text(text.replace("status: final\n", f"status: final\n{copies}"), "utf-8")
    approved = cli(root, "approve", "trede-2", "--by", "A. Jurist")
    assert approved.code == 0, approved.err


def _import(cli: Callable[..., Result], root: Path, work: Path, role: str, rows: str) -> Result:
    path = work / f"{role}.csv"
    path.write_text(rows, "utf-8")
    return cli(root, "import", "addresses", "--role", role, str(path))


def _batch(cli: Callable[..., Result], root: Path, *codes: str) -> str:
    args = [x for code in codes for x in ("-m", code)]
    made = cli(root, "batch", "trede-2", "--date", DAY, *args)
    assert made.code == 0, made.err
    return Path(made.out.strip().splitlines()[-1]).name


def test_copies_go_by_their_own_mail_or_to_the_post_room(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer
) -> None:
    _with_copies(root, cli)
    import_real_data(root, (VLAARDINGEN, GRONINGEN), tmp_path)
    raad = _import(
        cli, root, tmp_path, "raad", f"gemeentecode,email\n{VLAARDINGEN},griffie@vl.test\n"
    )
    assert raad.code == 0, raad.err
    gs = _import(
        cli,
        root,
        tmp_path,
        "gs",
        "provincie,email\nZuid-Holland,gs@zh.test\ngroningen,gs@gr.test\n",
    )
    assert gs.code == 0, gs.err
    config = load_config(root)
    assert config.municipalities[VLAARDINGEN].raad_email == "griffie@vl.test"
    assert config.provinces["Groningen"].gs_email == "gs@gr.test"
    # Groningen's gemeenteraad has no e-mail address: its copy goes to the post room
    batch = _batch(cli, root, VLAARDINGEN, GRONINGEN)
    queued = cli(root, "queue", batch)
    assert queued.code == 0, queued.err
    assert "2 queued for e-mail" in queued.err
    with Register.for_root(root) as register:
        entries = dispatch.entries(register, batch, copies=True)
        references = {
            x.reference: x.municipality for x in letter_register.batch_letters(register, batch)
        }
    by_code = {(references[e.reference], e.role): e for e in entries}
    assert {key: e.state for key, e in by_code.items()} == {
        (VLAARDINGEN, "college"): "queued",
        (VLAARDINGEN, "raad"): "queued",
        (VLAARDINGEN, "gs"): "queued",
        (GRONINGEN, "college"): "queued",
        (GRONINGEN, "raad"): "post",
        (GRONINGEN, "gs"): "queued",
    }
    groningen = next(r for r, code in references.items() if code == GRONINGEN)
    listing = list(
        csv.DictReader(io.StringIO((root / "outbox" / batch / "post-room.csv").read_text("utf-8")))
    )
    assert [(r["reference"], r["role"], r["addressee"]) for r in listing] == [
        (groningen, "raad", "Aan de gemeenteraad van Groningen")
    ]
    assert listing[0]["address"] == "t.a.v. de griffier; Postbus 742; 9700 AS Groningen"
    pages = PdfReader(root / "outbox" / batch / "post-room.pdf").pages
    cover = pages[0].extract_text()
    assert "Aan de gemeenteraad van Groningen" in cover and f"referentie {groningen}" in cover
    assert "9700 AS Groningen" in cover
    assert pages[1].extract_text().strip() == ""  # the cover's blank back: duplex
    assert "Groningen" in pages[2].extract_text()  # then the letter itself
    assert int(listing[0]["pages"]) == len(pages)
    post_room = cli(root, "post-room", batch)
    assert post_room.out.splitlines() == [f"{groningen}-raad: Aan de gemeenteraad van Groningen"]

    sent = run(root, "send", "--retry-delay", "0.01", url=server.url)
    assert sent.returncode == 0, sent.stderr
    received = {tuple(r.recipients): r.message for r in server.recorder.received}
    assert len(received) == 5  # two letters and three copies by mail
    vlaardingen = next(r for r, code in references.items() if code == VLAARDINGEN)
    letter = received[("college-gm0622@gemeente.test", "cdk@zuid-holland.test")]
    copy = received[("griffie@vl.test",)]
    assert copy["To"].addresses[0].display_name == "Gemeenteraad van Vlaardingen"
    assert copy["Cc"] is None
    assert copy["Subject"].startswith(f"Afschrift: Onze referentie {vlaardingen}:")
    assert copy["Message-ID"] != letter["Message-ID"] and ".raad@" in copy["Message-ID"]
    assert "Geachte leden van de raad," in copy.get_body(("plain",)).get_content()
    attachment = next(p for p in copy.iter_attachments()).get_content()
    assert attachment == next(p for p in letter.iter_attachments()).get_content()
    text = " ".join(letter.get_body(("plain",)).get_content().split())
    assert (
        "Ook de gemeenteraad van Vlaardingen en Gedeputeerde Staten van de provincie "
        "Zuid-Holland ontvangen de brief" in text
    )
    notice = received[("gs@zh.test",)]
    assert notice["Subject"].startswith("Ter kennisneming: Onze referentie")
    assert "ter kennisneming de brief" in " ".join(
        notice.get_body(("plain",)).get_content().split()
    )
    copies_sent = events(root, "copy.sent")
    assert sorted((e.reference, e.data["role"], e.data["to"]) for e in copies_sent) == sorted(
        [
            (vlaardingen, "raad", "griffie@vl.test"),
            (vlaardingen, "gs", "gs@zh.test"),
            (groningen, "gs", "gs@gr.test"),
        ]
    )
    with Register.for_root(root) as register:  # only the letters count on the ladder
        assert {x.sent_via for x in letter_register.batch_letters(register, batch)} == {"mail"}

    # the letters went by e-mail; `post` records the copy the post room sent
    posted = cli(root, "post", batch, "--date", "2026-04-10")
    assert posted.code == 0, posted.err
    assert posted.out.splitlines() == [f"{groningen}-raad: copy posted 2026-04-10"]
    assert [e.data["role"] for e in events(root, "copy.posted")] == ["raad"]
    assert cli(root, "post-room", batch).out == ""
    assert not (root / "outbox" / batch / "post-room.csv").exists()
    report = {
        r["reference"]: r for r in csv.DictReader(io.StringIO(cli(root, "report", batch).out))
    }
    assert report[vlaardingen]["copies"] == "gs sent gs@zh.test; raad sent griffie@vl.test"
    assert report[groningen]["copies"] == "gs sent gs@gr.test; raad posted"
    web = WebServer(root).start()  # the Brief screen names each copy and its state
    try:
        status, _, page = web.request("GET", f"/letters/{groningen}")
    finally:
        web.stop()
    assert status == 200, page
    assert "Gedeputeerde Staten van de provincie Groningen: gs@gr.test (verzonden)" in page
    assert "de gemeenteraad van Groningen: geen e-mailadres, per post (per post verzonden)" in page


def test_withdrawing_a_letter_withdraws_its_copies(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    _with_copies(root, cli)
    import_real_data(root, (VLAARDINGEN,), tmp_path)
    batch = _batch(cli, root, VLAARDINGEN)
    assert cli(root, "queue", batch).code == 0
    withdrawn = cli(root, "withdraw", batch, "--reason", "wrong figures")
    assert withdrawn.code == 0, withdrawn.err
    with Register.for_root(root) as register:
        states = {e.role: e.state for e in dispatch.entries(register, batch, copies=True)}
    assert states == {"college": "withdrawn", "raad": "withdrawn", "gs": "withdrawn"}
    assert cli(root, "queue", batch).code == 0  # queued again, copies too
    with Register.for_root(root) as register:
        states = {e.role: e.state for e in dispatch.entries(register, batch, copies=True)}
    assert states == {"college": "queued", "raad": "queued", "gs": "queued"}


def test_a_copy_that_cannot_be_delivered_stops_the_queue(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """Groningen's gedeputeerde staten have neither an e-mail nor a postal address: a final
    batch is not queued (exit 2, naming the setting) and nothing is spooled or recorded."""
    _with_copies(root, cli)
    import_real_data(root, (GRONINGEN,), tmp_path)
    shipped = root / "config" / "gs-addresses.csv"
    shipped.write_text(
        "".join(x for x in shipped.read_text("utf-8").splitlines(True) if "Groningen" not in x),
        "utf-8",
    )
    batch = _batch(cli, root, GRONINGEN)
    queued = cli(root, "queue", batch)
    assert queued.code == 2
    assert "config/provinces.csv" in queued.err and "postal_address" in queued.err
    assert "Gedeputeerde Staten van de provincie Groningen" in queued.err
    assert "--role gs" in queued.err
    with Register.for_root(root) as register:
        assert dispatch.entries(register, batch, copies=True) == []
    assert not (root / "outbox" / batch / "spool").exists()


def test_import_addresses_per_role_checks_every_row(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    before = (root / "config" / "gs-addresses.csv").read_bytes()
    bad = _import(
        cli, root, tmp_path, "gs", "provincie,email\nAtlantis,gs@a.test\nZeeland,not-an-address\n"
    )
    assert bad.code == 2
    assert "unknown province 'Atlantis'" in bad.err and "email" in bad.err
    assert "2 problems" in bad.err
    assert (root / "config" / "gs-addresses.csv").read_bytes() == before
    wrong = _import(cli, root, tmp_path, "mayor", "gemeentecode,email\nGM0622,a@b.test\n")
    assert wrong.code == 2 and "--role" in wrong.err
    good = _import(cli, root, tmp_path, "raad", "gemeentecode,email\n0014,griffie@groningen.test\n")
    assert good.code == 0, good.err
    assert "config/raad-addresses.csv" in good.out
    assert load_config(root).municipalities[GRONINGEN].raad_email == "griffie@groningen.test"
    assert [e.kind for e in events(root, "import.raad")] == ["import.raad"]


def test_check_reports_missing_copy_addresses_per_letter_and_role(
    root: Path, cli: Callable[..., Result]
) -> None:
    checked = cli(root, "check")
    lines = [x for x in (checked.out + checked.err).splitlines() if "copies.raad" in x]
    assert any(x.startswith("warning: letters/trede-4.yaml: copies.raad") for x in lines)
    assert any("327 municipalities" in x and "--role raad" in x for x in lines)
    (root / "config" / "gs-addresses.csv").write_text("province,email,source\n", "utf-8")
    checked = cli(root, "check")
    lines = [x for x in (checked.out + checked.err).splitlines() if "copies.gs" in x]
    assert any("trede-5" in x and "12 provinces" in x for x in lines)


@pytest.mark.parametrize(
    ("copies", "message"),
    [
        ("copies:\n  cdk: afschrift\n  raad: kopie\n", "raad: must be one of: afschrift"),
        ("copies:\n  raad: afschrift\n", "every letter goes in copy to the Commissaris"),
        (
            "copies:\n  cdk: afschrift\n  burgemeester: afschrift\n",
            "unknown recipient 'burgemeester'",
        ),
    ],
)
def test_a_definition_with_bad_copies_is_refused(
    root: Path, cli: Callable[..., Result], copies: str, message: str
) -> None:
    definition = root / "letters" / "trede-3.yaml"
    text = definition.read_text("utf-8")
    definition.write_text(text.replace("status: draft\n", f"status: draft\n{copies}"), "utf-8")
    checked = cli(root, "check")
    assert checked.code == 2
    assert any(
        "letters/trede-3.yaml:" in x and "copies" in x and message in x
        for x in (checked.out + checked.err).splitlines()
    ), checked.out + checked.err


def test_dry_run_test_address_and_changed_addresses_cover_the_copies(
    root: Path, cli: Callable[..., Result], tmp_path: Path, server: SmtpServer
) -> None:
    """`send --dry-run` lists the copies too, `--test-to` sends them to the test address
    only (the queue unchanged), and a copy's address changed since `queue` is listed."""
    _with_copies(root, cli)
    import_real_data(root, (VLAARDINGEN,), tmp_path)
    rows = f"gemeentecode,email\n{VLAARDINGEN},griffie@vl.test\n"
    assert _import(cli, root, tmp_path, "raad", rows).code == 0
    assert (
        _import(cli, root, tmp_path, "gs", "provincie,email\nZuid-Holland,gs@zh.test\n").code == 0
    )
    batch = _batch(cli, root, VLAARDINGEN)
    assert cli(root, "queue", batch).code == 0
    with Register.for_root(root) as register:
        reference = letter_register.batch_letters(register, batch)[0].reference
    dry = cli(root, "send", "--dry-run")
    assert dry.out.splitlines() == [
        f"would send {reference}",
        f"would send copy {reference}-gs",
        f"would send copy {reference}-raad",
    ]
    assert "1 letter(s) and 2 copy(ies) would go" in dry.err
    test = run(root, "send", "--test-to", "toets@ministerie.test", url=server.url)
    assert test.returncode == 0, test.stderr
    assert (
        sorted(tuple(r.recipients) for r in server.recorder.received)
        == [("toets@ministerie.test",)] * 3
    )
    subjects = sorted(r.message["Subject"].split(":")[0] for r in server.recorder.received)
    assert subjects == ["Afschrift", "Onze referentie " + reference, "Ter kennisneming"]
    with Register.for_root(root) as register:
        assert {e.state for e in dispatch.entries(register, batch, copies=True)} == {"queued"}
    rows = f"gemeentecode,email\n{VLAARDINGEN},raad@vl.test\n"
    assert _import(cli, root, tmp_path, "raad", rows).code == 0
    outbox = cli(root, "outbox")
    assert f"{reference}-raad: To griffie@vl.test -> raad@vl.test" in outbox.out + outbox.err


def test_post_names_one_copy_and_records_nothing_else(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """`post -r REF-raad` records that copy only, not the batch's other letters that could
    be posted (sent to files only)."""
    _with_copies(root, cli)
    import_real_data(root, (VLAARDINGEN, GRONINGEN), tmp_path)
    batch = _batch(cli, root, VLAARDINGEN, GRONINGEN)
    assert cli(root, "queue", batch).code == 0
    assert cli(root, "send", "--batch", batch).code == 0  # the file transport
    with Register.for_root(root) as register:
        letters = {
            x.municipality: x.reference for x in letter_register.batch_letters(register, batch)
        }
    label = f"{letters[GRONINGEN]}-raad"
    posted = cli(root, "post", batch, "-r", label, "--date", "2026-04-10")
    assert posted.code == 0, posted.err
    assert posted.out.splitlines() == [f"{label}: copy posted 2026-04-10"]
    with Register.for_root(root) as register:
        assert {x.sent_on for x in letter_register.batch_letters(register, batch)} == {None}
    again = cli(root, "post", batch, "-r", label, "--date", "2026-04-10")
    assert again.code == 2 and f"copy {label} is already posted" in again.err


def test_a_letter_whose_copy_is_being_sent_is_not_withdrawn(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """withdraw is all or none: a copy another send run holds keeps the letter queued."""
    _with_copies(root, cli)
    import_real_data(root, (VLAARDINGEN,), tmp_path)
    batch = _batch(cli, root, VLAARDINGEN)
    assert cli(root, "queue", batch).code == 0
    with Register.for_root(root) as register:
        reference = letter_register.batch_letters(register, batch)[0].reference
        assert dispatch.claim(register, reference, "other-run", "smtp", ("queued",), "gs") == 1
    refused = cli(root, "withdraw", batch, "--reason", "wrong figures")
    assert refused.code == 2
    assert f"its copy {reference}-gs is being sent" in refused.err
    with Register.for_root(root) as register:
        states = {e.role: e.state for e in dispatch.entries(register, batch, copies=True)}
    assert states == {"college": "queued", "raad": "queued", "gs": "sending"}


def test_send_limit_counts_letters_and_sends_their_copies(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    _with_copies(root, cli)
    import_real_data(root, (VLAARDINGEN, GRONINGEN), tmp_path)
    batch = _batch(cli, root, VLAARDINGEN, GRONINGEN)
    assert cli(root, "queue", batch).code == 0
    sent = cli(root, "send", "--batch", batch, "--limit", "1")
    assert sent.code == 0, sent.err
    with Register.for_root(root) as register:
        first, second = (x.reference for x in letter_register.batch_letters(register, batch))
        entries = dispatch.entries(register, batch, copies=True)
    # the first letter and every copy of it that had an address went; nothing of the second
    assert {e.label for e in entries if e.state == "sent"} == {
        e.label for e in entries if e.reference == first and e.state != "post"
    }
    assert len([e for e in entries if e.reference == first and e.state == "sent"]) >= 2
    assert {e.state for e in entries if e.reference == second} <= {"queued", "post"}


def test_queue_waits_for_no_batch_run_on_the_same_folder(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """While another process holds the batch folder (a re-run of the batch), `queue` is
    refused: exit 2, nothing queued, nothing spooled."""
    from ibtpost.production.batch import batch_lock

    import_real_data(root, (VLAARDINGEN,), tmp_path)
    batch = _batch(cli, root, VLAARDINGEN)
    with batch_lock(root / "outbox" / batch):
        held = subprocess.run(
            [sys.executable, "-m", "ibtpost", "--root", str(root), "queue", batch],
            capture_output=True,
            text=True,
            check=False,
        )
    assert held.returncode == 2
    assert f"batch {batch} is being worked on by another ibtpost process" in held.stderr
    with Register.for_root(root) as register:
        assert dispatch.entries(register, batch, copies=True) == []
    assert not (root / "outbox" / batch / "spool").exists()
    assert cli(root, "queue", batch).code == 0  # once it is free
