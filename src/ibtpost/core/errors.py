"""The exception tree of ibtpost.

The library raises these; only the front ends word them. Every error that stems from input
names where the input is: file, line and field. A field is a field of a file (``email``,
``peildatum``) or a *parameter* of a use case (``reference``, ``municipalities``, ``reason``),
never a command-line flag: the command line maps parameters to its flags, ``ibtpost web`` to
its form fields. A hint that suggests another step is a ``NextAction`` (a use case and its
arguments), which each front end words in its own way (a command line, a link).

An error may carry a catalogue ``key`` (``ibtpost.core.messages``) with its ``values``: its
message then exists in English and Dutch, and the web shows the Dutch one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ibtpost.core.messages import Lang, Wording, say

EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Location:
    """Where in the input a problem was found."""

    file: Path | str | None = None
    line: int | None = None
    field: str | None = None
    row: int | None = None  # spreadsheet row (header = row 1), for imported CSV/XLSX files

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            where = str(self.file)
            if self.line is not None:
                where += f":{self.line}"
            elif self.row is not None:
                where += f":row {self.row}"
            parts.append(where)
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)


@dataclass(frozen=True)
class NextAction:
    """A step an error suggests: a use case (``withdraw``, ``outbox``, ``import-addresses``,
    ...) and its arguments by parameter name. The command line words it as a command, the web
    as a sentence or a link; ``"..."`` as a value means: the user fills it in. A parameter
    that takes several values (``municipalities``, ``reference``) may get a tuple."""

    action: str
    args: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    #: what the step is for, as a catalogue key (``hint.*``, its wording names the step
    #: with ``{command}``), worded by each front end
    why: str = ""

    def __str__(self) -> str:  # the front-end-neutral form, for logs and tests
        args = " ".join(
            f"{name}={value if isinstance(value, str) else ','.join(value)}"
            for name, value in self.args.items()
        )
        return f"{self.action} {args}".strip()


@dataclass(frozen=True)
class Param:
    """A parameter a message mentions (``{concept}`` in "only a concept can be made of it
    ({concept})"): the command line words it as its flag, the web as its form field.
    ``value`` ``"..."`` means: with a value the user fills in."""

    name: str
    value: str = ""

    def __str__(self) -> str:  # the front-end-neutral form
        return f"{self.name} {self.value}" if self.value else self.name


@dataclass(frozen=True)
class Phrase:
    """A catalogue message with its values, for a hint that is more than one step."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return worded(self.key, self.values, PlainWords("en"))


Hint = str | NextAction | Phrase


class Words(Protocol):
    """How a front end words what the library leaves to it: the place of a problem, a
    parameter and a next step, in its language."""

    @property
    def lang(self) -> Lang: ...

    def where(self, location: Location) -> str: ...

    def param(self, param: Param) -> str: ...

    def action(self, action: NextAction) -> str: ...


@dataclass(frozen=True)
class PlainWords:
    """The front-end-neutral wording: parameters and steps by their names (logs, tests)."""

    lang: Lang = "en"

    def where(self, location: Location) -> str:
        return str(location)

    def param(self, param: Param) -> str:
        return str(param)

    def action(self, action: NextAction) -> str:
        return str(action)


def worded(key: str, values: Mapping[str, object], words: Words) -> str:
    """The catalogue message ``key`` with ``values``, parameters and steps in ``words``."""
    filled = {
        name: words.param(value)
        if isinstance(value, Param)
        else words.action(value)
        if isinstance(value, NextAction)
        else worded(value.key, value.values, words)
        if isinstance(value, Phrase)
        else (value.en if words.lang == "en" else value.nl)
        if isinstance(value, Wording)
        else value
        for name, value in values.items()
    }
    return say(key, words.lang, **filled)


def hint_text(hint: Hint, words: Words) -> str:
    """``hint`` in ``words`` ("" for none)."""
    if isinstance(hint, Phrase):
        return worded(hint.key, hint.values, words)
    if isinstance(hint, NextAction):
        command = words.action(hint)
        return say(hint.why, words.lang, command=command) if hint.why else command
    return hint


class IbtpostError(Exception):
    """Base class of all expected failures; ``exit_code`` is what the CLI returns.

    ``key``/``values`` name the message in the catalogue (then ``message`` may be left empty:
    it is the English wording); ``text(lang)`` gives it in either language."""

    exit_code = EXIT_FAILURE

    def __init__(
        self,
        message: str = "",
        location: Location | None = None,
        hint: Hint = "",
        *,
        key: str = "",
        values: Mapping[str, object] | None = None,
    ) -> None:
        self.key = key
        self.values = dict(values or {})
        if key and not message:
            message = worded(key, self.values, PlainWords("en"))
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.hint = hint

    def text(self, lang: Lang, words: Words | None = None) -> str:
        """The message in ``lang``: from the catalogue if the error has a key, else as raised;
        its parameters and steps in ``words`` (a front end's; by default by their names)."""
        if not self.key:
            return self.message
        return worded(self.key, self.values, words or PlainWords(lang))

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


class InputError(IbtpostError):
    """Bad input: a definition, data file, template or command-line value (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class DefinitionError(InputError):
    """A letter definition in letters/ is malformed or refers to something unknown."""


class DataError(InputError):
    """A file in config/ is malformed, or a municipality or figure is missing."""


class TemplateError(InputError):
    """A Word template in templates/ is malformed or uses an unknown placeholder."""


class ImportFileError(InputError):
    """A file given to ``ibtpost import`` (CSV or XLSX) is malformed or names unknown things."""


class UsageError(InputError):
    """A command-line value is wrong (unknown municipality, reference already used, ...)."""


class RenderError(IbtpostError):
    """Rendering produced an invalid document (e.g. template tags left over)."""


class ConvertError(IbtpostError):
    """LibreOffice failed, hung, or produced a PDF that is not what was asked."""


class RegisterError(IbtpostError):
    """The register (SQLite) is unavailable or inconsistent."""


class Problems(InputError):
    """Several input problems found at once; ``str`` shows the first, ``problems`` all."""

    def __init__(self, problems: list[IbtpostError]) -> None:
        first = problems[0]
        super().__init__(
            first.message, first.location, first.hint, key=first.key, values=first.values
        )
        self.problems = problems


def problems_of(exc: IbtpostError) -> list[IbtpostError]:
    """The problems of ``exc``: its own list, or itself."""
    return exc.problems if isinstance(exc, Problems) else [exc]


def problem_lines(exc: IbtpostError, words: Words | None = None) -> list[str]:
    """Every problem of ``exc`` as one English line ``file:line: field: message (hint: ...)``,
    parameters and steps in ``words`` (the command line's; by default by their names)."""
    words = words or PlainWords("en")
    lines = []
    for problem in problems_of(exc):
        where = words.where(problem.location)
        text = problem.text("en", words)
        hint = hint_text(problem.hint, words)
        lines.append((f"{where}: {text}" if where else text) + (f" (hint: {hint})" if hint else ""))
    return lines
