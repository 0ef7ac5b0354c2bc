"""The request journal: what each call sent, what the mock answered and why. Bounded in memory."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any, Iterable

REDACTED = "[redacted]"
SECRET_HEADERS = {"authorization", "cookie", "x-hubspot-mock-admin-token"}
MAX_BODY_CHARS = 64 * 1024  # a 10 MB body would fill memory quickly: keep the start


@dataclass
class Entry:
    id: int
    at: str  # ISO-8601 UTC
    method: str
    path: str
    query: str
    operation: str | None
    headers: dict[str, str]
    body: str
    status: int | None  # None: the connection was dropped without an answer
    correlation_id: str | None
    fault: str | None  # what was injected, e.g. "fault-3: respond 503"
    duration_ms: float
    response: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def redact(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers with tokens replaced: a journal is shown, dumped and shared, tokens must never be in it."""
    return {name: (REDACTED if name.lower() in SECRET_HEADERS else value) for name, value in headers}


def clip(raw: bytes) -> str:
    text = raw[:MAX_BODY_CHARS].decode("utf-8", "replace")
    return text if len(raw) <= MAX_BODY_CHARS else text + f"... [{len(raw)} bytes]"


class Journal:
    def __init__(self, size: int) -> None:
        self._entries: deque[Entry] = deque(maxlen=max(1, size))
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, **fields: Any) -> Entry:
        with self._lock:
            entry = Entry(id=next(self._ids), **fields)
            self._entries.append(entry)
        return entry

    def entries(
        self,
        *,
        operation: str | None = None,
        status: int | None = None,
        faulted: bool | None = None,
        text: str | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        """Newest first, filtered."""
        with self._lock:
            entries = list(self._entries)
        out = []
        for e in reversed(entries):
            if operation and operation not in (e.operation, e.path):
                continue
            if status is not None and e.status != status:
                continue
            if faulted is not None and (e.fault is not None) != faulted:
                continue
            if text and text not in e.body and text not in e.path and text not in e.response:
                continue
            out.append(e)
            if limit is not None and len(out) >= limit:
                break
        return out

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
