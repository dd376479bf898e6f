"""``ibtpost check`` lists every problem of config/, letters/ and templates/ at once."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result


def test_shipped_tree_has_no_errors(root: Path, cli: Callable[..., Result]) -> None:
    """The shipped data passes; sample e-mail addresses are warnings, exit 0."""
    result = cli(root, "check")
    assert result.code == 0, result.out
    assert (
        "warning: config/college-addresses.csv: email: 15 colleges have a sample e-mail "
        "address on a reserved example domain"
    ) in result.out
    assert "Rijssen-Holten" in result.out
    assert (
        "warning: config/cdk-addresses.csv: email: the Commissaris van de Koning of 11 "
        "provinces has a sample e-mail address"
    ) in result.out
    assert "has no e-mail address" not in result.out  # every letter can go by mail
    assert result.out.strip().splitlines()[-1].startswith("0 error(s)")


def test_missing_addresses_are_warnings(root: Path, cli: Callable[..., Result]) -> None:
    """Without the shipped sample overlays, unknown addresses are warnings, exit 0."""
    (root / "config" / "college-addresses.csv").unlink()
    (root / "config" / "cdk-addresses.csv").unlink()
    result = cli(root, "check")
    assert result.code == 0, result.out
    assert "warning: config/municipalities.csv:" in result.out
    assert (
        "Vlaardingen (GM0622) has no e-mail address for the college: its letters go by post"
        in result.out
    )
    assert (
        "no e-mail address of the Commissaris van de Koning of Drenthe: the letters to its 12 "
        "municipalities go by post: Aa en Hunze, Assen, Borger-Odoorn," in result.out
    )
    assert "sample e-mail address" not in result.out


def test_broken_yaml_exits_2_with_file_and_line(root: Path, cli: Callable[..., Result]) -> None:
    """A YAML syntax error is named with file and line, without a traceback."""
    path = root / "letters" / "trede-2.yaml"
    path.write_text(path.read_text().replace("closing: Hoogachtend,", "closing: 'Hoogachtend,"))
    result = cli(root, "check")
    assert result.code == 2
    assert "error: letters/trede-2.yaml:" in result.out
    assert "YAML syntax error" in result.out
    assert "Traceback" not in result.out + result.err


def test_all_problems_at_once(root: Path, cli: Callable[..., Result]) -> None:
    """Problems in several files are all listed in one run."""
    letters = root / "letters" / "trede-2.yaml"
    letters.write_text(letters.read_text().replace("Geacht college,", "Geacht {{ college }},"))
    figures = root / "config" / "figures.csv"
    figures.write_text(figures.read_text().replace("GM0014,2024-12-20", "GM0014,2024-13-20"))
    sender = root / "config" / "sender.yaml"
    sender.write_text(sender.read_text().replace("ibtspreidingswet@minjenv.nl", "geen-adres"))
    result = cli(root, "check")
    assert result.code == 2
    assert "letters/trede-2.yaml:" in result.out and "college" in result.out
    assert "config/figures.csv:2: verdeelbesluit:" in result.out
    assert "config/sender.yaml:" in result.out and "mailbox" in result.out


def test_missing_figures_for_a_municipality(root: Path, cli: Callable[..., Result]) -> None:
    """Data a letter needs but lacks for some municipality is an error."""
    figures = root / "config" / "figures.csv"
    figures.write_text(
        "".join(
            x for x in figures.read_text().splitlines(keepends=True) if not x.startswith("GM0014,")
        )
    )
    result = cli(root, "check")
    assert result.code == 2
    assert "no figures for GM0014 Groningen" in result.out


def test_unknown_placeholder_in_word_template(root: Path, cli: Callable[..., Result]) -> None:
    """A placeholder in the Word template that render does not supply is an error."""
    path = root / "templates" / "brief.docx"
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ closing }}", b"{{ slotgroet }}")
            target.writestr(item, data)
    source.close()
    path.write_bytes(out.getvalue())
    result = cli(root, "check")
    assert result.code == 2
    assert "error: templates/brief.docx: unknown placeholder {{ slotgroet }}" in result.out


# --- data, addresses, sources and letters together ----------------------------------------


def edit_rows(path: Path, edit: Callable[[dict[str, str]], None]) -> None:
    """Rewrite a config CSV file with ``edit`` applied to each row."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    for row in rows:
        edit(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), "utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of ``path`` that contains ``needle``."""
    return next(
        i for i, text in enumerate(path.read_text("utf-8").splitlines(), start=1) if needle in text
    )


