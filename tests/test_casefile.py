"""ibtpost case: one municipality's supervision in one place, folder and bookmarked PDF."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pytest
from tests.archivebatch import Made, make_sent_batch
from tests.conftest import Result, files_under

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    """A sent trede-2 batch of two letters with a reply on GM0622's."""
    yield from make_sent_batch(tmp_path_factory.mktemp("case"))


def test_the_case_file_holds_letters_replies_report_and_audit(
    made: Made, cli: Callable[..., Result]
) -> None:
    """The folder has the letter as sent, the reply, the delivery report row, the audit
    events of the reference and the chain's verification; the PDF has the letter's pages
    and a bookmark for each part."""
    done = cli(made.root, "case", "GM0622")
    assert done.code == 0, done.err
    folder = made.root / "outbox" / "cases" / "GM0622" / "case-file"
    reference = made.references["GM0622"]
    (letter,) = (folder / "letters").iterdir()
    batch_pdf = next((made.root / "outbox" / made.batch).glob(f"{reference}-*.pdf"))
    assert letter.read_bytes() == batch_pdf.read_bytes()
    (reply,) = (folder / "replies").iterdir()
    assert reply.name.startswith(f"{reference}-reply-")
    report = (folder / "delivery-report.csv").read_text("utf-8").splitlines()
    assert len(report) == 2 and report[1].startswith(f"{reference},GM0622,Vlaardingen")
    events = [json.loads(x) for x in (folder / "audit-events.jsonl").read_text().splitlines()]
    kinds = {e["kind"] for e in events}
    assert {"letter.generated", "letter.queued", "letter.sent", "reply.received"} <= kinds
    assert {e["reference"] for e in events} == {reference}
    assert "chain intact" in (folder / "audit-verify.txt").read_text()
    with pikepdf.open(folder / "case-file.pdf") as pdf, pikepdf.open(batch_pdf) as original:
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert titles[0] == "Overzicht"
        assert titles[1].startswith(f"Brief {reference}, trede 2")
        assert titles[2].startswith(f"Reactie op {reference}, ontvangen")
        assert titles[-2:] == ["Verzendrapport", "Audittrail"]
        assert len(pdf.pages) >= len(original.pages) + 4
    # the other municipality's letter is not in it
    other = made.references["GM0363"]
    assert other not in (folder / "audit-events.jsonl").read_text()


def test_a_second_run_replaces_the_case_file_whole(
    made: Made, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """--out DIR: written there; run again, the same files, nothing left over."""
    out = tmp_path / "dossier"
    assert cli(made.root, "case", "Vlaardingen", "--out", str(out)).code == 0
    first = [p.relative_to(out) for p in files_under(out)]
    assert cli(made.root, "case", "GM0622", "--out", str(out)).code == 0
    assert [p.relative_to(out) for p in files_under(out)] == first
    assert [p.name for p in tmp_path.iterdir()] == ["dossier"]


@pytest.mark.parametrize(
    ("who", "message"), [("GM9999", "GM9999"), ("Atlantis", "Atlantis"), ("GM0796", "no final")]
)
def test_unknown_municipality_or_none_of_its_letters_exits_2(
    made: Made, cli: Callable[..., Result], tmp_path: Path, who: str, message: str
) -> None:
    """An unknown municipality, or one without letters: exit 2, nothing written."""
    out = tmp_path / "none"
    done = cli(made.root, "case", who, "--out", str(out))
    assert done.code == 2 and message in done.err
    assert not out.exists()
