"""The domain's data as config/ describes it: municipalities and their addresses, provinces,
figures, the sender, settings, agreements, replies, legal entries, and :class:`Config` that
holds them all. Produced by :mod:`ibtpost.data` (one loader per file); read by every stage,
so it sits in the kernel. Plain frozen dataclasses: data, never paths to read or
connections to open.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from ibtpost.core import dutch
from ibtpost.core.errors import Location

AddressKind = Literal["visit", "postal"]


@dataclass(frozen=True)
class Address:
    """A Dutch address as printed in a letter: street or Postbus line, postcode and place."""

    first_line: str  # "Westnieuwland 6" or "Postbus 1002"
    postcode: str  # "3131 VX"
    place: str  # "Vlaardingen" (normal case)

    @property
    def lines(self) -> tuple[str, str]:
        """The two lines under the addressee's name."""
        return (self.first_line, f"{self.postcode} {self.place}")


@dataclass(frozen=True)
class Municipality:
    """A municipality (gemeente) and its college's addresses."""

    code: str  # GM0622
    cbs_code: str  # 0622
    name: str  # Vlaardingen
    official_name: str  # Gemeente Vlaardingen
    short_name: str
    province: str
    visit: Address | None
    postal: Address | None
    email: str | None  # general address from the public export
    population: int
    source: str
    ibt_email: str | None = None  # the college's address for IBT letters (imported overlay)
    raad_email: str | None = None  # the gemeenteraad's (griffie's) address (imported overlay)
    location: Location = field(default_factory=Location, compare=False)

    def address(self, kind: AddressKind) -> Address | None:
        """The visiting or postal address."""
        return self.visit if kind == "visit" else self.postal


@dataclass(frozen=True)
class Province:
    """A province and its Commissaris van de Koning (CdK); unknown values are None."""

    name: str
    cdk_name: str | None
    cdk_status: str
    cdk_email: str | None  # from provinces.csv, overridden by the imported cdk-addresses.csv
    postal_address: str | None
    visiting_address: str | None
    location: Location = field(default_factory=Location, compare=False)
    gs_email: str | None = None  # gedeputeerde staten's address (imported overlay)


@dataclass(frozen=True)
class Figures:
    """A municipality's statutory task (verdeelbesluit) and realisation (peildatum)."""

    code: str
    verdeelbesluit: date
    peildatum: date
    task_regular: int
    task_amv: int
    realised_regular: int
    realised_amv: int
    sample: bool
    source: str
    location: Location = field(default_factory=Location, compare=False)

    @property
    def task_total(self) -> int:
        """Places the municipality must make available."""
        return self.task_regular + self.task_amv

    @property
    def realised_total(self) -> int:
        """Places realised on the peildatum."""
        return self.realised_regular + self.realised_amv

    @property
    def shortfall(self) -> int:
        """Places still missing (regular and AMV counted separately, never negative)."""
        return self.shortfall_regular + self.shortfall_amv

    @property
    def shortfall_regular(self) -> int:
        """Regular places still missing (never negative)."""
        return max(self.task_regular - self.realised_regular, 0)

    @property
    def shortfall_amv(self) -> int:
        """Places for alleenstaande minderjarige vreemdelingen (AMV) still missing."""
        return max(self.task_amv - self.realised_amv, 0)

    @property
    def meets_task(self) -> bool:
        """True when both the regular and the AMV task are realised."""
        return self.shortfall == 0


@dataclass(frozen=True)
class Signatory:
    """The signature block under a letter."""

    on_behalf: str  # "De minister van Asiel en Migratie, namens hem,"
    name: str  # "Drs. K. Morren"
    function: str  # "Directeur Regie Migratieketen"
    image: str  # file name of the signature image under templates/
    #: the mandate under which this signatory signs a besluit (the mandaatregeling and its
    #: article), filled in by a lawyer; None: it may sign letters but no besluit
    mandate: str | None = None
    id: str = ""  # its key under ``signatories:`` of sender.yaml; "" for the default
    location: Location | None = None  # where sender.yaml defines it


@dataclass(frozen=True)
class MailFrom:
    """The From of the e-mail that carries a letter: an address and its display name."""

    address: str  # "ibtspreidingswet@minjenv.nl"
    name: str  # "Directoraat-Generaal Migratie"


