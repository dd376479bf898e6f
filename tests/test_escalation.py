"""The escalation procedure end to end on the shipped data, as the law requires it: trede 2
-> reply recorded -> trede 3 -> trede 4 (the voornemen, with its kennisgeving, the afschrift
to the gemeenteraad and the notice to gedeputeerde staten) -> zienswijze recorded -> trede
5 (the besluit, by e-mail and by post, counting from the posting date) -> trede 6 after its
term. Every letter is a final letter: in the test's root a lawyer has verified the legal
entries and approved the drafts (two reviewers where the definition asks for two). Real
LibreOffice, the file transport, a real SQLite register."""

from __future__ import annotations

import csv
import email
import io
import json
from collections.abc import Callable
from datetime import date
from email.policy import default
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from tests.conftest import Result
from tests.realdata import import_real_data
from tests.webserver import WebServer

from ibtpost.core import clock
from ibtpost.core.dutch import long_date
from ibtpost.register import Register
from ibtpost.register import letters as letter_register

pytestmark = pytest.mark.libreoffice

CODE = "GM0622"  # Vlaardingen, Zuid-Holland


def _lawyer_signs_off(root: Path, cli: Callable[..., Result], also: tuple[str, ...] = ()) -> None:
    """What legal review does before these letters may go out: fill in and verify the legal
    entries, mark the drafts final and approve them (four eyes for trede 4 to 6); ``also``:
    further letters to mark final and approve (two reviewers each)."""
    legal_path = root / "config" / "legal.yaml"
    legal = yaml.safe_load(legal_path.read_text("utf-8"))
    filled = {
        "raad_van_state_adres": "testadres Raad van State",
        "voorzien": "een besluit van het college dat de opvangplekken beschikbaar maakt",
        "verdeelbesluit": "testpublicatie verdeelbesluit",
        "inzage_voornemen": "testadres inzage voornemen",
        "inzage_besluit": "testadres inzage besluit",
        "rechtsmiddelen_intrekking": "testrechtsmiddelen intrekking",
    }
    for name, entry in legal.items():
        entry["text"] = entry["text"] or filled[name]
        entry["verified_by"] = "mr. A. Jurist"
        entry["verified_on"] = date(2026, 3, 1)
    legal_path.write_text(yaml.safe_dump(legal, allow_unicode=True, sort_keys=False), "utf-8")
    for letter in (*(f"trede-{n}" for n in (3, 4, 5, 6)), *also):
        path = root / "letters" / f"{letter}.yaml"
        path.write_text(path.read_text("utf-8").replace("status: draft", "status: final"), "utf-8")
    # a besluit is signed under a mandate; before it is filled in, no lawyer can approve it
    refused = cli(root, "approve", "trede-5", "--by", "mr. A. Jurist")
    assert refused.code == 2 and "the mandate of its signatory" in refused.err, refused.err
    sender = root / "config" / "sender.yaml"
    sender.write_text(
        sender.read_text("utf-8").replace(
            "    mandate: null", "    mandate: testmandaat (Mandaatregeling, artikel 1)"
        ),
        "utf-8",
    )
    for trede in (3, 4, 5, 6):
        reviewers = ("mr. A. Jurist", "mr. B. Tweede") if trede >= 4 else ("mr. A. Jurist",)
        for name in reviewers:
            approved = cli(root, "approve", f"trede-{trede}", "--by", name)
            assert approved.code == 0, approved.err
    for letter in also:
        for name in ("mr. A. Jurist", "mr. B. Tweede"):
            approved = cli(root, "approve", letter, "--by", name)
            assert approved.code == 0, approved.err


def _addresses(root: Path, cli: Callable[..., Result], work: Path) -> None:
    import_real_data(root, (CODE,), work)
    (work / "raad.csv").write_text("gemeentecode,email\nGM0622,griffie@vlaardingen.test\n")
    (work / "gs.csv").write_text("provincie,email\nZuid-Holland,gs@zuid-holland.test\n")
    for role in ("raad", "gs"):
        done = cli(root, "import", "addresses", "--role", role, str(work / f"{role}.csv"))
        assert done.code == 0, done.err


