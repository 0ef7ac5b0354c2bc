"""Every way of recording attendance follows one set of HubSpot's rules, in process. The six write variants
(by vid or email; the event by the calling app's external ids or by objectId; create or upsert) are one
parametrized table: lower-case states only, the joinedAt/leftAt span rule, seconds-vs-milliseconds, ISO-8601
interaction times, contacts created only by the email-create variants, idempotent repeats, addressing, auth,
and a bad request changing nothing. Then the contact-level breakdown that reads it all back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from surface import (
    ACCOUNT, ADA, BOB, EMAILS, NOW_MS, V3, Mock, assert_shape, close_kept_mocks, error_in, expect_error, make_mock, note, span,
)

EVENT = "course-1"
ACCOUNT_Q = {"externalAccountId": ACCOUNT}
STATES = {"register": "REGISTERED", "attend": "ATTENDED", "cancel": "CANCELLED"}


@dataclass(frozen=True)
class Variant:
    operation: str
    by: str  # "vid" / "email"
    template: str  # the v3 path, with {state} and {objectId}
    success: dict[str, int]  # profile -> status when every input landed
    creates_contacts: bool
    by_external_ids: bool

    def __str__(self) -> str:
        return self.operation

    def path(self, object_id: str, state: str) -> str:
        return self.template.format(objectId=object_id, state=state, event=EVENT)

    @property
    def has_body(self) -> bool:
        return 204 not in self.success.values()

    def item(self, who: int | str, at: Any = NOW_MS, properties: dict[str, str] | None = None, **contact: str) -> dict[str, Any]:
        """One input for a contact: `who` is a seeded vid, or an email (or a vid, for the email variants: its email)."""
        base: dict[str, Any] = {"interactionDateTime": at, "properties": properties or {}}
        if self.by == "vid":
            return {"vid": who, **base}
        email = EMAILS[who] if isinstance(who, int) else who
        return {"email": email, **base, "contactProperties": contact}

    def send(self, mock: Mock, object_id: str, state: str, *items: dict[str, Any], token: str = "pat-app1", params: dict[str, str] | None = None) -> Any:
        query = (ACCOUNT_Q if self.by_external_ids else {}) if params is None else params
        return mock.post(self.path(object_id, state), token=token, params=query, json={"inputs": list(items)})

    def result(self, vid: int, email: str | None = None) -> dict[str, Any]:
        return {"vid": vid} if self.by == "vid" else {"email": email or EMAILS[vid], "vid": vid}

    def partial_status(self, profile: str) -> int:
        """Some items failed: a body-less variant answers the batch body (200), the others their own status."""
        return self.success[profile] if self.has_body else 200


VARIANTS = [
    Variant("recordByContactIds", "vid", V3 + "/attendance/{event}/{state}/create", {"live": 201, "spec": 200}, False, True),
    Variant("recordByContactId", "vid", V3 + "/{objectId}/attendance/{state}/create", {"live": 201, "spec": 200}, False, False),
    Variant("recordByEmail", "email", V3 + "/{objectId}/attendance/{state}/email-create", {"live": 200, "spec": 200}, True, False),
    Variant("recordByContactEmails", "email", V3 + "/attendance/{event}/{state}/email-create", {"live": 200, "spec": 200}, True, True),
    Variant("upsertByContactId", "vid", V3 + "/events/{event}/{state}/upsert", {"live": 204, "spec": 204}, False, True),
    Variant("upsertByContactEmail", "email", V3 + "/events/{event}/{state}/email-upsert", {"live": 204, "spec": 204}, False, True),
]
each_variant = pytest.mark.parametrize("variant", VARIANTS, ids=str)
each_profile = pytest.mark.parametrize("profile", ["live", "spec"])


def setup(profile: str = "live", **settings: Any) -> tuple[Mock, str]:
    mock = make_mock(profile, **settings)
    return mock, mock.create(EVENT)


def contact_rows(mock: Mock, who: str | int) -> list[dict[str, Any]]:
    return mock.get(f"{V3}/participations/contacts/{who}/breakdown").json()["results"]


def assert_answered(mock: Mock, variant: Variant, response: Any, profile: str, results: list[dict[str, Any]]) -> None:
    """A success: the variant's status, and its results when it answers with a body."""
    assert response.status_code == variant.success[profile], response.text
    body = assert_shape(mock, response)
    if variant.has_body:
        assert body["status"] == "COMPLETE" and "errors" not in body
        assert body["results"] == results


