"""Letter versions, diff, approve and the approval gate, through the command line on a copy
of the shipped data (trede-2 ships approved); LibreOffice only where a letter is made."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import TEST_REVIEWER, Result, files_under
from tests.pdftext import docx_text

from ibtpost.approval import gate, versions
from ibtpost.approval.approvals import load_approvals
from ibtpost.register import Register
from ibtpost.text.worddiff import docx_text as template_text
from ibtpost.text.worddiff import word_diff

DAY = "2026-04-09"
OLD, NEW = "urgent en kritiek", "dringend en kritiek"
BATCH = ("batch", "trede-2", "--date", DAY, "-m", "GM0622")


def shipped_version(root: Path) -> str:
    approval = gate.approved_version(root, "trede-2")
    assert approval is not None
    return approval.version


def change(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once in a text file; the 1-based line it stands on."""
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    return text[: text.index(old)].count("\n") + 1


def change_template(root: Path, old: str, new: str) -> None:
    """Change a word inside templates/brief.docx (word/document.xml), as Word would."""
    path = root / "templates" / "brief.docx"
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), 1)
            dst.writestr(item, data)
    path.write_bytes(out.getvalue())


def one_error(result: Result) -> str:
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


def folder_of(result: Result) -> Path:
    return Path(result.out.strip().splitlines()[-1])


# -- the acceptance path, end to end ------------------------------------------------------


@pytest.mark.libreoffice
def test_changed_word_is_refused_shown_approved_and_then_sent_out(
    root: Path, cli: Callable[..., Result]
) -> None:
    """A changed word unapproves trede-2: the final batch is refused naming the file, diff
    shows the word, and after approve the batch carries the change; the approval is in
    letters/approvals.yaml and the audit trail. A concept batch is never gated."""
    approved = shipped_version(root)
    day = load_approvals(root)[-1].day
    line = change(root / "letters" / "trede-2.yaml", OLD, NEW)

    error = one_error(cli(root, *BATCH))
    assert error == (
        f"error: letter trede-2 is not approved: letters/trede-2.yaml changed since approval "
        f"{approved} by {TEST_REVIEWER} on {day} "
        "(see: ibtpost diff trede-2, then ibtpost approve trede-2 --by NAME)"
    )
    assert files_under(root / "outbox") == []  # refused before anything was recorded
    assert one_error(cli(root, "letter", "trede-2", "-m", "GM0622", "-d", DAY)).startswith(
        "error: letter trede-2 is not approved: letters/trede-2.yaml changed"
    )

    shown = cli(root, "diff", "trede-2")
    assert shown.code == 0, shown.err
    assert f"--- letters/trede-2.yaml  approved {approved}" in shown.out
    assert "+++ letters/trede-2.yaml  working copy" in shown.out
    changed = [ln for ln in shown.out.splitlines() if "[-" in ln or "{+" in ln]
    assert len(changed) == 1
    assert changed[0].startswith(f"{line}: ")
    assert "is [-urgent-]{+dringend+} en kritiek." in changed[0]
    assert "\x1b[" not in shown.out  # no colour when not on a terminal

    concept = cli(root, *BATCH, "--concept")
    assert concept.code == 0, concept.err  # concept batches are not gated

    approval = cli(root, "approve", "trede-2", "--by", "A. Jurist", "--note", "redactie")
    assert approval.code == 0, approval.err
    new_version = versions.working_copy(root, "trede-2").version.id
    assert f"approved trede-2 version {new_version} by A. Jurist" in approval.out
    entries = load_approvals(root)
    assert [(e.version, e.by) for e in entries[-2:]] == [
        (approved, TEST_REVIEWER),
        (new_version, "A. Jurist"),
    ]
    text = (root / "letters" / "approvals.yaml").read_text("utf-8")
    assert text.count("- letter: trede-2") == len(entries) and "by: A. Jurist" in text
    assert cli(root, "diff", "trede-2").out.startswith("no changes: trede-2 working copy")

    made = cli(root, *BATCH)
    assert made.code == 0, made.err
    docx = next(folder_of(made).glob("*.docx"))
    assert NEW in " ".join(docx_text(docx).split())
    assert OLD not in " ".join(docx_text(docx).split())

    show = cli(root, "audit", "show")
    assert "approval" in show.out and "A. Jurist" in show.out
    verify = cli(root, "audit", "verify")
    assert verify.code == 0 and "chain intact" in verify.out
    exported = [json.loads(x) for x in cli(root, "audit", "export").out.splitlines()]
    approvals = [e for e in exported if e["kind"] == "approval"]
    assert len(approvals) == 1
    assert approvals[0]["data"]["version"] == new_version
    assert (
        approvals[0]["data"]["files"]["letters/trede-2.yaml"]
        == hashlib.sha256((root / "letters" / "trede-2.yaml").read_bytes()).hexdigest()
    )
    generated = [e for e in exported if e["kind"] == "letter.generated"]
    assert [e["data"]["version"] for e in generated][-1] == new_version


