"""The request journal: what each call sent, what the mock answered and why. Bounded in memory."""

from __future__ import annotations

import bisect
import itertools
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Iterable

from .changes import Change, readable
from .clock import iso_ms

REDACTED = "[redacted]"
SECRET_HEADERS = {"authorization", "cookie", "x-hubspot-mock-admin-token"}
MAX_BODY_CHARS = 64 * 1024  # a 10 MB body would fill memory quickly: keep the start
# What a list of entries shows per row; the headers, bodies and changes are read one entry at a time.
SUMMARY_FIELDS = ("id", "at", "method", "path", "query", "operation", "status", "correlation_id", "fault", "duration_ms", "changes_count")
DETAIL_FIELDS = SUMMARY_FIELDS[:6] + ("headers", "body", "status", "correlation_id", "fault", "duration_ms", "response", "changes", "changes_count")
STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx", "dropped"}


@dataclass
class Entry:
    """One call. What is costly to make readable (the time, the bodies, the changes) is kept raw and made
    readable when read: most entries are never read, and every call writes one."""

    id: int
    at_ms: int  # epoch ms; `at` is its ISO-8601 form
    method: str
    path: str
    query: str
    operation: str | None
    headers: dict[str, str]
    body_bytes: bytes = field(repr=False)  # the request body as kept by clip(); `body` is its text
    status: int | None  # None: the connection was dropped without an answer
    correlation_id: str | None
    fault: str | None  # what was injected, e.g. "fault-3: respond 503"
    duration_ms: float
    response_bytes: bytes = field(repr=False)
    change_records: list[Change] = field(default_factory=list, repr=False)  # as the backend logged them
    changes_count: int = 0  # all the changes the call made; the records keep the first hundred

    @property
    def at(self) -> str:
        return iso_ms(self.at_ms)

    @property
    def body(self) -> str:
        return self.body_bytes.decode("utf-8", "replace")

    @property
    def response(self) -> str:
        return self.response_bytes.decode("utf-8", "replace")

    @property
    def changes(self) -> list[dict[str, str]]:
        """The state changes the call caused: kind, action, key, summary."""
        return [readable(change) for change in self.change_records]

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in DETAIL_FIELDS}

    def summary(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SUMMARY_FIELDS}

    def has_status(self, status: int | str) -> bool:
        """An exact status, a class such as "4xx", or "dropped" (no answer was sent)."""
        if status == "dropped":
            return self.status is None
        if isinstance(status, str):
            return self.status is not None and str(self.status)[0] == status[0]
        return self.status == status

    def mentions(self, text: str) -> bool:
        return any(text in part for part in (self.path, self.query, self.body, self.response, self.correlation_id or "", self.fault or ""))


def redact(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers with tokens replaced: a journal is shown, dumped and shared, tokens must never be in it."""
    return {name: (REDACTED if name.lower() in SECRET_HEADERS else value) for name, value in headers}


def clip(raw: bytes) -> bytes:
    """What the journal keeps of a body: all of it up to MAX_BODY_CHARS, else the start and the size (a 10 MB
    body kept whole in 1,000 entries would fill memory)."""
    return raw if len(raw) <= MAX_BODY_CHARS else raw[:MAX_BODY_CHARS] + f"... [{len(raw)} bytes]".encode()


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
        status: int | str | None = None,
        faulted: bool | None = None,
        text: str | None = None,
        limit: int | None = None,
        before_id: int | None = None,
        after_id: int | None = None,
    ) -> list[Entry]:
        """Newest first, filtered; `before_id` / `after_id` page through it (ids only grow)."""
        with self._lock:
            entries = list(self._entries)
        if before_id is not None:
            entries = entries[: bisect.bisect_left(entries, before_id, key=_entry_id)]
        out = []
        for e in reversed(entries):
            if after_id is not None and e.id <= after_id:
                break
            if operation and operation not in (e.operation, e.path):
                continue
            if status is not None and not e.has_status(status):
                continue
            if faulted is not None and (e.fault is not None) != faulted:
                continue
            if text and not e.mentions(text):
                continue
            out.append(e)
            if limit is not None and len(out) >= limit:
                break
        return out

    def get(self, entry_id: int) -> Entry | None:
        with self._lock:
            entries = list(self._entries)
        i = bisect.bisect_left(entries, entry_id, key=_entry_id)
        return entries[i] if i < len(entries) and entries[i].id == entry_id else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def latest_id(self) -> int:
        """The newest entry's id (0 when empty): where a poller for new entries starts."""
        with self._lock:
            return self._entries[-1].id if self._entries else 0

    def __len__(self) -> int:
        return len(self._entries)


def _entry_id(entry: Entry) -> int:
    return entry.id
