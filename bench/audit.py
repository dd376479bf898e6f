"""Time audit.record and audit.verify on a register of many events.

    .venv/bin/python bench/audit.py [--events 100000]

Appends the events in one transaction (as fast as the register allows), then times
verify() on the closed and reopened file, best of three.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from ibtpost.register import Register, audit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "register.sqlite"
        with Register(path) as register:
            started = time.perf_counter()
            with register.transaction():
                for n in range(args.events):
                    audit.record(
                        register,
                        audit.LETTER_GENERATED,
                        reference=str(7_500_000 + n),
                        batch="trede-2-2026-04-09-e84ee3",
                        data={
                            "letter": "trede-2",
                            "municipality": f"GM{n % 10000:04d}",
                            "trede": 2,
                            "date": "2026-04-09",
                            "docx_sha256": "a" * 64,
                            "pdf_sha256": "b" * 64,
                            "definition_sha256": "c" * 64,
                            "template_sha256": "d" * 64,
                            "data_sha256": "e" * 64,
                            "concept": False,
                            "sample": n % 3 == 0,
                            "reason": None,
                        },
                    )
            appended = time.perf_counter() - started
        size = path.stat().st_size
        times = []
        with Register(path) as register:
            for _ in range(3):
                started = time.perf_counter()
                result = audit.verify(register)
                times.append(time.perf_counter() - started)
        if not result.ok or result.count != args.events:
            raise SystemExit(f"verify failed: {result}")
    print(
        f"{args.events} events: appended in {appended:.2f} s "
        f"({appended / args.events * 1e6:.0f} us each), register {size / 2**20:.1f} MiB; "
        f"verify best of 3: {min(times):.2f} s ({min(times) / args.events * 1e6:.1f} us each)"
    )


if __name__ == "__main__":
    main()
