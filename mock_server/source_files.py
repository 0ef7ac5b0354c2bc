"""The user's own files (seed files, fault files), read as JSON or YAML with the line of every value, so that
each mistake is reported as `file:line: field: what is wrong`, all of them at once.

YAML is composed into nodes first (yaml.compose keeps each node's position) and the data built from those nodes,
so syntax errors and mistakes in the content both get a line. JSON files are parsed as JSON; their lines come
from composing the same text as YAML (JSON is nearly a subset), and are left out where that fails.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence, cast

import jsonschema_rs
import yaml

Where = Sequence[str | int]

JSON_TYPES = {
    "object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer", "number": "a number",
    "boolean": "true or false", "null": "null",
}


class _Loader(yaml.SafeLoader):
    """YAML as the user meant it for these files: `2026-12-01T15:00:00Z` is the string the API takes, not a
    datetime object (PyYAML's timestamp resolver is left out)."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


@dataclass(frozen=True)
class Mistake:
    line: int | None
    where: str  # the field, e.g. portals[0].contacts[3].email; "" for the file as a whole
    message: str


class FileMistakes(ValueError):
    """Everything wrong with one file, each with its line and field."""

    def __init__(self, path: str | Path, mistakes: Iterable[Mistake]) -> None:
        self.path = str(path)
        self.mistakes = sorted(mistakes, key=lambda m: (m.line or 0, m.where))
        super().__init__(self.path, self.mistakes)

    def __str__(self) -> str:
        lines = [self._format(m) for m in self.mistakes]
        if len(lines) == 1:
            return lines[0]
        return f"{self.path}: {len(lines)} mistakes\n" + "\n".join(f"  {line}" for line in lines)

    def _format(self, mistake: Mistake) -> str:
        place = f"{self.path}:{mistake.line}" if mistake.line else self.path
        field = f" {mistake.where}:" if mistake.where else ""
        return f"{place}:{field} {mistake.message}"


@dataclass
class SourceDocument:
    path: Path
    data: Any
    root: yaml.Node | None  # None when positions are unknown (a JSON file YAML cannot read)

    def line_of(self, where: Where) -> int | None:
        """The line of the value at `where`, or of the nearest enclosing value that exists."""
        node = self.root
        if node is None:
            return None
        for part in where:
            child = _child(node, part)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1

    def key_line(self, where: Where, key: str) -> int | None:
        """The line of a mapping's key (an unknown key has no value worth pointing at)."""
        node = self.root
        for part in where:
            node = _child(node, part) if node is not None else None
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                    return key_node.start_mark.line + 1
        return self.line_of(where)

    def mistake(self, where: Where, message: str) -> Mistake:
        return Mistake(self.line_of(where), field_name(where), message)


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == part:
                return value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None


def field_name(where: Where) -> str:
    """portals[0].contacts[3].email"""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_document(path: str | Path) -> SourceDocument:
    """Parse a JSON (by extension) or YAML file. FileMistakes with the line for a syntax error or text that is
    not UTF-8; OSError when the file cannot be read."""
    path = Path(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileMistakes(path, [Mistake(raw[: exc.start].count(b"\n") + 1, "", "is not UTF-8 text")]) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FileMistakes(path, [Mistake(exc.lineno, "", f"not valid JSON: {exc.msg} (column {exc.colno})")]) from None
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            root = None
        return SourceDocument(path, data, root)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "unreadable"
        if exc.context and exc.context_mark and exc.problem:  # e.g. "while parsing a flow sequence" (line 3)
            problem += f", {exc.context} started on line {exc.context_mark.line + 1}"
        raise FileMistakes(path, [Mistake(mark.line + 1 if mark else None, "", f"not valid YAML: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise FileMistakes(path, [Mistake(None, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    document = SourceDocument(path, data, root)
    duplicates = list(_duplicate_keys(document.root, []))
    if duplicates:
        raise FileMistakes(path, duplicates)
    return document


def _duplicate_keys(node: yaml.Node | None, where: list[str | int]) -> Iterable[Mistake]:
    """YAML keeps the last of two equal keys without a word; the first one was then written for nothing."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                if key_node.value in seen:
                    yield Mistake(line, field_name(where), f"key {key_node.value!r} appears twice (first on line {seen[key_node.value]})")
                seen.setdefault(key_node.value, line)
                yield from _duplicate_keys(value_node, [*where, key_node.value])
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _duplicate_keys(item, [*where, i])


# ---------------------------------------------------------------------------------------------- schemas
_WHOLE = object()


def schema_mistakes(document: SourceDocument, schema: dict[str, Any], data: Any = _WHOLE, at: Where = ()) -> list[Mistake]:
    """Every place where `data` (the document's own by default, else the part of it found `at`) breaks
    `schema`, in words a user reads: the field, and what it must be."""
    data = document.data if data is _WHOLE else data
    mistakes = []
    for error in jsonschema_rs.validator_for(schema).iter_errors(data):
        where = [*at, *error.instance_path]
        kind = error.kind
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
            known = _schema_at(schema, list(error.schema_path)[:-1]).get("properties", {})
            for key in kind.unexpected:
                guess = difflib.get_close_matches(key, list(known), n=1, cutoff=0.75)
                hint = f"; did you mean {guess[0]!r}?" if guess else f" (known: {', '.join(known)})"
                mistakes.append(Mistake(document.key_line(where, key), field_name(where), f"unknown key {key!r}{hint}"))
            continue
        if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
            message = f"{kind.property!r} is missing"
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
            expected = " or ".join(JSON_TYPES.get(t, t) for t in kind.types)
            message = f"must be {expected}, got {_describe(error.instance)}"
            if "string" in kind.types and isinstance(error.instance, (bool, int, float)):
                message += " (YAML reads it so: put it in quotes to keep it text)"
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum):
            options = ", ".join(map(str, kind.options))
            message = f"must be one of {options}, got {_describe(error.instance)}"
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Minimum):
            message = f"must be at least {kind.limit}, got {error.instance!r}"
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Maximum):
            message = f"must be at most {kind.limit}, got {error.instance!r}"
        elif isinstance(kind, (jsonschema_rs.ValidationErrorKind.MinItems, jsonschema_rs.ValidationErrorKind.MaxItems)):
            bound = "at least" if isinstance(kind, jsonschema_rs.ValidationErrorKind.MinItems) else "at most"
            message = f"must have {bound} {kind.limit} item(s), got {len(cast(list[Any], error.instance))}"
        elif isinstance(kind, jsonschema_rs.ValidationErrorKind.MinLength):
            message = "must not be empty"
        else:
            message = error.message
        mistakes.append(document.mistake(where, message))
    return mistakes


def _schema_at(schema: dict[str, Any], path: list[str | int]) -> dict[str, Any]:
    node: Any = schema
    for part in path:
        node = node[part]
    return node if isinstance(node, dict) else {}


def _describe(value: Any) -> str:
    kinds = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    kind = kinds.get(type(value))
    if value is None:
        return "nothing"
    if kind is None or isinstance(value, (dict, list)):
        return kind or type(value).__name__
    return f"{kind} ({json.dumps(value)[:60]})"
