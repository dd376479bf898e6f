"""Load YAML so that every value can be traced back to its line.

Mappings load as :class:`YMap` and sequences as :class:`YList`; both remember the line of
each key or item, so a validation error can say ``letters/trede-2.yaml:41: body[3].paragraph``.
Duplicate keys are an error (PyYAML silently keeps the last one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ibtpost.core.errors import InputError, Location


class YMap(dict[str, Any]):
    """A mapping that knows the line (1-based) of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of ``key``, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A sequence that knows the line (1-based) of itself and of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        """The line of item ``index``."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _LineLoader(yaml.SafeLoader):
    """A safe loader that builds :class:`YMap` / :class:`YList` with line numbers."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> YMap:  # type: ignore[override]
        result = YMap()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        """A date such as 2026-06-01; an impossible one (2026-13-01) stays text, so that
        the field's own validation reports it with its field name."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)

    def construct_sequence(self, node: SequenceNode, deep: bool = False) -> YList:
        result = YList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


def _construct_map(loader: _LineLoader, node: Node) -> YMap:
    if not isinstance(node, MappingNode):  # pragma: no cover - PyYAML only calls it so
        raise TypeError(node)
    return loader.construct_mapping(node)


def _construct_seq(loader: _LineLoader, node: Node) -> YList:
    if not isinstance(node, SequenceNode):  # pragma: no cover - PyYAML only calls it so
        raise TypeError(node)
    return loader.construct_sequence(node)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


def parse_yaml(text: str, source: Path | str, error: type[InputError] = InputError) -> Any:
    """Parse YAML ``text``; a syntax error becomes ``error`` naming ``source`` and the line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        where = Location(source, line)
        raise error(location=where, key="error.yaml", values={"problem": problem}) from None
    except yaml.YAMLError as exc:
        raise error(
            location=Location(source), key="error.yaml", values={"problem": str(exc)}
        ) from None


def load_yaml(path: Path, error: type[InputError] = InputError, label: str | None = None) -> Any:
    """Read and parse the YAML file ``path`` (shown as ``label`` in errors)."""
    source = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error("file not found", Location(source)) from None
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text ({exc.reason})", Location(source)) from None
    return parse_yaml(text, source, error)
