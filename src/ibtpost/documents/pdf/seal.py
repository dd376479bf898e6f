"""The e-seal: PAdES signatures on final letters with pyHanko, and their validation.

:class:`Sealer` opens the key and certificate once (a PKCS#12 file, its password from the
environment, or a PKCS#11 token, its PIN from the environment), checks everything that can
be checked before a batch records anything (the files, the password or PIN, the
certificate's validity period and its chain to the trust roots, that the key matches the
certificate, that the timestamp server answers), and then seals PDFs: an invisible
signature field, reason and location set, PAdES baseline B-T with a timestamp server and
B-B without (visible with ``visible: true``: a box on the last page, its font embedded),
as an incremental update (the PDF/A identification, tagging and fonts stay
as they are). The signature space is reserved, so pyHanko signs once per letter.

:func:`seal_problems` validates the seals of a PDF against trust roots: intact, valid,
covering the whole file, chaining to the roots, and its timestamp valid when present.
Every problem of the configuration is a :class:`~ibtpost.core.errors.DataError` naming the
setting in ``config/settings.yaml``.
"""

from __future__ import annotations

import asyncio
import functools
import io
import os
import tempfile
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import tsp, x509
from cryptography import x509 as pyca_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from ibtpost.core.domain import SealSettings
from ibtpost.core.errors import DataError
from ibtpost.documents.pdf.sealcheck import load_certs, validation_context, where

#: Bytes reserved for the signature container: the certificates, the signature and (B-T)
#: the timestamp token with the TSA's certificates.
RESERVED = 8192
RESERVED_WITH_TIMESTAMP = 16384


