"""How the command line words what the library leaves to its front ends: a parameter as its
flag (``reference`` as ``--reference``), a next step as the command that takes it
(``ibtpost withdraw B -r R --reason TEXT``). The one table of flags of the command line."""

from __future__ import annotations

from dataclasses import dataclass

from ibtpost.core.errors import IbtpostError, Location, NextAction, Param, problem_lines
from ibtpost.core.messages import Lang


@dataclass(frozen=True)
class Flag:
    """The option of a parameter: long form, short form (for a repeatable option, used
    once per value when a command is shown) and the word for a value the user fills in."""

    long: str
    short: str = ""
    metavar: str = ""


#: library parameter -> its option; a parameter that is an argument of a command (LETTER,
#: BATCH, REFERENCE of ``reply``) is named by its metavar there (see ``COMMANDS``)
FLAGS: dict[str, Flag] = {
    "batch": Flag("--batch", "-b", "BATCH"),
    "by": Flag("--by", "", "NAME"),
    "case": Flag("--case", "", "MUNICIPALITY"),
    "concept": Flag("--concept"),
    "corrects": Flag("--corrects", "", "REFERENCE"),
    "date": Flag("--date", "", "YYYY-MM-DD"),
    "edge_cases": Flag("--edge-cases"),
    "event": Flag("--event", "", "EVENT"),
    "file": Flag("--file", "", "FILE"),
    "from": Flag("--from", "", "VERSION"),
    "host": Flag("--host", "", "ADDRESS"),
    "kind": Flag("--kind", "", "KIND"),
    "letter": Flag("--letter", "", "LETTER"),
    "municipalities": Flag("--municipality", "-m", "CODE"),
    "name": Flag("--name", "", "NAME"),
    "note": Flag("--note", "", "TEXT"),
    "part": Flag("--part", "", "PART"),
    "peildatum": Flag("--peildatum", "", "YYYY-MM-DD"),
    "reason": Flag("--reason", "", "TEXT"),
    "received": Flag("--received", "", "YYYY-MM-DD"),
    "reference": Flag("--reference", "-r", "REFERENCE"),
    "role": Flag("--role", "", "ROLE"),
    "sheet": Flag("--sheet", "", "NAME"),
    "source": Flag("--source", "", "TEXT"),
    "staatscourant": Flag("--staatscourant", "", "NUMBER"),
    "to": Flag("--to", "", "VERSION"),
    "url": Flag("--url", "", "URL"),
    "verdeelbesluit": Flag("--verdeelbesluit", "", "YYYY-MM-DD"),
}

#: a use case (``NextAction.action``) -> its command words and its arguments, in order
COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "approve": ("approve", ("letter",)),
    "audit-verify": ("audit verify", ()),
    "batch": ("batch", ("letter",)),
    "case": ("case", ("municipality",)),
    "check": ("check", ()),
    "diff": ("diff", ("letter",)),
    "export-mdto": ("export mdto", ("batch",)),
    "import-addresses": ("import addresses", ("file",)),
    "import-cdk": ("import cdk", ("file",)),
    "import-figures": ("import figures", ("file",)),
    "letter": ("letter", ("letter",)),
    "litigation": ("litigation", ("reference",)),
    "motivering": ("motivering", ("reference",)),
    "outbox": ("outbox", ()),
    "post": ("post", ("batch",)),
    "post-room": ("post-room", ("batch",)),
    "preview": ("preview", ("letter",)),
    "proof": ("proof", ("letter",)),
    "publication": ("publication", ("reference",)),
    "queue": ("queue", ("batch",)),
    "reply": ("reply", ("reference",)),
    "report": ("report", ("batch",)),
    "send": ("send", ()),
    "status": ("status", ()),
    "withdraw": ("withdraw", ("batch",)),
}
#: more values than this of a repeatable option are summed up, not listed
MAX_LISTED = 8


def _arguments(command: str) -> tuple[str, ...]:
    """The arguments of the command line's ``command`` (its first word, as argparse has it)."""
    for words, arguments in COMMANDS.values():
        if words.split()[0] == command:
            return arguments
    return ()


@dataclass(frozen=True)
class CliWords:
    """The command line's wording; ``command`` is the command that runs (``reply``, ``batch``),
    whose arguments a problem names by their metavar (``REFERENCE``), not as an option."""

    command: str = ""
    lang: Lang = "en"

    def field(self, name: str) -> str:
        """A parameter as the command line names it: its option, or the argument's name."""
        if name in _arguments(self.command):
            return FLAGS[name].metavar if name in FLAGS else name.upper()
        flag = FLAGS.get(name)
        return flag.long if flag else name

    def where(self, location: Location) -> str:
        """``file:line: field`` with a parameter as its option (``--reference``)."""
        if location.field and location.line is None and location.row is None:
            location = Location(location.file, None, self.field(location.field))
        return str(location)

    def param(self, param: Param) -> str:
        """``--concept``, ``--reason TEXT`` (``"..."``: the user fills it in), ``BATCH``."""
        named = self.field(param.name)
        if not param.value or named.isupper():
            return named
        return f"{named} {_value(param.name, param.value)}"

    def action(self, action: NextAction) -> str:
        """The command that takes the step: ``ibtpost withdraw B -r R --reason TEXT``."""
        words, arguments = COMMANDS.get(action.action, (action.action.replace("-", " "), ()))
        parts = ["ibtpost", words]
        parts += [_value(n, v) for n in arguments if (v := _one(action.args.get(n))) is not None]
        for name, value in action.args.items():
            if name not in arguments:
                parts.append(_option(name, value))
        return " ".join(part for part in parts if part)


def _one(value: str | tuple[str, ...] | None) -> str | None:
    return value if value is None or isinstance(value, str) else " ".join(value)


def _value(name: str, value: str) -> str:
    """``value``, or the metavar of ``name`` for ``"..."`` (filled in by the user)."""
    if value != "...":
        return value
    flag = FLAGS.get(name)
    return flag.metavar if flag and flag.metavar else name.upper()


def _option(name: str, value: str | tuple[str, ...]) -> str:
    """One option with its value(s): ``--date 2026-04-09``, ``-m GM0622 -m GM0363``."""
    flag = FLAGS.get(name, Flag(f"--{name.replace('_', '-')}"))
    if not flag.metavar:  # a switch
        return flag.long
    if isinstance(value, str):
        return f"{flag.short or flag.long} {_value(name, value)}"
    if len(value) > MAX_LISTED:
        return f"and its {len(value)} {flag.long} options"
    return " ".join(f"{flag.short or flag.long} {_value(name, v)}" for v in value)


def error_lines(exc: IbtpostError, command: str = "") -> list[str]:
    """Every problem of ``exc`` as the line after ``error:``, in the command line's words."""
    return problem_lines(exc, CliWords(command))
