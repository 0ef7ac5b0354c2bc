"""A hypothesis state machine drives the thin client against a live mock and checks HubSpot's invariants.

The model is what an integration believes it did: which events it upserted and the state it last recorded
for each contact. After every step the mock must agree: participation counters equal the states last
recorded per contact, the number of events equals the distinct upsert keys, and a failed call changes nothing.
Each run uses its own externalAccountId, so runs share one server without seeing each other.
"""

from __future__ import annotations

import itertools
import uuid
from collections import Counter

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from contracts.client import ContactAttendance, EmailAttendance, EventInput, MarketingEventsClient
from contracts.errors import HubSpotApiError
from mock_server import Settings, create_app
from mock_server.testing import serve_in_thread
from mock_server.inspector.dump import dump_state

EVENT_IDS = ["webinar-a", "webinar-b", "conference-c"]
EMAILS = ["ada@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]
STATES = {"register": "REGISTERED", "attend": "ATTENDED", "cancel": "CANCELLED"}
SPAN = {"joinedAt": "2026-01-01T10:00:00Z", "leftAt": "2026-01-01T10:45:00Z"}
_ticks = itertools.count(1_767_225_600_000)  # every recording is a new interaction, never an idempotent repeat


@pytest.fixture(scope="module")
def mock():
    app = create_app(Settings())
    with serve_in_thread(app) as url:
        yield url, app.state.backend


class IntegrationModel(RuleBasedStateMachine):
    url: str
    backend: object

    def __init__(self) -> None:
        super().__init__()
        self.client = MarketingEventsClient(self.url, "pat-state-machine")
        self.account = f"acct-{uuid.uuid4().hex[:12]}"
        self.object_ids: dict[str, str] = {}  # externalEventId -> objectId
        self.vids: dict[str, int] = {}  # email -> vid, once HubSpot has told us
        self.states: dict[tuple[str, str], str] = {}  # (externalEventId, email) -> last recorded state

    def teardown(self) -> None:
        self.client.close()

    def _attendance_properties(self, state: str) -> dict[str, str]:
        return dict(SPAN) if state == "attend" else {}  # live HubSpot stores no attend without a span

    @rule(event_id=st.sampled_from(EVENT_IDS), name=st.text(min_size=1, max_size=20))
    def upsert_event(self, event_id, name):
        (event,) = self.client.upsert_events([EventInput(self.account, event_id, name, "Model")]).results
        assert self.object_ids.setdefault(event_id, event.object_id) == event.object_id
        assert self.client.get_event(event_id, self.account).event_name == name

    @precondition(lambda self: self.object_ids)
    @rule(data=st.data(), email=st.sampled_from(EMAILS), state=st.sampled_from(sorted(STATES)))
    def record_by_email(self, data, email, state):
        event_id = data.draw(st.sampled_from(sorted(self.object_ids)))
        answer = self.client.record_by_email(
            self.object_ids[event_id], state, [EmailAttendance(email, next(_ticks), self._attendance_properties(state), {})]
        )
        (attendee,) = answer.raise_for_item_errors().results
        assert self.vids.setdefault(email, attendee.vid) == attendee.vid  # one contact per email, ever
        self.states[(event_id, email)] = STATES[state]

    @precondition(lambda self: self.object_ids and self.vids)
    @rule(data=st.data(), state=st.sampled_from(sorted(STATES)), by_upsert=st.booleans())
    def record_by_vid(self, data, state, by_upsert):
        event_id = data.draw(st.sampled_from(sorted(self.object_ids)))
        email = data.draw(st.sampled_from(sorted(self.vids)))
        inputs = [ContactAttendance(self.vids[email], next(_ticks), self._attendance_properties(state))]
        if by_upsert:
            answer = self.client.upsert_by_contact_id(event_id, state, self.account, inputs)
        else:
            answer = self.client.record_by_contact_ids(event_id, state, inputs, external_account_id=self.account)
        assert answer.errors == []
        self.states[(event_id, email)] = STATES[state]

    @rule(event_id=st.sampled_from(EVENT_IDS), bad=st.sampled_from(["not-a-date", "REGISTERED", "unknown-vid"]))
    def failing_call(self, event_id, bad):
        before = dump_state(self.backend)
        with pytest.raises(HubSpotApiError):
            if bad == "not-a-date":
                self.client.upsert_events([EventInput(self.account, event_id, "x", "y", start_date_time="yesterday")])
            elif bad == "REGISTERED":
                self.client.record_by_contact_ids(event_id, bad, [ContactAttendance(1, next(_ticks), {})], external_account_id=self.account)
            else:  # an event this run never created
                self.client.record_by_contact_ids(f"never-{event_id}", "register", [ContactAttendance(1, next(_ticks), {})], external_account_id=self.account)
        assert dump_state(self.backend) == before

    @invariant()
    def counters_equal_the_states_last_recorded(self):
        for event_id, object_id in self.object_ids.items():
            expected = Counter(state for (ev, _), state in self.states.items() if ev == event_id)
            counters = self.client.participation_counters(object_id)
            assert (counters.registered, counters.attended, counters.cancelled, counters.no_shows) == (
                expected["REGISTERED"], expected["ATTENDED"], expected["CANCELLED"], 0
            )

    @invariant()
    def one_event_per_distinct_upsert_key(self):
        mine = [e for e in dump_state(self.backend)["portals"]["1"]["events"] if e["externalAccountId"] == self.account]
        assert sorted(e["externalEventId"] for e in mine) == sorted(self.object_ids)


def test_integration_model(mock):
    IntegrationModel.url, IntegrationModel.backend = mock
    run = IntegrationModel.TestCase()
    run.settings = settings(max_examples=40, stateful_step_count=15, deadline=None, suppress_health_check=list(HealthCheck))
    run.runTest()
