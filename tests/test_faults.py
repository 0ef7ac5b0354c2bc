"""Fault injection, rate limiting, the journal and the admin API, against a live server.

Each fault kind is met by the thin client (its retries recover exactly as documented; where a write
succeeded but the answer was lost, the retry does not duplicate state) and by the official Python SDK (its
typed exceptions for 401/403/404/5xx, a plain ApiException for 429).
"""

from __future__ import annotations

import json

import httpx
import hubspot
import pytest
from hubspot.marketing.events import BatchInputMarketingEventEmailSubscriber, MarketingEventEmailSubscriber
from hubspot.marketing.events.exceptions import (
    ApiException,
    ForbiddenException,
    NotFoundException,
    ServiceException,
    UnauthorizedException,
)
from starlette.testclient import TestClient

from contracts.client import EmailAttendance, EventInput, MarketingEventsClient
from contracts.errors import RateLimited
from mock_server import Settings, create_app
from mock_server.clock import FakeClock
from mock_server.faults import FaultBook, FaultRule
from mock_server.inspector.dump import dump_state

BASE = "/marketing/v3/marketing-events"
WHEN = 1_767_225_600_000


@pytest.fixture
def live(hubspot_mock):
    """The plugin's live server (reset before each test): its URL and its internals."""
    return hubspot_mock.base_url, hubspot_mock.app.state.mock


def thin(url: str, **kw) -> tuple[MarketingEventsClient, list[float]]:
    slept: list[float] = []
    return MarketingEventsClient(url, "pat-faults", sleep=slept.append, random=lambda: 0.0, **kw), slept


def arm(mock, **rule) -> FaultRule:
    return mock.faults.add(rule)


def event(client: MarketingEventsClient, event_id: str = "webinar-1"):
    return client.upsert_events([EventInput("acct-1", event_id, "Webinar", "Acme")]).results[0]


def contact_histories(mock) -> list[list[str]]:
    (ev,) = dump_state(mock.backend)["portals"]["1"]["events"]
    return [[h["state"] for h in s["history"]] for s in ev["subscribers"]]


# ---------------------------------------------------------------------------------------------- respond
def test_5xx_twice_then_the_thin_client_recovers_with_backoff(live):
    url, mock = live
    client, slept = thin(url)
    arm(mock, action="respond", status=503, operation="upsertEvents", times=2)
    assert event(client).event_name == "Webinar"
    assert slept == [0.2, 0.4]  # exponential backoff (jitter fixed at 0)
    statuses = [e.status for e in mock.journal.entries(operation="upsertEvents")]
    assert statuses == [200, 503, 503]  # newest first
    assert len(dump_state(mock.backend)["portals"]["1"]["events"]) == 1


def test_ten_secondly_429_waits_for_the_window_and_daily_is_not_retried(live):
    url, mock = live
    client, slept = thin(url)
    arm(mock, action="respond", status=429, rate_limit="ten_secondly", times=1)
    event(client)
    assert slept == [10.0]
    arm(mock, action="respond", status=429, rate_limit="daily", times=1)
    with pytest.raises(RateLimited) as raised:
        event(client, "webinar-2")
    assert raised.value.policy_name == "DAILY" and slept == [10.0]
    assert raised.value.body["errorType"] == "RATE_LIMIT" and "category" not in raised.value.body


@pytest.mark.parametrize(
    "status, exception",
    [(500, ServiceException), (503, ServiceException), (401, UnauthorizedException), (403, ForbiddenException),
     (404, NotFoundException), (429, ApiException)],
)
def test_the_official_sdk_raises_its_exceptions(live, status, exception):
    url, mock = live
    object_id = event(thin(url)[0]).object_id
    arm(mock, action="respond", status=status, operation="recordByEmail")
    sdk = hubspot.Client.create(access_token="pat-faults", host=url).marketing.events
    with pytest.raises(exception) as raised:
        sdk.add_event_attendees_api.record_by_email(object_id, "register", BatchInputMarketingEventEmailSubscriber(
            inputs=[MarketingEventEmailSubscriber(email="a@b.com", interaction_date_time=WHEN, properties={}, contact_properties={})]))
    assert raised.value.status == status
    if status == 429:
        assert type(raised.value) is ApiException and json.loads(raised.value.body)["policyName"] == "TEN_SECONDLY_ROLLING"


@pytest.mark.parametrize("status, category", [(500, "INTERNAL_ERROR"), (502, None), (503, None), (504, None)])
def test_server_errors_are_hubspot_envelopes(live, status, category):
    url, mock = live
    arm(mock, action="respond", status=status)
    answer = httpx.get(f"{url}{BASE}/1", headers={"Authorization": "Bearer t"})
    body = answer.json()
    assert (answer.status_code, body["status"], body.get("category")) == (status, "error", category)
    assert body["correlationId"] == answer.headers["X-HubSpot-Correlation-Id"]


