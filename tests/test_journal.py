"""The journal as the outermost layer: every request is kept, routed or not, answered or failed, and what the
mock knows about it (the nearest operation of an unrouted call, a disconnect, its own failure) is said there."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from starlette.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.journal import ADMIN_RING, Journal
from mock_server.testing import serve_in_thread

from envelopes import ABSENT, assert_error_response

BASE = "/marketing/v3/marketing-events"
AUTH = {"Authorization": "Bearer pat-journal"}
EVENT = {"externalAccountId": "acct", "externalEventId": "e1", "eventName": "Launch", "eventOrganizer": "Acme"}


@pytest.fixture
def app():
    return create_app(Settings())


@pytest.fixture
def client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, base_url="http://localhost")


def journal(client: TestClient, **query) -> list[dict]:
    response = client.get("/__mock/journal", params=query)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def test_a_routing_404_is_journaled_with_the_nearest_operation(client):
    response = client.post(f"{BASE}/event/upsert", json={"inputs": []}, headers=AUTH)  # a misspelling

    body = assert_error_response(response, 404, ABSENT)
    assert body["message"] == "resource not found" and body["requestId"] == body["correlationId"]
    note = response.headers["X-HubSpot-Mock-Note"]
    assert f"POST {BASE}/events/upsert (upsertEvents)" in note
    (entry,) = journal(client)
    assert entry["status"] == 404 and entry["kind"] == "unrouted" and entry["operation"] is None
    assert entry["note"] == note and entry["correlation_id"] == body["correlationId"]
    assert entry["body"] == '{"inputs":[]}'  # the body is kept although nothing read it


def test_a_wrong_version_segment_names_the_served_path(client):
    response = client.post("/marketing/v9/marketing-events/events/upsert", json={"inputs": []}, headers=AUTH)
    assert response.status_code == 404
    assert f"POST {BASE}/events/upsert (upsertEvents)" in journal(client)[0]["note"]


def test_a_405_is_journaled_and_says_which_methods_the_path_takes(client):
    response = client.put(f"{BASE}/batch/update", json={"inputs": []}, headers=AUTH)

    assert_error_response(response, 405, ABSENT)
    assert response.headers["Allow"] == "POST"
    (entry,) = journal(client)
    assert entry["status"] == 405 and entry["kind"] == "unrouted"
    assert entry["note"].startswith("PUT is not served on this path; it takes POST (updateEventsByObjectId)")


def test_a_405_that_looks_like_a_misspelling_names_both(client):
    response = client.post(f"{BASE}/events/upsrt", json={"inputs": []}, headers=AUTH)  # events/{id} takes the path
    assert response.status_code == 405
    note = journal(client)[0]["note"]
    assert note.startswith("POST is not served on this path; it takes ")
    assert "GET (getDetails)" in note and "PUT (upsertEvent)" in note
    assert f"nearest: POST {BASE}/events/upsert (upsertEvents)" in note


def test_an_unrouted_call_far_from_every_operation_has_no_note(client):
    response = client.get("/nothing/like/it", headers=AUTH)
    assert response.status_code == 404 and "X-HubSpot-Mock-Note" not in response.headers
    (entry,) = journal(client)
    assert entry["status"] == 404 and entry["note"] is None


def test_a_failure_inside_the_mock_is_a_500_envelope_journaled_with_its_traceback(app, client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the mock")

    monkeypatch.setattr(app.state.backend, "upsert_events", broken)
    response = client.post(f"{BASE}/events/upsert", json={"inputs": [EVENT]}, headers=AUTH)

    body = assert_error_response(response, 500, "INTERNAL_ERROR")
    (entry,) = journal(client)
    assert entry["status"] == 500 and entry["operation"] == "upsertEvents" and entry["kind"] == "api"
    assert entry["correlation_id"] == body["correlationId"]
    detail = client.get(f"/__mock/journal/{entry['id']}").json()
    assert "RuntimeError: a bug in the mock" in detail["traceback"]
    assert any("a bug in the mock" in r.getMessage() for r in caplog.records)


def test_admin_calls_are_journaled_apart_and_never_push_api_calls_out():
    app = create_app(Settings(journal_size=3))
    client = TestClient(app, base_url="http://localhost")
    client.post(f"{BASE}/events/upsert", json={"inputs": [EVENT]}, headers=AUTH)
    for _ in range(ADMIN_RING + 10):  # an inspector polling for a few minutes
        client.get("/__mock/journal", params={"after_id": 0})

    (api,) = journal(client)
    assert api["operation"] == "upsertEvents"
    admin = journal(client, kind="admin")
    assert len(admin) == ADMIN_RING and {e["operation"] for e in admin} == {"mockJournal"}
    assert [e["kind"] for e in journal(client, kind="all", limit=2)] == ["admin", "admin"]


def test_the_journal_keeps_within_its_byte_budget_and_clips_large_values():
    journal = Journal(size=1000, max_bytes=1_000_000)
    big = b"x" * 200_000
    for i in range(50):
        journal.record(
            at_ms=0, method="POST", path="/p", query="", operation=None, headers={"x-big": "y" * 100_000},
            body_bytes=big[:65_536], status=200, correlation_id=str(i), fault=None, duration_ms=0.0, response_bytes=b"",
        )
    assert journal.bytes <= 1_000_000 and len(journal) < 50
    assert journal.entries()[0].correlation_id == "49"  # the newest stay


def test_large_headers_and_hapikey_are_not_kept_whole(client):
    client.get(f"{BASE}/1?hapikey=secret-dev-key", headers={**AUTH, "X-Long": "z" * 50_000, "X-Api-Key": "k-123"})
    detail = client.get(f"/__mock/journal/{journal(client)[0]['id']}").json()
    assert "secret-dev-key" not in detail["query"] and "k-123" not in str(detail["headers"])
    assert len(detail["headers"]["x-long"]) < 5000


def test_a_client_that_disconnects_mid_body_is_journaled_as_such():
    app = create_app(Settings())
    with serve_in_thread(app) as url:
        host, port = url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(
                f"POST {BASE}/events/upsert HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"inputs\": [".encode()
            )
            time.sleep(0.2)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not app.state.mock.journal.entries():
            time.sleep(0.05)
        (entry,) = app.state.mock.journal.entries()
        assert entry.status is None and "disconnected" in (entry.note or "")
        assert httpx.get(f"{url}/__mock/state").status_code == 200
        assert app.state.backend.portal(1).events == {}


def test_every_entry_says_how_the_official_sdks_take_its_answer(client):
    client.post(f"{BASE}/events/upsert", json={"inputs": [EVENT]}, headers=AUTH)
    client.post(f"{BASE}/attendance/e1/register/create", params={"externalAccountId": "acct"}, json={"inputs": []}, headers=AUTH)
    created, upserted = (client.get(f"/__mock/journal/{e['id']}").json() for e in journal(client))

    assert created["status"] == 201  # endpoint 1 answers 201 live: the SDKs lose it
    assert [(v["sdk"], v["outcome"]) for v in created["sdk"]] == [("python", "returns None"), ("node", "raises")]
    assert "201 is not mapped" in created["sdk"][0]["text"] and "ApiException (code 201)" in created["sdk"][1]["text"]
    assert [v["outcome"] for v in upserted["sdk"]] == ["returns", "returns"]


@pytest.mark.parametrize(
    "headers, query, says",
    [
        ({}, "", "no Authorization header"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "", "scheme is 'Basic', not Bearer"),
        ({"Authorization": "Bearer Bearer pat-1"}, "", "the word Bearer is doubled"),
        ({}, "?hapikey=dev-key", "hapikey in the query string"),
    ],
)
def test_a_401_keeps_hubspots_body_and_says_which_mistake_it_was(client, headers, query, says):
    response = client.get(f"{BASE}/510000000001{query}", headers=headers)
    body = assert_error_response(response, 401, "INVALID_AUTHENTICATION")
    assert body["message"].startswith("Authentication credentials not found.")
    assert says in response.headers["X-HubSpot-Mock-Note"]
    assert says in journal(client)[0]["note"]


def test_an_unknown_token_with_accept_any_token_off_is_named_as_such():
    client = TestClient(create_app(Settings(accept_any_token=False)), base_url="http://localhost")
    response = client.get(f"{BASE}/510000000001", headers=AUTH)
    assert response.status_code == 401
    assert "not one of the seed's tokens" in response.headers["X-HubSpot-Mock-Note"]