class _Timestamper:
    """An RFC 3161 client over HTTP (urllib): pyHanko's TimeStamper interface."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        from pyhanko.sign.timestamps.api import TimeStamper

        class _Client(TimeStamper):
            async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
                return await asyncio.to_thread(_post, url, req.dump(), timeout)

        self.client = _Client()  # type: ignore[no-untyped-call]


def _post(url: str, body: bytes, timeout: float) -> tsp.TimeStampResp:
    request = urllib.request.Request(  # noqa: S310 (the configured TSA, http or https)
        url, data=body, headers={"Content-Type": "application/timestamp-query"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        if response.headers.get_content_type() != "application/timestamp-reply":
            raise OSError(f"answered {response.headers.get_content_type()}, not a timestamp")
        return tsp.TimeStampResp.load(response.read())


class Sealer:
    """The seal of a batch: key and certificate opened and checked once, then many PDFs."""

    def __init__(self, settings: SealSettings, now: datetime | None = None) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._session: Any = None
        self._font: Any = None
        try:
            self._open(now)
        except BaseException:
            self.close()  # a token session opened before the problem was found
            raise

    def _open(self, now: datetime | None) -> None:
        from pyhanko.sign import fields, signers
        from pyhanko_certvalidator import ValidationContext

        settings = self.settings
        self.trust_roots = load_certs(settings, "signing.trust_roots", settings.trust_roots)
        if not self.trust_roots:
            raise DataError("no certificate found", where(settings, "signing.trust_roots"))
        chain = load_certs(settings, "signing.chain", settings.chain)
        self.signer = self._open_signer(chain)
        cert: x509.Certificate = self.signer.signing_cert
        self.certificate = cert
        moment = now or datetime.now(UTC)
        source = "signing.pkcs12" if settings.pkcs12 else "signing.pkcs11.key_label"
        valid = cert["tbs_certificate"]["validity"]
        not_before = valid["not_before"].native
        not_after = valid["not_after"].native
        if moment > not_after:
            raise DataError(
                f"the signing certificate ({cert.subject.human_friendly}) expired on "
                f"{not_after:%Y-%m-%d}",
                where(settings, source),
            )
        if moment < not_before:
            raise DataError(
                f"the signing certificate is not valid before {not_before:%Y-%m-%d}",
                where(settings, source),
            )
        self._check_key_matches(source)
        self.context = ValidationContext(
            trust_roots=self.trust_roots,
            other_certs=chain,
            allow_fetching=False,
            revocation_mode="soft-fail",
        )
        self._check_chain(source, chain)
        self.timestamper = None
        if settings.timestamp_url:
            self.timestamper = _Timestamper(settings.timestamp_url).client
            self._check_timestamper(self.timestamper)
        self.meta = signers.PdfSignatureMetadata(
            field_name=settings.field_name,
            reason=settings.reason,
            location=settings.location,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        self.field = fields.SigFieldSpec(sig_field_name=settings.field_name)
        self.style: Any = None
        if settings.visible:
            # kept while the sealer lives (pyHanko reads it per seal); close() removes it
            self._font = tempfile.NamedTemporaryFile(prefix="ibtpost-seal-", suffix=".ttf")  # noqa: SIM115
            self.field, self.style = _visible(settings, Path(self._font.name))
        self.level = "B-T" if self.timestamper else "B-B"

    # -- opening -----------------------------------------------------------------------

    def _open_signer(self, chain: list[x509.Certificate]) -> Any:
        settings = self.settings
        if settings.pkcs12 is not None:
            from pyhanko.sign import signers

            key = "signing.pkcs12"
            try:
                data = settings.pkcs12.read_bytes()
            except OSError as exc:
                raise DataError(
                    f"cannot read {settings.pkcs12}: {exc.strerror}", where(settings, key)
                ) from None
            password = os.environ.get(settings.password_env)
            try:
                return signers.SimpleSigner.load_pkcs12_data(
                    data, chain, password.encode("utf-8") if password is not None else None
                )
            except ValueError:
                why = (
                    f"${settings.password_env} is not set"
                    if password is None
                    else f"wrong password (${settings.password_env}) or not a PKCS#12 file"
                )
                raise DataError(
                    f"cannot open {settings.pkcs12.name}: {why}", where(settings, key)
                ) from None
        return self._open_pkcs11(chain)

    def _open_pkcs11(self, chain: list[x509.Certificate]) -> Any:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11

        settings = self.settings
        pin = os.environ.get(settings.pin_env)
        if pin is None:
            raise DataError(
                f"${settings.pin_env} (the token's PIN) is not set",
                where(settings, "signing.pkcs11.pin_env"),
            )
        library = str(settings.pkcs11_library)
        if not Path(library).is_file():
            raise DataError(
                f"PKCS#11 library {library} not found", where(settings, "signing.pkcs11.library")
            )
        try:
            self._session = pkcs11.open_pkcs11_session(
                library,
                slot_no=settings.pkcs11_slot,
                token_criteria=TokenCriteria(label=settings.pkcs11_token)
                if settings.pkcs11_token
                else None,
                user_pin=pin,
            )
        except Exception as exc:  # python-pkcs11 raises many kinds; each means: not opened
            if type(exc).__name__ in ("PinIncorrect", "PinLenRange", "PinInvalid"):
                raise DataError(
                    f"the token refused the PIN in ${settings.pin_env} ({type(exc).__name__})",
                    where(settings, "signing.pkcs11.pin_env"),
                    hint=f"set ${settings.pin_env} to the token's user PIN",
                ) from None
            raise DataError(
                f"cannot open the token: {type(exc).__name__} {exc}".strip(),
                where(
                    settings,
                    "signing.pkcs11.token_label"
                    if settings.pkcs11_token
                    else "signing.pkcs11.slot",
                ),
            ) from None
        cert = None
        if settings.certificate is not None:
            (cert, *_) = load_certs(settings, "signing.certificate", (settings.certificate,)) or [
                None
            ]
            if cert is None:
                raise DataError("no certificate found", where(settings, "signing.certificate"))

        def make(raw: bool) -> Any:
            signer = pkcs11.PKCS11Signer(
                self._session,
                key_label=settings.key_label,
                cert_label=None if cert is not None else settings.key_label,
                signing_cert=cert,
                ca_chain=chain,
                use_raw_mechanism=raw,
            )
            _ = signer.signing_cert  # loads the key and certificate now
            return signer

        try:
            signer = make(raw=False)
            # an EC key: hash here and let the token sign the digest (CKM_ECDSA), which
            # every token has; not all have ECDSA with SHA-256 in one mechanism (SoftHSM)
            if signer.signing_cert.public_key.algorithm == "ec":
                signer = make(raw=True)
        except Exception as exc:  # not found on the token, or ambiguous
            raise DataError(
                f"key or certificate {settings.key_label!r} not usable on the token: {exc}",
                where(settings, "signing.pkcs11.key_label"),
            ) from None
        return signer

    def _check_key_matches(self, source: str) -> None:
        """Sign a test message with the key and verify it with the certificate."""
        probe = b"ibtpost: does the key match the certificate?"
        try:
            signature = asyncio.run(self.signer.async_sign_raw(probe, "sha256"))
        except Exception as exc:  # the token or key refused to sign
            why = str(exc) or type(exc).__name__
            raise DataError(f"the key cannot sign: {why}", where(self.settings, source)) from None
        public = pyca_x509.load_der_x509_certificate(self.certificate.dump()).public_key()
        try:
            if isinstance(public, ec.EllipticCurvePublicKey):
                public.verify(signature, probe, ec.ECDSA(hashes.SHA256()))
            elif isinstance(public, rsa.RSAPublicKey):
                public.verify(signature, probe, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise DataError(
                "the key does not match the certificate", where(self.settings, source)
            ) from None

    def _check_chain(self, source: str, chain: list[x509.Certificate]) -> None:
        from pyhanko_certvalidator import CertificateValidator
        from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

        validator = CertificateValidator(
            self.certificate, intermediate_certs=chain, validation_context=self.context
        )
        try:
            asyncio.run(validator.async_validate_usage({"digital_signature"}))  # type: ignore[no-untyped-call]
        except (PathBuildingError, PathValidationError) as exc:
            raise DataError(
                f"the signing certificate does not chain to signing.trust_roots: {exc}",
                where(self.settings, source),
            ) from None

    def _check_timestamper(self, timestamper: Any) -> None:
        """The timestamp server answers, and its token is trusted as the letter checks at
        ``queue`` will judge it (``signing.timestamp_trust_roots``, else the seal's roots):
        a server under another root cannot pass here and then fail every letter."""
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError
        from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
        from pyhanko.sign.validation.status import TimestampSignatureStatus

        digest = b"\0" * 32
        try:
            token = asyncio.run(timestamper.async_timestamp(digest, "sha256"))
        except (OSError, TimestampRequestError, urllib.error.URLError, ValueError) as exc:
            raise DataError(
                f"the timestamp server does not answer: {exc}",
                where(self.settings, "signing.timestamp_url"),
            ) from None
        settings = self.settings
        key = (
            "signing.timestamp_trust_roots"
            if settings.timestamp_trust_roots
            else "signing.trust_roots"
        )
        roots = tuple(c.dump() for c in load_certs(settings, key, settings.timestamp_roots))
        try:
            found = asyncio.run(
                validate_tst_signed_data(
                    token["content"], validation_context(roots), lambda _: digest
                )
            )
            trusted = TimestampSignatureStatus(**found).trusted
        except Exception:  # a token that cannot be validated is not trusted
            trusted = False
        if not trusted:
            raise DataError(
                "the timestamp server's certificate does not chain to "
                f"{key}; its timestamps would fail the letter checks at queue",
                where(settings, key),
            )

    # -- sealing -----------------------------------------------------------------------

    def seal(self, pdf: bytes) -> bytes:
        """``pdf`` with the seal, as an incremental update."""
        writer_class, signer_class = _pdf_classes()
        writer = writer_class(io.BytesIO(pdf), strict=False)
        if b"pdfuaid" in pdf:  # a PDF/UA letter: its seal's field in its structure too
            _tagged_field(writer, self.field, self.settings.field_name)
        signer = signer_class(
            self.meta,
            self.signer,
            timestamper=self.timestamper,
            new_field_spec=self.field,
            stamp_style=self.style,
        )
        out = io.BytesIO()
        reserved = RESERVED_WITH_TIMESTAMP if self.timestamper else RESERVED
        if self._session is not None:
            with self._lock:  # one PKCS#11 session is not shared between threads
                signer.sign_pdf(writer, bytes_reserved=reserved, output=out)
        else:
            signer.sign_pdf(writer, bytes_reserved=reserved, output=out)
        return out.getvalue()

    def close(self) -> None:
        """Close the PKCS#11 session, if any (and remove the visible seal's font file)."""
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._font is not None:
            self._font.close()
            self._font = None

    def __enter__(self) -> Sealer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _tagged_field(writer: Any, spec: Any, name: str) -> None:
    """The seal's (empty) signature field made before it is signed, with what PDF/UA asks
    of a form field: a description (``/TU``), its widget in a ``Form`` structure element
    (an object reference, its ``/StructParent`` and a parent-tree entry), its page in
    structure tab order. The signer then fills this field; all of it is one incremental
    update."""
    from pyhanko.pdf_utils import generic
    from pyhanko.sign import fields

    root = writer.root
    if "/StructTreeRoot" not in root:
        return
    tree = root["/StructTreeRoot"]
    fields.append_signature_field(writer, spec)
    field_ref = next(
        ref for ref in root["/AcroForm"]["/Fields"] if ref.get_object().get("/T") == name
    )
    field = field_ref.get_object()
    field["/TU"] = generic.TextStringObject("Elektronisch zegel van het ministerie")
    page_ref = field.raw_get("/P")
    page = page_ref.get_object()
    page["/Tabs"] = generic.NameObject("/S")
    writer.update_container(page)
    nums = tree["/ParentTree"]["/Nums"]
    key = max([int(nums[i]) for i in range(0, len(nums), 2)] + [-1]) + 1
    top = tree.raw_get("/K")
    document = top.get_object()
    if isinstance(document, generic.ArrayObject):
        top, document = document.raw_get(0), document[0]
    element = writer.add_object(
        generic.DictionaryObject(  # type: ignore[no-untyped-call]
            {
                generic.NameObject("/Type"): generic.NameObject("/StructElem"),
                generic.NameObject("/S"): generic.NameObject("/Form"),
                generic.NameObject("/P"): top,
                generic.NameObject("/Pg"): page_ref,
                generic.NameObject("/Alt"): generic.TextStringObject("Elektronisch zegel"),
                generic.NameObject("/K"): generic.ArrayObject(
                    [
                        generic.DictionaryObject(  # type: ignore[no-untyped-call]
                            {
                                generic.NameObject("/Type"): generic.NameObject("/OBJR"),
                                generic.NameObject("/Obj"): field_ref,
                                generic.NameObject("/Pg"): page_ref,
                            }
                        )
                    ]
                ),
            }
        )
    )
    kids = document["/K"]
    if not isinstance(kids, generic.ArrayObject):
        document["/K"] = kids = generic.ArrayObject([document.raw_get("/K")])
    kids.append(element)
    writer.update_container(document)
    field["/StructParent"] = generic.NumberObject(key)  # type: ignore[no-untyped-call]
    writer.update_container(field)
    nums.append(generic.NumberObject(key))  # type: ignore[no-untyped-call]
    nums.append(element)
    writer.update_container(nums)
    tree["/ParentTreeNextKey"] = generic.NumberObject(key + 1)  # type: ignore[no-untyped-call]
    writer.update_container(tree)


#: The font of a visible seal, embedded (a subset) in its appearance: DejaVu Sans, which
#: the letters use too (Debian fonts-dejavu-core).
SEAL_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
#: Where a visible seal goes: the last page, in the bottom margin, left (points).
SEAL_BOX = (56, 14, 316, 52)


def _visible(settings: SealSettings, font: Path) -> tuple[Any, Any]:
    """The field and appearance of a visible seal: a box on the last page saying who sealed
    and when, its font embedded (PDF/A). pyHanko writes the font's widths in the font's own
    units, which PDF reads as thousandths of an em: the font is first scaled to 1000 units
    per em (and cut down to Latin letters), into ``font``."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem
    from pyhanko import stamp
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields

    if not SEAL_FONT.is_file():
        raise DataError(
            f"a visible seal needs the font {SEAL_FONT} (Debian fonts-dejavu-core)",
            where(settings, "signing.visible"),
        )
    face = TTFont(str(SEAL_FONT))
    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=[*range(0x20, 0x7F), *range(0xA0, 0x180)])
    cutter.subset(face)
    scale_upem(face, 1000)
    face.save(str(font))
    style = stamp.TextStampStyle(
        stamp_text="Elektronisch gezegeld door\n%(signer)s\n%(ts)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font)), font_size=7),
        timestamp_format="%Y-%m-%d %H:%M:%S UTC",
        border_width=1,
    )
    field = fields.SigFieldSpec(sig_field_name=settings.field_name, on_page=-1, box=SEAL_BOX)
    return field, style


@functools.cache
def _pdf_classes() -> tuple[Any, Any]:
    """pyHanko's incremental writer and signer, adapted so that a sealed letter stays
    PDF/A-2b:

    - the writer leaves the document information and the XMP metadata as they are
      (pyHanko would add itself to the Info producer and rewrite the XMP with another
      producer, and PDF/A requires the two to agree);
    - the signer registers only the ESIC extension of PAdES (on PDF 1.7), not the ISO
      32002 extension pyHanko adds for EC keys, which would declare the file PDF 2.0
      (PDF/A-2 is PDF 1.7).
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.signers import constants

    class KeepMetadataWriter(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:
            pass

    class PadesSigner(signers.PdfSigner):
        def register_extensions(self, pdf_out: Any, *, md_algorithm: str) -> None:
            if self.signature_meta.subfilter == SigSeedSubFilter.PADES:
                pdf_out.ensure_output_version(version=(1, 7))
                pdf_out.register_extension(constants.ESIC_EXTENSION_1)

    return KeepMetadataWriter, PadesSigner
