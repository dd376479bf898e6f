"""The post room's commands: its print file, what it sent, and taking letters back.

``ibtpost post-room`` prints what waits for the post room into the batch's
``post-room.pdf`` (:mod:`ibtpost.dispatch.postfile`: each copy behind a cover sheet with its
own addressee) with ``post-room.csv`` beside it; ``ibtpost post`` records what the post room sent
(:func:`mark_posted`), the letters then count on the ladder. ``ibtpost withdraw`` takes a
letter (with its copies) or one copy out of the queue (:func:`withdraw`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ibtpost.core import validate
from ibtpost.core.errors import Location, NextAction, UsageError
from ibtpost.core.layout import Layout
from ibtpost.data.config import load_config
from ibtpost.dispatch.postfile import (
    PostPlace,
    copies_for_the_post_room,
    for_the_post_room,
    post_places,
    write_post_room_file,
)
from ibtpost.dispatch.states import (
    LETTER,
    POST,
    POST_COPY,
    POSTABLE,
    WITHDRAW,
    WITHDRAWABLE,
    Channel,
    DispatchState,
    QueueEntry,
    TransitionRefused,
    entries,
    phrase,
)
from ibtpost.register import LetterKey, LetterRecord, Register, audit, validate_reference
from ibtpost.register import cases as case_register
from ibtpost.register import letters as letter_register
from ibtpost.register.dispatch import parse_label
from ibtpost.register.letters import complete_batch
from ibtpost.rules.terms import term_deadline
from ibtpost.text.definitions import load_letter

__all__ = ["PostPlace", "Posted", "for_the_post_room", "mark_posted", "post_room", "withdraw"]

S = DispatchState


def post_room(root: Path, batch_id: str) -> tuple[list[PostPlace], Path | None]:
    """Rebuild the batch's ``post-room.pdf`` with every letter waiting for the post room (no
    e-mail address known, or failed) and every such copy, not yet posted; returns their
    places and the file (None when there are none: the file is removed)."""
    config = load_config(root)
    with Register.for_root(root) as register:
        complete_batch(register, batch_id)
        waiting = for_the_post_room(register, batch_id)
        places = post_places(config, register, batch_id, waiting)
    return places, write_post_room_file(Layout(root).batch(batch_id).folder, places)


# -- withdrawing ------------------------------------------------------------------------------


def withdraw(root: Path, batch_id: str, labels: tuple[str, ...], reason: str) -> list[QueueEntry]:
    """``ibtpost withdraw``: take queued letters of a complete batch out of the queue (all
    that can be, or those ``labels`` name), with a reason the audit trail keeps; all or none.
    A letter's copies go with it; ``REF-raad`` names one copy alone."""
    chosen = tuple(_label(x) for x in labels)
    with Register.for_root(root) as register:
        complete_batch(register, batch_id)
        return withdraw_entries(register, batch_id, chosen, reason)


def _label(text: str) -> str:
    """A letter's reference, or a copy's label ``REF-role``, checked."""
    reference, role = parse_label(text.strip())
    checked = validate_reference(reference)
    return checked if role == LETTER else f"{checked}-{role}"


def withdraw_entries(
    register: Register, batch: str, labels: tuple[str, ...], reason: str
) -> list[QueueEntry]:
    """Take queued letters of ``batch`` out of the queue (all that can be, or ``labels``:
    letters, or copies ``REF-role``), in one transaction: all named entries or none. A letter
    that is being sent, was sent, is in doubt or was posted is refused with the state it is
    in, and so is one whose copy is being sent or in doubt (the copies go with their
    letter)."""
    where = Location(None, None, "reference")
    reason = validate.one_line(reason, "reason")
    with register.transaction():
        queued: dict[str, QueueEntry] = {}
        copies: dict[str, list[QueueEntry]] = {}
        labelled: dict[str, QueueEntry] = {}
        for e in entries(register, batch, copies=True):
            labelled[e.label] = e
            if e.is_copy:
                copies.setdefault(e.reference, []).append(e)
            else:
                queued[e.reference] = e
        if labels:
            for label in labels:
                found = labelled.get(label)
                if found is None:
                    raise _not_queued(register, batch, label, where)
                if found.state not in WITHDRAWABLE:
                    what = "copy" if found.is_copy else "letter"
                    raise UsageError(
                        f"{label} is {phrase(found.state)}: only a {what} that is queued, "
                        "waiting for the post room or failed can be withdrawn",
                        where,
                    )
            chosen = [labelled[x] for x in dict.fromkeys(labels)]
        else:
            chosen = [e for e in queued.values() if e.state in WITHDRAWABLE]
            if not chosen:
                raise UsageError(
                    f"batch {batch} has no letter to withdraw (none queued, waiting for the "
                    "post room or failed)",
                    Location(None, None, "BATCH"),
                    hint=NextAction("outbox"),
                )
        for item in chosen:
            if item.is_copy:
                continue
            busy = [c for c in copies.get(item.reference, []) if c.state in (S.SENDING, S.IN_DOUBT)]
            if busy:
                raise UsageError(
                    f"{item.reference} cannot be withdrawn: its copy {busy[0].label} is "
                    f"{phrase(busy[0].state)}; wait for the send run to finish",
                    where,
                    hint=NextAction("outbox"),
                )
        for item in chosen:
            data: dict[str, Any] = {"reason": reason, "state": str(item.state)}
            if not item.is_copy:
                data["message_sha256"] = item.message_sha256
            try:
                WITHDRAW.must(register, item, data, reply=reason)
            except TransitionRefused:
                raise UsageError(
                    f"{item.label} changed state while being withdrawn", where
                ) from None
            if item.is_copy:
                continue
            for copy in copies.get(item.reference, []):  # the copies go with the letter
                if copy.label not in labels:
                    WITHDRAW.apply(
                        register, copy, {"reason": reason, "state": str(copy.state)}, reply=reason
                    )
    return chosen


