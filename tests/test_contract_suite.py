"""One contract suite, two targets: the thin client's assumptions about HubSpot, checked on the mock and,
when HUBSPOT_ACCESS_TOKEN is set, on the real API with the very same assertions.

Against real HubSpot a run creates, in the token's portal, one or two marketing events per test under
externalAccountId `contract-<run id>` and contacts `contract+<run id>-...@example.com`; the README says how
to clean them up. Reads there are eventually consistent, so read-backs poll for a few seconds.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from contracts.client import ContactAttendance, EmailAttendance, EventInput, MarketingEventsClient
from contracts.errors import AuthenticationFailed, NotFoundError, ValidationFailed
from mock_server import Settings, create_app
from mock_server.testing import serve_in_thread

REAL_TOKEN = os.environ.get("HUBSPOT_ACCESS_TOKEN")
real_hubspot = pytest.mark.skipif(
    not REAL_TOKEN,
    reason="opt-in: set HUBSPOT_ACCESS_TOKEN (scope crm.objects.marketing_events.write/read) to run this suite "
    "against the real HubSpot API; it creates events and contacts in that portal (see README)",
)
RUN = uuid.uuid4().hex[:10]
SPAN = {"joinedAt": "2026-01-01T10:00:00Z", "leftAt": "2026-01-01T10:30:00Z"}


@dataclass
class Target:
    name: str
    base_url: str
    token: str
    settle_seconds: float  # how long a read-back may take to show a write

    def client(self, token: str | None = None) -> MarketingEventsClient:
        return MarketingEventsClient(self.base_url, token or self.token, max_retries=3)

    def eventually(self, read: Callable[[], Any], holds: Callable[[Any], bool]) -> Any:
        deadline = time.monotonic() + self.settle_seconds
        while True:
            value = read()
            if holds(value) or time.monotonic() >= deadline:
                return value
            time.sleep(0.5)


@pytest.fixture(scope="module", params=["mock", pytest.param("hubspot", marks=real_hubspot)])
def target(request):
    if request.param == "hubspot":
        yield Target("hubspot", os.environ.get("HUBSPOT_BASE_URL", "https://api.hubapi.com"), REAL_TOKEN, settle_seconds=15)
        return
    with serve_in_thread(create_app(Settings())) as url:  # the default live profile, as a user starts it
        yield Target("mock", url, "pat-contract-tests", settle_seconds=0)


@pytest.fixture
def client(target):
    with target.client() as c:
        yield c


def new_event(client: MarketingEventsClient, suffix: str, **fields: Any):
    (event,) = client.upsert_events(
        [EventInput(f"contract-{RUN}", f"webinar-{suffix}", "Contract webinar", "Contract suite", **fields)]
    ).raise_for_item_errors().results
    return event


def email(suffix: str) -> str:
    return f"contract+{RUN}-{suffix}@example.com"


def test_upsert_creates_then_updates_one_event(client, target):
    first = new_event(client, "upsert", event_type="WEBINAR")
    again = new_event(client, "upsert", event_description="updated")
    assert again.object_id == first.object_id
    assert again.external_event_id is None  # upsert results carry no external ids
    read = target.eventually(lambda: client.get_event("webinar-upsert", f"contract-{RUN}"), lambda e: e.event_description == "updated")
    assert (read.object_id, read.event_name, read.event_description) == (first.object_id, "Contract webinar", "updated")


def test_email_attendance_creates_the_contact_and_an_identical_repeat_answers_nothing(client):
    event = new_event(client, "email")
    attendance = [EmailAttendance(email("ada"), 1_767_225_600_000, {}, {"firstname": "Ada"})]
    (attendee,) = client.record_by_email(event.object_id, "register", attendance).raise_for_item_errors().results
    assert attendee.email == email("ada") and attendee.vid > 0
    assert client.record_by_email(event.object_id, "register", attendance).results == []


def test_attendance_by_vid_is_counted(client, target):
    event = new_event(client, "vid")
    (attendee,) = client.record_by_email(event.object_id, "register", [EmailAttendance(email("bob"), 1_767_225_600_000, {}, {})]).results
    answer = client.record_by_contact_ids(
        "webinar-vid", "attend", [ContactAttendance(attendee.vid, 1_767_225_700_000, SPAN)], external_account_id=f"contract-{RUN}"
    )
    assert answer.errors == []
    counters = target.eventually(lambda: client.participation_counters(event.object_id), lambda c: c.attended == 1)
    assert (counters.attended, counters.registered) == (1, 0)


def test_joined_after_left_is_a_per_item_error(client):
    event = new_event(client, "span")
    backwards = {"joinedAt": SPAN["leftAt"], "leftAt": SPAN["joinedAt"]}
    answer = client.record_by_email(event.object_id, "attend", [EmailAttendance(email("cy"), 1_767_225_600_000, backwards, {})])
    assert answer.results == []
    (error,) = answer.errors
    assert error.sub_category == "AttendanceValidationError.JOINED_AT_IS_LATER_THAN_LEFT_AT_FOR_EMAIL"
    assert email("cy") in error.message


def test_upper_case_subscriber_state_is_rejected(client):
    event = new_event(client, "state")
    with pytest.raises(ValidationFailed) as raised:
        client.record_by_email(event.object_id, "REGISTERED", [EmailAttendance(email("dee"), 1_767_225_600_000, {}, {})])
    assert "Unknown state for 'REGISTERED'" in raised.value.message


def test_create_by_vid_needs_the_external_account_id(client):
    new_event(client, "account")
    with pytest.raises(ValidationFailed) as raised:
        client.record_by_contact_ids("webinar-account", "register", [ContactAttendance(1, 1_767_225_600_000, {})])
    assert "externalAccountId" in raised.value.message


def test_an_unknown_event_is_not_found(client):
    with pytest.raises(NotFoundError) as raised:
        client.get_event(f"never-created-{RUN}", f"contract-{RUN}")
    assert raised.value.correlation_id


def test_a_malformed_token_is_unauthorized(target):
    with target.client(token="Bearer doubled") as c, pytest.raises(AuthenticationFailed) as raised:
        c.get_event("any", "any")
    assert raised.value.category == "INVALID_AUTHENTICATION"
