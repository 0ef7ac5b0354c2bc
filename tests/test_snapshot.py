"""State snapshots: Backend.snapshot() / restore() and the state file (mock_server.snapshot).

A snapshot must give back exactly the state it was taken from (ids, times, history, tokens, counters), refuse a
bad or foreign file without touching the current state, and be written so that a crash at any moment leaves
the previous file whole. Time comes from a FakeClock, so every timestamp is exact.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import select
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from mock_server import create_app
from mock_server.clock import FakeClock
from mock_server.exceptions import READ_SCOPE, ExpiredToken, NotFound, Unauthorized
from mock_server.backend import Backend, Principal
from mock_server.backend.tokens import token_key
from mock_server.backend.events import EVENT_FIELDS as _EVENT_FIELDS
from mock_server.backend.persistence import SNAPSHOT_EVENT_FIELDS as _SNAPSHOT_EVENT_FIELDS, SNAPSHOT_FORMAT, image_lines
from mock_server.settings import Settings
from mock_server.snapshot import load_snapshot, restore_snapshot, save_snapshot
from mock_server.inspector.dump import dump_state

ROOT = Path(__file__).resolve().parent.parent
T0 = 1_767_225_600_000  # FakeClock's start: 2026-01-01T00:00:00Z, in ms
APP1, APP2 = Principal(1, 1), Principal(1, 2)
PORTAL2 = Principal(2, 7)
ADA, BOB, NOMAIL, CY = 2**31 + 100, 2**31 + 200, 2**31 + 300, 2**31 + 400
SEED = {
    "portals": [
        {
            "id": 1,
            "propertyDefinitions": ["p", "room"],
            "contacts": [
                {"vid": ADA, "email": "Ada@Example.com", "properties": {"firstname": "Ada"}},
                {"vid": BOB, "email": "bob@example.com"},
                {"vid": NOMAIL},
            ],
        },
        {"id": 2, "propertyDefinitions": ["q"], "contacts": [{"vid": CY, "email": "cy@example.com"}]},
    ],
    "tokens": [
        {"token": "pat-app2", "portalId": 1, "appId": 2, "scopes": [READ_SCOPE]},
        {"token": "pat-expired", "expired": True},
        {"token": "pat-portal2", "portalId": 2, "appId": 7},
    ],
}
SPAN = {"joinedAt": "2026-01-01T00:00:00Z", "leftAt": "2026-01-01T01:00:00Z"}
NULLABLE = {"email", "eventType", "eventDescription", "eventUrl", "startDateTime", "endDateTime", "joinedAt", "leftAt"}
PROPERTY_MAPS = {"properties", "customProperties"}
ADDED_LATER = {"lists", "listIds", "developerKeys", "appSettings"}  # state files written before them still load


# ---------------------------------------------------------------------------------------------- helpers
def event_input(event_id: str = "e1", account: str = "acct", **fields: Any) -> dict[str, Any]:
    return {
        "externalAccountId": account,
        "externalEventId": event_id,
        "eventName": "Webinar",
        "eventOrganizer": "Acme",
        **fields,
    }


def by_vid(vid: int, when: Any = T0, **properties: str) -> dict[str, Any]:
    return {"vid": vid, "interactionDateTime": when, "properties": properties}


def by_email(email: str, when: Any = T0, contact_properties: dict | None = None, **properties: str) -> dict[str, Any]:
    return {
        "email": email,
        "interactionDateTime": when,
        "properties": properties,
        "contactProperties": contact_properties or {},
    }


def rich_backend(**overrides: Any) -> Backend:
    """Two portals, several apps, events with custom properties, participations with a history, contacts
    created by email-create: every kind of state the backend holds."""
    backend = Backend(Settings.for_profile("live", **overrides), FakeClock())
    clock = backend.clock
    backend.load_seed(SEED)
    full = event_input(
        customProperties=[
            {"name": "p", "value": 1},
            {"name": "room", "value": "A1"},
            {"name": "zzz", "value": "dropped"},
        ],
        startDateTime="2026-01-02T10:00:00Z",
        endDateTime="2026-01-02T11:30:00.250Z",
        eventType="WEBINAR",
        eventDescription="All about it",
        eventUrl="https://example.com/e1",
    )
    (e1,) = backend.upsert_events(APP1, [full]).results
    backend.upsert_events(APP1, [event_input("e2", eventCancelled=True, eventCompleted=True)])
    clock.advance(61)
    backend.upsert_events(APP1, [event_input(eventName="Renamed", customProperties=[{"name": "p", "value": "2"}])])
    backend.upsert_events(APP2, [event_input(eventName="App 2's own e1")])  # same external ids, another app
    (other,) = backend.upsert_events(
        PORTAL2, [event_input("x1", "acct-2", customProperties=[{"name": "q", "value": "v"}])]
    ).results

    assert (
        backend.record_by_contact_ids(APP1, "e1", "register", "acct", [by_vid(ADA), by_vid(BOB), by_vid(NOMAIL)]).errors
        == []
    )
    clock.advance(5)
    backend.record_by_contact_ids(APP1, "e1", "attend", "acct", [by_vid(ADA, T0 + 1000, **SPAN)])
    clock.advance(5)
    backend.record_by_contact_ids(APP1, "e1", "cancel", "acct", [by_vid(BOB, T0 + 2000)])
    outcome = backend.record_by_email(
        APP1,
        e1.object_id,
        "register",
        [
            by_email("New@Person.com", contact_properties={"firstname": "New"}),
            by_email("ADA@example.com", "2026-01-01T00:00:05Z"),
        ],
    )
    assert outcome.errors == [] and len(outcome.results) == 2
    backend.record_by_email(
        PORTAL2, other.object_id, "register", [by_email("cy@example.com"), by_email("p2@example.com")]
    )
    clock.advance(3600)
    return backend


def internals(backend: Backend) -> dict[str, Any]:
    """Every stored field of every entity, not only what dump() shows; the monotonic visibility times are
    zeroed (a restore makes everything visible at once, by design)."""

    def scrub(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: 0.0 if k in ("visible_at", "recorded_at") else scrub(v) for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            return [scrub(v) for v in node]
        return node

    return scrub(
        {
            "portals": {pid: dataclasses.asdict(p) for pid, p in backend.portals.items()},
            "order": {
                pid: (list(p.contacts), list(p.events), list(p.object_id_by_key)) for pid, p in backend.portals.items()
            },
            "tokens": dict(backend.tokens),
            "counters": backend.snapshot()["counters"],
        }
    )


def save_and_load(backend: Backend, tmp_path: Path) -> dict[str, Any]:
    save_snapshot(backend, tmp_path / "state.json")
    return load_snapshot(tmp_path / "state.json")


@pytest.fixture
def backend() -> Backend:
    return rich_backend()


# ---------------------------------------------------------------------------------------------- round trip
def test_round_trip_through_a_file_gives_the_same_state(backend, tmp_path):
    image = save_and_load(backend, tmp_path)
    restored = Backend.from_snapshot(image, clock=FakeClock(backend.clock.now_ms()))

    assert image["format"] == SNAPSHOT_FORMAT
    assert dump_state(restored) == dump_state(backend)
    assert internals(restored) == internals(backend)
    assert restored.snapshot() == backend.snapshot() == image
    # the parts the fixture is meant to cover are really there
    dump = dump_state(restored)
    assert set(dump["portals"]) == {"1", "2"}
    assert {c["email"] for c in dump["portals"]["1"]["contacts"]} >= {"ada@example.com", "new@person.com"}
    (e1,) = [e for e in dump["portals"]["1"]["events"] if e["appId"] == 1 and e["externalEventId"] == "e1"]
    assert e1["customProperties"] == {"p": "2", "room": "A1"}
    assert [h["state"] for s in e1["subscribers"] if s["vid"] == ADA for h in s["history"]] == [
        "REGISTERED",
        "ATTENDED",
        "REGISTERED",
    ]


def test_restore_replaces_all_state_of_a_used_backend(backend):
    target = Backend(Settings(), FakeClock())
    target.load_seed(
        {"portals": [{"id": 99, "contacts": [{"email": "gone@example.com"}]}], "tokens": [{"token": "gone"}]}
    )
    target.upsert_events(Principal(99, 1), [event_input()])

    target.restore(backend.snapshot())

    assert dump_state(target) == dump_state(backend)
    assert internals(target) == internals(backend)
    assert token_key("gone") not in target.tokens


def test_restored_reads_match_the_original(backend):
    restored = Backend.from_snapshot(backend.snapshot(), clock=FakeClock(backend.clock.now_ms()))
    for b in (backend, restored):
        event = b.event_by_external_ids(APP1, "e1", "acct")
        assert event.event_name == "Renamed"
    views = {
        which: sorted(
            (v.contact.vid, v.state, v.participation.participation_id)
            for v in b.participations(b.event_by_external_ids(APP1, "e1", "acct"))
        )
        for which, b in (("original", backend), ("restored", restored))
    }
    assert views["original"] == views["restored"]
    assert restored.counters(restored.event_by_external_ids(APP1, "e1", "acct")) == backend.counters(
        backend.event_by_external_ids(APP1, "e1", "acct")
    )


def test_tokens_authenticate_the_same_after_restore(backend):
    restored = Backend.from_snapshot(backend.snapshot(), backend.settings, FakeClock())
    for token in ("pat-app2", "pat-portal2", "any-unknown-token"):
        assert restored.authenticate(token) == backend.authenticate(token)
    assert restored.authenticate("pat-app2").scopes == frozenset({READ_SCOPE})
    for b in (backend, restored):
        with pytest.raises(ExpiredToken):
            b.authenticate("pat-expired")
        with pytest.raises(Unauthorized):
            b.authenticate("Bearer pat-app2")


def test_email_lookup_works_after_restore(backend):
    """vid_by_email is rebuilt: email-create for a known email (any case) reuses the contact."""
    restored = Backend.from_snapshot(backend.snapshot(), clock=FakeClock())
    event = restored.event_by_external_ids(APP1, "e1", "acct")
    outcome = restored.record_by_email(APP1, event.object_id, "register", [by_email("NEW@person.com", T0 + 9000)])
    assert [r.email for r in outcome.results] == ["new@person.com"]
    assert len(restored.portals[1].contacts) == len(backend.portals[1].contacts)


def test_snapshot_shares_no_mutable_data_with_the_backend(backend):
    image = backend.snapshot()
    before = dump_state(backend)
    image["portals"][0]["contacts"][0]["properties"]["firstname"] = "Mallory"
    image["portals"][0]["events"][0]["customProperties"]["p"] = "mutated"
    image["portals"][0]["events"][0]["participations"][0]["history"][0]["properties"]["x"] = "y"
    assert dump_state(backend) == before

    restored = Backend.from_snapshot(backend.snapshot(), clock=FakeClock())
    clean = restored.snapshot()
    image = backend.snapshot()
    restored.portals[1].contacts[ADA].properties["firstname"] = "Changed"
    assert backend.snapshot() == image == clean


# ---------------------------------------------------------------------------------------------- counters
def test_new_ids_after_restore_do_not_collide_with_restored_ones(backend, tmp_path):
    restored = Backend.from_snapshot(save_and_load(backend, tmp_path), clock=FakeClock())
    old_vids = {vid for p in restored.portals.values() for vid in p.contacts}
    old_object_ids = {oid for p in restored.portals.values() for oid in p.events}
    old_participation_ids = {
        pa.participation_id
        for p in restored.portals.values()
        for e in p.events.values()
        for pa in e.participations.values()
    }

    (event,) = restored.upsert_events(APP1, [event_input("brand-new")]).results
    outcome = restored.record_by_email(
        APP1, event.object_id, "register", [by_email("fresh@example.com"), by_email("ada@example.com")]
    )

    (fresh,) = [r.vid for r in outcome.results if r.email == "fresh@example.com"]
    assert fresh not in old_vids and fresh > max(old_vids)
    assert event.object_id not in old_object_ids and int(event.object_id) > max(map(int, old_object_ids))
    new_participation_ids = {pa.participation_id for pa in event.participations.values()}
    assert len(new_participation_ids) == 2 and not new_participation_ids & old_participation_ids
    # the same calls on the original hand out the same ids: the counters continued where they were
    (twin,) = backend.upsert_events(APP1, [event_input("brand-new")]).results
    assert twin.object_id == event.object_id


def test_counters_never_go_back_below_ids_in_the_image(backend):
    """A hand-edited (or older) snapshot with low counters still never hands out an id twice."""
    image = backend.snapshot()
    image["counters"] = {"nextVid": 1, "nextObjectId": 1, "nextParticipationId": 1}
    restored = Backend.from_snapshot(image, clock=FakeClock())

    events = [e for p in backend.portals.values() for e in p.events.values()]
    assert restored.snapshot()["counters"] == {
        "nextVid": max(vid for p in backend.portals.values() for vid in p.contacts) + 1,
        "nextObjectId": max(int(e.object_id) for e in events) + 1,
        "nextParticipationId": max(int(pa.participation_id) for e in events for pa in e.participations.values()) + 1,
    }


def test_restored_state_is_visible_at_once_despite_read_lag():
    backend = rich_backend(read_lag_seconds=30)
    (event,) = backend.upsert_events(APP1, [event_input("lagging")]).results
    backend.record_by_contact_ids(APP1, "e1", "register", "acct", [by_vid(BOB, T0 + 50_000)])
    with pytest.raises(NotFound):
        backend.event_by_object_id(APP1, event.object_id)  # not visible yet on the original
    e1 = backend.event_by_external_ids(APP1, "e1", "acct")
    assert {v.contact.vid: v.state for v in backend.participations(e1)}[BOB] == "CANCELLED"  # nor is the change

    restored = Backend.from_snapshot(backend.snapshot(), backend.settings, FakeClock(backend.clock.now_ms()))

    assert restored.event_by_object_id(APP1, event.object_id).external_event_id == "lagging"
    e1 = restored.event_by_external_ids(APP1, "e1", "acct")
    assert {v.contact.vid: v.state for v in restored.participations(e1)}[BOB] == "REGISTERED"
    assert all(e.visible_at == 0.0 for p in restored.portals.values() for e in p.events.values())


# ---------------------------------------------------------------------------------------------- bad images
def _seed_like(image):
    return copy.deepcopy(SEED)


def _set(path: tuple, value: Any):
    def mutate(image: dict) -> dict:
        node = image
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return image

    return mutate


BAD_IMAGES = {
    "a list": (lambda image: [image], "expected a JSON object"),
    "no marker": (lambda image: {k: v for k, v in image.items() if k != "format"}, "not a mock state snapshot"),
    "foreign marker": (_set(("format",), "something-else/1"), "not a mock state snapshot"),
    "newer version": (_set(("format",), "hubspot-mock-state/2"), "unsupported snapshot format"),
    "a seed file": (_seed_like, "seed file"),
    "vid as a string": (
        _set(("portals", 0, "contacts", 0, "vid"), "2147483748"),
        r"portals\[0\]\.contacts\[0\]\.vid must be an integer",
    ),
    "true as a vid": (_set(("portals", 0, "contacts", 0, "vid"), True), "must be an integer"),
    "duplicate vid": (_set(("portals", 0, "contacts", 1, "vid"), ADA), "appears twice"),
    "duplicate email": (_set(("portals", 0, "contacts", 1, "email"), "ADA@example.com"), "appears twice"),
    "duplicate portal": (_set(("portals", 1, "id"), 1), "portal 1 appears twice"),
    "duplicate objectId": (
        lambda i: _set(("portals", 0, "events", 1, "objectId"), i["portals"][0]["events"][0]["objectId"])(i),
        "appears twice",
    ),
    "participant not a contact": (
        _set(("portals", 0, "events", 0, "participations", 0, "vid"), 12345),
        "not a contact of portal 1",
    ),
    "read-only state stored": (
        _set(("portals", 0, "events", 0, "participations", 0, "history", 0, "state"), "NO_SHOW"),
        "state must be one of",
    ),
    "missing counters": (
        lambda image: {k: v for k, v in image.items() if k != "counters"},
        "counters must be an object",
    ),
    "float counter": (_set(("counters", "nextVid"), 1.5), "counters.nextVid must be an integer"),
    "scopes not strings": (_set(("tokens", token_key("pat-app2"), "scopes"), [1]), "scopes must hold only strings"),
    "late failure": (
        _set(("portals", 1, "events", 0, "participations", 1, "history", 0, "interactionDateTime"), "soon"),
        "interactionDateTime",
    ),
}


@pytest.mark.parametrize("name", BAD_IMAGES)
def test_bad_image_raises_value_error_and_changes_nothing(backend, name):
    mutate, message = BAD_IMAGES[name]
    target = rich_backend()
    target.upsert_events(APP1, [event_input("only-in-target")])
    before, before_internals = target.snapshot(), internals(target)

    with pytest.raises(ValueError, match=message):
        target.restore(mutate(backend.snapshot()))

    assert target.snapshot() == before
    assert internals(target) == before_internals


def test_a_dump_is_not_a_snapshot(backend):
    with pytest.raises(ValueError, match="not a mock state snapshot"):
        Backend().restore(dump_state(backend))


def _nodes(node: Any, path: tuple = ()):
    """Every (path, value) below the root of a JSON tree."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield path + (key,), value
        yield from _nodes(value, path + (key,))


