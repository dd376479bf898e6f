"""Errors and hints speak parameters, not options: below the front ends no text names an
option of the command line or an ``ibtpost`` command; the command line words a parameter as
its option and a next step as a command; the web words both in Dutch, next to its fields."""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import copy_tree
from tests.webserver import DUE, WebServer, change_text, few_due

from ibtpost.cli.words import COMMANDS, CliWords, error_lines
from ibtpost.core.errors import (
    Location,
    NextAction,
    Param,
    Phrase,
    UsageError,
    problem_lines,
)
from ibtpost.core.messages import CATALOGUE
from ibtpost.web.words import WebWords, form_errors, message

SRC = Path(__file__).resolve().parent.parent / "src" / "ibtpost"
#: the front ends, which own their words; documents/ passes soffice its own options
FRONT_ENDS = ("cli/", "web/", "documents/")
#: modules that may still name options or commands, and why
ALLOWED = {
    # MissingAddress.hint and CopyRecipient.hint are read by mail/ (their steps are
    # .actions and .action); remove once mail/ words those instead
    "data/recipients.py": "read by mail/",
    # the header comment of letters/approvals.yaml tells whoever opens the file how it is
    # written: documentation in a file, not a message
    "approval/approvals.py": "a file's header comment",
}
_COMMAND_WORDS = sorted({words.split()[0] for words, _ in COMMANDS.values()} | {"web", "import"})
CLI_WORDS = re.compile(rf"(?<![\w-])--[a-z]|\bibtpost (?:{'|'.join(_COMMAND_WORDS)})\b")


def _strings(path: Path) -> Iterator[tuple[int, str]]:
    """The string constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_text_below_the_front_ends_names_an_option_or_a_command() -> None:
    """An error location names a parameter, a hint a NextAction; the catalogue's English is
    checked too (its commands are filled in by the front end)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        module = path.relative_to(SRC).as_posix()
        if module.startswith(FRONT_ENDS) or module in ALLOWED:
            continue
        found += [
            f"{module}:{line}: {text!r}" for line, text in _strings(path) if CLI_WORDS.search(text)
        ]
    assert found == []


def test_the_allow_list_names_only_modules_that_still_need_it() -> None:
    """A module converted comes off the list (so the scan covers it again)."""
    stale = [
        module
        for module in ALLOWED
        if not any(CLI_WORDS.search(text) for _, text in _strings(SRC / module))
    ]
    assert stale == []


def test_the_scan_sees_what_it_is_for() -> None:
    assert CLI_WORDS.search('"--reference"') and CLI_WORDS.search("see `ibtpost outbox`")
    assert not CLI_WORDS.search("this ibtpost knows") and not CLI_WORDS.search("a -- b")


# -- the command line ------------------------------------------------------------------------


def test_the_command_line_names_a_parameter_by_its_option() -> None:
    words = CliWords("batch")
    assert words.where(Location(field="reference")) == "--reference"
    assert words.where(Location(field="municipalities")) == "--municipality"
    assert words.where(Location("config/figures.csv", 3, "code")) == "config/figures.csv:3: code"
    assert CliWords("reply").where(Location(field="reference")) == "REFERENCE"  # an argument
    assert words.param(Param("concept")) == "--concept"
    assert words.param(Param("reason", "...")) == "--reason TEXT"
    error = UsageError("is taken", Location(field="reference"))
    assert error_lines(error, "batch") == ["--reference: is taken"]
    assert problem_lines(error) == ["reference: is taken"]  # the library's own words


