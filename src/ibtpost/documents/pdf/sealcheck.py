"""Judging seals: a sealed letter's PDF against the trust roots (the letter checks before
``queue``), and the roots themselves as ``config/settings.yaml`` names them. Sealing is
:mod:`ibtpost.documents.pdf.seal`."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509

from ibtpost.core.domain import SealSettings
from ibtpost.core.errors import DataError, Location

SETTINGS_FILE = "config/settings.yaml"


def where(settings: SealSettings, key: str) -> Location:
    """Where a setting of ``signing:`` is: config/settings.yaml, its line, the key."""
    return Location(SETTINGS_FILE, settings.lines.get(key, settings.lines.get("signing")), key)


def load_certs(settings: SealSettings, key: str, files: tuple[Path, ...]) -> list[x509.Certificate]:
    """The certificates in ``files`` (PEM or DER); DataError naming the setting ``key``."""
    certs: list[x509.Certificate] = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DataError(f"cannot read {path}: {exc.strerror}", where(settings, key)) from None
        try:
            if pem.detect(data):
                certs.extend(
                    x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)
                )
            else:
                certs.append(x509.Certificate.load(data))
            for cert in certs:
                _ = cert.native  # parse now, not later
        except (ValueError, TypeError) as exc:
            raise DataError(
                f"{path.name} is not a certificate (PEM or DER): {exc}", where(settings, key)
            ) from None
    return certs


def root_certificates(settings: SealSettings) -> list[bytes]:
    """The DER bytes of the trust roots (for the letter checks)."""
    return [c.dump() for c in load_certs(settings, "signing.trust_roots", settings.trust_roots)]


def timestamp_root_certificates(settings: SealSettings) -> list[bytes]:
    """The DER bytes of the roots a seal's timestamp must chain to (for the letter checks):
    ``signing.timestamp_trust_roots``, else the seal's own roots."""
    key = (
        "signing.timestamp_trust_roots" if settings.timestamp_trust_roots else "signing.trust_roots"
    )
    return [c.dump() for c in load_certs(settings, key, settings.timestamp_roots)]


@functools.lru_cache(maxsize=8)
def validation_context(roots: tuple[bytes, ...]) -> Any:
    """One validation context per set of roots (DER), made once per process and kept: the
    letter checks judge every letter of a run against the same one."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=[x509.Certificate.load(r) for r in roots],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def is_sealed(pdf: bytes) -> bool:
    """Whether ``pdf`` carries a signature (a quick look, not a validation)."""
    return b"/ByteRange" in pdf and b"/Sig" in pdf


def seal_problems(
    pdf: bytes, roots: Sequence[bytes], timestamp_roots: Sequence[bytes] | None = None
) -> list[str]:
    """What is wrong with the seal of ``pdf`` judged against ``roots`` (DER certificates)
    and its timestamp against ``timestamp_roots`` (default: ``roots``): no seal, not intact
    or not valid, not covering the whole file, not chaining to the roots, or a timestamp
    that is not valid. Empty when the seal is good."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # a PDF pyHanko cannot read has no seal we can trust
        return [f"the seal cannot be read: {exc}"]
    if not signatures:
        return ["not sealed"]
    context = validation_context(tuple(roots))
    stamps = validation_context(tuple(timestamp_roots if timestamp_roots else roots))
    problems = []
    for signature in signatures:
        name = signature.field_name
        try:
            status = validate_pdf_signature(signature, context, ts_validation_context=stamps)
        except Exception as exc:  # a malformed signature is a failed one
            problems.append(f"seal {name}: cannot be validated: {exc}")
            continue
        if not status.intact or not status.valid:
            problems.append(
                f"seal {name}: broken (the file changed after sealing, or the signature is wrong)"
            )
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            problems.append(f"seal {name}: does not cover the whole file")
        if not status.trusted:
            problems.append(f"seal {name}: the certificate does not chain to signing.trust_roots")
        stamp = status.timestamp_validity
        if stamp is not None and not (stamp.intact and stamp.valid and stamp.trusted):
            problems.append(f"seal {name}: the timestamp is not valid")
    return problems
