"""Letters beside the ladder (legal review 2026-12, §4 points 3 and 4): a herstel cites the
sent letter it corrects, an intrekking withdraws a besluit and stops trede 6 on it, an
afsluiting closes the case. Real batches, real LibreOffice, a real register."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from tests import test_escalation as esc
from tests.conftest import Result
from tests.realdata import import_real_data
from tests.webserver import WebServer

pytestmark = pytest.mark.libreoffice

CODE = esc.CODE  # Vlaardingen


def _counts(root: Path) -> tuple[int, int, list[str]]:
    """Batches and letters in the register, and the folders in outbox/."""
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:
        batches = db.execute("SELECT COUNT(*) FROM batches").fetchone()[0]
        letters = db.execute("SELECT COUNT(*) FROM letters").fetchone()[0]
    return batches, letters, sorted(p.name for p in (root / "outbox").iterdir() if p.is_dir())


def _one_error(done: Result) -> str:
    assert done.code == 2, done.out
    lines = done.err.strip().splitlines()
    assert len(lines) == 1, done.err
    return lines[0]


def test_a_herstel_cites_the_letter_it_corrects_and_only_a_sent_one_of_its_municipality(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    settings = root / "config" / "settings.yaml"
    settings.write_text(settings.read_text("utf-8").replace("first: 7500000", "first: 7468089"))
    import_real_data(root, (CODE, "GM0014"), tmp_path)
    batch, reference = esc._batch(cli, root, "trede-2", "2026-04-09")
    assert reference == "7468089"
    assert cli(root, "post", batch, "--date", "2026-04-10").code == 0
    # a letter of Groningen, made but never sent, and a concept
    unsent = cli(root, "batch", "trede-2", "--date", "2026-04-09", "-m", "GM0014")
    assert unsent.code == 0, unsent.err
    concept = cli(root, "batch", "trede-3", "--date", "2026-05-04", "-m", "GM0014", "--concept",
                  "--reason", "lezen")  # fmt: skip
    assert concept.code == 0, concept.err
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:
        (groningen,) = db.execute(
            "SELECT reference FROM letters WHERE municipality='GM0014' AND concept=0"
        ).fetchone()
        (draft,) = db.execute("SELECT reference FROM letters WHERE concept=1").fetchone()

    before = _counts(root)
    herstel = ("batch", "herstel", "--date", "2026-04-20", "--concept")
    refused = {
        "foreign": (
            ("--corrects", reference, "-m", "GM0014"),
            "error: --corrects: 7468089 is a letter to Vlaardingen (GM0622), not to Groningen "
            "(GM0014)",
        ),
        "unknown": (
            ("--corrects", "7999999"),
            "error: --corrects: no letter with reference 7999999",
        ),
        "never sent": (
            ("--corrects", groningen),
            f"error: --corrects: {groningen} was never sent: a letter that did not go out is "
            "withdrawn from its batch, not corrected",
        ),
        "concept": (("--corrects", draft), f"error: --corrects: {draft} is a concept letter"),
        "missing": ((), "error: --corrects: herstel names the sent letter it corrects"),
    }
    for name, (args, said) in refused.items():
        line = _one_error(cli(root, *herstel, *args))
        assert line.startswith(said), (name, line)
    wrong = _one_error(cli(root, "batch", "trede-3", "--date", "2026-05-04", "--concept",
                           "-m", CODE, "--reason", "x", "--corrects", reference))  # fmt: skip
    assert wrong.startswith("error: --corrects: trede-3 corrects no letter")
    assert _counts(root) == before  # nothing written

    # what changes is written on the letter corrected; the herstel prints it
    esc._motivering(root, cli, tmp_path, reference, "herstel")
    made = cli(root, *herstel, "--corrects", reference)
    assert made.code == 0, made.err
    folder = Path(made.out.strip().splitlines()[-1])
    rows = json.loads((folder / "manifest.json").read_text("utf-8"))["letters"]
    assert [(r["municipality"], r["trede"]) for r in rows] == [(CODE, None)]
    text = esc._text(root, folder.name, rows[0]["reference"])
    assert "Herstel van de brief van 9 april 2026 (onze referentie 7468089)" in text
    assert "Op 9 april 2026 heeft de minister van Asiel en Migratie u een brief gestuurd" in text
    assert '"Brief interbestuurlijk toezicht Wet gemeentelijke taak mogelijk maken' in text
    assert f"Wat wordt hersteld Testmotivering herstel voor {reference}. Tweede alinea." in text
    assert "Voor het overige blijft de brief van 9 april 2026 (onze referentie 7468089)" in text
    assert "6:19" not in text  # not a besluit: no herstelbesluit, no kennisgeving
    assert not list(folder.glob("*-kennisgeving.pdf"))
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:
        assert db.execute(
            "SELECT kind, corrects, trede FROM letters WHERE reference=?", (rows[0]["reference"],)
        ).fetchone() == ("herstel", "7468089", None)
    # the ladder reads past it: Vlaardingen's case still stands on trede 2
    status = json.loads(cli(root, "status", "--date", "2026-05-04", "--json").out)
    row = next(r for r in status if r["code"] == CODE)
    assert (row["trede"], row["last_reference"]) == (2, "7468089")

    # a review copy names the same letter
    shown = cli(root, "preview", "herstel", "-m", CODE, "--corrects", reference,
                "--date", "2026-04-20", "--out", str(tmp_path / "preview"))  # fmt: skip
    assert shown.code == 0, shown.err
    assert "onze referentie 7468089" in esc._pdf_text(Path(shown.out.strip()))

    # the web: the letter's page offers the herstel and names it; the form is filled in
    web = WebServer(root).start()
    try:
        _, _, page = web.request("GET", f"/letters/{reference}")
        _, _, form = web.request("GET", f"/batches?letter=herstel&corrects={reference}")
        _, _, listed = web.request(
            "GET", f"/batches/candidates?letter=herstel&date=2026-04-21&corrects={reference}"
        )
        _, _, foreign = web.request(
            "GET", f"/batches/candidates?letter=herstel&date=2026-04-21&corrects={groningen}"
        )
    finally:
        web.stop()
    assert f'href="/batches?letter=herstel&amp;corrects={reference}#nieuw">Herstel…</a>' in page
    assert "Intrekken…" not in page  # not a besluit
    assert (
        f'<a href="/letters/{rows[0]["reference"]}">Herstelbrief {rows[0]["reference"]}</a>' in page
    )
    assert f'name="corrects" value="{reference}"' in form
    assert 'value="herstel" selected' in form
    assert "Vlaardingen" in listed
    assert "is nooit verzonden" in foreign


def test_an_intrekking_stops_trede_6_and_an_afsluiting_closes_the_case(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    esc._lawyer_signs_off(root, cli, also=("intrekking", "afsluiting"))
    esc._addresses(root, cli, tmp_path)
    batch2, _ = esc._batch(cli, root, "trede-2", "2026-04-09")
    esc._send(cli, root, batch2, "2026-04-09")
    batch3, _ = esc._batch(cli, root, "trede-3", "2026-05-04")
    esc._send(cli, root, batch3, "2026-05-04")
    esc._fresh_figures(root, cli, tmp_path, "2026-05-15")
    batch4, ref4 = esc._batch(cli, root, "trede-4", "2026-06-01")
    esc._send(cli, root, batch4, "2026-06-01")
    published = ("publication", ref4, "--staatscourant", "2026-12345", "--date", "2026-06-03")
    assert cli(root, *published).code == 0
    assert cli(root, "reply", ref4, "--received", "2026-06-10").code == 0
    esc._motivering(root, cli, tmp_path, ref4, "zienswijze")
    batch5, ref5 = esc._batch(cli, root, "trede-5", "2026-07-20")
    esc._send(cli, root, batch5, "2026-07-22")

    # a herstel of the besluit is a herstelbesluit, with its kennisgeving and Awb 6:19
    fix = cli(root, "batch", "herstel", "--date", "2026-07-27", "--concept",
              "--corrects", ref5)  # fmt: skip
    assert fix.code == 0, fix.err
    folder = Path(fix.out.strip().splitlines()[-1])
    (notice,) = folder.glob("*-kennisgeving.pdf")
    herstel_ref = notice.name.split("-")[0]
    text = esc._text(root, folder.name, herstel_ref)
    assert "Met dit besluit wordt het besluit van 20 juli 2026 hersteld." in text
    assert "(artikel 6:19 van de Algemene wet bestuursrecht)" in text
    assert "[IN TE VULLEN: wat wordt hersteld]" in text  # nothing written yet: a concept
    assert f"(onze referentie {ref5}) over het college" in esc._pdf_text(notice)

    # only a besluit is withdrawn
    wrong = _one_error(cli(root, "batch", "intrekking", "--date", "2026-09-01",
                           "--corrects", ref4))  # fmt: skip
    assert f"{ref4} is a trede-4 letter, not a besluit tot indeplaatsstelling" in wrong
    # a final intrekking states why: refused until it is written
    early = _one_error(cli(root, "batch", "intrekking", "--date", "2026-09-01",
                           "--corrects", ref5))  # fmt: skip
    assert f"why the besluit {ref5} is withdrawn is not written yet" in early
    assert f"ibtpost motivering {ref5} --file" in early and "--part intrekking" in early
    esc._motivering(root, cli, tmp_path, ref5, "intrekking")
    made = cli(root, "batch", "intrekking", "--date", "2026-09-01", "--corrects", ref5)
    assert made.code == 0, made.err
    batch_in = Path(made.out.strip().splitlines()[-1]).name
    ref_in = json.loads((root / "outbox" / batch_in / "manifest.json").read_text("utf-8"))[
        "letters"
    ][0]["reference"]
    text = esc._text(root, batch_in, ref_in)
    assert (
        f"Intrekking besluit tot indeplaatsstelling van 20 juli 2026 (onze referentie {ref5})"
        in text
    )
    assert "trekt de minister van Asiel en Migratie het besluit van 20 juli 2026" in text
    assert f"Testmotivering intrekking voor {ref5}." in text
    esc._send(cli, root, batch_in, "2026-09-02")

    # trede 6 no longer rests on the besluit, whatever the reason
    esc._motivering(root, cli, tmp_path, ref5, "feiten")
    line = _one_error(cli(root, "batch", "trede-6", "--date", "2026-09-07", "-m", CODE,
                          "--reason", "spoed"))  # fmt: skip
    assert f"the besluit {ref5} was withdrawn by intrekking {ref_in} of 2 september 2026" in line

    # the college meets its task: status recommends the afsluiting; the case stays open until
    # it is sent, then closes
    met = tmp_path / "figures-met.csv"
    met.write_text("gemeentecode,taak_regulier,taak_amv,realisatie_regulier,realisatie_amv\n"
                   f"{CODE},100,10,100,10\n", "utf-8")  # fmt: skip
    imported = cli(root, "import", "figures", str(met), "--peildatum", "2026-09-15",
                   "--source", "test")  # fmt: skip
    assert imported.code == 0, imported.err
    rows = json.loads(cli(root, "status", "--date", "2026-09-20", "--json").out)
    row = next(r for r in rows if r["code"] == CODE)
    assert (row["action"], row["next_letter"]) == ("close", "afsluiting")
    batch_af, ref_af = esc._batch(cli, root, "afsluiting", "2026-09-21")
    text = esc._text(root, batch_af, ref_af)
    assert "per 15 september 2026" in text
    assert "wordt het interbestuurlijk toezicht op uw gemeente beëindigd." in text
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:
        assert db.execute("SELECT closed_on FROM cases").fetchall() == [(None,)]
    esc._send(cli, root, batch_af, "2026-09-22")
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:
        assert db.execute("SELECT closed_on, closed_why FROM cases").fetchall() == [
            ("2026-09-22", f"afsluiting {ref_af}")
        ]
    rows = json.loads(cli(root, "status", "--date", "2026-09-23", "--json").out)
    row = next(r for r in rows if r["code"] == CODE)
    assert (row["action"], row["trede"]) == ("none", None)
