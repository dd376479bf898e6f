"""The states of a letter (or copy) in the dispatch queue, and every change of state.

Each queued letter moves through these states::

    queued -> sending -> sent | failed | queued (a retry) | in_doubt (its run died)
    queued | post | failed -> withdrawn -> queued | post   (ibtpost withdraw, then queue)
    post | failed | withdrawn -> posted                      (ibtpost post)
    queued -> post                                           (a copy whose letter failed)

Each change is a named :class:`Transition` that declares the states it may come from. It
changes the row with one conditional update (only from those states) and writes its audit
event in the same register transaction; nothing else changes a dispatch row. A copy of a
letter (to the gemeenteraad, to GS) has event kinds of its own (``copy.sent``, ...).

**Claimed.** A send run takes a letter with one compare-and-set (:func:`claim`): ``UPDATE
... SET state='sending' WHERE ... AND state='queued'``, in its own IMMEDIATE transaction,
synced to disk before the message leaves. Only the run whose update changed the row sends
it; any other run, started at the same time or overlapping, sees that no row changed and
leaves the letter to the one that has it. ``withdraw`` and ``post`` change a letter with the
same kind of conditional update, so none of them can act on a letter another one is
sending.

**In doubt.** A letter in ``sending`` names the run that holds it; one whose run is gone
(:func:`mark_stranded`) was handed to a server by a run that died before it could record
the reply, and becomes ``in_doubt`` (see :mod:`ibtpost.dispatch.runs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ibtpost.register import Register, audit
from ibtpost.register import dispatch as rows
from ibtpost.register.dispatch import LETTER, Prepared, QueueEntry, entries, entry

#: The role of the Commissaris van de Koning's own copy of a letter.
CDK = "cdk"

__all__ = [
    "LETTER",
    "Channel",
    "DispatchState",
    "Prepared",
    "QueueEntry",
    "Transition",
    "claim",
    "enqueue",
    "entries",
    "entry",
    "mark_stranded",
]


class DispatchState(StrEnum):
    """The state of a queue entry, as the register stores it."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    IN_DOUBT = "in_doubt"
    POST = "post"  # waiting for the post room: no e-mail address known
    WITHDRAWN = "withdrawn"
    POSTED = "posted"


class Channel(StrEnum):
    """How a letter goes (or went) out; ``mail`` and ``post`` are also how the register
    records a letter as sent (``sent_via``)."""

    MAIL = "mail"
    POST = "post"
    MAIL_AND_POST = "mail and post"


S = DispatchState
ALL: tuple[DispatchState, ...] = tuple(DispatchState)
#: States ``withdraw`` takes a letter out of: it has not been handed to a server.
WITHDRAWABLE = (S.QUEUED, S.POST, S.FAILED)
#: States in which a letter (or copy) waits for the post room.
FOR_THE_POST_ROOM = (S.POST, S.FAILED)
#: States from which ``post`` may record a letter as posted.
POSTABLE = (S.POST, S.FAILED, S.WITHDRAWN)
#: States a send run leaves a letter in.
DONE = (S.SENT, S.FAILED, S.IN_DOUBT)
#: States in which a letter waits to be sent (its frozen envelope still matters).
WAITING = (S.QUEUED, S.IN_DOUBT)

#: A state as a sentence fragment in English, for a refusal: "7500001 is being sent".
_PHRASE = {
    S.SENDING: "being sent",
    S.IN_DOUBT: "in doubt",
    S.POST: "waiting for the post room",
}
#: The same, where the post room asks about the e-mail queue: "is queued for e-mail".
_MAIL_PHRASE = {
    S.QUEUED: "queued for e-mail",
    S.SENDING: "being sent by e-mail",
    S.IN_DOUBT: "in doubt (e-mail)",
    S.SENT: "sent by e-mail",
    S.POSTED: "already posted",
}


def phrase(state: str, *, mail: bool = False) -> str:
    """A state as a sentence fragment: ``being sent``, ``in doubt``; with ``mail``, as the
    post room sees the e-mail queue: ``queued for e-mail``, ``already posted``."""
    return (_MAIL_PHRASE if mail else _PHRASE).get(S(state), str(state))


class TransitionRefused(Exception):
    """The row was not in a state the transition may come from (another run, ``withdraw``
    or ``post`` changed it first)."""


@dataclass(frozen=True)
class Transition:
    """A named change of state: the states it may come from, the state it goes to, and the
    audit event it writes for a letter and for a copy (None: the event is the caller's)."""

    name: str
    sources: tuple[DispatchState, ...]
    target: DispatchState
    letter_event: str | None
    copy_event: str | None

    def apply(
        self,
        register: Register,
        item: QueueEntry,
        data: dict[str, Any],
        *,
        sources: Iterable[DispatchState] | None = None,
        count_attempt: bool = False,
        **values: Any,
    ) -> bool:
        """Move ``item`` to :attr:`target` if it is in one of :attr:`sources` (or of the
        narrower ``sources`` given) and write the event with ``data``, in one transaction.
        Returns whether the row changed; no event when it did not."""
        allowed = self.sources if sources is None else tuple(sources)
        if not set(allowed) <= set(self.sources):
            raise ValueError(f"{self.name} may not come from {allowed}")
        with register.transaction():
            moved = rows.move(
                register,
                item.reference,
                self.target,
                allowed,
                role=item.role,
                count_attempt=count_attempt,
                **values,
            )
            kind = self.copy_event if item.is_copy else self.letter_event
            if moved and kind is not None:
                extra = {"role": item.role} if item.is_copy and "role" not in data else {}
                audit.record(
                    register, kind, reference=item.reference, batch=item.batch, data=extra | data
                )
        return moved

    def must(
        self, register: Register, item: QueueEntry, data: dict[str, Any], **values: Any
    ) -> None:
        """:meth:`apply`, raising :class:`TransitionRefused` when the row was not in a
        source state."""
        if not self.apply(register, item, data, **values):
            raise TransitionRefused(f"{item.label} changed state before it could be {self.name}")


