"""The package's layers are checked, not hoped for: import-linter with the contract in
pyproject.toml (each stage imports only the stages below it; no import cycles)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layer_contracts_are_kept() -> None:
    """Every module imports only from its own stage or the stages below it, without cycles."""
    done = lint_imports(REPO, REPO / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    """A pure text module that imports the mail stage is reported, naming the import."""
    shutil.copytree(REPO / "src" / "ibtpost", tmp_path / "src" / "ibtpost")
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    compose = tmp_path / "src" / "ibtpost" / "text" / "compose.py"
    compose.write_text(
        compose.read_text("utf-8") + "\nfrom ibtpost.mail import transport  # upward\n"
    )
    done = lint_imports(tmp_path, tmp_path / "src")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "ibtpost.text is not allowed to import ibtpost.mail" in done.stdout
    assert "ibtpost.text.compose -> ibtpost.mail.transport" in done.stdout
