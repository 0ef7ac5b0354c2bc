"""Where two answers to one call differ: status, body shape and data, and the headers that matter (the content
type; the `X-HubSpot-RateLimit-*` headers, present or not, and the limits they state).

Bodies are walked in parallel. Keys, JSON types, list lengths and data values (batch `status`, `numErrors`,
error `category` / `subCategory`, counters, states) must be equal; ids are compared by type (they differ by
design, see ids.py), and times, correlation ids and messages by type and format only (fields.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable

from .exchange import HttpAnswer, NotJson
from .fields import (
    JSON, align, is_id_key, is_volatile_key, is_volatile_value, json_type, string_format,
)

RATE_LIMIT_PREFIX = "x-hubspot-ratelimit-"
ABSENT = "(absent)"
MAX_DIFFERENCES = 100  # per call: past that the answers are unrelated, and more lines do not help


@dataclass(frozen=True)
class Difference:
    field: str  # where: `status`, `headers.content-type`, `body.results[*].vid`
    upstream: str
    mock: str

    def line(self) -> str:
        return f"{self.field}: upstream {self.upstream}, mock {self.mock}"

    def to_data(self) -> dict[str, str]:
        return {"field": self.field, "upstream": self.upstream, "mock": self.mock}


def compare_answers(upstream: HttpAnswer, mock: HttpAnswer) -> list[Difference]:
    found: list[Difference] = []
    if upstream.status != mock.status:
        found.append(Difference("status", _status_text(upstream), _status_text(mock)))
    found += _compare_headers(upstream, mock)
    if bodies_compared(upstream, mock):
        found += _compare_bodies(upstream, mock)  # a 200 against a 400: the status line says it all
    return list(dict.fromkeys(found))[:MAX_DIFFERENCES]


def bodies_compared(upstream: HttpAnswer, mock: HttpAnswer) -> bool:
    return _status_class(upstream.status) == _status_class(mock.status)


def overlaps(field: str, others: Iterable[str]) -> bool:
    """Whether a difference at `field` is still there when another answer differs at `others`: at the same
    place, inside it, or around it (no `body.errors` at all does not fix `body.errors[*].context`)."""
    return any(field == other or _within(field, other) or _within(other, field) for other in others)


def _within(inner: str, outer: str) -> bool:
    return len(inner) > len(outer) and inner.startswith(outer) and inner[len(outer)] in ".["


def _status_text(answer: HttpAnswer) -> str:
    """The status, with an error's category and message: why the answer failed."""
    body = answer.json()
    if answer.status < 400 or not isinstance(body, dict):
        return str(answer.status)
    reason = " ".join(str(body[k]) for k in ("category", "subCategory") if body.get(k))
    message = body.get("message")
    if isinstance(message, str):
        reason = f"{reason}: {message}" if reason else message
    return f"{answer.status} ({_clip(reason)})" if reason else str(answer.status)


def _status_class(status: int) -> int:
    return status // 100


def _compare_headers(upstream: HttpAnswer, mock: HttpAnswer) -> list[Difference]:
    found = []
    theirs, ours = _content_type(upstream.header("content-type")), _content_type(mock.header("content-type"))
    if theirs != ours:
        found.append(Difference("headers.content-type", theirs or ABSENT, ours or ABSENT))
    theirs_rl, ours_rl = _rate_limit_headers(upstream), _rate_limit_headers(mock)
    for name in sorted(theirs_rl.keys() | ours_rl.keys()):
        if name not in ours_rl or name not in theirs_rl:
            found.append(Difference(f"headers.{name}", "present" if name in theirs_rl else ABSENT, ABSENT if name in theirs_rl else "present"))
        elif not name.endswith("-remaining") and theirs_rl[name] != ours_rl[name]:
            # The limits themselves follow the account's tier and auth; only what remains of them changes.
            found.append(Difference(f"headers.{name}", theirs_rl[name], ours_rl[name]))
    return found


