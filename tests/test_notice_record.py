"""The kennisgeving is a record like a letter (issue: correcting and ending, point 2): its own
reference in the register, its hash recorded by the batch and frozen at queue after the
same kind of checks, in the delivery report, the letter's page and the case file."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import TEST_REVIEWER, Result
from tests.realdata import import_real_data
from tests.webserver import WebServer

from ibtpost.register import LetterRecord, Register, audit
from ibtpost.register import letters as letter_register
from ibtpost.register import notices as notice_register

pytestmark = pytest.mark.libreoffice

NOTICE = """
kennisgeving:
  subject: Kennisgeving bij de brief aan {{ municipality.name }}
  body:
    - paragraph: >-
        De minister van Asiel en Migratie maakt bekend dat op {{ date | datum }} een brief
        (onze referentie {{ reference }}) is gezonden aan het college van burgemeester en
        wethouders van {{ municipality.name }}.
"""


def test_a_kennisgeving_is_recorded_checked_frozen_and_shown(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    definition = root / "letters" / "trede-2.yaml"
    definition.write_text(definition.read_text("utf-8") + NOTICE, "utf-8")
    assert cli(root, "approve", "trede-2", "--by", TEST_REVIEWER).code == 0
    import_real_data(root, ("GM0622", "GM0014"), tmp_path)
    made = cli(root, "batch", "trede-2", "--date", "2026-04-09", "-m", "GM0622", "-m", "GM0014")
    assert made.code == 0, made.err
    folder = Path(made.out.strip().splitlines()[-1])
    with Register.for_root(root) as register:
        refs = {r.municipality: r.reference for r in _letters(register, folder.name)}
        recorded = notice_register.of_letters(register, list(refs.values()))
    vlaardingen, groningen = refs["GM0622"], refs["GM0014"]
    assert sorted(n.reference for n in recorded.values()) == sorted(f"{r}-K" for r in refs.values())
    files = {r: next(folder.glob(f"{r}-*-kennisgeving.pdf")) for r in refs.values()}
    for reference, notice in recorded.items():
        assert notice.pdf_sha256 == hashlib.sha256(files[reference].read_bytes()).hexdigest()
        assert notice.frozen_sha256 is None

    # Groningen's kennisgeving is changed after the batch: its letter is not queued
    files[groningen].write_bytes(files[groningen].read_bytes() + b"\n% changed\n")
    checked = cli(root, "check", "--batch", folder.name)  # the checks of queue, first
    assert checked.code == 1
    assert "1 passed, 1 failed" in checked.out
    assert "differs from the kennisgeving the batch recorded" in checked.out
    queued = cli(root, "queue", folder.name)
    assert queued.code == 1, queued.out
    assert f"{files[groningen].name} differs from the kennisgeving the batch recorded" in (
        queued.out + queued.err
    )
    with Register.for_root(root) as register:
        recorded = notice_register.of_letters(register, list(refs.values()))
        frozen = [e for e in audit.events(register) if e.kind == audit.NOTICE_FROZEN]
        generated = [e for e in audit.events(register) if e.kind == audit.NOTICE_GENERATED]
    assert recorded[vlaardingen].frozen_sha256 == recorded[vlaardingen].pdf_sha256
    assert recorded[groningen].frozen_sha256 is None
    assert [(e.reference, e.data["notice"]) for e in frozen] == [(vlaardingen, f"{vlaardingen}-K")]
    assert sorted(e.data["notice"] for e in generated) == sorted(f"{r}-K" for r in refs.values())

    # the delivery report names it; the letter's page shows it
    report = list(csv.DictReader(io.StringIO(cli(root, "report", folder.name).out)))
    row = next(r for r in report if r["reference"] == vlaardingen)
    assert (row["notice"], row["notice_sha256"]) == (
        f"{vlaardingen}-K",
        recorded[vlaardingen].pdf_sha256,
    )
    web = WebServer(root).start()
    try:
        status, _, page = web.request("GET", f"/letters/{vlaardingen}")
    finally:
        web.stop()
    assert status == 200
    assert f"<dt>Kennisgeving</dt><dd>{vlaardingen}-K, SHA-256" in page
    assert "(vastgelegd bij klaarzetten)" in page
    # the MDTO export: a record of its own, related to its letter, with its publication
    published = ("publication", vlaardingen, "--staatscourant", "2026-4711", "--date", "2026-04-10")
    assert cli(root, *published).code == 0
    exported = cli(root, "export", "mdto", "--case", "GM0622", "--out", str(tmp_path / "mdto"))
    assert exported.code == 0, exported.err
    assert "1 letter(s) and 1 kennisgeving(en) exported" in exported.err
    xml = next((tmp_path / "mdto").glob(f"{vlaardingen}-*-kennisgeving.mdto.xml")).read_text()
    assert f"<identificatieKenmerk>{vlaardingen}-K</identificatieKenmerk>" in xml
    assert (
        "<gerelateerdInformatieobject>" in xml and f">{vlaardingen}</identificatieKenmerk>" in xml
    )
    assert "<eventTijd>2026-04-10</eventTijd>" in xml and "Staatscourant 2026-4711" in xml
    dossier_xml = (tmp_path / "mdto" / "IBT-GM0622.mdto.xml").read_text()
    assert f"<identificatieKenmerk>{vlaardingen}-K</identificatieKenmerk>" in dossier_xml
    # the case file lists it under its own reference, with the letter's
    assert cli(root, "case", "GM0622").code == 0
    dossier = root / "outbox" / "cases" / "GM0622" / "case-file" / "case-file.pdf"
    inventory = " ".join((PdfReader(dossier).pages[0].extract_text() or "").split())
    assert f"kennisgeving Kennisgeving bij brief {vlaardingen}; gepubliceerd in de" in inventory
    assert f"{vlaardingen}-K" in inventory


def _letters(register: Register, batch: str) -> list[LetterRecord]:
    return letter_register.batch_letters(register, batch)