def test_cdn_origin_errors_are_html_pages(live):
    url, mock = live
    arm(mock, action="respond", status=522)
    answer = httpx.get(f"{url}{BASE}/1", headers={"Authorization": "Bearer t"})
    assert answer.status_code == 522 and answer.headers["content-type"].startswith("text/html")


# ---------------------------------------------------------------------------------------------- lost answers
@pytest.mark.parametrize("rule", [
    {"action": "latency", "delay_ms": 600, "when": "after"},
    {"action": "drop", "when": "after"},
])
def test_a_write_whose_answer_is_lost_is_not_duplicated_by_the_retry(live, rule):
    url, mock = live
    client, slept = thin(url, timeout=0.3)
    object_id = event(client).object_id
    arm(mock, operation="recordByEmail", times=1, **rule)
    answer = client.record_by_email(object_id, "register", [EmailAttendance("ada@example.com", WHEN, {}, {})])
    assert len(slept) == 1  # one retry after the lost answer
    assert answer.results == []  # HubSpot answers an identical repeat with no results...
    assert contact_histories(mock) == [["REGISTERED"]]  # ...and stores it once


def test_a_dropped_request_before_the_change_is_retried(live):
    url, mock = live
    client, slept = thin(url)
    arm(mock, action="drop", operation="upsertEvents", times=1)
    event(client)
    assert len(slept) == 1
    (dropped,) = mock.journal.entries(faulted=True)
    assert dropped.status is None and dropped.fault.endswith("drop")


def test_a_hang_past_the_client_timeout(live):
    url, mock = live
    client, slept = thin(url, timeout=0.2, max_retries=0)
    arm(mock, action="hang", hang_ms=500, times=1)
    with pytest.raises(httpx.ReadTimeout):
        event(client)


def test_truncated_and_slow_bodies(live):
    url, mock = live
    client, slept = thin(url)
    arm(mock, action="truncate", times=1)
    assert event(client).object_id  # the client sees a broken answer, retries, and gets the event
    assert len(slept) == 1
    arm(mock, action="slow_body", chunk_bytes=50, chunk_delay_ms=5, times=1)
    assert event(client, "webinar-2").event_name == "Webinar"


# ---------------------------------------------------------------------------------------------- batches
def test_partial_batch_failure_applies_the_rest(live):
    url, mock = live
    client, _ = thin(url)
    object_id = event(client).object_id
    arm(mock, action="partial", fail_count=2, operation="recordByEmail", times=1)
    answer = client.record_by_email(object_id, "register", [EmailAttendance(f"p{i}@example.com", WHEN, {}, {}) for i in range(5)])
    assert [r.email for r in answer.results] == ["p2@example.com", "p3@example.com", "p4@example.com"]
    assert [(e.category, e.message) for e in answer.errors] == [
        ("INTERNAL_ERROR", f"Internal error while processing inputs[{i}]. Please try again.") for i in (0, 1)
    ]
    assert len(contact_histories(mock)) == 3


@pytest.mark.parametrize("status", ["PENDING", "PROCESSING", "CANCELED"])
def test_batch_status_other_than_complete(live, status):
    url, mock = live
    arm(mock, action="batch_status", batch_status=status, times=1)
    assert thin(url)[0].upsert_events([EventInput("acct-1", "e", "n", "o")]).status == status


# ---------------------------------------------------------------------------------------------- triggers
def test_seeded_probability_replays_identically():
    def pattern() -> list[bool]:
        book = FaultBook()
        book.add({"action": "respond", "status": 503, "probability": 0.3, "seed": 42})
        return [book.pick("upsertEvents", "/p", "POST", "t", 1, b"") is not None for _ in range(200)]

    first = pattern()
    assert first == pattern() and 30 < sum(first) < 90


def test_every_nth_and_matching_by_body_and_token():
    book = FaultBook()
    book.add({"action": "respond", "status": 500, "every": 3, "token": "t1", "body_contains": "webinar"})
    fired = [book.pick("upsertEvents", "/p", "POST", "t1", 1, b'{"webinar"}') is not None for _ in range(6)]
    assert fired == [False, False, True, False, False, True]
    assert book.pick("upsertEvents", "/p", "POST", "other", 1, b'{"webinar"}') is None


def test_one_off_fault_in_a_header(live):
    url, mock = live
    answer = httpx.get(f"{url}{BASE}/1", headers={"Authorization": "Bearer t", "X-HubSpot-Mock-Fault": '{"action": "respond", "status": 504}'})
    assert answer.status_code == 504 and answer.json()["correlationId"] == answer.headers["X-HubSpot-Correlation-Id"]
    assert httpx.get(f"{url}{BASE}/1", headers={"Authorization": "Bearer t", "X-HubSpot-Mock-Fault": "{bad"}).status_code == 400


