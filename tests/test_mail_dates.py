"""One deadline, said once: every definition x the mail templates, no date in a message that
its letter does not state (legal review 2026-12, point 10 and trede 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result

from ibtpost.data.config import load_config
from ibtpost.mail.checks import dates_in, mail_contexts, mail_date_problems
from ibtpost.mail.templates import load_mail_templates
from ibtpost.review.checkdata import Compositions
from ibtpost.text.definitions import definition_files, load_definition

REPO = Path(__file__).resolve().parents[1]


def test_no_shipped_mail_states_a_date_its_letter_lacks() -> None:
    """Every branch of every shipped definition, with its own mail and each copy's: each date
    in a message is a date of its letter; and the messages do state dates (the letter's
    date, the zienswijze date of a voornemen), so the comparison is not empty."""
    config = load_config(REPO)
    definitions = [load_definition(p, f"letters/{p.name}") for p in definition_files(REPO)]
    templates = load_mail_templates(REPO)
    compositions = Compositions(config)
    assert mail_date_problems(definitions, compositions, templates) == []

    compared = 0
    for definition in definitions:
        for branch in compositions.of(definition):
            letter = branch.outcome
            assert not isinstance(letter, Exception), letter
            stated = dates_in(letter.text) | {letter.date_text}
            for context in mail_contexts(definition, letter, config):
                mail = templates.render_text(context)
                found = dates_in(mail)
                assert found <= stated, (definition.id, found - stated)
                compared += len(found)
                if definition.id == "trede-4" and context["copy"] is None:
                    assert letter.reaction is not None and letter.reaction.as_date
                    assert f"uiterlijk {letter.reaction.deadline_text} te reageren" in mail
                if definition.id == "trede-2" and context["copy"] is None:
                    assert "binnen drie weken na dagtekening van de brief te reageren" in mail
                if definition.besluit:
                    assert "te reageren" not in mail
    assert compared > 50


def _mail_template(root: Path, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in templates/mail.txt; the line number of the change."""
    path = root / "templates" / "mail.txt"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    return text[: text.index(old)].count("\n") + 1


def test_a_template_that_gives_the_rolled_date_is_refused_by_check(
    root: Path, cli: Callable[..., Result]
) -> None:
    """The trede-2 letter states its reply term as a period; a mail template that states the
    (rolled) date instead is refused by `check`, exit 2, naming the template's line."""
    line = _mail_template(
        root,
        "Wij verzoeken u {{ reaction.phrase }}",
        "Wij verzoeken u uiterlijk {{ reaction.deadline }}",
    )
    result = cli(root, "check")
    assert result.code == 2
    errors = [x for x in result.out.splitlines() if x.startswith("error:")]
    trede2 = [x for x in errors if "the e-mail of trede-2 states" in x]
    assert trede2, result.out
    assert trede2[0].startswith(f"error: templates/mail.txt:{line}: ")
    assert "{{ reaction.deadline }}" in trede2[0]
    assert "a date its letter does not state" in trede2[0]
    # the voornemen states its zienswijze date: its mail may give it
    assert not any("the e-mail of trede-4 states" in x for x in errors)


def test_a_date_written_into_a_template_is_refused_at_its_line(
    root: Path, cli: Callable[..., Result]
) -> None:
    """A date typed into the template itself is found at its line, for every letter."""
    line = _mail_template(
        root, "Met vriendelijke groet,", "Reageer voor 1 januari 2030.\nMet vriendelijke groet,"
    )
    result = cli(root, "check")
    assert result.code == 2
    found = [x for x in result.out.splitlines() if "states 1 januari 2030" in x]
    assert {x.split(": ")[1] for x in found} == {f"templates/mail.txt:{line}"}
    assert len(found) == len(definition_files(root))  # once per letter


def test_the_shipped_check_passes_the_mail(root: Path, cli: Callable[..., Result]) -> None:
    """On the shipped templates `check` finds no mail date error."""
    result = cli(root, "check")
    assert "the e-mail of" not in result.out
    assert result.code == 0, result.out
