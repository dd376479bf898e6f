"""Benchmark: what the e-seal adds to a full final batch, and what one seal costs.

    python bench/seal.py [--repeat 2] [--letters-only] [--json FILE]

On a private copy of the shipped data, in turns (`--repeat`, best run of each):

1. plain   `ibtpost batch trede-2 --date 2026-04-09` without `signing:`;
2. B-B     the same batch with `signing:` (PKCS#12, EC P-256 key, no timestamp server);
3. B-T     the same with a timestamp server on 127.0.0.1 (pyHanko's test TSA, RSA key, in
           this process: its signing runs on the same cores as the batch).

Each batch runs as a process of its own on an empty outbox, so every letter is converted
and (2, 3) sealed. Then, in this process, one letter's PDF sealed 50 times: with the EC
P-256 key loaded once and the signature space reserved (as ibtpost does), and with an RSA
2048 key reloaded from its PKCS#12 file for every signature and no space reserved (pyHanko
then signs twice: once to measure).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from tests.conftest import copy_tree  # noqa: E402
from tools.demo_seal import issue, make_ca, p12  # noqa: E402
from tools.tsa_server import TsaServer  # noqa: E402

from ibtpost.core.domain import SealSettings  # noqa: E402
from ibtpost.documents.pdf.seal import Sealer  # noqa: E402
from ibtpost.documents.pdf.sealcheck import root_certificates, seal_problems  # noqa: E402

DAY = "2026-04-09"
PASSWORD = "bench"


def root_copy(work: Path, name: str, signing: str = "") -> Path:
    """A private copy of the shipped data, with ``signing`` added to its settings."""
    root = work / name
    copy_tree(root)  # trede 2 approved in it, as in the tests (tests/conftest.py)
    if signing:
        with (root / "config" / "settings.yaml").open("a", encoding="utf-8") as handle:
            handle.write(signing)
    return root


def batch(root: Path) -> tuple[float, int]:
    """A full trede-2 batch on an empty outbox, as its own process: seconds, letters."""
    shutil.rmtree(root / "outbox", ignore_errors=True)
    (root / "outbox").mkdir()
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), IBTPOST_SEAL_PASSWORD=PASSWORD)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ibtpost", "--root", str(root), "batch", "trede-2", "--date", DAY],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"batch failed: {done.stderr}")
    folder = Path(done.stdout.strip().splitlines()[-1])
    return seconds, len(list(folder.glob("*.docx")))


def per_seal(pdf: bytes, pki: Path, rounds: int) -> dict[str, float]:
    """Milliseconds per seal: EC key loaded once with space reserved (ibtpost's way), and
    an RSA key reloaded for each signature without reserved space."""
    os.environ["IBTPOST_SEAL_PASSWORD"] = PASSWORD
    settings = SealSettings(
        pki / "seal.p12", "IBTPOST_SEAL_PASSWORD", None, None, None, None, None, "",
        (), (pki / "ca.pem",), None, "bench", "Den Haag",
    )  # fmt: skip
    sealer = Sealer(settings)
    sealed = sealer.seal(pdf)  # warm up
    start = time.perf_counter()
    for _ in range(rounds):
        sealer.seal(pdf)
    ec_ms = (time.perf_counter() - start) / rounds * 1000
    # what the letter checks before `queue` add per letter: validating the seal
    roots = root_certificates(settings)
    if seal_problems(sealed, roots):
        raise SystemExit("the bench seal does not validate")
    start = time.perf_counter()
    for _ in range(rounds):
        seal_problems(sealed, roots)
    validate_ms = (time.perf_counter() - start) / rounds * 1000
    rsa_data = (pki / "rsa.p12").read_bytes()
    meta = signers.PdfSignatureMetadata(field_name="Zegel", md_algorithm="sha256")
    start = time.perf_counter()
    for _ in range(rounds):
        signer = signers.SimpleSigner.load_pkcs12_data(rsa_data, [], PASSWORD.encode())
        out = io.BytesIO()
        signers.PdfSigner(meta, signer).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), output=out
        )
    rsa_ms = (time.perf_counter() - start) / rounds * 1000
    return {
        "ec_p256_loaded_once_ms": round(ec_ms, 1),
        "rsa_reloaded_ms": round(rsa_ms, 1),
        "validate_seal_ms": round(validate_ms, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="turns of the three batches")
    parser.add_argument("--rounds", type=int, default=50, help="seals of one letter")
    parser.add_argument("--letters-only", action="store_true", help="only the per-seal figures")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ibtpost-bench-seal-"))
    pki = work / "pki"
    pki.mkdir()
    ca = make_ca()
    (pki / "ca.pem").write_bytes(ca.cert_pem())
    (pki / "seal.p12").write_bytes(p12(issue(ca, "bench seal"), ca, PASSWORD.encode()))
    (pki / "rsa.p12").write_bytes(
        p12(issue(ca, "bench seal rsa", kind="rsa"), ca, PASSWORD.encode())
    )
    figures: dict[str, object] = {}
    try:
        with TsaServer(issue(ca, "bench tsa", tsa=True, kind="rsa"), ca) as tsa:
            signing = f"\nsigning:\n  pkcs12: {pki / 'seal.p12'}\n  trust_roots: {pki / 'ca.pem'}\n"
            roots = {
                "plain": root_copy(work, "plain"),
                "B-B": root_copy(work, "bb", signing),
                "B-T": root_copy(work, "bt", signing + f"  timestamp_url: {tsa.url}\n"),
            }
            best: dict[str, float] = {}
            letters = 0
            if not args.letters_only:
                for turn in range(1, args.repeat + 1):
                    for name, root in roots.items():
                        seconds, letters = batch(root)
                        best[name] = min(best.get(name, seconds), seconds)
                        print(f"[{turn}] {name:5} {seconds:6.1f} s  {letters} letters", flush=True)
                for name in ("B-B", "B-T"):
                    extra = best[name] / best["plain"] - 1
                    print(f"{name}: +{extra * 100:.1f} % over plain (goal <= 15 %)")
                figures |= {
                    "letters": letters,
                    "repeat": args.repeat,
                    **{
                        f"batch_{k.replace('-', '').lower()}_seconds": round(v, 2)
                        for k, v in best.items()
                    },
                    "bb_over_plain": round(best["B-B"] / best["plain"], 3),
                    "bt_over_plain": round(best["B-T"] / best["plain"], 3),
                }
            sample = root_copy(work, "sample")
            (sample / "outbox").mkdir()
            subprocess.run(
                [sys.executable, "-m", "ibtpost", "--root", str(sample), "letter", "trede-2",
                 "-m", "GM0622", "--date", DAY, "--reference", "7468089", "--out",
                 str(work / "letter")],
                check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(REPO / "src")),
            )  # fmt: skip
            pdf = next((work / "letter").glob("*.pdf")).read_bytes()
            figures |= per_seal(pdf, pki, args.rounds)
            print(
                f"one seal: EC P-256, key loaded once, space reserved "
                f"{figures['ec_p256_loaded_once_ms']} ms; RSA 2048 reloaded per signature "
                f"{figures['rsa_reloaded_ms']} ms; validating one seal (letter checks) "
                f"{figures['validate_seal_ms']} ms"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