def test_every_corrupted_field_is_refused_cleanly():
    """Each value of the image in turn replaced by one of another JSON type, or its key removed: restore either
    accepts it (only where that is legal) or raises ValueError leaving the state alone; never another error."""
    source = rich_backend()
    image = source.snapshot()
    target = Backend(Settings(), FakeClock())
    target.restore(image)
    refused = 0
    for path, value in list(_nodes(image)):
        parent_key = path[-2] if len(path) >= 2 else None
        in_property_map = parent_key in PROPERTY_MAPS
        wrong = "not-a-number" if value is None or isinstance(value, (bool, int, list, dict)) else 12345
        cases = [(wrong, value is None or in_property_map)]
        if isinstance(path[-1], str):  # a key that can be removed
            added_later = path[-1] in ADDED_LATER or (path[-1] == "updatedAt" and "contacts" in path)
            cases.append((KeyError, path[-1] in NULLABLE or in_property_map or parent_key == "tokens" or added_later))
        for replacement, may_pass in cases:
            broken = copy.deepcopy(image)
            parent = broken
            for key in path[:-1]:
                parent = parent[key]
            if replacement is KeyError:
                del parent[path[-1]]
            else:
                parent[path[-1]] = replacement
            try:
                target.restore(broken)
            except ValueError:
                refused += 1
                assert target.snapshot() == image, path
            else:
                assert may_pass, f"accepted a corrupted {path} = {replacement!r}"
                target.restore(image)
    assert refused > 100


