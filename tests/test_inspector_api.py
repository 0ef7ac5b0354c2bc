"""The admin API the inspector page reads: journal paging and detail (with the state changes each call
caused), paged events / attendees / contacts, fault presets, and the page's own files.

The big cases (10,000 journal entries, 100,000 subscriber records) assert on counts and page sizes: a page
stays a page, however much the mock holds.
"""

from __future__ import annotations

import threading

import orjson
import pytest
import schemathesis
from starlette.testclient import TestClient

from envelopes import assert_error_response
from mock_server import Settings, create_app
from mock_server.changes import ChangeLog, readable
from mock_server.clock import FakeClock
from mock_server.inspector.presets import FAULT_PRESETS
from mock_server.journal import Journal
from mock_server.backend import Principal
from mock_server.inspector.dump import dump_state

BASE = "/marketing/v3/marketing-events"
TOKEN = "pat-na1-inspector-secret"
WHEN = 1_767_225_600_000


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(Settings()), headers={"Authorization": f"Bearer {TOKEN}"}, base_url="http://localhost")


def upsert(client: TestClient, *event_ids: str, name: str = "Launch webinar"):
    inputs = [{"externalAccountId": "acct-1", "externalEventId": e, "eventName": name, "eventOrganizer": "Acme"} for e in event_ids]
    return client.post(f"{BASE}/events/upsert", json={"inputs": inputs})


def register(client: TestClient, object_id: str, *emails: str, state: str = "register"):
    inputs = [{"email": e, "interactionDateTime": WHEN, "contactProperties": {"firstname": e[:3]}} for e in emails]
    return client.post(f"{BASE}/{object_id}/attendance/{state}/email-create", json={"inputs": inputs})


def journal(client: TestClient, **query) -> dict:
    response = client.get("/__mock/journal", params=query)
    assert response.status_code == 200, response.text
    return response.json()


# ---------------------------------------------------------------------------------------------- journal
def test_journal_pages_by_id_cover_every_entry_once_newest_first(client):
    for i in range(120):
        upsert(client, f"webinar-{i}")
    pages, before = [], None
    while True:
        page = journal(client, limit=50, summary="true", **({"before_id": before} if before else {}))
        pages.append([e["id"] for e in page["results"]])
        if "paging" not in page:
            break
        before = page["paging"]["next"]["before_id"]
    assert [len(p) for p in pages] == [50, 50, 20]
    assert sum(pages, []) == list(range(120, 0, -1))
    assert page["total"] == 120 and page["latest_id"] == 120


def test_polling_after_an_id_gets_only_the_newer_entries(client):
    upsert(client, "webinar-1")
    latest = journal(client, limit=50)["latest_id"]
    assert journal(client, after_id=latest, limit=50)["results"] == []
    upsert(client, "webinar-2")
    client.get(f"{BASE}/events/webinar-2", params={"externalAccountId": "acct-1"})
    assert [e["operation"] for e in journal(client, after_id=latest, limit=50)["results"]] == ["getDetails", "upsertEvents"]


def test_a_summary_row_leaves_out_headers_bodies_and_changes(client):
    upsert(client, "webinar-1")
    (row,) = journal(client, summary="true")["results"]
    assert {"headers", "body", "response", "changes"}.isdisjoint(row)
    assert row["changes_count"] == 1 and row["operation"] == "upsertEvents" and row["status"] == 200


def test_journal_filters_by_status_class_exact_status_fault_and_correlation_id(client):
    object_id = upsert(client, "webinar-1").json()["results"][0]["objectId"]
    client.post(f"{BASE}/events/upsert", json={"inputs": "nope"})  # 400
    client.get(f"{BASE}/999")  # 404
    client.get(f"{BASE}/{object_id}", headers={"X-HubSpot-Mock-Fault": '{"action": "respond", "status": 503}'})
    statuses = lambda **q: [e["status"] for e in journal(client, **q)["results"]]  # noqa: E731
    assert statuses(status="4xx") == [404, 400]
    assert statuses(status="404") == [404]
    assert statuses(status="5xx") == statuses(faulted="true") == [503]
    assert statuses(status="2xx") == [200]
    faulted = journal(client, faulted="true")["results"][0]
    assert faulted["fault"].endswith("respond 503")
    assert [e["id"] for e in journal(client, text=faulted["correlation_id"])["results"]] == [faulted["id"]]


