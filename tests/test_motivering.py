"""ibtpost motivering: what only a person can write per case (the reply to a zienswijze,
the facts after a term), versioned and audited; the besluit prints it and is refused
without it; a voornemen or besluit on stale figures is refused."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest
from tests.conftest import Result
from tests.registered import posted_letter
from tests.test_letters import paragraphs

from ibtpost.cli.words import error_lines
from ibtpost.core.domain import Motivering, PreviousLetter, Reply
from ibtpost.core.errors import Problems
from ibtpost.core.records import BatchRecord, LetterKey, PlannedLetter
from ibtpost.data.config import load_config
from ibtpost.production import selection
from ibtpost.production.selection import BatchRequest, Plan, plan_batch
from ibtpost.register import Register, audit
from ibtpost.register import cases as case_register
from ibtpost.register import letters as letter_register
from ibtpost.register import motivering as motivering_register
from ibtpost.text.compose import compose
from ibtpost.text.definitions import load_letter

CODE = "GM0622"  # Vlaardingen
VOORNEMEN = date(2026, 6, 1)
TEXT = (
    "Het college stelt in zijn zienswijze dat 40 plekken in voorbereiding zijn.\n"
    "Een locatie is in beeld.\n\n"
    "De minister volgt dit niet: het college heeft over die plekken nog geen besluit genomen.\n"
)


def sent_letter(
    root: Path, letter: str = "trede-4", trede: int = 4, day: date = VOORNEMEN, code: str = CODE
) -> str:
    """A final letter for ``code`` recorded as posted on ``day``; its reference."""
    config = load_config(root)
    with Register.for_root(root) as register:
        refs = letter_register.open_batch(
            register,
            BatchRecord(f"b-{letter}", letter, day, False, None),
            [
                PlannedLetter(
                    LetterKey(letter, code, day), trede, day + timedelta(weeks=6), None, False
                )
            ],
            config.settings.references,
        )
        case_register.mark_sent(register, refs[code], "post", day)
    return refs[code]


def _counts(root: Path) -> tuple[int, int]:
    with Register.for_root(root) as register:
        rows = register.db.execute("SELECT COUNT(*) FROM motivering").fetchone()[0]
        return rows, len(list(audit.events(register)))


def test_a_motivering_is_recorded_versioned_and_audited(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    reference = sent_letter(root)
    text = tmp_path / "reactie.md"
    text.write_text(TEXT, "utf-8")
    done = cli(root, "motivering", reference, "--file", str(text), "--by", "mr. A. Jurist")
    assert done.code == 0, done.err
    assert "version 1" in done.out and CODE in done.out
    again = cli(root, "motivering", reference, "--file", str(text))
    assert again.code == 0 and "nothing added" in again.out
    text.write_text(TEXT.replace("40", "45"), "utf-8")
    changed = cli(root, "motivering", reference, "--file", str(text), "--part", "zienswijze")
    assert changed.code == 0 and "version 2" in changed.out
    with Register.for_root(root) as register:
        versions = motivering_register.versions(register, reference)
        events = [e for e in audit.events(register) if e.kind == audit.MOTIVERING_RECORDED]
        latest = motivering_register.latest(register)[reference]
        assert audit.verify(register).ok
    assert [(v.part, v.version, v.by) for v in versions] == [
        ("zienswijze", 1, "mr. A. Jurist"),
        ("zienswijze", 2, None),
    ]
    assert [e.data["version"] for e in events] == [1, 2]
    assert events[0].data["by"] == "mr. A. Jurist" and events[1].reference == reference
    assert latest.zienswijze == (
        "Het college stelt in zijn zienswijze dat 45 plekken in voorbereiding zijn. "
        "Een locatie is in beeld.",
        "De minister volgt dit niet: het college heeft over die plekken nog geen besluit genomen.",
    )
    assert latest.feiten is None
    shown = cli(root, "motivering", reference)
    assert shown.code == 0
    assert "zienswijze version 1" in shown.out and "version 2 (printed)" in shown.out
    assert "45 plekken" in shown.out


def test_the_part_on_a_besluit_is_the_facts_after_its_term(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    reference = sent_letter(root, "trede-5", 5, date(2026, 7, 20))
    text = tmp_path / "feiten.md"
    text.write_text("Het college meldde op 31 augustus 2026 dat 10 plekken gereed zijn.\n")
    assert cli(root, "motivering", reference, "--file", str(text)).code == 0
    with Register.for_root(root) as register:
        latest = motivering_register.latest(register)[reference]
    assert latest.zienswijze is None and latest.feiten == (
        "Het college meldde op 31 augustus 2026 dat 10 plekken gereed zijn.",
    )


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "is empty"),
        (b"  \n\n \n", "is empty"),
        (b"\xff\xfe\x00z", "is not UTF-8 text"),
        (b"%PDF-1.7\n\x00\x01binary", "is not plain text"),
        (b"<p>De minister volgt dit niet.</p>\n", "holds HTML"),
        (b"De minister {{ volgt }} dit niet.\n", "template tag"),
        (b"x" * 20_001, "is too long"),
    ],
)
def test_a_file_that_is_no_plain_text_is_refused_and_nothing_is_written(
    root: Path, cli: Callable[..., Result], tmp_path: Path, content: bytes, says: str
) -> None:
    reference = sent_letter(root)
    before = _counts(root)
    text = tmp_path / "reactie.md"
    text.write_bytes(content)
    refused = cli(root, "motivering", reference, "--file", str(text))
    assert refused.code == 2
    (line,) = refused.err.strip().splitlines()
    assert str(text) in line and says in line, line
    assert _counts(root) == before


def test_an_unknown_letter_or_part_is_refused(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    text = tmp_path / "reactie.md"
    text.write_text(TEXT, "utf-8")
    unknown = cli(root, "motivering", "7599999", "--file", str(text))
    assert unknown.code == 2 and "no letter with reference 7599999" in unknown.err
    reference = sent_letter(root)
    part = cli(root, "motivering", reference, "--file", str(text), "--part", "anders")
    assert part.code == 2
    missing = cli(root, "motivering", reference, "--file", str(tmp_path / "none.md"))
    assert missing.code == 2 and "cannot read it" in missing.err
    assert _counts(root)[0] == 0


def test_a_text_goes_only_on_a_letter_it_can_answer(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The reply to a zienswijze goes on a voornemen, the facts after a term on a besluit:
    on a trede-2 letter either is refused, and nothing is written."""
    text = tmp_path / "reactie.md"
    text.write_text(TEXT, "utf-8")
    reference = posted_letter(root)  # a trede-2 letter
    zienswijze = cli(root, "motivering", reference, "--file", str(text))
    assert zienswijze.code == 2 and "asks for no zienswijze" in zienswijze.err
    feiten = cli(root, "motivering", reference, "--file", str(text), "--part", "feiten")
    assert feiten.code == 2 and "not a besluit" in feiten.err
    assert _counts(root)[0] == 0


