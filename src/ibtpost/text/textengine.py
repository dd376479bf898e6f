"""Letter text: sandboxed Jinja placeholders and the light markup of letter definitions.

Text in a letter definition is rendered with a sandboxed Jinja environment that refuses
unknown placeholders (StrictUndefined). Every value a placeholder inserts is escaped for the
markup, so data can never turn text bold or add a footnote. The markup itself is small:
``**bold**``, ``*italic*``, ``[^name]`` for a footnote, and a backslash to escape.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from ibtpost.core import dutch
from ibtpost.core.errors import DefinitionError, Location

#: The names a letter text may use; compose provides each of them.
CONTEXT_NAMES = frozenset(
    {
        "municipality",
        "figures",
        "trede",
        "letter",
        "date",
        "reference",
        "reply_term",
        "compliance_term",
        "zienswijze_term",
        "besluit_term",
        "previous",
        "reply",
        "publication",
        "motivering",
        "corrects",
        "legal",
        "agreements",
        "sender",
        "province",
    }
)
#: The name of the current element in the item text of a ``foreach`` bullets block.
ITEM_NAME = "item"

#: A Jinja tag left in a finished letter (``{{``, ``}}``, ``{%``, ``%}``, ``{#``, ``#}``): the
#: one pattern that rendering refuses in the .docx and the checks refuse before queueing.
TEMPLATE_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_MARKUP_CHARS = re.compile(r"([\\*\[\]])")


def escape_markup(value: str) -> str:
    """Escape the markup characters in a value inserted by a placeholder."""
    return _MARKUP_CHARS.sub(r"\\\1", value)


def _finalize(value: Any) -> str:
    if isinstance(value, date):
        return dutch.long_date(value)
    return escape_markup(str(value))


def _as_date(value: Any) -> date:
    if isinstance(value, jinja2.Undefined):  # a misspelt name: say which
        value._fail_with_undefined_error()
    if not isinstance(value, date):
        raise jinja2.TemplateRuntimeError(f"expected a date, got {value!r}")
    return value


@lru_cache(maxsize=1)
def text_environment() -> SandboxedEnvironment:
    """The Jinja environment for letter text: sandboxed, strict, with Dutch date filters."""
    env = SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        keep_trailing_newline=False,
    )
    env.filters["datum"] = lambda v: dutch.long_date(_as_date(v))
    env.filters["kortedatum"] = lambda v: dutch.short_date(_as_date(v))
    return env


def check_syntax(source: str, location: Location) -> set[str]:
    """Parse ``source``; return the names it uses, or raise naming ``location``."""
    env = text_environment()
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise DefinitionError(
            location=location, key="error.placeholder_syntax", values={"problem": exc.message}
        ) from None
    return set(meta.find_undeclared_variables(tree))


def check_expression(expression: str, location: Location) -> set[str]:
    """Parse a condition or list expression (``when``, ``foreach``); return its names."""
    return check_syntax(f"{{% if {expression} %}}{{% endif %}}", location)


#: What an expression can raise on the values of one municipality (``1 + "x"``, a division
#: by zero): reported as the definition's error at its line, never as a traceback.
_VALUE_ERRORS = (TypeError, ValueError, ArithmeticError, LookupError)


def _dotted(node: nodes.Node) -> str | None:
    """``province.cdk_name`` for the node of that name, or None for other expressions."""
    parts: list[str] = []
    while isinstance(node, nodes.Getattr):
        parts.append(node.attr)
        node = node.node
    if isinstance(node, nodes.Name):
        return ".".join([node.name, *reversed(parts)])
    return None


def _paths(node: nodes.Node) -> set[str]:
    found: set[str] = set()
    for item in node.find_all((nodes.Getattr, nodes.Name)):
        dotted = _dotted(item)
        if dotted:
            found.add(dotted)
    if isinstance(node, nodes.Getattr | nodes.Name):
        dotted = _dotted(node)
        if dotted:
            found.add(dotted)
    return found


@lru_cache(maxsize=1024)
def used_paths(source: str, expression: bool = False) -> tuple[frozenset[str], frozenset[str]]:
    """The names a text uses, with their attributes (``figures``, ``figures.task_amv``),
    and those of them that decide what is printed (``{% if %}``, ``{% for %}``, ``... if
    ... else ...``; all of an ``expression``). Empty for a text that does not parse (its
    definition reports that)."""
    env = text_environment()
    try:
        tree = env.parse(f"{{% if {source} %}}{{% endif %}}" if expression else source)
    except jinja2.TemplateSyntaxError:
        return frozenset(), frozenset()
    used = _paths(tree)
    if expression:
        return frozenset(used), frozenset(used)
    deciding: set[str] = set()
    for node in tree.find_all((nodes.If, nodes.CondExpr)):
        if isinstance(node, nodes.If | nodes.CondExpr):
            deciding |= _paths(node.test)
    for loop in tree.find_all(nodes.For):
        deciding |= _paths(loop.iter)
    return frozenset(used), frozenset(deciding)


@lru_cache(maxsize=1024)
def _compiled_expression(expression: str) -> Any:
    return text_environment().compile_expression(expression, undefined_to_none=False)


def evaluate(expression: str, context: Mapping[str, Any], location: Location) -> Any:
    """The value of ``expression``; an unknown name raises naming ``location``."""
    with _errors_at(location, "expression"):
        value = _compiled_expression(expression)(**context)
        if isinstance(value, jinja2.Undefined):
            value._fail_with_undefined_error()
    return value


def is_true(expression: str, context: Mapping[str, Any], location: Location) -> bool:
    """Whether a ``when`` condition holds."""
    return bool(evaluate(expression, context, location))


@lru_cache(maxsize=4096)
def _compiled(source: str) -> jinja2.Template:
    return text_environment().from_string(source)


def render_text(source: str, context: Mapping[str, Any], location: Location) -> str:
    """Fill the placeholders of ``source``; an unknown one raises naming ``location``."""
    with _errors_at(location, "placeholder"):
        return _compiled(source).render(context)


@contextlib.contextmanager
def _errors_at(location: Location, what: str) -> Iterator[None]:
    """Jinja's errors (and a value error while rendering) as a DefinitionError naming
    ``location``: ``placeholder syntax error: ...``, ``expression error: ...``."""
    try:
        yield
    except jinja2.UndefinedError as exc:
        raise DefinitionError(_undefined_message(exc), location) from None
    except jinja2.TemplateSyntaxError as exc:
        raise DefinitionError(f"{what} syntax error: {exc.message}", location) from None
    except jinja2.TemplateError as exc:
        raise DefinitionError(f"{what} error: {exc}", location) from None
    except _VALUE_ERRORS as exc:
        raise DefinitionError(f"{what} error: {exc}", location) from None


def _undefined_message(exc: jinja2.UndefinedError) -> str:
    """The message of a missing value; explains a value that is empty (None) here."""
    message = f"unknown placeholder: {exc.message}"
    if exc.message and exc.message.startswith("'None' has no attribute"):
        message += (
            " (the value is empty here, e.g. previous for a first letter: "
            "put the text inside {% if previous %} ... {% endif %} or a block with when:)"
        )
    return message


@dataclass(frozen=True)
class Span:
    """A piece of marked-up text: plain text with formatting, or a footnote marker."""

    text: str
    bold: bool = False
    italic: bool = False
    footnote: str | None = None


_TOKEN = re.compile(r"\\(.)|\*\*|\*|\[\^([A-Za-z0-9_-]+)\]", re.DOTALL)


def parse_markup(text: str) -> list[Span]:
    """Split marked-up ``text`` into spans; unbalanced ``**``/``*`` raise ValueError."""
    spans: list[Span] = []
    bold = italic = False
    buf: list[str] = []
    pos = 0

    def flush() -> None:
        if buf:
            spans.append(Span("".join(buf), bold, italic))
            buf.clear()

    for match in _TOKEN.finditer(text):
        buf.append(text[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if match.group(1) is not None:
            buf.append(match.group(1))
        elif token == "**":
            flush()
            bold = not bold
        elif token == "*":
            flush()
            italic = not italic
        else:
            flush()
            spans.append(Span("", bold, italic, footnote=match.group(2)))
    buf.append(text[pos:])
    flush()
    if bold or italic:
        raise ValueError("a ** or * is not closed")
    return [s for s in spans if s.text or s.footnote]


_WHITE = re.compile(r"\s+")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def normalise(text: str) -> str:
    """Text for comparing a letter's wording with what a file shows: Unicode NFKC
    (ligatures, no-break spaces), private-use glyphs (list bullets) dropped, white space
    collapsed."""
    text = _PRIVATE_USE.sub("", unicodedata.normalize("NFKC", text))
    return _WHITE.sub(" ", text).strip()


def plain_source(source: str) -> str:
    """The literal wording of a text as written in a definition: markup removed (``**``,
    ``*``, footnote markers, backslash escapes), placeholders left as they are."""
    try:
        spans = parse_markup(source)
    except ValueError:
        return normalise(source)
    return normalise("".join(span.text for span in spans))


def footnote_names(text: str) -> list[str]:
    """The footnote names ``[^name]`` used in unrendered ``text``, in order."""
    return [m.group(2) for m in _TOKEN.finditer(text) if m.group(2)]
