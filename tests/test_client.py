"""The contract kit's client: round trips against a live mock, retries against a scripted transport.

Live tests run the real client over real HTTP against `serve_in_thread(create_app(...))`. The mock has no fault
injection, so retries are tested with `Script`, a transport that plays a queued list of HubSpot answers (bodies
from FACTS.md) and records what it was sent; the injected `sleep` records the waits instead of waiting.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from contextlib import ExitStack
from datetime import datetime, timezone
from typing import Any, Callable

import httpx
import pytest

from contracts.client import (
    BACKOFF_BASE,
    AsyncMarketingEventsClient,
    Attendee,
    BatchResult,
    ContactAttendance,
    Counters,
    EmailAttendance,
    Event,
    EventInput,
    ItemError,
    MarketingEventsClient,
)
from contracts.errors import (
    AuthenticationFailed,
    BatchItemErrors,
    HubSpotApiError,
    MissingScopes,
    NotFoundError,
    RateLimited,
    ServerError,
    ValidationFailed,
)
from mock_server import Settings, create_app
from mock_server.clock import FakeClock
from mock_server.testing import serve_in_thread

TOKEN = "pat-test"
ACCOUNT, EVENT_ID = "acct-1", "webinar-1"
ADA, BOB = 2**31 + 101, 2**31 + 102  # vids above 2^31, as in real portals
UNKNOWN_VID = 2**31 + 999
WHEN = 1_767_225_600_000  # 2026-01-01T00:00:00Z, FakeClock's start
WHEN_DT = datetime(2026, 1, 1, tzinfo=timezone.utc)
START, END = datetime(2026, 12, 1, 15, tzinfo=timezone.utc), datetime(2026, 12, 1, 16, tzinfo=timezone.utc)
SPAN = {"joinedAt": START, "leftAt": END}
READ_SCOPE = "crm.objects.marketing_events.read"
CID = "0b8f5f8e-3c1a-4d2b-9e4f-1a2b3c4d5e6f"  # the correlation id of scripted answers
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SEED: dict[str, Any] = {
    "portals": [
        {
            "id": 1,
            "propertyDefinitions": ["webinar_platform"],
            "contacts": [{"vid": ADA, "email": "ada@example.com"}, {"vid": BOB, "email": "bob@example.com"}],
        }
    ],
    "tokens": [{"token": "ro", "scopes": [READ_SCOPE]}, {"token": "expired", "expired": True}],
}


# ---------------------------------------------------------------------------------------------- live helpers
class Recorder(httpx.HTTPTransport):
    """A real HTTP transport that keeps the requests it sent, to count batches and pages."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return super().handle_request(request)


@pytest.fixture
def connect():
    """connect(profile="live", token=TOKEN, settings={}, **client_options) -> (client, its sent requests),
    on a fresh seeded mock served over real HTTP."""
    with ExitStack() as stack:

        def make(profile: str = "live", token: str = TOKEN, settings: dict | None = None, **options: Any):
            app = create_app(Settings.for_profile(profile, **(settings or {})), seed=SEED, clock=FakeClock())
            url = stack.enter_context(serve_in_thread(app))
            recorder = Recorder()
            client = stack.enter_context(MarketingEventsClient(url, token, transport=recorder, **options))
            return client, recorder.sent

        yield make


@pytest.fixture
def client(connect) -> MarketingEventsClient:
    return connect()[0]


def event_input(**fields: Any) -> EventInput:
    defaults = dict(external_account_id=ACCOUNT, external_event_id=EVENT_ID, event_name="Launch", event_organizer="Acme")
    return EventInput(**{**defaults, **fields})


def create_event(client: MarketingEventsClient) -> Event:
    (event,) = client.upsert_events([event_input(start_date_time=START, end_date_time=END)]).results
    return event


def by_vid(*vids: int, **properties: Any) -> list[ContactAttendance]:
    return [ContactAttendance(vid, WHEN, properties) for vid in vids]


def by_email(*emails: str) -> list[EmailAttendance]:
    return [EmailAttendance(email, WHEN) for email in emails]


