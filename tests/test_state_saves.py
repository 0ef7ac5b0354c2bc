"""Saves of a running mock (mock_server.snapshot.save_state): a copy of the state taken at one instant under the
backend's lock, then built, serialised and written in a thread while the event loop goes on serving.

The copy must be exactly the state of that instant however the backend changes afterwards; the answered JSON
must be the image's; saves to one file must land in the order their copies were taken; and a request must be
answered while a save is being written (checked by holding the write, not by timing it).
"""

from __future__ import annotations

import asyncio
import threading

import httpx
import orjson
import pytest
from test_snapshot import ADA, APP1, BOB, PORTAL2, by_email, by_vid, event_input, rich_backend

from mock_server import create_app, snapshot
from mock_server.backend import Backend
from mock_server.settings import Settings
from mock_server.snapshot import _StateCopy, image_json, load_snapshot, remove_stale_temporaries, save_state
from mock_server.testing import serve_in_thread

UPSERT = "/marketing/v3/marketing-events/events/upsert"


def test_the_copy_is_the_state_at_the_instant_it_was_taken_whatever_is_written_after():
    backend = rich_backend()
    expected = backend.snapshot()
    copy = _StateCopy.take(backend)

    # every kind of change the backend makes in place or adds
    (e1,) = backend.upsert_events(APP1, [event_input(eventName="Changed", customProperties=[{"name": "room", "value": "B2"}])]).results
    backend.upsert_events(APP1, [event_input("brand-new")])
    backend.record_by_contact_ids(APP1, "e1", "attend", "acct", [by_vid(BOB, 1_767_225_700_000)])
    backend.record_by_email(APP1, e1.object_id, "register", [by_email("later@example.com")])
    backend.record_by_email(PORTAL2, backend.event_by_external_ids(PORTAL2, "x1", "acct-2").object_id, "cancel", [by_email("cy@example.com")])
    backend.load_seed({"portals": [{"id": 1, "propertyDefinitions": ["late"]}], "tokens": [{"token": "pat-late"}]})
    assert backend.snapshot() != expected

    assert copy.image() == expected


def test_the_copy_shares_nothing_the_backend_changes_with_an_image_built_twice():
    backend = rich_backend()
    copy = _StateCopy.take(backend)
    assert copy.image() == copy.image() == backend.snapshot()


@pytest.mark.parametrize("make", [rich_backend, lambda: Backend(Settings())], ids=["rich", "empty"])
def test_the_answered_json_is_the_image(make):
    image = make().snapshot()
    assert image_json(image) == orjson.dumps(image)


def test_an_image_with_more_records_than_a_chunk_is_answered_whole(monkeypatch):
    monkeypatch.setattr(snapshot, "CHUNK", 2)
    image = rich_backend().snapshot()
    assert image_json(image) == orjson.dumps(image)


def test_save_state_writes_the_file_and_answers_the_image(tmp_path):
    backend = rich_backend()
    answered = asyncio.run(save_state(backend, tmp_path / "state.json"))
    assert orjson.loads(answered) == backend.snapshot() == load_snapshot(tmp_path / "state.json")
    assert asyncio.run(save_state(backend, None, answer=False)) is None


def test_saves_to_one_file_land_in_the_order_their_copies_were_taken(tmp_path):
    path = tmp_path / "state.json"
    backend = rich_backend()
    older = _StateCopy.take(backend)
    backend.upsert_events(APP1, [event_input("newer")])
    newer = _StateCopy.take(backend)

    newer.finish(path, answer=False)  # the newer save finishes first...
    older.finish(path, answer=False)  # ...and the older one, finishing late, must not overwrite it

    assert load_snapshot(path) == newer.image()


def test_requests_are_answered_while_a_save_is_being_written(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    release, writing = threading.Event(), threading.Event()
    write = snapshot._write_atomically

    def held_write(data: bytes, target):  # the disk is slow: the save's thread waits here
        writing.set()
        assert release.wait(30)
        write(data, target)

    monkeypatch.setattr(snapshot, "_write_atomically", held_write)
    app = create_app(Settings(state_path=str(path)), seed={"portals": [{"id": 1, "contacts": [{"vid": ADA, "email": "ada@example.com"}]}]})
    with serve_in_thread(app) as url:
        headers = {"Authorization": "Bearer t"}
        httpx.post(f"{url}{UPSERT}", json={"inputs": [event_input("before")]}, headers=headers).raise_for_status()
        answers: dict[str, httpx.Response] = {}
        saving = threading.Thread(target=lambda: answers.setdefault("save", httpx.post(f"{url}/__mock/snapshot", headers={"Content-Type": "application/json"}, timeout=30)))
        saving.start()
        assert writing.wait(10)

        during = httpx.post(f"{url}{UPSERT}", json={"inputs": [event_input("during")]}, headers=headers, timeout=5)
        assert during.status_code == 200
        assert httpx.get(f"{url}/__mock/state", timeout=5).status_code == 200

        release.set()
        saving.join(10)
        image = answers["save"].json()
        saved = [e["externalEventId"] for p in load_snapshot(path)["portals"] for e in p["events"]]
        assert saved == ["before"]  # the state when the save began: the write made during it is the next save's
        assert [e["externalEventId"] for p in image["portals"] for e in p["events"]] == ["before"]
    # shutting down saves again, with the later write
    assert [e["externalEventId"] for p in load_snapshot(path)["portals"] for e in p["events"]] == ["before", "during"]


def test_only_the_mocks_own_temporary_files_are_removed(tmp_path):
    ours = [tmp_path / ".state.json.abcdefgh.tmp", tmp_path / ".state.json.a1_b2c3d.tmp"]
    others = [
        tmp_path / ".state.json.abc.tmp",  # not 8 characters
        tmp_path / ".state.json.ABCDEFGH.tmp",  # tempfile never uses capitals
        tmp_path / ".state.json2.abcdefgh.tmp",  # another file's
        tmp_path / "state.json",
        tmp_path / ".state.json.abcdefgh.tmp.keep",
    ]
    for file in ours + others:
        file.write_bytes(b"x")
    (tmp_path / ".state.json.zzzzzzzz.tmp").mkdir()  # a directory is never removed

    assert sorted(remove_stale_temporaries(tmp_path / "state.json")) == sorted(ours)
    assert all(f.exists() for f in others) and (tmp_path / ".state.json.zzzzzzzz.tmp").is_dir()
    assert remove_stale_temporaries(tmp_path / "missing-dir" / "state.json") == []


def test_a_real_save_leaves_no_temporary_file_behind(tmp_path):
    asyncio.run(save_state(rich_backend(), tmp_path / "state.json"))
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    assert [p["id"] for p in load_snapshot(tmp_path / "state.json")["portals"]] == [1, 2]


def test_collection_and_the_switch_interval_are_as_they_were_after_saves(tmp_path):
    import gc
    import sys

    interval = sys.getswitchinterval()

    async def two_saves_at_once() -> None:
        await asyncio.gather(save_state(rich_backend(), tmp_path / "a.json"), save_state(rich_backend(), tmp_path / "b.json"))

    asyncio.run(two_saves_at_once())
    assert gc.isenabled() and sys.getswitchinterval() == interval
    gc.disable()
    try:
        asyncio.run(save_state(rich_backend(), None))
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()
