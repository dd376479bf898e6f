"""Load and validate letter definitions (letters/<id>.yaml) into typed models."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ibtpost.core.errors import DefinitionError, IbtpostError, Location, Phrase, Problems
from ibtpost.core.files import NOTICE_STEM_END
from ibtpost.core.layout import Layout
from ibtpost.core.messages import CATALOGUE
from ibtpost.core.yamlsource import YList, YMap, load_yaml
from ibtpost.text.mandatory import read_required
from ibtpost.text.nodes import (
    Block,
    Bullets,
    Heading,
    LetterDefinition,
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

TOP_KEYS = {
    "letter",
    "trede",
    "title",
    "status",
    "template",
    "reply_term_weeks",
    "compliance_term_weeks",
    "zienswijze_term_weeks",
    "besluit_term_weeks",
    "pages",
    "subject",
    "addressee",
    "salutation",
    "body",
    "footnotes",
    "closing",
    "required",
    "approvals",
    "delivery",
    "on_behalf",
    "copies",
    "kennisgeving",
    "signatory",
    "besluit",
}
REQUIRED_KEYS = TOP_KEYS - {
    "reply_term_weeks",
    "compliance_term_weeks",
    "zienswijze_term_weeks",
    "besluit_term_weeks",
    "footnotes",
    "pages",
    "required",
    "approvals",
    "delivery",
    "on_behalf",
    "copies",
    "kennisgeving",
    "signatory",
    "besluit",
}
#: The keys of ``kennisgeving:``, the public notice a letter definition can add as a second
#: document per municipality (the Staatscourant's kennisgeving of a voornemen). Everything
#: else (terms, template, signature formula) is the letter's own.
NOTICE_KEYS = {"subject", "body", "footnotes", "pages", "closing"}
NOTICE_SUFFIX = NOTICE_STEM_END
#: How a letter goes out: by e-mail, or by e-mail and by post (the posting date is then
#: the date of bekendmaking the ladder and the beroep term count from).
DELIVERIES = ("mail", "mail and post")
#: Who gets a copy of a letter besides the college it is addressed to, and as what: the
#: Commissaris van de Koning (``cdk``: Cc of the letter's own e-mail), the gemeenteraad
#: (``raad``, through the griffie) and gedeputeerde staten (``gs``) each with a mail of
#: their own (or their own place in the post room's file when no address is known).
COPY_ROLES = ("cdk", "raad", "gs")
COPY_KINDS = ("afschrift", "ter kennisneming")
DEFAULT_COPIES = (("cdk", "afschrift"),)
BLOCK_KINDS = ("paragraph", "heading", "bullets", "table", "page_break")
#: Text that would break out of an expression written after ``when:`` or ``foreach:``.
_TAGS = ("{{", "}}", "{%", "%}", "{#", "#}")


class _Reader:
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


def load_definition(path: Path, label: str | None = None) -> LetterDefinition:
    """Read one letter definition; raise :class:`Problems` listing everything wrong with it."""
    label = label or str(path)
    data = load_yaml(path, DefinitionError, label)
    if not isinstance(data, YMap):
        raise DefinitionError(
            "a letter definition is a mapping of keys to values", Location(label, 1)
        )
    problems: list[IbtpostError] = []
    notice: LetterDefinition | None = None
    if "kennisgeving" in data:
        try:
            notice = _notice(data, path, label)
        except Problems as exc:  # the letter's own fields are reported by the letter
            problems.extend(
                p for p in exc.problems if (p.location.field or "").startswith("kennisgeving")
            )
    try:
        definition = _definition(data, path, label)
    except Problems as exc:
        raise Problems([*exc.problems, *problems]) from None
    if problems:
        raise Problems(problems)
    return dataclasses.replace(definition, kennisgeving=notice)


def _notice(data: YMap, path: Path, label: str) -> LetterDefinition:
    """The ``kennisgeving:`` of a letter definition as a document definition of its own:
    its subject, body and footnotes, with the letter's other settings, no addressee and no
    salutation, one or two pages unless it says otherwise."""
    raw = data["kennisgeving"]
    if not isinstance(raw, YMap):
        raise Problems(
            [
                DefinitionError(
                    "must be a mapping with subject and body",
                    Location(label, data.line_of("kennisgeving"), "kennisgeving"),
                )
            ]
        )
    problems: list[IbtpostError] = [
        DefinitionError(
            f"unknown key {key!r} (one of {', '.join(sorted(NOTICE_KEYS))})",
            Location(label, raw.line_of(key), f"kennisgeving.{key}"),
        )
        for key in sorted(set(raw) - NOTICE_KEYS)
    ]
    problems += [
        DefinitionError("missing", Location(label, raw.line, f"kennisgeving.{key}"))
        for key in ("subject", "body")
        if key not in raw
    ]
    if problems:
        raise Problems(problems)
    merged = YMap({k: v for k, v in data.items() if k not in ("kennisgeving", "required")})
    merged.line = data.line
    merged.key_lines = dict(data.key_lines)
    for key in ("footnotes", "pages"):
        merged.pop(key, None)
    merged.update(addressee="", salutation="", closing="", pages={"min": 1, "max": 2})
    for key, value in raw.items():
        merged[key] = value
        merged.key_lines[key] = raw.line_of(key)
    definition = _definition(merged, path, label, prefix="kennisgeving.")
    return dataclasses.replace(definition, id=f"{definition.id}{NOTICE_SUFFIX}")


def _definition(data: YMap, path: Path, label: str, prefix: str = "") -> LetterDefinition:
    """The definition in ``data`` (see :func:`load_definition`)."""
    r = _Reader(label, prefix)
    for key in sorted(set(data) - TOP_KEYS):
        r.fail("error.unknown_key", data.line_of(key), key, key=key)
    for key in sorted(REQUIRED_KEYS - set(data)):
        r.fail("error.missing", data.line, key)

    def get_int(key: str, default: int | None = None) -> int | None:
        value = data.get(key, default)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            r.fail("error.whole_number", data.line_of(key), key)
            return default
        return value

    letter_id = str(data.get("letter", ""))
    expected = path.stem
    if letter_id and letter_id != expected:
        r.fail(
            f"is {letter_id!r} but the file is named {expected}.yaml",
            data.line_of("letter"),
            "letter",
        )
    trede = get_int("trede") or 0
    if "trede" in data and not 1 <= trede <= 6:
        r.fail("must be 1 to 6", data.line_of("trede"), "trede")
    status = data.get("status")
    if status not in ("draft", "final"):
        r.fail("error.draft_or_final", data.line_of("status"), "status")
        status = "draft"
    pages = data.get("pages", {})
    min_pages, max_pages = 1, 10
    if not isinstance(pages, dict) or not all(
        isinstance(pages.get(k, 1), int) for k in ("min", "max")
    ):
        r.fail("needs whole numbers min and max", data.line_of("pages"), "pages")
    else:
        min_pages, max_pages = pages.get("min", min_pages), pages.get("max", max_pages)
        if not 1 <= min_pages <= max_pages:
            r.fail("needs 1 <= min <= max", data.line_of("pages"), "pages")

    def text_key(key: str) -> Text:
        return r.text(data.get(key, ""), data.line_of(key), key)

    body_raw = data.get("body")
    body: list[Block] = []
    if isinstance(body_raw, YList):
        for i, item in enumerate(body_raw):
            block = r.block(item, body_raw.line_of(i), f"body[{i}]")
            if block is not None:
                body.append(block)
    elif "body" in data:
        r.fail("must be a list of blocks", data.line_of("body"), "body")

    footnotes: dict[str, Text] = {}
    raw_notes = data.get("footnotes") or YMap()
    if isinstance(raw_notes, YMap):
        for name, value in raw_notes.items():
            footnotes[name] = r.text(value, raw_notes.line_of(name), f"footnotes.{name}")
    else:
        r.fail("must map footnote names to texts", data.line_of("footnotes"), "footnotes")
    used = {name for name, _ in r.footnote_refs}
    for name, location in r.footnote_refs:
        if name not in footnotes:
            r.problems.append(
                DefinitionError(f"footnote [^{name}] is not defined under footnotes:", location)
            )
    for name in sorted(set(footnotes) - used):
        r.fail(
            f"footnote {name!r} is never referred to with [^{name}]",
            raw_notes.line_of(name),
            f"footnotes.{name}",
        )
    seen: set[str] = set()
    for name, location in r.footnote_refs:
        if name in seen:
            r.problems.append(DefinitionError(f"footnote [^{name}] is used twice", location))
        seen.add(name)

    reply_weeks = get_int("reply_term_weeks")
    compliance_weeks = get_int("compliance_term_weeks")
    zienswijze_weeks = get_int("zienswijze_term_weeks")
    besluit_weeks = get_int("besluit_term_weeks")
    for key, weeks, term_name in (
        ("reply_term_weeks", reply_weeks, "reply_term"),
        ("compliance_term_weeks", compliance_weeks, "compliance_term"),
        ("zienswijze_term_weeks", zienswijze_weeks, "zienswijze_term"),
        ("besluit_term_weeks", besluit_weeks, "besluit_term"),
    ):
        if key in data and weeks == 0:
            r.fail("must be 1 or more weeks", data.line_of(key), key)
        if not weeks:
            where = next((loc for n, loc in r.used_names if n == term_name), None)
            if where is not None:
                r.problems.append(
                    DefinitionError(f"uses {{{{ {term_name} }}}} but {key} is not set", where)
                )

    approvals = get_int("approvals", 1) or 1
    if not 1 <= approvals <= 3:
        r.fail(
            "must be 1, 2 or 3 (how many different people approve one version)",
            data.line_of("approvals"),
            "approvals",
        )
        approvals = 1
    r.problems.extend(one_date_per_term(r.texts))
    delivery = data.get("delivery", "mail")
    if delivery not in DELIVERIES:
        r.fail(f"must be one of: {', '.join(DELIVERIES)}", data.line_of("delivery"), "delivery")
        delivery = "mail"
    copies = read_copies(data, r)
    signatory = data.get("signatory")
    if signatory is not None and (
        not isinstance(signatory, str) or not _SIGNATORY_ID.match(signatory)
    ):
        r.fail(
            "must name a signatory of config/sender.yaml (signatories:)",
            data.line_of("signatory"),
            "signatory",
        )
        signatory = None
    besluit = data.get("besluit", False)
    if not isinstance(besluit, bool):
        r.fail("must be true or false", data.line_of("besluit"), "besluit")
        besluit = False
    required, problems = read_required(label, data, r.texts)
    r.problems.extend(problems)
    definition = LetterDefinition(
        id=letter_id or expected,
        trede=trede,
        title=str(data.get("title", "")),
        status="final" if status == "final" else "draft",
        subject=text_key("subject"),
        addressee=text_key("addressee"),
        salutation=text_key("salutation"),
        body=tuple(body),
        footnotes=footnotes,
        closing=text_key("closing"),
        reply_weeks=reply_weeks,
        min_pages=min_pages,
        max_pages=max_pages,
        path=path,
        template=str(data.get("template", "brief.docx")),
        compliance_weeks=compliance_weeks,
        zienswijze_weeks=zienswijze_weeks,
        besluit_weeks=besluit_weeks,
        on_behalf=text_key("on_behalf") if "on_behalf" in data else None,
        required=required,
        approvals=approvals,
        delivery="mail and post" if delivery == "mail and post" else "mail",
        copies=copies,
        signatory=signatory,
        signatory_line=data.line_of("signatory") if signatory else None,
        besluit=besluit,
    )
    if r.problems:
        raise Problems(r.problems)
    return definition


#: Files in letters/ that are not letter definitions (approvals.yaml: see approvals.py).
NOT_DEFINITIONS = frozenset({"approvals.yaml"})


def read_copies(data: YMap, r: _Reader) -> tuple[tuple[str, str], ...]:
    """``copies:``, role -> kind (see :data:`COPY_ROLES`); the CdK's afschrift when absent."""
    if "copies" not in data:
        return DEFAULT_COPIES
    raw = data["copies"]
    line = data.line_of("copies")
    if not isinstance(raw, dict) or not raw:
        r.fail(
            "must map recipients (cdk, raad, gs) to afschrift or ter kennisneming",
            line,
            "copies",
        )
        return DEFAULT_COPIES
    found: list[tuple[str, str]] = []
    for role, kind in raw.items():
        where = raw.line_of(role) if isinstance(raw, YMap) else line
        if role not in COPY_ROLES:
            r.fail(f"unknown recipient {role!r}: one of {', '.join(COPY_ROLES)}", where, "copies")
        elif kind not in COPY_KINDS:
            r.fail(f"{role}: must be one of: {', '.join(COPY_KINDS)}", where, "copies")
        elif role == "cdk" and kind != "afschrift":
            r.fail("cdk: the Commissaris van de Koning gets an afschrift (Cc)", where, "copies")
        else:
            found.append((str(role), str(kind)))
    if not any(role == "cdk" for role, _ in found):
        r.fail(
            "cdk: every letter goes in copy to the Commissaris van de Koning (cdk: afschrift)",
            line,
            "copies",
        )
    return tuple(sorted(found, key=lambda item: COPY_ROLES.index(item[0])))


