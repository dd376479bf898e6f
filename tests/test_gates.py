"""The procedure's records and gates, fast: ``ibtpost publication`` and ``ibtpost litigation``
on letters recorded in the register (bad input refused in one line, nothing written; a
record run twice adds nothing), and the gates of trede 5 and 6 as pure rules."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.conftest import Result

from ibtpost.core.domain import LitigationEvent, PreviousLetter, Publication
from ibtpost.core.errors import NextAction, Phrase
from ibtpost.core.records import BatchRecord, LetterKey, PlannedLetter
from ibtpost.data.config import load_config
from ibtpost.register import Register, audit, procedure
from ibtpost.register import cases as case_register
from ibtpost.register import letters as letter_register
from ibtpost.rules import gates

DAY = date(2026, 6, 1)
CODE = "GM0622"


def sent(root: Path, letter: str, trede: int, day: date = DAY, via: str = "post") -> str:
    """A final ``letter`` for Vlaardingen dated and sent on ``day``; its reference."""
    config = load_config(root)
    with Register.for_root(root) as register:
        refs = letter_register.open_batch(
            register,
            BatchRecord(f"b-{letter}", letter, day, False, None),
            [
                PlannedLetter(
                    LetterKey(letter, CODE, day), trede, day + timedelta(weeks=6), None, False
                )
            ],
            config.settings.references,
        )
        case_register.mark_sent(register, refs[CODE], via, day)
    return refs[CODE]


def counts(root: Path) -> tuple[int, int, int]:
    """Rows of publications and litigation, and audit events."""
    db = sqlite3.connect(root / "outbox" / "register.sqlite")
    try:
        found = [
            db.execute(query).fetchone()[0]
            for query in (
                "SELECT count(*) FROM publications",
                "SELECT count(*) FROM litigation",
                "SELECT count(*) FROM events",
            )
        ]
        return found[0], found[1], found[2]
    finally:
        db.close()


def test_a_publication_is_recorded_once_and_audited(root: Path, cli: Callable[..., Result]) -> None:
    ref = sent(root, "trede-4", 4)
    args = ("publication", ref, "--staatscourant", "2026-12345", "--date", "2026-06-03")
    done = cli(root, *args, "--url", "https://zoek.officielebekendmakingen.nl/stcrt-2026-12345")
    assert done.code == 0, done.err
    assert "Stcrt. 2026-12345 of 2026-06-03" in done.out
    before = counts(root)
    again = cli(root, *args, "--url", "https://zoek.officielebekendmakingen.nl/stcrt-2026-12345")
    assert again.code == 0 and "nothing added" in again.out
    assert counts(root) == before
    with Register.for_root(root) as register:
        assert procedure.publication(register, ref) == Publication(
            "2026-12345",
            date(2026, 6, 3),
            "https://zoek.officielebekendmakingen.nl/stcrt-2026-12345",
        )
        kinds = [e.kind for e in audit.events(register, reference=ref)]
    assert kinds.count(audit.PUBLICATION_RECORDED) == 1


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (
            ("publication", "9999999", "--staatscourant", "2026-1", "--date", "2026-06-03"),
            "REFERENCE",
        ),
        (("publication", "{ref}", "--staatscourant", "2026-1", "--date", "3 juni"), "--date"),
        (
            ("publication", "{ref}", "--staatscourant", "nummer twaalf", "--date", "2026-06-03"),
            "--staatscourant",
        ),
        (("publication", "{ref}", "--staatscourant", "2026-1", "--date", "2026-05-01"), "--date"),
        (
            (
                "publication",
                "{ref}",
                "--staatscourant",
                "2026-1",
                "--date",
                "2026-06-03",
                "--url",
                "ftp x",
            ),
            "--url",
        ),
        (
            ("publication", "{ref2}", "--staatscourant", "2026-1", "--date", "2026-06-03"),
            "REFERENCE",
        ),
        (("litigation", "{ref}", "--event", "beroep", "--date", "2026-07-01"), "REFERENCE"),
        (("litigation", "{ref5}", "--event", "uitspraak", "--date", "2026-08-01"), "--event"),
        (("litigation", "{ref5}", "--event", "schorsing", "--date", "2026-08-01"), "--event"),
        (("litigation", "{ref5}", "--event", "beroep", "--date", "2026-07-01"), "--date"),
        (("litigation", "{ref5}", "--event", "hoger-beroep", "--date", "2026-08-01"), "--event"),
        (
            ("litigation", "{ref5}", "--event", "beroep", "--date", "2026-08-01", "--note", "a\nb"),
            "--note",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_parameter_and_writes_nothing(
    root: Path, cli: Callable[..., Result], args: tuple[str, ...], named: str
) -> None:
    refs = {
        "ref": sent(root, "trede-4", 4),
        "ref2": sent(root, "trede-2", 2, date(2026, 4, 9)),
        "ref5": sent(root, "trede-5", 5, date(2026, 7, 20)),
    }
    before = counts(root)
    done = cli(root, *(a.format(**refs) for a in args))
    assert done.code == 2, done.out
    lines = done.err.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], done.err
    assert counts(root) == before


def test_litigation_is_recorded_in_order_with_its_file(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    ref5 = sent(root, "trede-5", 5, date(2026, 7, 20))
    pdf = tmp_path / "beroepschrift.pdf"
    pdf.write_bytes(b"%PDF-1.7\n% beroepschrift\n%%EOF\n")
    beroep = ("litigation", ref5, "--event", "beroep", "--date", "2026-08-20", "--file", str(pdf))
    assert cli(root, *beroep).code == 0
    before = counts(root)
    again = cli(root, *beroep)
    assert again.code == 0 and "nothing added" in again.out
    assert counts(root) == before
    kept = list((root / "outbox" / "cases" / CODE).glob(f"{ref5}-beroep-2026-08-20-*.pdf"))
    assert len(kept) == 1 and kept[0].read_bytes() == pdf.read_bytes()
    # an uitspraak dated before the beroep cannot be
    early = cli(root, "litigation", ref5, "--event", "uitspraak", "--date", "2026-08-10")
    assert early.code == 2 and "--event" in early.err
    assert cli(root, "litigation", ref5, "--event", "uitspraak", "--date", "2026-10-01").code == 0
    with Register.for_root(root) as register:
        events = [r.event.event for r in procedure.litigation(register, ref5)]
    assert events == ["beroep", "uitspraak"]


# -- the rules -----------------------------------------------------------------------------

VOORNEMEN = PreviousLetter(
    "trede-4", 4, "7500002", DAY, date(2026, 7, 13), None, "mail",
    Publication("2026-12345", date(2026, 6, 3)),
)  # fmt: skip
BESLUIT = PreviousLetter("trede-5", 5, "7500003", date(2026, 7, 20), date(2026, 9, 2), None, "post")


def _facts(previous: PreviousLetter | None, **more: object) -> gates.GateFacts:
    return gates.GateFacts(CODE, previous, "b1", **more)  # type: ignore[arg-type]


def test_the_besluit_gate() -> None:
    day = date(2026, 7, 20)
    out = frozenset(gates.COPIES)
    assert gates.refusal(5, day, _facts(VOORNEMEN, copies_out=out)) is None
    trede3 = PreviousLetter("trede-3", 3, "7500001", date(2026, 5, 4))
    missing = gates.refusal(5, day, _facts(trede3, copies_out=out))
    assert missing is not None and missing.key == "error.gate.missing"
    assert isinstance(missing.hint, NextAction) and missing.hint.args["letter"] == "trede-4"
    unpublished = gates.refusal(
        5, day, _facts(PreviousLetter("trede-4", 4, "7500002", DAY), copies_out=out)
    )
    assert unpublished is not None and unpublished.key == "error.gate.not_published"
    assert isinstance(unpublished.hint, NextAction) and unpublished.hint.action == "publication"
    no_gs = gates.refusal(5, day, _facts(VOORNEMEN, copies_out=frozenset({"raad"})))
    assert no_gs is not None and no_gs.key == "error.gate.copy" and no_gs.values["role"] == "gs"
    assert isinstance(no_gs.hint, Phrase)
    assert str(no_gs.hint.values["post"]) == "post batch=b1 reference=7500002-gs date=..."


def test_the_execution_gate() -> None:
    after = date(2026, 9, 7)
    assert gates.refusal(6, after, _facts(BESLUIT)) is None
    term = gates.refusal(6, date(2026, 9, 2), _facts(BESLUIT))
    assert (
        term is not None
        and term.key == "error.gate.term"
        and "2 september 2026" in str(term.values["until"])
    )
    mailed = PreviousLetter(
        "trede-5", 5, "7500003", date(2026, 7, 20), date(2026, 9, 2), None, "mail"
    )
    refused = gates.refusal(6, after, _facts(mailed))
    assert refused is not None and refused.key == "error.gate.not_posted"
    beroep = LitigationEvent("beroep", date(2026, 8, 20))
    vovo = LitigationEvent("voorlopige-voorziening", date(2026, 8, 21))
    uitspraak = LitigationEvent("uitspraak", date(2026, 8, 30))
    pending = gates.refusal(6, after, _facts(BESLUIT, litigation=(beroep,)))
    assert pending is not None and pending.key == "error.gate.pending"
    # the uitspraak on the voorlopige voorziening leaves the beroep pending
    still = gates.refusal(6, after, _facts(BESLUIT, litigation=(beroep, vovo, uitspraak)))
    assert still is not None and still.values["event"] == "beroep"
    done = (beroep, vovo, uitspraak, LitigationEvent("uitspraak", date(2026, 9, 3)))
    assert gates.refusal(6, after, _facts(BESLUIT, litigation=done)) is None
    schorsing = LitigationEvent("schorsing", date(2026, 8, 30))
    suspended = gates.refusal(6, after, _facts(BESLUIT, litigation=(vovo, schorsing)))
    assert suspended is not None and suspended.key == "error.gate.schorsing"


def test_the_order_of_events_at_the_court() -> None:
    beroep = LitigationEvent("beroep", date(2026, 8, 20))
    uitspraak = LitigationEvent("uitspraak", date(2026, 9, 1))
    assert gates.out_of_order([beroep, uitspraak]) is None
    assert gates.out_of_order([uitspraak]) == "error.litigation.uitspraak_first"
    assert gates.out_of_order([beroep, uitspraak, uitspraak]) == "error.litigation.uitspraak_first"
    schorsing = LitigationEvent("schorsing", date(2026, 9, 1))
    assert gates.out_of_order([beroep, schorsing]) == "error.litigation.schorsing_first"
