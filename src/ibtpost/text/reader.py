"""Reading the YAML of one letter definition into the definition tree (``text.nodes``):
texts checked for their placeholders and markup, blocks, bullets and tables, every problem
collected with its file, line and field (``text.definitions`` assembles the definition)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ibtpost.core.errors import DefinitionError, IbtpostError, Location
from ibtpost.core.messages import CATALOGUE
from ibtpost.core.yamlsource import YList, YMap
from ibtpost.text.nodes import (
    Block,
    Bullets,
    Heading,
    PageBreak,
    Paragraph,
    Table,
    Text,
)
from ibtpost.text.textengine import (
    CONTEXT_NAMES,
    ITEM_NAME,
    check_expression,
    check_syntax,
    footnote_names,
    parse_markup,
)

#: The keys of ``kennisgeving:``, the public notice a letter definition can add as a second
#: document per municipality (the Staatscourant's kennisgeving of a voornemen). Everything
#: else (terms, template, signature formula) is the letter's own.
NOTICE_KEYS = {"subject", "body", "footnotes", "pages", "closing"}
BLOCK_KINDS = ("paragraph", "heading", "bullets", "paragraphs", "table", "page_break")
#: Text that would break out of an expression written after ``when:`` or ``foreach:``.
_TAGS = ("{{", "}}", "{%", "%}", "{#", "#}")


class Reader:
    """Turns the YAML of one definition into models, collecting every problem."""

    def __init__(self, label: str, prefix: str = "") -> None:
        self.label = label
        self.prefix = prefix  # "kennisgeving." for the fields of a notice
        self.problems: list[IbtpostError] = []
        self.used_names: list[tuple[str, Location]] = []
        self.footnote_refs: list[tuple[str, Location]] = []
        self.texts: list[Text] = []  # every text read, for the required phrases

    def loc(self, line: int, field: str) -> Location:
        own = self.prefix and re.split(r"[.\[]", field, maxsplit=1)[0] in NOTICE_KEYS
        return Location(self.label, line, f"{self.prefix}{field}" if own else field)

    def fail(self, message: str, line: int, field: str, **values: object) -> None:
        """A problem: ``message`` is a catalogue key that ``values`` fill in, or the text."""
        key, where = (message if message in CATALOGUE else ""), self.loc(line, field)
        self.problems.append(DefinitionError("" if key else message, where, key=key, values=values))

    def unknown_names(
        self, names: set[str], line: int, field: str, extra: frozenset[str] = frozenset()
    ) -> None:
        """Report names that compose does not provide; remember the known ones."""
        known = CONTEXT_NAMES | extra
        for name in sorted(names - known):
            known_names = ", ".join(sorted(known))
            self.fail("error.unknown_placeholder", line, field, name=name, known=known_names)
        self.used_names.extend((name, self.loc(line, field)) for name in names & CONTEXT_NAMES)

    def expression(self, value: Any, line: int, field: str) -> Text | None:
        """A condition or list expression (``when``, ``foreach``): checks syntax and names."""
        location = self.loc(line, field)
        if not isinstance(value, str) or not value.strip():
            self.fail("must be an expression such as: previous", line, field)
            return None
        if any(tag in value for tag in _TAGS):
            self.fail("is an expression: write it without {{ }} or {% %}", line, field)
            return None
        try:
            names = check_expression(value, location)
        except DefinitionError as exc:
            self.problems.append(exc)
            return None
        self.unknown_names(names, line, field)
        return Text(value, location)

    def text(self, value: Any, line: int, field: str, extra: frozenset[str] = frozenset()) -> Text:
        """A text with placeholders; checks its syntax, markup and names."""
        location = self.loc(line, field)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail("error.must_be_text", line, field)
            return Text("", location)
        try:
            names = check_syntax(value, location)
        except DefinitionError as exc:
            self.problems.append(exc)
            return Text(value, location)
        self.unknown_names(names, line, field, extra)
        try:
            parse_markup(value)
        except ValueError as exc:
            self.fail(str(exc), line, field)
        self.footnote_refs.extend((n, location) for n in footnote_names(value))
        self.texts.append(Text(value, location))
        return Text(value, location)

    def block(self, item: Any, line: int, field: str) -> Block | None:
        if isinstance(item, str) and item == "page_break":
            return PageBreak()
        kinds = [k for k in item if k != "when"] if isinstance(item, YMap) else []
        if not isinstance(item, YMap) or len(kinds) != 1:
            self.fail(
                f"a block is one of {', '.join(BLOCK_KINDS)} (optionally with when:)", line, field
            )
            return None
        kind = kinds[0]
        value = item[kind]
        when = (
            self.expression(item["when"], item.line_of("when"), f"{field}.when")
            if "when" in item
            else None
        )
        line = item.line_of(kind)
        field = f"{field}.{kind}"
        if kind == "paragraph":
            return Paragraph(self.text(value, line, field), when)
        if kind == "heading":
            return Heading(self.text(value, line, field), when)
        if kind == "page_break":
            return PageBreak(when)
        if kind == "bullets":
            return self.bullets(value, line, field, when)
        if kind == "paragraphs":  # one body paragraph per element: foreach and item only
            if not isinstance(value, YMap):
                self.fail(
                    "needs foreach: (a list) and item: (the text of one paragraph)", line, field
                )
                return None
            found = self.bullets(value, line, field, when)
            return None if found is None else dataclasses.replace(found, style="body")
        if kind == "table":
            return self.table(value, line, field, when)
        self.fail(f"unknown block {kind!r}; use one of {', '.join(BLOCK_KINDS)}", line, field)
        return None

    def bullets(self, value: Any, line: int, field: str, when: Text | None) -> Bullets | None:
        if isinstance(value, YMap):
            for key in sorted(set(value) - {"foreach", "item"}):
                self.fail(f"unknown key {key!r}; use foreach and item", value.line_of(key), field)
            if "foreach" not in value or "item" not in value:
                self.fail("needs foreach: (a list) and item: (the text of one bullet)", line, field)
                return None
            foreach = self.expression(
                value["foreach"], value.line_of("foreach"), f"{field}.foreach"
            )
            item = self.text(
                value["item"], value.line_of("item"), f"{field}.item", frozenset({ITEM_NAME})
            )
            if foreach is None:
                return None
            return Bullets((item,), when, foreach)
        if not isinstance(value, YList) or not value:
            self.fail("must be a list of items, or foreach: and item:", line, field)
            return None
        return Bullets(
            tuple(self.text(v, value.line_of(i), f"{field}[{i}]") for i, v in enumerate(value)),
            when,
        )

    def table(self, value: Any, line: int, field: str, when: Text | None) -> Table | None:
        if not isinstance(value, YMap):
            self.fail("must have header, rows and widths_mm", line, field)
            return None
        header, rows, widths = value.get("header"), value.get("rows"), value.get("widths_mm")
        if not isinstance(header, YList) or not isinstance(rows, YList) or not rows:
            self.fail("needs a header list and a list of rows", line, field)
            return None
        ncols = len(header)
        cells_h = tuple(
            self.text(v, header.line, f"{field}.header[{i}]") for i, v in enumerate(header)
        )
        out_rows = []
        for r, row in enumerate(rows):
            rline = rows.line_of(r)
            if not isinstance(row, YList) or len(row) != ncols:
                self.fail(
                    f"row must have {ncols} cells like the header", rline, f"{field}.rows[{r}]"
                )
                continue
            out_rows.append(
                tuple(self.text(v, rline, f"{field}.rows[{r}][{i}]") for i, v in enumerate(row))
            )
        if (
            not isinstance(widths, YList)
            or len(widths) != ncols
            or not all(isinstance(w, int | float) and w > 0 for w in widths)
        ):
            self.fail(
                f"widths_mm must list {ncols} positive widths",
                value.line_of("widths_mm"),
                f"{field}.widths_mm",
            )
            widths = [30.0] * ncols
        return Table(
            cells_h, tuple(out_rows), tuple(float(w) for w in widths), self.loc(line, field), when
        )