def test_a_changed_word_template_unapproves_and_diff_shows_it(
    root: Path, cli: Callable[..., Result]
) -> None:
    """A word changed inside templates/brief.docx makes trede-2 unapproved (exit 2 naming
    the template, before LibreOffice starts); diff shows the word in the template's text."""
    change_template(root, ">Betreft<", ">Onderwerp<")
    error = one_error(cli(root, *BATCH))
    assert "letter trede-2 is not approved: templates/brief.docx changed since approval" in error
    shown = cli(root, "diff", "trede-2")
    assert "--- templates/brief.docx (its text, one paragraph per line)" in shown.out
    assert "letters/trede-2.yaml" not in shown.out
    assert "[-Betreft-]{+Onderwerp+}" in shown.out


def test_diff_between_two_recorded_versions_after_the_files_moved_on(
    root: Path, cli: Callable[..., Result]
) -> None:
    """Version B exists only in the register (recorded when used); after the working copy
    moved on to C, --from A --to B shows exactly A->B, from the register's texts."""
    a = shipped_version(root)
    change(root / "letters" / "trede-2.yaml", OLD, NEW)
    with Register.for_root(root) as register:
        b = versions.record_version(register, root, "trede-2").id
    change(root / "templates" / "mail.txt", "Met vriendelijke groet", "Met hartelijke groet")
    change(root / "letters" / "trede-2.yaml", "Geacht college,", "Hooggeacht college,")

    shown = cli(root, "diff", "trede-2", "--from", a[:5], "--to", b[:7])
    assert shown.code == 0, shown.err
    assert f"approved {a}" in shown.out and f"version {b} (first used" in shown.out
    assert "[-urgent-]{+dringend+}" in shown.out
    assert "Hooggeacht" not in shown.out and "mail.txt" not in shown.out

    working = cli(root, "diff", "trede-2", "--from", b)
    assert "[-urgent-]" not in working.out
    assert "[-Geacht-]{+Hooggeacht+}" in working.out
    assert "--- templates/mail.txt" in working.out

    for option in ("--from", "--to"):
        error = one_error(cli(root, "diff", "trede-2", option, "0000000"))
        assert error.startswith(f"error: {option}: unknown version '0000000' of trede-2")


def test_approve_refuses_a_draft_and_twice_adds_nothing(
    root: Path, cli: Callable[..., Result]
) -> None:
    """A draft cannot be approved (exit 2, naming the status line); approving an approved,
    unchanged letter says so and adds nothing, in the file or the audit trail."""
    before = (root / "letters" / "approvals.yaml").read_bytes()
    error = one_error(cli(root, "approve", "trede-3", "--by", "A. Jurist"))
    lines = (root / "letters" / "trede-3.yaml").read_text("utf-8").splitlines()
    status = next(n for n, x in enumerate(lines, 1) if x.startswith("status:"))
    assert error.startswith(f"error: letters/trede-3.yaml:{status}: status: trede-3 is a draft")
    assert "set status: final first" in error

    again = cli(root, "approve", "trede-2", "--by", "A. Jurist")
    assert again.code == 0
    assert f"is already approved by {TEST_REVIEWER}" in again.out
    assert (root / "letters" / "approvals.yaml").read_bytes() == before

    change(root / "letters" / "trede-2.yaml", OLD, NEW)
    assert cli(root, "approve", "trede-2", "--by", "A. Jurist").code == 0
    after = (root / "letters" / "approvals.yaml").read_bytes()
    assert after.startswith(before)  # appended: the history stays as it was
    assert "nothing added" in cli(root, "approve", "trede-2", "--by", "B. Jurist").out
    assert (root / "letters" / "approvals.yaml").read_bytes() == after
    with Register.for_root(root) as register:
        kinds = [r[0] for r in register.db.execute("SELECT kind FROM events")]
    assert kinds == ["approval"]
    assert one_error(cli(root, "approve", "trede-2", "--by", " ")).startswith("error: --by:")


