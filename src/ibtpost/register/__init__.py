"""The register: one SQLite file (outbox/register.sqlite) with every reference, letter, batch,
case, queue entry, letter version and audit event. All SQL of ibtpost lives in this package."""

from ibtpost.core.layout import REGISTER_NAME
from ibtpost.core.records import BatchRecord, CaseRecord, LetterKey, LetterRecord, PlannedLetter
from ibtpost.register.connection import Register
from ibtpost.register.references import validate_reference

__all__ = [
    "REGISTER_NAME",
    "BatchRecord",
    "CaseRecord",
    "LetterKey",
    "LetterRecord",
    "PlannedLetter",
    "Register",
    "validate_reference",
]
