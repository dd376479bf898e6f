"""The e-seal: every final letter's PDF sealed (PAdES, pyHanko) as the last step of the
batch, on a test PKI made here with a timestamp authority on 127.0.0.1; still PDF/A-2b;
validated before queue; sealed once; bad signing settings stop check and batch."""

from __future__ import annotations

import email
import hashlib
import json
import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from tests.archivebatch import CODES, DAY, Made, make_sent_batch
from tests.conftest import Result, copy_tree, files_under
from tests.sealpki import PASSWORD, TOKEN_PIN, Pki, make_pki
from tools.demo_seal import issue, make_ca
from tools.tsa_server import TsaServer

from ibtpost.documents.pdf.finish import inspect_pdf
from ibtpost.documents.pdf.sealcheck import seal_problems
from ibtpost.register import Register, audit
from ibtpost.register import letters as letter_register

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pki]:
    """The test PKI and its TSA; the seal's password in the environment."""
    old = os.environ.get("IBTPOST_SEAL_PASSWORD")
    os.environ["IBTPOST_SEAL_PASSWORD"] = PASSWORD
    try:
        yield from make_pki(tmp_path_factory.mktemp("pki"))
    finally:
        if old is None:
            os.environ.pop("IBTPOST_SEAL_PASSWORD", None)
        else:
            os.environ["IBTPOST_SEAL_PASSWORD"] = old