def _content_type(value: str | None) -> str | None:
    """`application/json; charset=UTF-8` and `application/json;charset=utf-8` are the same content type."""
    if value is None:
        return None
    return ";".join(part.strip().lower() for part in value.split(";") if part.strip())


def _rate_limit_headers(answer: HttpAnswer) -> dict[str, str]:
    return {k.lower(): v.strip() for k, v in answer.headers if k.lower().startswith(RATE_LIMIT_PREFIX)}


def _compare_bodies(upstream: HttpAnswer, mock: HttpAnswer) -> list[Difference]:
    theirs, ours = upstream.json(), mock.json()
    if isinstance(theirs, NotJson) or isinstance(ours, NotJson):
        if isinstance(theirs, NotJson) and isinstance(ours, NotJson):
            return []  # neither is JSON: the content type and status already said what differs
        return [Difference("body", _body_kind(upstream.body, theirs), _body_kind(mock.body, ours))]
    found: list[Difference] = []
    _walk(theirs, ours, "body", "", found)
    return found


def _body_kind(raw: bytes, parsed: JSON | NotJson) -> str:
    if not isinstance(parsed, NotJson):
        return f"JSON {json_type(parsed)}"
    return "empty" if not raw.strip() else f"not JSON ({len(raw)} bytes)"


def _walk(upstream: JSON, mock: JSON, path: str, key: str, found: list[Difference]) -> None:
    """`key` is the nearest dict key above the value: list items inherit it (`vids: [...]` holds ids)."""
    volatile = bool(key) and is_volatile_key(key)
    identifier = bool(key) and is_id_key(key)
    if json_type(upstream) != json_type(mock):
        # Also for ids: a number on one side and a string on the other matters (an SDK parses one of them).
        found.append(Difference(path, _describe(upstream, volatile or identifier), _describe(mock, volatile or identifier)))
        return
    if isinstance(upstream, dict) and isinstance(mock, dict):
        if volatile:
            return  # `links`: a structure of generated URLs
        for name in sorted(upstream.keys() | mock.keys()):
            child = f"{path}.{name}"
            if name not in mock:
                found.append(Difference(child, _describe(upstream[name], _opaque(name, upstream[name])), ABSENT))
            elif name not in upstream:
                found.append(Difference(child, ABSENT, _describe(mock[name], _opaque(name, mock[name]))))
            else:
                _walk(upstream[name], mock[name], child, name, found)
        return
    if isinstance(upstream, list) and isinstance(mock, list):
        if volatile:
            return
        if len(upstream) != len(mock):
            found.append(Difference(path, _items(len(upstream)), _items(len(mock))))
        for a, b in align(upstream, mock):
            _walk(a, b, f"{path}[*]", key, found)
        return
    if volatile or identifier or (is_volatile_value(upstream) and is_volatile_value(mock)):
        if isinstance(upstream, str) and isinstance(mock, str) and string_format(upstream) != string_format(mock):
            found.append(Difference(path, string_format(upstream), string_format(mock)))
        return
    if upstream != mock:
        found.append(Difference(path, _describe(upstream, False), _describe(mock, False)))


def _opaque(key: str, value: JSON) -> bool:
    return is_volatile_key(key) or is_id_key(key) or is_volatile_value(value)


def _describe(value: JSON, opaque: bool) -> str:
    """A value for a difference line; an opaque one (an id, a time) by its type and format only."""
    kind = json_type(value)
    if isinstance(value, dict):
        return "object" if not value else f"object ({', '.join(sorted(value)[:6])}{', ...' if len(value) > 6 else ''})"
    if isinstance(value, list):
        return f"array of {_items(len(value))}"
    if opaque:
        return f"string ({string_format(value)})" if isinstance(value, str) else kind
    if isinstance(value, str):
        return _clip(json.dumps(value, ensure_ascii=False))
    return json.dumps(value)


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
