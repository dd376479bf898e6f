"""ibtpost reply: a college's answer on a letter, recorded with its file; status shows it;
the next letter's text can say it was, or was not, received."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.conftest import Result, files_under
from tests.registered import posted_letter

from ibtpost.cli.words import CliWords
from ibtpost.core import clock
from ibtpost.core.domain import PreviousLetter, Reply
from ibtpost.core.records import BatchRecord, LetterKey, PlannedLetter
from ibtpost.data.config import load_config
from ibtpost.register import Register, audit, replies
from ibtpost.register import cases as case_register
from ibtpost.register import letters as letter_register
from ibtpost.text.compose import compose
from ibtpost.text.definitions import load_letter
from ibtpost.text.textengine import normalise

DAY = date(2026, 4, 9)


def test_a_reply_is_recorded_with_its_file_and_shown_in_status(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The PDF received is copied into the case under its hash, the register and the audit
    trail name it, and status shows the last letter as answered."""
    reference = posted_letter(root)
    answer = tmp_path / "antwoord college.pdf"
    answer.write_bytes(b"%PDF-1.7\n% reactie van het college\n%%EOF\n")
    done = cli(
        root,
        "reply",
        reference,
        "--received",
        "2026-04-20",
        "--file",
        str(answer),
        "--note",
        "per post ontvangen",
    )
    assert done.code == 0, done.err
    (kept,) = (root / "outbox" / "cases" / "GM0622").iterdir()
    assert kept.name.startswith(f"{reference}-reply-2026-04-20-") and kept.suffix == ".pdf"
    assert kept.read_bytes() == answer.read_bytes()
    with Register.for_root(root) as register:
        (record,) = replies.of_letter(register, reference)
        (event,) = [e for e in audit.events(register) if e.kind == audit.REPLY_RECEIVED]
        assert audit.verify(register).ok
    assert record.reply == Reply("reply", date(2026, 4, 20))
    assert record.file == f"cases/GM0622/{kept.name}"
    assert event.data["sha256"] == record.sha256 and event.data["note"] == "per post ontvangen"
    assert event.data["original_name"] == "antwoord college.pdf"
    rows = json.loads(cli(root, "status", "--date", "2026-05-01", "--json").out)
    row = next(r for r in rows if r["code"] == "GM0622")
    assert (row["answered"], row["answer_kind"], row["term_passed"]) == (
        "2026-04-20",
        "reply",
        True,
    )
    other = next(r for r in rows if r["code"] == "GM0014")
    assert other["answered"] is None and other["last_reference"] is None


def test_an_unanswered_letter_shows_whether_its_term_passed(
    root: Path, cli: Callable[..., Result]
) -> None:
    """Before the term ends: not yet; after: term passed (the table says so in words)."""
    posted_letter(root)
    before = json.loads(cli(root, "status", "--date", "2026-04-20", "--json").out)
    after = json.loads(cli(root, "status", "--date", "2026-05-01", "--json").out)
    assert next(r for r in before if r["code"] == "GM0622")["term_passed"] is False
    assert next(r for r in after if r["code"] == "GM0622")["term_passed"] is True
    table = cli(root, "status", "--date", "2026-05-01")
    line = next(x for x in table.out.splitlines() if "Vlaardingen" in x)
    assert "no, term passed" in line


R = ["{ref}", "--received", "2026-04-20"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["9999999", *R[1:]], "error: REFERENCE: no letter with reference 9999999"),
        (
            ["{ref}", "--received", "2026-04-08"],
            "error: --received: 2026-04-08 is before the letter was sent (2026-04-09)",
        ),
        (["{ref}", "--received", "{tomorrow}"], "is in the future"),
        ([*R, "--file", "{txt}"], "must be a PDF (.pdf) or an e-mail (.eml)"),
        ([*R, "--file", "{fake_pdf}"], "is named .pdf but is not a PDF"),
        ([*R, "--file", "{fake_eml}"], "has no e-mail headers"),
        ([*R, "--file", "{missing}"], "cannot read it"),
        ([*R, "--kind", "bezwaar"], "argument --kind: invalid choice"),
        (["{ref}", "--received", "20 april"], "argument --received: '20 april' is not a date"),
        ([*R, "--note", " "], "error: --note: must be one line of text"),
    ],
)
def test_bad_reply_input_is_one_line_exit_2_and_records_nothing(
    root: Path, cli: Callable[..., Result], tmp_path: Path, args: list[str], message: str
) -> None:
    """An unknown reference, a date before the letter or in the future, a file that is not
    a PDF or e-mail: exit 2, one line naming the argument, nothing recorded or copied."""
    reference = posted_letter(root)
    (tmp_path / "a.txt").write_text("hallo")
    (tmp_path / "a.pdf").write_text("geen pdf")
    (tmp_path / "a.eml").write_text("gewoon tekst zonder kopregels\n")
    names = {
        "ref": reference,
        "tomorrow": (clock.today() + timedelta(days=1)).isoformat(),
        "txt": str(tmp_path / "a.txt"),
        "fake_pdf": str(tmp_path / "a.pdf"),
        "fake_eml": str(tmp_path / "a.eml"),
        "missing": str(tmp_path / "weg.pdf"),
    }
    with Register.for_root(root) as register:
        events = len(list(audit.events(register)))
    result = cli(root, "reply", *(a.format(**names) for a in args))
    assert result.code == 2
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert message in result.err
    with Register.for_root(root) as register:
        assert replies.of_letter(register, reference) == []
        assert len(list(audit.events(register))) == events
    assert files_under(root / "outbox" / "cases") == []