# ---------------------------------------------------------------------------------------------- states
@each_variant
@pytest.mark.parametrize("state", STATES)
def test_every_state_lands_and_reads_back(variant, state):
    mock, object_id = setup()
    properties = span(45) if state == "attend" else {}
    response = variant.send(mock, object_id, state, variant.item(ADA, properties=properties))
    assert_answered(mock, variant, response, "live", [variant.result(ADA)])
    assert mock.history(object_id) == {ADA: [STATES[state]]}
    (row,) = contact_rows(mock, ADA)
    assert row["properties"]["attendanceState"] == STATES[state]
    assert row["properties"]["occurredAt"] == NOW_MS
    assert row["associations"]["marketingEvent"]["marketingEventId"] == object_id
    assert row["properties"].get("attendanceDurationSeconds") == (2700 if state == "attend" else None)


@each_variant
@pytest.mark.parametrize("state", ["REGISTERED", "Attend", "attended", "no_show"])
def test_subscriber_states_are_lower_case_and_only_three(variant, state):
    mock, object_id = setup()
    refused = expect_error(mock, "POST", variant.path(object_id, state), 400, params=ACCOUNT_Q, json={"inputs": [variant.item(ADA)]})
    assert refused["message"] == f"Unknown state for '{state}'. Correct are 'register', 'attend' or 'cancel'."
    assert error_in(refused) == ["subscriberState"]


# ---------------------------------------------------------------------------------------------- joinedAt / leftAt
@each_variant
@each_profile
@pytest.mark.parametrize("gap_minutes", [-10, 0])
def test_joined_at_must_be_before_left_at(variant, profile, gap_minutes):
    mock, object_id = setup(profile)
    bad = variant.item(ADA, properties=span(gap_minutes))
    good = variant.item(BOB, properties=span(30))
    response = variant.send(mock, object_id, "attend", bad, good)
    assert response.status_code == variant.partial_status(profile)
    body = assert_shape(mock, response)
    assert body["results"] == [variant.result(BOB)]
    assert body["numErrors"] == 1
    (error,) = body["errors"]
    subject, kind = (EMAILS[ADA], "EMAIL") if variant.by == "email" else (str(ADA), "CONTACT")
    assert error["subCategory"] == f"AttendanceValidationError.JOINED_AT_IS_LATER_THAN_LEFT_AT_FOR_{kind}"
    assert error["message"] == f"joinedAt param must be earlier than leftAt for `{subject}`"
    assert error["category"] == "VALIDATION_ERROR" and error["status"] == "error"
    if profile == "spec":  # the spec's StandardError in full, naming the input
        assert error["context"][variant.by] == [subject] and error["errors"] == [] and error["links"] == {}
    else:
        assert "context" not in error
    assert mock.history(object_id) == {BOB: ["ATTENDED"]}


@each_variant
@each_profile
def test_attendance_under_a_second_is_answered_but_stored_only_in_the_spec_profile(variant, profile):
    mock, object_id = setup(profile)
    response = variant.send(mock, object_id, "attend", variant.item(ADA, properties=span(0.5 / 60)))
    assert_answered(mock, variant, response, profile, [variant.result(ADA)])
    if profile == "live":
        assert "shorter than 1 s; nothing stored" in note(response)
        assert mock.history(object_id) == {}
    else:
        assert mock.history(object_id) == {ADA: ["ATTENDED"]}
        assert contact_rows(mock, ADA)[0]["properties"]["attendanceDurationSeconds"] == 0


