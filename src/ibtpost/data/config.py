"""Load and validate everything under config/ into a :class:`~ibtpost.core.domain.Config`.

Every problem is collected, not just the first; :class:`~ibtpost.core.errors.Problems` carries
them all, each naming file, line and field.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ibtpost.core.domain import Config
from ibtpost.core.errors import DataError, IbtpostError, Location, Problems
from ibtpost.core.layout import Layout
from ibtpost.data.addresses import OVERLAYS, apply_overlays, load_address_overlay
from ibtpost.data.agreements import load_agreements
from ibtpost.data.collect import Collector, T
from ibtpost.data.figures import load_figures
from ibtpost.data.legal import LEGAL_FILE, load_legal
from ibtpost.data.municipalities import load_municipalities
from ibtpost.data.provinces import load_provinces
from ibtpost.data.sender import load_sender
from ibtpost.data.settings import load_settings


def load_config(root: Path) -> Config:
    """Load and cross-check config/ under ``root``; raise :class:`Problems` listing all problems."""
    c = Collector()
    layout = Layout(root)

    def guarded(load: Callable[[], T | None]) -> T | None:
        """Run one loader; its problems join the others instead of stopping the load."""
        try:
            return load()
        except Problems as exc:
            c.problems.extend(exc.problems)
        except IbtpostError as exc:
            c.add(exc)
        return None

    def config_file(name: str) -> tuple[Path, str]:
        return layout.config_file(name), f"config/{name}"

    municipalities = guarded(lambda: load_municipalities(*config_file("municipalities.csv"), c))
    provinces = guarded(lambda: load_provinces(*config_file("provinces.csv"), c))
    figures = guarded(lambda: load_figures(*config_file("figures.csv"), c))
    sender = guarded(lambda: load_sender(*config_file("sender.yaml"), c))
    settings = guarded(lambda: load_settings(*config_file("settings.yaml"), root, c))

    def overlay(role: str) -> dict[str, tuple[str, Location]] | None:
        found = OVERLAYS[role]
        return guarded(
            lambda: load_address_overlay(*config_file(found.file_name), found.key, found.columns, c)
        )

    overlays = {role: overlay(role) for role in OVERLAYS}
    agreements = guarded(lambda: load_agreements(*config_file("agreements.yaml"), set(c.codes), c))
    legal = guarded(lambda: load_legal(*config_file(LEGAL_FILE), c))

    if municipalities is not None and provinces is not None:
        for mun in municipalities.values():
            if mun.province not in provinces:
                c.add(
                    DataError(
                        f"province {mun.province!r} is not in config/provinces.csv",
                        Location(mun.location.file, mun.location.line, "province"),
                    )
                )
    if municipalities is not None and provinces is not None:
        apply_overlays(
            municipalities,
            provinces,
            {role: found or {} for role, found in overlays.items()},
            c,
        )
    if municipalities is not None and figures is not None:
        for fig in figures.values():
            if fig.code not in c.codes:
                c.add(
                    DataError(
                        f"figures for unknown municipality {fig.code}",
                        Location(fig.location.file, fig.location.line, "code"),
                    )
                )
    if sender is not None:
        for signatory in (sender.signatory, *sender.signatories.values()):
            image = layout.template(signatory.image)
            if signatory.image and not image.is_file():
                field = f"signatories.{signatory.id}" if signatory.id else "signatory"
                c.add(
                    DataError(
                        f"signature image templates/{signatory.image} not found",
                        Location("config/sender.yaml", None, f"{field}.image"),
                    )
                )
    c.raise_if_any()
    assert municipalities is not None
    assert provinces is not None
    assert figures is not None
    assert sender is not None
    assert settings is not None
    return Config(
        root, municipalities, provinces, figures, sender, settings, agreements or {}, legal or {}
    )
