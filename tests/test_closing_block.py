"""The closing block (closing, signature formula, signature, name and function) stays
together on one page (legal review 2026-12, all letters): with real LibreOffice, for every
length of letter around a page boundary."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from tests.conftest import copy_tree

from ibtpost.cli import main
from ibtpost.data.config import load_config

pytestmark = pytest.mark.libreoffice

CLOSING = "Hoogachtend,"


def _root(tmp_path: Path) -> tuple[Path, str, list[str]]:
    """A root with a draft letter "sluiting": trede 1's text with, before its closing, one
    bullet line per agreement of the municipality; the signatory's name; and the codes of
    the municipalities it can be made for (with figures and an address)."""
    root = copy_tree(tmp_path / "root")
    text = (root / "letters" / "trede-1.yaml").read_text("utf-8")
    text = text.replace("letter: trede-1", "letter: sluiting").replace("  max: 2", "  max: 6")
    bullets = "  - bullets:\n      foreach: agreements\n      item: '{{ item.action }}'\n\n"
    text = text.replace("footnotes:\n", bullets + "footnotes:\n", 1)
    (root / "letters" / "sluiting.yaml").write_text(text, "utf-8")
    (root / "letters" / "trede-1.yaml").unlink()  # only the test letter in this root
    config = load_config(root)
    codes = [c for c in sorted(config.figures) if c in config.municipalities][:40]
    return root, config.sender.signatory.name, codes


def _make(root: Path, name: str, counts: dict[str, int]) -> dict[int, tuple[int, int]]:
    """A concept batch with ``counts[code]`` one-line agreements per municipality; per count,
    the page (1-based) of the closing and of the signatory's name."""
    agreements = {
        code: [
            {
                "action": f"Actie {n + 1}",
                "deadline": "2026-09-01",
                "agreed_on": "2026-03-01",
                "agreed_with": "de wethouder",
            }
            for n in range(count)
        ]
        for code, count in counts.items()
        if count
    }
    (root / "config" / "agreements.yaml").write_text(yaml.safe_dump(agreements), "utf-8")
    for old in (root / "outbox").iterdir():
        if old.is_dir():
            old.rename(old.with_name(old.name + "-old"))
    args = ["--root", str(root), "batch", "sluiting", "--date", "2026-04-09", "--concept"]
    args += ["--reason", "test of the closing block"]
    assert main([*args, *(a for code in counts for a in ("-m", code))]) == 0
    (manifest,) = [m for m in (root / "outbox").glob("*/manifest.json") if "-old" not in str(m)]
    letters = json.loads(manifest.read_text("utf-8"))["letters"]
    return {
        counts[entry["municipality"]]: _pages(manifest.parent / entry["pdf"], name)
        for entry in letters
    }


def _pages(pdf: Path, name: str) -> tuple[int, int]:
    """The pages of the closing and of the signatory's name (the last page naming it)."""
    texts = [" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages]
    closing = next(n for n, t in enumerate(texts, 1) if CLOSING in t)
    return closing, max(n for n, t in enumerate(texts, 1) if name in t)


def test_closing_block_is_never_split_across_pages(tmp_path: Path) -> None:
    """Coarse steps find where the closing moves to the next page; every count around that
    boundary keeps the closing and the signatory's name on one page, and the block does
    move (the sweep crosses the boundary)."""
    root, name, codes = _root(tmp_path)
    coarse = _make(root, name, {code: 8 * i for i, code in enumerate(codes[:8])})
    assert all(closing == signed for closing, signed in coarse.values()), coarse
    steps = sorted(coarse)
    boundary = next((a, b) for a, b in itertools.pairwise(steps) if coarse[a][0] != coarse[b][0])
    fine = _make(
        root,
        name,
        {code: boundary[0] + i for i, code in enumerate(codes[: boundary[1] - boundary[0]])},
    )
    assert all(closing == signed for closing, signed in fine.values()), fine
    assert len({closing for closing, _ in fine.values()} | {coarse[boundary[1]][0]}) == 2