@each_variant
@each_profile
def test_attend_without_joined_and_left_stores_nothing_live(variant, profile):
    mock, object_id = setup(profile)
    response = variant.send(mock, object_id, "attend", variant.item(ADA))
    assert_answered(mock, variant, response, profile, [] if profile == "live" else [variant.result(ADA)])
    if profile == "live":
        assert "attend without joinedAt/leftAt; nothing stored" in note(response)
        assert mock.history(object_id) == {}
    else:
        assert mock.history(object_id) == {ADA: ["ATTENDED"]}
        assert "attendanceDurationSeconds" not in contact_rows(mock, ADA)[0]["properties"]


@each_variant
@each_profile
def test_an_interaction_time_in_seconds_is_noted_and_stored_only_in_the_spec_profile(variant, profile):
    mock, object_id = setup(profile)
    seconds = NOW_MS // 1000
    response = variant.send(mock, object_id, "register", variant.item(ADA, at=seconds))
    assert_answered(mock, variant, response, profile, [variant.result(ADA)])
    if profile == "live":
        assert f"interactionDateTime {seconds} looks like seconds; nothing stored" in note(response)
        assert mock.history(object_id) == {}
    else:
        assert mock.history(object_id) == {ADA: ["REGISTERED"]}
        assert mock.events()[object_id]["subscribers"][0]["history"][0]["interactionDateTime"] == seconds


@each_variant
@pytest.mark.parametrize("setting", ["accept", "drop", "reject"])
def test_an_iso_interaction_time_follows_the_setting_and_says_so(variant, setting):
    mock, object_id = setup(iso_interaction_datetime=setting)
    item = variant.item(ADA, at="2026-01-01T00:00:00.000Z")
    if setting == "reject":
        refused = expect_error(mock, "POST", variant.path(object_id, "register"), 400, params=ACCOUNT_Q, json={"inputs": [item]})
        assert "inputs[0].interactionDateTime" in error_in(refused)
        return
    response = variant.send(mock, object_id, "register", item)
    assert_answered(mock, variant, response, "live", [variant.result(ADA)])
    assert f"ISO-8601 string; iso_interaction_datetime={setting}" in note(response)
    if setting == "accept":
        assert mock.events()[object_id]["subscribers"][0]["history"][0]["interactionDateTime"] == NOW_MS
    else:
        assert mock.history(object_id) == {}


# ---------------------------------------------------------------------------------------------- contacts
@each_variant
def test_only_the_email_create_variants_create_contacts(variant):
    mock, object_id = setup()
    unknown = 2**40 if variant.by == "vid" else "New.Person@Example.com"
    contacts_before = mock.contacts()
    response = variant.send(mock, object_id, "register", variant.item(unknown, firstname="New"), variant.item(ADA))
    body = assert_shape(mock, response)
    if variant.creates_contacts:
        assert response.status_code == variant.success["live"]
        created = mock.contacts()["new.person@example.com"]  # stored lower-case
        assert created["vid"] > 2**31 and created["properties"]["firstname"] == "New"
        assert body["results"] == [variant.result(created["vid"], "new.person@example.com"), variant.result(ADA)]
        assert mock.history(object_id) == {created["vid"]: ["REGISTERED"], ADA: ["REGISTERED"]}
        return
    assert response.status_code == variant.partial_status("live")
    assert body["results"] == [variant.result(ADA)]
    (error,) = body["errors"]
    assert error["category"] == "OBJECT_NOT_FOUND" and str(unknown) in error["message"]
    assert mock.contacts() == contacts_before
    assert mock.history(object_id) == {ADA: ["REGISTERED"]}


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.creates_contacts], ids=str)
def test_email_create_matches_existing_contacts_case_insensitively_and_never_changes_them(variant):
    mock, object_id = setup()
    response = variant.send(mock, object_id, "register", variant.item("ADA@Example.COM", firstname="Changed", lastname="Other"))
    assert response.json()["results"] == [{"email": EMAILS[ADA], "vid": ADA}]
    assert mock.contacts()[EMAILS[ADA]]["properties"] == {"email": EMAILS[ADA], "firstname": "Ada", "lastname": "Lovelace"}
    assert len(mock.contacts()) == 2


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.by == "email"], ids=str)
def test_an_email_without_at_is_a_per_item_error(variant):
    mock, object_id = setup()
    response = variant.send(mock, object_id, "register", variant.item("not-an-email"), variant.item(ADA))
    body = response.json()
    assert response.status_code == variant.partial_status("live")
    assert body["results"] == [variant.result(ADA)]
    assert body["errors"][0]["subCategory"] == "INVALID_EMAIL"
    assert "not-an-email" not in mock.contacts()


