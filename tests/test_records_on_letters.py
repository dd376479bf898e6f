"""A record made on a letter (reply, motivering, publication, litigation) needs a letter
that exists and was final: one guard (``register.letters.final_letter``), one message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import Result

from ibtpost.register import Register
from ibtpost.register import letters as letter_register

pytestmark = pytest.mark.libreoffice


def test_records_on_an_unknown_or_concept_letter_are_refused_alike(
    root: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    made = cli(root, "batch", "trede-3", "--date", "2026-05-04", "--concept", "-m", "GM0622",
               "--reason", "test")  # fmt: skip
    assert made.code == 0, made.err
    with Register.for_root(root) as register:
        (letter,) = letter_register.batch_letters(register, Path(made.out.split()[-1]).name)
    text = tmp_path / "motivering.md"
    text.write_text("Tekst.\n", "utf-8")
    records = {
        "reply": ["reply", "{ref}", "--received", "2026-05-06"],
        "motivering": ["motivering", "{ref}", "--file", str(text)],
        "publication": ["publication", "{ref}", "--staatscourant", "2026-1", "--date",
                        "2026-05-06"],
        "litigation": ["litigation", "{ref}", "--event", "beroep", "--date", "2026-05-06"],
    }  # fmt: skip
    for name, args in records.items():
        for ref, said in (
            ("7599999", "no letter with reference 7599999"),
            (letter.reference, f"{letter.reference} is a concept letter: it was never sent"),
        ):
            result = cli(root, *(a.format(ref=ref) for a in args))
            assert result.code == 2, (name, result.err)
            lines = result.err.strip().splitlines()
            assert lines[0] == f"error: REFERENCE: {said}", (name, lines)
    with Register.for_root(root) as register:
        counts = [
            register.db.execute(query).fetchone()[0]
            for query in (
                "SELECT COUNT(*) FROM replies",
                "SELECT COUNT(*) FROM motivering",
                "SELECT COUNT(*) FROM publications",
                "SELECT COUNT(*) FROM litigation",
            )
        ]
    assert counts == [0, 0, 0, 0]