def _fresh_figures(root: Path, cli: Callable[..., Result], work: Path, peildatum: str) -> None:
    """The same figures for Vlaardingen as ``import_real_data``'s, dated ``peildatum``."""
    path = work / "figures-fresh.csv"
    path.write_text(
        "gemeentecode,taak_regulier,taak_amv,realisatie_regulier,realisatie_amv\n"
        f"{CODE},100,10,20,0\n",
        "utf-8",
    )
    done = cli(root, "import", "figures", str(path), "--peildatum", peildatum, "--source", "test")
    assert done.code == 0, done.err


def _motivering(
    root: Path, cli: Callable[..., Result], work: Path, reference: str, part: str
) -> None:
    """What a lawyer writes for the case on the letter ``reference``."""
    path = work / f"motivering-{part}.md"
    path.write_text(f"Testmotivering {part} voor {reference}.\n\nTweede alinea.\n", "utf-8")
    done = cli(root, "motivering", reference, "--file", str(path), "--part", part)
    assert done.code == 0, done.err


def _batch(cli: Callable[..., Result], root: Path, letter: str, day: str) -> tuple[str, str]:
    """A final batch of ``letter`` for Vlaardingen on ``day``; its id and the reference."""
    made = cli(root, "batch", letter, "--date", day, "-m", CODE)
    assert made.code == 0, made.err
    batch = Path(made.out.strip().splitlines()[-1]).name
    manifest = list(csv.DictReader((root / "outbox" / batch / "manifest.csv").open()))
    assert [row["municipality"] for row in manifest] == [CODE]
    return batch, manifest[0]["reference"]


def _send(cli: Callable[..., Result], root: Path, batch: str, posted: str) -> dict[str, object]:
    """Queue and send by the file transport, then record the posting date (the letters and
    any copy waiting for the post room); the messages written, by recipient role."""
    queued = cli(root, "queue", batch)
    assert queued.code == 0, queued.err
    sent = cli(root, "send", "--batch", batch, "--retry-delay", "0.01")
    assert sent.code == 0, sent.err
    assert cli(root, "post", batch, "--date", posted).code == 0
    messages: dict[str, object] = {}
    for path in sorted((root / "outbox" / batch / "mail").glob("*.eml")):
        role = path.stem.split("-")[1] if "-" in path.stem else "college"
        messages[role] = email.message_from_bytes(path.read_bytes(), policy=default)
    return messages


def _body(message: object) -> str:
    """The plain-text part of a message, whitespace normalised."""
    return " ".join(message.get_body(("plain",)).get_content().split())  # type: ignore[attr-defined]


def _pdf_text(path: Path) -> str:
    """The text of a PDF, whitespace normalised."""
    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def _text(root: Path, batch: str, reference: str, suffix: str = "") -> str:
    pdf = next(
        p
        for p in (root / "outbox" / batch).glob(f"{reference}-*.pdf")
        if p.stem.endswith("-kennisgeving") == bool(suffix)
    )
    return " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())


def _status(cli: Callable[..., Result], root: Path, day: str) -> dict[str, object]:
    rows = json.loads(cli(root, "status", "--date", day, "--json").out)
    return next(r for r in rows if r["code"] == CODE)