def write(client: MarketingEventsClient, endpoint: str, event: Event, state: str, inputs: list) -> BatchResult[Attendee]:
    """Call one of the three attendance endpoints for the event EVENT_ID (endpoint 2 names it by objectId)."""
    if endpoint == "record_by_email":
        return client.record_by_email(event.object_id, state, inputs)
    if endpoint == "record_by_contact_ids":
        return client.record_by_contact_ids(EVENT_ID, state, inputs, external_account_id=ACCOUNT)
    return client.upsert_by_contact_id(EVENT_ID, state, ACCOUNT, inputs)


def posted_inputs(sent: list[httpx.Request]) -> list[int]:
    """The number of inputs of each POST the client sent."""
    return [len(json.loads(r.content)["inputs"]) for r in sent if r.method == "POST"]


# ---------------------------------------------------------------------------------------------- scripted helpers
def answer(status: int, body: Any = None, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers={"X-HubSpot-Correlation-Id": CID, **headers})


def envelope(status: int, category: str | None, message: str = "boom") -> httpx.Response:
    body = {"status": "error", "message": message, "correlationId": CID}
    return answer(status, {**body, "category": category} if category else body)


def rate_limited(policy: str | None, message: str | None = None, **headers: str) -> httpx.Response:
    """HubSpot's 429 body (FACTS.md): no category, errorType RATE_LIMIT, policyName."""
    body = {
        "status": "error",
        "message": message or f"You have reached your {(policy or '').lower()} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": CID,
        "policyName": policy,
        "groupName": f"publicapi:hapikey-api-calls-{(policy or '').lower()}:1",
    }
    return answer(429, {k: v for k, v in body.items() if v is not None}, **headers)


def batch(*vids: int, status: str = "COMPLETE", errors: list | None = None, stamp: str = "00.000") -> httpx.Response:
    body = {
        "status": status,
        "results": [{"vid": v} for v in vids],
        "requestedAt": f"2026-01-01T00:00:{stamp}Z",
        "startedAt": f"2026-01-01T00:00:{stamp}Z",
        "completedAt": f"2026-01-01T00:00:{stamp}Z",
    }
    return answer(200, {**body, "numErrors": len(errors), "errors": errors} if errors else body)


