"""The mandatory blocks of a letter definition (``required:``): phrases taken word for word
from the definition's own text, which every generated letter must show.

A phrase that does not occur in the text (a typo, or text changed since) is an error when
the definition is loaded, so the list can only name wording the lawyers wrote; whether
every letter shows it is checked by ``ibtpost check`` (every branch composed) and, on the
files, by :mod:`ibtpost.review.lettercheck` before a letter is queued.
"""

from __future__ import annotations

from ibtpost.core.errors import DefinitionError, Location
from ibtpost.core.yamlsource import YList, YMap
from ibtpost.text.nodes import RequiredText, Text
from ibtpost.text.textengine import normalise, plain_source

#: What a required phrase may not contain: it is matched literally against the letter.
_NOT_LITERAL = ("{{", "}}", "{%", "%}", "{#", "#}", "*", "[^", "\\")


def read_required(
    label: str, data: YMap, texts: list[Text]
) -> tuple[tuple[RequiredText, ...], list[DefinitionError]]:
    """``required:`` of a definition whose texts are ``texts``: the phrases and the
    problems found (each naming file, line and field)."""
    problems: list[DefinitionError] = []

    def fail(message: str, line: int, field: str) -> None:
        problems.append(DefinitionError(message, Location(label, line, field)))

    if "required" not in data or data.get("required") is None:
        return (), problems
    raw = data.get("required")
    if not isinstance(raw, YList):
        fail("must be a list of name: and text:", data.line_of("required"), "required")
        return (), problems
    wording = [plain_source(t.source) for t in texts]
    found: list[RequiredText] = []
    names: set[str] = set()
    for i, item in enumerate(raw):
        line, field = raw.line_of(i), f"required[{i}]"
        if not isinstance(item, YMap) or set(item) != {"name", "text"}:
            fail("needs exactly name: and text:", line, field)
            continue
        name, text = item.get("name"), item.get("text")
        line = item.line_of("text")
        if not isinstance(name, str) or not name.strip():
            fail("must be a short name", item.line_of("name"), f"{field}.name")
            continue
        if name in names:
            fail(f"{name!r} is named twice", item.line_of("name"), f"{field}.name")
        names.add(name)
        if not isinstance(text, str) or not normalise(text):
            fail("must be a phrase of the letter text", line, f"{field}.text")
            continue
        if any(part in text for part in _NOT_LITERAL):
            fail(
                "must be literal text: no placeholders, markup or footnote markers",
                line,
                f"{field}.text",
            )
            continue
        phrase = normalise(text)
        if not any(phrase in plain for plain in wording):
            fail(
                f"{name}: the phrase does not occur in this letter's text; copy it word for "
                "word from a paragraph, heading, bullet, table or footnote",
                line,
                f"{field}.text",
            )
            continue
        found.append(RequiredText(name.strip(), phrase, Location(label, line, f"{field}.text")))
    return tuple(found), problems