@dataclass(frozen=True)
class Sender:
    """The sending organisation as shown in the right-hand column of the letter."""

    organisation: str  # "Directoraat-Generaal Migratie"
    department: str  # "Directie Regie Migratieketen"
    visit_lines: tuple[str, ...]
    postal_lines: tuple[str, ...]
    website: str
    return_address: str  # the retouradres line in the envelope window
    mailbox: str  # the IBT mailbox, also Reply-To
    signatory: Signatory
    mail: MailFrom | None = None  # sender.yaml ``mail:``; None: the mailbox and organisation
    #: further signatories a letter definition can name (``signatory: <id>``)
    signatories: dict[str, Signatory] = field(default_factory=dict)

    def signer(self, signatory_id: str | None) -> Signatory | None:
        """The signatory a letter definition names (its ``signatory:``), the default
        ``signatory`` when it names none; None for an id sender.yaml does not list."""
        if signatory_id is None:
            return self.signatory
        return self.signatories.get(signatory_id)

    @property
    def mail_from(self) -> MailFrom:
        """The From of the e-mail: ``mail:`` of sender.yaml, else the mailbox and organisation."""
        return self.mail or MailFrom(self.mailbox, self.organisation)


@dataclass(frozen=True)
class ReferenceSeries:
    """The range from which new reference numbers (Onze referentie) are drawn."""

    first: int
    last: int


@dataclass(frozen=True)
class Settings:
    """Secretariat settings from config/settings.yaml."""

    address_kind: AddressKind
    references: ReferenceSeries
    logo: Path | None
    soffice: str
    convert_timeout: float
    converter_python: str = "/usr/bin/python3"  # a Python with LibreOffice's uno module
    processes: int = 0  # converters in a batch; 0: one per core
    roll_terms: bool = True  # terms.roll_to_working_day: move a term's end to a working day
    signing: SealSettings | None = None  # signing: the e-seal on every final letter's PDF
    #: a final voornemen or besluit on figures whose peildatum is older is refused
    max_figures_age_days: int = 183


@dataclass(frozen=True)
class SealSettings:
    """``signing:`` in config/settings.yaml: how every final letter's PDF is sealed (PAdES).

    The key and certificate come from a PKCS#12 file (its password only from the
    environment variable ``password_env``) or from a PKCS#11 token (library, slot or token
    label, key label; the PIN only from ``pin_env``). ``lines`` maps each key to its line
    in the file, so that a problem found when the key is used names it.
    """

    pkcs12: Path | None
    password_env: str
    pkcs11_library: str | None
    pkcs11_slot: int | None
    pkcs11_token: str | None
    key_label: str | None
    certificate: Path | None  # with PKCS#11: the certificate file (else the token's, by label)
    pin_env: str
    chain: tuple[Path, ...]  # intermediate certificates to embed
    trust_roots: tuple[Path, ...]  # what a seal must chain to (the letter checks)
    timestamp_url: str | None  # PAdES B-T with a timestamp server, B-B without
    reason: str
    location: str
    field_name: str = "Zegel"
    visible: bool = False  # a visible seal on the last page (else an invisible field)
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)
    #: what the timestamp server's certificate must chain to (``check``, the letter checks
    #: at ``queue``); empty: ``trust_roots``
    timestamp_trust_roots: tuple[Path, ...] = ()

    @property
    def timestamp_roots(self) -> tuple[Path, ...]:
        """The roots a timestamp is judged against: its own, else the seal's."""
        return self.timestamp_trust_roots or self.trust_roots


@dataclass(frozen=True)
class Agreement:
    """An action agreed with a municipality under active supervision (trede 3)."""

    action: str
    deadline: date
    follow_up: str | None = None
    location: Location = field(default_factory=Location, compare=False)
    agreed_on: date | None = None  # the overleg in which it was agreed: its date
    agreed_with: str | None = None  # and with whom ("de wethouder Asiel")


@dataclass(frozen=True)
class Reply:
    """What a college sent back on a letter, as ``ibtpost reply`` recorded it."""

    kind: Literal["reply", "zienswijze"]
    received: date


def paragraphs(text: str) -> tuple[str, ...]:
    """The paragraphs of a plain text: separated by blank lines, each on one line."""
    blocks = [" ".join(block.split()) for block in re.split(r"\n[ \t]*\n", text)]
    return tuple(block for block in blocks if block)