def test_email_upsert_creates_contacts_when_set():
    (variant,) = [v for v in VARIANTS if v.operation == "upsertByContactEmail"]
    mock, object_id = setup(email_upsert_creates_contacts=True)
    response = variant.send(mock, object_id, "register", variant.item("new@example.com", firstname="New"))
    assert response.status_code == 204
    created = mock.contacts()["new@example.com"]
    assert created["properties"]["firstname"] == "New"
    assert mock.history(object_id) == {created["vid"]: ["REGISTERED"]}


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.operation in ("recordByContactIds", "recordByContactId")], ids=str)
def test_an_unknown_vid_on_create_can_be_ignored_with_a_note(variant):
    mock, object_id = setup(unknown_vid_on_create="ignore")
    response = variant.send(mock, object_id, "register", variant.item(2**40), variant.item(ADA))
    assert_answered(mock, variant, response, "live", [variant.result(ADA)])
    assert f"vid {2**40} is not a contact of portal 1; ignored" in note(response)


# ---------------------------------------------------------------------------------------------- repeats and statuses
@each_variant
@each_profile
def test_an_identical_repeat_is_stored_once(variant, profile):
    mock, object_id = setup(profile)
    item = variant.item(ADA)
    first = variant.send(mock, object_id, "register", item)
    assert_answered(mock, variant, first, profile, [variant.result(ADA)])
    before = mock.state()
    again = variant.send(mock, object_id, "register", item)
    assert_answered(mock, variant, again, profile, [] if profile == "live" else [variant.result(ADA)])
    assert mock.state() == before
    later = variant.send(mock, object_id, "register", variant.item(ADA, at=NOW_MS + 1000))
    assert later.status_code == variant.success[profile]
    assert mock.history(object_id) == {ADA: ["REGISTERED", "REGISTERED"]}  # a new interactionDateTime is a new record


@each_variant
def test_a_partly_failed_batch_answers_207_when_set(variant):
    mock, object_id = setup(mixed_batch_status=207)
    response = variant.send(mock, object_id, "attend", variant.item(ADA, properties=span(-1)), variant.item(BOB, properties=span(1)))
    assert response.status_code == 207
    body = assert_shape(mock, response)
    assert body["numErrors"] == 1 and body["results"] == [variant.result(BOB)]


def test_the_email_upsert_answers_its_batch_body_when_its_status_is_set_to_200():
    (variant,) = [v for v in VARIANTS if v.operation == "upsertByContactEmail"]
    mock, object_id = setup(upsert_by_contact_email_status=200)
    response = variant.send(mock, object_id, "register", variant.item(ADA))
    assert response.status_code == 200
    body = assert_shape(mock, response)
    assert body["status"] == "COMPLETE" and body["results"] == [variant.result(ADA)]
    assert mock.history(object_id) == {ADA: ["REGISTERED"]}