def definition_files(root: Path) -> list[Path]:
    """Every letter definition under ``root``/letters/, sorted."""
    found = Layout(root).letters.glob("*.yaml")
    return sorted(p for p in found if p.name not in NOT_DEFINITIONS)


def definition_path(root: Path, letter: str) -> Path:
    """letters/<letter>.yaml under ``root``; the name may not leave letters/."""
    if not letter or "/" in letter or "\\" in letter or letter.startswith("."):
        raise DefinitionError(f"invalid letter name {letter!r}", Location("letters/"))
    if f"{letter}.yaml" in NOT_DEFINITIONS:
        raise DefinitionError(f"{letter!r} is not a letter definition", Location("letters/"))
    return Layout(root).definition(letter)


def load_letter(root: Path, letter: str) -> LetterDefinition:
    """Load letters/<letter>.yaml under ``root``."""
    path = definition_path(root, letter)
    if not path.is_file():
        known = [p.stem for p in definition_files(root)]
        raise DefinitionError(
            location=Location(f"letters/{letter}.yaml"),
            hint=Phrase("hint.known_letters", {"known": ", ".join(known) or "-"}),
            key="error.no_definition",
            values={"letter": letter},
        )
    return load_definition(path, f"letters/{letter}.yaml")


_SIGNATORY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z{\[(])")
_TERM_USE = re.compile(
    r"\b(reply_term|compliance_term|zienswijze_term|besluit_term)\.(text|deadline)\b"
)


def one_date_per_term(texts: list[Text]) -> list[DefinitionError]:
    """A sentence that states a term both as a period (``{{ reply_term.text }}``, "drie
    weken") and as a date (``{{ reply_term.deadline }}``) is refused: when the deadline is
    rolled past a weekend or holiday the two disagree ("binnen drie weken, dat wil zeggen
    uiterlijk 6 mei" for a letter of 14 april, whose three weeks end on 5 mei). A letter
    states a term as one calendar date."""
    problems = []
    for text in texts:
        for sentence in _SENTENCE_END.split(text.source):
            used: dict[str, set[str]] = {}
            for term, part in _TERM_USE.findall(sentence):
                used.setdefault(term, set()).add(part)
            for term, parts in sorted(used.items()):
                if term == "besluit_term" and "deadline" in parts:
                    problems.append(
                        DefinitionError(
                            "states besluit_term as a date; the besluit's term counts from "
                            "its bekendmaking, which no letter before it knows",
                            text.location,
                            hint="state it as a period: binnen {{ besluit_term.text }} na de "
                            "bekendmaking van het besluit",
                        )
                    )
                elif parts == {"text", "deadline"}:
                    problems.append(
                        DefinitionError(
                            f"states {term} both as a period ({{{{ {term}.text }}}}) and as a "
                            f"date ({{{{ {term}.deadline }}}}) in one sentence; a rolled "
                            "deadline makes them disagree",
                            text.location,
                            hint=f"state the term as one date: uiterlijk {{{{ {term}.deadline }}}}",
                        )
                    )
    return problems


def definition_texts(definition: LetterDefinition) -> Iterator[tuple[Text, bool]]:
    """Every text of a definition, and whether it is an expression (``when``, ``foreach``)."""
    for text in (definition.subject, definition.addressee, definition.salutation):
        yield text, False
    for block in definition.body:
        if block.when is not None:
            yield block.when, True
        if isinstance(block, Paragraph | Heading):
            yield block.text, False
        elif isinstance(block, Bullets):
            if block.foreach is not None:
                yield block.foreach, True
            for item in block.items:
                yield item, False
        elif isinstance(block, Table):
            for cell in itertools.chain(block.header, *block.rows):
                yield cell, False
    for note in definition.footnotes.values():
        yield note, False
    yield definition.closing, False
    if definition.on_behalf is not None:
        yield definition.on_behalf, False
    if definition.kennisgeving is not None:  # its own texts (the rest is the letter's)
        notice = definition.kennisgeving
        yield notice.subject, False
        for text, expression in definition_texts(dataclasses.replace(notice, on_behalf=None)):
            if text is not notice.subject and text.source:
                yield text, expression


_LEGAL_NAME = re.compile(r"\blegal\.([a-z][a-z0-9_]*)")


def legal_entries(definition: LetterDefinition) -> dict[str, Location]:
    """The config/legal.yaml entries a definition's text uses (``{{ legal.<name> }}``), with
    where each is first used."""
    found: dict[str, Location] = {}
    for text, _ in definition_texts(definition):
        for name in _LEGAL_NAME.findall(text.source):
            found.setdefault(name, text.location)
    return found
