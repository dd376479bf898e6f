"""``signing:`` in config/settings.yaml: the e-seal on every final letter's PDF.

Only the form is checked here (keys, types, one source of the key); whether the files
exist, the password or PIN is right, the certificate is valid and matches the key and the
timestamp server answers is checked when the seal is opened
(:mod:`ibtpost.documents.pdf.seal`), by ``ibtpost check`` and before a batch records
anything.
"""

from __future__ import annotations

from pathlib import Path

from ibtpost.core.domain import SealSettings
from ibtpost.core.errors import DataError, Location
from ibtpost.core.yamlsource import YList, YMap
from ibtpost.data.collect import Collector

KEYS = {
    "pkcs12",
    "password_env",
    "pkcs11",
    "certificate",
    "chain",
    "trust_roots",
    "timestamp_trust_roots",
    "timestamp_url",
    "reason",
    "location",
    "field_name",
    "visible",
}
PKCS11_KEYS = {"library", "slot", "token_label", "key_label", "pin_env"}
DEFAULT_PASSWORD_ENV = "IBTPOST_SEAL_PASSWORD"
DEFAULT_PIN_ENV = "IBTPOST_SEAL_PIN"


def load_signing(
    data: object, line: int, label: str, root: Path, c: Collector
) -> SealSettings | None:
    """The ``signing:`` mapping of settings.yaml, or None when it is absent or empty."""
    if data is None:
        return None
    if not isinstance(data, YMap):
        c.add(
            DataError(
                "must be a mapping (see README: Sealed letters)", Location(label, line, "signing")
            )
        )
        return None
    lines = {f"signing.{k}": data.line_of(k) for k in data}
    lines["signing"] = data.line

    def fail(message: str, key: str, where: YMap = data, prefix: str = "signing.") -> None:
        c.add(DataError(message, Location(label, where.line_of(key), prefix + key)))

    for key in sorted(set(data) - KEYS):
        fail(f"unknown key; use {', '.join(sorted(KEYS))}", key)

    def text(
        key: str, where: YMap = data, prefix: str = "signing.", default: str | None = None
    ) -> str | None:
        value = where.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            fail("must be a non-empty text", key, where, prefix)
            return None
        return value.strip()

    def path(key: str) -> Path | None:
        value = text(key)
        return (root / value) if value else None

    def paths(key: str) -> tuple[Path, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, YList | list) or not all(isinstance(v, str) and v for v in value):
            fail("must be a file name or a list of file names", key)
            return ()
        return tuple(root / v for v in value)

    pkcs12 = path("pkcs12")
    library = slot = token = key_label = None
    pin_env = DEFAULT_PIN_ENV
    p11 = data.get("pkcs11")
    if p11 is not None:
        if not isinstance(p11, YMap):
            fail(
                "must be a mapping with library, slot or token_label, key_label, pin_env", "pkcs11"
            )
        else:
            lines.update({f"signing.pkcs11.{k}": p11.line_of(k) for k in p11})
            for key in sorted(set(p11) - PKCS11_KEYS):
                fail(
                    f"unknown key; use {', '.join(sorted(PKCS11_KEYS))}",
                    key,
                    p11,
                    "signing.pkcs11.",
                )
            library = text("library", p11, "signing.pkcs11.")
            token = text("token_label", p11, "signing.pkcs11.")
            key_label = text("key_label", p11, "signing.pkcs11.")
            pin_env = text("pin_env", p11, "signing.pkcs11.", DEFAULT_PIN_ENV) or DEFAULT_PIN_ENV
            raw_slot = p11.get("slot")
            if raw_slot is not None and (
                isinstance(raw_slot, bool) or not isinstance(raw_slot, int)
            ):
                fail("must be a slot number", "slot", p11, "signing.pkcs11.")
            else:
                slot = raw_slot
            if library is None:
                fail("names the PKCS#11 library (.so)", "library", p11, "signing.pkcs11.")
            if key_label is None:
                fail("names the key on the token", "key_label", p11, "signing.pkcs11.")
            if slot is None and token is None:
                fail("needs a slot or a token_label", "slot", p11, "signing.pkcs11.")
    if (pkcs12 is None) == (p11 is None):
        fail("needs exactly one of pkcs12 (a file) and pkcs11 (a token)", "pkcs12")
    if pkcs12 is not None and data.get("certificate") is not None:
        fail("only with pkcs11: a PKCS#12 file holds its certificate", "certificate")
    trust_roots = paths("trust_roots")
    if not trust_roots:
        fail("names the trust root certificate(s) a seal must chain to", "trust_roots")
    url = text("timestamp_url")
    if url is not None and not url.startswith(("http://", "https://")):
        fail("must be an http:// or https:// URL", "timestamp_url")
    visible = data.get("visible", False)
    if not isinstance(visible, bool):
        fail("must be true or false", "visible")
        visible = False
    return SealSettings(
        pkcs12=pkcs12,
        password_env=text("password_env", default=DEFAULT_PASSWORD_ENV) or DEFAULT_PASSWORD_ENV,
        pkcs11_library=library,
        pkcs11_slot=slot,
        pkcs11_token=token,
        key_label=key_label,
        certificate=path("certificate"),
        pin_env=pin_env,
        chain=paths("chain"),
        trust_roots=trust_roots,
        timestamp_url=url,
        timestamp_trust_roots=paths("timestamp_trust_roots"),
        reason=text("reason", default="Gezegeld door het Ministerie van Asiel en Migratie") or "",
        location=text("location", default="Den Haag") or "",
        field_name=text("field_name", default="Zegel") or "Zegel",
        visible=visible,
        lines=lines,
    )