@dataclass(frozen=True)
class Motivering:
    """What a person wrote for one case on the letter it answers (``ibtpost motivering``),
    the latest text of each part as its paragraphs; None for a part not written."""

    zienswijze: tuple[str, ...] | None = None  # the zienswijze summarised, and the reply
    feiten: tuple[str, ...] | None = None  # the facts after a term (the college's report)
    herstel: tuple[str, ...] | None = None  # what a herstel of this letter changes
    intrekking: tuple[str, ...] | None = None  # why this besluit is withdrawn (art. 124d)

    @classmethod
    def of(cls, parts: Mapping[str, str]) -> Motivering:
        """From the texts as recorded, by part."""
        return cls(**{part: paragraphs(text) for part, text in parts.items() if text})


@dataclass(frozen=True)
class CorrectedLetter:
    """The sent letter a herstel corrects or an intrekking withdraws (``--corrects REF``)."""

    reference: str  # "7468089"
    letter: str  # its definition: "trede-2"
    trede: int | None
    day: date  # its date (dagtekening)
    subject: str  # its subject as composed
    besluit: bool  # it was a besluit (a herstel of it is a herstelbesluit)
    kennisgeving: bool  # it had a kennisgeving (a herstel of it gets one too)
    sent_on: date
    motivering: Motivering = field(default_factory=Motivering)


@dataclass(frozen=True)
class Publication:
    """Where and when a letter's kennisgeving was published (``ibtpost publication``)."""

    staatscourant: str  # the Staatscourant's number: "2026-12345"
    day: date
    url: str | None = None


#: What can happen at the court about a besluit, as ``ibtpost litigation`` records it.
LitigationKind = Literal["beroep", "voorlopige-voorziening", "uitspraak", "schorsing"]


@dataclass(frozen=True)
class LitigationEvent:
    """One recorded event of the procedure at the court about a letter (a besluit)."""

    event: LitigationKind
    day: date
    note: str | None = None


@dataclass(frozen=True)
class PreviousLetter:
    """The previous letter on a municipality's supervision ladder."""

    letter: str  # "trede-2"
    trede: int
    reference: str  # "7468089"
    day: date
    deadline: date | None = None  # the end of its term (reply or compliance)
    reply: Reply | None = None  # the last reply recorded on it
    sent_via: str | None = None  # how it counts as sent: "mail" or "post"
    publication: Publication | None = None  # its kennisgeving's publication, if recorded
    motivering: Motivering | None = None  # what a person wrote on it (ibtpost motivering)
    #: its copies that went out (``raad``, ``gs``), each with the first day it did
    copies_out: tuple[tuple[str, date], ...] = ()


@dataclass(frozen=True)
class LegalEntry:
    """One entry of config/legal.yaml: legal text a lawyer fills in and verifies."""

    name: str  # "legal_basis"
    text: str | None  # None: not filled in yet
    source: str  # where the wording comes from
    verified_by: str | None
    verified_on: date | None
    location: Location

    @property
    def verified(self) -> bool:
        """Filled in, and verified by a named person on a date."""
        return bool(self.text) and bool(self.verified_by) and self.verified_on is not None

    @property
    def shown(self) -> str:
        """The text as a letter prints it; a visible gap while it is not filled in."""
        return self.text or f"[IN TE VULLEN: {self.name}]"


@dataclass(frozen=True)
class Config:
    """Everything under config/, validated."""

    root: Path
    municipalities: dict[str, Municipality]
    provinces: dict[str, Province]
    figures: dict[str, Figures]
    sender: Sender
    settings: Settings
    agreements: dict[str, tuple[Agreement, ...]] = field(default_factory=dict)
    legal: dict[str, LegalEntry] = field(default_factory=dict)


@dataclass(frozen=True)
class ReactionTerm:
    """The term a letter asks the college to react by, as the letter states it: as a date
    ("uiterlijk 6 mei 2026") or as a period from the letter's date ("binnen drie weken na
    dagtekening"). The letter's e-mails state it the same way (:attr:`phrase`)."""

    deadline: date
    weeks: int
    as_date: bool

    @property
    def deadline_text(self) -> str:
        """The deadline in words: "6 mei 2026"."""
        return dutch.long_date(self.deadline)

    @property
    def period_text(self) -> str:
        """The period in words: "drie weken"."""
        return dutch.weeks_text(self.weeks)

    @property
    def phrase(self) -> str:
        """How a message that carries the letter states the term: "uiterlijk 6 mei 2026" or
        "binnen drie weken na dagtekening van de brief"."""
        if self.as_date:
            return f"uiterlijk {self.deadline_text}"
        return f"binnen {self.period_text} na dagtekening van de brief"
