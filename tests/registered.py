"""Letters recorded in the register alone (no files, nothing converted): fast set-ups for
the tests of what comes after a batch (replies, posting, the outbox, the report)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from ibtpost.data.config import load_config
from ibtpost.register import BatchRecord, LetterKey, PlannedLetter, Register
from ibtpost.register import cases as case_register
from ibtpost.register import letters as letter_register

DAY = date(2026, 4, 9)


def recorded_batch(root: Path, *codes: str, day: date = DAY) -> dict[str, str]:
    """A complete final trede-2 batch ``b1`` of ``codes`` in the register only (no files,
    nothing queued); the references by municipality code."""
    config = load_config(root)
    with Register.for_root(root) as register:
        refs = letter_register.open_batch(
            register,
            BatchRecord("b1", "trede-2", day, False, None),
            [
                PlannedLetter(
                    LetterKey("trede-2", code, day), 2, day + timedelta(weeks=3), None, False
                )
                for code in codes
            ],
            config.settings.references,
        )
        letter_register.finish_batch(register, "b1")
    return refs


def posted_letter(root: Path, code: str = "GM0622", day: date = DAY) -> str:
    """A final trede-2 letter for ``code`` recorded as posted on ``day``; its reference."""
    reference = recorded_batch(root, code, day=day)[code]
    with Register.for_root(root) as register:
        case_register.mark_sent(register, reference, "post", day)
    return reference