# ---------------------------------------------------------------------------------------------- addressing
@each_variant
def test_the_event_must_exist_and_external_ids_reach_only_the_calling_app(variant):
    mock, object_id = setup()
    path = variant.template.format(objectId="404404", state="register", event="never")
    expect_error(mock, "POST", path, 404, "OBJECT_NOT_FOUND", params=ACCOUNT_Q, json={"inputs": [variant.item(ADA)]})
    if variant.by_external_ids:
        expect_error(mock, "POST", variant.path(object_id, "register"), 404, "OBJECT_NOT_FOUND", token="app2",
                     params=ACCOUNT_Q, json={"inputs": [variant.item(ADA)]})
    else:  # objectId endpoints serve any app of the portal
        response = variant.send(mock, object_id, "register", variant.item(ADA), token="app2")
        assert response.status_code == variant.success["live"]
        assert mock.history(object_id) == {ADA: ["REGISTERED"]}


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.by_external_ids], ids=str)
@each_profile
def test_external_account_id_is_required_live_and_by_the_upserts(variant, profile):
    mock, object_id = setup(profile)
    optional = profile == "spec" and variant.operation.startswith("record")
    if not optional:
        refused = expect_error(mock, "POST", variant.path(object_id, "register"), 400, json={"inputs": [variant.item(ADA)]})
        assert error_in(refused) == ["externalAccountId"] and refused["message"] == "externalAccountId is required"
        return
    response = variant.send(mock, object_id, "register", variant.item(ADA), params={})
    assert response.status_code == variant.success[profile]  # the app's only event with that externalEventId
    assert mock.history(object_id) == {ADA: ["REGISTERED"]}


@each_variant
def test_writes_need_the_write_scope_and_a_valid_token(variant):
    mock, object_id = setup()
    request = {"params": ACCOUNT_Q, "json": {"inputs": [variant.item(ADA)]}}
    path = variant.path(object_id, "register")
    expect_error(mock, "POST", path, 403, "MISSING_SCOPES", token="read-only", **request)
    expect_error(mock, "POST", path, 401, "INVALID_AUTHENTICATION", token=None, **request)
    expect_error(mock, "POST", path, 401, "EXPIRED_AUTHENTICATION", token="expired", **request)


@each_variant
@pytest.mark.parametrize(
    "mutate, where, message",
    [
        (lambda item: item.pop("interactionDateTime"), "inputs[1].interactionDateTime", "interactionDateTime required"),
        (lambda item: item.update(interactionDateTime=-1), "inputs[1].interactionDateTime", None),
        (lambda item: item.update(properties={"joinedAt": 5}), "inputs[1].properties.joinedAt", None),
        (lambda item: item.update(unexpected=True), "inputs[1].unexpected", None),
    ],
    ids=["no-interaction-time", "negative-time", "non-string-property", "unknown-field"],
)
def test_one_bad_item_refuses_the_whole_batch(variant, mutate, where, message):
    mock, object_id = setup()
    bad = variant.item(BOB)
    mutate(bad)
    refused = expect_error(mock, "POST", variant.path(object_id, "register"), 400, params=ACCOUNT_Q,
                           json={"inputs": [variant.item(ADA), bad]})
    assert where in error_in(refused), refused
    if message:
        assert refused["message"] == message


# ---------------------------------------------------------------------------------------------- the contact-level breakdown
def three_events(mock: Mock) -> dict[str, str]:
    ids = {name: mock.create(name) for name in ("course-1", "course-2", "course-3")}
    mock.register(ids["course-1"], EMAILS[ADA])
    mock.register(ids["course-2"], EMAILS[ADA], state="attend", **span(45))
    mock.register(ids["course-3"], EMAILS[ADA], state="cancel")
    mock.register(ids["course-3"], EMAILS[BOB])
    return ids


