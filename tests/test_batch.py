"""Batches end to end with real LibreOffice: files, manifests, re-runs, kills, concurrency."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from tests.conftest import Result
from tests.pdftext import page_texts

from ibtpost.documents.pdf.finish import inspect_pdf

pytestmark = pytest.mark.libreoffice

DAY = "2026-04-09"
# Vlaardingen (real figures), Amsterdam, Súdwest-Fryslân, 's-Hertogenbosch
SMALL = ("GM0622", "GM0363", "GM1900", "GM0796")


def batch_args(*codes: str, day: str = DAY, letter: str = "trede-2") -> list[str]:
    args = ["batch", letter, "--date", day]
    for code in codes:
        args += ["-m", code]
    return args


def folder_of(result: Result) -> Path:
    return Path(result.out.strip().splitlines()[-1])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(folder: Path) -> list[dict[str, str]]:
    with (folder / "manifest.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def run_process(
    root: Path, args: list[str], failpoint: str | None = None
) -> subprocess.CompletedProcess[str]:
    """ibtpost in a process of its own (so it can be killed). Its temporary files, the
    converters' LibreOffice profiles among them, go under ``root``/tmp."""
    env = dict(os.environ)
    env.pop("IBTPOST_FAILPOINT", None)
    (root / "tmp").mkdir(exist_ok=True)
    env["TMPDIR"] = str(root / "tmp")
    if failpoint:
        env["IBTPOST_FAILPOINT"] = failpoint
    return subprocess.run(
        [sys.executable, "-m", "ibtpost", "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def assert_batch_complete(folder: Path, codes: tuple[str, ...]) -> list[dict[str, str]]:
    """Every letter present once, files matching the manifest, PDF/A, no temporary files."""
    rows = manifest(folder)
    assert sorted(r["municipality"] for r in rows) == sorted(codes)
    references = [int(r["reference"]) for r in rows]
    assert len(set(references)) == len(references)
    for row in rows:
        pdf, docx = folder / row["pdf"], folder / row["docx"]
        assert sha(pdf) == row["pdf_sha256"]
        assert sha(docx) == row["docx_sha256"]
        facts = inspect_pdf(pdf.read_bytes())
        assert (facts.pdfa, facts.tagged, facts.pages) == ("2B", True, int(row["pages"]))
        assert pdf.name.startswith(row["reference"] + "-")
    leftovers = [p.name for p in folder.rglob("*") if p.name.endswith(".part")]
    assert leftovers == []
    assert not (folder / ".work").exists()
    return rows


def test_batch_writes_letters_manifests_and_a_print_file(
    root: Path, cli: Callable[..., Result]
) -> None:
    """A batch folder holds .docx/.pdf per letter, both manifests and a duplex print file."""
    result = cli(root, *batch_args(*SMALL))
    assert result.code == 0, result.err
    folder = folder_of(result)
    assert folder.parent == root / "outbox"
    rows = assert_batch_complete(folder, SMALL)
    assert [int(r["reference"]) for r in rows] == list(range(7500000, 7500004))
    vlaardingen = next(r for r in rows if r["municipality"] == "GM0622")
    assert vlaardingen["sample"] == "False"
    assert "Vlaardingen" in vlaardingen["data_source"] or vlaardingen["data_source"]
    data = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert data["batch"] == folder.name
    assert [r["reference"] for r in data["letters"]] == [r["reference"] for r in rows]
    with pikepdf.open(folder / "print.pdf") as printed:
        expected = sum(int(r["pages"]) + int(r["pages"]) % 2 for r in rows)
        assert len(printed.pages) == expected
    assert "4 letters (4 converted, 0 unchanged)" in result.err
    assert "3 letter(s) built on sample figures" in result.err


def test_rerun_gives_the_same_letters_and_converts_only_what_changed(
    root: Path, cli: Callable[..., Result]
) -> None:
    """Re-running a batch keeps its numbers and files; a changed letter alone is converted."""
    first = cli(root, *batch_args(*SMALL))
    folder = folder_of(first)
    before = {r["reference"]: r for r in manifest(folder)}
    again = cli(root, *batch_args(*reversed(SMALL)))
    assert again.code == 0, again.err
    assert folder_of(again) == folder
    assert "(0 converted, 4 unchanged)" in again.err
    assert {r["reference"]: r for r in manifest(folder)} == before

    # new figures for Amsterdam change its letter only
    figures = root / "config" / "figures.csv"
    lines = figures.read_text("utf-8").splitlines()
    lines = [
        ",".join([*ln.split(",")[:3], "4321", *ln.split(",")[4:]])
        if ln.startswith("GM0363,")
        else ln
        for ln in lines
    ]
    figures.write_text("\n".join(lines) + "\n", "utf-8")
    third = cli(root, *batch_args(*SMALL))
    assert third.code == 0, third.err
    assert "(1 converted, 3 unchanged)" in third.err
    after = {r["municipality"]: r for r in manifest(folder)}
    changed = [
        code
        for code in SMALL
        if after[code]["pdf_sha256"]
        != next(r for r in before.values() if r["municipality"] == code)["pdf_sha256"]
    ]
    assert changed == ["GM0363"]
    assert sorted(r["reference"] for r in after.values()) == sorted(before)


@pytest.mark.parametrize("point", ["allocated", "converted:2", "before-manifest"])
def test_a_killed_batch_completes_on_rerun(root: Path, point: str) -> None:
    """SIGKILL at any point, then the same command: complete, same numbers, no gaps."""
    killed = run_process(root, batch_args(*SMALL), failpoint=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # the converters notice that ibtpost is gone and stop their LibreOffice
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _converters_running(root):
        time.sleep(0.2)
    assert not _converters_running(root)
    rerun = run_process(root, batch_args(*SMALL))
    assert rerun.returncode == 0, rerun.stderr
    folder = Path(rerun.stdout.strip().splitlines()[-1])
    rows = assert_batch_complete(folder, SMALL)
    assert sorted(int(r["reference"]) for r in rows) == list(range(7500000, 7500004))
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:
        done = db.execute("SELECT completed_at FROM batches").fetchall()
        count = db.execute("SELECT COUNT(*) FROM letters").fetchone()[0]
    assert len(done) == 1
    assert done[0][0] is not None
    assert count == 4


def _converters_running(root: Path) -> bool:
    """Whether a converter started for this test still runs: its soffice names its
    profile, under this test's TMPDIR (see run_process). Other processes' converters on the
    machine do not count."""
    out = subprocess.run(
        ["pgrep", "-f", f"{root / 'tmp'}/ibtpost-lo-"], capture_output=True, text=True, check=False
    )
    return bool(out.stdout.strip())


def test_two_batches_at_once_never_share_a_number(root: Path) -> None:
    """Two processes producing different batches concurrently draw disjoint references."""
    env = {k: v for k, v in os.environ.items() if k != "IBTPOST_FAILPOINT"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ibtpost", "--root", str(root), *batch_args(*codes)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for codes in (("GM0622", "GM0363", "GM1900"), ("GM0796", "GM0518", "GM0014"))
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    folders = [Path(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert folders[0] != folders[1]
    references = [int(r["reference"]) for f in folders for r in manifest(f)]
    assert sorted(references) == list(range(7500000, 7500006))


def test_the_ladder_through_batches_posting_and_status(
    root: Path, cli: Callable[..., Result]
) -> None:
    """trede 2 is sent, trede 3 waits for the term or a reason, meeting the task closes the case."""
    trede3 = (root / "letters" / "trede-2.yaml").read_text("utf-8")
    trede3 = trede3.replace("letter: trede-2", "letter: trede-3").replace("trede: 2", "trede: 3")
    (root / "letters" / "trede-3.yaml").write_text(trede3, "utf-8")
    # a final letter goes out only once approved as it is
    assert cli(root, "approve", "trede-3", "--by", "test reviewer").code == 0

    first = cli(root, *batch_args("GM0622"))
    assert first.code == 0, first.err
    batch = folder_of(first).name
    early = cli(root, "status", "--date", "2026-04-20", "--json")
    row = next(r for r in json.loads(early.out) if r["code"] == "GM0622")
    assert row["action"] == "pending"  # generated, not yet sent

    posted = cli(root, "post", batch, "--date", "2026-04-09")
    assert posted.code == 0, posted.err
    twice = cli(root, "post", batch, "--date", "2026-04-10")
    assert twice.code == 2
    assert "already recorded as sent" in twice.err

    status = json.loads(cli(root, "status", "--date", "2026-04-20", "--json").out)
    row = next(r for r in status if r["code"] == "GM0622")
    assert (row["trede"], row["term_until"], row["action"]) == (2, "2026-04-30", "wait")

    refused = cli(root, *batch_args("GM0622", day="2026-04-20", letter="trede-3"))
    assert refused.code == 2
    assert refused.err.strip() == (
        "error: --municipality: Vlaardingen (GM0622): trede 3 before the "
        f"{row['last_reference']} runs until 30 april 2026 (hint: give --reason TEXT to "
        "record why, or leave it out)"
    )
    skip = cli(
        root,
        *batch_args("GM0622", day="2026-04-20", letter="trede-3"),
        "--reason",
        "besluit directie 17 april",
    )
    assert skip.code == 0, skip.err
    rows = manifest(folder_of(skip))
    assert rows[0]["reason"] == "besluit directie 17 april"

    due = json.loads(cli(root, "status", "--date", "2026-05-01", "--json").out)
    assert next(r for r in due if r["code"] == "GM0622")["action"] == "pending"

    # Vlaardingen realises its task: the afsluiting is recommended; the case stays open
    # until that letter is sent (tests/test_corrections.py)
    figures = root / "config" / "figures.csv"
    text = figures.read_text("utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("GM0622,"))
    cells = line.split(",")
    cells[5] = "100"
    figures.write_text(text.replace(line, ",".join(cells)), "utf-8")
    closed = json.loads(cli(root, "status", "--date", "2026-06-01", "--json").out)
    row = next(r for r in closed if r["code"] == "GM0622")
    assert (row["action"], row["next_letter"], row["trede"]) == ("close", "afsluiting", 2)
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:
        assert db.execute("SELECT closed_on, closed_why FROM cases").fetchall() == [(None, None)]


def test_a_draft_needs_concept_and_a_concept_batch_cannot_be_posted(
    root: Path, cli: Callable[..., Result]
) -> None:
    """A draft definition only makes CONCEPT batches, and those never count as sent."""
    draft = (
        (root / "letters" / "trede-2.yaml")
        .read_text("utf-8")
        .replace("status: final", "status: draft")
    )
    (root / "letters" / "trede-2.yaml").write_text(draft, "utf-8")
    refused = cli(root, *batch_args("GM0622"))
    assert refused.code == 2
    assert "is a draft (not approved): a batch of it needs --concept" in refused.err
    concept = cli(root, *batch_args("GM0622"), "--concept")
    assert concept.code == 0, concept.err
    folder = folder_of(concept)
    pdf = folder / manifest(folder)[0]["pdf"]
    pages = page_texts(pdf)
    assert pages
    assert all("CONCEPT" in page for page in pages)
    posted = cli(root, "post", folder.name)
    assert posted.code == 2
    assert "concept batch" in posted.err


def only_these_fall_short(root: Path, *codes: str) -> None:
    """Rewrite the figures so that every other municipality meets its task."""
    path = root / "config" / "figures.csv"
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    task_r, task_a = header.index("task_regular"), header.index("task_amv")
    real_r, real_a = header.index("realised_regular"), header.index("realised_amv")
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[0] not in codes:
            cells[real_r], cells[real_a] = cells[task_r], cells[task_a]
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n", "utf-8")


def test_the_batch_of_everyone_due_is_one_per_day_and_survives_a_kill(
    root: Path, cli: Callable[..., Result]
) -> None:
    """Without --municipality: whoever is due; killed, re-run, posted in part, re-run again."""
    only_these_fall_short(root, "GM0622", "GM0363", "GM1900")
    killed = run_process(root, ["batch", "trede-2", "--date", DAY], failpoint="converted:1")
    assert killed.returncode == -signal.SIGKILL
    result = cli(root, "batch", "trede-2", "--date", DAY)
    assert result.code == 0, result.err
    folder = folder_of(result)
    assert folder.name == "trede-2-2026-04-09"
    rows = assert_batch_complete(folder, ("GM0622", "GM0363", "GM1900"))
    assert "(2 converted, 1 unchanged)" in result.err

    first = rows[0]["reference"]
    assert cli(root, "post", folder.name, "-r", first, "--date", DAY).code == 0
    again = cli(root, "batch", "trede-2", "--date", DAY)
    assert again.code == 0, again.err
    assert "(0 converted, 3 unchanged)" in again.err
    assert manifest(folder) == rows

    # a named batch cannot take a letter that belongs to the day's batch
    named = cli(root, *batch_args("GM0363"))
    assert named.code == 2
    assert "Amsterdam: already in batch trede-2-2026-04-09" in named.err


def test_bad_batch_input_lists_every_problem_and_writes_no_letter(
    root: Path, cli: Callable[..., Result]
) -> None:
    """Unknown names and unreasoned departures are all reported at once; nothing is made."""
    result = cli(root, *batch_args("GM0622", "Atlantis", "Tubbergen", "GM9999"))
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert lines == [
        "error: --municipality: unknown municipality 'Atlantis' (hint: give a code like GM0622 "
        "or a name as in config/municipalities.csv)",
        "error: --municipality: unknown municipality 'GM9999' (hint: give a code like GM0622 "
        "or a name as in config/municipalities.csv)",
    ]
    second = cli(root, *batch_args("GM0622", "Tubbergen"))
    assert second.code == 2
    assert second.err.strip() == (
        "error: --municipality: Tubbergen (GM0183): meets its task (hint: give --reason TEXT "
        "to record why, or leave it out)"
    )
    assert [p.name for p in (root / "outbox").iterdir() if p.is_dir()] == []
    with sqlite3.connect(root / "outbox" / "register.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM letters").fetchone()[0] == 0
