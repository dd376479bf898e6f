"""The dispatch states have one home: ``ibtpost.dispatch.states``. Anywhere else a state is
named through ``DispatchState`` (or read from the delivery read model), never as a raw
string compared, assigned or passed along. Other machines keep their own enums (the
transport's ``Verdict``, the web's ``JobState``)."""

from __future__ import annotations

import ast
from pathlib import Path

from ibtpost.dispatch.states import DispatchState

SRC = Path(__file__).resolve().parent.parent / "src" / "ibtpost"
HOME = "dispatch/states.py"
STATES = {str(s) for s in DispatchState}


def _constants(node: ast.AST) -> list[str]:
    """The string constants of an expression that is a constant or a tuple, list or set of
    them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [c for element in node.elts for c in _constants(element)]
    return []


def _names_a_state(node: ast.AST) -> bool:
    """Whether an operand is a state: a name or attribute called ``state`` (``e.state``,
    ``state``, ``entry_state``)."""
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return "state" in name


def _raw_states(tree: ast.AST) -> list[tuple[int, str]]:
    """Where a module compares a state with, assigns to a ``state`` or passes as ``state``/
    ``to``/``only_from`` a raw dispatch state."""
    found = []
    for node in ast.walk(tree):
        used: list[str] = []
        if isinstance(node, ast.Compare) and any(
            _names_a_state(side) for side in (node.left, *node.comparators)
        ):
            used = [c for side in (node.left, *node.comparators) for c in _constants(side)]
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "state" for t in targets):
                used = _constants(node.value) if node.value is not None else []
        elif isinstance(node, ast.keyword) and node.arg in {"state", "to", "only_from"}:
            used = _constants(node.value)
        found += [(getattr(node, "lineno", 0), s) for s in used if s in STATES]
    return found


def test_raw_dispatch_states_only_in_the_state_module() -> None:
    found = [
        f"{path.relative_to(SRC).as_posix()}:{line}: {state!r}"
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).as_posix() != HOME
        for line, state in _raw_states(ast.parse(path.read_text("utf-8")))
    ]
    assert found == []


def test_the_check_sees_a_raw_state() -> None:
    """The scan finds the forms it forbids (so an empty result above means something)."""
    code = (
        "if entry.state == 'sent': pass\n"
        "if e.state in ('queued', 'sending'): pass\n"
        "entry.state = 'withdrawn'\n"
        "move(register, label, to='posted', only_from=('post',))\n"
    )
    assert sorted(s for _, s in _raw_states(ast.parse(code))) == [
        "post",
        "posted",
        "queued",
        "sending",
        "sent",
        "withdrawn",
    ]
