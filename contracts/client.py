"""A thin client for HubSpot's Marketing Events v3 API: the four write endpoints and their read-backs.

Typed inputs and answers, batching, typed errors, and HubSpot's retry policy (FACTS.md). Per-item errors are
surfaced whichever 2xx carried them (200, 201, 207), where the official SDKs return None or throw.
The sync and async clients share all but I/O: each endpoint is a generator (a "plan") that yields requests
and receives their answers; a client drives plans with its own transport and sleep.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import os
import random as _random
import time
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Generator, Generic, Iterable, Mapping, TypeVar, Union
from urllib.parse import quote

import httpx

from .errors import BatchItemErrors, HubSpotApiError, error_from_response, json_object

BASE = "/marketing/v3/marketing-events"
DEFAULT_BASE_URL = "https://api.hubapi.com"
# Seconds to wait per 429 policy: HubSpot's limits are a rolling 10-second window, or the older per-second one.
POLICY_WAITS = {"TEN_SECONDLY_ROLLING": 10.0, "SECONDLY": 1.0}
BACKOFF_BASE, BACKOFF_CAP = 0.2, 10.0
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

Json = dict[str, Any]
Timestamp = Union[int, datetime]
T = TypeVar("T")


# ---------------------------------------------------------------------------------------------- conversions
def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)  # naive = UTC


def to_ms(value: Any) -> Any:
    """interactionDateTime is epoch milliseconds. Other values go as given: a contract kit must be able to
    send what real integrations send (seconds, ISO strings) and see what HubSpot does with it."""
    return (_utc(value) - EPOCH) // timedelta(milliseconds=1) if isinstance(value, datetime) else value


def to_iso(value: Any) -> Any:
    """Date-times go as ISO-8601 strings (numbers crash the official SDKs and HubSpot rejects them)."""
    if isinstance(value, datetime):
        return _utc(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _from_camel(cls: type[T], data: Json, **known: Any) -> T:
    """Build a dataclass from HubSpot's camelCase JSON; fields absent from the JSON are None."""
    values = {f.name: data.get(_camel(f.name)) for f in fields(cls) if f.name not in known}  # type: ignore[arg-type]
    return cls(**values, **known)


# ---------------------------------------------------------------------------------------------- inputs
class _Input:
    def to_json(self) -> Json:
        """Fields in camelCase, None left out; date-times as ISO strings, but interactionDateTime in epoch ms."""
        body = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if f.name == "interaction_date_time":
                value = to_ms(value)
            elif f.name == "custom_properties":
                value = [{"name": n, "value": v} for n, v in value.items()]
            elif isinstance(value, Mapping):
                value = {k: to_iso(v) for k, v in value.items()}
            if value is not None:
                body[_camel(f.name)] = to_iso(value)
        return body


