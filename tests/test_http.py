"""HTTP tests of the mock, in process: status codes, bodies, headers and state, as a client sees them."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.clock import FakeClock
from mock_server.inspector.dump import dump_state

from envelopes import ABSENT, JSON_CT, UUID4, assert_error_response

BASE = "/marketing/v3/marketing-events"
UPSERT_EVENTS = f"{BASE}/events/upsert"
TOKEN = "pat-test"
ACCOUNT = "acct-1"
EVENT_ID = "webinar-1"
NOW_MS = 1_767_225_600_000  # FakeClock's start, 2026-01-01T00:00:00Z
READ_SCOPE = "crm.objects.marketing_events.read"
WRITE_SCOPE = "crm.objects.marketing_events.write"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

# Seeded contacts (vids above 2^31, as in real portals) and tokens.
ADA, BOB, CY = 2**31 + 101, 2**31 + 102, 2**31 + 103
EMAILS = {ADA: "ada@example.com", BOB: "bob@example.com", CY: "cy@example.com"}
SEED: dict[str, Any] = {
    "portals": [
        {
            "id": 1,
            "propertyDefinitions": ["webinar_platform"],
            "contacts": [
                {"vid": ADA, "email": EMAILS[ADA], "properties": {"firstname": "Ada", "lastname": "Lovelace"}},
                {"vid": BOB, "email": EMAILS[BOB]},
                {"vid": CY, "email": EMAILS[CY]},
            ],
        }
    ],
    "tokens": [
        {"token": "ro", "scopes": [READ_SCOPE]},
        {"token": "app2", "appId": 2},
    ],
}
ATTEND_SPAN = {"joinedAt": "2025-12-31T10:00:00Z", "leftAt": "2025-12-31T11:00:00Z"}
PROPERTY_VALUE_FIELDS = {
    "name", "value", "dataSensitivity", "isEncrypted", "isLargeValue", "maskedSubstrings", "persistenceTimestamp",
    "requestId", "selectedByUser", "selectedByUserTimestamp", "source", "sourceId", "sourceLabel", "sourceMetadata",
    "sourceUpstreamDeployable", "sourceVid", "timestamp", "unit", "updatedByUserId",
    "useTimestampAsPersistenceTimestamp",
}


# ---------------------------------------------------------------------------------------------- helpers
@pytest.fixture
def make_client():
    """make_client(profile="live", seed=SEED, **setting_overrides) -> a TestClient on a fresh mock (FakeClock)."""

    def make(
        profile: str = "live", seed: dict[str, Any] | None = SEED, *, raise_server_exceptions: bool = True, **overrides: Any
    ) -> TestClient:
        app = create_app(Settings.for_profile(profile, **overrides), seed=seed, clock=FakeClock())
        return TestClient(app, raise_server_exceptions=raise_server_exceptions)

    return make


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def dump(client: TestClient) -> dict[str, Any]:
    return dump_state(client.app.state.backend)


def event_input(event_id: str = EVENT_ID, account: str = ACCOUNT, **fields: Any) -> dict[str, Any]:
    return {
        "externalAccountId": account,
        "externalEventId": event_id,
        "eventName": "Launch webinar",
        "eventOrganizer": "Ada",
        "customProperties": [],
        **fields,
    }


def upsert_event(client: TestClient, event_id: str = EVENT_ID, account: str = ACCOUNT, token: str = TOKEN, **fields: Any) -> dict[str, Any]:
    """Create or update one event through endpoint 3; its result item."""
    response = client.post(UPSERT_EVENTS, json={"inputs": [event_input(event_id, account, **fields)]}, headers=auth(token))
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    return result


def props_for(state: str) -> dict[str, str]:
    return dict(ATTEND_SPAN) if state == "attend" else {}


def vid_input(vid: Any, state: str = "register", at: Any = NOW_MS) -> dict[str, Any]:
    return {"vid": vid, "interactionDateTime": at, "properties": props_for(state)}


def email_input(email: str, state: str = "register", at: Any = NOW_MS, **contact_properties: str) -> dict[str, Any]:
    return {"email": email, "interactionDateTime": at, "properties": props_for(state), "contactProperties": contact_properties}


def create_path(state: str = "register", event_id: str = EVENT_ID) -> str:
    return f"{BASE}/attendance/{event_id}/{state}/create"


def email_path(object_id: str, state: str = "register") -> str:
    return f"{BASE}/{object_id}/attendance/{state}/email-create"


def upsert_path(state: str = "register", event_id: str = EVENT_ID) -> str:
    return f"{BASE}/events/{event_id}/{state}/upsert"


WRITES = ["upsert_events", "email_create", "create_by_vid", "upsert_by_vid"]


def write_request(kind: str, object_id: str, state: str = "register", event_id: str = EVENT_ID) -> tuple[str, dict, dict]:
    """(path, query, body) of a valid call to one of the four write endpoints, for the seeded contact ADA."""
    account = {"externalAccountId": ACCOUNT}
    return {
        "upsert_events": (UPSERT_EVENTS, {}, {"inputs": [event_input(event_id)]}),
        "email_create": (email_path(object_id, state), {}, {"inputs": [email_input(EMAILS[ADA], state)]}),
        "create_by_vid": (create_path(state, event_id), account, {"inputs": [vid_input(ADA, state)]}),
        "upsert_by_vid": (upsert_path(state, event_id), account, {"inputs": [vid_input(ADA, state)]}),
    }[kind]


def record(client: TestClient, state: str, *vids: int, token: str = TOKEN) -> None:
    """Record `state` for seeded contacts through endpoint 1 (status per profile: 200 or 201)."""
    response = client.post(
        create_path(state), params={"externalAccountId": ACCOUNT}, json={"inputs": [vid_input(v, state) for v in vids]}, headers=auth(token)
    )
    assert response.status_code == client.app.state.settings.record_by_contact_ids_status, response.text
    assert not response.json().get("errors"), response.text


def subscribers(client: TestClient) -> dict[int, list[str]]:
    """vid -> the states stored for it, from the backend's dump."""
    (event,) = dump(client)["portals"]["1"]["events"]
    return {s["vid"]: [h["state"] for h in s["history"]] for s in event["subscribers"]}


