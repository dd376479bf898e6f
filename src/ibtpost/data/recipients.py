"""Who gets a letter by e-mail: To the college (``Municipality.ibt_email``, imported with
``ibtpost import addresses``, else its general ``email``), Cc the Commissaris van de Koning
of its province (``Province.cdk_email``). A letter without either address gets a
:class:`MissingAddress` and goes by post.

Copies with a mail of their own (a letter definition's ``copies:``): the gemeenteraad
(``raad``, through its griffie: ``Municipality.raad_email``) and gedeputeerde staten
(``gs``: ``Province.gs_email``), each a :class:`CopyRecipient`; one without an address
goes to the post room, addressed to it by name.

The Commissaris van de Koning (``cdk``) is the Cc of the letter's own mail. When the letter
goes by post, the CdK gets a copy of its own (:func:`cdk_copy`): a mail to
``Province.cdk_email``, or else a place in the post room addressed to the CdK."""

from __future__ import annotations

from dataclasses import dataclass

from ibtpost.core import dutch, validate
from ibtpost.core.domain import Config, Municipality
from ibtpost.core.errors import NextAction
from ibtpost.data.addresses import OVERLAYS


@dataclass(frozen=True)
class Recipients:
    """Who gets the mail of one letter: the college (To) and the CdK (Cc)."""

    to: str  # "college@vlaardingen.example"
    to_name: str  # "College van B&W van Vlaardingen"
    cc: str
    cc_name: str  # "Commissaris van de Koning van de provincie Zuid-Holland"

    @property
    def sample(self) -> bool:
        """True when either address is on a reserved example domain (sample data)."""
        return validate.is_sample_address(self.to) or validate.is_sample_address(self.cc)


@dataclass(frozen=True)
class MissingAddress:
    """A letter that cannot be mailed: which address is unknown."""

    code: str  # GM0622
    name: str  # Vlaardingen
    province: str
    college: bool  # True: no e-mail address of the college
    cdk: bool  # True: no e-mail address of the Commissaris van de Koning

    @property
    def missing(self) -> tuple[str, ...]:
        """``("college",)``, ``("cdk",)`` or both."""
        return (("college",) if self.college else ()) + (("cdk",) if self.cdk else ())

    @property
    def actions(self) -> tuple[NextAction, ...]:
        """The steps that add the missing addresses (``hint`` as steps, for the front ends)."""
        return ((NextAction("import-addresses"),) if self.college else ()) + (
            (NextAction("import-cdk"),) if self.cdk else ()
        )

    @property
    def hint(self) -> str:
        """How to add the missing address (the command line's words; see ``actions``)."""
        commands = (["ibtpost import addresses"] if self.college else []) + (
            ["ibtpost import cdk"] if self.cdk else []
        )
        return "the letter goes by post; add the address with " + " and ".join(commands)

    def __str__(self) -> str:
        parts = ([f"the college of {self.name} ({self.code})"] if self.college else []) + (
            [f"the Commissaris van de Koning of {self.province}"] if self.cdk else []
        )
        return "no e-mail address of " + " nor of ".join(parts)


def mail_recipients(municipality: Municipality, config: Config) -> Recipients | MissingAddress:
    """To (the college) and Cc (the CdK), or which of them has no known address."""
    college = municipality.ibt_email or municipality.email
    province = config.provinces.get(municipality.province)
    cdk = province.cdk_email if province is not None else None
    if college is None or cdk is None:
        return MissingAddress(
            municipality.code,
            municipality.name,
            municipality.province,
            college=college is None,
            cdk=cdk is None,
        )
    return Recipients(
        college, dutch.college_name(municipality.name), cdk, dutch.cdk_name(municipality.province)
    )


#: How each copy role is named in the copy's mail and on its envelope.
_COPY_NAMES = {
    "raad": ("de gemeenteraad van {m}", "Gemeenteraad van {m}", "Geachte leden van de raad,"),
    "gs": (
        "Gedeputeerde Staten van de provincie {p}",
        "Gedeputeerde Staten van de provincie {p}",
        "Geacht college,",
    ),
    "cdk": (
        "de Commissaris van de Koning van {p}",
        "Commissaris van de Koning van de provincie {p}",
        "Geachte Commissaris,",
    ),
}
#: The copies that always have a mail of their own (the CdK's only when the letter goes by
#: post: otherwise the CdK is the Cc of the letter's mail).
_OWN_MAIL = ("raad", "gs")


@dataclass(frozen=True)
class CopyRecipient:
    """One copy of a letter with a mail of its own: to the gemeenteraad, to GS, or to the
    CdK (when the letter goes by post)."""

    role: str  # "raad", "gs", "cdk"
    kind: str  # "afschrift" or "ter kennisneming"
    address: str | None  # None: no e-mail address known, the copy goes by post
    name: str  # "Gemeenteraad van Vlaardingen" (the mail's To name)
    addressee: str  # "Aan de gemeenteraad van Vlaardingen" (the envelope, the post room)
    salutation: str  # "Geachte leden van de raad,"
    mentioned: str  # "de gemeenteraad van Vlaardingen" (in a sentence)

    @property
    def sample(self) -> bool:
        return self.address is not None and validate.is_sample_address(self.address)

    @property
    def missing(self) -> str:
        """Why it goes by post (empty when it has an address)."""
        if self.address is not None:
            return ""
        return f"no e-mail address of {self.mentioned}"

    @property
    def action(self) -> NextAction:
        """The step that adds the missing address (``hint`` as a step, for the front ends)."""
        if self.role == "cdk":
            return NextAction("import-cdk")
        return NextAction("import-addresses", {"role": self.role})

    @property
    def hint(self) -> str:
        """How to add the missing address (the command line's words; see ``action``)."""
        command = (
            "ibtpost import cdk"
            if self.role == "cdk"
            else f"ibtpost import addresses --role {self.role}"
        )
        return f"the copy goes by post; add the address with {command}"


def copy_recipients(
    copies: tuple[tuple[str, str], ...], municipality: Municipality, config: Config
) -> list[CopyRecipient]:
    """The copies of a letter with a mail of their own (every role of ``copies`` but the
    CdK, who is Cc of the letter's own mail), each with its address or None."""
    return [
        copy_recipient(role, kind, municipality, config)
        for role, kind in copies
        if role in _OWN_MAIL
    ]


def cdk_copy(municipality: Municipality, config: Config) -> CopyRecipient:
    """The CdK's own copy of a letter that goes by post (an afschrift): by mail to the
    CdK's address, or by post when none is known."""
    return copy_recipient("cdk", "afschrift", municipality, config)


def copy_recipient(
    role: str, kind: str, municipality: Municipality, config: Config
) -> CopyRecipient:
    """The recipient of one copy (``raad``, ``gs`` or ``cdk``) of a letter to
    ``municipality``."""
    mentioned, name, salutation = (
        text.format(m=municipality.name, p=municipality.province) for text in _COPY_NAMES[role]
    )
    overlay = OVERLAYS[role]  # where the role's address is kept (imported with --role)
    holder = (
        municipality if overlay.per_municipality else config.provinces.get(municipality.province)
    )
    address = getattr(holder, overlay.attribute) if holder is not None else None
    return CopyRecipient(role, kind, address, name, f"Aan {mentioned}", salutation, mentioned)