CLAIM = Transition("claimed", (S.QUEUED, S.IN_DOUBT), S.SENDING, None, None)
SENT = Transition("sent", (S.SENDING,), S.SENT, audit.LETTER_SENT, audit.COPY_SENT)
FAILED = Transition("failed", (S.SENDING,), S.FAILED, audit.LETTER_FAILED, audit.COPY_FAILED)
#: another attempt later: the event is the attempt's own (``send.attempt``)
RETRY = Transition("retried", (S.SENDING,), S.QUEUED, audit.SEND_ATTEMPT, audit.SEND_ATTEMPT)
IN_DOUBT = Transition(
    "in doubt", (S.SENDING,), S.IN_DOUBT, audit.LETTER_IN_DOUBT, audit.COPY_IN_DOUBT
)
WITHDRAW = Transition(
    "withdrawn", WITHDRAWABLE, S.WITHDRAWN, audit.LETTER_WITHDRAWN, audit.COPY_WITHDRAWN
)
#: a letter's event (``letter.posted``) is written whether or not it was in the queue
POST = Transition("posted", POSTABLE, S.POSTED, None, None)
POST_COPY = Transition("posted", FOR_THE_POST_ROOM, S.POSTED, None, audit.COPY_POSTED)
#: a copy whose letter failed (or waits for the post room) goes to the post room with it
ROOM = Transition("sent to the post room", (S.QUEUED,), S.POST, None, audit.COPY_TO_POST_ROOM)


def enqueue(register: Register, batch: str, letters: list[Prepared]) -> tuple[int, int, int]:
    """Put letters of ``batch`` (and their copies) in the queue, once: an entry already
    queued keeps its state, a withdrawn one is queued again with its new message. Returns how
    many letters were queued, sent to the post room, and already there (copies not counted)."""
    queued = post = already = 0
    with register.transaction():
        for item in letters:
            state = S.POST if item.college is None else S.QUEUED
            before = rows.state_of(register, item.reference, item.role)
            if before is not None and before != S.WITHDRAWN:
                already += item.role == LETTER
                continue
            rows.insert(register, batch, item, state)
            audit.record(
                register,
                audit.LETTER_QUEUED if item.role == LETTER else audit.COPY_QUEUED,
                reference=item.reference,
                batch=batch,
                data={
                    **({} if item.role == LETTER else {"role": item.role}),
                    **({"addressee": item.addressee} if item.addressee else {}),
                    "state": str(state),
                    "from": item.sender,
                    "to": item.college,
                    "cc": list(item.copies),
                    "message_id": item.message_id,
                    "message_sha256": item.message_sha256,
                    "spool": item.spool,
                    "pdf_sha256": item.pdf_sha256,
                    "only_file": item.only_file,
                    "missing": item.missing,
                    "requeued": before is not None,
                    "post_too": item.post_too,
                },
            )
            if item.role != LETTER:
                continue
            if state == S.POST:
                post += 1
            else:
                queued += 1
    return queued, post, already


def cdk_follows_to_the_post_room(register: Register, letter: QueueEntry) -> bool:
    """The Commissaris van de Koning was the Cc of ``letter``'s mail, and that mail failed:
    the CdK then got nothing either, so the CdK gets a copy by post with the letter (an
    entry of its own in the post room, with a cover sheet), once. Inside the caller's
    transaction. Returns whether the copy was added."""
    if letter.is_copy or not letter.copies:
        return False
    if rows.state_of(register, letter.reference, CDK) is not None:
        return False
    why = "its letter's mail failed, and the Commissaris van de Koning was its Cc"
    enqueue(
        register, letter.batch, [Prepared(letter.reference, None, (), None, missing=why, role=CDK)]
    )
    return True


def claim(
    register: Register,
    reference: str,
    run: str,
    transport: str,
    states: tuple[str, ...],
    role: str = LETTER,
) -> int | None:
    """Take a letter for sending if it is still in one of ``states`` (``queued``, and
    ``in_doubt`` when those are sent again): one conditional update, on disk before the
    message leaves. Returns its attempt number, or None when another run (or ``withdraw``,
    or ``post``) changed it first. The attempt's ``send.attempt`` event records it."""
    with register.transaction(durable=True):
        item = entry(register, reference, role)
        if item is None or not CLAIM.apply(
            register,
            item,
            {},
            sources=(S(s) for s in states),
            count_attempt=True,
            run=run,
            transport=transport,
        ):
            return None
        return rows.attempts(register, reference, role)


def mark_stranded(register: Register, alive: Callable[[str | None], bool]) -> list[str]:
    """Letters left in ``sending`` by a run that died (``alive(run)`` is false): they become
    ``in_doubt``. A letter a live run (another ``send`` now) is sending is left alone."""
    stranded = []
    why = "the run that sent it stopped before the reply was recorded"
    with register.transaction():
        for item in entries(register, states=(S.SENDING,), copies=True):
            if alive(item.run):
                continue
            if IN_DOUBT.apply(register, item, {"run": item.run, "reply": why}, reply=why):
                stranded.append(item.label)
    return stranded
