"""Shared fixtures: a private copy of the repository's data, and the CLI as users run it."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.smtpserver import Recorder, SmtpServer

from ibtpost.approval.gate import approve
from ibtpost.cli import main

REPO = Path(__file__).resolve().parents[1]


#: The reviewer who approves trede 2 in the tests' roots (see :func:`copy_tree`).
TEST_REVIEWER = "mr. T. Testjurist (tests)"
_APPROVED: list[Path] = []


def _approved_source() -> Path:
    """A copy of the repository's data in which :data:`TEST_REVIEWER` approved trede 2 with
    ``ibtpost approve``, made once per test process.

    Trede 2 is final but awaits a named reviewer's approval in the repository (its mail
    templates changed after its last approval, which the legal review of December 2026 did
    not accept as signed by a person). A test root is an installation of its own, as a
    ministry's would be: a reviewer approves there what the tests make final letters of."""
    if not _APPROVED:
        source = Path(tempfile.mkdtemp(prefix="ibtpost-approved-")) / "root"
        for name in ("config", "letters", "templates"):
            shutil.copytree(REPO / name, source / name)
        approve(source, "trede-2", TEST_REVIEWER, "approved in a test root")
        _APPROVED.append(source)
    return _APPROVED[0]


def copy_tree(target: Path, *, approved: bool = True) -> Path:
    """Copy config/, letters/ and templates/ of the repository into ``target``; with
    ``approved`` (the default) as a test reviewer approved them (trede 2; see
    :func:`_approved_source`), else exactly as shipped."""
    source = _approved_source() if approved else REPO
    for name in ("config", "letters", "templates"):
        shutil.copytree(source / name, target / name)
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
