"""Read one YAML file safely: size, nesting, aliases and duplicated keys are refused with a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from klankbord.surveys.definitions.constants import MAX_FILE_BYTES
from klankbord.surveys.definitions.model import SurveyDefinitionError


def _read_yaml(path: Path, display: str) -> dict[str, Any]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SurveyDefinitionError(display, f"cannot read file ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise SurveyDefinitionError(
            display, f"file is too large ({size} bytes; at most {MAX_FILE_BYTES})"
        )
    raw = path.read_bytes()[: MAX_FILE_BYTES + 1]
    if len(raw) > MAX_FILE_BYTES:
        raise SurveyDefinitionError(display, f"file is too large (at most {MAX_FILE_BYTES} bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SurveyDefinitionError(
            display, f"file is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    _refuse_deep_nesting(text, display)
    try:
        _refuse_aliases(text, display)
        data = yaml.safe_load(text)
        _check_duplicate_keys(yaml.compose(text, Loader=yaml.SafeLoader), display)
    except yaml.YAMLError as exc:
        raise SurveyDefinitionError(display, f"invalid YAML: {_yaml_problem(exc)}") from None
    except RecursionError:  # thousands of nested brackets: PyYAML parses recursively
        raise SurveyDefinitionError(display, "invalid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {_kind(data)}"
        raise SurveyDefinitionError(
            display, f"the file must be a mapping of fields (id, version, ...), but it is {kind}"
        )
    return data


#: Survey files nest a few levels; PyYAML slows down quadratically (and then recurses too
#: deep) on thousands of nested brackets, so such a file is refused before parsing.
MAX_NESTING = 64


def _refuse_deep_nesting(text: str, display: str) -> None:
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    indents = (len(line) - len(line.lstrip(" ")) for line in text.splitlines())
    if deepest > MAX_NESTING or max(indents, default=0) > MAX_NESTING * 8:
        raise SurveyDefinitionError(
            display, f"invalid YAML: nested more than {MAX_NESTING} levels deep"
        )


def _refuse_aliases(text: str, display: str) -> None:
    """Refuse anchors and aliases (``&x`` / ``*x``): survey files do not need them, and nested
    aliases make a small file expand exponentially (a "billion laughs" file hangs the loader)."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1 if event.start_mark else 0
            raise SurveyDefinitionError(
                display, f"anchors and aliases (*{event.anchor}) are not allowed (line {line})"
            )


def _yaml_problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return problem


def _check_duplicate_keys(node: yaml.Node | None, display: str) -> None:
    """Reject a mapping with the same key twice (PyYAML would keep the last silently)."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in keys:
                        line = key_node.start_mark.line + 1
                        raise SurveyDefinitionError(
                            display, f"key {key_node.value!r} appears twice (line {line})"
                        )
                    keys.add(key_node.value)
                stack.append(value_node)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "yes/no value"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    if value is None:
        return "empty value"
    return type(value).__name__