def assert_batch(body: dict[str, Any]) -> None:
    assert body["status"] == "COMPLETE"
    assert isinstance(body["results"], list)
    for name in ("requestedAt", "startedAt", "completedAt"):
        assert ISO_MS.match(body[name]), (name, body[name])


def expect_error(
    client: TestClient, method: str, path: str, *, status: int, category: Any = "VALIDATION_ERROR", **request: Any
) -> tuple[Any, dict[str, Any]]:
    """Send a request that must fail: HubSpot's envelope, its headers, and no change to the mock's state."""
    request.setdefault("headers", auth())
    before = dump(client)
    response = client.request(method, path, **request)
    body = assert_error_response(response, status, category)
    assert dump(client) == before
    return response, body


# ---------------------------------------------------------------------------------------------- the four writes
@pytest.mark.parametrize("profile", ["live", "spec"])
def test_upsert_events_creates_then_updates(make_client, profile):
    client = make_client(profile)
    response = client.post(UPSERT_EVENTS, json={"inputs": [event_input(eventType="WEBINAR", startDateTime="2026-02-01T10:00:00Z")]}, headers=auth())
    assert response.status_code == 200
    body = response.json()
    assert_batch(body)
    (result,) = body["results"]
    assert result["id"] == result["objectId"]
    assert result["eventName"] == "Launch webinar" and result["eventOrganizer"] == "Ada"
    assert result["eventType"] == "WEBINAR"
    assert result["startDateTime"] == "2026-02-01T10:00:00.000Z"
    assert result["customProperties"] == []
    assert ISO_MS.match(result["createdAt"]) and ISO_MS.match(result["updatedAt"])
    assert "externalEventId" not in result and "externalAccountId" not in result

    again = upsert_event(client, eventName="Renamed")
    assert again["objectId"] == result["objectId"]
    assert again["eventName"] == "Renamed" and again["eventType"] == "WEBINAR"  # merged, not replaced
    (event,) = dump(client)["portals"]["1"]["events"]
    assert event["eventName"] == "Renamed"


@pytest.mark.parametrize("profile", ["live", "spec"])
def test_email_create_answers_email_and_vid(make_client, profile):
    client = make_client(profile)
    object_id = upsert_event(client)["objectId"]
    response = client.post(
        email_path(object_id),
        json={"inputs": [email_input("new@example.com", firstname="Nina"), email_input(EMAILS[BOB])]},
        headers=auth(),
    )
    assert response.status_code == 200
    body = response.json()
    assert_batch(body)
    by_email = {r["email"]: r["vid"] for r in body["results"]}
    assert by_email[EMAILS[BOB]] == BOB
    assert by_email["new@example.com"] > 2**31
    contacts = {c["email"]: c for c in dump(client)["portals"]["1"]["contacts"]}
    assert contacts["new@example.com"]["properties"]["firstname"] == "Nina"
    assert subscribers(client) == {by_email["new@example.com"]: ["REGISTERED"], BOB: ["REGISTERED"]}


@pytest.mark.parametrize("profile, status", [("live", 201), ("spec", 200)])
def test_create_by_vid_status_per_profile(make_client, profile, status):
    client = make_client(profile)
    upsert_event(client)
    response = client.post(create_path(), params={"externalAccountId": ACCOUNT}, json={"inputs": [vid_input(ADA)]}, headers=auth())
    assert response.status_code == status
    body = response.json()
    assert_batch(body)
    assert body["results"] == [{"vid": ADA}]
    assert subscribers(client) == {ADA: ["REGISTERED"]}


@pytest.mark.parametrize("profile", ["live", "spec"])
@pytest.mark.parametrize("state, stored", [("register", "REGISTERED"), ("attend", "ATTENDED"), ("cancel", "CANCELLED")])
def test_upsert_by_vid_answers_204_without_body(make_client, profile, state, stored):
    client = make_client(profile)
    upsert_event(client)
    response = client.post(upsert_path(state), params={"externalAccountId": ACCOUNT}, json={"inputs": [vid_input(ADA, state)]}, headers=auth())
    assert response.status_code == 204
    assert response.content == b""
    assert subscribers(client) == {ADA: [stored]}


def test_upsert_by_vid_with_unknown_contact_answers_batch_with_errors(client):
    upsert_event(client)
    unknown = 2**40
    response = client.post(
        upsert_path(), params={"externalAccountId": ACCOUNT}, json={"inputs": [vid_input(ADA), vid_input(unknown)]}, headers=auth()
    )
    assert response.status_code == 200
    body = response.json()
    assert_batch(body)
    assert body["results"] == [{"vid": ADA}]
    assert body["numErrors"] == 1
    (error,) = body["errors"]
    assert error["status"] == "error" and error["category"] == "OBJECT_NOT_FOUND"
    assert str(unknown) in error["message"]
    assert subscribers(client) == {ADA: ["REGISTERED"]}  # the good input was applied, no contact created


