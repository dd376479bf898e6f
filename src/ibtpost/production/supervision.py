"""Supervision cases over time: the status overview, the post room's record, closing cases.

The ladder's rules live in :mod:`ibtpost.rules.ladder` (pure); this module reads the register and
the figures, applies the rules and records what changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ibtpost.core.domain import Config, Municipality, PreviousLetter
from ibtpost.core.errors import Location, UsageError
from ibtpost.data.config import load_config
from ibtpost.data.recipients import MissingAddress, mail_recipients
from ibtpost.register import (
    REGISTER_NAME,
    BatchRecord,
    LetterKey,
    LetterRecord,
    Register,
    audit,
    dispatch,
    replies,
)
from ibtpost.rules import ladder
from ibtpost.rules.terms import term_deadline
from ibtpost.text.definitions import load_letter

CLOSED_WHY = "task met"


@dataclass(frozen=True)
class StatusRow:
    """One municipality in the status overview."""

    code: str
    name: str
    province: str
    task: int
    realised: int
    shortfall: int
    sample: bool
    trede: int | None
    last_reference: str | None
    last_sent_on: str | None
    term_until: str | None
    action: str
    next_letter: str | None
    note: str
    by_post: str | None = None  # why its letters cannot go by e-mail, if so
    answered: str | None = None  # when the college answered the last letter (reply recorded)
    answer_kind: str | None = None  # reply or zienswijze
    term_passed: bool = False  # the last letter's term is over on the status date

    def as_json(self) -> dict[str, Any]:
        """A plain mapping for ``--json``."""
        return asdict(self)


def reconcile(register: Register, config: Config, day: date) -> list[str]:
    """Close the open cases of municipalities that now meet their task; returns their codes."""
    closed = []
    for code, case in register.open_cases().items():
        figures = config.figures.get(code)
        if figures is not None and figures.meets_task:
            with register.transaction():
                if register.close_case(code, day, CLOSED_WHY):
                    closed.append(code)
                    audit.record(
                        register,
                        audit.CASE_CLOSED,
                        data={
                            "municipality": code,
                            "case": case.id,
                            "date": day.isoformat(),
                            "why": CLOSED_WHY,
                            "task": figures.task_total,
                            "realised": figures.realised_total,
                        },
                    )
    return closed


def status(root: Path, day: date) -> list[StatusRow]:
    """Every municipality's figures, case and recommended next letter on ``day``."""
    config = load_config(root)
    letters_by_trede = _letters_by_trede(root)
    with Register.for_root(root) as register:
        reconcile(register, config, day)
        standings = ladder.standings(config.figures, register.open_cases(), register.all_letters())
        received = replies.latest(register)
    rows = []
    for code, municipality in config.municipalities.items():
        standing = standings.get(code)
        if standing is None:
            continue
        advice = ladder.advise(standing, day)
        fig = standing.figures
        last = standing.last
        answer = received.get(last.reference) if last else None
        rows.append(
            StatusRow(
                code=code,
                name=municipality.name,
                province=municipality.province,
                task=fig.task_regular + fig.task_amv,
                realised=fig.realised_regular + fig.realised_amv,
                shortfall=fig.shortfall,
                sample=fig.sample,
                trede=standing.trede,
                last_reference=last.reference if last else None,
                last_sent_on=last.sent_on.isoformat() if last and last.sent_on else None,
                term_until=last.deadline.isoformat() if last and last.deadline else None,
                action=advice.action,
                next_letter=(
                    letters_by_trede.get(advice.next_trede, f"trede-{advice.next_trede}")
                    if advice.next_trede
                    else None
                ),
                note=advice.note,
                by_post=_why_by_post(municipality, config),
                answered=answer.received.isoformat() if answer else None,
                answer_kind=answer.kind if answer else None,
                term_passed=bool(last and last.deadline and last.deadline < day),
            )
        )
    return rows


def _why_by_post(municipality: Municipality, config: Config) -> str | None:
    """Why this municipality's letters go by post ("no e-mail address of ..."), or None."""
    found = mail_recipients(municipality, config)
    return str(found) if isinstance(found, MissingAddress) else None