def test_the_snapshot_covers_every_upsertable_event_field():
    assert _SNAPSHOT_EVENT_FIELDS.keys() == _EVENT_FIELDS.keys()


# ---------------------------------------------------------------------------------------------- state file
def test_load_snapshot_names_the_file_when_it_is_not_json(tmp_path):
    path = tmp_path / "state.json"
    path.write_bytes(b'{"format": "hubspot-mock-state/1", "portals": [')
    with pytest.raises(ValueError, match=r"state\.json: not valid JSON"):
        load_snapshot(path)


def test_load_snapshot_names_the_file_when_it_is_not_a_snapshot(tmp_path):
    path = tmp_path / "seed.json"
    path.write_bytes(orjson.dumps(SEED))
    with pytest.raises(ValueError, match=r"seed\.json: not a mock state snapshot.*seed file"):
        load_snapshot(path)


def test_save_replaces_the_previous_file_and_leaves_nothing_else(backend, tmp_path):
    path = tmp_path / "state.json"
    save_snapshot(Backend(Settings(), FakeClock()), path)
    written = save_snapshot(backend, path)
    assert load_snapshot(path) == written == backend.snapshot()
    assert os.listdir(tmp_path) == ["state.json"]


def test_save_to_a_relative_path(backend, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    save_snapshot(backend, "state.json")
    assert dump_state(Backend.from_snapshot(load_snapshot("state.json"), clock=FakeClock())) == dump_state(backend)


@pytest.fixture
def previous(tmp_path) -> tuple[Path, bytes]:
    """A state file from an earlier save, and its bytes."""
    path = tmp_path / "state.json"
    save_snapshot(rich_backend(), path)
    return path, path.read_bytes()


def _fail(*args: Any, **kwargs: Any) -> None:
    raise OSError("simulated crash")


@pytest.mark.parametrize("where", ["os.replace", "os.fsync", "write"])
def test_a_failed_save_leaves_the_previous_file_intact(backend, previous, monkeypatch, where):
    path, before = previous
    if where == "write":
        monkeypatch.setattr("mock_server.snapshot.tempfile.NamedTemporaryFile", _failing_writer())
    else:
        monkeypatch.setattr(where, _fail)
    backend.upsert_events(APP1, [event_input("newer")])

    with pytest.raises(OSError, match="simulated crash"):
        save_snapshot(backend, path)

    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["state.json"]  # the temporary file is gone


def _failing_writer():
    """NamedTemporaryFile whose write dies half-way, after part of the data reached the file."""
    real = tempfile.NamedTemporaryFile

    def make(*args: Any, **kwargs: Any):
        f = real(*args, **kwargs)

        def write(data: bytes) -> int:
            f.file.write(data[: len(data) // 2])
            f.file.flush()
            raise OSError("simulated crash")

        f.write = write
        return f

    return make


def test_a_state_that_cannot_be_serialised_writes_nothing(backend, previous, monkeypatch):
    path, before = previous
    monkeypatch.setattr(backend, "snapshot", lambda: {"format": SNAPSHOT_FORMAT, "portals": [], "bad": object()})
    with pytest.raises(TypeError):
        save_snapshot(backend, path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["state.json"]


# The child restores the previous file, grows the state, and saves it through a writer that stalls after the
# first 4 KiB (printing the temporary file's name) until it is killed: a crash in the middle of the write.
CHILD = r"""
import sys, tempfile, time
from mock_server.clock import FakeClock
from mock_server.backend import Backend, Principal
from mock_server.snapshot import load_snapshot, save_snapshot

path = sys.argv[1]
backend = Backend.from_snapshot(load_snapshot(path), clock=FakeClock())
backend.upsert_events(Principal(1, 1), [
    {"externalAccountId": "bulk", "externalEventId": f"e{i}", "eventName": "x" * 200, "eventOrganizer": "Acme"}
    for i in range(2000)
])

class StallingFile:
    def __init__(self, f):
        self.f = f
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.f.__exit__(*exc)
    def __getattr__(self, name):
        return getattr(self.f, name)
    def write(self, data):
        self.f.write(data[:4096])
        self.f.flush()
        print(self.f.name, flush=True)
        time.sleep(600)

real = tempfile.NamedTemporaryFile
tempfile.NamedTemporaryFile = lambda *a, **k: StallingFile(real(*a, **k))
save_snapshot(backend, path)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_process_killed_mid_save_leaves_the_previous_file_intact(backend, tmp_path):
    path = tmp_path / "state.json"
    save_snapshot(backend, path)
    before = path.read_bytes()

    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "the child never started writing"
        tmp_name = proc.stdout.readline().strip()
        assert tmp_name, proc.stderr.read()  # the child died instead of stalling
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()

    assert proc.returncode == -signal.SIGKILL
    leftover = Path(tmp_name)
    assert leftover.parent == tmp_path and leftover.stat().st_size == 4096  # it died with the new file half written
    assert path.read_bytes() == before
    assert dump_state(Backend.from_snapshot(load_snapshot(path), clock=FakeClock())) == dump_state(backend)


# ---------------------------------------------------------------------------------------------- --state FILE
def test_state_file_survives_a_restart_of_the_app(tmp_path):
    """The wiring in create_app: POST /__mock/snapshot writes the file, shutdown saves it, a new app restores it."""
    path = tmp_path / "state.json"
    settings = Settings(state_path=str(path))
    headers = {"Authorization": "Bearer pat-test"}
    with TestClient(create_app(settings, clock=FakeClock()), base_url="http://localhost") as client:
        response = client.post(
            "/marketing/v3/marketing-events/events/upsert",
            json={"inputs": [event_input(customProperties=[])]},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        object_id = response.json()["results"][0]["objectId"]
        snap = client.post("/__mock/snapshot", headers={"Content-Type": "application/json"})
        assert snap.status_code == 200 and snap.json() == load_snapshot(path)
        response = client.post(
            f"/marketing/v3/marketing-events/{object_id}/attendance/register/email-create",
            json={"inputs": [by_email("late@example.com")]},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        expected = dump_state(client.app.state.backend)
    # leaving the client ran the shutdown, which saved the email-create too
    assert "late@example.com" in {
        c["email"] for c in dump_state(Backend.from_snapshot(load_snapshot(path)))["portals"]["1"]["contacts"]
    }

    with TestClient(create_app(settings, clock=FakeClock()), base_url="http://localhost") as client:
        assert dump_state(client.app.state.backend) == expected
        assert client.get(f"/marketing/v3/marketing-events/{object_id}", headers=headers).status_code == 200


# ---------------------------------------------------------------------------------------------- the file, in lines
def write_lines(path: Path, image: dict[str, Any], chunk_size: int) -> None:
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in image_lines(image, chunk_size)))


def test_a_state_file_is_the_image_then_its_records_in_chunks(backend, tmp_path):
    image = backend.snapshot()
    lines = list(image_lines(image, chunk_size=2))
    assert all(p["contacts"] == [] for p in lines[0]["portals"])
    assert all(e["participations"] == [] for p in lines[0]["portals"] for e in p["events"])
    assert len(lines) > 1 + len(image["portals"])  # several chunks per portal at 2 records each
    assert all(len(line.get("contacts", line.get("participations", []))) <= 2 for line in lines[1:])
    assert image == backend.snapshot()  # the image itself is left as it was


@pytest.mark.parametrize("chunk_size", [1, 2, 10_000])
def test_restoring_a_file_a_line_at_a_time_gives_the_same_state(backend, tmp_path, chunk_size):
    path = tmp_path / "state.json"
    write_lines(path, backend.snapshot(), chunk_size)
    restored = Backend(Settings(), FakeClock())
    restore_snapshot(restored, path)
    assert internals(restored) == internals(backend)
    assert load_snapshot(path) == backend.snapshot()  # and the lines put together are the image


def test_a_single_document_state_file_still_restores(backend, tmp_path):
    """What earlier versions wrote: the whole image as one JSON document."""
    path = tmp_path / "state.json"
    path.write_bytes(orjson.dumps(backend.snapshot()))
    restored = Backend(Settings(), FakeClock())
    restore_snapshot(restored, path)
    assert dump_state(restored) == dump_state(backend)
    assert load_snapshot(path) == backend.snapshot()


BAD_CHUNKS = {
    "not json": b"{oops",
    "not an object": b"[1, 2]",
    "portal out of range": b'{"portal": 9, "contacts": []}',
    "event out of range": b'{"portal": 0, "event": 99, "participations": []}',
    "contacts not a list": b'{"portal": 0, "contacts": {}}',
    "a contact twice": None,  # filled in below: the first chunk again
    "participation of an unknown vid": b'{"portal": 0, "event": 0, "participations": [{"vid": 1, "participationId": "9", "createdAt": 1, "history": []}]}',
}


@pytest.mark.parametrize("name", BAD_CHUNKS)
def test_a_bad_line_names_the_file_and_changes_nothing(backend, tmp_path, name):
    path = tmp_path / "state.json"
    write_lines(path, backend.snapshot(), chunk_size=2)
    lines = path.read_bytes().splitlines()
    bad = BAD_CHUNKS[name] if BAD_CHUNKS[name] is not None else lines[1]
    path.write_bytes(b"\n".join([*lines, bad]) + b"\n")
    target = rich_backend()
    before = internals(target)
    with pytest.raises(ValueError, match="state.json"):
        restore_snapshot(target, path)
    assert internals(target) == before
