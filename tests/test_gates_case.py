"""The procedure's gates end to end on the shipped data: every shortcut to a besluit or its
execution is refused, with or without a reason, until its record exists; then the letters
are made and the besluit recites the voornemen's publication and the zienswijze. Real
LibreOffice, the file transport, a real SQLite register (the helpers of
``tests/test_escalation.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from tests import test_escalation as esc
from tests.conftest import Result
from tests.realdata import import_real_data
from tests.test_cdk_copy import _without_college_address

from ibtpost.dispatch import states
from ibtpost.production.selection import BatchRequest, check_request
from ibtpost.register import Register

pytestmark = pytest.mark.libreoffice

CODE = esc.CODE
REASON = ("--reason", "spoed")


def _refused(cli: Callable[..., Result], root: Path, letter: str, day: str, *more: str) -> str:
    """The one line of a refused final batch (nothing made)."""
    done = cli(root, "batch", letter, "--date", day, "-m", CODE, *more)
    assert done.code == 2, done.out
    lines = done.err.strip().splitlines()
    assert len(lines) == 1, done.err
    assert not list((root / "outbox").glob(f"{letter}-{day}-*")), "a refused batch made files"
    return lines[0]


def test_no_reason_opens_a_gate(root: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    esc._lawyer_signs_off(root, cli)
    import_real_data(root, (CODE,), tmp_path)
    # the gemeenteraad has an address; gedeputeerde staten not: their copy goes by post
    (tmp_path / "raad.csv").write_text("gemeentecode,email\nGM0622,griffie@vlaardingen.test\n")
    assert cli(root, "import", "addresses", "--role", "raad", str(tmp_path / "raad.csv")).code == 0

    batch2, _ = esc._batch(cli, root, "trede-2", "2026-04-09")
    esc._send(cli, root, batch2, "2026-04-09")
    # trede 5 right after trede 2: no reason skips the voornemen
    line = _refused(cli, root, "trede-5", "2026-05-04", *REASON)
    assert "trede 5 needs a sent trede-4 letter first" in line
    assert "ibtpost batch trede-4 -m GM0622" in line
    # a concept (a draft to read) is planned without the gates
    request = BatchRequest("trede-5", date(2026, 5, 4), (CODE,), concept=True, reason="lezen")
    assert [p.municipality.code for p in check_request(root, request, approval=False).letters] == [
        CODE
    ]

    batch3, _ = esc._batch(cli, root, "trede-3", "2026-05-04")
    esc._send(cli, root, batch3, "2026-05-04")
    esc._fresh_figures(root, cli, tmp_path, "2026-05-15")  # a voornemen on current figures
    batch4, ref4 = esc._batch(cli, root, "trede-4", "2026-06-01")
    assert cli(root, "queue", batch4).code == 0
    sent4 = cli(root, "send", "--batch", batch4, "--retry-delay", "0.01")
    assert sent4.code == 0, sent4.err
    # the file transport's mail does not count: the voornemen counts once posted
    posted4 = cli(root, "post", batch4, "-r", ref4, "--date", "2026-06-01")
    assert posted4.code == 0, posted4.err

    # after the zienswijze term, still no besluit: the publication is not recorded
    line = _refused(cli, root, "trede-5", "2026-07-20", *REASON)
    assert f"the publication of the kennisgeving of {ref4} recorded" in line
    assert f"ibtpost publication {ref4} --staatscourant NUMBER --date YYYY-MM-DD" in line
    published = ("publication", ref4, "--staatscourant", "2026-12345", "--date", "2026-06-03")
    assert cli(root, *published).code == 0
    # posting the voornemen posted its copy to gedeputeerde staten with it (the copy gate
    # itself: tests/test_gates.py)
    # a reaction on the voornemen is a zienswijze, whatever kind it is recorded as
    assert cli(root, "reply", ref4, "--received", "2026-06-10").code == 0

    esc._motivering(root, cli, tmp_path, ref4, "zienswijze")  # the reply to the zienswijze
    batch5, ref5 = esc._batch(cli, root, "trede-5", "2026-07-20")
    text5 = esc._text(root, batch5, ref5)
    assert (
        "De kennisgeving van het voornemen is gepubliceerd in de Staatscourant van 3 juni 2026 "
        "(Stcrt. 2026-12345)" in text5
    )
    assert "de zienswijze van het college van 10 juni 2026 bij dit besluit betrokken" in text5
    assert "geen zienswijze" not in text5
    assert cli(root, "queue", batch5).code == 0
    assert cli(root, "send", "--batch", batch5, "--retry-delay", "0.01").code == 0

    # the besluit went by e-mail, but is not posted: no execution, whatever the reason
    line = _refused(cli, root, "trede-6", "2026-09-07", *REASON)
    assert f"the besluit {ref5} posted first" in line
    assert f"ibtpost post {batch5} -r {ref5} --date YYYY-MM-DD" in line
    assert cli(root, "post", batch5, "--date", "2026-07-22").code == 0
    # before its term has passed (counted from the posting)
    line = _refused(cli, root, "trede-6", "2026-08-31", *REASON)
    assert "runs until 2 september 2026" in line
    # while a beroep is pending
    beroep = ("litigation", ref5, "--event", "beroep", "--date", "2026-08-20")
    assert cli(root, *beroep).code == 0
    line = _refused(cli, root, "trede-6", "2026-09-07", *REASON)
    assert "a beroep about" in line and "pending since 20 augustus 2026" in line
    assert f"ibtpost litigation {ref5} --event uitspraak --date YYYY-MM-DD" in line
    rows = json.loads(cli(root, "status", "--date", "2026-09-07", "--json").out)
    row = next(r for r in rows if r["code"] == CODE)
    assert row["litigation"] == "beroep 2026-08-20"
    uitspraak = ("litigation", ref5, "--event", "uitspraak", "--date", "2026-09-03")
    assert cli(root, *uitspraak).code == 0

    esc._motivering(root, cli, tmp_path, ref5, "feiten")  # the facts after the term
    batch6, ref6 = esc._batch(cli, root, "trede-6", "2026-09-07")
    assert ref5 in esc._text(root, batch6, ref6)

    # the college's e-mail address is gone by now: trede 6 goes by post, and the CdK, who
    # cannot be its Cc, gets a copy of its own (by e-mail here)
    _without_college_address(root, CODE)
    assert cli(root, "queue", batch6).code == 0
    with Register.for_root(root) as register:
        queued = {e.role: e.state for e in states.entries(register, batch6, copies=True)}
    assert queued == {"college": "post", "cdk": "queued"}
    assert cli(root, "send", "--batch", batch6, "--retry-delay", "0.01").code == 0
    room = cli(root, "post-room", batch6)
    assert room.out.splitlines() == [ref6]  # only the letter: the CdK's copy went by mail
    mail = root / "outbox" / batch6 / "mail" / f"{ref6}-cdk.eml"
    assert "Afschrift: Onze referentie" in mail.read_text("utf-8")