# ---------------------------------------------------------------------------------------------- success headers
@pytest.mark.parametrize("kind", WRITES)
def test_success_headers_on_every_write(client, kind):
    object_id = upsert_event(client)["objectId"]
    path, query, body = write_request(kind, object_id)
    response = client.post(path, params=query, json=body, headers=auth())
    assert 200 <= response.status_code < 300, response.text
    h = response.headers
    assert h["X-HubSpot-RateLimit-Max"] == "100"
    assert h["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert h["X-HubSpot-RateLimit-Daily"] == "250000"
    assert h["X-HubSpot-RateLimit-Remaining"] == "98"  # second call of this token
    assert h["X-HubSpot-RateLimit-Daily-Remaining"] == "249998"
    assert UUID4.match(h["X-HubSpot-Correlation-Id"])


def test_rate_limit_remaining_counts_per_token(client):
    def remaining(token: str) -> tuple[int, int]:
        h = client.get(f"{BASE}/12345", headers=auth(token)).headers  # a 404 still counts once authenticated
        return int(h["X-HubSpot-RateLimit-Remaining"]), int(h["X-HubSpot-RateLimit-Daily-Remaining"])

    assert [remaining("token-a") for _ in range(3)] == [(99, 249999), (98, 249998), (97, 249997)]
    assert remaining("token-b") == (99, 249999)
    assert remaining("token-a") == (96, 249996)


@pytest.mark.parametrize(
    "overrides, ten_second, daily",
    [
        ({"rate_limit_tier": "starter"}, "100", "250000"),
        ({"rate_limit_tier": "professional"}, "190", "625000"),
        ({"rate_limit_tier": "enterprise"}, "190", "1000000"),
        ({"rate_limit_auth": "oauth", "rate_limit_tier": "enterprise"}, "100", None),
    ],
)
def test_rate_limit_headers_follow_tier(make_client, overrides, ten_second, daily):
    client = make_client(**overrides)
    h = client.post(UPSERT_EVENTS, json={"inputs": [event_input()]}, headers=auth()).headers
    assert h["X-HubSpot-RateLimit-Max"] == ten_second
    assert h["X-HubSpot-RateLimit-Remaining"] == str(int(ten_second) - 1)
    assert h.get("X-HubSpot-RateLimit-Daily") == daily
    assert ("X-HubSpot-RateLimit-Daily-Remaining" in h) is (daily is not None)


def test_correlation_ids_differ_per_call(client):
    upsert_event(client)
    ids = {client.get(f"{BASE}/events/{EVENT_ID}", params={"externalAccountId": ACCOUNT}, headers=auth()).headers["X-HubSpot-Correlation-Id"] for _ in range(3)}
    assert len(ids) == 3 and all(UUID4.match(i) for i in ids)


# ---------------------------------------------------------------------------------------------- read-back
@pytest.fixture
def recorded(client) -> tuple[TestClient, str]:
    """An event with ADA and BOB registered, then BOB attending, and CY cancelled: objectId."""
    object_id = upsert_event(client)["objectId"]
    record(client, "register", ADA, BOB)
    record(client, "attend", BOB)
    record(client, "cancel", CY)
    return client, object_id


def test_get_event_by_external_ids(recorded):
    client, object_id = recorded
    response = client.get(f"{BASE}/events/{EVENT_ID}", params={"externalAccountId": ACCOUNT}, headers=auth())
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_CT
    body = response.json()
    assert body["id"] == body["objectId"] == object_id
    assert body["externalEventId"] == EVENT_ID
    assert body["eventName"] == "Launch webinar"
    assert (body["registrants"], body["attendees"], body["cancellations"], body["noShows"]) == (1, 1, 1, 0)


def test_get_event_by_object_id(recorded):
    client, object_id = recorded
    response = client.get(f"{BASE}/{object_id}", headers=auth())
    assert response.status_code == 200
    body = response.json()
    assert body["objectId"] == object_id and body["externalEventId"] == EVENT_ID
    assert body["eventStatus"] == "UPCOMING"
    assert body["appInfo"]["id"] == "1"
    assert (body["registrants"], body["attendees"], body["cancellations"], body["noShows"]) == (1, 1, 1, 0)


def counters_path(by: str, object_id: str) -> str:
    return f"{BASE}/participations/{object_id}" if by == "objectId" else f"{BASE}/participations/{ACCOUNT}/{EVENT_ID}"


@pytest.mark.parametrize("by", ["objectId", "externalIds"])
def test_participation_counters(recorded, by):
    client, object_id = recorded
    response = client.get(counters_path(by, object_id), headers=auth())
    assert response.status_code == 200
    assert response.json() == {"attended": 1, "cancelled": 1, "noShows": 0, "registered": 1}


@pytest.mark.parametrize("by", ["objectId", "externalIds"])
def test_participation_breakdown(recorded, by):
    client, object_id = recorded
    response = client.get(counters_path(by, object_id) + "/breakdown", headers=auth())
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3 and "paging" not in body
    states = {int(r["associations"]["contact"]["contactId"]): r["properties"]["attendanceState"] for r in body["results"]}
    assert states == {ADA: "REGISTERED", BOB: "ATTENDED", CY: "CANCELLED"}
    ada = next(r for r in body["results"] if r["associations"]["contact"]["contactId"] == str(ADA))
    assert ada["associations"]["contact"] == {"contactId": str(ADA), "email": EMAILS[ADA], "firstname": "Ada", "lastname": "Lovelace"}
    assert ada["associations"]["marketingEvent"] == {
        "marketingEventId": object_id, "name": "Launch webinar", "externalAccountId": ACCOUNT, "externalEventId": EVENT_ID,
    }
    assert ada["properties"]["occurredAt"] == NOW_MS
    assert ISO_MS.match(ada["createdAt"])
    bob = next(r for r in body["results"] if r["associations"]["contact"]["contactId"] == str(BOB))
    assert bob["properties"]["attendanceDurationSeconds"] == 3600


@pytest.mark.parametrize("by", ["objectId", "externalIds"])
def test_breakdown_pages_with_limit_one(recorded, by):
    client, object_id = recorded
    path, seen, after, pages = counters_path(by, object_id) + "/breakdown", [], None, 0
    while True:
        params = {"limit": 1, **({"after": after} if after is not None else {})}
        body = client.get(path, params=params, headers=auth()).json()
        pages += 1
        assert body["total"] == 3 and len(body["results"]) == 1
        seen.append(body["results"][0]["id"])
        if "paging" not in body:
            break
        after = body["paging"]["next"]["after"]
        assert isinstance(after, str)
    assert pages == 3 and len(set(seen)) == 3


@pytest.mark.parametrize("state, vid", [("REGISTERED", ADA), ("ATTENDED", BOB), ("CANCELLED", CY)])
def test_breakdown_state_filter(recorded, state, vid):
    client, object_id = recorded
    body = client.get(f"{BASE}/participations/{object_id}/breakdown", params={"state": state}, headers=auth()).json()
    assert body["total"] == 1
    assert [r["associations"]["contact"]["contactId"] for r in body["results"]] == [str(vid)]


@pytest.mark.parametrize("identifier", [str(BOB), EMAILS[BOB], EMAILS[BOB].upper()])
def test_breakdown_contact_identifier_filter(recorded, identifier):
    client, object_id = recorded
    body = client.get(counters_path("externalIds", object_id) + "/breakdown", params={"contactIdentifier": identifier}, headers=auth()).json()
    assert body["total"] == 1
    assert body["results"][0]["associations"]["contact"]["contactId"] == str(BOB)


@pytest.mark.parametrize("by", ["objectId", "externalIds"])
@pytest.mark.parametrize(
    "query, where",
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "ten"}, "limit"), ({"after": "abc"}, "after"), ({"state": "registered"}, "state")],
)
def test_breakdown_bad_query(recorded, by, query, where):
    client, object_id = recorded
    _, body = expect_error(client, "GET", counters_path(by, object_id) + "/breakdown", status=400, params=query)
    assert body["errors"][0]["in"] == where


