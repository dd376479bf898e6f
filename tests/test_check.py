"""``ibtpost check`` lists every problem of config/, letters/ and templates/ at once."""

from __future__ import annotations

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