@pytest.mark.parametrize(
    ("action", "command"),
    [
        (
            NextAction("withdraw", {"batch": "B", "reference": "R", "reason": "..."}),
            "ibtpost withdraw B -r R --reason TEXT",
        ),
        (NextAction("outbox"), "ibtpost outbox"),
        (NextAction("status", {"date": "2026-04-09"}), "ibtpost status --date 2026-04-09"),
        (NextAction("post", {"batch": "B", "date": "..."}), "ibtpost post B --date YYYY-MM-DD"),
        (NextAction("import-addresses", {"role": "gs"}), "ibtpost import addresses --role gs"),
        (
            NextAction("import-figures", {"file": "...", "source": "..."}),
            "ibtpost import figures FILE --source TEXT",
        ),
        (NextAction("check", {"batch": "B"}), "ibtpost check -b B"),
        (
            NextAction(
                "batch",
                {"letter": "trede-2", "date": "2026-04-09", "municipalities": ("GM0622", "GM0363")},
            ),
            "ibtpost batch trede-2 --date 2026-04-09 -m GM0622 -m GM0363",
        ),
        (
            NextAction("reply", {"reference": "...", "kind": "zienswijze"}),
            "ibtpost reply REFERENCE --kind zienswijze",
        ),
        (
            NextAction("approve", {"letter": "trede-2", "by": "..."}),
            "ibtpost approve trede-2 --by NAME",
        ),
    ],
)
def test_the_command_line_words_a_next_step_as_a_command(action: NextAction, command: str) -> None:
    assert CliWords().action(action) == command


def test_a_hint_is_worded_by_the_front_end() -> None:
    step = NextAction("status", {"date": "2026-04-09"}, why="hint.see")
    error = UsageError(
        key="error.nobody_due", values={"letter": "trede-2", "day": "2026-04-09"}, hint=step
    )
    assert error_lines(error) == [
        "no municipality is due for trede-2 on 2026-04-09 "
        "(hint: see `ibtpost status --date 2026-04-09`)"
    ]
    shown = message(error)
    assert str(shown) == (
        "geen gemeente is aan de beurt voor trede-2 op 2026-04-09 (tip: zie het Overzicht)"
    )
    assert shown.links == (("/?date=2026-04-09", "Naar Overzicht"),)


def test_every_hint_names_its_step_in_both_languages() -> None:
    """A ``hint.*`` wording used as a NextAction's ``why`` fills in ``{command}``."""
    for key in ("hint.see", "hint.import", "hint.add_them"):
        assert CATALOGUE[key].placeholders("en") == {"command"}, key


# -- the web ---------------------------------------------------------------------------------


def test_the_web_names_a_parameter_by_its_form_field_in_dutch() -> None:
    words = WebWords()
    assert words.where(Location(field="by")) == "Naam"
    assert words.where(Location("letters/trede-2.yaml", 4, "status")) == (
        "bestand letters/trede-2.yaml, regel 4, veld status"
    )
    error = UsageError(
        location=Location(field="reason"),
        key="error.one_line",
        hint=Phrase("hint.give_reason", {"reason": Param("reason", "...")}),
    )
    assert form_errors(error) == {
        "reason": [
            "Reden: moet één regel tekst zijn (tip: vul ‘Reden’ in om vast te leggen waarom, of "
            "laat de gemeente weg)"
        ]
    }
    # an option still named by a module being rewritten lands at its field all the same
    assert list(form_errors(UsageError("x", Location(field="--reference")))) == ["reference"]


def test_an_error_without_dutch_wording_shows_where_not_its_english(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = UsageError("the frobnicator failed", Location("config/settings.yaml", 7, "signing"))
    shown = message(error)
    assert "frobnicator" not in shown
    assert "bestand config/settings.yaml, regel 7, veld signing" in shown
    assert "frobnicator" in caplog.text  # the log has it


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebServer]:
    root = copy_tree(tmp_path / "root")
    few_due(root)
    server = WebServer(root).start()
    yield server
    server.stop()


def _items(block: str) -> list[str]:
    found = re.findall(r"<li>(.*?)</li>", block, re.S)
    plain = [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in found]
    return [text.removeprefix("Fout: ") for text in plain]


def _errors(body: str) -> list[str]:
    """Every message of the form's error summary and next to its fields."""
    blocks = re.findall(r'<ul class="field-error"[^>]*>(.*?)</ul>', body, re.S)
    blocks += re.findall(r'<div class="error-summary" role="alert">(.*?)</div>', body, re.S)
    return _items("".join(blocks))