def test_dropped_calls_are_their_own_status_filter():
    book = Journal(10)
    for status in (200, None, 503):
        book.record(at_ms=0, method="GET", path="/p", query="", operation=None, headers={}, body_bytes=b"", status=status, correlation_id=None, fault=None, duration_ms=0.0, response_bytes=b"")
    assert [e.status for e in book.entries(status="dropped")] == [None]
    assert [e.status for e in book.entries(status="5xx")] == [503]


def test_an_entry_tells_the_state_changes_its_call_caused_and_never_the_token(client):
    upsert(client, "webinar-1")
    object_id = client.get(f"{BASE}/events/webinar-1", params={"externalAccountId": "acct-1"}).json()["objectId"]
    register(client, object_id, "ada@example.com", "grace@example.com")
    register(client, object_id, "ada@example.com")  # an identical repeat changes nothing
    register(client, object_id, "ada@example.com", state="cancel")
    upsert(client, "webinar-1", name="Renamed")
    entries = journal(client)["results"]  # newest first
    changes = [[(c["kind"], c["action"], c["key"], c["summary"]) for c in e["changes"]] for e in entries]
    ada, grace = (c["vid"] for c in dump_state(client.app.state.backend)["portals"]["1"]["contacts"])
    assert changes == [
        [("event", "updated", object_id, "Renamed")],
        [("subscriber", "CANCELLED", f"{object_id}/{ada}", "ada@example.com")],
        [],
        [
            ("contact", "created", str(ada), "ada@example.com"),
            ("subscriber", "REGISTERED", f"{object_id}/{ada}", "ada@example.com"),
            ("contact", "created", str(grace), "grace@example.com"),
            ("subscriber", "REGISTERED", f"{object_id}/{grace}", "grace@example.com"),
        ],
        [],  # the read
        [("event", "created", object_id, "Launch webinar")],
    ]
    assert [e["changes_count"] for e in entries] == [1, 1, 0, 4, 0, 1]
    detail = client.get(f"/__mock/journal/{entries[3]['id']}")
    assert detail.json() == entries[3]
    assert detail.json()["headers"]["authorization"] == "[redacted]"
    assert TOKEN not in detail.text and TOKEN not in client.get("/__mock/journal").text


def test_a_failed_call_changed_nothing(client):
    upsert(client, "webinar-1")
    register(client, "510000000001", "not-an-email")  # a per-item error, nothing applied
    client.post(f"{BASE}/events/upsert", json={"inputs": [{"externalEventId": "x"}]})  # 400
    assert [e["changes_count"] for e in journal(client)["results"]] == [0, 0, 1]


def test_a_huge_batch_keeps_its_first_hundred_changes_and_the_count(client):
    object_id = upsert(client, "webinar-1").json()["results"][0]["objectId"]
    register(client, object_id, *(f"p{i}@example.com" for i in range(150)))
    entry = journal(client, limit=1)["results"][0]
    assert entry["changes_count"] == 300 and len(entry["changes"]) == 100
    assert entry["changes"][0]["summary"] == "p0@example.com"


def test_the_change_log_stays_bounded_and_still_counts_every_change():
    log = ChangeLog(threading.RLock(), size=3)
    for i in range(10):
        log.record("contact", "created", i, f"c{i}@example.com")
    assert log.revision == 10
    assert log.since(8, 100) == ([("contact", "created", 8, "c8@example.com"), ("contact", "created", 9, "c9@example.com")], 2)
    kept, total = log.since(0, 100)  # the oldest were trimmed; their count is not lost
    assert total == 10 and 3 <= len(kept) <= 6 and [c[2] for c in kept] == list(range(10 - len(kept), 10))


def test_a_change_is_made_readable_only_when_read():
    assert readable(("subscriber", "ATTENDED", ("510000000001", 2147483649), None)) == {
        "kind": "subscriber", "action": "ATTENDED", "key": "510000000001/2147483649", "summary": ""
    }


