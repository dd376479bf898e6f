"""config/legal.yaml: legal text a lawyer fills in and verifies. A letter that uses an
entry nobody verified can only be a concept; check lists it; approve refuses it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import Result

from ibtpost.approval import gate
from ibtpost.core.errors import Problems
from ibtpost.data.config import load_config
from ibtpost.text.definitions import load_letter


def use_legal_basis(root: Path) -> None:
    """trede-2 quotes the legal basis (a test's own change of the shipped text)."""
    path = root / "letters" / "trede-2.yaml"
    text = path.read_text("utf-8")
    old = "Gevraagd wordt indien van toepassing ook onderliggende stukken te delen."
    assert old in text
    path.write_text(text.replace(old, old + " Grondslag: {{ legal.legal_basis }}."), "utf-8")


def verify(root: Path, name: str, by: str = "mr. A. Jurist", on: str = "2026-12-01") -> None:
    path = root / "config" / "legal.yaml"
    text = path.read_text("utf-8")
    start = text.index(f"\n{name}:\n")
    end = text.find("\n\n", start + 1)
    entry = text[start : end if end != -1 else len(text)]
    done = entry.replace("verified_by: null", f"verified_by: {by}").replace(
        "verified_on: null", f"verified_on: {on}"
    )
    path.write_text(text.replace(entry, done), "utf-8")


def test_the_shipped_entries_are_the_reviews_and_unverified(root: Path) -> None:
    """The legal basis carries the review's wording; nothing is marked verified; the
    Raad van State's address is left for a lawyer to fill in."""
    legal = load_config(root).legal
    assert legal["legal_basis"].text == (
        "artikel 124, eerste lid, juncto artikel 124b, eerste lid, van de Gemeentewet"
    )
    assert not any(entry.verified for entry in legal.values())
    assert legal["raad_van_state_adres"].text is None
    assert legal["raad_van_state_adres"].shown == "[IN TE VULLEN: raad_van_state_adres]"


def test_a_letter_using_unverified_legal_text_is_only_a_concept(
    root: Path, cli: Callable[..., Result]
) -> None:
    """check warns; approve refuses (exit 2, naming the entry and its line); once a lawyer
    verified the entry the letter can be approved and made final."""
    use_legal_basis(root)
    checked = cli(root, "check")
    assert "letters/trede-2.yaml: uses legal text that is not verified: legal_basis " in (
        checked.err + checked.out
    )
    refused = cli(root, "approve", "trede-2", "--by", "A. Jurist")
    assert refused.code == 2
    assert refused.err.strip().startswith(
        "error: letter trede-2 uses legal text that is not verified: legal_basis "
        "(config/legal.yaml:10); only a concept can be made of it (--concept)"
    )
    with pytest.raises(gate.NotApproved):
        gate.require_verified(load_config(root), load_letter(root, "trede-2"))
    verify(root, "legal_basis")
    gate.require_verified(load_config(root), load_letter(root, "trede-2"))
    approved = cli(root, "approve", "trede-2", "--by", "A. Jurist")
    assert approved.code == 0, approved.err


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("verified_by: null", "verified_by: X"), "legal_basis.verified_by: verified_by and "),
        (("verified_on: null", "verified_on: gisteren"), "legal_basis.verified_on: must be a date"),
        (
            ("  verified_by: null", "  verified: true\n  verified_by: null"),
            "legal_basis.verified: ",
        ),
        (("text: artikel 124,", "text: ''\n  old: artikel 124,"), "legal_basis.text: must be text"),
    ],
)
def test_a_malformed_entry_names_file_line_and_field(
    root: Path, edit: tuple[str, str], message: str
) -> None:
    """A half-verified entry, a bad date, an unknown key, an empty text: every problem with
    config/legal.yaml, line and field."""
    path = root / "config" / "legal.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace(*edit, 1), "utf-8")
    with pytest.raises(Problems) as caught:
        load_config(root)
    found = [str(p) for p in caught.value.problems]
    assert any(p.startswith("config/legal.yaml:") and message in p for p in found), found


def test_the_new_letters_sign_namens_deze_and_trede_2_keeps_its_words(root: Path) -> None:
    """The signature formula comes from config/legal.yaml (ondertekening) for the letters
    that ask for it; trede 2 keeps the reference letter's "namens hem"."""
    from datetime import date

    from ibtpost.documents.render import Assets, render_letter
    from ibtpost.text.compose import compose
    from ibtpost.text.worddiff import docx_text

    config = load_config(root)
    signed = {}
    for letter_id in ("trede-2", "trede-4"):
        definition = load_letter(root, letter_id)
        letter = compose(definition, config.municipalities["GM0622"], config, "1", date(2026, 6, 1))
        signed[letter_id] = docx_text(render_letter(letter, Assets.load(config, definition)))
    assert "De minister van Asiel en Migratie, namens deze," in signed["trede-4"]
    assert "namens hem" not in signed["trede-4"]
    assert "De minister van Asiel en Migratie, namens hem," in signed["trede-2"]