def _letters_by_trede(root: Path) -> dict[int, str]:
    """The letter definition id per trede, from the file names in letters/."""
    found: dict[int, str] = {}
    for path in sorted((root / "letters").glob("trede-*.yaml")):
        number = path.stem.removeprefix("trede-")
        if number.isdigit():
            found[int(number)] = path.stem
    return found


def complete_batch(register: Register, batch_id: str) -> BatchRecord:
    """The batch with this id; a UsageError when there is none or it is not complete."""
    batch = register.batch(batch_id)
    if batch is None:
        raise UsageError(
            f"no batch {batch_id!r}",
            Location(None, None, "BATCH"),
            hint="the batch id is the folder name under outbox/; see `ibtpost outbox`",
        )
    if batch.completed_at is None:
        raise UsageError(
            f"batch {batch_id} is not complete",
            hint="run its `ibtpost batch` command again to finish it",
        )
    return batch


@dataclass(frozen=True)
class Posted:
    """What ``ibtpost post`` recorded: letters, and copies (``7468089-raad``)."""

    letters: list[LetterRecord]
    copies: list[str]


def mark_posted(root: Path, batch_id: str, references: tuple[str, ...], day: date) -> Posted:
    """Record that the post room sent letters of a batch: ``references``, or else every
    letter not sent yet (once the batch is queued: every letter waiting for the post room),
    with the copies waiting for the post room (``REF-raad`` in ``references`` names one).

    One transaction, all or nothing. A letter in the e-mail queue is refused unless it is
    waiting for the post room (no address, failed) or was withdrawn: one that is queued,
    being sent or in doubt must not go twice; it leaves the e-mail queue as ``posted``.
    """
    where = Location(None, None, "--reference")
    with Register.for_root(root) as register, register.transaction():
        batch = complete_batch(register, batch_id)
        if batch.concept:
            raise UsageError(f"batch {batch_id} is a concept batch: it cannot be sent")
        letters = register.batch_letters(batch_id)
        by_reference = {letter.reference: letter for letter in letters}
        named = bool(references)  # -r given: only what it names, letters or copies
        waiting = {c.label: c for c in dispatch.copies_for_the_post_room(register, batch_id)}
        copy_labels = [r for r in references if r in waiting]
        references = tuple(r for r in references if r not in waiting)
        unknown = [r for r in references if r not in by_reference]
        if unknown:
            queued = {c.label: c for c in dispatch.entries(register, batch_id, copies=True)}
            raise UsageError(
                "; ".join(
                    f"copy {r} is {_mail_state(queued[r].state)}: it does not wait for the "
                    "post room"
                    if r in queued
                    else f"not in batch {batch_id}: {r}"
                    for r in unknown
                ),
                where,
            )
        queue = {e.reference: e for e in dispatch.entries(register, batch_id)}
        if named:
            chosen = [by_reference[r] for r in dict.fromkeys(references)]
            for letter in chosen:
                item = queue.get(letter.reference)
                if item is not None and not _postable(item, letter):
                    raise UsageError(
                        f"{letter.reference} is {_mail_state(item.state)}: it cannot be "
                        "recorded as posted",
                        where,
                        hint=f"`ibtpost withdraw {batch_id} -r {letter.reference} --reason ...` "
                        "takes a queued letter out of the e-mail queue first",
                    )
        else:
            chosen = [
                letter
                for letter in letters
                if letter.reference not in queue or _postable(queue[letter.reference], letter)
            ]
        todo = [letter for letter in chosen if letter.sent_on is None]
        if not named:  # every copy waiting goes too
            copy_labels = list(waiting)
        if not todo and copy_labels:
            chosen_copies = [waiting[c] for c in copy_labels]
            return Posted([], _post_copies(register, batch_id, chosen_copies, day))
        if not todo and chosen:
            raise UsageError(f"every chosen letter of {batch_id} is already recorded as sent")
        if not todo:
            raise UsageError(
                f"no letter of {batch_id} waits for the post room: every letter not yet "
                "sent is in the e-mail queue",
                hint=f"see `ibtpost outbox`; `ibtpost withdraw {batch_id} -r REFERENCE --reason "
                "...` takes a letter out of the e-mail queue",
            )
        posted = []
        with_letters: list[str] = []
        by_both = [r for r in (x.reference for x in todo) if r in queue and queue[r].post_too]
        if by_both:  # a letter made known by post counts from the posting date
            register.record_deadlines(_terms_from(root, batch.letter, day, todo, by_both))
        for letter in todo:
            posted.append(register.record_sent(letter.reference, "post", day))
            if letter.reference in queue:
                dispatch.set_state(
                    register, letter.reference, "posted", only_from=dispatch.POSTABLE
                )
            # the copies in the same post room's file go with the letter
            with_it = [c for c in waiting.values() if c.reference == letter.reference]
            labels = _post_copies(register, batch_id, with_it, day)
            copies = [c.role for c in with_it if c.label in labels]
            after = register.letter(LetterKey(letter.letter, letter.municipality, letter.day))
            audit.record(
                register,
                audit.LETTER_POSTED,
                reference=letter.reference,
                batch=batch_id,
                data={
                    "municipality": letter.municipality,
                    "via": "post",
                    "date": day.isoformat(),
                    "case": after.case_id if after else None,
                    **({"copies": copies} if copies else {}),
                },
            )
            with_letters += labels
        done = {letter.reference for letter in todo}
        rest = [waiting[c] for c in copy_labels if waiting[c].reference not in done]
        return Posted(posted, with_letters + _post_copies(register, batch_id, rest, day))