def test_ten_thousand_journal_entries_are_read_a_page_at_a_time():
    app = create_app(Settings(journal_size=10_000))
    client = TestClient(app, base_url="http://localhost")
    book = app.state.mock.journal
    for i in range(10_050):
        book.record(
            at_ms=1_767_225_600_000, method="POST", path=f"{BASE}/events/upsert", query="", operation="upsertEvents",
            headers={}, body_bytes=b'{"inputs": []}', status=503 if i % 100 == 0 else 200, correlation_id=f"c-{i}",
            fault="fault-1: respond 503" if i % 100 == 0 else None, duration_ms=1.0, response_bytes=b"{}",
        )
    first = journal(client, limit=50, summary="true")
    assert first["total"] == 10_000 and len(first["results"]) == 50 and first["results"][0]["id"] == 10_050
    seen, before = 0, None
    while True:
        page = journal(client, limit=1000, summary="true", **({"before_id": before} if before else {}))
        seen += len(page["results"])
        if "paging" not in page:
            break
        before = page["paging"]["next"]["before_id"]
    assert seen == 10_000 and page["results"][-1]["id"] == 51  # the oldest 50 were pushed out
    faulted = journal(client, faulted="true", limit=50)
    assert len(faulted["results"]) == 50 and "paging" in faulted
    assert journal(client, text="c-5000", limit=50)["results"][0]["correlation_id"] == "c-5000"


# ---------------------------------------------------------------------------------------------- state views
@pytest.fixture(scope="module")
def crowded() -> TestClient:
    """100,000 subscriber records on one event (10 attended, 5 cancelled), and a second, empty event."""
    app = create_app(Settings())
    backend, principal = app.state.backend, Principal(1, 1)
    big, small = backend.upsert_events(principal, [
        {"externalAccountId": "acct-1", "externalEventId": "conference", "eventName": "Annual conference", "eventOrganizer": "Acme"},
        {"externalAccountId": "acct-1", "externalEventId": "meetup", "eventName": "Small meetup", "eventOrganizer": "Acme"},
    ]).results
    emails = [f"person{i}@example.com" for i in range(100_000)]
    backend.record_by_email(principal, big.object_id, "register", [{"email": e, "interactionDateTime": WHEN} for e in emails])
    attended = [{"email": e, "interactionDateTime": WHEN + 1, "properties": {"joinedAt": "2026-01-01T00:00:00Z", "leftAt": "2026-01-01T01:00:00Z"}} for e in emails[:10]]
    backend.record_by_email(principal, big.object_id, "attend", attended)
    backend.record_by_email(principal, big.object_id, "cancel", [{"email": e, "interactionDateTime": WHEN + 2} for e in emails[10:15]])
    return TestClient(app, base_url="http://localhost")


def get_page(client: TestClient, path: str, **query) -> dict:
    response = client.get(path, params=query)
    assert response.status_code == 200, response.text
    page = response.json()
    assert len(response.content) < 1000 * (len(page["results"]) + 2)  # a page, never the whole state
    return page


def test_events_page_counts_attendees_by_latest_state(crowded):
    page = get_page(crowded, "/__mock/events")
    assert [e["eventName"] for e in page["results"]] == ["Small meetup", "Annual conference"]  # newest first
    conference = page["results"][1]
    assert conference["attendees"] == 100_000
    assert conference["counters"] == {"REGISTERED": 99_985, "ATTENDED": 10, "CANCELLED": 5, "NO_SHOW": 0}
    assert conference["storedCounters"] == {"REGISTERED": 99_985, "ATTENDED": 10, "CANCELLED": 5}
    assert get_page(crowded, "/__mock/events", text="CONFERENCE")["total"] == 1


def test_attendees_of_a_hundred_thousand_come_a_page_at_a_time_with_their_history(crowded):
    object_id = get_page(crowded, "/__mock/events", text="conference")["results"][0]["objectId"]
    path = f"/__mock/events/{object_id}/attendees"
    first = get_page(crowded, path, limit=100)
    assert first["total"] == 100_000 and len(first["results"]) == 100
    assert first["paging"] == {"next": {"after": "100"}}
    assert first["event"]["objectId"] == object_id
    last = get_page(crowded, path, after=99_950, limit=100)
    assert len(last["results"]) == 50 and "paging" not in last
    assert last["results"][-1]["email"] == "person0@example.com"  # newest first: the first registered is last
    attended = get_page(crowded, path, state="ATTENDED")
    assert attended["total"] == 10
    history = attended["results"][0]["history"]
    assert [h["state"] for h in history] == ["REGISTERED", "ATTENDED"]
    assert history[1]["joinedAt"] == "2026-01-01T00:00:00.000Z" and history[1]["leftAt"] == "2026-01-01T01:00:00.000Z"
    (cancelled,) = get_page(crowded, path, text="person12@")["results"]
    assert cancelled["state"] == cancelled["storedState"] == "CANCELLED"
    assert [h["state"] for h in cancelled["history"]] == ["REGISTERED", "CANCELLED"]


