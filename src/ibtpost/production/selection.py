"""Which municipalities a batch is for: the ladder's choice, or the ones asked for.

A batch of named municipalities may depart from the ladder only with a reason; the batch
of everyone due takes exactly the municipalities the ladder recommends the letter for
(pure apart from reading the register). The letters are composed when their references are
allocated (:func:`ibtpost.production.batch.allocate`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ibtpost.approval import gate, versions
from ibtpost.core import dutch, validate
from ibtpost.core.domain import Config, CorrectedLetter, Municipality, PreviousLetter
from ibtpost.core.errors import (
    IbtpostError,
    Location,
    NextAction,
    Param,
    Phrase,
    Problems,
    UsageError,
)
from ibtpost.data.config import load_config
from ibtpost.data.municipalities import find_municipalities
from ibtpost.production.corrections import corrected_letter, same_municipality
from ibtpost.production.readiness import readiness
from ibtpost.register import LetterKey, LetterRecord, Register, motivering, procedure, replies
from ibtpost.register import cases as case_register
from ibtpost.register import letters as letter_register
from ibtpost.rules import gates, ladder
from ibtpost.rules.terms import term_deadline
from ibtpost.text.compose import compose
from ibtpost.text.composed import LetterContext
from ibtpost.text.definitions import load_letter
from ibtpost.text.nodes import LetterDefinition


@dataclass(frozen=True)
class BatchRequest:
    """What the secretariat asks for."""

    letter: str
    day: date
    municipalities: tuple[str, ...] = ()  # codes or names; empty: whoever is due
    concept: bool = False
    reason: str | None = None
    corrects: str | None = None  # the sent letter a herstel corrects or an intrekking withdraws


@dataclass(frozen=True)
class Planned:
    """One letter of a planned batch."""

    municipality: Municipality
    previous: PreviousLetter | None
    deviation: str | None  # why it departs from the ladder (then the reason applies)
    corrects: CorrectedLetter | None = None  # the letter it corrects or withdraws


@dataclass(frozen=True)
class Plan:
    """A validated batch, before anything is recorded."""

    id: str
    definition: LetterDefinition
    request: BatchRequest
    letters: tuple[Planned, ...]
    skipped: tuple[Phrase, ...]  # municipalities left out, with why
    notes: tuple[Phrase, ...] = ()  # what a concept lacks that a final letter needs


def batch_id(letter: str, day: date, codes: list[str] | None, concept: bool) -> str:
    """The batch id (and folder name).

    A batch of named municipalities: letter, date and a digest of who is in it. The batch of
    everyone due (``codes`` None): letter and date, one per day, so that running it again
    finds it, however many of its letters have been sent or are due by now.
    """
    kind = "-concept" if concept else ""
    if codes is None:
        return f"{letter}-{day.isoformat()}{kind}"
    digest = hashlib.sha256(
        ("concept" if concept else "final").encode() + b"|" + "|".join(sorted(codes)).encode()
    ).hexdigest()[:6]
    return f"{letter}-{day.isoformat()}-{digest}"


def plan_batch(
    config: Config, definition: LetterDefinition, register: Register, request: BatchRequest
) -> Plan:
    """Choose and check the municipalities; raise Problems listing every problem."""
    if definition.status == "draft" and not request.concept:
        raise UsageError(
            location=Location(f"letters/{definition.path.name}", None, "status"),
            hint=Phrase("hint.concept", {"concept": Param("concept")}),
            key="error.draft_needs_concept",
            values={"letter": definition.id, "concept": Param("concept")},
        )
    standings = ladder.standings(
        config.figures, case_register.open_cases(register), case_register.all_letters(register)
    )
    received = replies.latest(register)
    published = procedure.publications(register)
    written = motivering.latest(register)
    known_weeks: dict[str, int | None] = {}

    def zienswijze_weeks(letter: str) -> int | None:
        """The zienswijze term of a letter definition, read once per batch."""
        if letter not in known_weeks:
            try:
                known_weeks[letter] = load_letter(config.root, letter).zienswijze_weeks
            except IbtpostError:
                known_weeks[letter] = None  # a definition that no longer loads sets no term
        return known_weeks[letter]

    problems: list[IbtpostError] = []
    chosen: list[Planned] = []
    skipped: list[Phrase] = []
    notes: list[Phrase] = []
    explicit = bool(request.municipalities)
    wanted = (
        find_municipalities(config, request.municipalities)
        if explicit
        else list(config.municipalities.values())
    )
    found = corrected_letter(config, register, definition, request.corrects)
    corrects = found[1] if found is not None else None
    if found is not None:  # a herstel or intrekking is for the corrected letter's addressee
        for municipality in wanted if explicit else ():
            same_municipality(found[0], municipality, config)
        wanted = [config.municipalities[found[0].municipality]]
        explicit = True
    here = batch_id(
        definition.id,
        request.day,
        [m.code for m in wanted] if explicit else None,
        request.concept,
    )

    def consider(municipality: Municipality) -> None:
        standing = standings.get(municipality.code)
        if standing is None:
            problems.append(UsageError(key="error.no_figures", values=named(municipality)))
            return
        existing = letter_register.letter(
            register, LetterKey(definition.id, municipality.code, request.day)
        )
        own = existing is not None and existing.batch == here
        movable = existing is not None and existing.concept and existing.sent_on is None
        if existing is not None and existing.batch is not None and not own and not movable:
            message = Phrase(
                "warning.in_batch", {"name": municipality.name, "batch": existing.batch}
            )
            if explicit:
                values = {"name": municipality.name, "batch": existing.batch}
                hint = Phrase("hint.leave_out")
                problems.append(UsageError(hint=hint, key="error.in_batch", values=values))
            else:
                skipped.append(message)
            return
        # the letter before this one in the case (a sent letter of this batch is not its
        # own predecessor)
        previous = ladder.previous_letter(
            standing.sent,
            existing.reference if existing is not None else None,
            received,
            published,
            written,
        )
        if previous is not None:  # when its copies went out, for the gates and the recital
            out = procedure.copies_out(register, previous.reference)
            previous = dataclasses.replace(previous, copies_out=tuple(sorted(out.items())))
        if own and existing is not None:
            # a re-run: the letter keeps its place, whatever the ladder says by now
            chosen.append(Planned(municipality, previous, existing.reason, corrects))
            return
        if not definition.on_ladder:  # a herstel, intrekking or afsluiting: beside the ladder
            beside(municipality, standing, previous)
            return
        waiting = _zienswijze_pending(config, previous, definition, request.day, zienswijze_weeks)
        if waiting is not None:
            reply = NextAction("reply", {"reference": "...", "kind": "zienswijze"})
            problems.append(
                UsageError(
                    location=Location(None, None, "municipalities"),
                    hint=Phrase("hint.zienswijze", {"reply": reply, "reason": Param("reason")}),
                    key="error.zienswijze_pending",
                    values={**named(municipality), **waiting},
                )
            )
            return
        advice = ladder.advise(standing, request.day)
        deviation = ladder.deviation(standing, advice, definition.trede, definition.id, request.day)
        if deviation is not None and not explicit:
            return
        if not request.concept:  # the gates no reason overrides (a concept is only read)
            facts = _facts(register, municipality.code, standing, previous)
            refused = gates.refusal(definition.trede, request.day, facts)
            if refused is not None:
                said: dict[str, object] = {**named(municipality), **refused.values}
                if explicit:
                    problems.append(
                        UsageError(
                            location=Location(None, None, "municipalities"),
                            hint=refused.hint or "",
                            key=refused.key,
                            values=said,
                        )
                    )
                else:
                    skipped.append(Phrase(refused.key, said))
                return
        # past the gates: what the letter itself needs (motivering, current figures)
        ready = readiness(config, definition, municipality, previous, request.day, request.concept)
        problems.extend(ready.problems)  # said with the ladder's own problems, if any
        notes.extend(ready.warnings)
        if deviation is not None and not request.reason:
            problems.append(off_the_ladder(municipality, deviation))
            return
        if not ready.problems:
            chosen.append(Planned(municipality, previous, deviation))

    def beside(
        municipality: Municipality, standing: ladder.Standing, previous: PreviousLetter | None
    ) -> None:
        """A letter that takes no step on the ladder: no ladder, no gates; an afsluiting
        only for an open case, and for one whose task is not met only with a reason."""
        deviation = None
        if definition.kind == "afsluiting":
            if standing.case is None:
                if explicit:
                    problems.append(
                        UsageError(
                            location=Location(None, None, "municipalities"),
                            key="error.no_case_to_close",
                            values=named(municipality),
                        )
                    )
                return
            if not standing.figures.meets_task:
                if not explicit:
                    return  # the batch of everyone due: those whose task is met
                deviation = "does not meet its task"
                if not request.reason:
                    problems.append(off_the_ladder(municipality, deviation))
                    return
        ready = readiness(
            config, definition, municipality, previous, request.day, request.concept, corrects
        )
        problems.extend(ready.problems)
        notes.extend(ready.warnings)
        if not ready.problems:
            chosen.append(Planned(municipality, previous, deviation, corrects))

    for municipality in wanted:
        consider(municipality)
    if problems:
        raise Problems(problems)
    return Plan(
        id=here,
        definition=definition,
        request=request,
        letters=tuple(sorted(chosen, key=lambda p: p.municipality.code)),
        skipped=tuple(skipped),
        notes=tuple(notes),
    )


def compose_planned(
    config: Config,
    definition: LetterDefinition,
    request: BatchRequest,
    item: Planned,
    reference: str,
) -> LetterContext:
    """The letter of one planned municipality with ``reference``."""
    return compose(
        definition,
        item.municipality,
        config,
        reference,
        request.day,
        concept=request.concept,
        previous=item.previous,
        corrects=item.corrects,
    )


def _facts(
    register: Register,
    code: str,
    standing: ladder.Standing,
    previous: PreviousLetter | None,
) -> gates.GateFacts:
    """What the procedure's gates read of one municipality's case."""
    if previous is None:
        return gates.GateFacts(code, None, unsent=standing.pending)
    before: LetterRecord | None = next(
        (r for r in standing.sent if r.reference == previous.reference), None
    )
    return gates.GateFacts(
        code,
        previous,
        previous_batch=before.batch if before is not None else None,
        unsent=standing.pending,
        copies_out=frozenset(role for role, _ in previous.copies_out),
        litigation=tuple(r.event for r in procedure.litigation(register, previous.reference)),
        withdrawn_by=next(
            (
                r
                for r in letter_register.corrections_of(register, previous.reference)
                if r.kind == "intrekking" and r.sent_on is not None
            ),
            None,
        ),
    )


def _zienswijze_pending(
    config: Config,
    previous: PreviousLetter | None,
    definition: LetterDefinition,
    day: date,
    weeks_of: Callable[[str], int | None],
) -> dict[str, object] | None:
    """Why a next step may not be taken yet (the values of ``error.zienswijze_pending``): the
    previous letter (a voornemen) gave the college a term for its zienswijze (Awb 4:8), the
    term runs on ``day``, and no zienswijze was recorded. None when nothing holds it back."""
    if previous is None or definition.trede <= previous.trede:
        return None
    weeks = weeks_of(previous.letter)
    if not weeks:
        return None
    until = term_deadline(previous.day, weeks, config.settings.roll_terms)
    answered = previous.reply is not None and previous.reply.kind == "zienswijze"
    if answered or day > until:
        return None
    return {
        "letter": previous.letter,
        "reference": previous.reference,
        "until": dutch.long_date(until),
        "trede": definition.trede,
    }


def off_the_ladder(municipality: Municipality, deviation: str) -> UsageError:
    """A letter that departs from the ladder (``deviation``) asked for without a reason."""
    return UsageError(
        location=Location(None, None, "municipalities"),
        hint=Phrase("hint.give_reason", {"reason": Param("reason", "...")}),
        key="error.off_the_ladder",
        values={**named(municipality), "deviation": deviation},
    )


def named(municipality: Municipality) -> dict[str, object]:
    """The values that name a municipality in a message: ``{name} ({code})``."""
    return {"name": municipality.name, "code": municipality.code}


# -- the checks before a batch is recorded ---------------------------------------------------


def check_request(root: Path, request: BatchRequest, *, approval: bool = True) -> Plan:
    """Everything ``production.batch.run_batch`` checks before it records anything (the
    definition, the approval gate, the municipalities, the ladder and its reasons), with the
    same errors; records nothing. The plan says which municipalities the batch would hold (with
    ``approval=False`` also while the text waits for its approval)."""
    config = load_config(root)
    definition = load_letter(root, request.letter)
    if approval:
        pass_gate(root, config, definition, request, versions.working_copy(root, definition.id))
    with Register.for_root(root) as register:
        return planned_batch(config, definition, register, request)


def pass_gate(
    root: Path,
    config: Config,
    definition: LetterDefinition,
    request: BatchRequest,
    working: versions.WorkingCopy,
) -> None:
    """A final batch only of the approved, verified text (a draft: plan_batch says so)."""
    if not request.concept and definition.status == "final":
        gate.require_approved(root, definition.id, working)
        gate.require_verified(config, definition)


def planned_batch(
    config: Config, definition: LetterDefinition, register: Register, request: BatchRequest
) -> Plan:
    """The plan of the batch; UsageError when nobody is in it (or the reason is not one line
    of text)."""
    if request.reason is not None:
        validate.one_line(request.reason, "reason")
    plan = plan_batch(config, definition, register, request)
    if not plan.letters:
        values = {"letter": definition.id, "day": request.day.isoformat()}
        see = NextAction("status", {"date": request.day.isoformat()}, why="hint.see")
        raise UsageError(hint=see, key="error.nobody_due", values=values)
    return plan