def _field(body: str, name: str) -> list[str]:
    """The messages next to the form field ``name``."""
    found = re.search(rf'<ul class="field-error" id="fout-{name}">(.*?)</ul>', body, re.S)
    assert found is not None, f"no error next to {name}"
    return _items(found.group(1))


def _dutch(messages: list[str]) -> None:
    assert messages
    for text in messages:
        assert "--" not in text, text
        assert not re.search(r"\b(must|unknown|give|is not|error|hint)\b", text), text


def test_the_batch_form_says_each_problem_in_dutch_at_its_field(web: WebServer) -> None:
    base = {"csrf": web.csrf, "letter": "trede-2", "date": "2026-04-09", "due": list(DUE)}
    cases = [
        ({"letter": ""}, "letter", "Brief: kies een brief"),
        ({"date": "9-4-2026"}, "date", "'9-4-2026' is geen datum zoals 2026-04-09"),
        ({"municipalities": []}, "municipalities", "Gemeenten: kies ten minste één gemeente"),
        (
            {"municipalities": ["GM0202"], "extra": "Groningen", "reason": "een\nreden"},
            "reason",
            "Reden: moet één regel tekst zijn",
        ),
    ]
    for change, name, expected in cases:
        form = {**base, "municipalities": list(DUE), **change}
        status, _, body = web.request("POST", "/batches", form=form)
        assert status == 400, body
        assert _field(body, name) == [expected]
        _dutch(_errors(body))

    path = web.root / "letters" / "trede-2.yaml"
    path.write_text(path.read_text("utf-8").replace("status: final", "status: draft"), "utf-8")
    status, _, body = web.request("POST", "/batches", form={**base, "municipalities": ["GM0202"]})
    assert status == 400
    (shown,) = _field(body, "letter")
    assert "is een concept (niet goedgekeurd): maak er een batch van met ‘Concept’" in shown
    _dutch(_errors(body))


def test_the_review_forms_say_each_problem_in_dutch_at_its_field(web: WebServer) -> None:
    change_text(web.root)  # a working copy to approve: the form is shown
    approve = "/review/trede-2/approve"
    status, _, body = web.request("POST", approve, form={"csrf": web.csrf, "by": " "})
    assert status == 400 and _field(body, "by") == ["Naam: moet één regel tekst zijn"]
    _dutch(_errors(body))
    form = {"csrf": web.csrf, "by": "A. Jurist", "note": "een\nnotitie"}
    status, _, body = web.request("POST", approve, form=form)
    assert status == 400 and _field(body, "note") == ["Toelichting: moet één regel tekst zijn"]

    preview = "/review/trede-2/preview"
    for form, name, expected in [
        ({"municipality": "", "date": "2026-04-09"}, "municipality", "Gemeente: kies een gemeente"),
        (
            {"municipality": "GM0622", "date": "morgen"},
            "date",
            "'morgen' is geen datum zoals 2026-04-09",
        ),
        (
            {"municipality": "Atlantis", "date": "2026-04-09"},
            "municipality",
            "Gemeenten: onbekende gemeente 'Atlantis'",
        ),
    ]:
        status, _, body = web.request("POST", preview, form={"csrf": web.csrf, **form})
        assert status == 400, body
        (shown,) = _field(body, name)
        assert shown.startswith(expected), shown
        _dutch(_errors(body))

    status, _, body = web.request("GET", "/review/trede-2?from=zzz")
    assert status == 200
    (shown,) = _field(body, "from")
    assert shown.startswith("Van versie: onbekende versie 'zzz' van trede-2")


def test_the_review_page_of_a_broken_definition_is_dutch(web: WebServer) -> None:
    path = web.root / "letters" / "trede-2.yaml"
    text = path.read_text("utf-8").replace("status: final", "status: klaar")
    path.write_text(text.replace("trede: 2\n", "trede: 2\nondertekenaar: nobody\n"), "utf-8")
    status, _, body = web.request("GET", "/review/trede-2")
    assert status == 422
    shown = _errors(body)
    assert any("onbekende sleutel 'ondertekenaar'" in m for m in shown), shown
    assert any("moet 'draft' (concept) of 'final' (definitief) zijn" in m for m in shown), shown
    _dutch(shown)