@pytest.mark.libreoffice
def test_queue_and_send_refuse_a_batch_made_from_another_version(
    root: Path, cli: Callable[..., Result]
) -> None:
    """A batch made from version A is not queued once the text is B (approved or not) until
    it is made again; a batch made before versions were recorded neither. Once queued, the
    frozen message goes out as it was queued, whatever the mail template says later."""
    shipped = shipped_version_of(root)
    made = cli(root, *BATCH)
    assert made.code == 0, made.err
    batch = folder_of(made).name
    register_path = root / "outbox" / "register.sqlite"
    with sqlite3.connect(register_path) as db:
        db.execute("UPDATE batches SET version = NULL")
    error = one_error(cli(root, "queue", batch))
    assert "made before letter versions were recorded" in error
    assert cli(root, *BATCH).code == 0  # made again: converts nothing, records the version

    change(root / "letters" / "trede-2.yaml", OLD, NEW)
    error = one_error(cli(root, "queue", batch))
    assert "letter trede-2 is not approved: letters/trede-2.yaml changed" in error
    assert cli(root, "approve", "trede-2", "--by", "A. Jurist").code == 0
    approved = versions.working_copy(root, "trede-2").version.id
    error = one_error(cli(root, "queue", batch))
    assert error == (
        f"error: batch {batch} was made from version {shipped} of trede-2, "
        f"not from the approved version {approved}: make it again with "
        f"`ibtpost batch trede-2 --date {DAY} -m GM0622` first"
    )
    remade = cli(root, *BATCH)
    assert remade.code == 0 and "(1 converted" in remade.err
    queued = cli(root, "queue", batch)
    assert queued.code == 0, queued.err

    change(root / "templates" / "mail.txt", "Met vriendelijke groet", "Met hartelijke groet")
    sent = cli(root, "send", "--batch", batch)
    assert sent.code == 0, sent.err
    (eml,) = (folder_of(made) / "mail").glob("*.eml")
    assert b"Met vriendelijke groet" in eml.read_bytes()
    assert b"Met hartelijke groet" not in eml.read_bytes()


def shipped_version_of(root: Path) -> str:
    """The last approval of trede-2 (the shipped one)."""
    return [e.version for e in load_approvals(root) if e.letter == "trede-2"][-1]


# -- the parts --------------------------------------------------------------------------------


def test_check_warns_about_an_unapproved_final_letter_and_a_hand_edited_approval(
    root: Path, cli: Callable[..., Result]
) -> None:
    """check warns when a final letter's files are not its approved version, and reports an
    approvals.yaml entry whose hashes were edited by hand as an error with its line."""
    assert "not approved" not in cli(root, "check").out
    change(root / "templates" / "mail.mjml", "</mjml>", "</mjml>\n")
    result = cli(root, "check")
    assert result.code == 0
    assert (
        "warning: letters/trede-2.yaml: letter trede-2 is not approved: templates/mail.mjml "
        "changed since approval"
    ) in result.out
    path = root / "letters" / "approvals.yaml"
    sha = versions.working_copy(root, "trede-2").version.files["templates/mail.mjml"]
    text = path.read_text("utf-8")
    old_sha = next(ln.split()[-1] for ln in text.splitlines() if "templates/mail.mjml:" in ln)
    version_line = next(
        n for n, ln in enumerate(text.splitlines(), start=1) if ln.strip().startswith("version:")
    )
    path.write_text(text.replace(old_sha, sha), "utf-8")
    result = cli(root, "check")
    assert result.code == 2
    assert (
        f"error: letters/approvals.yaml:{version_line}: [0].version: does not match the hashes "
        "under files (edited by hand?)"
    ) in result.out
    assert one_error(cli(root, *BATCH)).startswith(f"error: letters/approvals.yaml:{version_line}")


def test_approvals_is_not_a_letter(root: Path, cli: Callable[..., Result]) -> None:
    """letters/approvals.yaml is never taken for a letter definition."""
    error = one_error(cli(root, "diff", "approvals"))
    assert "'approvals' is not a letter definition" in error


def test_word_diff_marks_words_like_git() -> None:
    """Replaced, added and removed words; spacing and line breaks are not compared; far
    context is cut to a few words."""
    old = "een twee drie vier\nvijf zes zeven\nacht negen\n"
    new = "een twee 3 vier vier-en-een\nvijf zes\nacht   negen\n"
    lines = {line.number: line.render() for line in word_diff(old, new)}
    assert lines == {1: "een twee [-drie-]{+3+} vier {+vier-en-een+}", 2: "vijf zes [-zeven-]"}
    assert word_diff("a b\nc d", "a\nb c    d") == []
    long = " ".join(f"w{i}" for i in range(40))
    (line,) = word_diff(long, long.replace("w20", "x20"))
    assert line.render() == "... w14 w15 w16 w17 w18 w19 [-w20-]{+x20+} w21 w22 w23 w24 w25 w26 ..."
    coloured = line.render(colour=True)
    assert "\x1b[31m[-w20-]\x1b[0m" in coloured and "\x1b[32m{+x20+}\x1b[0m" in coloured


