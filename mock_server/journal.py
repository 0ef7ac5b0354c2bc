"""The request journal: what each call sent, what the mock answered and why, bounded in entries and in bytes;
and `JournalMiddleware`, the outermost layer of the app, which records every request: API or admin, routed or
not, answered, refused, dropped, or failed inside the mock.

The middleware gives each request its correlation id and reads what the inner layers left in `scope["state"]`
(see `CallState`): the operation, the fault applied, the state changes, notes. It tees the request body and the
answer as they pass, so nothing inside has to remember to journal anything.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import logging
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Literal, TypedDict

import orjson
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .changes import Change, readable
from .clock import Clock, iso_ms
from .envelopes import internal_error_response, new_correlation_id
from .faults import FAULT_HEADER
from .sdk_verdict import verdicts

if TYPE_CHECKING:
    from .fault_effects import FaultEffect

log = logging.getLogger("mock_server")

REDACTED = "[redacted]"
# Headers that carry credentials: never kept. (hapikey in a query string is redacted too, see redact_query.)
SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-api-key", "x-hubspot-mock-admin-token"}
MAX_BODY_BYTES = 64 * 1024  # what an entry keeps of a body: a 10 MB body would fill memory quickly
MAX_HEADER_CHARS = 4096  # what an entry keeps of one header value
ENTRY_OVERHEAD = 512  # bytes counted per entry beyond its bodies and headers
UNREAD_BODY_WAIT_SECONDS = 0.5
ADMIN_RING = 200  # admin calls (the inspector polls every second) never push API calls out of the journal
# What a list of entries shows per row; the headers, bodies and changes are read one entry at a time.
SUMMARY_FIELDS = (
    "id", "at", "kind", "method", "path", "query", "operation", "status", "correlation_id", "fault", "duration_ms",
    "changes_count", "note",
)
DETAIL_FIELDS = SUMMARY_FIELDS + ("headers", "body", "response", "changes", "traceback", "sdk")
STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx", "dropped"}
Kind = Literal["api", "admin", "unrouted"]


class CallState(TypedDict, total=False):
    """What the layers inside leave in `scope["state"]` for the journal (and for each other)."""

    correlation_id: str  # set by the middleware; every answer's X-HubSpot-Correlation-Id
    kind: Kind  # "api" (the pipeline), "admin" (the admin API); neither: unrouted
    operation: str  # the operationId that answered
    fault: str  # the fault applied, e.g. "fault-3: respond 503"
    changes: tuple[list[Change], int]  # the state changes the call caused (the first hundred) and their count
    notes: list[str]  # what the mock wants the caller to know (also in X-HubSpot-Mock-Note)
    answer_headers: list[tuple[bytes, bytes]]  # raw headers every answer carries from here on (rate limits)
    fault_effect: "FaultEffect"  # the armed fault's hooks, for FaultMiddleware (fault_effects.EFFECT_KEY)


@dataclass(slots=True)
class Entry:
    """One call. What is costly to make readable (the time, the headers, the bodies, the changes) is kept raw
    and made readable (and redacted) when read: most entries are never read, and every call writes one."""

    id: int
    at_ms: int  # epoch ms; `at` is its ISO-8601 form
    method: str
    path: str
    query_bytes: bytes  # raw; `query` is its text, redacted
    operation: str | None
    raw_headers: Any = field(repr=False)  # the request's ASGI header pairs (or a mapping); `headers` redacts them
    body_bytes: bytes = field(repr=False)  # the request body as kept by clip(); `body` is its text
    status: int | None  # None: the connection was dropped without an answer
    correlation_id: str | None
    fault: str | None  # what was injected, e.g. "fault-3: respond 503"
    duration_ms: float
    response_bytes: bytes = field(repr=False)
    change_records: list[Change] = field(default_factory=list, repr=False)  # as the backend logged them
    changes_count: int = 0  # all the changes the call made; the records keep the first hundred
    kind: Kind = "api"
    note: str | None = None  # why it was answered so, when that is not in the answer (a near miss, a disconnect)
    traceback: str | None = field(default=None, repr=False)  # the mock's own failure, for a 500
    response_headers: Any = field(default=(), repr=False)  # the answer's ASGI header pairs
    response_clipped: bool = False  # the answer was longer than the journal keeps

    @property
    def at(self) -> str:
        return iso_ms(self.at_ms)

    @property
    def query(self) -> str:
        return redact_query(self.query_bytes.decode("latin-1"))

    @property
    def headers(self) -> dict[str, str]:
        raw = self.raw_headers
        pairs = raw.items() if isinstance(raw, dict) else ((k.decode("latin-1"), v.decode("latin-1")) for k, v in raw)
        return redact(pairs)

    @property
    def response_content_type(self) -> str | None:
        return next((v.decode("latin-1") for k, v in self.response_headers if k.lower() == b"content-type"), None)

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

    @property
    def sdk(self) -> list[dict[str, str]]:
        """How the official SDKs take this answer (sdk_verdict.py), worked out when the entry is read."""
        if self.kind != "api":
            return []
        if self.response_clipped:
            return [{"sdk": "any", "outcome": "unknown", "text": "the answer was longer than the journal keeps; no verdict"}]
        found = verdicts(self.method, self.path, self.status, self.response_content_type, self.response_bytes)
        return [{"sdk": v.sdk, "outcome": v.outcome, "text": v.text} for v in found]

    @property
    def size(self) -> int:
        """What the entry holds, in bytes (roughly): what the journal's byte budget counts."""
        raw = self.raw_headers
        headers = sum(len(k) + len(v) for k, v in (raw.items() if isinstance(raw, dict) else raw))
        return ENTRY_OVERHEAD + len(self.body_bytes) + len(self.response_bytes) + headers + 64 * len(self.change_records)

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
        parts = (self.path, self.query, self.body, self.response, self.correlation_id or "", self.fault or "", self.note or "")
        return any(text in part for part in parts)