def test_contacts_of_a_hundred_thousand_come_a_page_at_a_time(crowded):
    page = get_page(crowded, "/__mock/contacts", limit=1000)
    assert page["total"] == 100_000 and len(page["results"]) == 1000 and page["paging"]["next"]["after"] == "1000"
    (contact,) = get_page(crowded, "/__mock/contacts", text="person3@example")["results"]
    assert contact["events"] == [
        {"objectId": contact["events"][0]["objectId"], "eventName": "Annual conference", "state": "ATTENDED", "storedState": "ATTENDED"}
    ]
    assert get_page(crowded, "/__mock/contacts", text=str(contact["vid"]))["results"][0]["email"] == "person3@example.com"


# ---------------------------------------------------------------------------------------------- states as read
ENDED, UPCOMING = ("2025-11-03T15:00:00Z", "2025-11-03T16:00:00Z"), ("2026-06-01T15:00:00Z", "2026-06-01T16:00:00Z")


@pytest.fixture
def timed() -> TestClient:
    """A mock on a clock held at 2026-01-01T00:00:00Z, holding three events: one that ended in November, one
    marked completed though its end is still ahead, and one ahead. Each has a registrant, an attendee who
    registered first, and a cancellation."""
    client = TestClient(create_app(Settings(), clock=FakeClock()), headers={"Authorization": f"Bearer {TOKEN}"}, base_url="http://localhost")
    inputs = [
        {"externalAccountId": "acct-1", "externalEventId": event_id, "eventName": name, "eventOrganizer": "Acme", "eventType": "WEBINAR",
         "startDateTime": start, "endDateTime": end, **extra}
        for event_id, name, (start, end), extra in (
            ("ended", "Ended webinar", ENDED, {}),
            ("completed", "Completed early", UPCOMING, {"eventCompleted": True}),
            ("upcoming", "Upcoming webinar", UPCOMING, {}),
        )
    ]
    assert client.post(f"{BASE}/events/upsert", json={"inputs": inputs}).status_code == 200
    for event in get_page(client, "/__mock/events")["results"]:
        object_id = event["objectId"]
        register(client, object_id, "reg@example.com", "att@example.com", "can@example.com")
        attend = [{"email": "att@example.com", "interactionDateTime": WHEN + 1, "properties": {"joinedAt": "2025-11-03T15:00:00Z", "leftAt": "2025-11-03T15:30:00Z"}}]
        assert client.post(f"{BASE}/{object_id}/attendance/attend/email-create", json={"inputs": attend}).status_code == 200
        register(client, object_id, "can@example.com", state="cancel")
    return client


def object_ids(client: TestClient) -> dict[str, str]:
    return {e["externalEventId"]: e["objectId"] for e in get_page(client, "/__mock/events")["results"]}


@pytest.mark.parametrize("event_id, registrant", [("ended", "NO_SHOW"), ("completed", "NO_SHOW"), ("upcoming", "REGISTERED")])
def test_states_read_as_the_api_reads_them(timed, event_id, registrant):
    """A contact whose latest state is REGISTERED on an ended event reads NO_SHOW in every view, as in the API."""
    object_id = object_ids(timed)[event_id]
    event = next(e for e in get_page(timed, "/__mock/events")["results"] if e["objectId"] == object_id)
    api_counters = timed.get(f"{BASE}/participations/{object_id}").json()
    assert event["counters"] == {
        "REGISTERED": api_counters["registered"], "ATTENDED": api_counters["attended"],
        "CANCELLED": api_counters["cancelled"], "NO_SHOW": api_counters["noShows"],
    }
    assert event["counters"] == {"REGISTERED": 0, "ATTENDED": 1, "CANCELLED": 1, "NO_SHOW": 0, registrant: 1}
    assert event["storedCounters"] == {"REGISTERED": 1, "ATTENDED": 1, "CANCELLED": 1}

    attendees = get_page(timed, f"/__mock/events/{object_id}/attendees")["results"]
    breakdown = timed.get(f"{BASE}/participations/{object_id}/breakdown", params={"limit": 100}).json()["results"]
    read_by_the_api = {int(r["associations"]["contact"]["contactId"]): r["properties"]["attendanceState"] for r in breakdown}
    assert {a["vid"]: a["state"] for a in attendees} == read_by_the_api
    assert {a["email"]: (a["state"], a["storedState"]) for a in attendees} == {
        "reg@example.com": (registrant, "REGISTERED"),
        "att@example.com": ("ATTENDED", "ATTENDED"),
        "can@example.com": ("CANCELLED", "CANCELLED"),
    }
    (reg,) = get_page(timed, "/__mock/contacts", text="reg@")["results"]
    assert {e["objectId"]: (e["state"], e["storedState"]) for e in reg["events"]}[object_id] == (registrant, "REGISTERED")


