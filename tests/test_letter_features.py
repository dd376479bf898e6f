"""Definition features: when, foreach, previous, agreements, compliance term, CONCEPT."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from tests.conftest import Result

from ibtpost.core.domain import PreviousLetter
from ibtpost.core.errors import DefinitionError, Location, Problems
from ibtpost.data.config import load_config
from ibtpost.text.compose import compose
from ibtpost.text.composed import RParagraph
from ibtpost.text.definitions import definition_files, load_definition
from ibtpost.text.textengine import render_text

HERE = Location("letters/x.yaml", 3, "body[0].paragraph")
PREVIOUS = PreviousLetter("trede-2", 2, "7468089", date(2026, 4, 9))
IF_ELSE = (
    "{% if previous %}In de brief van {{ previous.date }} (kenmerk {{ previous.reference }}, "
    "trede {{ previous.trede }}){% else %}Eerder{% endif %} is uw gemeente gewezen op haar taak."
)

DEFINITION = """\
letter: test-1
trede: 3
title: Test
status: draft
template: brief.docx
reply_term_weeks: 3
subject: Onderwerp
addressee: Aan het college van B&W van de gemeente {{ municipality.name }}
salutation: Geacht college,
body:
  - paragraph: Vast.
BODY
closing: Hoogachtend,
"""


def write(root: Path, body: str, extra: str = "") -> Path:
    """A definition letters/test-1.yaml with ``body`` blocks appended to the body."""
    path = root / "letters" / "test-1.yaml"
    path.write_text(DEFINITION.replace("BODY\n", body) + extra, encoding="utf-8")
    return path


def body_text(root: Path, path: Path, **kwargs: object) -> list[str]:
    """The composed body of the test definition for Vlaardingen."""
    config = load_config(root)
    definition = load_definition(path, "letters/test-1.yaml")
    letter = compose(
        definition,
        config.municipalities["GM0622"],
        config,
        "1",
        date(2026, 5, 11),
        **kwargs,  # type: ignore[arg-type]
    )
    return ["".join(r.text for r in b.runs) for b in letter.body if isinstance(b, RParagraph)]


def errors_of(path: Path) -> list[str]:
    """The problems of loading a definition, as printed."""
    with pytest.raises(Problems) as info:
        load_definition(path, "letters/test-1.yaml")
    return [str(p) for p in info.value.problems]


def test_if_else_on_previous() -> None:
    """The text engine accepts {% if previous %}...{% else %}...{% endif %}."""
    previous = {"date": date(2026, 4, 9), "reference": "7468089", "trede": 2}
    assert render_text(IF_ELSE, {"previous": previous}, HERE) == (
        "In de brief van 9 april 2026 (kenmerk 7468089, trede 2) is uw gemeente gewezen op "
        "haar taak."
    )
    assert render_text(IF_ELSE, {"previous": None}, HERE) == (
        "Eerder is uw gemeente gewezen op haar taak."
    )


def test_when_and_foreach(root: Path) -> None:
    """A block with when: is left out when false; foreach makes one bullet per element."""
    path = write(
        root,
        "  - when: previous\n"
        "    paragraph: Na de brief van {{ previous.date }}.\n"
        "  - when: not previous\n"
        "    paragraph: Zonder eerdere brief.\n"
        "  - bullets:\n"
        "      foreach: agreements\n"
        '      item: "{{ item.action }}, uiterlijk {{ item.deadline | datum }}"\n',
    )
    (root / "config" / "agreements.yaml").write_text(
        "GM0622:\n"
        "  - action: Locatie aanwijzen\n"
        "    deadline: 2026-06-01\n"
        "    agreed_on: 2026-05-04\n"
        "    agreed_with: de wethouder\n"
        "    follow_up: gesprek\n"
        "  - action: Raadsbesluit\n"
        "    deadline: 2026-07-01\n"
        "    agreed_on: 2026-05-04\n"
        "    agreed_with: de wethouder\n",
        encoding="utf-8",
    )
    assert body_text(root, path) == [
        "Vast.",
        "Zonder eerdere brief.",
        "Locatie aanwijzen, uiterlijk 1 juni 2026",
        "Raadsbesluit, uiterlijk 1 juli 2026",
    ]
    assert body_text(root, path, previous=PREVIOUS)[1] == "Na de brief van 9 april 2026."


def test_concept_mark(root: Path) -> None:
    """concept=True adds CONCEPT next to VOORBEELD; without it, no CONCEPT."""
    config = load_config(root)
    definition = load_definition(write(root, ""), "letters/test-1.yaml")
    day = date(2026, 5, 11)
    den_haag = config.municipalities["GM0518"]
    assert compose(definition, den_haag, config, "1", day, concept=True).marks == (
        "CONCEPT",
        "VOORBEELD",
    )
    assert compose(definition, den_haag, config, "1", day).marks == ("VOORBEELD",)
    vlaardingen = config.municipalities["GM0622"]
    assert compose(definition, vlaardingen, config, "1", day, concept=True).marks == ("CONCEPT",)


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        (
            "  - when: vorige\n    paragraph: x\n",
            "body[1].when",
            "unknown placeholder {{ vorige }}",
        ),
        (
            "  - bullets:\n      foreach: afspraken\n      item: x\n",
            "body[1].bullets.foreach",
            "unknown placeholder {{ afspraken }}",
        ),
        (
            "  - bullets:\n      foreach: agreements\n      item: '{{ punt.action }}'\n",
            "body[1].bullets.item",
            "unknown placeholder {{ punt }}",
        ),
        ("  - when: '{{ previous }}'\n    paragraph: x\n", "body[1].when", "without {{ }}"),
        ("  - when: previous and\n    paragraph: x\n", "body[1].when", "syntax error"),
        (
            "  - paragraph: '{{ compliance_term.deadline }}'\n",
            "body[1].paragraph",
            "compliance_term_weeks is not set",
        ),
    ],
)
def test_bad_when_and_foreach_name_file_and_line(
    root: Path, body: str, field: str, says: str
) -> None:
    """Unknown names and bad expressions are errors at the line of their key."""
    path = write(root, body)
    key = field.rsplit(".", 1)[-1]
    lines = path.read_text(encoding="utf-8").splitlines()
    # the last line with the key: the block under test comes after "paragraph: Vast."
    line = max(n for n, x in enumerate(lines, 1) if x.strip().lstrip("- ").startswith(key + ":"))
    errors = errors_of(path)
    assert any(e.startswith(f"letters/test-1.yaml:{line}: {field}: ") and says in e for e in errors)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        # a misspelt attribute inside {% if previous %} shows only with a previous letter
        ("  - paragraph: '{% if previous %}{{ previous.datum }}{% endif %}'\n", "datum"),
        # a misspelt attribute of the item shows only with an agreement
        (
            "  - bullets:\n      foreach: agreements\n      item: '{{ item.actie }}'\n",
            "actie",
        ),
        # a name used without a previous letter
        ("  - paragraph: '{{ previous.date }}'\n", "{% if previous %}"),
    ],
)
def test_check_renders_every_branch(
    root: Path, cli: Callable[..., Result], body: str, says: str
) -> None:
    """ibtpost check composes with and without a previous letter and with an agreement."""
    write(root, body)
    result = cli(root, "check")
    assert result.code == 2, result.out
    assert any(
        line.startswith("error: letters/test-1.yaml:") and says in line
        for line in result.out.splitlines()
    ), result.out


def test_check_accepts_the_shipped_letters(root: Path, cli: Callable[..., Result]) -> None:
    """The nine shipped definitions (the six tredes, the herstel, the intrekking and the
    afsluiting) pass ibtpost check (approvals.yaml is not one)."""
    assert [p.stem for p in definition_files(root)] == [
        "afsluiting",
        "herstel",
        "intrekking",
        *(f"trede-{n}" for n in range(1, 7)),
    ]
    result = cli(root, "check")
    assert result.code == 0 and "\n0 error(s)" in "\n" + result.out, result.out


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        (
            "GM9999:\n  - action: x\n    deadline: 2026-06-01\n",
            ":1: GM9999",
            "unknown municipality",
        ),
        (
            "GM0622:\n  - action: x\n    deadline: 2026-13-01\n",
            ":3: GM0622[0].deadline",
            "not a date",
        ),
        (
            "GM0622:\n  - action: x\n    deadline: 2026-06-01\n",
            ":2: GM0622[0].agreed_on",
            "missing",
        ),
        (
            "GM0622:\n  - action: x\n    deadline: 2026-06-01\n    agreed_on: 2026-05-01\n",
            ":2: GM0622[0].agreed_with",
            "with whom",
        ),
        ("GM0622:\n  - deadline: 2026-06-01\n", ":2: GM0622[0].action", "missing"),
        (
            "GM0622:\n  - action: x\n    deadline: 2026-06-01\n    wie: y\n",
            ":4: GM0622[0].wie",
            "unknown key",
        ),
        ("GM0622: geen lijst\n", ":1: GM0622", "must be a list"),
    ],
)
def test_bad_agreements_name_file_line_and_field(
    root: Path, text: str, where: str, says: str
) -> None:
    """config/agreements.yaml errors name the file, line and field."""
    (root / "config" / "agreements.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(Problems) as info:
        load_config(root)
    messages = [str(p) for p in info.value.problems]
    assert any(m.startswith(f"config/agreements.yaml{where}: ") and says in m for m in messages), (
        messages
    )


def test_agreements_file_is_optional(root: Path) -> None:
    """Without config/agreements.yaml no municipality has agreements; shipped: none."""
    assert load_config(root).agreements == {}
    (root / "config" / "agreements.yaml").unlink()
    assert load_config(root).agreements == {}


def test_expression_errors_name_the_block(root: Path) -> None:
    """A when: that fails at compose time names its file, line and field."""
    path = write(root, "  - when: previous.datum\n    paragraph: x\n")
    config = load_config(root)
    definition = load_definition(path, "letters/test-1.yaml")
    with pytest.raises(DefinitionError) as info:
        compose(
            definition,
            config.municipalities["GM0622"],
            config,
            "1",
            date(2026, 5, 11),
            previous=PREVIOUS,
        )
    assert str(info.value).startswith("letters/test-1.yaml:12: body[1].when: unknown placeholder")


def test_besluit_term_is_a_period_never_a_date(root: Path) -> None:
    """A voornemen states the term of the besluit it announces as a period ("binnen zes
    weken na de bekendmaking"): a date would be counted from the wrong day."""
    period = "  - paragraph: 'Binnen {{ besluit_term.text }} na de bekendmaking.'\n"
    path = write(root, period, "besluit_term_weeks: 6\n")
    assert body_text(root, path)[-1] == "Binnen zes weken na de bekendmaking."
    path = write(
        root, "  - paragraph: 'Uiterlijk {{ besluit_term.deadline }}.'\n", "besluit_term_weeks: 6\n"
    )
    errors = errors_of(path)
    assert any("states besluit_term as a date" in e for e in errors), errors
    path = write(root, period)  # without besluit_term_weeks
    assert any("besluit_term_weeks is not set" in e for e in errors_of(path))