@dataclass(frozen=True)
class EventInput(_Input):
    """One event for `upsert_events`, keyed by (app, external_account_id, external_event_id)."""

    external_account_id: str
    external_event_id: str
    event_name: str
    event_organizer: str
    event_type: str | None = None  # free text: WEBINAR, CONFERENCE...
    start_date_time: str | datetime | None = None
    end_date_time: str | datetime | None = None
    event_description: str | None = None
    event_url: str | None = None
    event_cancelled: bool | None = None
    event_completed: bool | None = None
    # Always sent, even empty: HubSpot's spec marks customProperties (and the maps below) required.
    custom_properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContactAttendance(_Input):
    """Attendance by contact id. For `attend`, properties carry joinedAt / leftAt (ISO strings or datetimes)."""

    vid: int
    interaction_date_time: Timestamp
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EmailAttendance(_Input):
    """Attendance by email; contact_properties are used only when HubSpot creates the contact."""

    email: str
    interaction_date_time: Timestamp
    properties: Mapping[str, Any] = field(default_factory=dict)
    contact_properties: Mapping[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- answers
class _Answer:
    @classmethod
    def from_json(cls: type[T], data: Json) -> T:
        return _from_camel(cls, data)


@dataclass(frozen=True)
class ItemError(_Answer):
    """One failed input of a batch (HubSpot's StandardError; live answers often lack `context`)."""

    category: str | None
    sub_category: str | None
    message: str | None
    context: Mapping[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Json) -> "ItemError":
        return _from_camel(cls, data, context=data.get("context") or {})


@dataclass(frozen=True)
class Attendee(_Answer):
    """A result of the attendance endpoints: `email` only on email-create."""

    vid: int
    email: str | None = None


@dataclass(frozen=True)
class Event(_Answer):
    """An event from upsert results or a read. Upsert results carry no external ids; reads add counts."""

    object_id: str
    event_name: str | None
    event_organizer: str | None
    event_type: str | None
    event_description: str | None
    event_url: str | None
    start_date_time: datetime | None
    end_date_time: datetime | None
    event_cancelled: bool | None
    event_completed: bool | None
    created_at: datetime | None
    updated_at: datetime | None
    custom_properties: dict[str, str]
    external_event_id: str | None
    event_status: str | None  # UPCOMING / ONGOING / PAST / CANCELLED, read by objectId only
    registrants: int | None
    attendees: int | None
    cancellations: int | None
    no_shows: int | None

    @classmethod
    def from_json(cls, data: Json) -> "Event":
        times = ("start_date_time", "end_date_time", "created_at", "updated_at")
        return _from_camel(
            cls,
            data,
            object_id=str(data.get("objectId") or data.get("id")),
            custom_properties={p["name"]: p.get("value") for p in data.get("customProperties") or []},
            **{name: _parse_time(data.get(_camel(name))) for name in times},
        )


@dataclass(frozen=True)
class Counters(_Answer):
    attended: int
    cancelled: int
    no_shows: int
    registered: int


@dataclass(frozen=True)
class Participation(_Answer):
    """One contact's current state in an event (a breakdown row)."""

    id: str
    contact_id: int
    email: str | None
    state: str  # REGISTERED / ATTENDED / CANCELLED / NO_SHOW
    occurred_at: int  # epoch ms
    created_at: datetime | None
    attendance_duration_seconds: int | None

    @classmethod
    def from_json(cls, data: Json) -> "Participation":
        contact, props = data["associations"]["contact"], data["properties"]
        return cls(
            id=data["id"],
            contact_id=int(contact["contactId"]),
            email=contact.get("email") or None,
            state=props["attendanceState"],
            occurred_at=props.get("occurredAt"),
            created_at=_parse_time(data.get("createdAt")),
            attendance_duration_seconds=props.get("attendanceDurationSeconds"),
        )


@dataclass(frozen=True)
class BatchResult(Generic[T]):
    """One write call's answer, merged over its chunks: `status` is COMPLETE only if every chunk's was (else the
    first other one); results and per-item errors of all chunks; `http_statuses` has one entry per request."""

    status: str
    results: list[T]
    errors: list[ItemError]
    requested_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    http_statuses: tuple[int, ...] = ()

    def raise_for_item_errors(self) -> "BatchResult[T]":
        if self.errors:
            raise BatchItemErrors(self)
        return self


# ---------------------------------------------------------------------------------------------- the shared part
@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Json | None = None

    def kwargs(self) -> dict[str, Any]:
        params = {k: v for k, v in (self.params or {}).items() if v is not None}
        return {"method": self.method, "url": self.path, "params": params, "json": self.json}


Answer = tuple[int, Any]  # HTTP status and parsed body (None for 204)
# A plan yields requests (and sleeps, as seconds) and is sent back their outcomes: an httpx.Response, or the
# httpx.TransportError the request raised. Plans hold all the logic; clients only carry out the steps.
Plan = Generator[Union[_Request, float], Any, T]


def _q(segment: Any) -> str:
    return quote(str(segment), safe="")  # ids may hold spaces, '+', '%'...


def _participations(object_id: Any, external_account_id: str | None, external_event_id: str | None) -> str:
    if object_id is not None:
        return f"{BASE}/participations/{_q(object_id)}"
    if external_account_id is None or external_event_id is None:
        raise ValueError("pass object_id, or both external_account_id and external_event_id")
    return f"{BASE}/participations/{_q(external_account_id)}/{_q(external_event_id)}"


def _answer(outcome: httpx.Response | Exception) -> Answer:
    """The final outcome of a request: a 2xx's body, or the typed error raised."""
    if isinstance(outcome, Exception):
        raise outcome
    if not outcome.is_success:
        raise error_from_response(outcome)
    if not outcome.content:
        return outcome.status_code, None  # 204: success without a body
    try:
        return outcome.status_code, outcome.json()
    except ValueError:  # not HubSpot's JSON: a wrong base URL, a login page, a proxy...
        raise HubSpotApiError("a 2xx answer that is not JSON", status=outcome.status_code, body=outcome.text) from None


def _retry_after(response: httpx.Response) -> float | None:
    """HubSpot sends no Retry-After, but a proxy in between may (only the seconds form is read)."""
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None


class _Endpoints:
    """Endpoint methods and retry policy. Subclasses provide `_run(plan)` (sync, or returning a coroutine)."""

    _http_class: type = httpx.Client
    _default_sleep: Callable[[float], Any] = staticmethod(time.sleep)

    def __init__(
        self,
        base_url: str | None = None,
        token: str | None = None,
        *,
        batch_size: int = 100,
        max_retries: int = 5,
        timeout: float | httpx.Timeout = 30.0,
        transport: Any = None,
        sleep: Callable[[float], Any] | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        if batch_size < 1 or max_retries < 0:
            raise ValueError("batch_size must be >= 1 and max_retries >= 0")
        self.base_url = base_url or os.environ.get("HUBSPOT_BASE_URL") or DEFAULT_BASE_URL
        token = token if token is not None else os.environ.get("HUBSPOT_ACCESS_TOKEN")
        self.batch_size, self.max_retries = batch_size, max_retries
        self._sleep = sleep or self._default_sleep
        self._random = random or _random.random
        # No token, no header: HubSpot's 401 then says so, which beats a client-side guess.
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = self._http_class(base_url=self.base_url, headers=headers, timeout=timeout, transport=transport)

    # ---- writes: HubSpot's operation names
    def upsert_events(self, inputs: Iterable[EventInput | Json]) -> BatchResult[Event]:
        return self._run(self._batches(f"{BASE}/events/upsert", None, inputs, Event.from_json))

    def record_by_contact_ids(
        self, external_event_id: str, state: str, inputs: Iterable[ContactAttendance | Json],
        external_account_id: str | None = None,
    ) -> BatchResult[Attendee]:
        path = f"{BASE}/attendance/{_q(external_event_id)}/{_q(state)}/create"
        return self._run(self._batches(path, {"externalAccountId": external_account_id}, inputs, Attendee.from_json))

    def record_by_email(
        self, object_id: str | int, state: str, inputs: Iterable[EmailAttendance | Json]
    ) -> BatchResult[Attendee]:
        path = f"{BASE}/{_q(object_id)}/attendance/{_q(state)}/email-create"
        return self._run(self._batches(path, None, inputs, Attendee.from_json))

    def upsert_by_contact_id(
        self, external_event_id: str, state: str, external_account_id: str, inputs: Iterable[ContactAttendance | Json]
    ) -> BatchResult[Attendee]:
        path = f"{BASE}/events/{_q(external_event_id)}/{_q(state)}/upsert"
        return self._run(self._batches(path, {"externalAccountId": external_account_id}, inputs, Attendee.from_json))

    # ---- reads
    def get_event(self, external_event_id: str, external_account_id: str) -> Event:
        request = _Request("GET", f"{BASE}/events/{_q(external_event_id)}", {"externalAccountId": external_account_id})
        return self._run(self._one(request, Event.from_json))

    def get_event_by_object_id(self, object_id: str | int) -> Event:
        return self._run(self._one(_Request("GET", f"{BASE}/{_q(object_id)}"), Event.from_json))

    def participation_counters(
        self, object_id: str | int | None = None, *, external_account_id: str | None = None,
        external_event_id: str | None = None,
    ) -> Counters:
        path = _participations(object_id, external_account_id, external_event_id)
        return self._run(self._one(_Request("GET", path), Counters.from_json))

    def participation_breakdown(
        self, object_id: str | int | None = None, *, external_account_id: str | None = None,
        external_event_id: str | None = None, state: str | None = None, contact_identifier: str | None = None,
    ) -> list[Participation]:
        """Every row, following `paging.next.after` (100 per page, HubSpot's maximum)."""
        path = _participations(object_id, external_account_id, external_event_id) + "/breakdown"
        return self._run(self._pages(path, {"state": state, "contactIdentifier": contact_identifier, "limit": 100}))

    # ---- plans
    def _call(self, request: _Request) -> Plan[Answer]:
        """One request under HubSpot's retry policy: sent again after each wait until it is final."""
        for attempt in itertools.count():
            outcome = yield request
            delay = self._retry_delay(attempt, outcome)
            if delay is None:
                return _answer(outcome)
            yield delay
        raise AssertionError("unreachable")

    def _batches(self, path: str, params: Any, inputs: Iterable[Any], parse: Callable[[Json], T]) -> Plan[BatchResult[T]]:
        """Send the inputs in chunks of batch_size and merge the answers. If a chunk raises, the chunks before
        it stay applied; resending all is safe, as HubSpot's upserts and attendance records are idempotent."""
        items = [dict(i) if isinstance(i, Mapping) else i.to_json() for i in inputs]  # dicts: HubSpot's JSON
        answers = []
        for start in range(0, len(items), self.batch_size):
            answers.append((yield from self._call(_Request("POST", path, params, {"inputs": items[start : start + self.batch_size]}))))
        bodies = [body or {} for _, body in answers]  # 204: success without a body
        statuses = [b.get("status", "COMPLETE") for b in bodies]
        return BatchResult(
            status=next((s for s in statuses if s != "COMPLETE"), "COMPLETE"),
            results=[parse(r) for b in bodies for r in b.get("results") or []],
            errors=[ItemError.from_json(e) for b in bodies for e in b.get("errors") or []],
            requested_at=_parse_time(bodies[0].get("requestedAt")) if bodies else None,
            started_at=_parse_time(bodies[0].get("startedAt")) if bodies else None,
            completed_at=_parse_time(bodies[-1].get("completedAt")) if bodies else None,
            http_statuses=tuple(status for status, _ in answers),
        )

    def _one(self, request: _Request, parse: Callable[[Json], T]) -> Plan[T]:
        _, body = yield from self._call(request)
        return parse(body)

    def _pages(self, path: str, params: Json) -> Plan[list[Participation]]:
        rows: list[Participation] = []
        after = None
        while True:
            _, body = yield from self._call(_Request("GET", path, {**params, "after": after}))
            rows += [Participation.from_json(r) for r in body.get("results", [])]
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return rows

    # ---- retry policy
    def _retry_delay(self, attempt: int, outcome: httpx.Response | Exception) -> float | None:
        """Seconds to wait before trying again, or None to stop here. POSTs are retried too: HubSpot's
        upserts and attendance records are idempotent while the inputs are unchanged."""
        if attempt >= self.max_retries:
            return None
        if isinstance(outcome, Exception):  # an httpx.TransportError: connect, read, timeout...
            return None if isinstance(outcome, httpx.UnsupportedProtocol) else self._backoff(attempt)
        if outcome.status_code == 429:
            return self._rate_limit_wait(outcome)
        if outcome.status_code >= 500:
            retry_after = _retry_after(outcome)
            return self._backoff(attempt) if retry_after is None else retry_after
        return None  # 2xx is done; other 4xx will not get better by asking again

    def _backoff(self, attempt: int) -> float:
        return min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt) + self._random() * BACKOFF_BASE

    def _rate_limit_wait(self, response: httpx.Response) -> float | None:
        body = json_object(response)
        policy = str(body.get("policyName") or "").upper()
        if not policy and "secondly limit" in str(body.get("message", "")):
            policy = "SECONDLY"  # older bodies name the policy only in the message (the Node SDK reads it there)
        if "DAILY" in policy:
            return None  # the daily quota comes back at midnight: waiting would only hang the caller
        retry_after = _retry_after(response)
        if retry_after is not None:
            return retry_after
        # An unknown policy waits for the rolling window, HubSpot's default limit. Jitter spreads the workers.
        return POLICY_WAITS.get(policy, POLICY_WAITS["TEN_SECONDLY_ROLLING"]) + self._random() * BACKOFF_BASE

    def _run(self, plan: Plan[T]) -> T:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------- the two clients
class MarketingEventsClient(_Endpoints):
    """Synchronous client. Use as a context manager, or call close()."""

    def _run(self, plan: Plan[T]) -> T:
        outcome: Any = None
        while True:
            try:
                step = plan.send(outcome)
            except StopIteration as done:
                return done.value
            try:
                outcome = self._http.request(**step.kwargs()) if isinstance(step, _Request) else self._sleep(step)
            except httpx.TransportError as exc:
                outcome = exc

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "MarketingEventsClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncMarketingEventsClient(_Endpoints):
    """The same methods, awaitable. `sleep` may be sync or async; `transport` an httpx async transport."""

    _http_class = httpx.AsyncClient
    _default_sleep = staticmethod(asyncio.sleep)

    async def _run(self, plan: Plan[T]) -> T:  # type: ignore[override]
        outcome: Any = None
        while True:
            try:
                step = plan.send(outcome)
            except StopIteration as done:
                return done.value
            try:
                outcome = (await self._http.request(**step.kwargs())) if isinstance(step, _Request) else self._sleep(step)
            except httpx.TransportError as exc:
                outcome = exc
            if inspect.isawaitable(outcome):  # asyncio.sleep; an injected sleep may be sync
                outcome = await outcome

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncMarketingEventsClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
