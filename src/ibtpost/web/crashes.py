"""Unexpected failures of ``ibtpost web`` (not an IbtpostError): logged with their traceback
under a short reference, which the page shows in Dutch instead of the exception."""

from __future__ import annotations

import logging
import secrets

LOG = logging.getLogger("ibtpost.web")


def log_crash(what: str) -> str:
    """Log the exception being handled, with its traceback, under a new reference (8 hex
    digits); returns the reference."""
    reference = secrets.token_hex(4)
    LOG.error("%s failed unexpectedly (reference %s)", what, reference, exc_info=True)
    return reference


def crash_text(reference: str) -> str:
    """What a page says about the unexpected failure logged under ``reference``."""
    return (
        f"Er ging onverwacht iets mis (foutreferentie {reference}). De details staan in het "
        "logboek van de server; noem deze referentie als u de fout meldt."
    )
