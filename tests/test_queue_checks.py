"""`ibtpost queue` checks every letter first: a failing one is not queued, is reported and
recorded, the others are queued, and it is queued once the batch was made again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import Result

from ibtpost.register import Register, audit, dispatch
from ibtpost.review import lettercheck

pytestmark = pytest.mark.libreoffice

DAY = "2026-04-09"
CODES = ("GM0622", "GM0014", "GM0034")  # Vlaardingen, Groningen, Almere
PARAGRAPH = "  - paragraph: >-\n      Met deze brief wordt u verzocht het ministerie"
# a lawyer's slip: the paragraph with a mandatory block left out for one municipality
GUARDED = (
    '  - when: municipality.code != "GM0622"\n'
    "    paragraph: >-\n      Met deze brief wordt u verzocht het ministerie"
)


def make_batch(root: Path, cli: Callable[..., Result]) -> tuple[Path, Result]:
    args = ["batch", "trede-2", "--date", DAY, "--reason", "test"]
    for code in CODES:
        args += ["-m", code]
    result = cli(root, *args)
    assert result.code == 0, result.err
    return Path(result.out.strip().splitlines()[-1]), result


def test_a_failing_letter_is_not_queued_until_fixed(root: Path, cli: Callable[..., Result]) -> None:
    definition = root / "letters" / "trede-2.yaml"
    shipped = definition.read_text("utf-8")
    assert PARAGRAPH in shipped
    definition.write_text(shipped.replace(PARAGRAPH, GUARDED), "utf-8")
    # the slip got past review (approval is about the text, the checks about each letter)
    assert cli(root, "approve", "trede-2", "--by", "A. Jurist").code == 0
    folder, _ = make_batch(root, cli)
    (vlaardingen,) = folder.glob("*-vlaardingen.pdf")
    reference = vlaardingen.name.partition("-")[0]

    first = cli(root, "queue", folder.name)
    assert first.code == 1
    where = "letters/trede-2.yaml:"
    failures = [line for line in first.err.splitlines() if line.startswith("not queued: ")]
    assert len(failures) == 1
    assert failures[0].startswith(
        f"not queued: {vlaardingen.name}: mandatory text 'verzoek-om-informatie' ({where}"
    )
    assert "missing from the Word file; mandatory text 'verzoek-om-informatie'" in failures[0]
    assert failures[0].endswith("missing from the PDF")
    assert "checks: 3 letter(s) checked (0 from checks.json)" in first.err
    assert "2 queued for e-mail" in first.err and "1 not queued (checks failed)" in first.err
    with Register.for_root(root) as register:
        queued = {e.reference for e in dispatch.entries(register, folder.name)}
        events = [e for e in audit.events(register, batch=folder.name)]
        assert audit.verify(register).ok
    assert reference not in queued and len(queued) == 2
    (failed,) = [e for e in events if e.kind == audit.LETTER_CHECK_FAILED]
    assert failed.reference == reference
    assert failed.data["municipality"] == "GM0622"
    assert failed.data["pdf_sha256"] is not None
    assert len(failed.data["problems"]) == 2

    # a second run checks only the letter still out, from checks.json, and refuses it again
    again = cli(root, "queue", folder.name)
    assert again.code == 1
    assert "checks: 1 letter(s) checked (1 from checks.json)" in again.err
    assert "0 queued for e-mail, 0 for the post room, 2 already queued" in again.err

    # fixed in the definition and the batch made again: only that letter changes
    definition.write_text(shipped, "utf-8")
    assert cli(root, "approve", "trede-2", "--by", "A. Jurist").code == 0
    _, remade = make_batch(root, cli)
    assert "(1 converted, 2 unchanged)" in remade.err
    fixed = cli(root, "queue", folder.name)
    assert fixed.code == 0, fixed.err
    assert "not queued" not in fixed.err
    assert "1 queued for e-mail, 0 for the post room, 2 already queued" in fixed.err
    with Register.for_root(root) as register:
        assert reference in {e.reference for e in dispatch.entries(register, folder.name)}
    assert (folder / lettercheck.CHECKS_FILE).is_file()