def test_unknown_name_in_a_yaml_body_names_file_and_line(
    root: Path, cli: Callable[..., Result]
) -> None:
    letters = root / "letters" / "trede-2.yaml"
    letters.write_text(
        letters.read_text().replace(
            "Spreidingswet beoordeeld. Op {{ figures.peildatum | datum }}",
            "Spreidingswet beoordeeld. Op {{ figures.peildatm | datum }}",
        )
    )
    line = line_of(letters, "In het kader van het interbestuurlijk toezicht worden") - 1
    result = cli(root, "check")
    assert result.code == 2
    assert (
        f"error: letters/trede-2.yaml:{line}: body[1].paragraph: unknown placeholder: "
        "'dict object' has no attribute 'peildatm'" in result.out
    )
    assert "Traceback" not in result.out + result.err


def test_an_expression_that_fails_on_the_data_is_an_error_not_a_traceback(
    root: Path, cli: Callable[..., Result]
) -> None:
    letters = root / "letters" / "trede-2.yaml"
    letters.write_text(
        letters.read_text().replace(
            "Geacht college,", "Geacht college {{ figures.peildatum + 1 }},"
        )
    )
    result = cli(root, "check")
    assert result.code == 2
    assert f"error: letters/trede-2.yaml:{line_of(letters, 'salutation:')}: salutation: " in (
        result.out
    )
    assert "placeholder error: unsupported operand" in result.out
    assert "Traceback" not in result.out + result.err


def test_data_a_letter_needs_is_listed_per_municipality(
    root: Path, cli: Callable[..., Result]
) -> None:
    """The address of the configured kind, and the CdK's name where a letter prints it:
    each municipality that lacks it, with the data file and line."""
    settings = root / "config" / "settings.yaml"
    settings.write_text(settings.read_text().replace("address: visit", "address: postal"))

    def no_postal(row: dict[str, str]) -> None:
        if row["code"] == "GM0622":
            for key in ("postal_pobox", "postal_postcode", "postal_place"):
                row[key] = ""

    municipalities = root / "config" / "municipalities.csv"
    edit_rows(municipalities, no_postal)
    provinces = root / "config" / "provinces.csv"

    def unknown_cdk(row: dict[str, str]) -> None:
        if row["province"] == "Drenthe":
            row["cdk_name"] = ""

    edit_rows(provinces, unknown_cdk)
    letters = root / "letters" / "trede-4.yaml"
    letters.write_text(
        letters.read_text().replace(
            "  - heading: Tot slot\n",
            "  - paragraph: Afschrift aan {{ province.cdk_name }}.\n  - heading: Tot slot\n",
        )
    )
    result = cli(root, "check")
    assert result.code == 2
    assert (
        f"error: config/municipalities.csv:{line_of(municipalities, 'GM0622')}: postal_street: "
        "Vlaardingen (GM0622) has no postal address, which every letter prints "
        "(config/settings.yaml: address: postal)" in result.out
    )
    drenthe = line_of(provinces, "Drenthe")
    assert (
        f"error: config/provinces.csv:{drenthe}: cdk_name: Assen (GM0106): the name of the "
        "Commissaris van de Koning of Drenthe is unknown, and trede-4 (letters/trede-4.yaml:"
        in result.out
    )
    assert result.out.count(f"error: config/provinces.csv:{drenthe}: cdk_name: ") == 12
    assert "Groningen (GM0014): the name" not in result.out


