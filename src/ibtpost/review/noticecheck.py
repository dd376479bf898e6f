"""The checks a letter's kennisgeving passes before its letter is queued: it is the file
its batch recorded (the register's SHA-256), PDF/A-2b, tagged, every font embedded, within
its page bounds, and sealed when ``signing:`` is set. A letter whose kennisgeving fails is
not queued, as when the letter itself fails (:mod:`ibtpost.review.lettercheck`)."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

from ibtpost.core.files import NOTICE_STEM_END, sha256_of
from ibtpost.core.layout import Layout
from ibtpost.data.config import load_config
from ibtpost.documents.pdf.finish import conformance_problems, inspect_pdf
from ibtpost.documents.pdf.sealcheck import seal_problems
from ibtpost.register import LetterRecord, Register
from ibtpost.register import letters as letter_register
from ibtpost.register import notices as notice_register
from ibtpost.register.letters import complete_batch
from ibtpost.register.notices import NoticeRecord
from ibtpost.review.lettercheck import (
    BatchCheck,
    LetterCheck,
    SealRoots,
    check_letters,
    seal_roots_of,
)
from ibtpost.text.definitions import load_letter
from ibtpost.text.nodes import LetterDefinition


def notice_file(folder: Path, reference: str) -> Path | None:
    """The kennisgeving's PDF of the letter ``reference`` in its batch folder, if any."""
    found = sorted(folder.glob(f"{reference}-*{NOTICE_STEM_END}.pdf"))
    return found[0] if len(found) == 1 else None


def check_notices(
    folder: Path,
    letters: list[LetterRecord],
    definition: LetterDefinition,
    recorded: dict[str, NoticeRecord],
    roots: SealRoots | None = None,
) -> list[LetterCheck]:
    """The outcome per letter of ``letters`` whose definition makes a kennisgeving: the
    problems of its kennisgeving (none: it may be queued), with the PDF's SHA-256."""
    notice = definition.kennisgeving
    if notice is None:
        return []
    outcomes = []
    for letter in letters:
        record = recorded.get(letter.reference)
        path = notice_file(folder, letter.reference)
        if path is None or record is None:
            what = "no kennisgeving file" if path is None else "no kennisgeving in the register"
            outcomes.append(
                LetterCheck(letter.reference, letter.reference, (f"{what}; make the batch again",))
            )
            continue
        data = path.read_bytes()
        digest = sha256_of(data)
        problems: list[str] = []
        if digest != record.pdf_sha256:
            problems.append(f"{path.name} differs from the kennisgeving the batch recorded")
        facts = inspect_pdf(data)
        problems += [f"{path.name}: {p}" for p in conformance_problems(facts)]
        bounds = notice.pages_problem(facts.pages)
        if bounds:
            problems.append(f"{path.name}: {bounds}")
        if roots is not None:
            seal = [base64.b64decode(r) for r in roots.seal]
            stamps = [base64.b64decode(r) for r in roots.timestamp] or seal
            problems += [f"{path.name}: {p}" for p in seal_problems(data, seal, stamps)]
        outcomes.append(
            LetterCheck(letter.reference, path.name, tuple(problems), digest, None, facts.pages)
        )
    return outcomes


def check_batch(root: Path, batch_id: str, processes: int | None = None) -> BatchCheck:
    """The checks ``queue`` runs on every letter of a complete batch and, for a final batch,
    on each letter's kennisgeving (``ibtpost check --batch``; nothing queued): a letter
    whose kennisgeving fails fails with it."""
    config = load_config(root)
    with Register.for_root(root) as register:
        batch = complete_batch(register, batch_id)
        letters = letter_register.batch_letters(register, batch_id)
        recorded = notice_register.of_letters(register, [x.reference for x in letters])
    definition = load_letter(root, batch.letter)
    roots = seal_roots_of(config.settings, batch.concept)
    folder = Layout(root).batch(batch_id).folder
    result = check_letters(folder, letters, definition, processes, roots)
    if batch.concept:
        return result
    notices = {c.reference: c for c in check_notices(folder, letters, definition, recorded, roots)}
    result.letters = [
        dataclasses.replace(c, problems=c.problems + notices[c.reference].problems)
        if c.reference in notices
        else c
        for c in result.letters
    ]
    return result
