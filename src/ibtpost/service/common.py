"""What the use cases share: a line of a result's summary, and what was not found.

A use case words nothing itself: it returns :class:`Line` objects, a key of the message
catalogue (:mod:`ibtpost.core.messages`) with its values, and each front end says them in
its language (the command line English, ``ibtpost web`` Dutch).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ibtpost.core.errors import Location, Phrase, PlainWords, UsageError, worded
from ibtpost.core.messages import Lang, say


@dataclass(frozen=True)
class Line:
    """One line of a summary: a catalogue key and the values it fills in. A value that is
    itself a :class:`Line` is said in the same language first."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: Lang) -> str:
        """The line in ``lang``."""
        values = {
            name: value.text(lang)
            if isinstance(value, Line)
            else worded(value.key, value.values, PlainWords(lang))
            if isinstance(value, Phrase)
            else value
            for name, value in self.values.items()
        }
        return say(self.key, lang, **values)


def line(key: str, /, **values: object) -> Line:
    """``Line(key, values)``."""
    return Line(key, values)


def warning_lines(warnings: Iterable[str | Phrase]) -> list[Line]:
    """One ``warning: ...`` line per warning; a :class:`Phrase` is said in the line's
    language, a plain text (a converter's repair, in English) as it is."""
    return [
        line(
            "summary.warning",
            warning=Line(w.key, w.values) if isinstance(w, Phrase) else w,
        )
        for w in warnings
    ]


def count(number: int, one: str, many: str) -> Line:
    """``number`` with the word ``one`` or ``many`` (catalogue keys) as fits."""
    return line(one if number == 1 else many, count=number)


class NotFound(UsageError):
    """What a use case was asked about does not exist (a letter, a batch, a file)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"not found: {what}", Location(None))
        self.what = what