@pytest.mark.parametrize("limit", [1, 100])
def test_breakdown_limit_bounds_are_allowed(recorded, limit):
    client, object_id = recorded
    body = client.get(f"{BASE}/participations/{object_id}/breakdown", params={"limit": limit}, headers=auth()).json()
    assert len(body["results"]) == min(limit, 3) and body["total"] == 3


def test_register_on_completed_event_reads_as_no_show(client):
    object_id = upsert_event(client, eventCompleted=True)["objectId"]
    record(client, "register", ADA)
    assert client.get(f"{BASE}/participations/{object_id}", headers=auth()).json()["noShows"] == 1
    body = client.get(f"{BASE}/participations/{object_id}/breakdown", params={"state": "NO_SHOW"}, headers=auth()).json()
    assert body["total"] == 1
    assert client.get(f"{BASE}/{object_id}", headers=auth()).json()["eventStatus"] == "PAST"


@pytest.mark.parametrize("profile, repeat_results", [("live", []), ("spec", [{"vid": ADA}])])
def test_identical_repeat_is_idempotent(make_client, profile, repeat_results):
    client = make_client(profile)
    upsert_event(client)
    call = lambda: client.post(create_path(), params={"externalAccountId": ACCOUNT}, json={"inputs": [vid_input(ADA)]}, headers=auth())
    assert call().json()["results"] == [{"vid": ADA}]
    assert call().json()["results"] == repeat_results
    assert subscribers(client) == {ADA: ["REGISTERED"]}


# ---------------------------------------------------------------------------------------------- auth errors
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer Bearer pat-x", "Bearer ", "Basic dXNlcjpwYXNz", "pat-x"],
    ids=["missing", "bearer-twice", "empty-token", "basic", "no-scheme"],
)
@pytest.mark.parametrize("kind", ["upsert_events", "create_by_vid", "read"])
def test_bad_authorization_is_401(client, authorization, kind):
    object_id = upsert_event(client)["objectId"]
    headers = {} if authorization is None else {"Authorization": authorization}
    if kind == "read":
        request: dict[str, Any] = {"method": "GET", "path": f"{BASE}/{object_id}"}
    else:
        path, query, body = write_request(kind, object_id)
        request = {"method": "POST", "path": path, "params": query, "json": body}
    response, body = expect_error(client, status=401, category="INVALID_AUTHENTICATION", headers=headers, **request)
    assert response.headers["x-hubspot-auth-failure"] == "401 Unauthorized"
    assert body["message"].startswith("Authentication credentials not found.")
    assert "X-HubSpot-RateLimit-Remaining" not in response.headers


@pytest.mark.parametrize("kind", WRITES)
def test_read_only_token_cannot_write(client, kind):
    object_id = upsert_event(client)["objectId"]
    path, query, payload = write_request(kind, object_id)
    _, body = expect_error(client, "POST", path, status=403, category="MISSING_SCOPES", params=query, json=payload, headers=auth("ro"))
    assert body["errors"][0]["context"]["requiredGranularScopes"] == [WRITE_SCOPE]


def test_expired_token_is_401_expired_authentication(make_client):
    client = make_client(seed={"tokens": [{"token": "old", "expired": True}]})
    response, _ = expect_error(client, "GET", f"{BASE}/123", status=401, category="EXPIRED_AUTHENTICATION", headers=auth("old"))
    assert response.headers["x-hubspot-auth-failure"] == "401 Unauthorized"


def test_unknown_token_is_401_when_tokens_are_not_accepted_blindly(make_client):
    client = make_client(accept_any_token=False)
    expect_error(client, "POST", UPSERT_EVENTS, status=401, category="INVALID_AUTHENTICATION", json={"inputs": [event_input()]}, headers=auth("stranger"))
    assert client.post(UPSERT_EVENTS, json={"inputs": [event_input()]}, headers=auth("app2")).status_code == 200


def test_read_only_token_can_read(client):
    object_id = upsert_event(client)["objectId"]
    assert client.get(f"{BASE}/{object_id}", headers=auth("ro")).status_code == 200
    assert client.get(f"{BASE}/participations/{object_id}/breakdown", headers=auth("ro")).status_code == 200


# ---------------------------------------------------------------------------------------------- body errors
def json_request(body: Any) -> dict[str, Any]:
    return {"content": orjson.dumps(body), "headers": {**auth(), "Content-Type": "application/json"}}


