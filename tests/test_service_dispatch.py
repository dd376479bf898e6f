"""The dispatch use cases of ``ibtpost.service`` as the front ends call them: queue, send,
withdraw, post-room, post, report and the outbox; what each records and writes, and its
summary in English and Dutch. LibreOffice only where a batch is made to be queued."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.registered import recorded_batch

from ibtpost.core.errors import UsageError
from ibtpost.core.layout import Layout
from ibtpost.dispatch import states
from ibtpost.dispatch.send import SendOptions
from ibtpost.dispatch.states import DispatchState
from ibtpost.mail.transport import FileTransport
from ibtpost.production.selection import BatchRequest
from ibtpost.register import Register
from ibtpost.register import letters as letter_register
from ibtpost.service import batches, dispatch, postroom
from ibtpost.service.common import Line

DAY = date(2026, 4, 9)
VLAARDINGEN, GRONINGEN = "GM0622", "GM0014"


def test_posting_a_batch_never_queued_shows_in_the_outbox_and_the_report(root: Path) -> None:
    refs = recorded_batch(root, VLAARDINGEN, GRONINGEN)
    before = dispatch.outbox(root)
    (row,) = before.rows
    assert (row.batch, row.letters, row.not_queued, row.posted) == ("b1", 2, 2, 0)
    assert before.complete == [row] and before.changed == [] and before.changed_lines == []

    done = postroom.post(root, "b1", (refs[VLAARDINGEN],), DAY + timedelta(days=1))
    assert [x.reference for x in done.posted.letters] == [refs[VLAARDINGEN]]
    assert [x.text("en") for x in done.lines] == [
        f"{refs[VLAARDINGEN]} {VLAARDINGEN}: posted 2026-04-10"
    ]
    assert [x.text("nl") for x in done.lines] == [
        f"{refs[VLAARDINGEN]} {VLAARDINGEN}: per post verzonden 2026-04-10"
    ]
    assert done.summary.text("en") == (
        "1 letter(s) recorded as posted; the letters now count on the ladder"
    )
    assert done.summary.text("nl").startswith("1 brief(brieven) vastgelegd als per post")
    with Register.for_root(root) as register:
        letter = letter_register.letter_by_reference(register, refs[VLAARDINGEN])
    assert letter is not None and (letter.sent_via, letter.sent_on) == ("post", date(2026, 4, 10))

    (after,) = dispatch.outbox(root).rows
    assert (after.not_queued, after.posted) == (1, 1)
    rows = {row.reference: row for row in postroom.report(root, "b1")}
    assert rows[refs[VLAARDINGEN]].state == "posted"
    assert rows[refs[GRONINGEN]].state != "posted"

    with pytest.raises(UsageError, match="no batch"):
        postroom.report(root, "no-such-batch")
    with pytest.raises(UsageError):
        postroom.withdraw(root, "b1", (refs[GRONINGEN],), "not queued")
    assert dispatch.send_check(root, "no-such-batch") is None
    assert dispatch.queue_states(root, "b1") == {}


def test_a_summary_line_is_one_key_said_in_either_language() -> None:
    nested = Line("summary.send.copies", {"count": 2})
    summary = Line(
        "summary.send",
        {
            "sent": 3, "copies": nested, "failed": 1, "in_doubt": 0, "refused": 0, "left": 0,
            "attempts": 5, "transport": "smtp", "seconds": 1.25,
        },
    )  # fmt: skip
    assert summary.text("en") == (
        "3 sent (and 2 copy(ies)), 1 failed, 0 in doubt, 0 refused, 0 left to another run, "
        "5 attempt(s) by smtp in 1.2 s"
    )
    assert summary.text("nl") == (
        "3 verzonden (en 2 kopie(ën)), 1 mislukt, 0 onzeker, 0 geweigerd, 0 door een andere "
        "run genomen, 5 poging(en) via smtp in 1.2 s"
    )
    changed = dispatch.changed_lines(["7500001: To a@x -> b@x"])
    assert changed[0].text("en").startswith("address changed since queueing (1 letter(s))")
    assert changed[0].text("nl").startswith("adres gewijzigd sinds het klaarzetten (1 brief")
    assert changed[1].text("nl") == "  7500001: To a@x -> b@x"


@pytest.mark.libreoffice
def test_queue_withdraw_send_and_the_post_room_of_a_batch(root: Path) -> None:
    made = batches.make_batch(root, BatchRequest("trede-2", DAY, (VLAARDINGEN, GRONINGEN)))
    batch = made.result.id
    folder = Layout(root).batch(batch)
    dispatch.require_complete(root, batch)
    with pytest.raises(UsageError):
        dispatch.require_complete(root, "no-such-batch")

    queued = dispatch.queue(root, batch, processes=1)
    assert queued.ok and queued.failed == [] and queued.result.queued == 2
    assert queued.summary.text("en") == (
        f"batch {batch}: 2 queued for e-mail, 0 for the post room, 0 already queued; 2 may "
        "only go to files (sample data or concept)"
    )
    assert queued.summary.text("nl") == (
        f"batch {batch}: 2 klaargezet voor e-mail, 0 voor de postkamer, 0 al klaargezet; 2 "
        "alleen naar bestanden (voorbeeldgegevens of concept)"
    )
    assert queued.checks is not None
    assert queued.checks.text("en").startswith("checks: 2 letter(s) checked (0 from checks.json)")
    assert queued.checks.text("nl").startswith("controles: 2 brief(brieven) gecontroleerd")
    assert queued.lines == [queued.checks, queued.summary]  # no post room, nothing failed
    assert len(list(folder.spool.glob("*.eml"))) == 2
    shown = dispatch.queue_states(root, batch)
    assert len(shown) == 2
    assert all(s.withdrawable and s.checked and s.only_file for s in shown.values())

    with Register.for_root(root) as register:
        refs = {x.municipality: x.reference for x in letter_register.batch_letters(register, batch)}
    withdrawn = dispatch_withdraw(root, batch, refs[GRONINGEN])
    assert [x.text("en") for x in withdrawn.lines] == [f"withdrawn {refs[GRONINGEN]} (was queued)"]
    assert [x.text("nl") for x in withdrawn.lines] == [
        f"teruggetrokken {refs[GRONINGEN]} (was queued)"
    ]
    assert withdrawn.summary.text("en") == f"1 letter(s) or copy(ies) withdrawn from batch {batch}"
    assert withdrawn.summary.text("nl") == (
        f"1 brief(brieven) of kopie(ën) teruggetrokken uit batch {batch}"
    )
    assert not dispatch.queue_states(root, batch)[refs[GRONINGEN]].checked

    check = dispatch.send_check(root, batch)
    assert check is not None and check.counts["queued"] == 1 and check.counts["withdrawn"] == 1
    assert [e.reference for e in check.only_file] == [refs[VLAARDINGEN]]

    dry = dispatch.send(root, SendOptions(batch=batch, dry_run=True), FileTransport())
    assert dry.dry_run and [x.text("en") for x in dry.done] == [f"would send {refs[VLAARDINGEN]}"]
    assert dry.summary.text("en") == "dry run: 1 letter(s) would go by file"
    assert dry.summary.text("nl") == "proefrun: 1 brief(brieven) zou(den) gaan via file"

    seen: list[tuple[int, int]] = []
    sent = dispatch.send(
        root, SendOptions(batch=batch), FileTransport(), lambda d, t: seen.append((d, t))
    )
    assert sent.ok and sent.report.sent == [refs[VLAARDINGEN]] and seen[-1] == (1, 1)
    assert [x.text("en") for x in sent.done] == [f"sent {refs[VLAARDINGEN]}"]
    assert [x.text("nl") for x in sent.done] == [f"verzonden {refs[VLAARDINGEN]}"]
    assert sent.summary.text("en").startswith(
        "1 sent, 0 failed, 0 in doubt, 0 refused, 0 left to another run, 1 attempt(s) by file"
    )
    assert sent.summary.text("nl").startswith("1 verzonden, 0 mislukt, 0 onzeker, 0 geweigerd")
    assert sent.post_room_batches == [] and sent.lines == [*sent.done, sent.summary]
    assert folder.eml(refs[VLAARDINGEN]).is_file()
    with Register.for_root(root) as register:
        found = {e.reference: e.state for e in states.entries(register, batch)}
    assert found == {
        refs[VLAARDINGEN]: DispatchState.SENT,
        refs[GRONINGEN]: DispatchState.WITHDRAWN,
    }

    (row,) = [r for r in dispatch.outbox(root).rows if r.batch == batch]
    assert (row.sent, row.withdrawn, row.queued, row.post) == (1, 1, 0, 0)
    room = postroom.post_room(root, batch)
    assert room.places == [] and room.path is None and room.listing is None
    assert not folder.post_room_file.exists()

    posted = postroom.post(root, batch, (refs[GRONINGEN],), DAY)
    assert [x.reference for x in posted.posted.letters] == [refs[GRONINGEN]]
    report = {r.reference: r.state for r in postroom.report(root, batch)}
    assert report == {refs[VLAARDINGEN]: "sent", refs[GRONINGEN]: "posted"}


def dispatch_withdraw(root: Path, batch: str, reference: str) -> postroom.Withdrawn:
    """Withdraw one letter with a reason, as ``ibtpost withdraw BATCH -r REF`` does."""
    return postroom.withdraw(root, batch, (reference,), "address to check")
