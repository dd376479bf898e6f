"""MDTO metadata as XML (pure): per letter an ``informatieobject`` and a ``bestand``, and per
municipality's supervision case a ``Dossier``; every document is checked against the
Nationaal Archief's schema (``schema/MDTO-XML.xsd``, see ``schema/SOURCE.md``) with lxml.

Element order follows the schema's sequences; values that are empty are left out where
the schema allows it and refused where it does not (MDTO 1.0.2 rejects empty values).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

from ibtpost.archive.policy import ArchivePolicy, Term

NAMESPACE = "https://www.nationaalarchief.nl/mdto"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_FILE = Path(__file__).with_name("schema") / "MDTO-XML.xsd"
_N = f"{{{NAMESPACE}}}"


@dataclass(frozen=True)
class Case:
    """A municipality's supervision case, as the records refer to it."""

    id: str  # "IBT-GM0622"
    name: str  # "Interbestuurlijk toezicht Spreidingswet, gemeente Vlaardingen"
    municipality: str  # GM0622
    college: str  # "College van burgemeester en wethouders van Vlaardingen"


@dataclass(frozen=True)
class ArchivedLetter:
    """What the records of one letter say."""

    reference: str
    title: str  # the letter's subject line (the PDF's title)
    trede: int | None
    day: date  # the date of the letter
    sent: str | None  # xsd:date or xsd:dateTime of the verzending, None when not sent
    sent_how: str | None  # "per e-mail", "per post", "per e-mail en per post"
    case: Case
    file_name: str
    size: int
    sha256: str
    checksum_at: str  # xsd:dateTime of the checksum

    @property
    def name(self) -> str:
        """The record's naam."""
        college = self.case.college[:1].lower() + self.case.college[1:]
        return f"Onze referentie {self.reference}: {self.title}, aan het {college}"


class SchemaProblem(ValueError):
    """An XML document that does not validate against the MDTO schema."""


@functools.cache
def schema() -> etree.XMLSchema:
    """The MDTO schema, parsed once."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def validation_errors(xml: bytes) -> list[str]:
    """The schema's complaints about ``xml`` (empty when it validates)."""
    try:
        document = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    checker = schema()
    if checker.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]


def _el(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, _N + tag)
    if text is not None:
        child.text = text
    return child


def _identification(parent: etree._Element, tag: str, kenmerk: str, bron: str) -> None:
    ident = _el(parent, tag)
    _el(ident, "identificatieKenmerk", kenmerk)
    _el(ident, "identificatieBron", bron)


def _reference(
    parent: etree._Element, tag: str, name: str, ident: tuple[str, str] | None = None
) -> None:
    ref = _el(parent, tag)
    _el(ref, "verwijzingNaam", name)
    if ident is not None:
        _identification(ref, "verwijzingIdentificatie", *ident)


def _term(parent: etree._Element, tag: str, term: Term) -> None:
    item = _el(parent, tag)
    _el(item, "begripLabel", term.label)
    if term.code:
        _el(item, "begripCode", term.code)
    _reference(item, "begripBegrippenlijst", term.list)


