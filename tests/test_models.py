"""Unit tests of the Backend: HubSpot's marketing-events rules in plain Python, no HTTP.

Each test checks one rule: what the call answers and what it does (or does not do) to the stored state.
Time comes from a FakeClock, so timestamps, idempotency and read lag are exact.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from mock_server.clock import FakeClock
from mock_server.exceptions import ALL_SCOPES, READ_SCOPE, ExpiredToken, NotFound, Unauthorized, ValidationError
from mock_server.backend import AttendanceResult, Backend, MarketingEvent, Principal, subscriber_state
from mock_server.settings import PROFILES, Settings
from mock_server.inspector.dump import dump_state

T0 = 1_767_225_600_000  # FakeClock's start: 2026-01-01T00:00:00Z, in ms
APP1 = Principal(portal_id=1, app_id=1)
APP2 = Principal(portal_id=1, app_id=2)  # another app installed in the same portal
PORTAL2 = Principal(portal_id=2, app_id=1)  # an app of another portal
ADA, BOB = 2**31 + 100, 2**31 + 200  # seeded vids
UNKNOWN_VID = 2**31 + 999
SEED = {
    "portals": [
        {
            "id": 1,
            "propertyDefinitions": ["room"],
            "contacts": [
                {"vid": ADA, "email": "ada@example.com", "properties": {"firstname": "Ada"}},
                {"vid": BOB, "email": "bob@example.com", "properties": {"firstname": "Bob"}},
            ],
        }
    ],
    "tokens": [
        {"token": "pat-app2", "portalId": 1, "appId": 2, "scopes": [READ_SCOPE]},
        {"token": "pat-expired", "expired": True},
    ],
}
SPAN = {"joinedAt": "2026-01-01T00:00:00Z", "leftAt": "2026-01-01T01:00:00Z"}  # a valid attend span


# ---------------------------------------------------------------------------------------------- helpers
def make_backend(profile: str = "live", **overrides) -> Backend:
    """A seeded backend on a FakeClock (reach the clock as backend.clock)."""
    backend = Backend(Settings.for_profile(profile, **overrides), FakeClock())
    backend.load_seed(SEED)
    return backend


def event_input(event_id: str = "e1", account: str = "acct", **fields) -> dict:
    return {"externalAccountId": account, "externalEventId": event_id, "eventName": "Webinar", "eventOrganizer": "Acme", **fields}


def create_event(backend: Backend, principal: Principal = APP1, **fields) -> MarketingEvent:
    outcome = backend.upsert_events(principal, [event_input(**fields)])
    assert outcome.errors == []
    return outcome.results[0]


def by_vid(vid: int, when=T0, **properties) -> dict:
    return {"vid": vid, "interactionDateTime": when, "properties": properties}


def by_email(email: str = "a@b.com", when=T0, contact_properties: dict | None = None, **properties) -> dict:
    return {"email": email, "interactionDateTime": when, "properties": properties, "contactProperties": contact_properties or {}}


def record(backend: Backend, state: str, *inputs: dict, principal: Principal = APP1, account: str | None = "acct"):
    """Endpoint 1 for event e1."""
    return backend.record_by_contact_ids(principal, "e1", state, account, list(inputs))


def history(event: MarketingEvent, vid: int) -> list:
    participation = event.participations.get(vid)
    return [] if participation is None else list(participation.history)


def contact_count(backend: Backend, portal_id: int = 1) -> int:
    return len(backend.portal(portal_id).contacts)


@pytest.fixture
def backend() -> Backend:
    return make_backend()


@pytest.fixture
def event(backend: Backend) -> MarketingEvent:
    return create_event(backend)


# ---------------------------------------------------------------------------------------------- events upsert
def test_upsert_creates_event_with_object_id_and_timestamps(backend):
    outcome = backend.upsert_events(APP1, [event_input()])

    assert outcome.errors == []
    (event,) = outcome.results
    assert event.object_id.isdigit()
    assert (event.created_at, event.updated_at) == (T0, T0)
    assert (event.app_id, event.external_account_id, event.external_event_id) == (1, "acct", "e1")
    assert backend.portal(1).events == {event.object_id: event}


def test_second_upsert_with_same_key_updates_the_event(backend, event):
    backend.clock.advance(60)

    (updated,) = backend.upsert_events(APP1, [event_input(eventName="Renamed")]).results

    assert updated.object_id == event.object_id
    assert updated.created_at == T0
    assert updated.updated_at == T0 + 60_000
    assert updated.event_name == "Renamed"
    assert len(backend.portal(1).events) == 1


def test_upsert_keeps_omitted_optional_fields(backend):
    create_event(
        backend,
        eventType="WEBINAR",
        eventDescription="About things",
        startDateTime="2026-02-01T10:00:00Z",
        customProperties=[{"name": "room", "value": "A1"}],
    )

    (event,) = backend.upsert_events(APP1, [event_input(eventName="Renamed")]).results

    assert event.event_name == "Renamed"
    assert event.event_type == "WEBINAR"
    assert event.event_description == "About things"
    assert event.start_ms == int(datetime(2026, 2, 1, 10, tzinfo=timezone.utc).timestamp() * 1000)
    assert event.custom_properties == {"room": "A1"}


def test_other_app_with_same_external_ids_gets_a_separate_event(backend, event):
    before = dump_state(backend)["portals"]["1"]["events"][0]

    (other,) = backend.upsert_events(APP2, [event_input(eventName="App 2's")]).results

    assert other.object_id != event.object_id
    assert other.app_id == 2
    assert len(backend.portal(1).events) == 2
    assert dump_state(backend)["portals"]["1"]["events"][0] == before


def test_cross_app_upsert_reject_gives_item_error_and_keeps_original():
    backend = make_backend(cross_app_upsert="reject")
    create_event(backend)
    backend.clock.advance(5)
    before = dump_state(backend)

    outcome = backend.upsert_events(APP2, [event_input(eventName="Hijack")])

    assert outcome.results == []
    (error,) = outcome.errors
    assert error.category == "CONFLICT"
    assert error.message == "Only Marketing Events originally created by the same app can be updated."
    assert error.context == {"externalEventId": ["e1"], "externalAccountId": ["acct"]}
    assert dump_state(backend) == before


def test_custom_properties_not_defined_on_portal_are_dropped_and_noted(backend):
    props = [{"name": "room", "value": "A1"}, {"name": "zzz", "value": "x"}, {"name": "aaa", "value": "y"}]

    outcome = backend.upsert_events(APP1, [event_input(customProperties=props)])

    assert outcome.results[0].custom_properties == {"room": "A1"}
    assert outcome.notes == ["inputs[0]: customProperties not defined on portal 1 were dropped: aaa, zzz"]


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01T00:00:00Z", 1_767_225_600_000, ""])
def test_invalid_start_date_time_raises_and_stores_nothing(backend, bad):
    before = dump_state(backend)

    with pytest.raises(ValidationError) as caught:
        backend.upsert_events(APP1, [event_input("ok"), event_input("bad", startDateTime=bad)])

    assert caught.value.errors[0]["in"] == "inputs[1].startDateTime"
    assert dump_state(backend) == before


def test_duplicate_keys_in_one_batch_merge_by_default(backend):
    outcome = backend.upsert_events(APP1, [event_input(eventName="First"), event_input(eventName="Last", eventType="X")])

    (event,) = outcome.results
    assert (event.event_name, event.event_type) == ("Last", "X")
    assert len(backend.portal(1).events) == 1


def test_duplicate_keys_in_one_batch_rejected_when_configured():
    backend = make_backend(duplicate_batch_items="reject")
    before = dump_state(backend)

    with pytest.raises(ValidationError) as caught:
        backend.upsert_events(APP1, [event_input(eventName="First"), event_input(eventName="Last")])

    assert caught.value.errors[0]["in"] == "inputs[1]"
    assert dump_state(backend) == before


# ---------------------------------------------------------------------------------------------- subscriber state
@pytest.mark.parametrize(("path", "stored"), [("register", "REGISTERED"), ("attend", "ATTENDED"), ("cancel", "CANCELLED")])
def test_subscriber_state_path_values_map_to_read_states(backend, event, path, stored):
    assert subscriber_state(path) == stored

    record(backend, path, by_vid(ADA, **SPAN))

    assert [c.state for c in history(event, ADA)] == [stored]


def test_upper_case_subscriber_state_is_rejected_with_hubspots_message(backend, event):
    before = dump_state(backend)

    with pytest.raises(ValidationError) as caught:
        record(backend, "REGISTERED", by_vid(ADA))

    assert caught.value.message == "Unknown state for 'REGISTERED'. Correct are 'register', 'attend' or 'cancel'."
    assert caught.value.errors[0]["in"] == "subscriberState"
    assert dump_state(backend) == before


# ---------------------------------------------------------------------------------------------- endpoint 1: by vid
@pytest.mark.parametrize("category", [None, "NOT_FOUND"])
def test_record_by_contact_ids_unknown_event_is_not_found(category):
    backend = make_backend(**({} if category is None else {"not_found_category": category}))

    with pytest.raises(NotFound) as caught:
        record(backend, "register", by_vid(ADA))

    assert caught.value.status_code == 404
    assert caught.value.category == (category or "OBJECT_NOT_FOUND")


def test_record_by_contact_ids_cannot_reach_another_apps_event(backend, event):
    before = dump_state(backend)

    with pytest.raises(NotFound):
        record(backend, "register", by_vid(ADA), principal=APP2)

    assert dump_state(backend) == before


def test_spec_without_external_account_id_uses_the_apps_only_event():
    backend = make_backend("spec")
    event = create_event(backend)
    create_event(backend, principal=APP2, account="other")  # another app's event with that id does not count

    record(backend, "register", by_vid(ADA), account=None)

    assert [c.state for c in history(event, ADA)] == ["REGISTERED"]


def two_events_same_external_id(backend: Backend) -> tuple[MarketingEvent, MarketingEvent]:
    """acct-a created first, acct-b second, then acct-a updated last: acct-a is the most recently updated."""
    first = create_event(backend, account="acct-a")
    backend.clock.advance(1)
    second = create_event(backend, account="acct-b")
    backend.clock.advance(1)
    create_event(backend, account="acct-a", eventName="Touched")
    return first, second


def test_spec_ambiguous_external_event_id_is_rejected_by_default():
    backend = make_backend("spec")
    two_events_same_external_id(backend)
    before = dump_state(backend)

    with pytest.raises(ValidationError) as caught:
        record(backend, "register", by_vid(ADA), account=None)

    assert caught.value.errors[0]["in"] == "externalAccountId"
    assert dump_state(backend) == before


def test_spec_ambiguous_external_event_id_most_recent_picks_last_updated():
    backend = make_backend("spec", ambiguous_external_event="most_recent")
    first, second = two_events_same_external_id(backend)

    record(backend, "register", by_vid(ADA), account=None)

    assert len(history(first, ADA)) == 1
    assert history(second, ADA) == []


def test_unknown_vid_is_an_item_error_and_known_vids_are_applied(backend, event):
    outcome = record(backend, "register", by_vid(ADA), by_vid(UNKNOWN_VID), by_vid(BOB))

    assert outcome.results == [AttendanceResult(ADA), AttendanceResult(BOB)]
    (error,) = outcome.errors
    assert error.category == "OBJECT_NOT_FOUND"
    assert error.context == {"vid": [str(UNKNOWN_VID)]}
    assert set(event.participations) == {ADA, BOB}
    assert contact_count(backend) == 2


def test_unknown_vid_ignored_when_configured():
    backend = make_backend(unknown_vid_on_create="ignore")
    event = create_event(backend)

    outcome = record(backend, "register", by_vid(UNKNOWN_VID), by_vid(ADA))

    assert outcome.errors == []
    assert outcome.results == [AttendanceResult(ADA)]
    assert any(str(UNKNOWN_VID) in note for note in outcome.notes)
    assert set(event.participations) == {ADA}


# ---------------------------------------------------------------------------------------------- endpoint 4
@pytest.mark.parametrize("unknown_setting", ["item_error", "ignore"])
def test_upsert_by_contact_id_never_creates_contacts(unknown_setting):
    backend = make_backend(unknown_vid_on_create=unknown_setting)  # endpoint 1's setting does not apply here
    event = create_event(backend)

    outcome = backend.upsert_by_contact_id(APP1, "e1", "register", "acct", [by_vid(UNKNOWN_VID), by_vid(ADA)])

    assert [e.context for e in outcome.errors] == [{"vid": [str(UNKNOWN_VID)]}]
    assert outcome.results == [AttendanceResult(ADA)]
    assert contact_count(backend) == 2
    assert set(event.participations) == {ADA}


# ---------------------------------------------------------------------------------------------- endpoint 2: by email
def test_record_by_email_creates_a_new_contact(backend, event):
    outcome = backend.record_by_email(APP1, event.object_id, "register", [by_email(contact_properties={"firstname": "New"})])

    (result,) = outcome.results
    contact = backend.portal(1).contacts[result.vid]
    assert result.vid >= 2**31
    assert result.email == contact.email == "a@b.com"
    assert contact.properties["firstname"] == "New"
    assert contact_count(backend) == 3
    assert [c.state for c in history(event, result.vid)] == ["REGISTERED"]


def test_record_by_email_matches_existing_contact_case_insensitively_and_keeps_its_properties(backend, event):
    ada_before = dataclasses.asdict(backend.portal(1).contacts[ADA])

    outcome = backend.record_by_email(
        APP1, event.object_id, "register", [by_email("ADA@Example.com", contact_properties={"firstname": "Changed"})]
    )

    assert [r.vid for r in outcome.results] == [ADA]
    assert dataclasses.asdict(backend.portal(1).contacts[ADA]) == ada_before
    assert contact_count(backend) == 2
    assert len(history(event, ADA)) == 1


def test_record_by_email_works_for_another_app_of_the_same_portal(backend, event):
    outcome = backend.record_by_email(APP2, event.object_id, "register", [by_email("ada@example.com")])

    assert outcome.results == [AttendanceResult(ADA, "ada@example.com")]
    assert len(history(event, ADA)) == 1


def test_record_by_email_from_another_portal_is_not_found(backend, event):
    before = dump_state(backend)

    with pytest.raises(NotFound):
        backend.record_by_email(PORTAL2, event.object_id, "register", [by_email()])

    assert dump_state(backend)["portals"]["1"] == before["portals"]["1"]
    assert contact_count(backend, 2) == 0


@pytest.mark.parametrize("bad", ["no-at-sign", "@b.com", "a@"])
def test_record_by_email_invalid_email_is_an_item_error(backend, event, bad):
    outcome = backend.record_by_email(APP1, event.object_id, "register", [by_email(bad), by_email("ok@b.com")])

    (error,) = outcome.errors
    assert error.context == {"email": [bad]}
    assert [r.email for r in outcome.results] == ["ok@b.com"]
    assert contact_count(backend) == 3  # only ok@b.com was created


# ---------------------------------------------------------------------------------------------- attend rules
@pytest.mark.parametrize(("profile", "stored"), [("live", False), ("spec", True)])
def test_attend_without_joined_and_left_at(profile, stored):
    backend = make_backend(profile)
    event = create_event(backend)

    outcome = record(backend, "attend", by_vid(ADA), account="acct")

    assert outcome.errors == []
    assert outcome.results == ([AttendanceResult(ADA)] if stored else [])
    assert [c.state for c in history(event, ADA)] == (["ATTENDED"] if stored else [])


@pytest.mark.parametrize("left_at", ["2026-01-01T00:00:00Z", "2025-12-31T23:00:00Z"])
def test_joined_at_not_before_left_at_is_an_item_error(backend, event, left_at):
    outcome = backend.record_by_email(
        APP1, event.object_id, "attend", [by_email(joinedAt="2026-01-01T00:00:00Z", leftAt=left_at)]
    )

    assert outcome.results == []
    (error,) = outcome.errors
    assert error.category == "VALIDATION_ERROR"
    assert error.sub_category == "AttendanceValidationError.JOINED_AT_IS_LATER_THAN_LEFT_AT_FOR_EMAIL"
    assert error.message == "joinedAt param must be earlier than leftAt for `a@b.com`"
    assert event.participations == {}
    assert contact_count(backend) == 2


@pytest.mark.parametrize(("profile", "stored"), [("live", False), ("spec", True)])
def test_attendance_shorter_than_one_second(profile, stored):
    backend = make_backend(profile)
    event = create_event(backend)

    outcome = record(backend, "attend", by_vid(ADA, joinedAt="2026-01-01T00:00:00.000Z", leftAt="2026-01-01T00:00:00.900Z"))

    assert outcome.results == [AttendanceResult(ADA)]
    assert len(history(event, ADA)) == (1 if stored else 0)


# ---------------------------------------------------------------------------------------------- idempotency
@pytest.mark.parametrize(("profile", "repeat_results"), [("live", []), ("spec", [AttendanceResult(ADA)])])
def test_identical_repeat_is_idempotent(profile, repeat_results):
    backend = make_backend(profile)
    event = create_event(backend)
    record(backend, "register", by_vid(ADA))
    backend.clock.advance(10)

    outcome = record(backend, "register", by_vid(ADA))

    assert outcome.results == repeat_results
    assert len(history(event, ADA)) == 1


@pytest.mark.parametrize("profile", ["live", "spec"])
def test_repeat_with_another_interaction_date_time_adds_history(profile):
    backend = make_backend(profile)
    event = create_event(backend)
    record(backend, "register", by_vid(ADA))

    outcome = record(backend, "register", by_vid(ADA, when=T0 + 1))

    assert outcome.results == [AttendanceResult(ADA)]
    assert [c.interaction_ms for c in history(event, ADA)] == [T0, T0 + 1]


# ---------------------------------------------------------------------------------------------- interactionDateTime
@pytest.mark.parametrize(("profile", "stored"), [("live", False), ("spec", True)])
def test_interaction_date_time_in_seconds(profile, stored):
    backend = make_backend(profile)
    event = create_event(backend)

    outcome = record(backend, "register", by_vid(ADA, when=T0 // 1000))

    assert outcome.results == [AttendanceResult(ADA)]
    assert len(history(event, ADA)) == (1 if stored else 0)
    assert any("looks like seconds" in note for note in outcome.notes) is not stored


ISO_WHEN = "2026-11-23T19:18:15.472Z"
ISO_MS = int(datetime(2026, 11, 23, 19, 18, 15, 472_000, tzinfo=timezone.utc).timestamp() * 1000)


def test_iso_interaction_date_time_accepted_and_parsed(backend, event):
    outcome = backend.record_by_email(APP1, event.object_id, "register", [by_email(when=ISO_WHEN)])

    vid = outcome.results[0].vid
    assert [c.interaction_ms for c in history(event, vid)] == [ISO_MS]
    assert any("iso_interaction_datetime=accept" in note for note in outcome.notes)


def test_iso_interaction_date_time_dropped_when_configured():
    backend = make_backend(iso_interaction_datetime="drop")
    event = create_event(backend)

    outcome = record(backend, "register", by_vid(ADA, when=ISO_WHEN))

    assert event.participations == {}
    assert any("iso_interaction_datetime=drop" in note for note in outcome.notes)


@pytest.mark.parametrize("profile", ["live", "spec"])
def test_iso_interaction_date_time_rejected_when_configured(profile):
    backend = make_backend(profile, iso_interaction_datetime="reject")
    event = create_event(backend)
    before = dump_state(backend)

    with pytest.raises(ValidationError) as caught:
        backend.record_by_email(APP1, event.object_id, "register", [by_email("ok@b.com"), by_email(when=ISO_WHEN)])

    assert caught.value.errors[0]["in"] == "inputs[1].interactionDateTime"
    assert dump_state(backend) == before


# ---------------------------------------------------------------------------------------------- read side
def test_counters_count_each_contacts_latest_state(backend, event):
    record(backend, "register", by_vid(ADA), by_vid(BOB))
    record(backend, "attend", by_vid(ADA, when=T0 + 1, **SPAN))

    assert backend.counters(event) == {"REGISTERED": 1, "ATTENDED": 1, "CANCELLED": 0, "NO_SHOW": 0}
    assert {v.contact.vid: v.state for v in backend.participations(event)} == {ADA: "ATTENDED", BOB: "REGISTERED"}


@pytest.mark.parametrize(("end", "read_as"), [("2025-12-01T00:00:00Z", "NO_SHOW"), ("2026-02-01T00:00:00Z", "REGISTERED")])
def test_registered_on_an_ended_event_reads_as_no_show(backend, end, read_as):
    event = create_event(backend, endDateTime=end)
    record(backend, "register", by_vid(ADA))

    assert [v.state for v in backend.participations(event)] == [read_as]
    assert backend.counters(event)[read_as] == 1
    assert [c.state for c in history(event, ADA)] == ["REGISTERED"]  # stored as written


def test_read_lag_hides_a_new_state_until_the_clock_moves_past_it():
    backend = make_backend(read_lag_seconds=1.0)
    event = create_event(backend)
    record(backend, "register", by_vid(ADA))

    assert backend.participations(event) == []
    assert backend.counters(event)["REGISTERED"] == 0
    backend.clock.advance(0.999)
    assert backend.counters(event)["REGISTERED"] == 0
    backend.clock.advance(0.002)
    assert [v.state for v in backend.participations(event)] == ["REGISTERED"]
    assert backend.counters(event)["REGISTERED"] == 1


def test_read_lag_hides_a_new_event_until_the_clock_moves_past_it():
    backend = make_backend(read_lag_seconds=1.0)
    event = create_event(backend)

    with pytest.raises(NotFound):
        backend.event_by_object_id(APP1, event.object_id)
    with pytest.raises(NotFound):
        backend.event_by_external_ids(APP1, "e1", "acct")
    backend.clock.advance(1.001)
    assert backend.event_by_object_id(APP1, event.object_id) is event
    assert backend.event_by_external_ids(APP1, "e1", "acct") is event


# ---------------------------------------------------------------------------------------------- auth
@pytest.mark.parametrize("token", ["", "Bearer x"])
def test_empty_token_or_token_with_a_space_is_unauthorized(backend, token):
    with pytest.raises(Unauthorized) as caught:
        backend.authenticate(token)

    assert caught.value.status_code == 401
    assert caught.value.category == "INVALID_AUTHENTICATION"


def test_any_other_token_is_the_default_app_with_both_scopes(backend):
    assert backend.authenticate("pat-anything") == Principal(1, 1, ALL_SCOPES)


def test_seeded_token_maps_to_its_portal_app_and_scopes(backend):
    assert backend.authenticate("pat-app2") == Principal(1, 2, frozenset({READ_SCOPE}))


def test_expired_seeded_token_raises_expired_token(backend):
    with pytest.raises(ExpiredToken) as caught:
        backend.authenticate("pat-expired")

    assert caught.value.category == "EXPIRED_AUTHENTICATION"


def test_unknown_token_rejected_when_accept_any_token_is_off():
    backend = make_backend(accept_any_token=False)

    with pytest.raises(Unauthorized):
        backend.authenticate("pat-anything")
    assert backend.authenticate("pat-app2").app_id == 2


# ---------------------------------------------------------------------------------------------- settings
def test_spec_profile_differs_from_live_exactly_in_the_profile_fields():
    live, spec = dataclasses.asdict(Settings.for_profile("live")), dataclasses.asdict(Settings.for_profile("spec"))

    differing = {name for name in live if live[name] != spec[name]}

    assert differing == set(PROFILES["spec"]) | {"profile"}
    assert {name: spec[name] for name in PROFILES["spec"]} == PROFILES["spec"]
    assert Settings.for_profile("live") == Settings()


def test_settings_from_env():
    settings = Settings.from_env({"HUBSPOT_MOCK_PROFILE": "spec", "HUBSPOT_MOCK_MIXED_BATCH_STATUS": "207"})

    assert settings.profile == "spec"
    assert settings.mixed_batch_status == 207
    assert settings.record_by_contact_ids_status == PROFILES["spec"]["record_by_contact_ids_status"]


@pytest.mark.parametrize(
    "build",
    [lambda: Settings.for_profile("observed"), lambda: Settings.from_env({"HUBSPOT_MOCK_PROFILE": "observed"})],
    ids=["for_profile", "from_env"],
)
def test_unknown_profile_raises_value_error(build):
    with pytest.raises(ValueError):
        build()


# ---------------------------------------------------------------------------------------------- seeding and dump
def test_seeded_vids_are_kept_and_new_vids_come_after_the_largest(backend, event):
    contacts = dump_state(backend)["portals"]["1"]["contacts"]
    assert [(c["vid"], c["email"]) for c in contacts] == [(ADA, "ada@example.com"), (BOB, "bob@example.com")]

    outcome = backend.record_by_email(APP1, event.object_id, "register", [by_email("x@b.com"), by_email("y@b.com")])

    new_vids = [r.vid for r in outcome.results]
    assert all(vid > BOB for vid in new_vids)
    assert len(set(new_vids)) == 2
    assert [c["vid"] for c in dump_state(backend)["portals"]["1"]["contacts"]] == [ADA, BOB, *new_vids]


def test_seeded_contacts_without_vid_never_share_a_vid():
    backend = Backend(Settings(), FakeClock())
    first_vid = backend.settings.first_vid

    backend.load_seed({"portals": [{"id": 1, "contacts": [{"email": "a@x.com"}, {"vid": first_vid, "email": "b@x.com"}]}]})

    emails = sorted(c["email"] for c in dump_state(backend)["portals"]["1"]["contacts"])
    assert emails == ["a@x.com", "b@x.com"]


@pytest.mark.parametrize("contact", [{"vid": ADA, "email": "new@example.com"}, {"email": "ADA@example.com"}])
def test_seeding_a_contact_that_exists_is_refused(backend, contact):
    with pytest.raises(ValueError, match="already in portal 1"):
        backend.load_seed({"portals": [{"id": 1, "contacts": [contact]}]})
