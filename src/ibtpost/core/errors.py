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

from ibtpost.core.messages import Lang, say

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
    as a sentence or a link; ``"..."`` as a value means: the user fills it in."""

    action: str
    args: Mapping[str, str] = field(default_factory=dict)
    #: what the step is for, as a catalogue key (``hint.*``), worded by each front end
    why: str = ""

    def __str__(self) -> str:  # the front-end-neutral form, for logs and tests
        args = " ".join(f"{name}={value}" for name, value in self.args.items())
        return f"{self.action} {args}".strip()


Hint = str | NextAction


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
            message = say(key, "en", **self.values)
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.hint = hint

    def text(self, lang: Lang) -> str:
        """The message in ``lang``: from the catalogue if the error has a key, else as raised."""
        return say(self.key, lang, **self.values) if self.key else self.message

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


def problem_lines(exc: IbtpostError) -> list[str]:
    """Every problem of ``exc`` as the line the command line prints after ``error:``
    (``file:line: field: message (hint: ...)``); the web forms show the same lines."""
    problems = exc.problems if isinstance(exc, Problems) else [exc]
    return [f"{p}" + (f" (hint: {p.hint})" if p.hint else "") for p in problems]
