"""Every command has help text and a README mention; the changelog knows the version."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tests.conftest import REPO

from ibtpost import __version__
from ibtpost.cli import build_parser

COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_help_and_readme_section(command: str) -> None:
    """``ibtpost COMMAND --help`` works and README.md shows the command."""
    result = subprocess.run(
        [sys.executable, "-m", "ibtpost", command, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "usage: ibtpost" in result.stdout
    assert f"ibtpost {command}" in (REPO / "README.md").read_text()


def test_changelog_has_this_version() -> None:
    """CHANGELOG.md follows Keep a Changelog and names the package version."""
    text = (REPO / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text
    assert f"## [{__version__}]" in text


def test_readme_starts_with_demo_and_test_commands() -> None:
    """The README's first commands are the two that work on a fresh machine."""
    head = (REPO / "README.md").read_text().split("\n## ", 1)[0]
    assert "make demo" in head and "make test" in head