@pytest.fixture(scope="module")
def sealed(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    """A sealed (B-T) trede-2 batch, queued and sent by SMTP to 127.0.0.1."""
    yield from make_sent_batch(tmp_path_factory.mktemp("sealed"), seal_settings=pki.signing())


def letter_pdfs(made: Made) -> list[Path]:
    """The letters' PDFs of the batch."""
    return sorted(
        p for p in (made.root / "outbox" / made.batch).glob("*.pdf") if p.name[0].isdigit()
    )


def test_every_final_letter_is_sealed_and_still_pdfa(sealed: Made, pki: Pki) -> None:
    """Each PDF carries one valid seal (B-T: with a timestamp) over the whole file, and is
    still tagged PDF/A-2b with every font embedded; its metadata is the letter's."""
    pdfs = letter_pdfs(sealed)
    assert len(pdfs) == len(CODES)
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert seal_problems(data, [pki.ca.cert.public_bytes(_der())]) == []
        facts = inspect_pdf(data)
        assert (facts.pdfa, facts.tagged, facts.unembedded) == ("2B", True, ())
        with pikepdf.open(pdf) as doc:
            assert doc.Root.Version == "/1.7"  # not declared PDF 2.0
            assert doc.docinfo["/Producer"] == doc.open_metadata()["pdf:Producer"]
            (field,) = doc.Root.AcroForm.Fields
            assert field.FT == "/Sig" and list(field.Rect) == [0, 0, 0, 0]
            assert str(field.V.Reason) == "Gezegeld (test)"
            assert str(field.V.Location) == "Den Haag"
            assert field.V.SubFilter == "/ETSI.CAdES.detached"


def test_pdfsig_reports_the_seal_valid_and_trusted(sealed: Made, pki: Pki) -> None:
    """poppler's pdfsig, trusting the test CA: signature valid, certificate trusted,
    the whole document signed."""
    for pdf in letter_pdfs(sealed):
        out = subprocess.run(
            ["pdfsig", "-nssdir", f"sql:{pki.nss()}", str(pdf)],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert "Signature Validation: Signature is Valid." in out
        assert "Certificate Validation: Certificate is Trusted." in out
        assert "Total document signed" in out
        assert out.count("Signature #") == 1


def test_register_manifest_print_file_mail_and_audit_carry_the_sealed_file(
    sealed: Made,
) -> None:
    """The register, the manifest and letter.generated hold the sealed file's SHA-256;
    the e-mail attaches the sealed file; the print file has its pages."""
    folder = sealed.root / "outbox" / sealed.batch
    manifest = {
        row["reference"]: row
        for row in json.loads((folder / "manifest.json").read_text())["letters"]
    }
    with Register.for_root(sealed.root) as register:
        events = [e for e in audit.events(register) if e.kind == audit.LETTER_GENERATED]
        for pdf in letter_pdfs(sealed):
            reference = pdf.name.partition("-")[0]
            digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
            record = letter_register.letter_by_reference(register, reference)
            assert record is not None and record.pdf_sha256 == digest
            assert manifest[reference]["pdf_sha256"] == digest
            (event,) = [e for e in events if e.reference == reference]
            assert event.data["pdf_sha256"] == digest and event.data["seal"] == "PAdES B-T"
            (spool,) = (folder / "spool").glob(f"{reference}-*.eml")
            message = email.message_from_bytes(spool.read_bytes())
            (attachment,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
            assert attachment.get_payload(decode=True) == pdf.read_bytes()
    with pikepdf.open(folder / "print.pdf") as printed:
        assert len(printed.pages) >= 2 * len(CODES)


def test_a_rerun_never_seals_again(sealed: Made, pki: Pki, cli: Callable[..., Result]) -> None:
    """The same batch run again: every sealed PDF stays byte for byte; the one timestamp
    asked is the server check made when the seal is opened, before anything is recorded."""
    before = {p.name: p.read_bytes() for p in letter_pdfs(sealed)}
    requests = pki.tsa.requests
    args = [a for code in CODES for a in ("-m", code)]
    done = cli(sealed.root, "batch", "trede-2", "--date", DAY, *args)
    assert done.code == 0, done.err
    assert {p.name: p.read_bytes() for p in letter_pdfs(sealed)} == before
    assert pki.tsa.requests == requests + 1


def test_a_changed_seal_fails_the_letter_checks(
    sealed: Made, pki: Pki, cli: Callable[..., Result]
) -> None:
    """A byte changed inside the signed range, or an update appended after the seal:
    `check --batch` names the seal's problem and fails (a letter so changed is not queued)."""
    pdf = letter_pdfs(sealed)[0]
    original = pdf.read_bytes()
    at = original.index(b"/IbtMunicipality") + len(b"/IbtMunicipality")
    flipped = bytes([original[at + 3] ^ 0x01])  # a hex digit of the value, inside the seal
    try:
        pdf.write_bytes(original[: at + 3] + flipped + original[at + 4 :])
        changed = cli(sealed.root, "check", "--batch", sealed.batch)
        pdf.write_bytes(original + b"\n1000 0 obj\n(x)\nendobj\n")
        appended = cli(sealed.root, "check", "--batch", sealed.batch)
    finally:
        pdf.write_bytes(original)
    assert changed.code == 1 and "seal Zegel: broken" in changed.out
    assert appended.code == 1 and "does not cover the whole file" in appended.out
    assert cli(sealed.root, "check", "--batch", sealed.batch).code == 0


def _der() -> object:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("case", "setting", "message"),
    [
        ("missing file", "signing.pkcs12", "cannot read"),
        ("wrong password", "signing.pkcs12", "wrong password"),
        ("expired", "signing.pkcs12", "expired on"),
        ("untrusted", "signing.pkcs12", "does not chain to signing.trust_roots"),
        ("no timestamp server", "signing.timestamp_url", "does not answer"),
    ],
)
def test_bad_signing_settings_stop_check_and_batch(
    pki: Pki,
    tmp_path: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    setting: str,
    message: str,
) -> None:
    """check and batch: exit 2, one line naming config/settings.yaml and the setting;
    the batch records nothing and writes nothing."""
    overrides = {
        "missing file": {"pkcs12": str(pki.folder / "absent.p12")},
        "wrong password": {},
        "expired": {"pkcs12": str(pki.folder / "expired.p12")},
        "untrusted": {"pkcs12": str(pki.folder / "untrusted.p12")},
        "no timestamp server": {"timestamp_url": f"http://127.0.0.1:{_closed_port()}/tsa"},
    }[case]
    if case == "wrong password":
        monkeypatch.setenv("IBTPOST_SEAL_PASSWORD", "verkeerd")
    root = copy_tree(tmp_path / "root")
    with (root / "config" / "settings.yaml").open("a", encoding="utf-8") as handle:
        handle.write(pki.signing(**overrides))
    checked = cli(root, "check")
    assert checked.code == 2
    assert "config/settings.yaml:" in checked.out and f"{setting}: " in checked.out
    assert message in checked.out
    made = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622")
    assert made.code == 2, made.err
    (line,) = made.err.strip().splitlines()
    assert line.startswith("error: config/settings.yaml:") and setting in line and message in line
    assert files_under(root / "outbox") == []


def test_concept_letters_are_never_sealed(
    pki: Pki, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """With good signing settings `check` passes; a concept batch gets no seal, and its
    checks need none."""
    root = copy_tree(tmp_path / "root")
    with (root / "config" / "settings.yaml").open("a", encoding="utf-8") as handle:
        handle.write(pki.signing())
    checked = cli(root, "check")
    assert checked.code == 0, checked.out
    done = cli(root, "batch", "trede-3", "--date", "2026-05-04", "--concept", "-m", "GM0622",
               "--reason", "concept")  # fmt: skip
    assert done.code == 0, done.err
    (folder,) = [p for p in (root / "outbox").iterdir() if p.is_dir()]
    (pdf,) = [p for p in folder.glob("*.pdf") if p.name[0].isdigit()]
    assert b"/ByteRange" not in pdf.read_bytes()
    assert cli(root, "check", "--batch", folder.name).code == 0


def test_a_pkcs11_token_seals_and_a_wrong_certificate_or_pin_is_refused(
    pki: Pki, tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SoftHSM: the key on the token seals a batch whose letters pass the checks; a
    certificate that does not belong to the key, or a wrong PIN, stops the batch (exit 2,
    naming the setting, nothing recorded)."""
    block = pki.token()
    monkeypatch.setenv("IBTPOST_SEAL_PIN", TOKEN_PIN)
    root = copy_tree(tmp_path / "root")
    settings = root / "config" / "settings.yaml"
    original = settings.read_text("utf-8")
    settings.write_text(original + block.replace("seal.pem", "other.pem"), "utf-8")
    wrong = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622")
    assert wrong.code == 2 and "signing.pkcs11.key_label" in wrong.err
    assert "does not match the certificate" in wrong.err
    settings.write_text(original + block, "utf-8")
    monkeypatch.setenv("IBTPOST_SEAL_PIN", "00000000")
    bad_pin = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622")
    assert bad_pin.code == 2 and "signing.pkcs11.pin_env" in bad_pin.err
    assert "refused the PIN in $IBTPOST_SEAL_PIN" in bad_pin.err
    assert files_under(root / "outbox") == []
    monkeypatch.setenv("IBTPOST_SEAL_PIN", TOKEN_PIN)
    done = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622")
    assert done.code == 0, done.err
    (folder,) = [p for p in (root / "outbox").iterdir() if p.is_dir()]
    (pdf,) = [p for p in folder.glob("*.pdf") if p.name[0].isdigit()]
    assert seal_problems(pdf.read_bytes(), [pki.ca.cert.public_bytes(_der())]) == []
    assert cli(root, "check", "--batch", folder.name).code == 0


def test_a_single_final_letter_is_sealed_a_concept_not(
    pki: Pki, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """ibtpost letter: the final letter's PDF carries a valid seal, --concept none."""
    root = copy_tree(tmp_path / "root")
    with (root / "config" / "settings.yaml").open("a", encoding="utf-8") as handle:
        handle.write(pki.signing())
    final = cli(
        root, "letter", "trede-2", "-m", "GM0622", "--date", DAY, "--out", str(tmp_path / "f")
    )
    concept = cli(root, "letter", "trede-2", "-m", "GM0622", "--date", DAY, "--concept",
                  "--out", str(tmp_path / "c"))  # fmt: skip
    assert final.code == 0 and concept.code == 0, final.err + concept.err
    (sealed_pdf,) = (tmp_path / "f").glob("*.pdf")
    (concept_pdf,) = (tmp_path / "c").glob("*.pdf")
    assert seal_problems(sealed_pdf.read_bytes(), [pki.ca.cert.public_bytes(_der())]) == []
    assert seal_problems(concept_pdf.read_bytes(), [pki.ca.cert.public_bytes(_der())]) == [
        "not sealed"
    ]


def test_a_visible_seal_shows_on_the_last_page_with_its_font_embedded(
    pki: Pki, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """visible: true: a box on the last page whose appearance names the sealer in an
    embedded font; the seal validates (pdfsig too) and the file stays PDF/A-2b."""
    root = copy_tree(tmp_path / "root")
    with (root / "config" / "settings.yaml").open("a", encoding="utf-8") as handle:
        handle.write(pki.signing() + "  visible: true\n")
    done = cli(
        root, "letter", "trede-2", "-m", "GM0622", "--date", DAY, "--out", str(tmp_path / "v")
    )
    assert done.code == 0, done.err
    (pdf,) = (tmp_path / "v").glob("*.pdf")
    data = pdf.read_bytes()
    assert seal_problems(data, [pki.ca.cert.public_bytes(_der())]) == []
    facts = inspect_pdf(data)
    assert (facts.pdfa, facts.tagged, facts.unembedded) == ("2B", True, ())
    with pikepdf.open(pdf) as doc:
        (field,) = doc.Root.AcroForm.Fields
        assert field.P.objgen == doc.pages[-1].obj.objgen
        assert [float(x) for x in field.Rect] == [56, 14, 316, 52]
        fonts = field.AP.N.Resources.Font
        for _, font in fonts.items():
            assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor
    text = subprocess.run(
        ["pdftotext", "-f", str(facts.pages), "-l", str(facts.pages), str(pdf), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Elektronisch gezegeld door" in text and "Organisatiezegel (test)" in text
    out = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{pki.nss()}", str(pdf)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Signature is Valid." in out and "Certificate is Trusted." in out


def test_letters_made_before_signing_are_sealed_by_the_next_run_unless_queued(
    pki: Pki, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """A batch made without `signing:` and run again with it: its letters are made again
    and sealed (the register holds the sealed file's hash); a batch already queued keeps
    its letters exactly as they were."""
    root = copy_tree(tmp_path / "root")
    first = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622")
    second = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0363")
    assert first.code == 0 and second.code == 0, first.err + second.err
    queued_folder = root / "outbox" / Path(second.out.strip()).name
    assert cli(root, "queue", queued_folder.name).code == 0
    (queued_pdf,) = [p for p in queued_folder.glob("*.pdf") if p.name[0].isdigit()]
    queued_before = queued_pdf.read_bytes()
    with (root / "config" / "settings.yaml").open("a", encoding="utf-8") as handle:
        handle.write(pki.signing())
    again = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622")
    assert again.code == 0, again.err
    (pdf,) = [
        p
        for p in (root / "outbox" / Path(first.out.strip()).name).glob("*.pdf")
        if p.name[0].isdigit()
    ]
    assert seal_problems(pdf.read_bytes(), [pki.ca.cert.public_bytes(_der())]) == []
    with Register.for_root(root) as register:
        record = letter_register.letter_by_reference(register, pdf.name.partition("-")[0])
    assert record is not None and record.pdf_sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    frozen = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0363")
    assert frozen.code == 0, frozen.err
    assert "1 letter(s) queued or sent before signing was configured stay unsealed" in frozen.err
    assert queued_pdf.read_bytes() == queued_before


def test_a_token_that_holds_the_certificate_needs_no_certificate_file(
    pki: Pki, tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PKCS#11 without `certificate:`: the certificate is taken from the token, under the
    key's label, and the letter is sealed with it."""
    import pkcs11
    from cryptography.hazmat.primitives.serialization import Encoding
    from pkcs11 import Attribute, CertificateType, ObjectClass

    block = pki.token()
    library = pkcs11.lib("/usr/lib/softhsm/libsofthsm2.so")
    token = library.get_token(token_label="ibt-test")  # noqa: S106 (a label, not a password)
    with token.open(rw=True, user_pin=TOKEN_PIN) as session:
        if not list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})):
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: "zegel",
                    Attribute.ID: b"\x01",
                    Attribute.SUBJECT: pki.seal.cert.subject.public_bytes(),
                    Attribute.VALUE: pki.seal.cert.public_bytes(Encoding.DER),
                }
            )
    monkeypatch.setenv("IBTPOST_SEAL_PIN", TOKEN_PIN)
    root = copy_tree(tmp_path / "root")
    no_file = "".join(line + "\n" for line in block.splitlines() if "certificate:" not in line)
    with (root / "config" / "settings.yaml").open("a", encoding="utf-8") as handle:
        handle.write(no_file)
    done = cli(
        root, "letter", "trede-2", "-m", "GM0622", "--date", DAY, "--out", str(tmp_path / "t")
    )
    assert done.code == 0, done.err
    (pdf,) = (tmp_path / "t").glob("*.pdf")
    assert seal_problems(pdf.read_bytes(), [pki.ca.cert.public_bytes(_der())]) == []


def test_a_timestamp_server_under_another_root_is_judged_alike_by_check_and_queue(
    pki: Pki, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """A timestamp authority under another root than the seal's: `check` refuses it (it
    would fail every letter at `queue`) until signing.timestamp_trust_roots names its root;
    then `check`, the batch and the letter checks of `queue` all pass."""
    other_ca = make_ca()
    other_tsa = issue(other_ca, "Andere tijdstempeldienst (test)", tsa=True, kind="rsa")
    (tmp_path / "tsa-ca.pem").write_bytes(other_ca.cert_pem())
    with TsaServer(other_tsa, other_ca) as server:
        root = copy_tree(tmp_path / "root")
        settings = root / "config" / "settings.yaml"
        original = settings.read_text("utf-8")
        settings.write_text(original + pki.signing(timestamp_url=server.url), "utf-8")
        refused = cli(root, "check")
        assert refused.code == 2, refused.out
        (line,) = [x for x in refused.out.splitlines() if x.startswith("error:")]
        assert line.startswith("error: config/settings.yaml:")
        assert "signing.trust_roots: the timestamp server's certificate does not chain to" in line
        assert "would fail the letter checks at queue" in line
        assert files_under(root / "outbox") == []

        named = pki.signing(timestamp_url=server.url)
        named += f"  timestamp_trust_roots: {tmp_path / 'tsa-ca.pem'}\n"
        settings.write_text(original + named, "utf-8")
        checked = cli(root, "check")
        assert checked.code == 0, checked.out
        made = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622")
        assert made.code == 0, made.err
        batch = Path(made.out.strip().splitlines()[-1]).name
        letters = cli(root, "check", "--batch", batch)
        assert letters.code == 0, letters.out
        assert "1 passed, 0 failed" in letters.out
        pdf = next(p for p in (root / "outbox" / batch).glob("75*.pdf"))
        roots = [pki.ca.cert.public_bytes(Encoding.DER)]
        # judged against the seal's roots alone, the timestamp is not trusted
        assert "the timestamp is not valid" in " ".join(seal_problems(pdf.read_bytes(), roots))


def test_a_kennisgeving_is_sealed_with_its_letter_and_checked_at_queue(
    pki: Pki, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """A final batch seals each letter's kennisgeving as it seals the letter, and the
    kennisgeving's seal passes the checks of queue."""
    from tests.conftest import TEST_REVIEWER
    from tests.test_notice_record import NOTICE

    root = copy_tree(tmp_path / "root")
    definition = root / "letters" / "trede-2.yaml"
    definition.write_text(definition.read_text("utf-8") + NOTICE, "utf-8")
    assert cli(root, "approve", "trede-2", "--by", TEST_REVIEWER).code == 0
    with (root / "config" / "settings.yaml").open("a", encoding="utf-8") as handle:
        handle.write(pki.signing())
    made = cli(root, "batch", "trede-2", "--date", DAY, "-m", "GM0622")
    assert made.code == 0, made.err
    folder = Path(made.out.strip().splitlines()[-1])
    (notice,) = folder.glob("*-kennisgeving.pdf")
    roots = [pki.ca.cert.public_bytes(_der())]
    assert seal_problems(notice.read_bytes(), roots) == []
    checked = cli(root, "check", "--batch", folder.name)
    assert checked.code == 0 and "1 passed, 0 failed" in checked.out, checked.out


def test_a_sealed_letter_stays_pdf_ua_1_and_pdf_a_2b(sealed: Made) -> None:
    """The seal's signature field is described and in the structure tree (a Form element),
    so an independent validator still finds the sealed letter PDF/UA-1 and PDF/A-2b."""
    import page

    for pdf in letter_pdfs(sealed):
        for profile in (page.ValidationProfile.PDF_UA_1, page.ValidationProfile.PDF_A_2B):
            report = page.validate_pdf(pdf, profile=profile)
            assert report.is_compliant, (
                pdf.name,
                [(f.rule_id, f.message) for f in report.failures],
            )