def _document(kind: str) -> tuple[etree._Element, etree._Element]:
    root = etree.Element(_N + "MDTO", nsmap={None: NAMESPACE, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{NAMESPACE} MDTO-XML1.0.2.xsd")
    return root, _el(root, kind)


def _serialise(root: etree._Element) -> bytes:
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    problems = validation_errors(xml)
    if problems:
        raise SchemaProblem("; ".join(problems[:3]))
    return xml


def _common_tail(obj: etree._Element, policy: ArchivePolicy, case: Case) -> None:
    """archiefvormer, betrokkene (the college) and beperkingGebruik, in schema order."""
    _reference(obj, "archiefvormer", policy.archiefvormer)
    betrokkene = _el(obj, "betrokkene")
    _term(betrokkene, "betrokkeneTypeRelatie", policy.terms["betrokkene"])
    _reference(betrokkene, "betrokkeneActor", case.college, (case.municipality, "CBS gemeentecode"))
    beperking = _el(obj, "beperkingGebruik")
    _term(beperking, "beperkingGebruikType", policy.policy["beperking_gebruik"])


@dataclass(frozen=True)
class NoticeLinks:
    """What the record of a kennisgeving adds to a letter's: the letter it belongs to, and
    its publication in the Staatscourant, when recorded."""

    letter: ArchivedLetter
    published_on: str | None = None  # xsd:date
    staatscourant: str | None = None


def informatieobject(
    letter: ArchivedLetter, policy: ArchivePolicy, notice: NoticeLinks | None = None
) -> bytes:
    """The ``informatieobject`` of a letter, or (``notice``) of a letter's kennisgeving:
    then with the event of its publication and its relation to the letter (validated)."""
    root, obj = _document("informatieobject")
    _identification(obj, "identificatie", letter.reference, policy.identificatiebron)
    _el(obj, "naam", letter.name)
    _term(obj, "aggregatieniveau", policy.terms["aggregatieniveau_stuk"])
    if letter.trede is not None:
        _el(obj, "trefwoord", f"trede {letter.trede}")
    dekking = _el(obj, "dekkingInTijd")
    _term(dekking, "dekkingInTijdType", policy.terms["dekking_in_tijd"])
    _el(dekking, "dekkingInTijdBegindatum", letter.day.isoformat())
    _el(obj, "taal", "nl")
    if notice is not None and notice.published_on is not None:
        event = _el(obj, "event")
        _term(event, "eventType", policy.policy["publicatie"])
        _el(event, "eventTijd", notice.published_on)
        _reference(event, "eventVerantwoordelijkeActor", policy.archiefvormer)
        _el(event, "eventResultaat", f"Staatscourant {notice.staatscourant}")
    if letter.sent is not None:
        event = _el(obj, "event")
        _term(event, "eventType", policy.terms["verzending"])
        _el(event, "eventTijd", letter.sent)
        _reference(event, "eventVerantwoordelijkeActor", policy.archiefvormer)
        if letter.sent_how:
            _el(event, "eventResultaat", letter.sent_how)
    _term(obj, "waardering", policy.policy["waardering"])
    _term(obj, "informatiecategorie", policy.policy["informatiecategorie"])
    _reference(obj, "isOnderdeelVan", letter.case.name, (letter.case.id, policy.identificatiebron))
    _reference(
        obj, "heeftRepresentatie", letter.file_name, (letter.file_name, policy.identificatiebron)
    )
    if notice is not None:
        related = _el(obj, "gerelateerdInformatieobject")
        _reference(
            related,
            "gerelateerdInformatieobjectVerwijzing",
            notice.letter.name,
            (notice.letter.reference, policy.identificatiebron),
        )
        _term(
            related, "gerelateerdInformatieobjectTypeRelatie", policy.policy["relatie_kennisgeving"]
        )
    _common_tail(obj, policy, letter.case)
    return _serialise(root)


def bestand(letter: ArchivedLetter, policy: ArchivePolicy) -> bytes:
    """The ``bestand`` of a letter's PDF (validated)."""
    root, obj = _document("bestand")
    _identification(obj, "identificatie", letter.file_name, policy.identificatiebron)
    _el(obj, "naam", letter.file_name)
    _el(obj, "omvang", str(letter.size))
    _term(obj, "bestandsformaat", policy.terms["pdfa"])
    checksum = _el(obj, "checksum")
    _term(checksum, "checksumAlgoritme", policy.terms["checksum"])
    _el(checksum, "checksumWaarde", letter.sha256)
    _el(checksum, "checksumDatum", letter.checksum_at)
    _reference(obj, "isRepresentatieVan", letter.name, (letter.reference, policy.identificatiebron))
    return _serialise(root)


def dossier(case: Case, letters: list[ArchivedLetter], policy: ArchivePolicy) -> bytes:
    """The ``informatieobject`` of a municipality's supervision case (validated): a
    Dossier holding its letters, covering the time from the first to the last."""
    root, obj = _document("informatieobject")
    _identification(obj, "identificatie", case.id, policy.identificatiebron)
    _el(obj, "naam", case.name)
    _term(obj, "aggregatieniveau", policy.terms["aggregatieniveau_dossier"])
    if letters:
        dekking = _el(obj, "dekkingInTijd")
        _term(dekking, "dekkingInTijdType", policy.terms["dekking_in_tijd"])
        _el(dekking, "dekkingInTijdBegindatum", min(x.day for x in letters).isoformat())
        _el(dekking, "dekkingInTijdEinddatum", max(x.day for x in letters).isoformat())
    _el(obj, "taal", "nl")
    _term(obj, "waardering", policy.policy["waardering"])
    _term(obj, "informatiecategorie", policy.policy["informatiecategorie"])
    for letter in letters:
        _reference(obj, "bevatOnderdeel", letter.name, (letter.reference, policy.identificatiebron))
    _common_tail(obj, policy, case)
    return _serialise(root)
