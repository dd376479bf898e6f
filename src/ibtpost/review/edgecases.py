"""The edge cases of ``ibtpost proof --edge-cases``: the letters a reviewer should page
through before approving a text (pure: configuration in, cases out).

Each case is a real municipality from config/. Where the shipped data has no example of a
case (no municipality with a task of zero, none with only an AMV task), the figures of a
real municipality are changed for the proof only; such figures are marked sample, so the
letter carries VOORBEELD, and the case's label says what was changed. Nothing is written
back to config/.

The cases, in this order, each a different municipality:

- real figures: the first municipality (by code) whose figures are not sample data, so the
  letter is seen without VOORBEELD (left out when every figure is sample data);
- longest name: the longest municipality name (addressee line, subject of the PDF);
- Postbus address: a municipality whose postal address is a Postbus, addressed at that
  address (as ``address: postal`` in config/settings.yaml would do);
- zero task: the smallest municipality (by population), task and realisation set to 0;
- AMV only: the municipality with the largest AMV task, regular task and realisation set
  to 0 and its AMV realisation below its AMV task;
- sample figures: the municipality with the largest task among those with sample figures
  (the widest numbers in the figures table), marked VOORBEELD as every such letter is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ibtpost.core.domain import Config, Figures, Municipality

SAMPLE_SOURCE = "VOORBEELD: proefcijfers voor de proef met randgevallen, afgeleid van {code}"


@dataclass(frozen=True)
class EdgeCase:
    """One letter of the edge-case proof."""

    name: str  # "longest name"
    municipality: Municipality
    config: Config  # the data the letter is composed with (changed figures or address)
    change: str = ""  # what was changed for the proof; "" when the data is as in config/

    @property
    def label(self) -> str:
        """The outline entry: case, code and name, and what was changed."""
        text = f"{self.name}: {self.municipality.code} {self.municipality.name}"
        return f"{text} ({self.change})" if self.change else text


def edge_cases(config: Config) -> list[EdgeCase]:
    """The edge cases for ``config``'s municipalities (see the module docstring)."""
    used: set[str] = set()
    cases: list[EdgeCase] = []
    figures = config.figures
    with_figures = [m for m in config.municipalities.values() if m.code in figures]

    def pick(
        candidates: Iterable[Municipality], key: Callable[[Municipality], tuple[object, ...]]
    ) -> Municipality | None:
        free = [m for m in candidates if m.code not in used]
        if not free:
            return None
        chosen = min(free, key=key)
        used.add(chosen.code)
        return chosen

    def with_figures_of(municipality: Municipality, new: Figures) -> Config:
        return dataclasses.replace(config, figures={**figures, municipality.code: new})

    def sample(municipality: Municipality, changed: Figures) -> Figures:
        """``changed`` marked as sample figures derived from ``municipality``'s."""
        source = SAMPLE_SOURCE.format(code=municipality.code)
        return dataclasses.replace(changed, sample=True, source=source)

    real = pick((m for m in with_figures if not figures[m.code].sample), lambda m: (m.code,))
    if real is not None:
        cases.append(EdgeCase("real figures", real, config))

    longest = pick(with_figures, lambda m: (-len(m.name), m.code))
    if longest is not None:
        cases.append(EdgeCase("longest name", longest, config))

    def postbus(m: Municipality) -> bool:
        return m.postal is not None and m.postal.first_line.startswith("Postbus")

    boxed = pick(
        (m for m in with_figures if postbus(m)),
        lambda m: (figures[m.code].meets_task, m.code),
    )
    if boxed is not None:
        postal = config
        change = ""
        if config.settings.address_kind != "postal":
            postal = dataclasses.replace(
                config, settings=dataclasses.replace(config.settings, address_kind="postal")
            )
            change = "its postal address"
        cases.append(EdgeCase("Postbus address", boxed, postal, change))

    smallest = pick(with_figures, lambda m: (m.population, m.code))
    if smallest is not None:
        zero = sample(
            smallest,
            dataclasses.replace(
                figures[smallest.code],
                task_regular=0,
                task_amv=0,
                realised_regular=0,
                realised_amv=0,
            ),
        )
        cases.append(
            EdgeCase(
                "zero task",
                smallest,
                with_figures_of(smallest, zero),
                "VOORBEELD: task and realisation set to 0",
            )
        )

    amv = pick(with_figures, lambda m: (-figures[m.code].task_amv, m.code))
    if amv is not None:
        base = figures[amv.code]
        task = base.task_amv or max(base.task_regular, 1)
        realised = base.realised_amv if base.realised_amv < task else task // 2
        only = sample(
            amv,
            dataclasses.replace(
                base, task_regular=0, realised_regular=0, task_amv=task, realised_amv=realised
            ),
        )
        cases.append(
            EdgeCase(
                "AMV only",
                amv,
                with_figures_of(amv, only),
                "VOORBEELD: regular task and realisation set to 0",
            )
        )

    biggest = pick(
        (m for m in with_figures if figures[m.code].sample),
        lambda m: (-figures[m.code].task_total, m.code),
    )
    if biggest is not None:
        cases.append(EdgeCase("sample figures", biggest, config))
    else:
        biggest = pick(with_figures, lambda m: (-figures[m.code].task_total, m.code))
        if biggest is not None:
            marked = sample(biggest, figures[biggest.code])
            cases.append(
                EdgeCase(
                    "sample figures",
                    biggest,
                    with_figures_of(biggest, marked),
                    "its figures marked VOORBEELD",
                )
            )
    return cases
