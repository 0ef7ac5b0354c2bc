"""The state under pressure: real threads against one backend, a reset while a write is in flight, secrets kept
out of state files and the journal, contactProperties that never touch an existing contact."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from typing import Iterator

import httpx
import orjson
import pytest
from starlette.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.backend import Backend, Principal
from mock_server.clock import FakeClock
from mock_server.inspector.dump import dump_state
from mock_server.testing import serve_in_thread

ME = "/marketing/v3/marketing-events"
APP = Principal(1, 1)
EVENT = {"externalAccountId": "acct", "externalEventId": "e1", "eventName": "Launch", "eventOrganizer": "Acme"}


# ---------------------------------------------------------------------------------------------- threads
@contextlib.contextmanager
def switching_often() -> Iterator[None]:
    """Make the interpreter switch threads every microsecond, so unguarded check-then-act sequences interleave."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class YieldingClock(FakeClock):
    """A clock that lets other threads run whenever it is read: the backend reads it between finding that an
    email has no contact and creating one, so unguarded threads interleave exactly there."""

    def now_ms(self) -> int:
        time.sleep(0)
        return super().now_ms()


class NoLock:
    """A lock that locks nothing: what the backend would be without its lock."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def hammer(backend: Backend, threads: int = 8, rounds: int = 40) -> None:
    """Threads registering the same new emails and upserting the same events at once."""
    (event,) = backend.upsert_events(APP, [EVENT]).results
    start = threading.Barrier(threads)

    def worker(n: int) -> None:
        start.wait()
        for r in range(rounds):
            emails = [f"person{(r * 7 + i) % 60}@example.com" for i in range(5)]
            backend.record_by_email(APP, event.object_id, "register", [
                {"email": e, "interactionDateTime": 1_767_225_600_000 + n, "properties": {}} for e in emails
            ])
            backend.upsert_events(APP, [{**EVENT, "externalEventId": f"e{r % 5}"}])

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    with switching_often():
        for t in pool:
            t.start()
        for t in pool:
            t.join()


def consistency_problems(backend: Backend) -> list[str]:
    portal = backend.portal(1)
    problems = []
    emails = [c.email for c in portal.contacts.values()]
    if len(emails) != len(set(emails)):
        problems.append(f"{len(emails) - len(set(emails))} emails held by two contacts")
    if {portal.vid_by_email[e] for e in set(emails)} != set(portal.contacts):
        problems.append("the email index and the contacts disagree")
    if len(portal.events) != 5 or len(portal.object_id_by_key) != 5:
        problems.append(f"{len(portal.events)} events for 5 keys")
    for event in portal.events.values():
        if any(vid not in portal.contacts for vid in event.participations):
            problems.append("a participation of no contact")
    return problems


def test_concurrent_threads_leave_the_state_consistent():
    backend = Backend(Settings(), YieldingClock())
    hammer(backend)
    assert consistency_problems(backend) == []
    assert len(backend.portal(1).contacts) == 60


def test_without_its_lock_the_backend_would_not_be(monkeypatch):
    """The test above has teeth: the same load on a backend whose lock locks nothing breaks its consistency."""
    broken = 0
    for _ in range(5):
        backend = Backend(Settings(), YieldingClock())
        backend._lock = NoLock()  # type: ignore[assignment]
        monkeypatch.setattr(backend.changes, "_lock", NoLock())
        hammer(backend)
        broken += bool(consistency_problems(backend))
        if broken:
            break
    assert broken, "five unguarded runs stayed consistent: the load does not exercise the lock"


# ---------------------------------------------------------------------------------------------- reset
def test_a_write_in_flight_across_a_reset_is_not_answered_200_and_lost():
    app = create_app(Settings())
    with serve_in_thread(app) as url:
        answers: list[httpx.Response] = []
        slow = threading.Thread(target=lambda: answers.append(httpx.post(
            f"{url}{ME}/events/upsert", json={"inputs": [EVENT]}, timeout=10,
            headers={"Authorization": "Bearer t", "X-HubSpot-Mock-Fault": '{"action": "latency", "delay_ms": 400}'},
        )))
        slow.start()
        time.sleep(0.15)  # the write is waiting in its fault
        assert httpx.post(f"{url}/__mock/reset", headers={"Content-Type": "application/json"}).status_code == 204
        slow.join()
        (answer,) = answers
        assert answer.status_code == 200
        events = httpx.get(f"{url}/__mock/state").json()["portals"]["1"]["events"]
        assert [e["objectId"] for e in events] == [answer.json()["results"][0]["objectId"]]


# ---------------------------------------------------------------------------------------------- contacts
def test_contact_properties_never_fill_in_an_existing_contacts_missing_properties():
    seed = {"portals": [{"id": 1, "contacts": [{"vid": 3000000001, "email": "grace@example.com", "properties": {"firstname": "Grace"}}]}]}
    client = TestClient(create_app(Settings(), seed=seed, clock=FakeClock()), base_url="http://localhost")
    auth = {"Authorization": "Bearer t"}
    oid = client.post(f"{ME}/events/upsert", json={"inputs": [EVENT]}, headers=auth).json()["results"][0]["objectId"]
    answer = client.post(f"{ME}/{oid}/attendance/register/email-create", headers=auth, json={"inputs": [{
        "email": "GRACE@example.com", "interactionDateTime": 1_767_225_600_000,
        "contactProperties": {"firstname": "Amazing", "lastname": "Hopper", "company": "Navy"},
    }]})
    assert answer.json()["results"] == [{"email": "grace@example.com", "vid": 3000000001}]
    (grace,) = dump_state(client.app.state.backend)["portals"]["1"]["contacts"]
    assert grace["properties"] == {"firstname": "Grace", "email": "grace@example.com"}  # nothing added, nothing changed


# ---------------------------------------------------------------------------------------------- secrets
SECRET = "pat-na1-very-secret-4f1c"


def test_seed_tokens_are_stored_hashed_and_still_authenticate(tmp_path):
    seed = {"tokens": [{"token": SECRET, "appId": 2}]}
    app = create_app(Settings(state_path=str(tmp_path / "state.jsonl"), accept_any_token=False), seed=seed)
    client = TestClient(app, base_url="http://localhost")
    assert client.get(f"{ME}/510000000001", headers={"Authorization": f"Bearer {SECRET}"}).status_code == 404  # authenticated
    snapshot = client.post("/__mock/snapshot", headers={"Content-Type": "application/json"})
    assert snapshot.status_code == 200 and SECRET not in snapshot.text
    assert SECRET not in (tmp_path / "state.jsonl").read_text()
    restored = create_app(Settings(state_path=str(tmp_path / "state.jsonl"), accept_any_token=False))
    assert TestClient(restored, base_url="http://localhost").get(f"{ME}/1", headers={"Authorization": f"Bearer {SECRET}"}).status_code == 404
    assert TestClient(restored, base_url="http://localhost").get(f"{ME}/1", headers={"Authorization": "Bearer other"}).status_code == 401


def test_a_token_inside_the_fault_header_is_not_journaled():
    client = TestClient(create_app(Settings()), base_url="http://localhost")
    fault = orjson.dumps({"action": "respond", "status": 503, "token": SECRET}).decode()
    client.get(f"{ME}/1", headers={"Authorization": f"Bearer {SECRET}", "X-HubSpot-Mock-Fault": fault})
    entry = client.get(f"/__mock/journal/{client.get('/__mock/journal').json()['results'][0]['id']}").text
    assert SECRET not in entry and "[redacted]" in entry


# ---------------------------------------------------------------------------------------------- the admin API and web pages
SEED_TOKEN = {"tokens": [{"token": "pat-stolen-by-a-page"}]}


@pytest.mark.parametrize(
    "headers, status",
    [
        ({"Content-Type": "text/plain"}, 415),  # a cross-site form or no-cors fetch sends this, with no preflight
        ({}, 415),
        ({"Content-Type": "application/json", "Origin": "https://evil.example"}, 403),
        ({"Content-Type": "application/json", "Origin": "null"}, 403),
        ({"Content-Type": "application/json", "Host": "evil.example"}, 403),  # DNS rebinding: the page's own name
    ],
)
def test_web_pages_cannot_drive_the_admin_api(headers, status):
    client = TestClient(create_app(Settings(accept_any_token=False)), base_url="http://localhost")
    response = client.post("/__mock/seed", content=orjson.dumps(SEED_TOKEN), headers=headers)
    assert response.status_code == status and response.json()["status"] == "error"
    assert client.get(f"{ME}/1", headers={"Authorization": "Bearer pat-stolen-by-a-page"}).status_code == 401


def test_a_rebinding_page_cannot_read_the_admin_api_or_load_the_inspector():
    client = TestClient(create_app(Settings()), base_url="http://evil.example:8090")
    assert client.get("/__mock/journal").status_code == 403
    assert client.get("/__mock/ui").status_code == 403


def test_the_inspector_and_non_browser_clients_still_work():
    client = TestClient(create_app(Settings()), base_url="http://localhost:8090")
    assert client.get("/__mock/ui").status_code == 200
    same_origin = {"Content-Type": "application/json", "Origin": "http://localhost:8090"}
    assert client.post("/__mock/seed", content=orjson.dumps(SEED_TOKEN), headers=same_origin).status_code == 204
    assert client.post("/__mock/reset", headers={"Content-Type": "application/json"}).status_code == 204  # curl, no Origin
    assert client.delete("/__mock/faults").status_code == 204  # DELETE needs a preflight from a page: no type needed
    assert TestClient(create_app(Settings()), base_url="http://127.0.0.1:8090").get("/__mock/state").status_code == 200


# ---------------------------------------------------------------------------------------------- ids
@pytest.mark.parametrize("vid", [2**70, 2**63 - 1, 2**62 + 1, 0, -5])
def test_a_seeded_id_the_mock_could_not_count_past_is_refused(vid):
    client = TestClient(create_app(Settings()), base_url="http://localhost")
    seed = {"portals": [{"id": 1, "contacts": [{"vid": vid, "email": "big@example.com"}]}]}
    body = json.dumps(seed)  # orjson refuses integers past 64 bits; a client need not
    response = client.post("/__mock/seed", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["errors"][0]["in"].endswith("vid")
    assert client.get("/__mock/state").status_code == 200  # and the state still serialises


def test_the_largest_seeded_vid_leaves_room_below_int64():
    backend = Backend(Settings(), FakeClock())
    backend.load_seed({"portals": [{"id": 1, "contacts": [{"vid": 2**62, "email": "edge@example.com"}]}]})
    (event,) = backend.upsert_events(APP, [EVENT]).results
    (result,) = backend.record_by_email(APP, event.object_id, "register", [{"email": "new@example.com", "interactionDateTime": 1_767_225_600_000}]).results
    assert result.vid == 2**62 + 1 < 2**63 - 1


def test_a_state_file_whose_counters_run_past_the_ceiling_is_refused():
    image = Backend(Settings(), FakeClock()).snapshot()
    image["counters"]["nextVid"] = 2**63
    with pytest.raises(ValueError, match="past"):
        Backend(Settings(), FakeClock()).restore(image)


# ---------------------------------------------------------------------------------------------- read lag per path
def test_each_read_path_lags_by_its_own_setting_as_strict_sets_them():
    from mock_server.settings import STRICT_READ_LAGS

    clock = FakeClock()
    client = TestClient(create_app(Settings(**STRICT_READ_LAGS), clock=clock), base_url="http://localhost")
    auth = {"Authorization": "Bearer t"}
    oid = client.post(f"{ME}/events", json=EVENT, headers=auth).json()["objectId"]
    clock.advance(1.0)  # the event itself is readable after read_lag_seconds
    client.post(f"{ME}/{oid}/attendance/register/email-create", headers=auth,
                json={"inputs": [{"email": "ada@example.com", "interactionDateTime": 1_767_225_600_000}]})

    def seen() -> tuple[int, int, int]:
        contact = client.get(f"{ME}/participations/contacts/ada@example.com/breakdown", headers=auth).json()["total"]
        counters = client.get(f"{ME}/participations/{oid}", headers=auth).json()["registered"]
        identifiers = client.get(f"{ME}/e1/identifiers", headers=auth).json()["total"]
        return contact, counters, identifiers

    assert seen() == (0, 0, 0)
    clock.advance(1.0)
    assert seen() == (1, 0, 0)  # the contact-level breakdown within about a second
    clock.advance(9.0)
    assert seen() == (1, 1, 0)  # the event-level rollup later
    clock.advance(60.0)
    assert seen() == (1, 1, 1)  # the identifiers search last


def test_without_strict_every_read_sees_a_write_at_once():
    client = TestClient(create_app(Settings(), clock=FakeClock()), base_url="http://localhost")
    auth = {"Authorization": "Bearer t"}
    oid = client.post(f"{ME}/events", json=EVENT, headers=auth).json()["objectId"]
    client.post(f"{ME}/{oid}/attendance/register/email-create", headers=auth,
                json={"inputs": [{"email": "ada@example.com", "interactionDateTime": 1_767_225_600_000}]})
    assert client.get(f"{ME}/e1/identifiers", headers=auth).json()["total"] == 1
    assert client.get(f"{ME}/participations/{oid}", headers=auth).json()["registered"] == 1