ANSWERED = PreviousLetter(
    "trede-4", 4, "7500001", VOORNEMEN, date(2026, 7, 13), Reply("zienswijze", date(2026, 6, 10))
)


def _besluit(root: Path, previous: PreviousLetter | None, letter: str = "trede-5") -> list[str]:
    config = load_config(root)
    definition = load_letter(root, letter)
    day = date(2026, 7, 20)
    return paragraphs(
        compose(definition, config.municipalities[CODE], config, "7500009", day, previous=previous)
    )


def test_the_besluit_prints_the_zienswijze_and_the_reply_in_a_block_of_its_own(root: Path) -> None:
    written = dataclasses.replace(ANSWERED, motivering=Motivering.of({"zienswijze": TEXT}))
    body = _besluit(root, written)
    at = body.index("Zienswijze en reactie")
    assert body[at + 1] == (
        "Het college stelt in zijn zienswijze dat 40 plekken in voorbereiding zijn. "
        "Een locatie is in beeld."
    )
    assert body[at + 2].startswith("De minister volgt dit niet")
    assert body.index("Procesverloop") < at < body.index("Besluit")
    assert not any("IN TE VULLEN: reactie" in p for p in body)
    # not written yet: a concept shows the gap
    gap = _besluit(root, ANSWERED)
    assert gap[gap.index("Zienswijze en reactie") + 1] == "[IN TE VULLEN: reactie op de zienswijze]"
    # no zienswijze: no block
    silent = _besluit(root, dataclasses.replace(ANSWERED, reply=None))
    assert "Zienswijze en reactie" not in silent and not any(
        "IN TE VULLEN: reactie" in p for p in silent
    )


def test_the_letter_of_trede_6_prints_the_facts_after_the_term(root: Path) -> None:
    besluit = PreviousLetter("trede-5", 5, "7500002", date(2026, 7, 20), date(2026, 9, 2))
    facts = dataclasses.replace(
        besluit, motivering=Motivering.of({"feiten": "Het college meldde geen nieuwe plekken."})
    )
    body = _besluit(root, facts, "trede-6")
    at = body.index("Feiten na de termijn")
    assert body[at + 1] == "Het college meldde geen nieuwe plekken."
    gap = _besluit(root, besluit, "trede-6")
    assert gap[gap.index("Feiten na de termijn") + 1] == "[IN TE VULLEN: feiten na de termijn]"