def test_the_attendee_filter_takes_the_state_as_read(timed):
    path = f"/__mock/events/{object_ids(timed)['ended']}/attendees"
    assert [a["email"] for a in get_page(timed, path, state="NO_SHOW")["results"]] == ["reg@example.com"]
    assert get_page(timed, path, state="REGISTERED")["total"] == 0  # stored so, but never read so
    assert [a["email"] for a in get_page(timed, path, state="ATTENDED")["results"]] == ["att@example.com"]


def test_a_registrant_turns_no_show_when_the_event_ends_with_no_write(timed):
    object_id = object_ids(timed)["upcoming"]
    path = f"/__mock/events/{object_id}/attendees"
    assert get_page(timed, path, text="reg@")["results"][0]["state"] == "REGISTERED"
    timed.app.state.backend.clock.advance(200 * 86_400)  # past 2026-06-01T16:00Z
    assert get_page(timed, path, text="reg@")["results"][0]["state"] == "NO_SHOW"


def test_while_read_lag_hides_a_change_the_view_says_so():
    client = TestClient(create_app(Settings(read_lag_seconds=1.0), clock=FakeClock()), headers={"Authorization": f"Bearer {TOKEN}"}, base_url="http://localhost")
    object_id = upsert(client, "webinar-1").json()["results"][0]["objectId"]
    register(client, object_id, "ada@example.com")
    path = f"/__mock/events/{object_id}/attendees"
    answer = client.get(path)
    schemathesis.openapi.from_dict(client.app.state.openapi_admin)["/__mock/events/{objectId}/attendees"]["GET"].validate_response(answer)
    (ada,) = answer.json()["results"]
    assert (ada["state"], ada["storedState"]) == (None, "REGISTERED")  # stored, not yet readable
    assert get_page(client, "/__mock/events")["results"][0]["counters"]["REGISTERED"] == 0
    client.app.state.backend.clock.advance(0.5)
    register(client, object_id, "ada@example.com", state="cancel")
    client.app.state.backend.clock.advance(0.5)
    (ada,) = get_page(client, path)["results"]
    assert (ada["state"], ada["storedState"]) == ("REGISTERED", "CANCELLED")  # the cancel is still lagging
    client.app.state.backend.clock.advance(0.5)
    assert get_page(client, path)["results"][0]["state"] == "CANCELLED"


@pytest.mark.parametrize("path", ["/__mock/events", "/__mock/events/{objectId}/attendees", "/__mock/contacts"])
def test_the_views_answer_as_the_spec_describes(timed, path):
    spec = schemathesis.openapi.from_dict(timed.app.state.openapi_admin)
    answer = timed.get(path.format(objectId=object_ids(timed)["ended"]))
    assert answer.status_code == 200
    spec[path]["GET"].validate_response(answer)  # raises, naming the field, when the shape drifts


def test_an_unknown_event_is_a_404_envelope(client):
    assert_error_response(client.get("/__mock/events/999/attendees"), 404, "OBJECT_NOT_FOUND")
    assert_error_response(client.get("/__mock/journal/12345"), 404, "OBJECT_NOT_FOUND")


