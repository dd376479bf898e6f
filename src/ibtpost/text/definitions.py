"""Load and validate letter definitions (letters/<id>.yaml) into typed models."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ibtpost.core.errors import DefinitionError, IbtpostError, Location, Phrase, Problems
from ibtpost.core.files import NOTICE_STEM_END
from ibtpost.core.layout import Layout
from ibtpost.core.yamlsource import YList, YMap, load_yaml
from ibtpost.text.mandatory import read_required
from ibtpost.text.nodes import (
    Block,
    LetterDefinition,
    Text,
)
from ibtpost.text.reader import NOTICE_KEYS, Reader
from ibtpost.text.scan import one_date_per_term

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
    "kind",
}
REQUIRED_KEYS = TOP_KEYS - {
    "kind",
    "trede",  # for the ladder's letters only (see KINDS)
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
#: The stem end of a kennisgeving's files (``<reference>-<name>-kennisgeving``)
NOTICE_SUFFIX = NOTICE_STEM_END
#: How a letter goes out: by e-mail, or by e-mail and by post (the posting date is then
#: the date of bekendmaking the ladder and the beroep term count from).
DELIVERIES = ("mail", "mail and post")
#: Who gets a copy of a letter besides the college it is addressed to, and as what: the
#: Commissaris van de Koning (``cdk``: Cc of the letter's own e-mail), the gemeenteraad
#: (``raad``, through the griffie) and gedeputeerde staten (``gs``) each with a mail of
#: their own (or their own place in the post room's file when no address is known).
COPY_ROLES = ("cdk", "raad", "gs")
#: What a letter is: a step of the interventieladder (``ladder``, with its ``trede``), or a
#: letter beside it that names no trede of its own: a correction of a sent letter
#: (``herstel``), the withdrawal of a besluit (``intrekking``, art. 124d Gemeentewet), the
#: letter that ends the supervision once the task is met (``afsluiting``).
KINDS = ("ladder", "herstel", "intrekking", "afsluiting")
COPY_KINDS = ("afschrift", "ter kennisneming")
DEFAULT_COPIES = (("cdk", "afschrift"),)


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
    r = Reader(label, prefix)
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
    kind = data.get("kind", "ladder")
    if kind not in KINDS:
        r.fail(f"must be one of {', '.join(KINDS)}", data.line_of("kind"), "kind")
        kind = "ladder"
    trede = get_int("trede") or 0
    if kind == "ladder" and not prefix and "trede" not in data:
        r.fail("error.missing", data.line, "trede")
    elif kind != "ladder" and "trede" in data:
        r.fail(
            f"a {kind} letter names no trede of its own (it is no step of the ladder)",
            data.line_of("trede"),
            "trede",
        )
    elif "trede" in data and not 1 <= trede <= 6:
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
        kind=kind,
    )
    if r.problems:
        raise Problems(r.problems)
    return definition


#: Files in letters/ that are not letter definitions (approvals.yaml: see approvals.py).
NOT_DEFINITIONS = frozenset({"approvals.yaml"})


def read_copies(data: YMap, r: Reader) -> tuple[tuple[str, str], ...]:
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
