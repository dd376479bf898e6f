"""ibtpost export mdto: per letter its PDF and MDTO metadata (informatieobject and bestand),
valid against the Nationaal Archief's schema, checksums that match the files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from lxml import etree
from tests.archivebatch import Made, make_sent_batch
from tests.conftest import Result, files_under

from ibtpost.archive.mdto import NAMESPACE, SCHEMA_FILE
from ibtpost.register import letters as letter_register

pytestmark = pytest.mark.libreoffice
NS = {"m": NAMESPACE}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Made]:
    """A sent trede-2 batch of two letters with a reply on one."""
    yield from make_sent_batch(tmp_path_factory.mktemp("archive"))


def validate_all(folder: Path) -> list[etree._Element]:
    """Every XML file in ``folder`` validated against the shipped schema; their roots."""
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))
    roots = []
    for path in sorted(folder.glob("*.xml")):
        document = etree.parse(str(path))
        assert schema.validate(document), f"{path.name}: {schema.error_log}"
        roots.append(document.getroot())
    return roots


def test_the_shipped_schema_is_the_nationaal_archief_copy() -> None:
    """The schema in the package is the shared standard's file, byte for byte, with its note."""
    shared = Path(__file__).resolve().parents[2] / "shared" / "standards" / "mdto" / "MDTO-XML.xsd"
    if shared.is_file():
        assert SCHEMA_FILE.read_bytes() == shared.read_bytes()
    assert "de2cbb5" in SCHEMA_FILE.with_name("SOURCE.md").read_text("utf-8")


def test_a_batch_exports_valid_mdto_with_checksums_that_match(
    made: Made, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """Each letter: its PDF, an informatieobject and a bestand; every XML validates; every
    checksum and size recomputed from the exported PDF matches; the verzending carries the
    time the mail server took the letter, from the register."""
    out = tmp_path / "export"
    done = cli(made.root, "export", "mdto", made.batch, "--out", str(out))
    assert done.code == 0, done.err
    assert "not verified by an information manager" in done.err
    roots = validate_all(out)
    assert len(roots) == 4
    bestanden = [r for r in roots if r.find("m:bestand", NS) is not None]
    objects = [r for r in roots if r.find("m:informatieobject", NS) is not None]
    assert len(bestanden) == 2 and len(objects) == 2
    from ibtpost.register import Register, dispatch

    for root in bestanden:
        name = root.findtext("m:bestand/m:naam", namespaces=NS)
        pdf = out / str(name)
        data = pdf.read_bytes()
        assert root.findtext("m:bestand/m:checksum/m:checksumWaarde", namespaces=NS) == (
            hashlib.sha256(data).hexdigest()
        )
        assert root.findtext("m:bestand/m:omvang", namespaces=NS) == str(len(data))
        assert root.findtext("m:bestand/m:bestandsformaat/m:begripCode", namespaces=NS) == (
            "fmt/477"
        )
        assert data == (made.root / "outbox" / made.batch / pdf.name).read_bytes()
    with Register.for_root(made.root) as register:
        for root in objects:
            obj = root.find("m:informatieobject", NS)
            assert obj is not None
            reference = obj.findtext("m:identificatie/m:identificatieKenmerk", namespaces=NS)
            entry = dispatch.entry(register, str(reference))
            assert entry is not None and entry.sent_at
            assert obj.findtext("m:event/m:eventTijd", namespaces=NS) == entry.sent_at
            assert obj.findtext("m:event/m:eventType/m:begripLabel", namespaces=NS) == (
                "Verzending"
            )
            record = letter_register.letter_by_reference(register, str(reference))
            assert record is not None
            assert (
                obj.findtext(
                    "m:isOnderdeelVan/m:verwijzingIdentificatie/m:identificatieKenmerk",
                    namespaces=NS,
                )
                == f"IBT-{record.municipality}"
            )
            assert (
                obj.findtext(
                    "m:betrokkene/m:betrokkeneActor/m:verwijzingIdentificatie/"
                    "m:identificatieKenmerk",
                    namespaces=NS,
                )
                == record.municipality
            )
            assert obj.findtext("m:waardering/m:begripLabel", namespaces=NS) == (
                "[IN TE VULLEN: waardering]"
            )


def test_a_case_exports_its_letters_and_the_dossier(
    made: Made, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """--case GM0622: its one letter and a Dossier that holds it; all valid."""
    out = tmp_path / "case"
    done = cli(made.root, "export", "mdto", "--case", "Vlaardingen", "--out", str(out))
    assert done.code == 0, done.err
    roots = validate_all(out)
    assert len(roots) == 3
    dossier = etree.parse(str(out / "IBT-GM0622.mdto.xml")).getroot()
    parts = dossier.findall(
        "m:informatieobject/m:bevatOnderdeel/m:verwijzingIdentificatie/m:identificatieKenmerk",
        NS,
    )
    assert [p.text for p in parts] == [made.references["GM0622"]]
    assert len(list(out.glob("*.pdf"))) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["trede-2-2099-01-01-000000"], "trede-2-2099-01-01-000000"),
        (["--case", "GM9999"], "GM9999"),
        (["--case", "GM0796"], "has no final letter"),
        ([], "give a BATCH or --case"),
    ],
)
def test_unknown_batch_or_municipality_exits_2_and_writes_nothing(
    made: Made, cli: Callable[..., Result], tmp_path: Path, args: list[str], message: str
) -> None:
    """An unknown batch or municipality, or one without letters: exit 2, nothing written."""
    out = tmp_path / "nothing"
    done = cli(made.root, "export", "mdto", *args, "--out", str(out))
    assert done.code == 2, done.err
    assert message in done.err
    assert not out.exists() or files_under(out) == []


def test_a_changed_pdf_is_not_exported(
    made: Made, cli: Callable[..., Result], tmp_path: Path
) -> None:
    """A PDF that differs from the one the register recorded: exit 1, nothing written."""
    (pdf,) = (made.root / "outbox" / made.batch).glob(f"{made.references['GM0363']}-*.pdf")
    original = pdf.read_bytes()
    pdf.write_bytes(original + b"\n% changed\n")
    try:
        out = tmp_path / "changed"
        done = cli(made.root, "export", "mdto", made.batch, "--out", str(out))
    finally:
        pdf.write_bytes(original)
    assert done.code == 1
    assert "differs from the PDF the register recorded" in done.err
    assert not out.exists() or files_under(out) == []
