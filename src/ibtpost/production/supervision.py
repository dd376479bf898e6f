"""Supervision cases over time: the status overview (which recommends the afsluiting for an
open case whose task is met: the case closes when that letter is sent), the previous letter.

The ladder's rules live in :mod:`ibtpost.rules.ladder` (pure); this module reads the register and
the figures, applies the rules and records what changed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ibtpost.core.domain import Config, Municipality, PreviousLetter
from ibtpost.core.layout import Layout
from ibtpost.data.config import load_config
from ibtpost.data.recipients import MissingAddress, mail_recipients
from ibtpost.register import Register, motivering, procedure, replies
from ibtpost.register import cases as case_register
from ibtpost.rules import ladder
from ibtpost.rules.gates import VOORNEMEN

#: the letter that ends a supervision case (letters/afsluiting.yaml)
CLOSING_LETTER = "afsluiting"


@dataclass(frozen=True)
class StatusRow:
    """One municipality in the status overview."""

    code: str
    name: str
    province: str
    task: int
    realised: int
    shortfall: int
    sample: bool
    trede: int | None
    last_reference: str | None
    last_sent_on: str | None
    term_until: str | None
    action: str
    next_letter: str | None
    note: str
    by_post: str | None = None  # why its letters cannot go by e-mail, if so
    answered: str | None = None  # when the college answered the last letter (reply recorded)
    answer_kind: str | None = None  # reply or zienswijze
    term_passed: bool = False  # the last letter's term is over on the status date
    published: str | None = None  # the last letter's kennisgeving: "2026-12345 2026-06-03"
    litigation: str | None = None  # the last event at the court about it: "beroep 2026-08-20"
    #: a zienswijze on the last letter and no reply to it written (``ibtpost motivering``)
    no_reply_text: bool = False

    def as_json(self) -> dict[str, Any]:
        """A plain mapping for ``--json``."""
        return asdict(self)


def status(root: Path, day: date) -> list[StatusRow]:
    """Every municipality's figures, case and recommended next letter on ``day``."""
    config = load_config(root)
    letters_by_trede = _letters_by_trede(root)
    with Register.for_root(root) as register:
        standings = ladder.standings(
            config.figures, case_register.open_cases(register), case_register.all_letters(register)
        )
        received = replies.latest(register)
        published = procedure.publications(register)
        litigated = procedure.latest_litigation(register)
        written = motivering.latest(register)
    rows = []
    for code, municipality in config.municipalities.items():
        standing = standings.get(code)
        if standing is None:
            continue
        advice = ladder.advise(standing, day)
        fig = standing.figures
        last = standing.last
        answer = received.get(last.reference) if last else None
        publication = published.get(last.reference) if last else None
        event = litigated.get(last.reference) if last else None
        rows.append(
            StatusRow(
                code=code,
                name=municipality.name,
                province=municipality.province,
                task=fig.task_regular + fig.task_amv,
                realised=fig.realised_regular + fig.realised_amv,
                shortfall=fig.shortfall,
                sample=fig.sample,
                trede=standing.trede,
                last_reference=last.reference if last else None,
                last_sent_on=last.sent_on.isoformat() if last and last.sent_on else None,
                term_until=last.deadline.isoformat() if last and last.deadline else None,
                action=advice.action,
                next_letter=(
                    letters_by_trede.get(advice.next_trede, f"trede-{advice.next_trede}")
                    if advice.next_trede
                    else CLOSING_LETTER
                    if advice.action == "close"
                    else None
                ),
                note=advice.note,
                by_post=_why_by_post(municipality, config),
                answered=answer.received.isoformat() if answer else None,
                answer_kind=answer.kind if answer else None,
                no_reply_text=bool(
                    last
                    and answer
                    # a reaction on a voornemen is a zienswijze, as the ladder reads it
                    and (answer.kind == "zienswijze" or last.trede == VOORNEMEN)
                    and not (last.reference in written and written[last.reference].zienswijze)
                ),
                term_passed=bool(last and last.deadline and last.deadline < day),
                published=(
                    f"{publication.staatscourant} {publication.day.isoformat()}"
                    if publication
                    else None
                ),
                litigation=f"{event.event} {event.day.isoformat()}" if event else None,
            )
        )
    return rows


def _why_by_post(municipality: Municipality, config: Config) -> str | None:
    """Why this municipality's letters go by post ("no e-mail address of ..."), or None."""
    found = mail_recipients(municipality, config)
    return str(found) if isinstance(found, MissingAddress) else None


def _letters_by_trede(root: Path) -> dict[int, str]:
    """The letter definition id per trede, from the file names in letters/."""
    found: dict[int, str] = {}
    for path in sorted(Layout(root).letters.glob("trede-*.yaml")):
        number = path.stem.removeprefix("trede-")
        if number.isdigit():
            found[int(number)] = path.stem
    return found


def previous_letters(root: Path) -> dict[str, PreviousLetter]:
    """The last letter sent in each open supervision case, by municipality code (read only:
    without a register there are none, and none is made)."""
    if not Layout(root).register.is_file():
        return {}
    found: dict[str, PreviousLetter] = {}
    with Register.for_root(root) as register:
        received = replies.latest(register)
        written = motivering.latest(register)
        published = procedure.publications(register)
        for code, case in case_register.open_cases(register).items():
            previous = ladder.previous_letter(
                case_register.case_letters(register, case.id), None, received, published, written
            )
            if previous is not None:
                found[code] = previous
    return found
