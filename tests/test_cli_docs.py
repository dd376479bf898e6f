"""The documentation is checked, not hoped for: every command has help text and is named in
docs/commands.md, which is generated and up to date; the README stays short and starts with
the two commands that work on a fresh machine; every relative link leads to a file; the
module map and the layers in docs/architecture.md are the package's; the changelog knows the
version."""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

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
def test_command_has_help_and_is_in_the_command_reference(command: str) -> None:
    """``ibtpost COMMAND --help`` works and docs/commands.md shows the command."""
    result = subprocess.run(
        [sys.executable, "-m", "ibtpost", *command.split(), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "usage: ibtpost" in result.stdout
    assert f"ibtpost {command}" in (REPO / "docs" / "commands.md").read_text()


def test_changelog_has_this_version() -> None:
    """CHANGELOG.md follows Keep a Changelog and names the package version."""
    text = (REPO / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text
    assert f"## [{__version__}]" in text


def test_readme_starts_with_demo_and_test_commands() -> None:
    """The README's first commands are the two that work on a fresh machine."""
    head = (REPO / "README.md").read_text().split("\n## ", 1)[0]
    assert "make demo" in head and "make test" in head


def test_readme_is_short() -> None:
    """The README is the front page: at most 200 lines, the rest is under docs/."""
    lines = (REPO / "README.md").read_text().splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines; move some into docs/"


def gen_commands_doc() -> ModuleType:
    """tools/gen_commands_doc.py, loaded as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "gen_commands_doc", REPO / "tools" / "gen_commands_doc.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_reference_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/commands.md is what tools/gen_commands_doc.py generates from the parser now."""
    status = gen_commands_doc().main(["--check"])
    assert status == 0, capsys.readouterr().out


def test_command_reference_check_fails_when_out_of_date(tmp_path: Path) -> None:
    """The check sees a changed help text, and rewriting the file mends it; the hand-written
    text around the markers is kept."""
    gen = gen_commands_doc()
    stale = (
        (REPO / "docs" / "commands.md")
        .read_text()
        .replace("usage: ibtpost letter", "usage: ibtpost lettre", 1)
    )
    doc = tmp_path / "commands.md"
    doc.write_text("Written by hand.\n" + stale + "Also by hand.\n")
    assert gen.main(["--check", "--file", str(doc)]) == 1
    assert gen.main(["--file", str(doc)]) == 0
    assert gen.main(["--check", "--file", str(doc)]) == 0
    text = doc.read_text()
    assert "usage: ibtpost letter" in text and "usage: ibtpost lettre" not in text
    assert text.startswith("Written by hand.\n") and text.endswith("Also by hand.\n")


DOCS = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)


def relative_links(text: str) -> list[str]:
    """The targets of the Markdown links and images in ``text`` that are neither absolute
    URLs nor anchors in the same page; code blocks and code spans are skipped."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = LINK.findall(text) + REFERENCE_LINK.findall(text)
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


@pytest.mark.parametrize("page", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_lead_to_files(page: Path) -> None:
    """Every relative link in README.md and docs/*.md names a file or folder that exists
    (the part after ``#`` is not checked)."""
    broken = [
        target
        for target in relative_links(page.read_text())
        if not (page.parent / target.split("#", 1)[0]).exists()
    ]
    assert not broken, f"{page.relative_to(REPO)}: links to missing files: {broken}"


def test_link_finder_sees_links_and_skips_code() -> None:
    """The link check above looks at links and images, not at code or URLs."""
    text = "[a](x.md#top) ![b](img/c.png) [d](https://e.nl) [f](#g)\n`[h](i.md)`\n[j]: k.md\n"
    assert relative_links(text + "```\n[l](m.md)\n```\n") == ["x.md#top", "img/c.png", "k.md"]


ARCHITECTURE = REPO / "docs" / "architecture.md"


def section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section of a Markdown page."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"{ARCHITECTURE.relative_to(REPO)} has no section '## {heading}'"
    return match.group(1)


def test_module_map_names_every_module() -> None:
    """The module map in docs/architecture.md has one row per module of src/ibtpost, every
    .py file but the packages' __init__.py, and no row for a module that does not exist."""
    rows = re.findall(
        r"^\|\s*`(ibtpost/[\w/]+\.py)`\s*\|", section(ARCHITECTURE.read_text(), "Module map"), re.M
    )
    src = REPO / "src"
    modules = {
        path.relative_to(src).as_posix()
        for path in (src / "ibtpost").rglob("*.py")
        if path.name != "__init__.py"
    }
    twice = sorted({row for row in rows if rows.count(row) > 1})
    missing = sorted(modules - set(rows))
    extra = sorted(set(rows) - modules)
    assert not (missing or extra or twice), (
        "docs/architecture.md, section 'Module map', is out of date:"
        + (f"\n  missing rows for: {', '.join(missing)}" if missing else "")
        + (f"\n  rows without a module: {', '.join(extra)}" if extra else "")
        + (f"\n  modules listed twice: {', '.join(twice)}" if twice else "")
    )


def normal_layer(layer: str) -> str:
    """``a:b`` and ``a : b`` are the same layer."""
    return " : ".join(part.strip() for part in layer.split(":"))


def test_layers_are_the_import_linter_contract() -> None:
    """The numbered list under '## Layers' in docs/architecture.md is, in order, the layers
    of the import-linter ``layers`` contract in pyproject.toml."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    contracts = pyproject["tool"]["importlinter"]["contracts"]
    layered = [contract for contract in contracts if contract["type"] == "layers"]
    assert len(layered) == 1, "expected one layers contract in pyproject.toml"
    wanted = [normal_layer(layer) for layer in layered[0]["layers"]]
    written = [
        normal_layer(layer)
        for layer in re.findall(
            r"^\d+\.\s+`([^`]+)`", section(ARCHITECTURE.read_text(), "Layers"), re.M
        )
    ]
    assert written == wanted, (
        "docs/architecture.md, section 'Layers', differs from [tool.importlinter] in "
        f"pyproject.toml:\n  written:   {written}\n  contract:  {wanted}"
    )
