"""One message in English and Dutch (the catalogue's entries, ``core/messages.py``)."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Literal

Lang = Literal["en", "nl"]


@dataclass(frozen=True)
class Wording:
    """One message in both languages."""

    en: str
    nl: str

    def placeholders(self, lang: Lang) -> set[str]:
        """The ``{names}`` the wording in ``lang`` fills in."""
        text = self.en if lang == "en" else self.nl
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
