"""The mail templates (``templates/mail.mjml`` and ``templates/mail.txt``), compiled once.

The templates are read once and kept per content. The MJML is compiled to HTML once with its
Jinja placeholders still in it, and that HTML is rendered per letter; when MJML compilation
would change a placeholder, each letter is rendered first and then compiled (slower, same
result). Jinja runs sandboxed, with strict undefined, and the HTML is autoescaped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from mjml import mjml2html

from ibtpost.core.errors import Location, TemplateError
from ibtpost.core.layout import Layout

MJML_TEMPLATE = "mail.mjml"
TEXT_TEMPLATE = "mail.txt"
_JINJA_TOKEN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


def _environment(*, html: bool) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=html,
        keep_trailing_newline=True,
    )


def _compile(env: SandboxedEnvironment, source: str, label: str) -> jinja2.Template:
    try:
        return env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"Jinja syntax error: {exc.message}", Location(label, exc.lineno)
        ) from None


def _mjml(source: str, label: str) -> str:
    try:
        return str(mjml2html(source))
    except Exception as exc:  # mjml-python raises plain exceptions of several kinds
        raise TemplateError(f"cannot compile MJML: {exc}", Location(label)) from None


class MailTemplates:
    """The mail templates, compiled once."""

    def __init__(self, mjml: str, text: str, mjml_label: str, text_label: str) -> None:
        self.mjml_label = mjml_label
        self.text_label = text_label
        self._html_env = _environment(html=True)
        self.text_source = text
        self.text = _compile(_environment(html=False), text, text_label)
        self.mjml_source = mjml
        compiled = _mjml(mjml, mjml_label)
        #: True when compiling first kept every Jinja tag intact (the fast path).
        self.precompiled = _tags(compiled) == _tags(mjml)
        self.html: jinja2.Template = _compile(
            self._html_env, compiled if self.precompiled else mjml, mjml_label
        )

    def render_html(self, context: dict[str, Any]) -> str:
        """The HTML part for ``context``."""
        rendered = _render(self.html, context, self.mjml_label)
        return rendered if self.precompiled else _mjml(rendered, self.mjml_label)

    def render_text(self, context: dict[str, Any]) -> str:
        """The plain-text part for ``context``."""
        return _render(self.text, context, self.text_label)


def _tags(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The statements of a template in order, and the set of its expressions.

    MJML may repeat an expression (the title becomes an aria-label too), which is harmless;
    a statement moved, lost or altered, or an expression altered, is not.
    """
    tokens = _JINJA_TOKEN.findall(text)
    statements = tuple(t for t in tokens if not t.startswith("{{"))
    return statements, frozenset(t for t in tokens if t.startswith("{{"))


def _render(template: jinja2.Template, context: dict[str, Any], label: str) -> str:
    try:
        return template.render(context)
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"unknown placeholder: {exc.message}", Location(label)) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(str(exc), Location(label)) from None


@lru_cache(maxsize=8)
def prepared_templates(mjml: str, text: str) -> MailTemplates:
    """The compiled templates for these contents (kept for reuse)."""
    return MailTemplates(mjml, text, f"templates/{MJML_TEMPLATE}", f"templates/{TEXT_TEMPLATE}")


def load_mail_templates(root: Path) -> MailTemplates:
    """Read ``templates/mail.mjml`` and ``templates/mail.txt`` under ``root``."""
    sources = []
    for name in (MJML_TEMPLATE, TEXT_TEMPLATE):
        path = Layout(root).template(name)
        try:
            sources.append(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise TemplateError("mail template not found", Location(f"templates/{name}")) from None
        except UnicodeDecodeError as exc:
            raise TemplateError(
                f"not UTF-8 text ({exc.reason})", Location(f"templates/{name}")
            ) from None
    return prepared_templates(sources[0], sources[1])