@pytest.mark.parametrize("who", [str(ADA), EMAILS[ADA], "Ada@Example.com"])
def test_contact_breakdown_has_one_row_per_event_of_the_portal(who):
    mock = make_mock()
    ids = three_events(mock)
    response = mock.get(f"{V3}/participations/contacts/{who}/breakdown")
    assert response.status_code == 200
    body = assert_shape(mock, response)
    assert body["total"] == 3 and "paging" not in body
    rows = {r["associations"]["marketingEvent"]["externalEventId"]: r for r in body["results"]}
    assert {name: r["properties"]["attendanceState"] for name, r in rows.items()} == {
        "course-1": "REGISTERED", "course-2": "ATTENDED", "course-3": "CANCELLED",
    }
    attended = rows["course-2"]
    assert attended["properties"]["attendanceDurationSeconds"] == 2700
    assert attended["associations"]["marketingEvent"] == {
        "marketingEventId": ids["course-2"], "name": "Event course-2", "externalAccountId": ACCOUNT, "externalEventId": "course-2",
    }
    assert attended["associations"]["contact"] == {"contactId": str(ADA), "email": EMAILS[ADA], "firstname": "Ada", "lastname": "Lovelace"}


def test_contact_breakdown_filters_by_state_and_pages():
    mock = make_mock()
    three_events(mock)
    path = f"{V3}/participations/contacts/{ADA}/breakdown"
    filtered = mock.get(path, params={"state": "ATTENDED"}).json()
    assert filtered["total"] == 1 and filtered["results"][0]["properties"]["attendanceState"] == "ATTENDED"
    first = mock.get(path, params={"limit": 2}).json()
    assert len(first["results"]) == 2 and first["paging"]["next"]["after"] == "2"
    rest = mock.get(path, params={"limit": 2, "after": "2"}).json()
    assert len(rest["results"]) == 1 and "paging" not in rest and rest["total"] == 3
    seen = [r["associations"]["marketingEvent"]["externalEventId"] for r in first["results"] + rest["results"]]
    assert seen == ["course-1", "course-2", "course-3"]


@pytest.mark.parametrize("setting, status", [("empty", 200), ("not_found", 404)])
def test_contact_breakdown_of_an_unknown_contact(setting, status):
    mock = make_mock(unknown_contact_breakdown=setting)
    response = mock.get(f"{V3}/participations/contacts/nobody@example.com/breakdown")
    assert response.status_code == status
    if status == 200:
        assert assert_shape(mock, response) == {"total": 0, "results": []}
    # a known contact in no event: never a 404
    assert mock.get(f"{V3}/participations/contacts/{BOB}/breakdown").json() == {"total": 0, "results": []}


@pytest.mark.parametrize("params, where", [({"limit": 0}, "limit"), ({"state": "registered"}, "state"), ({"after": "-1"}, "after")])
def test_contact_breakdown_refuses_bad_query(params, where):
    mock = make_mock()
    assert error_in(expect_error(mock, "GET", f"{V3}/participations/contacts/{ADA}/breakdown", 400, params=params)) == [where]


def test_contact_breakdown_needs_the_read_scope_and_a_token():
    mock = make_mock()
    expect_error(mock, "GET", f"{V3}/participations/contacts/{ADA}/breakdown", 403, "MISSING_SCOPES", token="write-only")
    expect_error(mock, "GET", f"{V3}/participations/contacts/{ADA}/breakdown", 401, "INVALID_AUTHENTICATION", token=None)


def test_the_contact_breakdown_sees_a_write_long_before_the_event_level_rollup():
    mock = make_mock(read_lag_contact_breakdown_seconds=1.0, read_lag_participations_seconds=10.0)
    object_id = mock.create(EVENT)
    mock.register(object_id, EMAILS[ADA])
    counters = f"{V3}/participations/{object_id}"
    assert contact_rows(mock, ADA) == []
    mock.clock.advance(1)
    assert [r["properties"]["attendanceState"] for r in contact_rows(mock, ADA)] == ["REGISTERED"]
    assert mock.get(counters).json()["registered"] == 0
    mock.clock.advance(9)
    assert mock.get(counters).json()["registered"] == 1
