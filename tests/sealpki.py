"""The test PKI of the seal tests, made in the tests (tools/demo_seal.py with the
`cryptography` package): a CA, an EC P-256 organisation seal, an RSA timestamp authority
served on 127.0.0.1, and the bad cases (expired, untrusted, key not matching)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tools.demo_seal import Issued, issue, make_ca, p12
from tools.tsa_server import TsaServer

PASSWORD = "zegel-test"
TOKEN_PIN = "12345678"


@dataclass
class Pki:
    """Files of the test PKI in ``folder`` and the running TSA."""

    folder: Path
    ca: Issued
    seal: Issued
    tsa: TsaServer

    def signing(self, **overrides: str) -> str:
        """A ``signing:`` block for settings.yaml (PKCS#12, B-T), keys overridden as given
        (a value "" leaves the key out)."""
        values = {
            "pkcs12": str(self.folder / "seal.p12"),
            "trust_roots": str(self.folder / "ca.pem"),
            "timestamp_url": self.tsa.url,
            "reason": "Gezegeld (test)",
            "location": "Den Haag",
        } | overrides
        body = "".join(f"  {k}: {v}\n" for k, v in values.items() if v)
        return "\nsigning:\n" + body

    def token(self) -> str:
        """A SoftHSM token (PKCS#11) holding the seal's key, made once; the ``signing:``
        block that uses it (PIN in $IBTPOST_SEAL_PIN). Sets SOFTHSM2_CONF."""
        conf = self.folder / "softhsm2.conf"
        if not conf.exists():
            tokens = self.folder / "tokens"
            tokens.mkdir()
            conf.write_text(
                f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
            )
            os.environ["SOFTHSM2_CONF"] = str(conf)
            util = ["softhsm2-util"]
            subprocess.run(
                [*util, "--init-token", "--free", "--label", "ibt-test", "--pin", TOKEN_PIN,
                 "--so-pin", "87654321"], check=True, capture_output=True,
            )  # fmt: skip
            subprocess.run(
                [*util, "--import", str(self.folder / "seal-key.pem"), "--token", "ibt-test",
                 "--label", "zegel", "--id", "01", "--pin", TOKEN_PIN],
                check=True, capture_output=True,
            )  # fmt: skip
        return (
            "\nsigning:\n  pkcs11:\n    library: /usr/lib/softhsm/libsofthsm2.so\n"
            "    token_label: ibt-test\n    key_label: zegel\n"
            f"  certificate: {self.folder / 'seal.pem'}\n"
            f"  trust_roots: {self.folder / 'ca.pem'}\n"
            f"  timestamp_url: {self.tsa.url}\n"
        )

    def nss(self) -> Path:
        """An NSS database that trusts the test CA, for pdfsig."""
        folder = self.folder / "nss"
        if not folder.exists():
            folder.mkdir()
            subprocess.run(
                ["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True
            )
            subprocess.run(
                ["certutil", "-A", "-d", f"sql:{folder}", "-n", "test-ca", "-t", "CT,C,C",
                 "-i", str(self.folder / "ca.pem")],
                check=True,
            )  # fmt: skip
        return folder


def make_pki(folder: Path) -> Iterator[Pki]:
    """The PKI's files and a TSA on 127.0.0.1 for as long as the generator lives."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = make_ca()
    seal = issue(ca, "Organisatiezegel (test)")
    tsa = issue(ca, "Tijdstempeldienst (test)", tsa=True, kind="rsa")
    now = dt.datetime.now(dt.UTC)
    expired = issue(
        ca, "Verlopen zegel (test)", not_before=now - dt.timedelta(days=400),
        not_after=now - dt.timedelta(days=2),
    )  # fmt: skip
    stranger_ca = make_ca()
    stranger = issue(stranger_ca, "Zegel van een andere CA (test)")
    password = PASSWORD.encode()
    (folder / "ca.pem").write_bytes(ca.cert_pem())
    (folder / "seal.p12").write_bytes(p12(seal, ca, password))
    (folder / "seal.pem").write_bytes(seal.cert_pem())
    (folder / "seal-key.pem").write_bytes(seal.key_pem())
    (folder / "expired.p12").write_bytes(p12(expired, ca, password))
    (folder / "untrusted.p12").write_bytes(p12(stranger, stranger_ca, password))
    (folder / "other.pem").write_bytes(issue(ca, "Een ander zegel (test)").cert_pem())
    with TsaServer(tsa, ca) as server:
        yield Pki(folder, ca, seal, server)
