"""The official Python SDK (hubspot-api-client 12.x), unmodified, against a live uvicorn server of the mock.

In the spec profile the SDK also runs with client_side_validation=True, which checks every field HubSpot's
spec marks required in each answer. In the live profile endpoint 1 answers 201, which the SDK does not map:
it returns None (the README warns about this).
"""

from __future__ import annotations

import hubspot
import pytest
from hubspot.marketing.events import (
    BatchInputMarketingEventCreateRequestParams,
    BatchInputMarketingEventEmailSubscriber,
    BatchInputMarketingEventSubscriber,
    MarketingEventCreateRequestParams,
    MarketingEventEmailSubscriber,
    MarketingEventSubscriber,
    PropertyValue,
)
from hubspot.marketing.events.exceptions import ApiException, ForbiddenException, NotFoundException, UnauthorizedException

from mock_server import Settings, create_app
from mock_server.testing import serve_in_thread
from mock_server.inspector.dump import dump_state

SEED = {
    "portals": [{"id": 1, "propertyDefinitions": ["webinar_platform"]}],
    "tokens": [{"token": "read-only", "scopes": ["crm.objects.marketing_events.read"]}],
}
BIG_VID = 2**31 + 12345
WHEN = 1_767_225_600_000  # 2026-01-01T00:00:00Z in ms


@pytest.fixture(scope="module", params=["live", "spec"])
def server(request):
    app = create_app(Settings.for_profile(request.param), seed={**SEED, "portals": [{**SEED["portals"][0], "contacts": [{"vid": BIG_VID, "email": "big@example.com"}]}]})
    with serve_in_thread(app) as url:
        yield request.param, url, app.state.backend


def sdk(url: str, profile: str, token: str = "pat-na1-test"):
    # client_side_validation is only meaningful where the mock promises the spec's shapes to the letter.
    client = hubspot.Client.create(access_token=token, host=url, client_side_validation=(profile == "spec") or None)
    return client.marketing.events


def event_input(event_id: str, **extra) -> MarketingEventCreateRequestParams:
    return MarketingEventCreateRequestParams(
        external_account_id="acct-1",
        external_event_id=event_id,
        event_name="Launch webinar",
        event_organizer="Acme",
        event_type="WEBINAR",
        start_date_time="2026-12-01T15:00:00Z",  # the SDK needs ISO strings, never epoch numbers
        end_date_time="2026-12-01T16:00:00Z",
        custom_properties=[PropertyValue(name="webinar_platform", value="zoom"), PropertyValue(name="not_defined", value="x")],
        **extra,
    )


def test_all_four_endpoints_round_trip(server):
    profile, url, backend = server
    events = sdk(url, profile)

    upserted = events.batch_api.upsert(BatchInputMarketingEventCreateRequestParams(inputs=[event_input("sdk-1")]))
    assert upserted.status == "COMPLETE"
    (event,) = upserted.results
    assert event.event_name == "Launch webinar" and event.id == event.object_id
    assert [(p.name, p.value) for p in event.custom_properties] == [("webinar_platform", "zoom")]
    assert event.created_at.tzinfo is not None  # parsed from HubSpot's ISO timestamp

    by_email = events.add_event_attendees_api.record_by_email(
        event.object_id,
        "register",
        BatchInputMarketingEventEmailSubscriber(
            inputs=[MarketingEventEmailSubscriber(email="New.Person@Example.com", interaction_date_time=WHEN, properties={}, contact_properties={"firstname": "New"})]
        ),
    )
    (created,) = by_email.results
    assert created.email == "new.person@example.com" and created.vid > 2**31

    attend = BatchInputMarketingEventSubscriber(
        inputs=[
            MarketingEventSubscriber(
                vid=BIG_VID,
                interaction_date_time=WHEN + 1000,
                properties={"joinedAt": "2026-12-01T15:00:00Z", "leftAt": "2026-12-01T15:40:00Z"},
            )
        ]
    )
    answer = events.add_event_attendees_api.record_by_contact_ids("sdk-1", "attend", attend, external_account_id="acct-1")
    if profile == "live":
        assert answer is None  # live HubSpot answers 201, which the SDK does not deserialize
    else:
        assert [r.vid for r in answer.results] == [BIG_VID]

    cancel = BatchInputMarketingEventSubscriber(inputs=[MarketingEventSubscriber(vid=created.vid, interaction_date_time=WHEN + 2000, properties={})])
    assert events.subscriber_state_changes_api.upsert_by_contact_id("sdk-1", "cancel", "acct-1", cancel) is None  # 204

    details = events.basic_api.get_details("sdk-1", "acct-1")
    assert (details.attendees, details.cancellations, details.registrants) == (1, 1, 0)
    counters = events.retrieve_participant_state_api.get_participations_counters_by_marketing_event_id(int(event.object_id))
    assert (counters.attended, counters.cancelled) == (1, 1)
    breakdown = events.retrieve_participant_state_api.get_participations_breakdown_by_external_event_id("acct-1", "sdk-1", limit=10)
    states = {int(r.associations.contact.contact_id): r.properties.attendance_state for r in breakdown.results}
    assert states == {BIG_VID: "ATTENDED", created.vid: "CANCELLED"}
    assert events.basic_api.get_by_object_id(event.object_id).external_event_id == "sdk-1"

    stored = {e["externalEventId"]: e for e in dump_state(backend)["portals"]["1"]["events"]}["sdk-1"]
    assert {s["vid"] for s in stored["subscribers"]} == {BIG_VID, created.vid}


@pytest.mark.parametrize(
    "call, exception, status",
    [
        (lambda ev: ev.basic_api.get_by_object_id("999999"), NotFoundException, 404),
        (lambda ev: ev.add_event_attendees_api.record_by_contact_ids("nope", "register", BatchInputMarketingEventSubscriber(inputs=[]), external_account_id="acct-1"), NotFoundException, 404),
        (lambda ev: ev.add_event_attendees_api.record_by_email("1", "REGISTERED", BatchInputMarketingEventEmailSubscriber(inputs=[])), ApiException, 400),
    ],
    ids=["unknown-object-id", "unknown-external-event", "upper-case-state"],
)
def test_errors_raise_the_sdk_exceptions(server, call, exception, status):
    profile, url, _ = server
    with pytest.raises(exception) as raised:
        call(sdk(url, profile))
    assert raised.value.status == status
    assert raised.value.headers["X-HubSpot-Correlation-Id"] in raised.value.body


def test_bad_token_is_unauthorized(server):
    profile, url, _ = server
    with pytest.raises(UnauthorizedException) as raised:
        sdk(url, profile, token="Bearer pat-na1-doubled").basic_api.get_by_object_id("1")
    assert raised.value.headers["x-hubspot-auth-failure"] == "401 Unauthorized"


def test_missing_scope_is_forbidden(server):
    profile, url, _ = server
    with pytest.raises(ForbiddenException) as raised:
        sdk(url, profile, token="read-only").batch_api.upsert(BatchInputMarketingEventCreateRequestParams(inputs=[event_input("denied")]))
    assert "MISSING_SCOPES" in raised.value.body
