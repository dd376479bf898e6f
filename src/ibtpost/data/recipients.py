"""Who gets a letter by e-mail: To the college (``Municipality.ibt_email``, imported with
``ibtpost import addresses``, else its general ``email``), Cc the Commissaris van de Koning
of its province (``Province.cdk_email``). A letter without either address gets a
:class:`MissingAddress` and goes by post."""

from __future__ import annotations

from dataclasses import dataclass

from ibtpost.models import Config, Municipality
from ibtpost.text import dutch, validate


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
    def hint(self) -> str:
        """How to add the missing address."""
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
