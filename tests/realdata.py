"""Real-looking data for dispatch tests, imported as the secretariat would: figures marked
real, and college and CdK addresses on the reserved .test domain (RFC 2606), so that live
SMTP (to 127.0.0.1 only) may take the letters."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ibtpost.cli import main
from ibtpost.data.config import load_config


def ibtpost(root: Path, *args: str) -> int:
    """ibtpost in this process (output goes to pytest's capture)."""
    try:
        return main(["--root", str(root), *args])
    except SystemExit as exc:
        return int(exc.code or 0)


def college(code: str) -> str:
    """The test address of a college: college-gm0622@gemeente.test."""
    return f"college-{code.lower()}@gemeente.test"


def cdk(province: str) -> str:
    """The test address of a Commissaris van de Koning: cdk@zuid-holland.test."""
    return f"cdk@{province.lower()}.test"


def import_addresses(root: Path, rows: dict[str, str], work: Path) -> None:
    """``ibtpost import addresses`` with ``rows`` (code -> college address)."""
    path = work / f"addresses-{len(list(work.glob('addresses-*')))}.csv"
    path.write_text(
        "gemeentecode,email\n" + "".join(f"{c},{a}\n" for c, a in rows.items()), "utf-8"
    )
    assert ibtpost(root, "import", "addresses", str(path)) == 0


def import_real_data(root: Path, codes: Iterable[str], work: Path) -> None:
    """Figures (task 100 + 10, realised 20), college and CdK addresses for ``codes``."""
    codes = list(codes)
    figures = work / "figures.csv"
    figures.write_text(
        "gemeentecode,taak_regulier,taak_amv,realisatie_regulier,realisatie_amv\n"
        + "".join(f"{code},100,10,20,0\n" for code in codes),
        "utf-8",
    )
    municipalities = load_config(root).municipalities
    provinces = sorted({municipalities[code].province for code in codes})
    cdk_file = work / "cdk.csv"
    cdk_file.write_text(
        "provincie,email\n" + "".join(f"{p},{cdk(p)}\n" for p in provinces), "utf-8"
    )
    assert ibtpost(root, "import", "figures", str(figures), "--source", "test figures") == 0
    import_addresses(root, {code: college(code) for code in codes}, work)
    assert ibtpost(root, "import", "cdk", str(cdk_file)) == 0