@pytest.mark.parametrize(
    "path, name",
    [
        ("/__mock/journal?limit=0", "limit"),
        ("/__mock/journal?limit=ten", "limit"),
        ("/__mock/journal?before_id=-1", "before_id"),
        ("/__mock/journal?after_id=1.5", "after_id"),
        ("/__mock/journal?status=abc", "status"),
        ("/__mock/journal?status=6xx", "status"),
        ("/__mock/journal?faulted=maybe", "faulted"),
        ("/__mock/journal?summary=yes", "summary"),
        ("/__mock/journal/abc", "entryId"),
        ("/__mock/journal/0", "entryId"),
        ("/__mock/events?limit=1001", "limit"),
        ("/__mock/events?after=-5", "after"),
        ("/__mock/events?portal=one", "portal"),
        ("/__mock/events/510000000001/attendees?state=no_show", "state"),
        ("/__mock/events/510000000001/attendees?state=noShows", "state"),
        ("/__mock/contacts?limit=99999999999999999999999", "limit"),
        ("/__mock/contacts?after=%C3%A9", "after"),
    ],
)
def test_bad_parameters_are_validation_envelopes(client, path, name):
    upsert(client, "webinar-1")
    body = assert_error_response(client.get(path), 400, "VALIDATION_ERROR")
    assert body["errors"][0]["in"] == name


# ---------------------------------------------------------------------------------------------- fault presets
def test_presets_cover_the_common_bad_days_and_each_is_a_valid_rule(client):
    presets = client.get("/__mock/faults/presets").json()
    assert presets == FAULT_PRESETS
    assert {p["name"] for p in presets} == {"429-ten-secondly", "429-daily", "503", "latency", "drop", "partial"}
    for preset in presets:
        armed = client.post("/__mock/faults", json=preset["rule"])
        assert armed.status_code == 201, (preset["name"], armed.text)
        assert orjson.loads(armed.content)[0]["action"] == preset["rule"]["action"]


@pytest.mark.parametrize(
    "name, status, policy",
    [("429-ten-secondly", 429, "TEN_SECONDLY_ROLLING"), ("429-daily", 429, "DAILY"), ("503", 503, None)],
)
def test_respond_presets_answer_as_hubspot_does(client, name, status, policy):
    (preset,) = [p for p in FAULT_PRESETS if p["name"] == name]
    client.post("/__mock/faults", json=preset["rule"])
    answer = upsert(client, "webinar-1")
    assert answer.status_code == status
    assert answer.json().get("policyName") == policy


def test_the_partial_preset_fails_half_of_the_next_write_only(client):
    (preset,) = [p for p in FAULT_PRESETS if p["name"] == "partial"]
    client.post("/__mock/faults", json=preset["rule"])
    assert client.get(f"{BASE}/events/nope", params={"externalAccountId": "a"}).status_code == 404  # a read: untouched
    answer = upsert(client, *(f"webinar-{i}" for i in range(4))).json()
    assert answer["numErrors"] == 2 and len(answer["results"]) == 2
    assert "numErrors" not in upsert(client, "webinar-9").json()


# ---------------------------------------------------------------------------------------------- the page
def test_the_page_and_its_assets_are_served_offline_and_locked_down(client):
    page = client.get("/__mock/ui")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert "/__mock/ui/inspector.js" in page.text and "https://" not in page.text  # no CDN
    assert client.get("/__mock/ui/inspector.js").headers["content-type"] == "text/javascript; charset=utf-8"
    assert client.get("/__mock/ui/inspector.css").headers["content-type"] == "text/css; charset=utf-8"
    for missing in ("/__mock/ui/nope.js", "/__mock/ui/..%2F__init__.py", "/__mock/ui/presets.py"):
        assert_error_response(client.get(missing), 404, category=None)
    slash = client.get("/__mock/ui/", follow_redirects=False)  # typed with a trailing slash: to the page
    assert slash.status_code == 307 and slash.headers["location"] == "/__mock/ui"


def test_with_an_admin_token_the_page_loads_but_data_wants_the_token():
    client = TestClient(create_app(Settings(admin_token="s3cret")), base_url="http://localhost")
    assert client.get("/__mock/ui").status_code == 200
    assert client.get("/__mock/ui/inspector.js").status_code == 200
    for path in ("/__mock/events", "/__mock/contacts", "/__mock/journal/1", "/__mock/faults/presets"):
        assert_error_response(client.get(path), 401, "INVALID_AUTHENTICATION")
    assert client.get("/__mock/events", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_no_page_where_the_admin_api_is_off():
    client = TestClient(create_app(Settings(admin_enabled=False)), base_url="http://localhost")
    assert client.get("/__mock/ui").status_code == 404
