"""Who signs a letter: the signatories of config/sender.yaml, named per letter definition,
and the mandate a besluit needs (legal review 2026-12, §3 "All letters")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from tests.conftest import Result

from ibtpost.approval import gate
from ibtpost.data.config import load_config
from ibtpost.documents.render import Assets, render_letter
from ibtpost.text.compose import compose
from ibtpost.text.definitions import load_letter

OTHER = """\
  plaatsvervanger:
    on_behalf: De minister van Asiel en Migratie, namens deze,
    name: Mr. P. Plaatsvervanger
    function: Plaatsvervangend directeur Regie Migratieketen
    image: signature.png
    mandate: null
"""


def _add_signatory(root: Path, text: str = OTHER) -> None:
    sender = root / "config" / "sender.yaml"
    body = sender.read_text("utf-8")
    sender.write_text(body.replace("signatories:\n", "signatories:\n" + text, 1), "utf-8")


def _name(root: Path, letter: str, signatory: str) -> None:
    path = root / "letters" / f"{letter}.yaml"
    body = path.read_text("utf-8")
    path.write_text(body.replace("signatory: directeur-rmk", f"signatory: {signatory}", 1), "utf-8")


def test_a_letter_is_signed_by_the_signatory_its_definition_names(root: Path) -> None:
    _add_signatory(root)
    _name(root, "trede-4", "plaatsvervanger")
    config = load_config(root)
    definition = load_letter(root, "trede-4")
    letter = compose(definition, config.municipalities["GM0622"], config, "1", date(2026, 6, 1))
    assert letter.signatory is not None
    assert letter.signatory.name == "Mr. P. Plaatsvervanger"
    docx = render_letter(letter, Assets.load(config, definition))
    assert b"Plaatsvervanger" in _document_xml(docx)
    # a letter that names nobody keeps the default signatory of sender.yaml
    two = compose(
        load_letter(root, "trede-2"), config.municipalities["GM0622"], config, "1", date(2026, 4, 9)
    )
    assert two.signatory == config.sender.signatory


def _document_xml(docx: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return z.read("word/document.xml")


def test_an_unknown_signatory_is_refused_with_file_and_line(
    root: Path, cli: Callable[..., Result]
) -> None:
    _name(root, "trede-6", "onbekend")
    lines = (root / "letters" / "trede-6.yaml").read_text("utf-8").splitlines()
    line = next(n for n, x in enumerate(lines, 1) if x.startswith("signatory:"))
    result = cli(root, "check")
    assert result.code == 2
    assert f"error: letters/trede-6.yaml:{line}: signatory: no signatory 'onbekend'" in result.out


def test_a_bad_signatories_block_names_file_line_and_field(
    root: Path, cli: Callable[..., Result]
) -> None:
    _add_signatory(root, "  Fout Naam:\n    name: X\n")
    result = cli(root, "check")
    assert result.code == 2
    lines = (root / "config" / "sender.yaml").read_text("utf-8").splitlines()
    line = next(n for n, x in enumerate(lines, 1) if x.startswith("  Fout Naam:"))
    assert f"config/sender.yaml:{line}: signatories.Fout Naam:" in result.out


def test_a_besluit_needs_a_signatory_with_a_mandate(root: Path) -> None:
    config = load_config(root)
    five = load_letter(root, "trede-5")
    assert five.besluit
    assert any(
        x.startswith("the mandate of its signatory Drs. K. Morren")
        for x in gate.unverified(config, five)
    )
    # a letter that is no besluit is not held back by the mandate
    four = load_letter(root, "trede-4")
    assert not any("mandate" in x for x in gate.unverified(config, four))
    sender = root / "config" / "sender.yaml"
    sender.write_text(
        sender.read_text("utf-8").replace(
            "    mandate: null", "    mandate: Mandaatregeling, artikel 1"
        ),
        "utf-8",
    )
    assert not any("mandate" in x for x in gate.unverified(load_config(root), five))
