"""ibtpost case: one municipality's supervision in one place, folder and bookmarked PDF."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import page
import pikepdf
import pytest
from pypdf import PdfReader
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
            marks = [(item.title, pdf.pages.index(item.destination[0])) for item in outline.root]
        titles = [title for title, _ in marks]
        assert titles[0] == "Inventarislijst"
        assert titles[1].startswith("1. brief: Brief interbestuurlijk toezicht")
        assert titles[2] == f"2. reactie: Reactie op brief {reference}"
        assert titles[-1] == "Chronologie en verzendrapport"
        # the letter as sent, page for page, where the inventory says (with the dossier's
        # page number laid over it)
        first = marks[1][1]
        for joined, sent in zip(pdf.pages[first:], original.pages, strict=False):
            contents = joined.obj.Contents
            streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
            assert sent.Contents.read_bytes() in b"".join(x.read_bytes() for x in streams)
    # the inventory: every document with the page it starts on (1-based)
    reader = PdfReader(folder / "case-file.pdf")
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    assert pages[0].startswith("Inventarislijst")
    rows = re.findall(r"(?:^|\s)(\d+) (\d{1,2} \w+ \d{4}) (brief|reactie|motivering) ", pages[0])
    assert [(n, kind) for n, _, kind in rows] == [("1", "brief"), ("2", "reactie")]
    for (title, index), expected in zip(marks[1:-1], (1, 2), strict=True):
        assert title.startswith(f"{expected}. ")
        assert re.search(rf"{reference} {index + 1}(?:\s|$)", pages[0]), (title, index)
    # every page numbered at its foot
    total = len(pages)
    assert all(f"pagina {n} van {total}" in text for n, text in enumerate(pages, start=1))
    # in Dutch words: no JSON, no UTC times; the chronology says what happened
    whole = " ".join(pages)
    assert "{" not in whole and '":' not in whole
    assert "UTC" not in whole and "+00:00" not in whole
    assert f"brief {reference} (trede 2) gemaakt" in whole
    assert f"reactie op brief {reference} ontvangen op" in whole
    # tagged: one Document element holding the text's and the letter's elements, every
    # page in the one parent tree, the letter's figure with its alternative text
    with pikepdf.open(folder / "case-file.pdf") as pdf:
        tree = pdf.Root.StructTreeRoot
        assert tree.K.S == "/Document" and len(tree.K.K) > 10
        keys = {int(tree.ParentTree.Nums[i]) for i in range(0, len(tree.ParentTree.Nums), 2)}
        parents = [int(p.obj.StructParents) for p in pdf.pages]
        assert sorted(parents) == sorted(set(parents)) and set(parents) <= keys
        alts: list[str] = []
        stack: list[object] = [tree.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/OBJR":
                if node.get("/S") == "/Figure":
                    alts.append(str(node.get("/Alt", "")))
                if "/K" in node:
                    stack.append(node.K)
        assert "Handtekening" in alts
    # an independent validator finds it PDF/A-2b
    report = page.validate_pdf(folder / "case-file.pdf", profile=page.ValidationProfile.PDF_A_2B)
    assert report.is_compliant, [(f.rule_id, f.message) for f in report.failures]
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