def _post_copies(
    register: Register, batch_id: str, copies: list[dispatch.QueueEntry], day: date
) -> list[str]:
    """Record copies of letters as posted (their letters went by e-mail); inside the
    caller's transaction. Returns their labels."""
    done = []
    for copy in copies:
        if not dispatch.set_state(
            register,
            copy.reference,
            "posted",
            only_from=dispatch.FOR_THE_POST_ROOM,
            role=copy.role,
        ):
            continue
        audit.record(
            register,
            audit.COPY_POSTED,
            reference=copy.reference,
            batch=batch_id,
            data={"role": copy.role, "addressee": copy.addressee, "date": day.isoformat()},
        )
        done.append(copy.label)
    return done


def _postable(item: dispatch.QueueEntry, letter: LetterRecord) -> bool:
    """Whether a letter in the e-mail queue may be recorded as posted: it waits for the post
    room, was withdrawn, only went to a file (nothing left the machine), or goes by post as
    well as by e-mail (delivery: mail and post), whatever its e-mail does."""
    return (
        item.state in dispatch.POSTABLE
        or (item.state == "sent" and letter.sent_on is None)
        or (item.post_too and letter.sent_via != "post")
    )


def _mail_state(state: str) -> str:
    return {
        "queued": "queued for e-mail",
        "sending": "being sent by e-mail",
        "in_doubt": "in doubt (e-mail)",
        "sent": "sent by e-mail",
        "posted": "already posted",
    }.get(state, state)


def previous_letters(root: Path) -> dict[str, PreviousLetter]:
    """The last letter sent in each open supervision case, by municipality code (read only:
    without a register there are none, and none is made)."""
    if not (root / "outbox" / REGISTER_NAME).is_file():
        return {}
    found: dict[str, PreviousLetter] = {}
    with Register.for_root(root) as register:
        received = replies.latest(register)
        for code, case in register.open_cases().items():
            previous = ladder.previous_letter(register.case_letters(case.id), None, received)
            if previous is not None:
                found[code] = previous
    return found


def _terms_from(
    root: Path, letter_id: str, day: date, letters: list[LetterRecord], references: list[str]
) -> dict[str, date | None]:
    """The ladder's deadline of letters that go by e-mail and by post, counted from the
    posting date ``day`` (the bekendmaking), never earlier than the date the letter states."""
    weeks = load_letter(root, letter_id).ladder_weeks
    if not weeks:
        return {}
    from_post = term_deadline(day, weeks, load_config(root).settings.roll_terms)
    return {
        x.reference: max(from_post, x.deadline) if x.deadline else from_post
        for x in letters
        if x.reference in references
    }
