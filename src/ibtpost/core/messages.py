"""One message catalogue, English and Dutch side by side: the labels of states and the
summaries of results that the command line (English) and ``ibtpost web`` (Dutch) show.

A front end never words a result itself: it asks ``say(key, lang, **values)``. A key names
what is said (``state.sent``, ``summary.queue``), the values fill ``{placeholders}`` that
both languages share (a test checks that they do). Letter and mail texts are not here: those
are the lawyers' texts under letters/ and templates/.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Literal

Lang = Literal["en", "nl"]
LANGS: tuple[Lang, ...] = ("en", "nl")


@dataclass(frozen=True)
class Wording:
    """One message in both languages."""

    en: str
    nl: str

    def placeholders(self, lang: Lang) -> set[str]:
        """The ``{names}`` the wording in ``lang`` fills in."""
        text = self.en if lang == "en" else self.nl
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}


CATALOGUE: dict[str, Wording] = {
    # -- delivery states of a letter or copy (ibtpost.dispatch's read model) -----------------
    "state.open": Wording("not made yet", "nog niet gemaakt"),
    "state.made": Wording("made, not queued", "gemaakt, niet klaargezet"),
    "state.queued": Wording("queued for e-mail", "klaargezet voor e-mail"),
    "state.sending": Wording("being sent", "wordt verzonden"),
    "state.sent": Wording("sent", "verzonden"),
    "state.failed": Wording("failed (to the post room)", "mislukt (naar de postkamer)"),
    "state.in_doubt": Wording("in doubt", "onzeker"),
    "state.post": Wording("waiting for the post room", "wacht op de postkamer"),
    "state.withdrawn": Wording("withdrawn", "teruggetrokken"),
    "state.posted": Wording("sent by post", "per post verzonden"),
    "state.sent_and_posted": Wording(
        "sent by e-mail and by post", "per e-mail en per post verzonden"
    ),
    "channel.mail": Wording("by e-mail", "per e-mail"),
    "channel.post": Wording("by post", "per post"),
    "channel.both": Wording("by post and by e-mail", "per post en per e-mail"),
    # -- summaries: dispatch (queue, send, withdraw, post) ------------------------------------
    # -- summaries: production and review (batch, preview, proof, import, approve, reply) -----
    # -- errors and hints ---------------------------------------------------------------------
}


def say(key: str, lang: Lang, /, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in; KeyError for an unknown key."""
    wording = CATALOGUE[key]
    return (wording.en if lang == "en" else wording.nl).format(**values)