BAD_BODIES = {
    "malformed-json": (400, {"content": b'{"inputs": [', "headers": {**auth(), "Content-Type": "application/json"}}, "body"),
    "array": (400, json_request([{"vid": ADA}]), "body"),
    "empty": (400, {"content": b"", "headers": {**auth(), "Content-Type": "application/json"}}, "body"),
    "text-plain": (415, {"content": orjson.dumps({"inputs": []}), "headers": {**auth(), "Content-Type": "text/plain"}}, None),
    "missing-inputs": (400, json_request({}), "inputs"),
    "vid-string": (400, json_request({"inputs": [{**vid_input(ADA), "vid": "x"}]}), "inputs[0].vid"),
    "vid-2^63": (400, json_request({"inputs": [{**vid_input(ADA), "vid": 2**63}]}), "inputs[0].vid"),
    "vid-zero": (400, json_request({"inputs": [{**vid_input(ADA), "vid": 0}]}), "inputs[0].vid"),
    "extra-item-field": (400, json_request({"inputs": [{**vid_input(ADA), "contactId": 1}]}), "inputs[0].contactId"),
    "extra-top-field": (400, json_request({"inputs": [vid_input(ADA)], "extra": True}), "extra"),
    "missing-interaction": (400, json_request({"inputs": [{"vid": ADA, "properties": {}}]}), "inputs[0].interactionDateTime"),
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
@pytest.mark.parametrize("endpoint", ["create_by_vid", "upsert_by_vid"])
def test_bad_body_is_refused(client, case, endpoint):
    status, request, where = BAD_BODIES[case]
    upsert_event(client)
    path, query, _ = write_request(endpoint, "")
    _, body = expect_error(client, "POST", path, status=status, params=query, **request)
    if where is not None:
        assert body["errors"][0]["in"] == where


@pytest.mark.parametrize(
    "payload, where",
    [
        ({"inputs": [{k: v for k, v in event_input().items() if k != "eventName"}]}, "inputs[0].eventName"),
        ({"inputs": [event_input(externalEventId="")]}, "inputs[0].externalEventId"),
        ({"inputs": [event_input(eventCancelled="yes")]}, "inputs[0].eventCancelled"),
        ({"inputs": [event_input(startDateTime="next tuesday")]}, "inputs[0].startDateTime"),
    ],
    ids=["missing-eventName", "empty-externalEventId", "bool-as-string", "bad-date"],
)
def test_bad_upsert_events_body_is_refused(client, payload, where):
    _, body = expect_error(client, "POST", UPSERT_EVENTS, status=400, json=payload)
    assert body["errors"][0]["in"] == where


def test_bad_item_anywhere_refuses_whole_batch(client):
    expect_error(client, "POST", UPSERT_EVENTS, status=400, json={"inputs": [event_input("ok-1"), event_input("ok-2", eventOrganizer=7)]})
    assert dump(client)["portals"]["1"]["events"] == []


def test_body_over_max_body_bytes_is_413(make_client):
    client = make_client(max_body_bytes=1000)
    expect_error(client, "POST", UPSERT_EVENTS, status=413, json={"inputs": [event_input(eventDescription="x" * 2000)]})
    assert upsert_event(client)["eventName"] == "Launch webinar"  # a body under the limit still works


# ---------------------------------------------------------------------------------------------- path and query errors
@pytest.mark.parametrize("kind", ["email_create", "create_by_vid", "upsert_by_vid"])
def test_upper_case_subscriber_state_is_400(client, kind):
    object_id = upsert_event(client)["objectId"]
    path, query, payload = write_request(kind, object_id, state="REGISTERED")
    _, body = expect_error(client, "POST", path, status=400, params=query, json=payload)
    assert body["message"] == "Unknown state for 'REGISTERED'. Correct are 'register', 'attend' or 'cancel'."
    assert body["errors"][0]["in"] == "subscriberState"


def test_create_by_vid_requires_external_account_id_live(client):
    upsert_event(client)
    _, body = expect_error(client, "POST", create_path(), status=400, json={"inputs": [vid_input(ADA)]})
    assert body["errors"][0]["in"] == "externalAccountId"


def test_create_by_vid_without_external_account_id_in_spec_profile(make_client):
    client = make_client("spec")
    upsert_event(client)
    response = client.post(create_path(), json={"inputs": [vid_input(ADA)]}, headers=auth())
    assert response.status_code == 200
    assert response.json()["results"] == [{"vid": ADA}]
    assert subscribers(client) == {ADA: ["REGISTERED"]}


def test_create_by_vid_without_external_account_id_ambiguous_in_spec_profile(make_client):
    client = make_client("spec")
    upsert_event(client, account="acct-1")
    upsert_event(client, account="acct-2")
    _, body = expect_error(client, "POST", create_path(), status=400, json={"inputs": [vid_input(ADA)]})
    assert body["errors"][0]["in"] == "externalAccountId"


@pytest.mark.parametrize("profile", ["live", "spec"])
def test_upsert_by_vid_requires_external_account_id(make_client, profile):
    client = make_client(profile)
    upsert_event(client)
    _, body = expect_error(client, "POST", upsert_path(), status=400, json={"inputs": [vid_input(ADA)]})
    assert body["errors"][0]["in"] == "externalAccountId"


UNKNOWN_EVENT_REQUESTS = {
    "email_create": ("POST", email_path("999"), {}, {"inputs": [email_input(EMAILS[ADA])]}),
    "create_by_vid": ("POST", create_path(event_id="nope"), {"externalAccountId": ACCOUNT}, {"inputs": [vid_input(ADA)]}),
    "upsert_by_vid": ("POST", upsert_path(event_id="nope"), {"externalAccountId": ACCOUNT}, {"inputs": [vid_input(ADA)]}),
    "create_by_vid-other-account": ("POST", create_path(), {"externalAccountId": "acct-other"}, {"inputs": [vid_input(ADA)]}),
    "get_details": ("GET", f"{BASE}/events/nope", {"externalAccountId": ACCOUNT}, None),
    "get_by_object_id": ("GET", f"{BASE}/999", {}, None),
    "counters_external": ("GET", f"{BASE}/participations/{ACCOUNT}/nope", {}, None),
    "counters_object": ("GET", f"{BASE}/participations/999", {}, None),
    "breakdown_external": ("GET", f"{BASE}/participations/{ACCOUNT}/nope/breakdown", {}, None),
    "breakdown_object": ("GET", f"{BASE}/participations/999/breakdown", {}, None),
}


@pytest.mark.parametrize("case", list(UNKNOWN_EVENT_REQUESTS))
def test_unknown_event_is_404(client, case):
    upsert_event(client)
    method, path, query, payload = UNKNOWN_EVENT_REQUESTS[case]
    expect_error(client, method, path, status=404, category="OBJECT_NOT_FOUND", params=query, json=payload)


OTHER_APP_REQUESTS = {
    "create_by_vid": ("POST", create_path(), {"externalAccountId": ACCOUNT}, {"inputs": [vid_input(ADA)]}),
    "upsert_by_vid": ("POST", upsert_path(), {"externalAccountId": ACCOUNT}, {"inputs": [vid_input(ADA)]}),
    "get_details": ("GET", f"{BASE}/events/{EVENT_ID}", {"externalAccountId": ACCOUNT}, None),
    "counters_external": ("GET", f"{BASE}/participations/{ACCOUNT}/{EVENT_ID}", {}, None),
    "breakdown_external": ("GET", f"{BASE}/participations/{ACCOUNT}/{EVENT_ID}/breakdown", {}, None),
}


@pytest.mark.parametrize("case", list(OTHER_APP_REQUESTS))
def test_other_apps_event_is_404_by_external_ids(client, case):
    upsert_event(client)  # app 1's event
    method, path, query, payload = OTHER_APP_REQUESTS[case]
    expect_error(client, method, path, status=404, category="OBJECT_NOT_FOUND", params=query, json=payload, headers=auth("app2"))


def test_other_app_may_use_object_id_endpoints(client):
    object_id = upsert_event(client)["objectId"]
    response = client.post(email_path(object_id), json={"inputs": [email_input(EMAILS[ADA])]}, headers=auth("app2"))
    assert response.status_code == 200
    assert response.json()["results"] == [{"email": EMAILS[ADA], "vid": ADA}]
    assert subscribers(client) == {ADA: ["REGISTERED"]}
    assert client.get(f"{BASE}/participations/{object_id}", headers=auth("app2")).json()["registered"] == 1


def test_same_external_ids_from_other_app_make_a_separate_event(client):
    mine = upsert_event(client)["objectId"]
    theirs = upsert_event(client, token="app2", eventName="App 2's")["objectId"]
    assert mine != theirs
    events = {e["objectId"]: (e["appId"], e["eventName"]) for e in dump(client)["portals"]["1"]["events"]}
    assert events == {mine: (1, "Launch webinar"), theirs: (2, "App 2's")}


# ---------------------------------------------------------------------------------------------- routing errors
@pytest.mark.parametrize(
    "method, path",
    [("GET", f"{BASE}/a/b/c/d/e"), ("POST", f"{BASE}/a/b/c/d/e"), ("POST", f"{UPSERT_EVENTS}/")],
    ids=["get", "post", "trailing-slash-is-not-redirected"],
)
def test_unknown_route_is_404_without_category(client, method, path):
    _, body = expect_error(client, method, path, status=404, category=ABSENT, json={"inputs": []})
    assert body["message"] == "resource not found"
    assert isinstance(body["requestId"], str) and body["requestId"]


@pytest.mark.parametrize(
    "method, path, allowed",
    # (DELETE and PUT of events/upsert are events/{externalEventId} operations now, as on HubSpot)
    [("DELETE", f"{BASE}/batch/update", "POST"), ("PATCH", f"{BASE}/123/settings", "POST"), ("POST", f"{BASE}/participations/123", "GET")],
)
def test_wrong_method_is_405_with_allow(client, method, path, allowed):
    response, body = expect_error(client, method, path, status=405, category=ABSENT)
    assert allowed in [m.strip() for m in response.headers["Allow"].split(",")]
    assert "requestId" in body


# ---------------------------------------------------------------------------------------------- profile differences
@pytest.mark.parametrize("endpoint", ["create_by_vid", "email_create"])
def test_attend_without_times_live_stores_nothing(client, endpoint):
    object_id = upsert_event(client)["objectId"]
    path, query, payload = write_request(endpoint, object_id, state="attend")
    for item in payload["inputs"]:
        item["properties"] = {}
    response = client.post(path, params=query, json=payload, headers=auth())
    assert response.status_code == (201 if endpoint == "create_by_vid" else 200)  # the live profile's statuses
    assert response.json()["results"] == []
    assert subscribers(client) == {}
    assert "nothing stored" in response.headers["X-HubSpot-Mock-Note"]


@pytest.mark.parametrize("endpoint", ["create_by_vid", "email_create"])
def test_attend_without_times_spec_stores_it(make_client, endpoint):
    client = make_client("spec")
    object_id = upsert_event(client)["objectId"]
    path, query, payload = write_request(endpoint, object_id, state="attend")
    for item in payload["inputs"]:
        item["properties"] = {}
    response = client.post(path, params=query, json=payload, headers=auth())
    assert response.status_code == 200
    assert [r["vid"] for r in response.json()["results"]] == [ADA]
    assert subscribers(client) == {ADA: ["ATTENDED"]}


def joined_after_left() -> dict[str, Any]:
    return {"inputs": [{**email_input(EMAILS[ADA], "attend"), "properties": {"joinedAt": "2025-12-31T11:00:00Z", "leftAt": "2025-12-31T10:00:00Z"}}]}


@pytest.mark.parametrize("profile, has_spec_keys", [("live", False), ("spec", True)])
def test_item_error_shape_per_profile(make_client, profile, has_spec_keys):
    client = make_client(profile)
    object_id = upsert_event(client)["objectId"]
    response = client.post(email_path(object_id, "attend"), json=joined_after_left(), headers=auth())
    assert response.status_code == 200
    body = response.json()
    assert_batch(body)
    assert body["results"] == [] and body["numErrors"] == 1
    (error,) = body["errors"]
    assert error["status"] == "error" and error["category"] == "VALIDATION_ERROR"
    assert error["subCategory"] == "AttendanceValidationError.JOINED_AT_IS_LATER_THAN_LEFT_AT_FOR_EMAIL"
    assert error["message"] == f"joinedAt param must be earlier than leftAt for `{EMAILS[ADA]}`"
    for key in ("context", "links", "errors"):
        assert (key in error) is has_spec_keys, key
    if has_spec_keys:
        assert error["context"]["email"] == [EMAILS[ADA]]
    assert subscribers(client) == {}


@pytest.mark.parametrize("mixed_status", [200, 207])
@pytest.mark.parametrize("endpoint", ["upsert_by_vid", "email_create"])
def test_mixed_batch_status_setting(make_client, mixed_status, endpoint):
    client = make_client(mixed_batch_status=mixed_status)
    object_id = upsert_event(client)["objectId"]
    if endpoint == "upsert_by_vid":
        request = {"url": upsert_path(), "params": {"externalAccountId": ACCOUNT}, "json": {"inputs": [vid_input(ADA), vid_input(2**40)]}}
    else:
        request = {"url": email_path(object_id), "json": {"inputs": [email_input(EMAILS[ADA]), email_input("not-an-email")]}}
    response = client.post(**request, headers=auth())
    assert response.status_code == mixed_status
    body = response.json()
    assert body["numErrors"] == 1 and len(body["results"]) == 1
    assert subscribers(client) == {ADA: ["REGISTERED"]}


def test_fully_successful_batch_stays_200_with_207_setting(make_client):
    client = make_client(mixed_batch_status=207)
    object_id = upsert_event(client)["objectId"]
    response = client.post(email_path(object_id), json={"inputs": [email_input(EMAILS[ADA])]}, headers=auth())
    assert response.status_code == 200


# ---------------------------------------------------------------------------------------------- custom properties
def test_undefined_custom_properties_are_dropped_with_note(client):
    response = client.post(
        UPSERT_EVENTS,
        json={"inputs": [event_input(customProperties=[{"name": "webinar_platform", "value": "Zoom"}, {"name": "undefined_one", "value": "x"}])]},
        headers=auth(),
    )
    assert response.status_code == 200
    (result,) = response.json()["results"]
    (prop,) = result["customProperties"]
    assert set(prop) == PROPERTY_VALUE_FIELDS
    assert prop["name"] == "webinar_platform" and prop["value"] == "Zoom"
    assert prop["source"] == "INTEGRATION" and isinstance(prop["timestamp"], int)
    note = response.headers["X-HubSpot-Mock-Note"]
    assert "undefined_one" in note and "webinar_platform" not in note
    (event,) = dump(client)["portals"]["1"]["events"]
    assert event["customProperties"] == {"webinar_platform": "Zoom"}
    by_object_id = client.get(f"{BASE}/{result['objectId']}", headers=auth()).json()
    assert by_object_id["customProperties"] == [{"name": "webinar_platform", "value": "Zoom"}]
    details = client.get(f"{BASE}/events/{EVENT_ID}", params={"externalAccountId": ACCOUNT}, headers=auth()).json()
    assert [p["name"] for p in details["customProperties"]] == ["webinar_platform"]


def test_no_note_header_when_nothing_dropped(client):
    response = client.post(UPSERT_EVENTS, json={"inputs": [event_input(customProperties=[{"name": "webinar_platform", "value": "Zoom"}])]}, headers=auth())
    assert response.status_code == 200
    assert "X-HubSpot-Mock-Note" not in response.headers


@pytest.mark.parametrize("profile, required", [("live", False), ("spec", True)])
def test_missing_custom_properties_per_profile(make_client, profile, required):
    client = make_client(profile)
    payload = {"inputs": [{k: v for k, v in event_input().items() if k != "customProperties"}]}
    if required:
        _, body = expect_error(client, "POST", UPSERT_EVENTS, status=400, json=payload)
        assert body["errors"][0]["in"] == "inputs[0].customProperties"
    else:
        assert client.post(UPSERT_EVENTS, json=payload, headers=auth()).status_code == 200


# ---------------------------------------------------------------------------------------------- the served spec
@pytest.mark.parametrize("profile, required", [("live", True), ("spec", False)])
def test_openapi_json_follows_profile(make_client, profile, required):
    client = make_client(profile)
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    operation = document["paths"][f"{BASE}/attendance/{{externalEventId}}/{{subscriberState}}/create"]["post"]
    assert operation["operationId"] == "recordByContactIds"
    (param,) = [p for p in operation["parameters"] if p.get("name") == "externalAccountId"]
    assert param["required"] is required
    assert client.app.state.openapi == document


# ---------------------------------------------------------------------------------------------- int64 vids
def test_vid_above_int32_round_trips(client):
    object_id = upsert_event(client)["objectId"]
    created = client.post(email_path(object_id), json={"inputs": [email_input("big@example.com")]}, headers=auth())
    (result,) = created.json()["results"]
    vid = result["vid"]
    assert vid > 2**31 and result["email"] == "big@example.com"
    attended = client.post(create_path("attend"), params={"externalAccountId": ACCOUNT}, json={"inputs": [vid_input(vid, "attend")]}, headers=auth())
    assert attended.status_code == 201
    assert attended.json()["results"] == [{"vid": vid}]
    assert subscribers(client) == {vid: ["REGISTERED", "ATTENDED"]}
    breakdown = client.get(f"{BASE}/participations/{object_id}/breakdown", params={"contactIdentifier": str(vid)}, headers=auth()).json()
    assert breakdown["results"][0]["associations"]["contact"]["contactId"] == str(vid)
    assert breakdown["results"][0]["properties"]["attendanceState"] == "ATTENDED"


def test_email_matching_is_case_insensitive_and_keeps_contact(client):
    object_id = upsert_event(client)["objectId"]
    response = client.post(email_path(object_id), json={"inputs": [email_input("ADA@Example.COM", firstname="Changed")]}, headers=auth())
    assert response.json()["results"] == [{"email": EMAILS[ADA], "vid": ADA}]
    contacts = {c["vid"]: c for c in dump(client)["portals"]["1"]["contacts"]}
    assert len(contacts) == 3
    assert contacts[ADA]["properties"]["firstname"] == "Ada"  # contactProperties never update an existing contact


# ---------------------------------------------------------------------------------------------- interactionDateTime
@pytest.mark.parametrize("profile", ["live", "spec"])
def test_iso_interaction_date_time_per_profile(make_client, profile):
    client = make_client(profile)
    object_id = upsert_event(client)["objectId"]
    payload = {"inputs": [email_input(EMAILS[ADA], at="2025-12-31T12:00:00.000Z")]}
    if profile == "spec":
        _, body = expect_error(client, "POST", email_path(object_id), status=400, json=payload)
        assert body["errors"][0]["in"] == "inputs[0].interactionDateTime"
        return
    response = client.post(email_path(object_id), json=payload, headers=auth())
    assert response.status_code == 200
    assert "iso_interaction_datetime=accept" in response.headers["X-HubSpot-Mock-Note"]
    breakdown = client.get(f"{BASE}/participations/{object_id}/breakdown", headers=auth()).json()
    assert breakdown["results"][0]["properties"]["occurredAt"] == NOW_MS - 12 * 3600 * 1000


@pytest.mark.parametrize("profile, stored", [("live", {}), ("spec", {ADA: ["REGISTERED"]})])
def test_interaction_date_time_in_seconds_per_profile(make_client, profile, stored):
    client = make_client(profile)
    upsert_event(client)
    response = client.post(create_path(), params={"externalAccountId": ACCOUNT}, json={"inputs": [vid_input(ADA, at=NOW_MS // 1000)]}, headers=auth())
    assert response.status_code == {"live": 201, "spec": 200}[profile]
    assert subscribers(client) == stored


def test_integral_float_numbers_are_answered_as_integers(client):
    """JSON Schema lets 2147483749.0 pass as an integer; the answers must still carry int64s, not floats."""
    upsert_event(client)
    raw = b'{"inputs": [{"vid": %d.0, "interactionDateTime": %d.0, "properties": {}}]}' % (ADA, NOW_MS)
    response = client.post(create_path(), params={"externalAccountId": ACCOUNT}, content=raw, headers={**auth(), "Content-Type": "application/json"})
    if response.status_code == 400:  # refusing non-integral notation outright is also faithful
        assert_error_response(response, 400)
        return
    assert response.status_code == 201, response.text
    (result,) = response.json()["results"]
    assert type(result["vid"]) is int, response.text
    breakdown = client.get(f"{BASE}/participations/{ACCOUNT}/{EVENT_ID}/breakdown", headers=auth()).json()
    assert type(breakdown["results"][0]["properties"]["occurredAt"]) is int, breakdown


# ---------------------------------------------------------------------------------------------- event date-times
@pytest.mark.parametrize("field", ["startDateTime", "endDateTime"])
@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"])
def test_date_time_outside_utc_years_1_to_9999_is_400(make_client, field, instant):
    """The instant is valid ISO-8601 but has no UTC rendering: a client error, and nothing may be stored."""
    client = make_client(raise_server_exceptions=False)
    response = client.post(UPSERT_EVENTS, json={"inputs": [event_input(**{field: instant})]}, headers=auth())
    # Nothing was stored: reading that key is a plain 404 (not a 500 from a half-stored event).
    read = client.get(f"{BASE}/events/{EVENT_ID}", params={"externalAccountId": ACCOUNT}, headers=auth())
    assert read.status_code == 404, f"after the upsert answered {response.status_code}, a read answered {read.status_code}: {read.text}"
    body = assert_error_response(response, 400)
    assert body["errors"][0]["in"] == f"inputs[0].{field}"
    assert dump(client)["portals"]["1"]["events"] == []


@pytest.mark.parametrize("instant, rendered", [("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"), ("0999-06-01T12:00:00Z", "0999-06-01T12:00:00.000Z")])
def test_early_years_are_refused_or_rendered_with_four_digits(make_client, instant, rendered):
    client = make_client(raise_server_exceptions=False)
    response = client.post(UPSERT_EVENTS, json={"inputs": [event_input(startDateTime=instant)]}, headers=auth())
    if response.status_code == 400:
        assert_error_response(response, 400)
        assert dump(client)["portals"]["1"]["events"] == []
        return
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["startDateTime"] == rendered
    read = client.get(f"{BASE}/events/{EVENT_ID}", params={"externalAccountId": ACCOUNT}, headers=auth())
    assert read.status_code == 200 and read.json()["startDateTime"] == rendered


# ---------------------------------------------------------------------------------------------- other settings
def test_read_lag_hides_fresh_writes_until_it_passes(make_client):
    client = make_client(read_lag_seconds=1.0)
    object_id = upsert_event(client)["objectId"]
    details = lambda: client.get(f"{BASE}/events/{EVENT_ID}", params={"externalAccountId": ACCOUNT}, headers=auth())
    assert_error_response(details(), 404, "OBJECT_NOT_FOUND")
    record(client, "register", ADA)  # writes see the event at once
    client.app.state.backend.clock.advance(0.5)
    assert details().status_code == 404
    client.app.state.backend.clock.advance(0.5)
    assert details().json()["registrants"] == 1
    assert client.get(f"{BASE}/participations/{object_id}", headers=auth()).json()["registered"] == 1


def test_duplicate_items_rejected_when_set(make_client):
    client = make_client(duplicate_batch_items="reject")
    _, body = expect_error(client, "POST", UPSERT_EVENTS, status=400, json={"inputs": [event_input(), event_input(eventName="again")]})
    assert body["errors"][0]["in"] == "inputs[1]"


def test_duplicate_items_merge_by_default(client):
    response = client.post(UPSERT_EVENTS, json={"inputs": [event_input(), event_input(eventName="again")]}, headers=auth())
    assert [r["eventName"] for r in response.json()["results"]] == ["again"]


def test_max_batch_inputs(make_client):
    client = make_client(max_batch_inputs=2)
    inputs = [event_input(f"ev-{i}") for i in range(3)]
    _, body = expect_error(client, "POST", UPSERT_EVENTS, status=400, json={"inputs": inputs})
    assert body["errors"][0]["in"] == "inputs"
    assert client.post(UPSERT_EVENTS, json={"inputs": inputs[:2]}, headers=auth()).status_code == 200


def test_cross_app_upsert_rejected_when_set(make_client):
    client = make_client(cross_app_upsert="reject")
    upsert_event(client)
    response = client.post(UPSERT_EVENTS, json={"inputs": [event_input(), event_input("theirs-only")]}, headers=auth("app2"))
    assert response.status_code == 200
    body = response.json()
    assert body["numErrors"] == 1 and body["errors"][0]["category"] == "CONFLICT"
    assert [r["eventName"] for r in body["results"]] == ["Launch webinar"]
    owners = sorted((e["appId"], e["externalEventId"]) for e in dump(client)["portals"]["1"]["events"])
    assert owners == [(1, EVENT_ID), (2, "theirs-only")]


@pytest.mark.parametrize("name", ["\u001f", "line\r\nbreak", "caf\u00e9 \U0001f600", "tab\there"])
def test_notes_echoing_client_input_are_valid_header_values(client, name):
    """A dropped property's name is echoed in X-HubSpot-Mock-Note: it must stay printable ASCII."""
    body = {"inputs": [event_input(customProperties=[{"name": name, "value": "v"}])]}
    response = client.post(UPSERT_EVENTS, json=body, headers=auth())
    assert response.status_code == 200
    assert re.fullmatch(r"[\x20-\x7e]+", response.headers["X-HubSpot-Mock-Note"])
