"""Speed of ``ibtpost web`` (not a timed test): the goals of the web workplace.

- the Overzicht of all 342 municipalities, rendered server-side: goal under 300 ms;
- a letter's page images: under 1 s cold (pdftoppm draws every page), instant when cached;
- a fresh preview of a letter for a municipality the reviewer picks: goal under 1.5 s
  (median of 20), with the LibreOffice converter the server keeps warm, against
  ``ibtpost preview`` as a process of its own.

Each figure is the median over several requests to a real server on 127.0.0.1 (uvicorn in
this process, a private copy of the shipped data), timed from the request to the last
byte of the answer.

    .venv/bin/python bench/web.py [--previews 20] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import copy_tree  # noqa: E402
from tests.webserver import WebServer  # noqa: E402

from ibtpost.core.layout import Layout  # noqa: E402
from ibtpost.data.config import load_config  # noqa: E402
from ibtpost.register import Register  # noqa: E402
from ibtpost.register import letters as letter_register  # noqa: E402

DAY = "2026-04-09"


def timed(server: WebServer, method: str, path: str, **kwargs: object) -> float:
    started = time.perf_counter()
    status, _, body = server.request(method, path, **kwargs)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    if status != 200:
        raise SystemExit(f"{method} {path}: {status} {body[:300]}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--previews", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ibtpost-bench-web-"))
    root = copy_tree(work / "root")
    figures: dict[str, float] = {}
    try:
        batch = subprocess.run(
            [sys.executable, "-m", "ibtpost", "--root", str(root), "batch", "trede-3",
             "--concept", "-d", DAY, "-m", "GM0622", "--reason", "bench"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        with Register.for_root(root) as register:
            (letter,) = letter_register.batch_letters(register, Path(batch.stdout.strip()).name)
        server = WebServer(root, warm=True).start()
        try:
            timed(server, "GET", f"/?date={DAY}")  # first request: imports, config cache
            overview = [timed(server, "GET", f"/?date={DAY}") for _ in range(20)]
            figures["overview_ms"] = statistics.median(overview) * 1000
            cold, warm = [], []
            for _ in range(5):
                shutil.rmtree(Layout(root).page_images, ignore_errors=True)
                cold.append(timed(server, "GET", f"/letters/{letter.reference}"))
                warm.append(timed(server, "GET", f"/letters/{letter.reference}"))
            image = [
                timed(server, "GET", f"/letters/{letter.reference}/pages/1.png") for _ in range(20)
            ]
            figures["letter_page_cold_ms"] = statistics.median(cold) * 1000
            figures["letter_page_cached_ms"] = statistics.median(warm) * 1000
            figures["page_image_cached_ms"] = statistics.median(image) * 1000
            names = sorted(m.name for m in load_config(root).municipalities.values())
            picks = names[:: max(1, len(names) // (args.previews + 1))][: args.previews + 1]
            form = {"csrf": server.csrf, "date": DAY}
            timed(
                server, "POST", "/review/trede-2/preview", form={**form, "municipality": picks[0]}
            )
            fresh = [
                timed(server, "POST", "/review/trede-2/preview", form={**form, "municipality": n})
                for n in picks[1:]
            ]
            figures["fresh_preview_median_s"] = statistics.median(fresh)
            figures["fresh_preview_max_s"] = max(fresh)
        finally:
            server.stop()
        cli = []
        for name in picks[1:4]:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "ibtpost", "--root", str(root), "preview", "trede-2",
                 "-m", name, "-d", DAY],
                capture_output=True, check=True,
            )  # fmt: skip
            cli.append(time.perf_counter() - started)
        figures["cli_preview_median_s"] = statistics.median(cli)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for key, value in figures.items():
        print(f"{key:28} {value:10.3f}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
