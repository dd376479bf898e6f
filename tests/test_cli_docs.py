"""Every command has help text and a README mention; the changelog knows the version."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest
from tests.conftest import REPO

from ibtpost import __version__
from ibtpost.cli.main import build_parser


def commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every command and sub-command: "letter", "import", "import figures", ..."""
    found: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix}{name}")
                found.extend(commands(sub, f"{prefix}{name} "))
    return sorted(found)


COMMANDS = commands(build_parser())


def test_sub_commands_are_found() -> None:
    """The walk sees nested sub-commands, so each of them is checked below."""
    assert {"letter", "check", "import", "import figures", "import cdk"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_help_and_readme_section(command: str) -> None:
    """``ibtpost COMMAND --help`` works and README.md shows the command."""
    result = subprocess.run(
        [sys.executable, "-m", "ibtpost", *command.split(), "--help"],
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
