"""One call as it reached the upstream, and the answers it got: the unit the proxy records, replays and compares.

Everything here is already redacted: the proxy strips tokens before it builds an Exchange (see redaction.py),
so an Exchange can be journalled, recorded and shown without care.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from .fields import JSON

Headers = tuple[tuple[str, str], ...]


class NotJson:
    """The body of an answer that is not JSON (empty, HTML, text)."""


NOT_JSON = NotJson()


def parse_json(body: bytes) -> JSON | NotJson:
    if not body.strip():
        return NOT_JSON
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return NOT_JSON


def body_to_data(body: bytes) -> dict[str, Any]:
    """A body as readable JSON: parsed when it is JSON, else text, else base64 (kept byte for byte)."""
    if not body:
        return {}
    parsed = parse_json(body)
    if not isinstance(parsed, NotJson):
        return {"json": parsed}
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(body).decode("ascii")}


def body_from_data(data: Any) -> bytes:
    if not isinstance(data, dict) or not data:
        return b""
    if "json" in data:
        return json.dumps(data["json"], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if "text" in data:
        return str(data["text"]).encode("utf-8")
    try:
        return base64.b64decode(str(data.get("base64", "")), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"body: not base64: {exc}") from exc


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: Headers = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    def json(self) -> JSON | NotJson:
        return parse_json(self.body)

    def to_data(self) -> dict[str, Any]:
        return {"status": self.status, "headers": [list(h) for h in self.headers], "body": body_to_data(self.body)}

    @classmethod
    def from_data(cls, data: Any) -> "HttpAnswer":
        if not isinstance(data, dict) or not isinstance(data.get("status"), int):
            raise ValueError("an answer needs an integer status")
        return cls(int(data["status"]), _headers(data.get("headers", [])), body_from_data(data.get("body")))


@dataclass(frozen=True)
class ProxiedRequest:
    method: str
    path: str  # as the caller sent it, percent-encoded
    query: tuple[tuple[str, str], ...] = ()
    headers: Headers = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    def to_data(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": [list(q) for q in self.query],
            "headers": [list(h) for h in self.headers],
            "body": body_to_data(self.body),
        }

    @classmethod
    def from_data(cls, data: Any) -> "ProxiedRequest":
        if not isinstance(data, dict) or not isinstance(data.get("method"), str) or not isinstance(data.get("path"), str):
            raise ValueError("a request needs a method and a path")
        return cls(
            data["method"].upper(), data["path"], _headers(data.get("query", [])), _headers(data.get("headers", [])),
            body_from_data(data.get("body")),
        )


@dataclass(frozen=True)
class Exchange:
    """A call and the upstream's answer. `fault` names a transport failure (timeout, connection error): the
    answer is then the proxy's own 502/504, and HubSpot applied nothing."""

    request: ProxiedRequest
    upstream: HttpAnswer
    at: str = ""
    duration_ms: float = 0.0
    fault: str | None = None

    def to_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "at": self.at,
            "duration_ms": round(self.duration_ms, 3),
            "request": self.request.to_data(),
            "upstream": self.upstream.to_data(),
        }
        if self.fault:
            out["fault"] = self.fault
        return out

    @classmethod
    def from_data(cls, data: Any) -> "Exchange":
        if not isinstance(data, dict):
            raise ValueError("an exchange is a JSON object")
        fault = data.get("fault")
        duration = data.get("duration_ms", 0.0)
        return cls(
            ProxiedRequest.from_data(data.get("request")),
            HttpAnswer.from_data(data.get("upstream")),
            str(data.get("at", "")),
            float(duration) if isinstance(duration, (int, float)) else 0.0,
            str(fault) if fault else None,
        )


def _headers(items: Any) -> Headers:
    if not isinstance(items, list) or not all(isinstance(i, list) and len(i) == 2 for i in items):
        raise ValueError("headers and query are lists of [name, value] pairs")
    return tuple((str(k), str(v)) for k, v in items)
