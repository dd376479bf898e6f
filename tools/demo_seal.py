"""A test PKI for the e-seal: a CA, an organisation-seal certificate and a timestamp
authority (TSA) certificate, made with the `cryptography` package. Marked everywhere as
"niet geldig, demo": no one trusts it but the settings that name its root.

    python tools/demo_seal.py --out outbox/demo-seal [--password demo]

writes ca.pem (the trust root), seal.p12 (key and certificate, password from --password),
seal-key.pem and seal.pem (for a PKCS#11 token), tsa.pem and tsa-key.pem. The tests use
the same functions with their own lifetimes, key types and mistakes.
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEMO = "niet geldig, demo"
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass
class Issued:
    """A certificate and its key."""

    cert: x509.Certificate
    key: PrivateKey

    def cert_pem(self) -> bytes:
        """The certificate, PEM."""
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        """The key, PKCS#8 PEM, unencrypted."""
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def new_key(kind: str = "ec") -> PrivateKey:
    """An EC P-256 key, or RSA 2048 with ``kind="rsa"``."""
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"ibtpost test-PKI ({DEMO})"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def make_ca(now: dt.datetime | None = None) -> Issued:
    """A self-signed CA, valid ten years from a day ago."""
    now = now or dt.datetime.now(dt.UTC)
    key = new_key()
    name = _name(f"Demo CA ({DEMO})")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return Issued(cert, key)


def issue(
    ca: Issued,
    common: str,
    *,
    tsa: bool = False,
    kind: str = "ec",
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> Issued:
    """A certificate signed by ``ca``: an organisation seal, or with ``tsa`` a timestamp
    authority's (extended key usage timeStamping, critical)."""
    now = dt.datetime.now(dt.UTC)
    key = new_key(kind)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=1))
        .not_valid_after(not_after or now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=not tsa, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )  # fmt: skip
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def p12(seal: Issued, ca: Issued, password: bytes, key: PrivateKey | None = None) -> bytes:
    """A PKCS#12 file of ``seal`` (or of ``key`` with seal's certificate) and the CA."""
    return pkcs12.serialize_key_and_certificates(
        b"zegel",
        key or seal.key,
        seal.cert,
        [ca.cert],
        serialization.BestAvailableEncryption(password),
    )


def write_demo(out: Path, password: str) -> None:
    """The demo PKI's files in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    ca = make_ca()
    seal = issue(ca, f"Demozegel Asiel en Migratie ({DEMO})")
    tsa = issue(ca, f"Demo tijdstempeldienst ({DEMO})", tsa=True, kind="rsa")
    (out / "ca.pem").write_bytes(ca.cert_pem())
    (out / "seal.p12").write_bytes(p12(seal, ca, password.encode()))
    (out / "seal.pem").write_bytes(seal.cert_pem())
    (out / "seal-key.pem").write_bytes(seal.key_pem())
    (out / "tsa.pem").write_bytes(tsa.cert_pem())
    (out / "tsa-key.pem").write_bytes(tsa.key_pem())


def main() -> None:
    """Write the demo PKI."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--password", default="demo")
    args = parser.parse_args()
    write_demo(args.out, args.password)
    print(args.out)


if __name__ == "__main__":
    main()