def redact(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers with credentials replaced and long values clipped: a journal is shown, dumped and shared."""
    kept = {}
    for name, value in headers:
        lowered = name.lower()
        if lowered in SECRET_HEADERS:
            value = REDACTED
        elif lowered == FAULT_HEADER and '"token"' in value:
            value = _without_token(value)
        kept[name] = value if len(value) <= MAX_HEADER_CHARS else _clip_text(value)
    return kept


def _without_token(fault_header: str) -> str:
    """A one-off fault rule may match by token: the rule is kept, its token is not."""
    try:
        rule = orjson.loads(fault_header)
    except orjson.JSONDecodeError:
        return REDACTED
    if not isinstance(rule, dict):
        return REDACTED
    return orjson.dumps({**rule, "token": REDACTED} if "token" in rule else rule).decode()


def redact_query(query: str) -> str:
    """`?hapikey=...` carries a developer key: never kept."""
    if "hapikey=" not in query.lower():
        return query
    return "&".join(
        f"{part.partition('=')[0]}={REDACTED}" if part.partition("=")[0].lower() == "hapikey" else part
        for part in query.split("&")
    )


def clip(raw: bytes) -> bytes:
    """What the journal keeps of a body: all of it up to MAX_BODY_BYTES, else the start and the size."""
    return raw if len(raw) <= MAX_BODY_BYTES else raw[:MAX_BODY_BYTES] + f"... [{len(raw)} bytes]".encode()


def _clip_text(value: str) -> str:
    return value[:MAX_HEADER_CHARS] + f"... [{len(value)} characters]"


class Journal:
    """The last `size` API calls (and the last ADMIN_RING admin calls), within `max_bytes` in all."""

    def __init__(self, size: int, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._size = max(1, size)
        self._max_bytes = max_bytes
        self._entries: deque[Entry] = deque()
        self._admin: deque[Entry] = deque(maxlen=ADMIN_RING)
        self._bytes = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(self, **fields: Any) -> Entry:
        if "headers" in fields:  # readable headers given (tests, tools): kept as given, redacted when read
            fields["raw_headers"] = fields.pop("headers")
        if "query" in fields:
            fields["query_bytes"] = fields.pop("query").encode("latin-1")
        with self._lock:
            entry = Entry(next(self._ids), **fields)
            if entry.kind == "admin":
                self._admin.append(entry)
                return entry
            entries = self._entries
            entries.append(entry)
            self._bytes += entry.size
            while len(entries) > self._size or (self._bytes > self._max_bytes and len(entries) > 1):
                self._bytes -= entries.popleft().size
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
        kind: str | None = None,
    ) -> list[Entry]:
        """Newest first, filtered; `before_id` / `after_id` page through it (ids only grow). API and unrouted
        calls unless `kind` says otherwise ("admin", "api", "unrouted", or "all")."""
        entries = self._select(kind)
        if before_id is not None:
            entries = entries[: bisect.bisect_left(entries, before_id, key=_entry_id)]
        out = []
        for e in reversed(entries):
            if after_id is not None and e.id <= after_id:
                break
            if kind in ("api", "unrouted") and e.kind != kind:
                continue
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

    def _select(self, kind: str | None) -> list[Entry]:
        with self._lock:
            if kind == "admin":
                return list(self._admin)
            if kind == "all":
                return sorted([*self._entries, *self._admin], key=_entry_id)
            return list(self._entries)

    def get(self, entry_id: int) -> Entry | None:
        entries = self._select("all")
        i = bisect.bisect_left(entries, entry_id, key=_entry_id)
        return entries[i] if i < len(entries) and entries[i].id == entry_id else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._admin.clear()
            self._bytes = 0

    @property
    def latest_id(self) -> int:
        """The newest API entry's id (0 when empty): where a poller for new entries starts."""
        with self._lock:
            return self._entries[-1].id if self._entries else 0

    @property
    def bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)


