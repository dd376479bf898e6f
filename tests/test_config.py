"""The shipped config/: all municipalities, normal-case names, provenance, sample marking."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO

from ibtpost.core.validate import is_sample_address
from ibtpost.data.config import load_config
from ibtpost.data.municipalities import find_municipality


def test_all_342_municipalities_and_12_provinces() -> None:
    """Every municipality is there, each in a known province."""
    config = load_config(REPO)
    assert len(config.municipalities) == 342
    assert len(config.provinces) == 12
    assert {m.province for m in config.municipalities.values()} == set(config.provinces)


def test_place_names_in_normal_case() -> None:
    """Places read 's-Gravenhage, Vlaardingen, Sneek, not the export's capitals."""
    config = load_config(REPO)
    assert config.municipalities["GM0518"].visit.place == "'s-Gravenhage"  # type: ignore[union-attr]
    assert config.municipalities["GM0622"].visit.lines == ("Westnieuwland 6", "3131 VX Vlaardingen")  # type: ignore[union-attr]
    assert config.municipalities["GM1900"].name == "Súdwest-Fryslân"
    upper = [
        m.code
        for m in config.municipalities.values()
        if m.visit and m.visit.place.isupper() and len(m.visit.place) > 3
    ]
    assert upper == []


def test_figures_vlaardingen_real_others_sample() -> None:
    """Only Vlaardingen's figures are real; every other row says it is a sample."""
    config = load_config(REPO)
    vl = config.figures["GM0622"]
    assert (vl.task_regular, vl.task_amv, vl.realised_regular, vl.realised_amv) == (100, 0, 0, 0)
    assert not vl.sample and "7468089" in vl.source
    others = [f for code, f in config.figures.items() if code != "GM0622"]
    assert len(others) == 341 and all(f.sample and "VOORBEELD" in f.source for f in others)
    assert sum(f.task_total for f in config.figures.values()) == 96000


def test_unknown_cdk_stays_unknown() -> None:
    """Only Limburg has a real CdK e-mail address; the others are sample addresses on the
    reserved .example domain (config/cdk-addresses.csv), never a guessed real one."""
    config = load_config(REPO)
    real = {
        p.name
        for p in config.provinces.values()
        if p.cdk_email and not is_sample_address(p.cdk_email)
    }
    assert real <= {"Limburg"}
    others = [p for p in config.provinces.values() if p.name not in real]
    assert others and all(p.cdk_email and p.cdk_email.endswith(".example") for p in others)


def test_find_by_code_or_name(tmp_path: Path) -> None:
    """--municipality takes GM0622, 0622 or a name in any case."""
    config = load_config(REPO)
    for query in ("GM0622", "0622", "vlaardingen", "Gemeente Vlaardingen"):
        assert find_municipality(config, query).code == "GM0622"