def test_template_text_has_headers_body_and_footnotes_in_order() -> None:
    """The Word template's text: headers first, then the body, then the footnotes part."""
    text = template_text((Path(__file__).parents[1] / "templates" / "brief.docx").read_bytes())
    lines = text.splitlines()
    assert lines[0] == "[header word/header1.xml]"
    order = [lines.index(x) for x in ("[header word/header2.xml]", "[body]", "[footnotes]")]
    assert order == sorted(order)
    assert "Betreft" in lines and "{{ footnotes_xml }}" in lines
    assert lines.index("{{ subject }}") > lines.index("[body]")


@pytest.mark.libreoffice
def test_a_queued_letter_never_changes(root: Path, cli: Callable[..., Result]) -> None:
    """Once queued (or sent), a letter's files are frozen: a re-run of its batch with an
    approved new text is refused before anything is converted, and the files stay."""
    made = cli(root, *BATCH)
    assert made.code == 0, made.err
    folder = folder_of(made)
    assert cli(root, "queue", folder.name).code == 0
    before = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}
    change(root / "letters" / "trede-2.yaml", OLD, NEW)
    assert cli(root, "approve", "trede-2", "--by", "A. Jurist").code == 0
    error = one_error(cli(root, *BATCH))
    assert error.startswith("error: letter ")
    assert (
        "(Vlaardingen) would change, but it is in the dispatch queue (queued); a queued or "
        "sent letter never changes (hint: undo the change" in error
    )
    assert {p.name: p.read_bytes() for p in folder.glob("*.pdf")} == before
    # and send delivers the letter as it was queued: its PDF as it was made
    sent = cli(root, "send", "--batch", folder.name)
    assert sent.code == 0, sent.err
    (eml,) = (folder / "mail").glob("*.eml")
    (pdf,) = [data for name, data in before.items() if name[0].isdigit()]
    assert base64.b64encode(pdf)[:76] in eml.read_bytes()


def test_a_letter_with_legal_consequences_needs_two_different_reviewers(
    root: Path, cli: Callable[..., Result]
) -> None:
    """`approvals: 2`: one approval does not open the gate; the same person again (other
    case and spacing) adds nothing and says so; a second person opens it."""
    change(root / "letters" / "trede-2.yaml", "status: final", "status: final\napprovals: 2")
    first = cli(root, "approve", "trede-2", "--by", "A. Jurist")
    assert first.code == 0, first.err
    assert "1 of the 2 approvals by different people that trede-2 needs" in first.err
    version = versions.working_copy(root, "trede-2").version.id
    error = one_error(cli(root, *BATCH))
    assert error == (
        f"error: letter trede-2 needs 2 approvals of version {version} by different people; "
        f"it has 1 (A. Jurist on {first_day(root)}): another reviewer approves with ibtpost "
        "approve trede-2 --by NAME"
    )
    again = cli(root, "approve", "trede-2", "--by", "a.  JURIST")
    assert again.code == 0
    assert "is already approved by A. Jurist" in again.out
    assert "nothing added (1 of the 2 approvals by different people it needs)" in again.out
    assert len([a for a in load_approvals(root) if a.version == version]) == 1
    second = cli(root, "approve", "trede-2", "--by", "B. Toetser")
    assert second.code == 0, second.err
    assert "approvals by different people" not in second.err
    assert gate.require_approved(root, "trede-2").by == "B. Toetser"
    third = cli(root, "approve", "trede-2", "--by", "C. Derde")
    assert "nothing added" in third.out
    assert [a.by for a in load_approvals(root) if a.version == version] == [
        "A. Jurist",
        "B. Toetser",
    ]


def test_the_approvals_a_definition_asks_for_are_checked(
    root: Path, cli: Callable[..., Result]
) -> None:
    """`approvals:` takes 1, 2 or 3; anything else names the file, line and field."""
    line = change(root / "letters" / "trede-2.yaml", "status: final", "status: final\napprovals: 5")
    result = cli(root, "check")
    assert result.code == 2
    assert (
        f"letters/trede-2.yaml:{line + 1}: approvals: must be 1, 2 or 3" in result.out + result.err
    )


def first_day(root: Path) -> str:
    """The date of the last approval (today, in the file)."""
    return load_approvals(root)[-1].day