def test_the_next_letter_says_whether_the_previous_one_was_answered(root: Path) -> None:
    """trede 3 after an answered letter names the reply's date; after an unanswered one it
    says no reply came in by the end of the term; `check` composes both."""
    config = load_config(root)
    definition = load_letter(root, "trede-3")
    municipality = config.municipalities["GM0622"]
    previous = PreviousLetter("trede-2", 2, "7468089", DAY, date(2026, 4, 30))

    def text(before: PreviousLetter) -> str:
        letter = compose(
            definition, municipality, config, "7500009", date(2026, 5, 14), previous=before
        )
        return normalise(" ".join(r.text for b in letter.body for r in getattr(b, "runs", ())))

    silent = text(previous)
    answered = text(dataclasses.replace(previous, reply=Reply("reply", date(2026, 4, 28))))
    assert "tot en met 30 april 2026 geen reactie van uw gemeente ontvangen" in silent
    assert "Uw reactie van" not in silent
    assert "Uw reactie van 28 april 2026 laat niet zien" in answered
    assert "geen reactie" not in answered


def test_the_same_reply_recorded_twice_is_recorded_once(
    root: Path, cli: Callable[..., Result]
) -> None:
    """Running the same reply command again adds nothing and says so."""
    reference = posted_letter(root)
    first = cli(root, "reply", reference, "--received", "2026-04-20")
    again = cli(root, "reply", reference, "--received", "2026-04-20")
    assert first.code == again.code == 0
    assert again.out.strip() == f"{reference}: this reply was recorded before; nothing added"
    with Register.for_root(root) as register:
        assert len(replies.of_letter(register, reference)) == 1
        assert sum(e.kind == audit.REPLY_RECEIVED for e in audit.events(register)) == 1


def test_no_besluit_before_the_zienswijze_term_unless_a_zienswijze_came_in(root: Path) -> None:
    """After a voornemen (trede 4, zienswijze term two weeks), a trede 5 batch is refused
    while the term runs and no zienswijze is recorded, even with a reason; a recorded
    zienswijze, or the end of the term, lifts it."""
    from ibtpost.core.errors import Problems
    from ibtpost.production.selection import BatchRequest, plan_batch

    config = load_config(root)
    voornemen = date(2026, 6, 1)  # + 2 weeks: 15 juni 2026
    with Register.for_root(root) as register:
        refs = letter_register.open_batch(
            register,
            BatchRecord("b4", "trede-4", voornemen, False, None),
            [PlannedLetter(LetterKey("trede-4", "GM0622", voornemen), 4, None, None, False)],
            config.settings.references,
        )
        case_register.mark_sent(register, refs["GM0622"], "post", voornemen)
        definition = load_letter(root, "trede-5")

        def plan(day: date) -> list[str]:
            request = BatchRequest("trede-5", day, ("GM0622",), concept=True, reason="toets")
            return [
                p.municipality.code
                for p in plan_batch(config, definition, register, request).letters
            ]

        with pytest.raises(Problems) as caught:
            plan(date(2026, 6, 10))
        (problem,) = caught.value.problems
        words = CliWords("batch")  # the parameter as the command line names it
        assert f"{words.where(problem.location)}: {problem.text('en', words)}" == (
            f"--municipality: Vlaardingen (GM0622): the term for a zienswijze on trede-4 "
            f"{refs['GM0622']} runs until 15 juni 2026 and no zienswijze was recorded; "
            "trede 5 may not come before it"
        )
        assert plan(date(2026, 6, 16)) == ["GM0622"]  # the term has passed
        with register.transaction():
            replies.add(
                register, refs["GM0622"], Reply("zienswijze", date(2026, 6, 8)), None, None, None
            )
        assert plan(date(2026, 6, 10)) == ["GM0622"]  # a zienswijze came in