def test_a_case_climbs_the_ladder_as_the_law_requires(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    _lawyer_signs_off(root, cli)
    _addresses(root, cli, tmp_path)

    # trede 2, answered
    batch2, ref2 = _batch(cli, root, "trede-2", "2026-04-09")
    mail2 = _send(cli, root, batch2, "2026-04-09")
    assert set(mail2) == {"college"}  # trede 2: only the CdK's Cc
    assert mail2["college"]["Cc"].addresses[0].addr_spec == "cdk@zuid-holland.test"
    # the mail states the reply term as the letter does: a period, no rolled date
    assert "binnen drie weken na dagtekening van de brief te reageren" in _body(mail2["college"])
    assert "30 april 2026" not in _body(mail2["college"])
    assert cli(root, "reply", ref2, "--received", "2026-04-20").code == 0

    # trede 3 once the reply term has passed: it recites the reply
    batch3, ref3 = _batch(cli, root, "trede-3", "2026-05-04")
    text3 = _text(root, batch3, ref3)
    assert "20 april 2026" in text3 and ref2 in text3
    _send(cli, root, batch3, "2026-05-04")

    # trede 4: the voornemen with its kennisgeving and its copies, on current figures (a
    # voornemen on figures older than max_figures_age_days is refused)
    _fresh_figures(root, cli, tmp_path, "2026-05-15")
    batch4, ref4 = _batch(cli, root, "trede-4", "2026-06-01")
    text4 = _text(root, batch4, ref4)
    assert "is voornemens om op grond van artikel 124, eerste lid, juncto artikel 124b" in text4
    # the besluit's term counts from its bekendmaking; the grace date (six weeks) only says
    # when the minister refrains from the besluit (legal review 2026-12, trede 4 point 1)
    assert "binnen zes weken na de bekendmaking van het besluit alsnog moet voorzien" in text4
    assert "uiterlijk 13 juli 2026 aan dat zij in deze asielopvangplekken heeft" in text4
    assert "80 reguliere opvangplekken" in text4 and "10 opvangplekken voor" in text4
    assert "zienswijze uiterlijk 15 juni 2026 schriftelijk" in text4  # two weeks
    assert "mondeling naar voren brengen (artikel 4:9" in text4
    assert "Een afschrift van deze brief gaat naar de gemeenteraad van Vlaardingen" in text4
    assert "Gedeputeerde Staten van de provincie Zuid-Holland worden over dit" in text4
    notice = _text(root, batch4, ref4, "-kennisgeving")
    assert f"bij brief van 1 juni 2026 (onze referentie {ref4})" in notice
    assert "tot en met 15 juni 2026 zijn zienswijze" in notice
    assert "testadres inzage voornemen" in notice
    manifest = json.loads((root / "outbox" / batch4 / "manifest.json").read_text("utf-8"))
    row = manifest["letters"][0]
    assert row["kennisgeving_pdf"] == f"{ref4}-vlaardingen-kennisgeving.pdf"
    assert (root / "outbox" / batch4 / row["kennisgeving_docx"]).is_file()
    mail4 = _send(cli, root, batch4, "2026-06-01")
    assert set(mail4) == {"college", "raad", "gs"}
    assert str(mail4["raad"]["To"]) == "Gemeenteraad van Vlaardingen <griffie@vlaardingen.test>"
    assert mail4["raad"]["Subject"].startswith(f"Afschrift: Onze referentie {ref4}")
    assert mail4["gs"]["Subject"].startswith(f"Ter kennisneming: Onze referentie {ref4}")
    assert "Wij verzoeken u uiterlijk 15 juni 2026 te reageren." in _body(mail4["college"])
    assert "13 juli 2026" not in _body(mail4["college"])

    # no besluit before the zienswijze term has passed, unless a zienswijze came in
    early = cli(root, "batch", "trede-5", "--date", "2026-06-08", "-m", CODE)
    assert early.code == 2 and "zienswijze" in early.err
    assert cli(root, "reply", ref4, "--received", "2026-06-10", "--kind", "zienswijze").code == 0
    # the voornemen's kennisgeving is published (a besluit waits for this record)
    published = ("publication", ref4, "--staatscourant", "2026-12345", "--date", "2026-06-03")
    assert cli(root, *published).code == 0
    assert _status(cli, root, "2026-06-11")["answered"]

    # trede 5 after the compliance term: recital, the reply to the zienswijze written for
    # this case, dictum per category, rechtsmiddelen
    _motivering(root, cli, tmp_path, ref4, "zienswijze")
    batch5, ref5 = _batch(cli, root, "trede-5", "2026-07-20")
    text5 = _text(root, batch5, ref5)
    assert f"Bij brief van 1 juni 2026 (onze referentie {ref4})" in text5
    assert "de zienswijze van het college van 10 juni 2026 bij dit besluit betrokken" in text5
    # the days the voornemen's copies went out (by e-mail here: the day they were sent,
    # today, although the case's letters carry dates in 2026)
    out = long_date(clock.today())
    assert f"Een afschrift van het voornemen is op {out} gezonden aan de gemeenteraad" in text5
    assert f"Gedeputeerde Staten van de provincie Zuid-Holland zijn op {out} over het" in text5
    assert f"Zienswijze en reactie Testmotivering zienswijze voor {ref4}. Tweede alinea." in text5
    assert "80 reguliere opvangplekken" in text5
    assert "binnen zes weken na de bekendmaking van dit besluit" in text5
    assert "die verzending geldt als bekendmaking" in text5
    notice5 = _text(root, batch5, ref5, "-kennisgeving")
    assert f"bij besluit van 20 juli 2026 (onze referentie {ref5})" in notice5
    assert "testadres inzage besluit" in notice5
    assert "artikel 6:5 van de Algemene wet bestuursrecht" in text5
    assert "artikel 8:81 van de Algemene wet bestuursrecht" in text5
    assert "testadres Raad van State" in text5
    queued = cli(root, "queue", batch5)
    assert queued.code == 0, queued.err
    printed = PdfReader(root / "outbox" / batch5 / "post-room.pdf")
    assert ref5 in printed.pages[0].extract_text()  # by post as well: in the post room's file
    assert cli(root, "send", "--batch", batch5).code == 0
    mail5 = (root / "outbox" / batch5 / "mail" / f"{ref5}.eml").read_bytes()
    besluit_mail = _body(email.message_from_bytes(mail5, policy=default))
    assert "te reageren" not in besluit_mail and "reactie" not in besluit_mail.lower()
    with Register.for_root(root) as register:
        assert (
            letter_register.letter_by_reference(register, ref5).sent_on is None
        )  # the e-mail does not count
    assert cli(root, "post", batch5, "--date", "2026-07-22").code == 0
    with Register.for_root(root) as register:
        letter5 = letter_register.letter_by_reference(register, ref5)
    assert (letter5.sent_on.isoformat(), letter5.sent_via) == ("2026-07-22", "post")
    assert letter5.deadline.isoformat() == "2026-09-02"  # six weeks from the posting date

    # trede 6 only after that term
    before = cli(root, "batch", "trede-6", "--date", "2026-08-31", "-m", CODE)
    assert before.code == 2 and "2 september 2026" in before.err
    _motivering(root, cli, tmp_path, ref5, "feiten")  # the facts after the term
    batch6, ref6 = _batch(cli, root, "trede-6", "2026-09-07")
    text6 = _text(root, batch6, ref6)
    assert f"{ref5}" in text6 and "artikel 124c" in text6
    assert "artikel 124f, derde lid" in text6 and "Bezwaar tegen een besluit" not in text6
    assert f"Feiten na de termijn Testmotivering feiten voor {ref5}." in text6
    # the Brief screen and the case file show the motivering written on each letter
    web = WebServer(root).start()
    try:
        status, _, page = web.request("GET", f"/letters/{ref4}")
    finally:
        web.stop()
    assert status == 200 and "<h2>Motivering</h2>" in page, page
    assert f"Testmotivering zienswijze voor {ref4}." in page
    assert cli(root, "case", CODE).code == 0
    kept = root / "outbox" / "cases" / CODE / "case-file" / "motivering"
    assert sorted(p.name for p in kept.iterdir()) == [
        f"{ref4}-zienswijze-v1.txt",
        f"{ref5}-feiten-v1.txt",
    ]
    report = list(csv.DictReader(io.StringIO(cli(root, "report", batch4).out)))
    assert report[0]["copies"] == "gs sent gs@zuid-holland.test; raad sent griffie@vlaardingen.test"
