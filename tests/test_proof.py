"""ibtpost preview and proof: review copies stamped CONCEPT that record nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.conftest import Result, files_under
from tests.pdftext import page_texts

from ibtpost.approval import versions
from ibtpost.data.config import load_config
from ibtpost.documents.pdf.watermark import RESOURCE_NAME
from ibtpost.production.selection import BatchRequest, plan_batch
from ibtpost.register import Register
from ibtpost.review.edgecases import edge_cases
from ibtpost.review.proof import applicable
from ibtpost.text.definitions import load_letter

DAY = "2026-04-09"
DAY_DATE = date(2026, 4, 9)


def register_state(root: Path) -> list[list[tuple[object, ...]]]:
    """Every row of the tables a letter or batch would change."""
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:
        return [
            db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608
            for table in ("letters", "series", "batches", "cases", "events")
        ]


def assert_stamped(path: Path) -> list[str]:
    """Every page carries the watermark (drawn from the shared XObject) besides the letter's
    own CONCEPT mark; returns the pages' text."""
    reader = PdfReader(path)
    texts = page_texts(path)
    assert texts
    for number, (page, text) in enumerate(zip(reader.pages, texts, strict=True), start=1):
        xobjects = page["/Resources"]["/XObject"]
        assert RESOURCE_NAME in xobjects, f"page {number}"
        assert b"(CONCEPT) Tj" in xobjects[RESOURCE_NAME].get_object().get_data()
        assert f"{RESOURCE_NAME} Do".encode() in page.get_contents().get_data()
        # the letter's own mark and the watermark
        assert text.count("CONCEPT") >= 2, f"page {number}: {text[:80]!r}"
    return texts


