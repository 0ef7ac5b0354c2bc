"""A contact's state does not depend on the order calls arrive in: identical repeats are no-ops, and the
current state is the newest by interactionDateTime (setting latest_state_by; FACTS.md: recording is idempotent
while the contact and interactionDateTime are unchanged)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_server import Settings
from mock_server.backend import Backend, Principal
from mock_server.clock import FakeClock
from mock_server.inspector.dump import dump_state

APP = Principal(1, 1)
EMAILS = ["ada@example.com", "bob@example.com"]
T0 = 1_767_225_600_000
CALLS = st.tuples(st.sampled_from(EMAILS), st.sampled_from(["register", "attend", "cancel"]), st.integers(0, 3))


def backend_with_event(**overrides: object) -> tuple[Backend, str]:
    backend = Backend(Settings(**overrides), FakeClock())
    (event,) = backend.upsert_events(APP, [{"externalAccountId": "a", "externalEventId": "e", "eventName": "n", "eventOrganizer": "o"}]).results
    return backend, event.object_id


def record(backend: Backend, object_id: str, email: str, state: str, minute: int) -> list:
    at = T0 + minute * 60_000
    properties = {"joinedAt": "2026-01-01T00:00:00Z", "leftAt": "2026-01-01T00:30:00Z"} if state == "attend" else {}
    return backend.record_by_email(APP, object_id, state, [{"email": email, "interactionDateTime": at, "properties": properties}]).results


def outcome(backend: Backend, object_id: str) -> tuple:
    """What reads show (each contact's state) and what is stored (each contact's set of changes)."""
    event = backend.portal(1).events[object_id]
    read = {v.contact.email: v.state for v in backend.participations(event)}
    stored = {
        backend.portal(1).contacts[p.vid].email: sorted((c.state, c.interaction_ms) for c in p.history)
        for p in event.participations.values()
    }
    return read, stored


@settings(max_examples=60, deadline=None)
@given(st.lists(CALLS, min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_any_order_of_the_same_calls_ends_in_the_same_state(calls, random):
    shuffled = calls[:]
    random.shuffle(shuffled)
    in_order, oid = backend_with_event()
    other_order, same_oid = backend_with_event()
    for call in calls:
        record(in_order, oid, *call)
    for call in shuffled:
        record(other_order, same_oid, *call)
    assert outcome(in_order, oid) == outcome(other_order, same_oid)


def test_an_identical_repeat_is_a_no_op_even_after_another_state():
    backend, oid = backend_with_event()
    assert record(backend, oid, "ada@example.com", "register", 1)
    assert record(backend, oid, "ada@example.com", "cancel", 2)
    before = dump_state(backend)
    assert record(backend, oid, "ada@example.com", "register", 1) == []  # answered results: [] live
    assert dump_state(backend) == before
    read, stored = outcome(backend, oid)
    assert read == {"ada@example.com": "CANCELLED"}
    assert stored["ada@example.com"] == [("CANCELLED", T0 + 120_000), ("REGISTERED", T0 + 60_000)]


def test_a_late_arriving_older_change_does_not_become_the_current_state():
    backend, oid = backend_with_event()
    record(backend, oid, "ada@example.com", "cancel", 5)
    record(backend, oid, "ada@example.com", "register", 1)  # arrives later, happened earlier
    assert outcome(backend, oid)[0] == {"ada@example.com": "CANCELLED"}
    history = [c.state for c in backend.portal(1).events[oid].participations[backend.portal(1).vid_by_email["ada@example.com"]].history]
    assert history == ["REGISTERED", "CANCELLED"]  # kept in interaction order


def test_latest_state_by_arrival_takes_the_last_call():
    backend, oid = backend_with_event(latest_state_by="arrival")
    record(backend, oid, "ada@example.com", "cancel", 5)
    record(backend, oid, "ada@example.com", "register", 1)
    assert outcome(backend, oid)[0] == {"ada@example.com": "REGISTERED"}
