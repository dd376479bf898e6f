"""config/archive.yaml: the archive's metadata values for the MDTO export.

The ``policy`` values (waardering, the selectielijst category, restrictions on use) are
the information manager's decisions; until ``verified_by`` and ``verified_on`` say who set
them, every export warns that they are unverified. ``terms`` are the labels of the MDTO
lists that are not policy (aggregation level, event type, checksum algorithm, PRONOM).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ibtpost.core.errors import DataError, Location, Problems
from ibtpost.core.layout import Layout
from ibtpost.core.yamlsource import YMap, load_yaml

ARCHIVE_FILE = "archive.yaml"
POLICY_KEYS = (
    "waardering",
    "informatiecategorie",
    "beperking_gebruik",
    "relatie_kennisgeving",
    "publicatie",
)
TERM_KEYS = (
    "aggregatieniveau_stuk",
    "aggregatieniveau_dossier",
    "verzending",
    "dekking_in_tijd",
    "betrokkene",
    "checksum",
    "pdfa",
)


@dataclass(frozen=True)
class Term:
    """A term of an MDTO list (begripGegevens): label, optional code, the list's name."""

    label: str
    code: str | None
    list: str


@dataclass(frozen=True)
class ArchivePolicy:
    """What config/archive.yaml says."""

    archiefvormer: str
    identificatiebron: str
    policy: dict[str, Term]
    terms: dict[str, Term]
    verified_by: str | None
    verified_on: date | None

    @property
    def verified(self) -> bool:
        """Whether an information manager set the policy values."""
        return self.verified_by is not None and self.verified_on is not None

    def unverified_note(self) -> str | None:
        """The warning an export gives while the policy values are not verified."""
        if self.verified:
            return None
        return (
            f"config/{ARCHIVE_FILE}: policy values (waardering, selectielijst category, "
            "beperking gebruik) are not verified by an information manager"
        )


def load_policy(root: Path) -> ArchivePolicy:
    """Read and check config/archive.yaml; every problem at once (:class:`Problems`)."""
    label = f"config/{ARCHIVE_FILE}"
    path = Layout(root).config_file(ARCHIVE_FILE)
    if not path.is_file():
        raise DataError("not found; the MDTO export needs it", Location(label))
    data = load_yaml(path, DataError, label)
    problems: list[DataError] = []
    if not isinstance(data, YMap):
        raise DataError("must be a mapping of keys to values", Location(label, 1))

    def text(key: str, where: YMap = data, prefix: str = "") -> str:
        value = where.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(
                DataError(
                    "must be a non-empty text", Location(label, where.line_of(key), prefix + key)
                )
            )
            return ""
        return " ".join(value.split())

    def terms(key: str, names: tuple[str, ...]) -> dict[str, Term]:
        section = data.get(key)
        if not isinstance(section, YMap):
            problems.append(
                DataError(
                    f"must be a mapping of {', '.join(names)}",
                    Location(label, data.line_of(key), key),
                )
            )
            return {}
        found: dict[str, Term] = {}
        for extra in sorted(set(section) - set(names)):
            problems.append(
                DataError("unknown key", Location(label, section.line_of(extra), f"{key}.{extra}"))
            )
        for name in names:
            item = section.get(name)
            where = f"{key}.{name}"
            if not isinstance(item, YMap):
                problems.append(
                    DataError(
                        "must be a mapping with label, code and list",
                        Location(label, section.line_of(name), where),
                    )
                )
                continue
            label_text = text("label", item, where + ".")
            list_text = text("list", item, where + ".")
            code = item.get("code")
            if code is not None and (not isinstance(code, str | int) or not str(code).strip()):
                problems.append(
                    DataError(
                        "must be a code, or null",
                        Location(label, item.line_of("code"), where + ".code"),
                    )
                )
                code = None
            found[name] = Term(
                label_text, str(code).strip() if code is not None else None, list_text
            )
        return found

    archiefvormer = text("archiefvormer")
    bron = text("identificatiebron")
    policy = terms("policy", POLICY_KEYS)
    vocabulary = terms("terms", TERM_KEYS)
    by, on = data.get("verified_by"), data.get("verified_on")
    if by is not None and (not isinstance(by, str) or not by.strip()):
        problems.append(
            DataError(
                "must be a name, or null",
                Location(label, data.line_of("verified_by"), "verified_by"),
            )
        )
        by = None
    if on is not None and not isinstance(on, date):
        problems.append(
            DataError(
                "must be a date like 2026-12-01, or null",
                Location(label, data.line_of("verified_on"), "verified_on"),
            )
        )
        on = None
    if (by is None) != (on is None):
        problems.append(
            DataError(
                "verified_by and verified_on go together: both, or neither",
                Location(label, data.line_of("verified_by"), "verified_by"),
            )
        )
    if problems:
        raise Problems(list(problems))
    return ArchivePolicy(
        archiefvormer, bron, policy, vocabulary, by.strip() if isinstance(by, str) else None, on
    )