class Script(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers each request with the next step: a copy of an httpx.Response (so the tables above can be shared
    by tests), or an exception to raise. Sync and async."""

    def __init__(self, steps: list[httpx.Response | Exception]) -> None:
        self.steps = list(steps)
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        return httpx.Response(step.status_code, headers=step.headers, content=step.content)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self.handle_request(request)


@pytest.fixture(params=["sync", "async"])
def scripted(request):
    """scripted(steps, **client_options) -> (call, transport, sleeps); call(method, *args) runs one client
    method on a sync or async client (the fixture runs each test with both), with jitter 0 unless given."""

    def make(steps: list, **options: Any) -> tuple[Callable[..., Any], Script, list[float]]:
        transport, sleeps = Script(steps), []
        cls = MarketingEventsClient if request.param == "sync" else AsyncMarketingEventsClient
        options.setdefault("random", lambda: 0.0)
        client = cls("https://api.test", TOKEN, transport=transport, sleep=sleeps.append, **options)

        def call(name: str, *args: Any, **kwargs: Any) -> Any:
            result = getattr(client, name)(*args, **kwargs)
            return asyncio.run(result) if inspect.iscoroutine(result) else result

        return call, transport, sleeps

    return make


def register_ada(call: Callable[..., Any]) -> BatchResult[Attendee]:
    return call("record_by_contact_ids", EVENT_ID, "register", by_vid(ADA), external_account_id=ACCOUNT)


# ---------------------------------------------------------------------------------------------- round trips
def test_upsert_events_and_reads_are_typed(client):
    upserted = client.upsert_events(
        [event_input(event_type="WEBINAR", start_date_time=START, end_date_time=END,
                     custom_properties={"webinar_platform": "Zoom", "not_defined": "x"})]
    )
    assert (upserted.status, upserted.http_statuses, upserted.errors) == ("COMPLETE", (200,), [])
    assert isinstance(upserted.requested_at, datetime) and isinstance(upserted.completed_at, datetime)
    (event,) = upserted.results
    assert (event.event_name, event.event_type, event.start_date_time, event.end_date_time) == ("Launch", "WEBINAR", START, END)
    assert event.custom_properties == {"webinar_platform": "Zoom"}  # HubSpot drops undefined properties
    assert event.external_event_id is None  # upsert results carry no external ids

    by_ids = client.get_event(EVENT_ID, ACCOUNT)
    by_object = client.get_event_by_object_id(event.object_id)
    assert by_ids.object_id == by_object.object_id == event.object_id
    assert by_ids.external_event_id == by_object.external_event_id == EVENT_ID
    assert (by_ids.registrants, by_ids.attendees, by_ids.cancellations, by_ids.no_shows) == (0, 0, 0, 0)
    assert by_object.event_status == "UPCOMING" and by_object.custom_properties == {"webinar_platform": "Zoom"}

    (renamed,) = client.upsert_events([event_input(event_name="Renamed")]).results
    assert (renamed.object_id, renamed.event_name, renamed.start_date_time) == (event.object_id, "Renamed", START)


def test_plain_dict_inputs_are_sent_as_given(client):
    event = create_event(client)
    raw = {"email": "Dict@Example.com", "interactionDateTime": WHEN, "properties": {}, "contactProperties": {}}
    (attendee,) = client.record_by_email(event.object_id, "register", [raw]).results
    assert attendee.email == "dict@example.com" and attendee.vid > 2**31


ATTENDANCE = [  # endpoint, state, inputs (timestamps as datetimes or ms), HTTP status
    pytest.param("record_by_email", "register", [EmailAttendance("new@example.com", WHEN_DT, contact_properties={"firstname": "New"})], 200),
    pytest.param("record_by_contact_ids", "attend", [ContactAttendance(ADA, WHEN, SPAN)], 201),  # live HubSpot: 201
    pytest.param("upsert_by_contact_id", "cancel", [ContactAttendance(ADA, WHEN_DT)], 204),  # no body, no results
]
READ_STATE = {"register": "REGISTERED", "attend": "ATTENDED", "cancel": "CANCELLED"}


@pytest.mark.parametrize("endpoint, state, inputs, http_status", ATTENDANCE)
def test_attendance_round_trip(client, endpoint, state, inputs, http_status):
    event = create_event(client)
    result = write(client, endpoint, event, state, inputs)
    assert (result.status, result.http_statuses, result.errors) == ("COMPLETE", (http_status,), [])
    assert all(isinstance(r, Attendee) and r.vid > 2**31 for r in result.results)
    assert len(result.results) == (0 if http_status == 204 else 1)

    counters = client.participation_counters(event.object_id)
    assert counters == client.participation_counters(external_account_id=ACCOUNT, external_event_id=EVENT_ID)
    zeros = dict.fromkeys(["attended", "cancelled", "no_shows", "registered"], 0)
    assert counters == Counters(**{**zeros, READ_STATE[state].lower(): 1})
    (row,) = client.participation_breakdown(event.object_id)
    assert (row.state, row.occurred_at) == (READ_STATE[state], WHEN)  # datetimes went out as epoch ms
    if state == "attend":
        assert row.attendance_duration_seconds == 3600  # joinedAt/leftAt went out as ISO instants


def test_external_account_id_is_optional_in_the_spec_profile(connect):
    client, _ = connect("spec")
    create_event(client)
    result = client.record_by_contact_ids(EVENT_ID, "register", by_vid(ADA))
    assert (result.http_statuses, result.results) == ((200,), [Attendee(ADA)])


def test_batches_are_split_and_merged(connect):
    client, sent = connect(batch_size=100)
    event = create_event(client)
    sent.clear()
    inputs = [EmailAttendance(f"p{i}@example.com", WHEN + i) for i in range(250)]
    result = client.record_by_email(event.object_id, "register", inputs)
    assert posted_inputs(sent) == [100, 100, 50]
    assert (result.status, result.http_statuses) == ("COMPLETE", (200, 200, 200))
    assert [r.email for r in result.results] == [i.email for i in inputs]
    assert len({r.vid for r in result.results}) == 250

    sent.clear()
    rows = client.participation_breakdown(external_account_id=ACCOUNT, external_event_id=EVENT_ID)
    assert [r.method for r in sent] == ["GET"] * 3  # 100 per page, following paging.next.after
    assert {r.email for r in rows} == {i.email for i in inputs}
    assert client.participation_counters(event.object_id).registered == 250


def test_breakdown_filters(client):
    event = create_event(client)
    client.record_by_contact_ids(EVENT_ID, "register", by_vid(ADA, BOB), ACCOUNT)
    client.upsert_by_contact_id(EVENT_ID, "cancel", ACCOUNT, [ContactAttendance(BOB, WHEN + 1)])
    assert [r.contact_id for r in client.participation_breakdown(event.object_id, state="CANCELLED")] == [BOB]
    assert [r.state for r in client.participation_breakdown(event.object_id, contact_identifier="ada@example.com")] == ["REGISTERED"]


def test_empty_inputs_send_nothing(connect):
    client, sent = connect()
    assert client.upsert_events([]) == BatchResult("COMPLETE", [], [])
    assert sent == []


def test_base_url_and_token_come_from_the_environment(client, monkeypatch):
    monkeypatch.setenv("HUBSPOT_BASE_URL", str(client.base_url))
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "ro")  # read-only: reads work, writes are 403
    with MarketingEventsClient() as from_env:
        with pytest.raises(MissingScopes):
            from_env.upsert_events([event_input()])
        with pytest.raises(NotFoundError):
            from_env.get_event(EVENT_ID, ACCOUNT)
    monkeypatch.delenv("HUBSPOT_BASE_URL")
    with MarketingEventsClient(token="x") as default:
        assert default.base_url == "https://api.hubapi.com"


# ---------------------------------------------------------------------------------------------- typed errors, live
ERRORS = {  # token, call, exception, HTTP status, category
    "lower-case-state-only": (TOKEN, lambda c: c.record_by_email("510000000001", "REGISTERED", by_email("a@b.co")), ValidationFailed, 400, "VALIDATION_ERROR"),
    "create-needs-account-live": (TOKEN, lambda c: c.record_by_contact_ids(EVENT_ID, "register", by_vid(ADA)), ValidationFailed, 400, "VALIDATION_ERROR"),
    "bad-field-type": (TOKEN, lambda c: c.upsert_events([{"externalAccountId": 1}]), ValidationFailed, 400, "VALIDATION_ERROR"),
    "bearer-bearer": ("Bearer pat-doubled", lambda c: c.get_event_by_object_id("1"), AuthenticationFailed, 401, "INVALID_AUTHENTICATION"),
    "expired-token": ("expired", lambda c: c.get_event_by_object_id("1"), AuthenticationFailed, 401, "EXPIRED_AUTHENTICATION"),
    "read-only-token": ("ro", lambda c: c.upsert_events([event_input()]), MissingScopes, 403, "MISSING_SCOPES"),
    "unknown-event": (TOKEN, lambda c: c.get_event("nope", ACCOUNT), NotFoundError, 404, "OBJECT_NOT_FOUND"),
    "unknown-object-id": (TOKEN, lambda c: c.participation_counters(999), NotFoundError, 404, "OBJECT_NOT_FOUND"),
}


@pytest.mark.parametrize("case", ERRORS)
def test_http_errors_are_typed_and_not_retried(connect, case):
    token, call, error_type, status, category = ERRORS[case]
    client, sent = connect(token=token, sleep=pytest.fail)  # any retry would sleep first
    with pytest.raises(error_type) as raised:
        call(client)
    error = raised.value
    assert (error.status, error.category) == (status, category)
    assert UUID4.match(error.correlation_id) and error.body["correlationId"] == error.correlation_id
    assert error.message == error.body["message"] and error.correlation_id in str(error)
    assert len(sent) == 1
    if status == 403:
        assert error.body["errors"][0]["context"]["requiredGranularScopes"] == ["crm.objects.marketing_events.write"]


# ---------------------------------------------------------------------------------------------- per-item errors, live
NOT_FOUND = ("OBJECT_NOT_FOUND", None)
JOINED_LATE = ("VALIDATION_ERROR", "AttendanceValidationError.JOINED_AT_IS_LATER_THAN_LEFT_AT_FOR_CONTACT")
MIXED_207 = {"mixed_batch_status": 207}
ITEM_ERRORS = [  # profile, settings, endpoint, state, inputs, HTTP status, (category, subCategory), number of results
    pytest.param("live", {}, "record_by_contact_ids", "register", by_vid(ADA, UNKNOWN_VID), 201, NOT_FOUND, 1, id="unknown-vid-201"),
    pytest.param("live", {}, "record_by_contact_ids", "attend", by_vid(ADA, joinedAt=END, leftAt=START), 201, JOINED_LATE, 0, id="joined-late"),
    pytest.param("live", MIXED_207, "record_by_contact_ids", "register", by_vid(UNKNOWN_VID), 207, NOT_FOUND, 0, id="unknown-vid-207"),
    pytest.param("live", MIXED_207, "record_by_email", "register", by_email("a@b.co", "no-at"), 207, ("VALIDATION_ERROR", "INVALID_EMAIL"), 1, id="email-207"),
    pytest.param("live", {}, "upsert_by_contact_id", "register", by_vid(BOB, UNKNOWN_VID), 200, NOT_FOUND, 1, id="upsert-by-vid-200"),
    pytest.param("spec", MIXED_207, "upsert_by_contact_id", "register", by_vid(UNKNOWN_VID), 207, NOT_FOUND, 0, id="upsert-by-vid-207-spec"),
]


@pytest.mark.parametrize("profile, settings, endpoint, state, inputs, http_status, kind, n_results", ITEM_ERRORS)
def test_per_item_errors_are_surfaced_whatever_the_2xx(connect, profile, settings, endpoint, state, inputs, http_status, kind, n_results):
    client, _ = connect(profile, settings=settings)
    result = write(client, endpoint, create_event(client), state, inputs)
    assert result.http_statuses == (http_status,) and len(result.results) == n_results
    (error,) = result.errors
    assert isinstance(error, ItemError) and (error.category, error.sub_category) == kind
    assert error.message
    if profile == "spec":  # the spec's StandardError names the input in `context`
        assert error.context == {"vid": [str(UNKNOWN_VID)]}
    with pytest.raises(BatchItemErrors) as raised:
        result.raise_for_item_errors()
    assert raised.value.errors == result.errors and raised.value.result is result


def test_raise_for_item_errors_passes_a_clean_batch(client):
    result = client.upsert_events([event_input()])
    assert result.raise_for_item_errors() is result


# ---------------------------------------------------------------------------------------------- retries, scripted
RETRIED = {
    "503-503-ok": ([envelope(503, None), envelope(503, None), batch(ADA)], [0.2, 0.4]),
    "502-504-ok": ([envelope(502, None), envelope(504, None), batch(ADA)], [0.2, 0.4]),
    "html-502-ok": ([httpx.Response(502, text="<html>Bad gateway</html>"), batch(ADA)], [0.2]),
    "ten-secondly": ([rate_limited("TEN_SECONDLY_ROLLING"), batch(ADA)], [10.0]),
    "secondly": ([rate_limited("SECONDLY"), batch(ADA)], [1.0]),
    "secondly-by-message": ([rate_limited(None, "You have reached your secondly limit."), batch(ADA)], [1.0]),
    "unknown-policy-waits-window": ([rate_limited("SOMETHING_NEW"), batch(ADA)], [10.0]),
    "429-retry-after": ([rate_limited("TEN_SECONDLY_ROLLING", **{"Retry-After": "3"}), batch(ADA)], [3.0]),
    "503-retry-after": ([answer(503, None, **{"Retry-After": "2"}), batch(ADA)], [2.0]),
    "connect-error": ([httpx.ConnectError("refused"), batch(ADA)], [0.2]),
    "timeout-then-503": ([httpx.ReadTimeout("slow"), envelope(503, None), batch(ADA)], [0.2, 0.4]),
}


@pytest.mark.parametrize("case", RETRIED)
def test_transient_failures_are_retried(scripted, case):
    steps, waits = RETRIED[case]
    call, transport, sleeps = scripted(steps)
    assert register_ada(call).results == [Attendee(ADA)]
    assert sleeps == waits
    assert len(transport.sent) == len(waits) + 1
    assert len({(r.url, r.content) for r in transport.sent}) == 1  # the same request each time


NOT_RETRIED = {
    "daily": (rate_limited("DAILY"), RateLimited, None),
    "400": (envelope(400, "VALIDATION_ERROR"), ValidationFailed, "VALIDATION_ERROR"),
    "401": (envelope(401, "INVALID_AUTHENTICATION"), AuthenticationFailed, "INVALID_AUTHENTICATION"),
    "403": (envelope(403, "MISSING_SCOPES"), MissingScopes, "MISSING_SCOPES"),
    "404": (envelope(404, "OBJECT_NOT_FOUND"), NotFoundError, "OBJECT_NOT_FOUND"),
    "409": (envelope(409, "CONFLICT"), HubSpotApiError, "CONFLICT"),
}


@pytest.mark.parametrize("case", NOT_RETRIED)
def test_permanent_failures_are_not_retried(scripted, case):
    response, error_type, category = NOT_RETRIED[case]
    call, transport, sleeps = scripted([response])
    with pytest.raises(error_type) as raised:
        register_ada(call)
    assert type(raised.value) is error_type and raised.value.category == category
    assert raised.value.correlation_id == CID
    assert (len(transport.sent), sleeps) == (1, [])
    if case == "daily":
        assert raised.value.policy_name == "DAILY"


def test_a_2xx_that_is_not_json_is_an_error(scripted):
    call, transport, sleeps = scripted([httpx.Response(200, text="<html>Sign in</html>")])
    with pytest.raises(HubSpotApiError) as raised:
        register_ada(call)
    assert (raised.value.status, raised.value.body, len(transport.sent), sleeps) == (200, "<html>Sign in</html>", 1, [])


@pytest.mark.parametrize("jitter", [0.0, 0.99])
def test_backoff_grows_and_is_bounded(scripted, jitter):
    call, transport, sleeps = scripted([envelope(503, "INTERNAL_ERROR") for _ in range(9)], max_retries=8, random=lambda: jitter)
    with pytest.raises(ServerError) as raised:
        register_ada(call)
    assert raised.value.status == 503 and len(transport.sent) == 9
    for slept, base in zip(sleeps, [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 10.0, 10.0], strict=True):
        assert base <= slept < base + BACKOFF_BASE


EXHAUSTED = {
    "503": (lambda: envelope(503, None), ServerError),
    "ten-secondly": (lambda: rate_limited("TEN_SECONDLY_ROLLING"), RateLimited),
    "connect-error": (lambda: httpx.ConnectError("refused"), httpx.ConnectError),
}


@pytest.mark.parametrize("max_retries", [0, 5])
@pytest.mark.parametrize("case", EXHAUSTED)
def test_retries_stop_after_max_retries(scripted, case, max_retries):
    make_step, error_type = EXHAUSTED[case]
    call, transport, sleeps = scripted([make_step() for _ in range(max_retries + 1)], max_retries=max_retries)
    with pytest.raises(error_type):
        register_ada(call)
    assert (len(transport.sent), len(sleeps)) == (max_retries + 1, max_retries)
    if case == "ten-secondly":
        assert all(slept >= 10 for slept in sleeps)  # each wait covers the rolling window


def test_chunks_merge_status_errors_and_times(scripted):
    """COMPLETE only if every chunk was; errors of every chunk kept; times span the chunks."""
    error = {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "no such vid", "context": {"vid": ["7"]}}
    call, transport, _ = scripted(
        [batch(ADA, stamp="01.000"), batch(status="PROCESSING", errors=[error]), batch(BOB, errors=[error], stamp="09.000")],
        batch_size=1,
    )
    inputs = [ContactAttendance(v, WHEN) for v in (ADA, 7, BOB)]
    result = call("record_by_contact_ids", EVENT_ID, "register", inputs, external_account_id=ACCOUNT)
    assert posted_inputs(transport.sent) == [1, 1, 1]
    assert result.status == "PROCESSING"
    assert result.results == [Attendee(ADA), Attendee(BOB)]
    assert result.errors == [ItemError("OBJECT_NOT_FOUND", None, "no such vid", {"vid": ["7"]})] * 2
    assert (result.requested_at.second, result.completed_at.second) == (1, 9)


# ---------------------------------------------------------------------------------------------- async, in process
def test_async_client_round_trip_over_asgi():
    app = create_app(Settings.for_profile("live"), seed=SEED, clock=FakeClock())

    async def scenario() -> None:
        async with AsyncMarketingEventsClient("http://mock", TOKEN, transport=httpx.ASGITransport(app=app), batch_size=2) as client:
            (event,) = (await client.upsert_events([event_input()])).results
            emails = [EmailAttendance(f"a{i}@example.com", WHEN) for i in range(5)]
            assert len((await client.record_by_email(event.object_id, "register", emails)).results) == 5
            assert (await client.participation_counters(event.object_id)).registered == 5
            assert len(await client.participation_breakdown(event.object_id)) == 5
            with pytest.raises(NotFoundError):
                await client.get_event("nope", ACCOUNT)

    asyncio.run(scenario())
