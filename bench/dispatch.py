"""Benchmark: `ibtpost send` of a full batch to a local SMTP server, against a bare loop.

    python bench/dispatch.py [--json FILE]

On a private copy of the shipped data, with the figures imported as real and every
college and Commissaris van de Koning given an address on the reserved .test domain (so
that live SMTP may take the letters; the server is aiosmtpd on 127.0.0.1):

1. `ibtpost batch trede-2` and `ibtpost queue` (not timed);
2. ibtpost  `ibtpost send` end to end as a process of its own (compose every e-mail,
            queue states and audit events in the register, one SMTP connection);
3. bare     the same messages, composed beforehand, sent by a bare aiosmtplib loop over
            one connection (`sendmail` per message, nothing recorded).

Prints both throughputs and their ratio (the goal: ibtpost at least 0.8 times the bare
loop).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from email import message_from_bytes
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path

import aiosmtplib

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from tests.smtpserver import Recorder, SmtpServer  # noqa: E402

DAY = "2026-04-09"


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done


def prepare(root: Path, ibtpost: list[str], env: dict[str, str]) -> str:
    """Real-looking data, the batch and the queue; returns the batch id."""
    work = root.parent
    with (root / "config" / "figures.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    figures = work / "figures.csv"
    with figures.open("w", encoding="utf-8", newline="") as out:
        out.write("gemeentecode,taak_regulier,taak_amv,realisatie_regulier,realisatie_amv\n")
        for row in rows:
            out.write(
                f"{row['code']},{row['task_regular']},{row['task_amv']},"
                f"{row['realised_regular']},{row['realised_amv']}\n"
            )
    with (root / "config" / "municipalities.csv").open(encoding="utf-8") as handle:
        municipalities = list(csv.DictReader(handle))
    addresses = work / "addresses.csv"
    addresses.write_text(
        "gemeentecode,email\n"
        + "".join(
            f"{m['code']},college-{m['code'].lower()}@gemeente.test\n" for m in municipalities
        ),
        "utf-8",
    )
    with (root / "config" / "provinces.csv").open(encoding="utf-8") as handle:
        provinces = [p["province"] for p in csv.DictReader(handle)]
    cdk = work / "cdk.csv"
    cdk.write_text(
        "provincie,email\n"
        + "".join(f"{p},cdk-{i}@provincie.test\n" for i, p in enumerate(provinces)),
        "utf-8",
    )
    run([*ibtpost, "import", "figures", str(figures), "--source", "benchmark data"], env)
    run([*ibtpost, "import", "addresses", str(addresses)], env)
    run([*ibtpost, "import", "cdk", str(cdk)], env)
    batch = run([*ibtpost, "batch", "trede-2", "--date", DAY], env)
    batch_id = Path(batch.stdout.strip().splitlines()[-1]).name
    run([*ibtpost, "queue", batch_id], env)
    return batch_id


async def bare_loop(port: int, messages: list[tuple[str, list[str], bytes]]) -> float:
    """Seconds for a bare aiosmtplib loop over one connection."""
    start = time.perf_counter()
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await client.connect()
    for sender, recipients, data in messages:
        await client.sendmail(sender, recipients, data)
    await client.quit()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ibtpost-bench-mail-"))
    root = work / "root"
    for name in ("config", "letters", "templates"):
        shutil.copytree(REPO / name, root / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IBTPOST_")}
    env["PYTHONPATH"] = str(REPO / "src")
    ibtpost = [sys.executable, "-m", "ibtpost", "--root", str(root)]
    print("preparing: import, batch, queue ...", flush=True)
    batch_id = prepare(root, ibtpost, env)

    server = SmtpServer(Recorder())
    server.start()
    try:
        start = time.perf_counter()
        run([*ibtpost, "send", "--batch", batch_id], env | {"IBTPOST_SMTP_URL": server.url})
        ours = time.perf_counter() - start
        received = list(server.recorder.received)
        n = len(received)
        messages = [
            (
                item.sender,
                item.recipients,
                message_from_bytes(item.data).as_bytes(policy=SMTP_POLICY),
            )
            for item in received
        ]
        server.recorder.received.clear()
        bare = asyncio.run(bare_loop(server.port, messages))
        if len(server.recorder.received) != n:
            raise SystemExit("the bare loop did not deliver every message")
    finally:
        server.stop()
    size = sum(len(m[2]) for m in messages) / max(n, 1) / 1024
    figures = {
        "messages": n,
        "mean_size_kib": round(size, 1),
        "ibtpost_seconds": round(ours, 2),
        "ibtpost_per_second": round(n / ours, 1),
        "bare_seconds": round(bare, 2),
        "bare_per_second": round(n / bare, 1),
        "ratio": round((n / ours) / (n / bare), 3),
    }
    print(
        f"ibtpost send  {ours:6.1f} s  {n} messages  {n / ours:5.1f}/s  (end to end, own process)"
    )
    print(f"bare loop     {bare:6.1f} s  {n} messages  {n / bare:5.1f}/s  (mean {size:.0f} KiB)")
    print(f"ratio         {figures['ratio']:.2f} (goal >= 0.8)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
