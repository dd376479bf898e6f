"""Shared fixtures: a private copy of the repository's data, and the CLI as users run it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.smtpserver import Recorder, SmtpServer

from ibtpost.cli import main

REPO = Path(__file__).resolve().parents[1]


def copy_tree(target: Path) -> Path:
    """Copy config/, letters/ and templates/ of the repository into ``target``."""
    for name in ("config", "letters", "templates"):
        shutil.copytree(REPO / name, target / name)
    (target / "outbox").mkdir()
    return target


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A fresh ibtpost root (copy of the shipped data) for one test."""
    return copy_tree(tmp_path / "root")


@dataclass
class Result:
    """What a CLI run returned and printed."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``ibtpost --root ROOT ARGS...`` in-process and capture its output."""

    def run(root: Path, *args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(["--root", str(root), *args])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def files_under(path: Path) -> list[Path]:
    """Every file below ``path`` (sorted), to prove that nothing was written."""
    return sorted(p for p in path.rglob("*") if p.is_file())


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that records every message."""
    srv = SmtpServer(Recorder())
    srv.start()
    yield srv
    srv.stop()
