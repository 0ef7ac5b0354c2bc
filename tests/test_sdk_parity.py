"""The official Python SDK and the thin client drive the same scenario and leave identical state.

Each runs against its own mock on a frozen clock, so ids, vids and timestamps must match exactly: any
difference in what the two send (paths, fields, defaults) shows up as a difference in the dumps.
"""

from __future__ import annotations

import hubspot
from hubspot.marketing.events import (
    BatchInputMarketingEventCreateRequestParams,
    BatchInputMarketingEventEmailSubscriber,
    BatchInputMarketingEventSubscriber,
    MarketingEventCreateRequestParams,
    MarketingEventEmailSubscriber,
    MarketingEventSubscriber,
    PropertyValue,
)

from contracts.client import ContactAttendance, EmailAttendance, EventInput, MarketingEventsClient
from mock_server import Settings, create_app
from mock_server.clock import FakeClock
from mock_server.testing import serve_in_thread
from mock_server.inspector.dump import dump_state

SEED = {"portals": [{"id": 1, "propertyDefinitions": ["webinar_platform"], "contacts": [{"vid": 2**31 + 7, "email": "known@example.com"}]}]}
EVENT = dict(account="acct-1", event_id="webinar-1", name="Launch", organizer="Acme", start="2026-12-01T15:00:00Z", end="2026-12-01T16:00:00Z")
WHEN = 1_767_225_600_000
SPAN = {"joinedAt": "2026-12-01T15:00:00Z", "leftAt": "2026-12-01T15:30:00Z"}


def with_thin_client(url: str) -> None:
    c = MarketingEventsClient(url, "pat-parity")
    (event,) = c.upsert_events([EventInput(EVENT["account"], EVENT["event_id"], EVENT["name"], EVENT["organizer"], start_date_time=EVENT["start"], end_date_time=EVENT["end"], custom_properties={"webinar_platform": "zoom"})]).results
    (new,) = c.record_by_email(event.object_id, "register", [EmailAttendance("new@example.com", WHEN, {}, {"firstname": "New"})]).results
    c.record_by_contact_ids(EVENT["event_id"], "attend", [ContactAttendance(2**31 + 7, WHEN + 1, SPAN)], external_account_id=EVENT["account"])
    c.upsert_by_contact_id(EVENT["event_id"], "cancel", EVENT["account"], [ContactAttendance(new.vid, WHEN + 2, {})])


def with_official_sdk(url: str) -> None:
    events = hubspot.Client.create(access_token="pat-parity", host=url).marketing.events
    event = events.batch_api.upsert(BatchInputMarketingEventCreateRequestParams(inputs=[MarketingEventCreateRequestParams(
        external_account_id=EVENT["account"], external_event_id=EVENT["event_id"], event_name=EVENT["name"], event_organizer=EVENT["organizer"],
        start_date_time=EVENT["start"], end_date_time=EVENT["end"], custom_properties=[PropertyValue(name="webinar_platform", value="zoom")])])).results[0]
    new = events.add_event_attendees_api.record_by_email(event.object_id, "register", BatchInputMarketingEventEmailSubscriber(inputs=[
        MarketingEventEmailSubscriber(email="new@example.com", interaction_date_time=WHEN, properties={}, contact_properties={"firstname": "New"})])).results[0]
    events.add_event_attendees_api.record_by_contact_ids(EVENT["event_id"], "attend", BatchInputMarketingEventSubscriber(inputs=[
        MarketingEventSubscriber(vid=2**31 + 7, interaction_date_time=WHEN + 1, properties=SPAN)]), external_account_id=EVENT["account"])
    events.subscriber_state_changes_api.upsert_by_contact_id(EVENT["event_id"], "cancel", EVENT["account"], BatchInputMarketingEventSubscriber(inputs=[
        MarketingEventSubscriber(vid=new.vid, interaction_date_time=WHEN + 2, properties={})]))


def final_state(drive) -> dict:
    app = create_app(Settings(), seed=SEED, clock=FakeClock())
    with serve_in_thread(app) as url:
        drive(url)
    return dump_state(app.state.backend)


def test_thin_client_and_official_sdk_leave_identical_state():
    thin, sdk = final_state(with_thin_client), final_state(with_official_sdk)
    assert thin == sdk
    (event,) = thin["portals"]["1"]["events"]
    assert event["customProperties"] == {"webinar_platform": "zoom"}
    assert [[h["state"] for h in s["history"]] for s in event["subscribers"]] == [["REGISTERED", "CANCELLED"], ["ATTENDED"]]