def address_line(text: str) -> str:
    """The line under the addressee on page 1 (street or Postbus)."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Aan het college"))
    return lines[at + 1]


@pytest.mark.libreoffice
def test_preview_of_final_and_draft_letters_allocates_nothing(
    root: Path, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """A preview writes PDFs stamped CONCEPT on every page, with reference 0000000, and
    leaves the register as it was (no reference, letter or batch); it records only the
    version of the text it shows."""
    assert cli(root, "status", "--date", DAY).code == 0  # the register exists
    before = register_state(root)

    final = cli(root, "preview", "trede-2", "-m", "GM0622", "-m", "'s-Hertogenbosch", "-d", DAY)
    assert final.code == 0, final.err
    paths = [Path(line) for line in final.out.splitlines()]
    assert [p.name for p in paths] == [
        "trede-2-2026-04-09-vlaardingen.pdf",
        "trede-2-2026-04-09-s-hertogenbosch.pdf",
    ]
    assert all(p.parent == root / "outbox" / "preview" for p in paths)

    out = tmp_path / "review"
    draft = cli(
        root, "preview", "trede-3", "-m", "vlaardingen", "-m", "GM0363", "-d", "2026-05-04",
        "--out", str(out),
    )  # fmt: skip
    assert draft.code == 0, draft.err
    paths += [Path(line) for line in draft.out.splitlines()]
    assert sorted(p.name for p in out.iterdir()) == [
        "trede-3-2026-05-04-amsterdam.pdf",
        "trede-3-2026-05-04-vlaardingen.pdf",
    ]

    names = ["Vlaardingen", "'s-Hertogenbosch", "Vlaardingen", "Amsterdam"]
    for path, name in zip(paths, names, strict=True):
        texts = assert_stamped(path)
        assert f"gemeente {name}" in texts[0]
        assert "Onze referentie\n0000000" in texts[0]
    assert register_state(root) == before
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:
        shown = dict(db.execute("SELECT letter, version FROM versions").fetchall())
    assert set(shown) == {"trede-2", "trede-3"}
    assert f"version {shown['trede-2']}" in final.err
    assert shown["trede-2"] == versions.working_copy(root, "trede-2").version.id


def test_preview_refuses_unknown_municipality_or_letter(
    root: Path, cli: Callable[..., Result]
) -> None:
    """Bad input: one line naming file and field, exit 2, nothing written."""
    result = cli(root, "preview", "trede-2", "-m", "Atlantis", "-d", DAY)
    assert result.code == 2
    assert result.err.splitlines() == [
        "error: --municipality: unknown municipality 'Atlantis' (hint: give a code like "
        "GM0622 or a name as in config/municipalities.csv)"
    ]
    result = cli(root, "preview", "trede-9", "-m", "GM0622", "-d", DAY)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith("error: letters/trede-9.yaml: no letter definition 'trede-9'")
    result = cli(root, "proof", "trede-2", "-m", "GM0622", "--edge-cases")
    assert result.code == 2
    assert files_under(root / "outbox") == []


def test_proof_covers_every_municipality_the_ladder_can_write_to(root: Path) -> None:
    """Without --municipality: those not meeting their task; for trede 2 on an empty
    register exactly the batch of everyone due."""
    config = load_config(root)
    chosen = applicable(config)
    assert chosen and all(not config.figures[m.code].meets_task for m in chosen)
    assert len(chosen) == sum(1 for f in config.figures.values() if not f.meets_task)
    with Register.for_root(root) as register:
        plan = plan_batch(
            config, load_letter(root, "trede-2"), register, BatchRequest("trede-2", DAY_DATE)
        )
    assert [m.code for m in chosen] == [item.municipality.code for item in plan.letters]


def test_edge_cases_are_distinct_real_municipalities(root: Path) -> None:
    """Each case a different municipality of config/; changed figures are marked sample."""
    config = load_config(root)
    cases = {case.name: case for case in edge_cases(config)}
    assert list(cases) == [
        "real figures",
        "longest name",
        "Postbus address",
        "zero task",
        "AMV only",
        "sample figures",
    ]
    codes = [case.municipality.code for case in cases.values()]
    assert len(set(codes)) == len(codes)
    assert all(code in config.municipalities for code in codes)
    longest = max(len(m.name) for m in config.municipalities.values())
    assert len(cases["longest name"].municipality.name) == longest
    postbus = cases["Postbus address"]
    address = postbus.municipality.address(postbus.config.settings.address_kind)
    assert address is not None and address.first_line.startswith("Postbus")
    zero = cases["zero task"].config.figures[cases["zero task"].municipality.code]
    assert (zero.task_total, zero.realised_total, zero.sample) == (0, 0, True)
    amv = cases["AMV only"].config.figures[cases["AMV only"].municipality.code]
    assert amv.task_regular == 0 and amv.task_amv > amv.realised_amv and amv.sample
    assert "VOORBEELD" in cases["AMV only"].label and "VOORBEELD" in cases["zero task"].label
    assert not config.figures[cases["real figures"].municipality.code].sample
    # config/ itself is unchanged
    assert load_config(root).figures == config.figures


@pytest.mark.libreoffice
def test_proof_of_edge_cases(root: Path, cli: Callable[..., Result]) -> None:
    """One PDF, one labelled bookmark per case on its first page, CONCEPT on every page;
    the Postbus case is addressed to a Postbus, the synthetic figures are printed."""
    result = cli(root, "proof", "trede-2", "--edge-cases", "--date", DAY)
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert path == root / "outbox" / "preview" / "trede-2-2026-04-09-proof-edge-cases.pdf"
    texts = assert_stamped(path)
    reader = PdfReader(path)
    cases = edge_cases(load_config(root))
    outline = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    assert [title for title, _ in outline] == [case.label for case in cases]
    starts = [page for _, page in outline]
    assert starts[0] == 0 and starts == sorted(set(starts))
    ends = [*starts[1:], len(texts)]
    for case, start, end in zip(cases, starts, ends, strict=True):
        first = texts[start]
        assert f"gemeente {case.municipality.name}" in first, case.name
        letter = "\n".join(texts[start:end])
        figures = case.config.figures[case.municipality.code]
        assert f"Regulier {figures.task_regular} {figures.realised_regular}" in letter
        assert f"AMV {figures.task_amv} {figures.realised_amv}" in letter
        assert ("VOORBEELD" in first) == figures.sample, case.name
        assert address_line(first).startswith("Postbus") == (case.name == "Postbus address")
    amv = next(c for c in cases if c.name == "AMV only")
    assert amv.config.figures[amv.municipality.code].task_amv > 0
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:  # only the version
        assert db.execute("SELECT COUNT(*) FROM letters").fetchone() == (0,)
        assert db.execute("SELECT letter FROM versions").fetchall() == [("trede-2",)]


@pytest.mark.libreoffice
def test_proof_of_named_municipalities_holds_every_page_of_each_letter(
    root: Path, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """The proof's pages are the letters' pages, in the order asked, each letter from a
    new page; the previews of the same letters have as many pages together."""
    named = ("GM0622", "Amsterdam", "GM1900")
    args = [arg for query in named for arg in ("-m", query)]
    proof_file = tmp_path / "proef.pdf"
    result = cli(root, "proof", "trede-2", *args, "--date", DAY, "--out", str(proof_file))
    assert result.code == 0, result.err
    assert Path(result.out.strip()) == proof_file
    texts = assert_stamped(proof_file)
    previews = cli(root, "preview", "trede-2", *args, "--date", DAY)
    assert previews.code == 0, previews.err
    pages = [len(PdfReader(Path(line)).pages) for line in previews.out.splitlines()]
    assert len(texts) == sum(pages)
    outline = PdfReader(proof_file).outline
    starts = [PdfReader(proof_file).get_destination_page_number(item) for item in outline]
    assert starts == [0, pages[0], pages[0] + pages[1]]
    for start, name in zip(starts, ("Vlaardingen", "Amsterdam", "Súdwest-Fryslân"), strict=True):
        assert f"gemeente {name}" in texts[start]