_NO_CHANGES: tuple[list[Change], int] = ([], 0)


def _entry_id(entry: Entry) -> int:
    return entry.id


def _declares_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return value != b"0"
        if name == b"transfer-encoding":
            return True
    return False


class JournalMiddleware:
    """The outermost layer: every HTTP request gets a correlation id and a journal entry, whatever happens
    inside. A failure of the mock itself becomes HubSpot's 500 envelope, logged and journaled with its
    traceback; a client that goes away mid-body is journaled as such, with no answer."""

    def __init__(self, app: ASGIApp, journal: Journal, clock: Clock) -> None:
        self.app = app
        self.journal = journal
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: CallState = scope.setdefault("state", {})
        state["correlation_id"] = new_correlation_id()
        request_chunks: list[bytes] = []
        kept = 0
        status: int | None = None
        response_headers: Any = ()
        response_chunks: list[bytes] = []
        response_size = 0

        async def tee_receive() -> Message:
            nonlocal kept
            message = await receive()
            chunk = message.get("body", b"")
            if chunk and kept <= MAX_BODY_BYTES:
                request_chunks.append(chunk)
                kept += len(chunk)
            return message

        async def keep_unread_body() -> None:
            """A call answered before its body was read (a 404, a 401): keep what the client sent anyway, up
            to the journal's limit; waiting briefly, since after the answer starts there is no reading it."""
            more = True
            while more and kept <= MAX_BODY_BYTES:
                try:
                    message = await asyncio.wait_for(tee_receive(), UNREAD_BODY_WAIT_SECONDS)
                except asyncio.TimeoutError:
                    return
                more = message["type"] == "http.request" and message.get("more_body", False)

        async def tee_send(message: Message) -> None:
            nonlocal status, response_headers, response_size
            if message["type"] == "http.response.start":
                if not request_chunks and _declares_body(scope):
                    await keep_unread_body()
                status = message["status"]
                response_headers = message.get("headers", ())
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if chunk:
                    if response_size <= MAX_BODY_BYTES:
                        response_chunks.append(chunk)
                    response_size += len(chunk)
            await send(message)

        failure: str | None = None
        note: str | None = None
        try:
            await self.app(scope, tee_receive, tee_send)
        except ClientDisconnect:
            note = "the client disconnected before sending the whole body; nothing was applied"
        except OSError as exc:  # the socket went away while answering: nothing more to send
            note = f"the connection failed while answering: {exc}"
        except Exception:
            failure = traceback.format_exc()
            log.error("internal error on %s %s\n%s", scope["method"], scope["path"], failure)
            if status is None:
                await internal_error_response(state["correlation_id"])(scope, tee_receive, tee_send)
        notes = state.get("notes")
        if notes and note is None:
            note = "; ".join(notes)
        change_records, changes_count = state.get("changes", _NO_CHANGES)
        body = request_chunks[0] if len(request_chunks) == 1 else b"".join(request_chunks)
        answered = response_chunks[0] if len(response_chunks) == 1 else b"".join(response_chunks)
        self.journal.record(
            at_ms=self.clock.now_ms(),
            method=scope["method"],
            path=scope["path"],
            query_bytes=scope["query_string"],
            operation=state.get("operation"),
            raw_headers=scope["headers"],
            body_bytes=clip(body),
            status=status,
            correlation_id=state["correlation_id"],
            fault=state.get("fault"),
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            response_bytes=clip(answered),
            change_records=change_records,
            changes_count=changes_count,
            kind=state.get("kind", "unrouted"),
            note=note,
            traceback=failure,
            response_headers=response_headers,
            response_clipped=response_size > MAX_BODY_BYTES,
        )

