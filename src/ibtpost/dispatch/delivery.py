"""The one read model of a letter's (or a copy's) delivery: its state, its channel and the
state's label in English and Dutch, from its register rows (the letter, its queue entry).

``ibtpost report``, ``ibtpost outbox``, the web's batch and letter pages, the MDTO export
and the case file all read a letter's delivery here, so they agree.

**Precedence.** The queue entry's state is the letter's state, with two exceptions:

- a letter the post room recorded as posted (``ibtpost post``) reads ``posted``, unless it
  goes by mail *and* post and its mail was sent: then it reads ``sent``, channel ``mail and
  post`` (both happened; the posting date is the letter's ``sent_on``, from which it
  counts);
- a letter without a queue entry reads ``posted`` once posted, else ``made`` (its files
  exist) or ``open``.

The channel is ``mail and post`` for a letter that goes both ways, else how the letter was
recorded as sent (``mail``, ``post``), else ``post`` while it waits for the post room or
after, else ``mail`` (``""`` while it is not queued).
"""

from __future__ import annotations

from dataclasses import dataclass

from ibtpost.core.messages import Lang, say
from ibtpost.dispatch.postfile import for_the_post_room
from ibtpost.dispatch.states import (
    FOR_THE_POST_ROOM,
    Channel,
    DispatchState,
    QueueEntry,
    entries,
    entry,
)
from ibtpost.register import LetterRecord, Register
from ibtpost.register import letters as letter_register

S = DispatchState
#: A letter that has no queue entry: its files are made, or not yet.
MADE = "made"
OPEN = "open"
#: Channels: how a letter goes (or went) out.
MAIL, POST, MAIL_AND_POST = Channel.MAIL, Channel.POST, Channel.MAIL_AND_POST
_CHANNEL_KEY: dict[str, str] = {
    MAIL: "channel.mail",
    POST: "channel.post",
    MAIL_AND_POST: "channel.both",
}


@dataclass(frozen=True)
class Delivery:
    """Where a letter (or copy) stands: one of :class:`DispatchState`, ``made`` or
    ``open``; its channel; the state's label in English and Dutch."""

    state: str
    channel: str  # a Channel, or "" while not queued
    label_en: str
    label_nl: str

    def label(self, lang: Lang) -> str:
        """The label in ``lang``."""
        return self.label_en if lang == "en" else self.label_nl

    def channel_label(self, lang: Lang) -> str:
        """The channel in words (``per e-mail en per post``), empty when not queued."""
        return channel_label(self.channel, lang)


def channel_label(channel: str, lang: Lang) -> str:
    """A channel in words (``per e-mail en per post``), empty for none."""
    key = _CHANNEL_KEY.get(channel)
    return say(key, lang) if key else ""


def delivery(letter: LetterRecord | None, item: QueueEntry | None) -> Delivery:
    """The delivery of a letter (``letter`` and its queue entry ``item``), or of a copy
    (``item`` a copy's entry; ``letter`` its letter or None)."""
    if item is not None and item.is_copy:
        by_post = item.state in (*FOR_THE_POST_ROOM, S.POSTED)
        return _labelled(item.state, POST if by_post else MAIL, posted=False)
    posted = letter is not None and letter.sent_via == POST
    if item is None:
        unqueued = S.POSTED if posted else (MADE if letter and letter.pdf_sha256 else OPEN)
        return _labelled(unqueued, POST if posted else "", posted=posted)
    state: str = item.state
    if posted and not (item.post_too and item.state == S.SENT):
        state = S.POSTED
    channel: str
    if item.post_too:
        channel = MAIL_AND_POST
    elif letter is not None and letter.sent_via is not None:
        channel = letter.sent_via
    elif item.state in (*FOR_THE_POST_ROOM, S.POSTED):
        channel = POST
    else:
        channel = MAIL
    return _labelled(state, channel, posted=posted)


def _labelled(state: str, channel: str, *, posted: bool) -> Delivery:
    key = "state.sent_and_posted" if posted and state == S.SENT else ""
    return Delivery(
        str(state),
        str(channel),
        say(key or f"state.{state}", "en"),
        say(key or f"state.{state}", "nl"),
    )


def batch_deliveries(register: Register, batch: str) -> dict[str, Delivery]:
    """The delivery of every letter of ``batch``, by reference."""
    queue = {e.reference: e for e in entries(register, batch)}
    return {
        x.reference: delivery(x, queue.get(x.reference))
        for x in letter_register.batch_letters(register, batch)
    }


def letter_delivery(register: Register, letter: LetterRecord) -> Delivery:
    """The delivery of one letter."""
    return delivery(letter, entry(register, letter.reference))


# -- the outbox ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchSummary:
    """One line of ``ibtpost outbox``."""

    batch: str
    letters: int
    not_queued: int
    queued: int
    sent: int
    failed: int
    in_doubt: int
    post: int  # waiting for the post room: no e-mail address known, or failed
    posted: int
    complete: bool
    concept: bool
    withdrawn: int = 0


def outbox_summary(register: Register) -> list[BatchSummary]:
    """Per batch how many letters are queued, sent, failed, in doubt or for the post room
    (each letter counted by its :func:`delivery`)."""
    out = []
    for batch in letter_register.batches(register):
        letters = letter_register.batch_letters(register, batch.id)
        found = batch_deliveries(register, batch.id)
        count = {
            state: sum(1 for d in found.values() if d.state == state)
            for state in (*DispatchState, MADE, OPEN)
        }
        out.append(
            BatchSummary(
                batch=batch.id,
                letters=len(letters),
                not_queued=count[MADE] + count[OPEN],
                queued=count[S.QUEUED] + count[S.SENDING],
                sent=count[S.SENT],
                failed=count[S.FAILED],
                in_doubt=count[S.IN_DOUBT],
                post=len(for_the_post_room(register, batch.id)),
                posted=sum(1 for letter in letters if letter.sent_via == POST),
                complete=batch.completed_at is not None,
                concept=batch.concept,
                withdrawn=count[S.WITHDRAWN],
            )
        )
    return out
