"""Safe YAML loading for lessons and config: plain data only, no aliases, and a source line for every value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import AnkiexportError, os_reason

# Where each value came from: the path of keys/indices from the document root -> 1-based line.
LineMap = dict[tuple[Any, ...], int]

MAX_YAML_BYTES = 2_000_000  # a lesson is a few KB; anything this large is not a lesson


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases: lessons never need them, and they make alias bombs possible."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.YAMLError(f"line {event.start_mark.line + 1}: aliases (*name) are not allowed")
        event = self.peek_event()  # type: ignore[no-untyped-call]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise yaml.YAMLError(f"line {event.start_mark.line + 1}: anchors (&name) are not allowed")
        return super().compose_node(parent, index)


def parse_yaml(text: str, path: str, error: type[AnkiexportError] = AnkiexportError) -> tuple[Any, LineMap]:
    """Parse one YAML document into plain Python data and the line of every value; errors name ``path:line``."""
    if len(text) > MAX_YAML_BYTES:
        raise error(f"file is larger than {MAX_YAML_BYTES} characters; refusing to parse it", path)
    try:
        loader = _NoAliasLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise error(f"not valid YAML: {exc.problem or exc.context}", path, line) from None
    except yaml.YAMLError as exc:
        message = str(exc)
        line = None
        if message.startswith("line "):
            head, _, message = message.partition(": ")
            line = int(head.split()[1])
        raise error(f"not valid YAML: {message}", path, line) from None
    except RecursionError:  # PyYAML composes recursively; `[[[[…` thousands deep exhausts the stack
        raise error("not valid YAML: lists or mappings nested too deeply", path) from None
    lines: LineMap = {}
    if node is None:
        return None, lines
    try:
        return _convert(node, (), lines, path, error), lines
    except RecursionError:
        raise error("not valid YAML: lists or mappings nested too deeply", path) from None


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


def _convert(node: yaml.Node, where: tuple[Any, ...], lines: LineMap, path: str, error: type[AnkiexportError]) -> Any:
    line = node.start_mark.line + 1
    lines[where] = line
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALAR_TAGS:
            raise error(f"unsupported YAML tag {node.tag!r}", path, line)
        value = yaml.SafeLoader.construct_scalar(_SCALAR_CONSTRUCTOR, node)
        if node.tag == "tag:yaml.org,2002:str":
            return value
        # Let SafeLoader resolve ints, bools, dates; dates come back as text (the model keeps ISO strings).
        try:
            constructed = _SCALAR_CONSTRUCTOR.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:  # well-formed YAML, impossible value: `date: 2026-13-01`
            raise error(f"not valid YAML: {value!r} cannot be read ({exc})", path, line) from None
        if node.tag == "tag:yaml.org,2002:timestamp":
            return str(constructed)[:10] if len(value) == 10 else value
        return constructed
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise error(f"unsupported YAML tag {node.tag!r}", path, line)
        return [_convert(child, (*where, i), lines, path, error) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        if node.tag != "tag:yaml.org,2002:map":
            raise error(f"unsupported YAML tag {node.tag!r}", path, line)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, (*where, "<key>"), lines, path, error)
            if not isinstance(key, str):
                raise error(f"keys must be text, not {key!r}", path, key_node.start_mark.line + 1)
            if key in result:
                raise error(f"key {key!r} appears twice", path, key_node.start_mark.line + 1)
            result[key] = _convert(value_node, (*where, key), lines, path, error)
            # A key's own line is more useful in messages than its value's (a block value starts below it).
            key_path = (*where, key)
            lines[key_path] = key_node.start_mark.line + 1
        lines.pop((*where, "<key>"), None)
        return result
    raise error("unsupported YAML node", path, line)  # pragma: no cover - PyYAML has only the three kinds


_SCALAR_CONSTRUCTOR = yaml.SafeLoader("")


def load_yaml_mapping(
    path: Path, error: type[AnkiexportError] = AnkiexportError
) -> tuple[dict[str, Any], dict[str, int]]:
    """Read ``path`` as a YAML mapping; return it and the line of each top-level key."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read: {os_reason(exc)}", str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"not UTF-8 text (byte {exc.start})", str(path)) from None
    data, lines = parse_yaml(text, str(path), error)
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise error(f"must be a mapping of keys to values, not a {type(data).__name__}", str(path), lines.get(()))
    return data, {key: lines[(key,)] for key in data}