def test_malformed_addresses_are_all_listed(root: Path, cli: Callable[..., Result]) -> None:
    bad = {
        "GM0014": {"visit_postcode": "9712HN"},
        "GM0034": {"visit_number": "1!"},
        "GM0106": {"postal_pobox": "0"},
        "GM0622": {"postal_street": "Westnieuwland", "postal_number": "6"},
        "GM0363": {"email": "info@@amsterdam.nl"},
        "GM0935": {"visit_place": " "},
        "GM0518": {"visit_number": ""},
    }

    def damage(row: dict[str, str]) -> None:
        row.update(bad.get(row["code"], {}))

    path = root / "config" / "municipalities.csv"
    edit_rows(path, damage)
    result = cli(root, "check")
    assert result.code == 2
    expected = {
        "GM0014": "visit_postcode: '9712HN' is not a postcode like '1234 AB'",
        "GM0034": "visit_number: '1!' is not a house number like '6', '10a' or '12-14'",
        "GM0106": "postal_pobox: '0' is not a Postbus number like 1002",
        "GM0622": "postal_pobox: both a Postbus and a street: give one of them",
        "GM0363": "email: 'info@@amsterdam.nl' is not an e-mail address",
        "GM0935": "visit_place: is empty",
        "GM0518": "visit_number: is empty: a street address needs a house number",
    }
    for code, message in expected.items():
        assert f"error: config/municipalities.csv:{line_of(path, code)}: {message}" in result.out
    assert "Traceback" not in result.out + result.err


def test_figures_without_a_source(root: Path, cli: Callable[..., Result]) -> None:
    """Sample figures without a source: a warning (they are marked VOORBEELD). Real figures
    without one: an error, since a letter states them as facts."""
    path = root / "config" / "figures.csv"

    def no_source(row: dict[str, str]) -> None:
        if row["code"] == "GM0014":
            row["source"] = ""

    edit_rows(path, no_source)
    result = cli(root, "check")
    assert result.code == 0, result.out
    assert (
        f"warning: config/figures.csv:{line_of(path, 'GM0014')}: source: sample figures of "
        "GM0014 Groningen have no source (they are marked VOORBEELD; real figures need one)"
        in result.out
    )

    def real_without_source(row: dict[str, str]) -> None:
        if row["code"] == "GM0622":
            row["source"] = ""

    edit_rows(path, real_without_source)
    result = cli(root, "check")
    assert result.code == 2
    assert (
        f"error: config/figures.csv:{line_of(path, 'GM0622')}: source: is empty: real figures "
        "(sample=no) need their source" in result.out
    )


def test_a_branch_that_depends_on_the_data_is_composed_for_every_municipality(
    root: Path, cli: Callable[..., Result]
) -> None:
    """A misspelt name under a condition on the figures is found, though the first
    municipality does not take that branch."""
    letters = root / "letters" / "trede-2.yaml"
    letters.write_text(
        letters.read_text().replace(
            "  - heading: Tot slot\n",
            "  - when: figures.task_amv == 0\n    paragraph: 'Geen AMV-taak {{ figures.amv }}.'\n"
            "  - heading: Tot slot\n",
        )
    )
    result = cli(root, "check")
    assert result.code == 2
    line = line_of(letters, "Geen AMV-taak")
    assert f"error: letters/trede-2.yaml:{line}: body[" in result.out
    assert "has no attribute 'amv'" in result.out


def test_mandatory_text_under_a_condition_is_an_error(
    root: Path, cli: Callable[..., Result]
) -> None:
    letters = root / "letters" / "trede-2.yaml"
    letters.write_text(
        letters.read_text().replace(
            "  - paragraph: >-\n      Met deze brief wordt u verzocht",
            "  - when: previous\n    paragraph: >-\n      Met deze brief wordt u verzocht",
        )
    )
    result = cli(root, "check")
    assert result.code == 2
    line = line_of(letters, "name: verzoek-om-informatie") + 1
    assert (
        f"error: letters/trede-2.yaml:{line}: required[1].text: mandatory text "
        "'verzoek-om-informatie' is missing from the letter without a previous letter: it must "
        "not stand under a condition" in result.out
    )