def test_faults_file_is_armed_at_start(tmp_path):
    path = tmp_path / "faults.yaml"
    path.write_text("- {action: respond, status: 503, operation: getByObjectId}\n")
    client = TestClient(create_app(Settings(faults_path=str(path))), base_url="http://localhost")
    assert client.get(f"{BASE}/1", headers={"Authorization": "Bearer t"}).status_code == 503


# ---------------------------------------------------------------------------------------------- rate limits
def test_the_rate_limiter_is_exact_and_the_window_rolls():
    clock = FakeClock()
    client = TestClient(create_app(Settings(enforce_rate_limits=True), clock=clock), base_url="http://localhost")
    get = lambda token="a": client.get(f"{BASE}/participations/1", headers={"Authorization": f"Bearer {token}"})  # noqa: E731
    assert [get().status_code for _ in range(100)] == [404] * 100
    refused = get()
    assert refused.status_code == 429 and "Retry-After" not in refused.headers
    body = refused.json()
    assert (body["message"], body["errorType"], body["policyName"]) == ("You have reached your ten_secondly_rolling limit.", "RATE_LIMIT", "TEN_SECONDLY_ROLLING")
    assert body["groupName"] == "publicapi:hapikey-api-calls-ten-secondly:1" and "category" not in body
    assert get("b").status_code == 404  # per token
    clock.advance(10.001)
    assert get().status_code == 404 and get().headers["X-HubSpot-RateLimit-Remaining"] == "98"


def test_the_daily_quota():
    client = TestClient(create_app(Settings(enforce_rate_limits=True, rate_limit_tier="free"), clock=FakeClock()), base_url="http://localhost")
    counters = client.app.state.mock.counters
    counters._daily["t"] = (counters.today(), 250_000)  # the whole free-tier quota used today
    body = client.get(f"{BASE}/participations/1", headers={"Authorization": "Bearer t"}).json()
    assert body["policyName"] == "DAILY" and body["message"] == "You have reached your daily limit."


# ---------------------------------------------------------------------------------------------- journal and admin
def test_journal_redacts_tokens_and_records_the_call(live):
    url, mock = live
    event(thin(url)[0])
    (entry,) = mock.journal.entries()
    assert entry.headers["authorization"] == "[redacted]" and "pat-faults" not in json.dumps(entry.to_dict())
    assert (entry.method, entry.operation, entry.status, entry.fault) == ("POST", "upsertEvents", 200, None)
    assert '"webinar-1"' in entry.body and '"COMPLETE"' in entry.response and entry.duration_ms > 0


def test_journal_is_bounded():
    client = TestClient(create_app(Settings(journal_size=5)), base_url="http://localhost")
    for _ in range(12):
        client.get(f"{BASE}/1", headers={"Authorization": "Bearer t"})
    assert len(client.get("/__mock/journal").json()["results"]) == 5


def test_admin_api_faults_state_reset_and_its_token():
    client = TestClient(create_app(Settings(admin_token="admin-secret")), base_url="http://localhost")
    admin = {"Authorization": "Bearer admin-secret"}
    assert client.get("/__mock/state").status_code == 401
    (rule,) = client.post("/__mock/faults", json={"action": "respond", "status": 503}, headers=admin).json()
    assert [r["id"] for r in client.get("/__mock/faults", headers=admin).json()] == [rule["id"]]
    assert client.get(f"{BASE}/1", headers={"Authorization": "Bearer t"}).status_code == 503
    assert client.delete(f"/__mock/faults/{rule['id']}", headers=admin).status_code == 204
    client.post(f"{BASE}/events/upsert", json={"inputs": [{"externalAccountId": "a", "externalEventId": "e", "eventName": "n", "eventOrganizer": "o"}]}, headers={"Authorization": "Bearer t"})
    assert len(client.get("/__mock/state", headers=admin).json()["portals"]["1"]["events"]) == 1
    assert client.post("/__mock/reset", headers={**admin, "Content-Type": "application/json"}).status_code == 204
    assert client.get("/__mock/state", headers=admin).json()["portals"]["1"]["events"] == []
    assert client.post("/__mock/faults", json={"action": "explode"}, headers=admin).status_code == 400


def test_admin_api_can_be_turned_off():
    assert TestClient(create_app(Settings(admin_enabled=False)), base_url="http://localhost").get("/__mock/state").status_code == 404


@pytest.mark.parametrize("host, token, served", [("127.0.0.1", None, True), ("0.0.0.0", None, False), ("0.0.0.0", "s3cret", True)])
def test_admin_api_off_loopback_needs_its_token(host, token, served):
    client = TestClient(create_app(Settings(host=host, admin_token=token)), base_url="http://localhost")
    answer = client.get("/__mock/state", headers={"Authorization": f"Bearer {token}"} if token else {})
    assert answer.status_code == (200 if served else 404)
