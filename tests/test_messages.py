"""The message catalogue: every message is worded in both languages with the same
placeholders, and a front end gets the wording it asks for."""

from __future__ import annotations

import pytest

from ibtpost.core.messages import CATALOGUE, LANGS, say


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_message_has_both_languages_with_the_same_placeholders(key: str) -> None:
    """No message is left unworded in a language, and both fill in the same values."""
    wording = CATALOGUE[key]
    assert wording.en.strip(), key
    assert wording.nl.strip(), key
    assert wording.placeholders("en") == wording.placeholders("nl"), key


def test_say_fills_in_the_language_asked_for() -> None:
    """The web asks for Dutch, the command line for English."""
    assert say("state.posted", "nl") == "per post verzonden"
    assert say("state.posted", "en") == "sent by post"
    assert LANGS == ("en", "nl")


def test_an_unknown_key_is_an_error_not_an_empty_text() -> None:
    """A misspelt key fails loudly instead of showing nothing."""
    with pytest.raises(KeyError):
        say("state.no-such-state", "nl")


def test_why_a_letter_only_goes_to_files_is_said_in_dutch_too() -> None:
    """The queue records the reasons in English (as the command line shows them); the web
    says them in Dutch; a reason it does not know stays as recorded."""
    from ibtpost.dispatch.queue import only_file_words

    recorded = "built on sample figures; a sample (.example) address; something else"
    assert only_file_words(recorded, "en") == recorded
    assert only_file_words(recorded, "nl") == (
        "op voorbeeldcijfers; een voorbeeldadres (.example); something else"
    )
