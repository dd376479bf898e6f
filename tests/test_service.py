"""The use cases of ``ibtpost.service`` as the front ends call them: what each returns, what
it writes and records, and its summary in both languages. LibreOffice only where a letter
is made."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.registered import posted_letter

from ibtpost.core.layout import Layout
from ibtpost.production.selection import BatchRequest
from ibtpost.register import Register, replies
from ibtpost.register import letters as letter_register
from ibtpost.service import batches, letters, review, status
from ibtpost.service.common import NotFound
from ibtpost.service.imports import import_figures
from ibtpost.service.replies import reply

DAY = date(2026, 4, 9)
OLD, NEW = "urgent en kritiek", "dringend en kritiek"


def test_the_layout_names_every_place_under_the_root(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    batch = layout.batch("trede-2-2026-04-09")
    assert batch.manifest_json == tmp_path / "outbox" / "trede-2-2026-04-09" / "manifest.json"
    assert batch.eml("7500001") == batch.folder / "mail" / "7500001.eml"
    assert layout.register == tmp_path / "outbox" / "register.sqlite"
    assert layout.definition("trede-2") == tmp_path / "letters" / "trede-2.yaml"
    assert layout.approved_version("trede-2", "abc") == tmp_path / "letters/approved/trede-2-abc"
    assert layout.case_file("GM0622") == tmp_path / "outbox/cases/GM0622/case-file"


def test_status_counts_and_the_overview_filters_and_sorts(root: Path) -> None:
    everyone = status.supervision_status(root, DAY)
    due = status.supervision_status(root, DAY, due_only=True)
    assert everyone.due == due.due > 0
    assert {r.action for r in due.rows} <= {"letter", "close"}
    assert len(due.rows) < len(everyone.rows)
    assert everyone.samples == sum(r.sample for r in everyone.rows)

    found = status.read_overview(root, DAY)
    assert found.counts["all"] == len(found.rows) == len(everyone.rows)
    assert found.counts["due"] == everyone.due
    assert [r.code for r in found.rows] == sorted(r.code for r in everyone.rows)
    province = found.provinces[0]
    shown = status.read_overview(root, DAY, status.Filters(province=province, sort="shortfall"))
    assert shown.rows and {r.province for r in shown.rows} == {province}
    shortfalls = [r.shortfall for r in shown.rows]
    assert shortfalls == sorted(shortfalls, reverse=True)
    assert shown.counts == found.counts  # counted before filtering


def test_the_batch_form_lists_letters_and_who_is_due_and_plans_without_recording(
    root: Path,
) -> None:
    choices = {choice.id: choice for choice in batches.letter_choices(root)}
    assert choices["trede-2"].status == "final" and choices["trede-3"].status == "draft"

    due = batches.candidates(root, "trede-2", DAY)
    codes = {d.code for d in due.due}
    assert codes == {
        r.code
        for r in status.supervision_status(root, DAY).rows
        if r.next_letter == "trede-2" and r.action == "letter"
    }
    unknown = batches.candidates(root, "trede-9", DAY)
    assert unknown.due == [] and unknown.problem is not None and "trede-9" in str(unknown.problem)

    plan = batches.plan(root, BatchRequest("trede-2", DAY, ("GM0622",)))
    assert plan.id.startswith("trede-2-2026-04-09")
    assert [p.municipality.code for p in plan.letters] == ["GM0622"]
    with Register.for_root(root) as register:
        assert letter_register.batch(register, plan.id) is None  # planned, nothing recorded
    with pytest.raises(NotFound):
        batches.batch_file(root, plan.id, "manifest.csv")
    with pytest.raises(NotFound):
        batches.batch_file(root, plan.id, "register.sqlite")
    assert batches.batch_view(root, plan.id).batch is None


def test_the_review_of_a_changed_letter_and_approving_it_twice(root: Path) -> None:
    definition = Layout(root).definition("trede-2")
    definition.write_text(definition.read_text("utf-8").replace(OLD, NEW, 1), "utf-8")
    listed = {state.letter: state for state in review.letters_to_review(root).states}
    assert listed["trede-2"].state == "changed" and listed["trede-3"].state == "draft"

    seen = review.letter_review(root, "trede-2")
    assert seen.problem is None and seen.diff.files
    assert any(
        "dringend" in str(changed.render(False)) for f in seen.diff.files for changed in f.lines
    )
    assert "Vlaardingen" in seen.names
    wrong = review.letter_review(root, "trede-2", "nosuchversion")
    assert wrong.problem is not None and wrong.diff.files  # the default diff instead
    assert review.has_definition(root, "trede-2") and not review.has_definition(root, "../x")

    before = Layout(root).approvals.read_text("utf-8")
    done = review.approve(root, "trede-2", "A. Jurist")
    version = done.done.approval.version
    assert done.done.added and done.count is None and done.waiting is None
    assert done.summary.text("en") == f"approved trede-2 version {version} by A. Jurist"
    assert done.summary.text("nl") == f"goedgekeurd: trede-2 versie {version} door A. Jurist"
    after = Layout(root).approvals.read_text("utf-8")
    assert after.startswith(before) and version in after[len(before) :]
    assert Layout(root).approved_version("trede-2", version).is_dir()

    again = review.approve(root, "trede-2", "B. Jurist")
    assert not again.done.added and again.summary.key == "summary.approve.again"
    assert "niets toegevoegd" in again.summary.text("nl")
    assert Layout(root).approvals.read_text("utf-8") == after


def test_an_import_writes_config_and_says_what_it_did(root: Path, tmp_path: Path) -> None:
    source = tmp_path / "cijfers.csv"
    source.write_text(
        "gemeentecode,taak_regulier,taak_amv,realisatie_regulier,realisatie_amv,extra\n"
        "GM0014,1200,110,1500,120,x\n",
        "utf-8",
    )
    done = import_figures(root, source, source="Verdeelbesluit 2026")
    figures = Layout(root).config_file("figures.csv").read_text("utf-8")
    assert any(
        line.startswith("GM0014,") and "1200" in line and "Verdeelbesluit 2026" in line
        for line in figures.splitlines()
    )
    assert done.result.changed == 1
    assert done.summary.text("en") == (
        "imported 1 row from cijfers.csv into config/figures.csv (1 changed)"
    )
    assert done.summary.text("nl").startswith("1 rij geïmporteerd uit cijfers.csv")
    assert done.ignored is not None and "extra" in done.ignored.text("en")
    same = import_figures(root, source, source="Verdeelbesluit 2026")
    assert same.summary.text("en").endswith("(already up to date)")


def test_a_reply_is_recorded_once_and_said_in_both_languages(root: Path, tmp_path: Path) -> None:
    reference = posted_letter(root)
    answer = tmp_path / "antwoord.pdf"
    answer.write_bytes(b"%PDF-1.7\n% reactie\n%%EOF\n")
    done = reply(root, reference, DAY + timedelta(days=5), "reply", answer)
    assert done.done.file is not None and done.done.file.is_file()
    assert done.done.file.parent == Layout(root).case("GM0622")
    with Register.for_root(root) as register:
        assert replies.latest(register)[reference].received == DAY + timedelta(days=5)
    assert done.summary.text("en") == (
        f"{reference} GM0622: reply received 2026-04-14; kept as {done.done.file}"
    )
    assert done.summary.text("nl").startswith(f"{reference} GM0622: reactie ontvangen op")
    again = reply(root, reference, DAY + timedelta(days=5), "reply", answer)
    assert not again.done.added
    assert again.summary.text("en") == f"{reference}: this reply was recorded before; nothing added"


@pytest.mark.libreoffice
def test_a_batch_made_its_rows_files_and_a_letters_view(root: Path) -> None:
    seen: list[tuple[int, int]] = []
    made = batches.make_batch(
        root,
        BatchRequest("trede-2", DAY, ("GM0622",)),
        lambda done, total: seen.append((done, total)),
    )
    result = made.result
    assert seen[-1] == (1, 1)
    assert made.summary.text("en").startswith(f"batch {result.id}: 1 letters (1 converted")
    assert made.summary.text("nl").startswith(f"batch {result.id}: 1 brieven (1 omgezet")

    view = batches.batch_view(root, result.id)
    assert view.batch is not None and view.batch.completed_at
    (row,) = view.rows
    assert (row.code, row.name) == ("GM0622", "Vlaardingen") and row.letter.pages
    assert set(view.files) == {"manifest.csv", "manifest.json", "print.pdf"}
    assert (
        batches.batch_file(root, result.id, "manifest.json")
        == Layout(root).batch(result.id).manifest_json
    )

    found = letters.letter_file(root, row.reference, "docx")
    assert found.path.suffix == ".docx" and found.path.parent == result.folder
    letter = letters.letter_view(root, row.reference)
    assert letter.matches and letter.pdf.suffix == ".pdf"
    assert letter.entry is None  # not queued: the recipients are today's
    assert letter.recipients is not None and not letter.recipients.frozen
    assert letter.recipients.to or letter.recipients.missing
    assert letter.check is not None and letter.check.ok
    assert any(event.kind == "letter.generated" for event in letter.events)
    with pytest.raises(NotFound):
        letters.letter_file(root, "9999999", "pdf")
    with pytest.raises(NotFound):
        letters.letter_file(root, row.reference, "yaml")
