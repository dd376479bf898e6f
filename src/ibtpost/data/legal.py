"""config/legal.yaml: legal text a lawyer fills in and verifies, not text the software
settles: the legal basis, the verdeelbesluit, the Raad van State's address for the
rechtsmiddelenclausule, signature formulas, what "voorzien" means in a dictum.

Each entry has ``text`` (null while nobody filled it in), ``source`` (where the wording
comes from) and ``verified_by`` and ``verified_on`` (empty until a lawyer checked it).
Letter texts use an entry as ``{{ legal.<name> }}``. A letter that uses an entry that is
not verified can only be made as a concept; ``ibtpost check`` lists such entries and
``ibtpost approve`` refuses such a letter.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ibtpost.core.domain import LegalEntry
from ibtpost.core.errors import DataError, Location
from ibtpost.core.yamlsource import YMap
from ibtpost.data.collect import Collector, optional_mapping

LEGAL_FILE = "legal.yaml"
ENTRY_KEYS = {"text", "source", "verified_by", "verified_on"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def load_legal(path: Path, label: str, c: Collector) -> dict[str, LegalEntry]:
    """Read config/legal.yaml (optional): entry name -> its text and verification."""
    data = optional_mapping(path, label, c, "entry names to entries")
    result: dict[str, LegalEntry] = {}
    for name, item in data.items():
        line = data.line_of(name)
        where = Location(label, line, name)
        if not _NAME.match(str(name)):
            c.add(DataError("an entry name is lower case letters, digits and _", where))
            continue
        if not isinstance(item, YMap):
            c.add(DataError("must be a mapping with text, source, verified_by, verified_on", where))
            continue

        def fail(message: str, key: str, entry: YMap = item, entry_name: str = str(name)) -> None:
            c.add(DataError(message, Location(label, entry.line_of(key), f"{entry_name}.{key}")))

        for key in sorted(set(item) - ENTRY_KEYS):
            fail(f"unknown key; use {', '.join(sorted(ENTRY_KEYS))}", key)
        text, source, by, on = (
            item.get(k) for k in ("text", "source", "verified_by", "verified_on")
        )
        if text is not None and (not isinstance(text, str) or not text.strip()):
            fail("must be text, or null while not filled in", "text")
        elif not isinstance(source, str) or not source.strip():
            fail("says where the wording comes from; it is missing", "source")
        elif by is not None and (not isinstance(by, str) or not by.strip()):
            fail("must be a name, or null", "verified_by")
        elif on is not None and not isinstance(on, date):
            fail("must be a date like 2026-12-01, or null", "verified_on")
        elif (by is None) != (on is None):
            fail("verified_by and verified_on go together: both, or neither", "verified_by")
        else:
            result[str(name)] = LegalEntry(
                str(name),
                " ".join(text.split()) if isinstance(text, str) else None,
                " ".join(source.split()),
                by.strip() if isinstance(by, str) else None,
                on,
                Location(label, line, str(name)),
            )
    return result
