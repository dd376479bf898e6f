"""The register of one ibtpost root: the connection with the tables' operations mixed in.

A reference ("Onze referentie") belongs to one letter forever: the same letter (definition,
municipality, date) asked for again gets the same reference, and a reference is never given
to a different letter. Allocation happens in one IMMEDIATE transaction, so two processes
never draw the same number. The schema is versioned with ``PRAGMA user_version``.
"""

from __future__ import annotations

from ibtpost.register.cases import Cases
from ibtpost.register.letters import Letters


class Register(Letters, Cases):
    """The SQLite register of one ibtpost root (``Register.for_root(root)``)."""