def _not_queued(register: Register, batch: str, label: str, where: Location) -> UsageError:
    """Why ``label`` is not a queue entry of ``batch``, as the error to raise."""
    reference, role = parse_label(label)
    letter = letter_register.letter_by_reference(register, reference)
    if letter is None:
        return UsageError(f"no letter with reference {reference}", where)
    if letter.batch != batch:
        return UsageError(f"{reference} is in batch {letter.batch}, not in {batch}", where)
    if role != LETTER:
        return UsageError(f"{reference} has no copy to {role} in the queue", where)
    return UsageError(
        f"{reference} is not queued", where, hint=NextAction("queue", {"batch": batch})
    )


# -- posted -----------------------------------------------------------------------------------


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
    where = Location(field="reference")
    with Register.for_root(root) as register, register.transaction():
        batch = complete_batch(register, batch_id)
        if batch.concept:
            raise UsageError(f"batch {batch_id} is a concept batch: it cannot be sent")
        letters = letter_register.batch_letters(register, batch_id)
        by_reference = {letter.reference: letter for letter in letters}
        named = bool(references)  # -r given: only what it names, letters or copies
        waiting = {c.label: c for c in copies_for_the_post_room(register, batch_id)}
        copy_labels = [r for r in references if r in waiting]
        references = tuple(r for r in references if r not in waiting)
        unknown = [r for r in references if r not in by_reference]
        if unknown:
            queued = {c.label: c for c in entries(register, batch_id, copies=True)}
            raise UsageError(
                "; ".join(
                    f"copy {r} is {phrase(queued[r].state, mail=True)}: it does not wait for "
                    "the post room"
                    if r in queued
                    else f"not in batch {batch_id}: {r}"
                    for r in unknown
                ),
                where,
            )
        queue = {e.reference: e for e in entries(register, batch_id)}
        if named:
            chosen = [by_reference[r] for r in dict.fromkeys(references)]
            for letter in chosen:
                item = queue.get(letter.reference)
                if item is not None and not _postable(item, letter):
                    raise UsageError(
                        f"{letter.reference} is {phrase(item.state, mail=True)}: it cannot be "
                        "recorded as posted",
                        where,
                        hint=NextAction(
                            "withdraw",
                            {"batch": batch_id, "reference": letter.reference, "reason": "..."},
                            why="hint.withdraw_first",
                        ),
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
            return Posted([], _post_copies(register, chosen_copies, day))
        if not todo and chosen:
            raise UsageError(f"every chosen letter of {batch_id} is already recorded as sent")
        if not todo:
            raise UsageError(
                f"no letter of {batch_id} waits for the post room: every letter not yet "
                "sent is in the e-mail queue",
                hint=NextAction(
                    "withdraw", {"batch": batch_id, "reference": "...", "reason": "..."}
                ),
            )
        posted = []
        with_letters: list[str] = []
        by_both = [r for r in (x.reference for x in todo) if r in queue and queue[r].post_too]
        if by_both:  # a letter made known by post counts from the posting date
            letter_register.record_deadlines(
                register, _terms_from(root, batch.letter, day, todo, by_both)
            )
        for letter in todo:
            posted.append(case_register.record_sent(register, letter.reference, Channel.POST, day))
            item = queue.get(letter.reference)
            if item is not None:  # a letter mailed as well stays `sent` in the e-mail queue
                POST.apply(register, item, {})
            # the copies in the same post room's file go with the letter
            with_it = [c for c in waiting.values() if c.reference == letter.reference]
            labels = _post_copies(register, with_it, day)
            copies = [c.role for c in with_it if c.label in labels]
            after = letter_register.letter(
                register, LetterKey(letter.letter, letter.municipality, letter.day)
            )
            audit.record(
                register,
                audit.LETTER_POSTED,
                reference=letter.reference,
                batch=batch_id,
                data={
                    "municipality": letter.municipality,
                    "via": str(Channel.POST),
                    "date": day.isoformat(),
                    "case": after.case_id if after else None,
                    **({"copies": copies} if copies else {}),
                },
            )
            with_letters += labels
        done = {letter.reference for letter in todo}
        rest = [waiting[c] for c in copy_labels if waiting[c].reference not in done]
        return Posted(posted, with_letters + _post_copies(register, rest, day))


def _post_copies(register: Register, copies: list[QueueEntry], day: date) -> list[str]:
    """Record copies of letters as posted (their letters went by e-mail, or by post with
    them); inside the caller's transaction. Returns their labels."""
    return [
        copy.label
        for copy in copies
        if POST_COPY.apply(
            register,
            copy,
            {"role": copy.role, "addressee": copy.addressee, "date": day.isoformat()},
        )
    ]


def _postable(item: QueueEntry, letter: LetterRecord) -> bool:
    """Whether a letter in the e-mail queue may be recorded as posted: it waits for the post
    room, was withdrawn, only went to a file (nothing left the machine), or goes by post as
    well as by e-mail (delivery: mail and post), whatever its e-mail does."""
    return (
        item.state in POSTABLE
        or (item.state == S.SENT and letter.sent_on is None)
        or (item.post_too and letter.sent_via != Channel.POST)
    )


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
