"""The converter pool survives a hung or crashed LibreOffice: restart, retry, report."""

from __future__ import annotations

import os
import signal
import sys
from datetime import date
from pathlib import Path

import pytest
from tests.conftest import REPO

from ibtpost.core.errors import ConvertError
from ibtpost.data.config import load_config
from ibtpost.documents.convert import ConverterPool
from ibtpost.documents.pdf.finish import inspect_pdf
from ibtpost.documents.render import Assets, render_letter
from ibtpost.text.compose import compose
from ibtpost.text.definitions import load_letter

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def docx_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One rendered trede-2 letter."""
    config = load_config(REPO)
    definition = load_letter(REPO, "trede-2")
    letter = compose(
        definition, config.municipalities["GM0622"], config, "7468089", date(2026, 4, 9)
    )
    path = tmp_path_factory.mktemp("pool") / "7468089-vlaardingen.docx"
    path.write_bytes(render_letter(letter, Assets.load(config, definition)))
    return path


def converted_ok(pdf: Path) -> bool:
    facts = inspect_pdf(pdf.read_bytes())
    return facts.pdfa == "2B" and facts.pages >= 2


@pytest.mark.parametrize(
    ("fault", "expected"),
    [(signal.SIGSTOP, "no answer in 4 s (hung)"), (signal.SIGKILL, "the converter died")],
)
def test_a_hung_or_dead_converter_is_replaced_and_the_letter_retried(
    docx_file: Path, tmp_path: Path, fault: signal.Signals, expected: str
) -> None:
    """A converter that stops answering or dies is killed, restarted, and the letter retried."""
    with ConverterPool(1, timeout=4, retries=1) as pool:
        pool.convert(docx_file, tmp_path / "first.pdf")
        [converter] = pool.converters
        worker_pid, _ = converter.pids
        os.killpg(worker_pid, fault)  # the worker and its soffice
        pool.convert(docx_file, tmp_path / "second.pdf")
        [replacement] = pool.converters
        assert replacement is not converter
        assert len(pool.incidents) == 1
        assert expected in pool.incidents[0]
        assert pool.incidents[0].endswith("restarted; retrying")
    assert converted_ok(tmp_path / "first.pdf")
    assert converted_ok(tmp_path / "second.pdf")
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)


def test_a_letter_that_keeps_failing_is_reported(docx_file: Path, tmp_path: Path) -> None:
    """When the retry fails too, the letter's failure names the file."""
    with ConverterPool(1, timeout=4, retries=0) as pool:
        [converter] = pool.converters
        os.killpg(converter.pids[0], signal.SIGKILL)
        with pytest.raises(ConvertError, match=r"failed on 7468089-vlaardingen\.docx 1 times"):
            pool.convert(docx_file, tmp_path / "x.pdf")
        pool.convert(docx_file, tmp_path / "y.pdf")  # the pool itself is whole again
    assert converted_ok(tmp_path / "y.pdf")


@pytest.mark.parametrize(
    ("python", "message"),
    [
        ("/nonexistent/python3", "cannot start the converter with /nonexistent/python3"),
        (sys.executable, "cannot import LibreOffice's uno module"),
    ],
)
def test_a_converter_python_without_uno_is_a_clear_error(python: str, message: str) -> None:
    """Without a Python that has LibreOffice's uno module, the pool says what to install."""
    with pytest.raises(ConvertError, match=message) as caught:
        ConverterPool(1, python=python)
    assert "python3-uno" in caught.value.hint