def _plan(
    root: Path,
    letter: str,
    day: date,
    *,
    concept: bool = False,
    fresh: bool = True,
    gates: bool = False,
) -> Plan:
    """plan_batch for Vlaardingen, the definition taken as final (approved) and, with
    ``fresh``, its figures dated a month before ``day``. The procedure's gates (publication,
    copies out, term; tests/test_gates.py) pass unless ``gates``."""
    config = load_config(root)
    if fresh:
        figures = dict(config.figures)
        figures[CODE] = dataclasses.replace(figures[CODE], peildatum=day - timedelta(days=30))
        config = dataclasses.replace(config, figures=figures)
    definition = dataclasses.replace(load_letter(root, letter), status="final")
    request = BatchRequest(letter, day, (CODE,), concept=concept, reason="test")
    passed = mock.patch.object(selection.gates, "refusal", return_value=None)
    with Register.for_root(root) as register, contextlib.nullcontext() if gates else passed:
        return plan_batch(config, definition, register, request)


def _zienswijze(root: Path, cli: Callable[..., Result]) -> str:
    reference = sent_letter(root)
    assert (
        cli(root, "reply", reference, "--received", "2026-06-10", "--kind", "zienswijze").code == 0
    )
    return reference


def test_a_final_besluit_whose_zienswijze_has_no_reply_text_is_refused(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    reference = _zienswijze(root, cli)
    with pytest.raises(Problems) as refused:
        _plan(root, "trede-5", date(2026, 7, 20))
    (line,) = error_lines(refused.value, "batch")
    assert refused.value.exit_code == 2
    assert "Vlaardingen (GM0622)" in line and f"trede-4 {reference}" in line
    assert "no reply text" in line
    assert f"ibtpost motivering {reference} --file FILE --part zienswijze" in line
    # the procedure's gates come first: the unpublished voornemen is what is said then
    with pytest.raises(Problems) as gated:
        _plan(root, "trede-5", date(2026, 7, 20), gates=True)
    (first,) = error_lines(gated.value, "batch")
    assert "no reply text" not in first
    # a concept is made, with a warning, and prints the gap
    plan = _plan(root, "trede-5", date(2026, 7, 20), concept=True)
    assert [p.municipality.code for p in plan.letters] == [CODE]
    (note,) = map(str, plan.notes)
    assert note.startswith("concept: Vlaardingen (GM0622)") and reference in note
    rows = json.loads(cli(root, "status", "--date", "2026-07-20", "--json").out)
    assert next(r for r in rows if r["code"] == CODE)["no_reply_text"] is True
    # written: the besluit may be final, and prints it
    text = tmp_path / "reactie.md"
    text.write_text(TEXT, "utf-8")
    assert cli(root, "motivering", reference, "--file", str(text)).code == 0
    plan = _plan(root, "trede-5", date(2026, 7, 20))
    (item,) = plan.letters
    assert item.previous is not None and item.previous.motivering is not None
    assert item.previous.motivering.zienswijze is not None and not plan.notes
    rows = json.loads(cli(root, "status", "--date", "2026-07-20", "--json").out)
    assert next(r for r in rows if r["code"] == CODE)["no_reply_text"] is False


def test_a_final_voornemen_or_besluit_on_stale_figures_is_refused_naming_the_date(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    peildatum = load_config(root).figures[CODE].peildatum  # 1 juli 2025, shipped
    assert peildatum == date(2025, 7, 1)
    with pytest.raises(Problems) as refused:
        _plan(root, "trede-4", VOORNEMEN, fresh=False)
    (line,) = error_lines(refused.value, "batch")
    assert "Vlaardingen (GM0622)" in line and "1 juli 2025" in line and "183 days" in line
    assert "1 juni 2026" in line
    assert "ibtpost import figures FILE --peildatum YYYY-MM-DD --source TEXT" in line
    # a concept may be made, with a warning (make demo)
    plan = _plan(root, "trede-4", VOORNEMEN, concept=True, fresh=False)
    assert plan.letters and "1 juli 2025" in str(plan.notes[0])
    # within the limit: no refusal
    assert _plan(root, "trede-4", date(2025, 12, 31), fresh=False).letters
    # a letter that is no voornemen or besluit is not held to it
    assert _plan(root, "trede-2", VOORNEMEN, fresh=False).letters


def test_max_figures_age_days_is_a_whole_number_of_at_least_one(root: Path) -> None:
    settings = root / "config" / "settings.yaml"
    original = settings.read_text("utf-8")
    assert load_config(root).settings.max_figures_age_days == 183
    settings.write_text(original.replace("max_figures_age_days: 183", "max_figures_age_days: 30"))
    assert load_config(root).settings.max_figures_age_days == 30
    for bad in ("0", "-3", "1.5", "true", "half"):
        settings.write_text(
            original.replace("max_figures_age_days: 183", f"max_figures_age_days: {bad}")
        )
        with pytest.raises(Problems) as refused:
            load_config(root)
        assert "max_figures_age_days" in str(refused.value)
    settings.write_text(original.replace("max_figures_age_days: 183\n", ""))
    assert load_config(root).settings.max_figures_age_days == 183
