"""The event lifecycle beyond the batch upsert, in process: single create (and its UNIQUE_VALUE_CONFLICT), PUT
and PATCH by external ids, PATCH by objectId, batch update, cancel, complete, every delete, list all, search and
identifiers. For each: the answer and its shape, the state it leaves as other operations read it, its errors
(with the state unchanged), the settings that change it, and identical repeats."""

from __future__ import annotations

from typing import Any

import pytest

from surface import (
    ACCOUNT, ADA, BOB, EMAILS, ISO_MS, NOW_MS, READ_SCOPE, V3, WRITE_SCOPE, Mock, assert_shape, close_kept_mocks, error_in, event_body,
    expect_error, make_mock, note, span,
)

from envelopes import assert_error_response

EVENTS = f"{V3}/events"
ACCOUNT_Q = {"externalAccountId": ACCOUNT}


def by_external(event_id: str) -> str:
    return f"{EVENTS}/{event_id}"


def details(mock: Mock, event_id: str, token: str = "pat-app1") -> Any:
    return mock.get(by_external(event_id), params=ACCOUNT_Q, token=token)


def by_object(mock: Mock, object_id: str, token: str = "pat-app1") -> Any:
    return mock.get(f"{V3}/{object_id}", token=token)


@pytest.fixture
def mock() -> Mock:
    return make_mock()


# ---------------------------------------------------------------------------------------------- single create
@pytest.mark.parametrize("profile", ["live", "spec"])
def test_create_answers_the_event_with_its_object_id_on_top(profile):
    mock = make_mock(profile)
    body = event_body(
        "course-1", eventType="WEBINAR", eventDescription="Intro", eventUrl="https://example.com/c/1",
        startDateTime="2026-02-01T10:00:00Z", endDateTime="2026-02-01T11:00:00+00:00",
        customProperties=[{"name": "webinar_platform", "value": "zoom"}, {"name": "not_defined", "value": "x"}],
    )
    response = mock.post(EVENTS, json=body)
    assert response.status_code == 200
    created = assert_shape(mock, response)
    assert created["objectId"].isdigit() and "id" not in created
    assert "createdAt" not in created and "updatedAt" not in created  # MarketingEventDefaultResponse has none
    assert "externalEventId" not in created and "externalAccountId" not in created
    assert (created["eventName"], created["eventType"], created["eventUrl"]) == ("Event course-1", "WEBINAR", "https://example.com/c/1")
    assert (created["startDateTime"], created["endDateTime"]) == ("2026-02-01T10:00:00.000Z", "2026-02-01T11:00:00.000Z")
    assert (created["eventCancelled"], created["eventCompleted"]) == (False, False)
    assert [(p["name"], p["value"]) for p in created["customProperties"]] == [("webinar_platform", "zoom")]
    assert "not_defined" in note(response)  # dropped, not set, and said so

    read = assert_shape(mock, details(mock, "course-1"))
    assert (read["objectId"], read["externalEventId"], read["eventDescription"]) == (created["objectId"], "course-1", "Intro")
    assert (read["registrants"], read["attendees"], read["cancellations"], read["noShows"]) == (0, 0, 0, 0)
    v2 = assert_shape(mock, by_object(mock, created["objectId"]))
    assert v2["customProperties"] == [{"name": "webinar_platform", "value": "zoom"}]
    assert v2["appInfo"] == {"id": "1", "name": "App 1"} and v2["eventStatus"] == "UPCOMING"


def test_the_same_create_again_is_unique_value_conflict_naming_the_existing_event(mock):
    object_id = mock.create("course-1")
    conflict = expect_error(mock, "POST", EVENTS, 400, json=event_body("course-1", eventName="Other name"))
    assert conflict["errorType"] == "UNIQUE_VALUE_CONFLICT"
    assert conflict["errorTokens"] == {"existingObjectId": [object_id], "propertyName": ["hs_unique_id"]}
    assert object_id in conflict["message"]
    # What integrations do with it: read the event they meant by the id the error names.
    assert by_object(mock, conflict["errorTokens"]["existingObjectId"][0]).json()["eventName"] == "Event course-1"


def test_create_keys_by_app_and_account(mock):
    first = mock.create("course-1")
    other_account = mock.create("course-1", account="acct-2")
    other_app = mock.create("course-1", token="app2")
    assert len({first, other_account, other_app}) == 3
    assert {e["appId"] for e in mock.events().values()} == {1, 2}


@pytest.mark.parametrize(
    "profile, body, field",
    [
        ("live", {"externalAccountId": ACCOUNT, "externalEventId": "c", "eventOrganizer": "Acme"}, "eventName"),
        ("live", {**event_body("c"), "externalEventId": ""}, "externalEventId"),
        ("live", {**event_body("c"), "startDateTime": "next tuesday"}, "startDateTime"),
        ("live", {**event_body("c"), "eventCancelled": "yes"}, "eventCancelled"),
        ("live", {**event_body("c"), "hs_unique_id": "x"}, "hs_unique_id"),
        ("spec", {k: v for k, v in event_body("c").items() if k != "customProperties"}, "customProperties"),
    ],
    ids=["no-name", "empty-id", "bad-date", "bad-boolean", "unknown-field", "spec-needs-custom-properties"],
)
def test_create_refuses_bad_input_naming_the_field(profile, body, field):
    mock = make_mock(profile)
    refused = expect_error(mock, "POST", EVENTS, 400, json=body)
    assert any(field in (where or "") for where in error_in(refused)), refused


def test_create_without_custom_properties_is_accepted_live(mock):
    response = mock.post(EVENTS, json={k: v for k, v in event_body("c").items() if k != "customProperties"})
    assert assert_shape(mock, response)["customProperties"] == []


@pytest.mark.parametrize(
    "token, status, category",
    [("read-only", 403, "MISSING_SCOPES"), (None, 401, "INVALID_AUTHENTICATION"), ("expired", 401, "EXPIRED_AUTHENTICATION")],
)
def test_create_needs_a_valid_token_with_the_write_scope(mock, token, status, category):
    refused = expect_error(mock, "POST", EVENTS, status, category, token=token, json=event_body("c"))
    if status == 403:
        assert refused["errors"][0]["context"]["requiredGranularScopes"] == [WRITE_SCOPE]


# ---------------------------------------------------------------------------------------------- PUT by external ids
def test_put_creates_then_updates_keeping_what_it_leaves_out(mock):
    first = mock.call("PUT", by_external("course-1"), json=event_body("course-1", eventType="WEBINAR", eventUrl="https://x/1"))
    assert first.status_code == 200
    created = assert_shape(mock, first)
    assert created["id"] == created["objectId"] and ISO_MS.match(created["createdAt"])

    mock.clock.advance(5)
    again = mock.call("PUT", by_external("course-1"), json=event_body("course-1", eventName="Renamed"))
    updated = assert_shape(mock, again)
    assert updated["objectId"] == created["objectId"]
    assert (updated["eventName"], updated["eventType"], updated["eventUrl"]) == ("Renamed", "WEBINAR", "https://x/1")
    assert updated["updatedAt"] > updated["createdAt"] == created["createdAt"]
    assert [e["eventName"] for e in mock.events().values()] == ["Renamed"]


def test_put_with_another_id_in_the_body_is_400_unless_the_path_wins():
    mock = make_mock()
    refused = expect_error(mock, "PUT", by_external("course-1"), 400, json=event_body("course-2"))
    assert error_in(refused) == ["externalEventId"] and "course-2" in refused["message"]

    lenient = make_mock(put_event_id_mismatch="path")
    response = lenient.call("PUT", by_external("course-1"), json=event_body("course-2"))
    assert response.status_code == 200
    assert [e["externalEventId"] for e in lenient.events().values()] == ["course-1"]


def test_put_is_idempotent(mock):
    body = event_body("course-1", startDateTime="2026-03-01T09:00:00Z")
    first = assert_shape(mock, mock.call("PUT", by_external("course-1"), json=body))
    before = mock.state()
    again = assert_shape(mock, mock.call("PUT", by_external("course-1"), json=body))
    assert again == first
    assert mock.state() == before  # not even updatedAt moves: the clock did not


# ---------------------------------------------------------------------------------------------- PATCH by external ids
def test_patch_by_external_ids_replaces_given_fields_and_merges_custom_properties(mock):
    object_id = mock.create("course-1", eventType="WEBINAR", customProperties=[{"name": "webinar_platform", "value": "zoom"}])
    response = mock.call(
        "PATCH", by_external("course-1"), params=ACCOUNT_Q,
        json={"eventName": "Course one", "customProperties": [{"name": "course_level", "value": "2"}, {"name": "nope", "value": "x"}]},
    )
    assert response.status_code == 200
    patched = assert_shape(mock, response)
    assert patched["id"] == patched["objectId"] == object_id
    assert (patched["eventName"], patched["eventType"]) == ("Course one", "WEBINAR")
    assert {p["name"]: p["value"] for p in patched["customProperties"]} == {"webinar_platform": "zoom", "course_level": "2"}
    assert "nope" in note(response)
    assert by_object(mock, object_id).json()["eventName"] == "Course one"


@pytest.mark.parametrize(
    "request_kwargs, status, where",
    [
        ({"params": {}, "json": {"eventName": "x"}}, 400, "externalAccountId"),
        ({"params": ACCOUNT_Q, "json": {"eventName": 5}}, 400, "eventName"),
        ({"params": ACCOUNT_Q, "json": {"externalEventId": "other"}}, 400, "externalEventId"),  # not an update field
        ({"params": ACCOUNT_Q, "json": {"endDateTime": "2026-13-01T00:00:00Z"}}, 400, "endDateTime"),
    ],
    ids=["no-account", "wrong-type", "key-not-updatable", "bad-date"],
)
def test_patch_by_external_ids_refuses_bad_input(mock, request_kwargs, status, where):
    mock.create("course-1")
    refused = expect_error(mock, "PATCH", by_external("course-1"), status, **request_kwargs)
    assert any(where in (w or "") for w in error_in(refused)), refused


def test_external_ids_reach_only_the_calling_apps_event(mock):
    mock.create("course-1")
    for method, path, kwargs in [
        ("GET", by_external("course-1"), {}),
        ("PATCH", by_external("course-1"), {"json": {"eventName": "stolen"}}),
        ("POST", f"{by_external('course-1')}/cancel", {}),
        ("POST", f"{by_external('course-1')}/complete", {"json": {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-01-01T01:00:00Z"}}),
    ]:
        expect_error(mock, method, path, 404, "OBJECT_NOT_FOUND", token="app2", params=ACCOUNT_Q, **kwargs)
    # DELETE "if it exists": another app's event does not exist for it, so nothing is deleted.
    before = mock.state()
    assert mock.call("DELETE", by_external("course-1"), params=ACCOUNT_Q, token="app2").status_code == 204
    assert mock.state() == before


def test_unknown_fields_are_ignored_when_not_rejected():
    mock = make_mock(reject_unknown_fields=False)
    object_id = mock.create("course-1")
    response = mock.call("PATCH", f"{V3}/{object_id}", json={"eventName": "Renamed", "hs_secret_field": "x"})
    assert response.status_code == 200 and assert_shape(mock, response)["eventName"] == "Renamed"
    assert "hs_secret_field" not in str(mock.state())


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/events", lambda oid: event_body("course-2", objectId="999")),  # single create
        ("PUT", "/events/course-1", lambda oid: event_body("course-1", objectId="999")),
        ("POST", "/events/upsert", lambda oid: {"inputs": [event_body("course-1", objectId="999")]}),
        ("PATCH", "/events/course-1", lambda oid: {"eventName": "Renamed", "objectId": "999", "externalEventId": "other"}),
        ("PATCH", "/{oid}", lambda oid: {"eventName": "Renamed", "objectId": "999", "externalAccountId": "other", "externalEventId": "other"}),
        ("POST", "/batch/update", lambda oid: {"inputs": [{"objectId": oid, "eventName": "Renamed", "externalAccountId": "other", "externalEventId": "other"}]}),
    ],
    ids=["create", "put", "upsert", "patch-external", "patch-object", "batch-update"],
)
def test_keys_of_other_shapes_are_ignored_when_unknown_fields_are_not_rejected(method, path, body):
    """With reject_unknown_fields=false, an objectId where the body names the event by external ids (or external
    ids where it names it by objectId) is one more unknown field: ignored, never a 500 or half a write."""
    mock = make_mock(reject_unknown_fields=False)
    object_id = mock.create("course-1")
    params = ACCOUNT_Q if path.startswith("/events/course-1") else None
    response = mock.call(method, V3 + path.format(oid=object_id), params=params, json=body(object_id))
    assert response.status_code == 200, response.text
    events = mock.events()
    assert "999" not in events and object_id in events
    assert {(e["externalAccountId"], e["externalEventId"]) for e in events.values()} <= {(ACCOUNT, "course-1"), (ACCOUNT, "course-2")}


# ---------------------------------------------------------------------------------------------- PATCH by objectId
def test_patch_by_object_id_then_reads_by_external_ids_show_it(mock):
    object_id = mock.create("course-1", eventOrganizer="Acme", customProperties=[{"name": "webinar_platform", "value": "zoom"}])
    mock.clock.advance(1)
    response = mock.call("PATCH", f"{V3}/{object_id}", json={"eventName": "Renamed", "startDateTime": "2026-04-01T08:00:00Z"})
    assert response.status_code == 200
    patched = assert_shape(mock, response)
    assert "id" not in patched and patched["objectId"] == object_id
    assert patched["appInfo"] == {"id": "1", "name": "App 1"}
    assert patched["customProperties"] == [{"name": "webinar_platform", "value": "zoom"}]  # V2: name/value pairs
    assert (patched["eventName"], patched["eventOrganizer"]) == ("Renamed", "Acme")

    read = details(mock, "course-1").json()
    assert (read["eventName"], read["startDateTime"]) == ("Renamed", "2026-04-01T08:00:00.000Z")
    assert read["updatedAt"] > read["createdAt"]


def test_patch_by_object_id_works_for_any_app_of_the_portal_and_keeps_the_owner(mock):
    object_id = mock.create("course-1")
    response = mock.call("PATCH", f"{V3}/{object_id}", token="app2", json={"eventName": "By app 2"})
    assert response.status_code == 200 and response.json()["appInfo"]["id"] == "1"
    assert details(mock, "course-1").json()["eventName"] == "By app 2"  # still app 1's, by its external ids
    expect_error(mock, "GET", by_external("course-1"), 404, "OBJECT_NOT_FOUND", token="app2", params=ACCOUNT_Q)


@pytest.mark.parametrize(
    "token, object_id, json_body, status, category, where",
    [
        ("pat-app1", "999", {"eventName": "x"}, 404, "OBJECT_NOT_FOUND", None),
        ("portal2", None, {"eventName": "x"}, 404, "OBJECT_NOT_FOUND", None),  # another portal's event
        ("pat-app1", None, {"eventCompleted": True}, 400, "VALIDATION_ERROR", "eventCompleted"),  # not in the V2 request
        ("pat-app1", None, {"eventName": None}, 400, "VALIDATION_ERROR", "eventName"),
        ("read-only", None, {"eventName": "x"}, 403, "MISSING_SCOPES", None),
    ],
    ids=["unknown", "other-portal", "not-a-v2-field", "null-name", "read-only"],
)
def test_patch_by_object_id_errors(mock, token, object_id, json_body, status, category, where):
    own = mock.create("course-1")
    body = expect_error(mock, "PATCH", f"{V3}/{object_id or own}", status, category, token=token, json=json_body)
    if where:
        assert where in error_in(body)


# ---------------------------------------------------------------------------------------------- batch update
@pytest.mark.parametrize("version, partial_status", [("v3", 207), ("2025-09", 200), ("2026-03", 207), ("2026-09", 200)])
def test_batch_update_applies_what_it_can_and_names_the_rest(version, partial_status):
    mock = make_mock(version=version)
    first, second = mock.create("course-1"), mock.create("course-2")
    all_ok = mock.post(f"{V3}/batch/update", json={"inputs": [{"objectId": first, "eventName": "One"}, {"objectId": second, "eventType": "CONFERENCE"}]})
    assert all_ok.status_code == 200
    body = assert_shape(mock, all_ok)
    assert body["status"] == "COMPLETE" and "errors" not in body
    assert {r["objectId"]: (r["eventName"], r.get("eventType")) for r in body["results"]} == {
        first: ("One", None), second: ("Event course-2", "CONFERENCE"),
    }

    partly = mock.post(f"{V3}/batch/update", json={"inputs": [{"objectId": "404404", "eventName": "Ghost"}, {"objectId": second, "eventName": "Two"}]})
    assert partly.status_code == partial_status
    body = assert_shape(mock, partly)
    assert [r["objectId"] for r in body["results"]] == [second]
    assert body["numErrors"] == 1
    (error,) = body["errors"]
    assert error["category"] == "OBJECT_NOT_FOUND" and "404404" in error["message"]
    assert {e["eventName"] for e in mock.events().values()} == {"One", "Two"}


@pytest.mark.parametrize(
    "inputs, where",
    [
        ([{"eventName": "no id"}], "inputs[0].objectId"),
        ([{"objectId": "1", "eventName": "x"}, {"objectId": "2", "startDateTime": "soon"}], "inputs[1].startDateTime"),
        ([{"objectId": "1", "externalEventId": "x"}], "inputs[0].externalEventId"),
    ],
    ids=["missing-object-id", "bad-date-second-item", "unknown-field"],
)
def test_batch_update_refuses_a_bad_item_whole(mock, inputs, where):
    ids = [mock.create("course-1"), mock.create("course-2")]
    for item, object_id in zip(inputs, ids):
        if "objectId" in item:
            item["objectId"] = object_id
    refused = expect_error(mock, "POST", f"{V3}/batch/update", 400, json={"inputs": inputs})
    assert where in error_in(refused)


def test_batch_update_with_the_same_object_id_twice_merges_or_is_refused():
    merged = make_mock()
    object_id = merged.create("course-1")
    response = merged.post(f"{V3}/batch/update", json={"inputs": [{"objectId": object_id, "eventName": "A"}, {"objectId": object_id, "eventType": "B"}]})
    assert [(r["eventName"], r["eventType"]) for r in response.json()["results"]] == [("A", "B")]

    strict = make_mock(duplicate_batch_items="reject")
    object_id = strict.create("course-1")
    refused = expect_error(strict, "POST", f"{V3}/batch/update", 400, json={"inputs": [{"objectId": object_id}, {"objectId": object_id}]})
    assert "inputs[1]" in error_in(refused)


# ---------------------------------------------------------------------------------------------- cancel and complete
def test_cancel_marks_the_event_cancelled_everywhere_and_repeats_alike(mock):
    object_id = mock.create("course-1", startDateTime="2026-02-01T10:00:00Z")
    response = mock.post(f"{by_external('course-1')}/cancel", params=ACCOUNT_Q)
    assert response.status_code == 200
    cancelled = assert_shape(mock, response)
    assert (cancelled["objectId"], cancelled["eventCancelled"], cancelled["eventCompleted"]) == (object_id, True, False)
    assert details(mock, "course-1").json()["eventCancelled"] is True
    assert by_object(mock, object_id).json()["eventStatus"] == "CANCELLED"

    before = mock.state()
    assert mock.post(f"{by_external('course-1')}/cancel", params=ACCOUNT_Q).json() == cancelled
    assert mock.state() == before


def test_cancel_needs_the_account_and_an_existing_event(mock):
    mock.create("course-1")
    assert "externalAccountId" in error_in(expect_error(mock, "POST", f"{by_external('course-1')}/cancel", 400))
    expect_error(mock, "POST", f"{by_external('nope')}/cancel", 404, "OBJECT_NOT_FOUND", params=ACCOUNT_Q)
    expect_error(mock, "POST", f"{by_external('course-1')}/cancel", 403, "MISSING_SCOPES", params=ACCOUNT_Q, token="read-only")


def test_complete_sets_the_times_and_registrants_read_no_show_everywhere(mock):
    object_id = mock.create("course-1", startDateTime="2026-03-01T10:00:00Z")
    mock.register(object_id, EMAILS[ADA], EMAILS[BOB])
    mock.register(object_id, EMAILS[BOB], state="attend", at=NOW_MS + 1, **span(30))
    times = {"startDateTime": "2025-12-31T10:00:00Z", "endDateTime": "2025-12-31T11:30:00Z"}
    response = mock.post(f"{by_external('course-1')}/complete", params=ACCOUNT_Q, json=times)
    assert response.status_code == 200
    completed = assert_shape(mock, response)
    assert (completed["eventCompleted"], completed["startDateTime"], completed["endDateTime"]) == (
        True, "2025-12-31T10:00:00.000Z", "2025-12-31T11:30:00.000Z",
    )
    assert mock.get(f"{V3}/participations/{object_id}").json() == {"attended": 1, "cancelled": 0, "noShows": 1, "registered": 0}
    read = details(mock, "course-1").json()
    assert (read["registrants"], read["attendees"], read["noShows"]) == (0, 1, 1)
    rows = mock.get(f"{V3}/participations/{ACCOUNT}/course-1/breakdown").json()["results"]
    assert {r["associations"]["contact"]["email"]: r["properties"]["attendanceState"] for r in rows} == {
        EMAILS[ADA]: "NO_SHOW", EMAILS[BOB]: "ATTENDED",
    }
    (mine,) = mock.get(f"{V3}/participations/contacts/{EMAILS[ADA]}/breakdown").json()["results"]
    assert mine["properties"]["attendanceState"] == "NO_SHOW"
    assert mock.get(f"{V3}/participations/{object_id}/breakdown", params={"state": "NO_SHOW"}).json()["total"] == 1
    assert by_object(mock, object_id).json()["eventStatus"] == "PAST"
    assert mock.history(object_id)[ADA] == ["REGISTERED"]  # stored as written; NO_SHOW is how it reads


@pytest.mark.parametrize(
    "json_body, where",
    [
        ({"startDateTime": "2025-12-31T10:00:00Z"}, "endDateTime"),
        ({"endDateTime": "2025-12-31T10:00:00Z"}, "startDateTime"),
        ({"startDateTime": "yesterday", "endDateTime": "2025-12-31T10:00:00Z"}, "startDateTime"),
    ],
    ids=["no-end", "no-start", "bad-start"],
)
def test_complete_refuses_incomplete_times(mock, json_body, where):
    mock.create("course-1")
    refused = expect_error(mock, "POST", f"{by_external('course-1')}/complete", 400, params=ACCOUNT_Q, json=json_body)
    assert any(where in (w or "") for w in error_in(refused)), refused


# ---------------------------------------------------------------------------------------------- deletes
def reads_of(object_id: str, event_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every read and write that names one event, by objectId and by external ids."""
    email_input = {"inputs": [{"email": "new@example.com", "interactionDateTime": NOW_MS + 5, "properties": {}}]}
    return [
        ("GET", by_external(event_id), {"params": ACCOUNT_Q}),
        ("GET", f"{V3}/{object_id}", {}),
        ("PATCH", f"{V3}/{object_id}", {"json": {"eventName": "x"}}),
        ("PATCH", by_external(event_id), {"params": ACCOUNT_Q, "json": {"eventName": "x"}}),
        ("GET", f"{V3}/participations/{object_id}", {}),
        ("GET", f"{V3}/participations/{object_id}/breakdown", {}),
        ("GET", f"{V3}/participations/{ACCOUNT}/{event_id}", {}),
        ("GET", f"{V3}/participations/{ACCOUNT}/{event_id}/breakdown", {}),
        ("GET", f"{V3}/associations/{object_id}/lists", {}),
        ("GET", f"{V3}/associations/{ACCOUNT}/{event_id}/lists", {}),
        ("POST", f"{by_external(event_id)}/cancel", {"params": ACCOUNT_Q}),
        ("POST", f"{V3}/{object_id}/attendance/register/email-create", {"json": email_input}),
        ("POST", f"{V3}/attendance/{event_id}/register/email-create", {"params": ACCOUNT_Q, "json": email_input}),
    ]


def assert_gone(mock: Mock, object_id: str, event_id: str) -> None:
    for method, path, kwargs in reads_of(object_id, event_id):
        expect_error(mock, method, path, 404, "OBJECT_NOT_FOUND", **kwargs)
    assert object_id not in [e["objectId"] for e in mock.get(V3, params={"limit": 100}).json()["results"]]
    assert mock.get(f"{V3}/{event_id}/identifiers").json() == {"total": 0, "results": []}
    assert mock.get(f"{EVENTS}/search", params={"q": event_id}).json() == {"results": []}
    assert mock.get(f"{V3}/participations/contacts/{EMAILS[ADA]}/breakdown").json()["total"] == 0


DELETES = {
    "by-external-ids": lambda mock, object_id: mock.call("DELETE", by_external("course-1"), params=ACCOUNT_Q),
    "by-object-id": lambda mock, object_id: mock.call("DELETE", f"{V3}/{object_id}"),
    "events/delete": lambda mock, object_id: mock.post(
        f"{EVENTS}/delete", json={"inputs": [{"appId": 1, "externalAccountId": ACCOUNT, "externalEventId": "course-1"}]}
    ),
    "batch/archive": lambda mock, object_id: mock.post(f"{V3}/batch/archive", json={"inputs": [{"objectId": object_id}]}),
}


@pytest.mark.parametrize("how", DELETES)
def test_a_deleted_event_is_gone_from_every_read_and_write(mock, how):
    object_id = mock.create("course-1")
    mock.register(object_id, EMAILS[ADA])
    assert mock.call("PUT", f"{V3}/associations/{object_id}/lists/101").status_code == 204
    kept = mock.create("course-2")
    response = DELETES[how](mock, object_id)
    assert response.status_code == 204 and response.content == b""
    assert list(mock.events()) == [kept]
    assert_gone(mock, object_id, "course-1")
    # Hard delete: the key is free again, and a new create gets a new objectId.
    assert mock.create("course-1") not in (object_id, kept)


@pytest.mark.parametrize("how", ["by-external-ids", "by-object-id"])
def test_deleting_a_missing_event_is_204_unless_set_to_404(how):
    for setting, status in (("no_content", 204), ("not_found", 404)):
        mock = make_mock(archive_missing_event=setting)
        mock.create("kept")
        before = mock.state()
        response = mock.call("DELETE", by_external("course-1"), params=ACCOUNT_Q) if how == "by-external-ids" else mock.call("DELETE", f"{V3}/404404")
        assert response.status_code == status
        if status == 404:
            assert_error_response(response, 404, "OBJECT_NOT_FOUND")
        assert mock.state() == before


def test_delete_by_object_id_works_for_any_app_of_the_portal_not_another_portal(mock):
    object_id = mock.create("course-1")
    assert mock.call("DELETE", f"{V3}/{object_id}", token="portal2").status_code == 204  # nothing there to delete
    assert list(mock.events()) == [object_id]
    assert mock.call("DELETE", f"{V3}/{object_id}", token="app2").status_code == 204
    assert mock.events() == {}


@pytest.mark.parametrize("setting, status", [("multi_status", 207), ("ignore", 204)])
def test_events_delete_takes_only_the_calling_apps_events(setting, status):
    mock = make_mock(batch_archive_missing=setting)
    mine, theirs = mock.create("course-1"), mock.create("course-2", token="app2")
    response = mock.post(f"{EVENTS}/delete", json={"inputs": [
        {"appId": 1, "externalAccountId": ACCOUNT, "externalEventId": "course-1"},
        {"appId": 2, "externalAccountId": ACCOUNT, "externalEventId": "course-2"},  # another app's: not found for app 1
        {"appId": 1, "externalAccountId": ACCOUNT, "externalEventId": "never"},
    ]})
    assert response.status_code == status
    assert list(mock.events()) == [theirs]
    if status == 207:
        body = assert_shape(mock, response)
        assert body["numErrors"] == 2 and body["results"] == []
        assert all(e["category"] == "OBJECT_NOT_FOUND" for e in body["errors"])
        assert "course-2" in body["errors"][0]["message"] and "never" in body["errors"][1]["message"]
    assert mine not in mock.events()


@pytest.mark.parametrize("setting, status", [("multi_status", 207), ("ignore", 204)])
def test_batch_archive_deletes_what_exists_and_names_the_rest(setting, status):
    mock = make_mock(batch_archive_missing=setting)
    first, second = mock.create("course-1"), mock.create("course-2", token="app2")  # any app of the portal
    response = mock.post(f"{V3}/batch/archive", json={"inputs": [{"objectId": first}, {"objectId": "404404"}, {"objectId": second}]})
    assert response.status_code == status
    assert mock.events() == {}
    if status == 207:
        body = assert_shape(mock, response)
        (error,) = body["errors"]
        assert error["category"] == "OBJECT_NOT_FOUND" and "404404" in error["message"]


@pytest.mark.parametrize(
    "path, inputs, where",
    [
        ("events/delete", [{"externalAccountId": ACCOUNT, "externalEventId": "course-1"}], "inputs[0].appId"),
        ("events/delete", [{"appId": "one", "externalAccountId": ACCOUNT, "externalEventId": "course-1"}], "inputs[0].appId"),
        ("batch/archive", [{"objectId": None}], "inputs[0].objectId"),
        ("batch/archive", [{}], "inputs[0].objectId"),
    ],
)
def test_batch_deletes_refuse_bad_input_whole(mock, path, inputs, where):
    object_id = mock.create("course-1")
    full = [{"objectId": object_id}] if path == "batch/archive" else [{"appId": 1, "externalAccountId": ACCOUNT, "externalEventId": "course-1"}]
    refused = expect_error(mock, "POST", f"{V3}/{path}", 400, json={"inputs": full + inputs})
    assert where.replace("[0]", "[1]") in error_in(refused), refused


# ---------------------------------------------------------------------------------------------- list all
@pytest.mark.parametrize("path", [V3, V3 + "/", "/marketing/marketing-events/v3"])
def test_list_all_pages_through_every_app_of_the_portal_oldest_first(mock, path):
    ids = [mock.create(f"course-{i}", token="app2" if i % 2 else "pat-app1") for i in range(5)]
    make_other_portal = mock.call("POST", EVENTS, token="portal2", json=event_body("elsewhere"))
    assert make_other_portal.status_code == 200
    seen, after, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"after": after} if after else {})}
        response = mock.client.get(path, params=params, headers={"Authorization": "Bearer pat-app1"})
        assert response.status_code == 200
        page = assert_shape(mock, response)
        assert "total" not in page
        seen += [(e["objectId"], e["appInfo"]["id"], e["externalEventId"]) for e in page["results"]]
        pages += 1
        after = page.get("paging", {}).get("next", {}).get("after")
        if after is None:
            break
    assert pages == 3
    assert seen == [(object_id, "2" if i % 2 else "1", f"course-{i}") for i, object_id in enumerate(ids)]


@pytest.mark.parametrize("params, where", [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"after": "x"}, "after")])
def test_list_all_refuses_bad_paging(mock, params, where):
    assert error_in(expect_error(mock, "GET", V3, 400, params=params)) == [where]


def test_list_all_defaults_to_ten_and_needs_the_read_scope(mock):
    for i in range(11):
        mock.create(f"course-{i}")
    page = mock.get(V3).json()
    assert len(page["results"]) == 10 and page["paging"]["next"]["after"] == "10"
    expect_error(mock, "GET", V3, 403, "MISSING_SCOPES", token="write-only")
    assert mock.get(V3, token="read-only").status_code == 200


@pytest.mark.parametrize("path", [V3 + "/%0A", V3 + "%0A", "/marketing/marketing-events/v3%0A"])
def test_a_newline_after_the_list_path_is_not_the_list(mock, path):
    mock.create("course-1")
    response = mock.client.get(path, headers={"Authorization": "Bearer pat-app1"})
    assert_error_response(response, 404, None)


def test_list_all_lags_writes_by_read_lag_seconds():
    mock = make_mock(read_lag_seconds=1.0)
    mock.create("course-1")
    assert mock.get(V3).json()["results"] == []
    mock.clock.advance(1)
    assert [e["externalEventId"] for e in mock.get(V3).json()["results"]] == ["course-1"]


# ---------------------------------------------------------------------------------------------- search and identifiers
@pytest.mark.parametrize(
    "match, found",
    [("exact", ["course-1"]), ("prefix", ["course-1", "course-10"]), ("substring", ["course-1", "course-10", "old-course-1"])],
)
def test_search_finds_the_calling_apps_events_by_external_event_id(match, found):
    mock = make_mock(event_search_match=match)
    ids = {name: mock.create(name) for name in ("course-1", "course-10", "old-course-1", "other")}
    mock.create("course-1", token="app2")  # another app's: never in app 1's search
    response = mock.get(f"{EVENTS}/search", params={"q": "course-1"})
    assert response.status_code == 200
    body = assert_shape(mock, response)
    assert body["results"] == [
        {"appId": 1, "externalAccountId": ACCOUNT, "externalEventId": name, "objectId": ids[name]} for name in found
    ]


def test_search_needs_q(mock):
    assert error_in(expect_error(mock, "GET", f"{EVENTS}/search", 400)) == ["q"]


@pytest.mark.parametrize("setting, status", [("empty", 200), ("not_found", 404)])
def test_identifiers_of_an_unseen_event(setting, status):
    mock = make_mock(identifiers_unknown_event=setting)
    response = mock.get(f"{V3}/never-seen/identifiers", params=ACCOUNT_Q)
    assert response.status_code == status
    if status == 200:
        assert assert_shape(mock, response) == {"total": 0, "results": []}
    else:
        assert_error_response(response, 404, "OBJECT_NOT_FOUND")


def test_identifiers_find_every_apps_event_and_narrow_by_account(mock):
    mine = mock.create("course-1")
    theirs = mock.create("course-1", token="app2")
    elsewhere = mock.create("course-1", account="acct-2")
    body = assert_shape(mock, mock.get(f"{V3}/course-1/identifiers"))
    assert body["total"] == 3
    assert {(r["objectId"], r["appInfo"]["id"], r["externalAccountId"]) for r in body["results"]} == {
        (mine, "1", ACCOUNT), (theirs, "2", ACCOUNT), (elsewhere, "1", "acct-2"),
    }
    assert all(r["marketingEventName"] == "Event course-1" and r["externalEventId"] == "course-1" for r in body["results"])
    narrowed = mock.get(f"{V3}/course-1/identifiers", params={"externalAccountId": "acct-2"}).json()
    assert [r["objectId"] for r in narrowed["results"]] == [elsewhere] and narrowed["total"] == 1


def test_identifiers_index_new_events_after_their_read_lag():
    mock = make_mock(read_lag_identifiers_seconds=60.0)
    object_id = mock.create("course-1")
    assert mock.get(f"{V3}/course-1/identifiers").json()["total"] == 0  # as seen live right after a create
    assert mock.get(f"{V3}/{object_id}").status_code == 200  # the event itself reads at once
    mock.clock.advance(59)
    assert mock.get(f"{V3}/course-1/identifiers").json()["total"] == 0
    mock.clock.advance(1)
    assert [r["objectId"] for r in mock.get(f"{V3}/course-1/identifiers").json()["results"]] == [object_id]


def test_reads_need_the_read_scope_and_a_token(mock):
    mock.create("course-1")
    for path, params in [(f"{EVENTS}/search", {"q": "course-1"}), (f"{V3}/course-1/identifiers", {}), (by_external("course-1"), ACCOUNT_Q)]:
        body = expect_error(mock, "GET", path, 403, "MISSING_SCOPES", token="write-only", params=params)
        assert body["errors"][0]["context"]["requiredGranularScopes"] == [READ_SCOPE]
        expect_error(mock, "GET", path, 401, "INVALID_AUTHENTICATION", token=None, params=params)


# ---------------------------------------------------------------------------------------------- every operation alike
COMPLETE_TIMES = {"startDateTime": "2025-12-31T10:00:00Z", "endDateTime": "2025-12-31T11:00:00Z"}
# (method, path, request) of every lifecycle operation, for the event course-1 whose objectId is {oid}.
OPERATIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "createEvent": ("POST", EVENTS, {"json": event_body("course-2")}),
    "upsertEvent": ("PUT", by_external("course-1"), {"json": event_body("course-1", eventName="Put")}),
    "updateEvent": ("PATCH", by_external("course-1"), {"params": ACCOUNT_Q, "json": {"eventName": "Patched"}}),
    "updateByObjectId": ("PATCH", f"{V3}/{{oid}}", {"json": {"eventName": "Patched"}}),
    "updateEventsByObjectId": ("POST", f"{V3}/batch/update", {"json": {"inputs": [{"objectId": "{oid}", "eventName": "Patched"}]}}),
    "cancelEvent": ("POST", f"{by_external('course-1')}/cancel", {"params": ACCOUNT_Q}),
    "completeEvent": ("POST", f"{by_external('course-1')}/complete", {"params": ACCOUNT_Q, "json": COMPLETE_TIMES}),
    "archiveEvent": ("DELETE", by_external("course-1"), {"params": ACCOUNT_Q}),
    "archiveByObjectId": ("DELETE", f"{V3}/{{oid}}", {}),
    "archiveEvents": ("POST", f"{EVENTS}/delete", {"json": {"inputs": [{"appId": 1, "externalAccountId": ACCOUNT, "externalEventId": "course-1"}]}}),
    "archiveEventsByObjectId": ("POST", f"{V3}/batch/archive", {"json": {"inputs": [{"objectId": "{oid}"}]}}),
    "getDetails": ("GET", by_external("course-1"), {"params": ACCOUNT_Q}),
    "getByObjectId": ("GET", f"{V3}/{{oid}}", {}),
    "getAllEvents": ("GET", V3, {}),
    "searchEvents": ("GET", f"{EVENTS}/search", {"params": {"q": "course-1"}}),
    "getIdentifiers": ("GET", f"{V3}/course-1/identifiers", {}),
}
WRITES = {"createEvent", "upsertEvent", "updateEvent", "updateByObjectId", "updateEventsByObjectId", "cancelEvent", "completeEvent",
          "archiveEvent", "archiveByObjectId", "archiveEvents", "archiveEventsByObjectId"}


def operation(name: str, object_id: str) -> tuple[str, str, dict[str, Any]]:
    method, path, request = OPERATIONS[name]
    filled = with_object_id(request, object_id)
    return method, path.replace("{oid}", object_id), filled


def with_object_id(value: Any, object_id: str) -> Any:
    if isinstance(value, dict):
        return {k: with_object_id(v, object_id) for k, v in value.items()}
    if isinstance(value, list):
        return [with_object_id(v, object_id) for v in value]
    return object_id if value == "{oid}" else value


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_operation_needs_its_scope_and_a_valid_token(mock, name):
    method, path, request = operation(name, mock.create("course-1"))
    wrong, scope = ("read-only", WRITE_SCOPE) if name in WRITES else ("write-only", READ_SCOPE)
    refused = expect_error(mock, method, path, 403, "MISSING_SCOPES", token=wrong, **request)
    assert refused["errors"][0]["context"]["requiredGranularScopes"] == [scope]
    expect_error(mock, method, path, 401, "INVALID_AUTHENTICATION", token=None, **request)
    expect_error(mock, method, path, 401, "EXPIRED_AUTHENTICATION", token="expired", **request)
    response = mock.call(method, path, **request)
    assert response.status_code in (200, 204), response.text
    assert_shape(mock, response)


REPEATS = {  # the second of two identical calls: the same answer and no change, or what HubSpot's rule makes of it
    "upsertEvent": 200, "updateEvent": 200, "updateByObjectId": 200, "updateEventsByObjectId": 200, "cancelEvent": 200,
    "completeEvent": 200, "archiveEvent": 204, "archiveByObjectId": 204,
    "archiveEvents": 207, "archiveEventsByObjectId": 207,  # the event is gone: a per-item error (batch_archive_missing)
    "createEvent": 400,  # UNIQUE_VALUE_CONFLICT
}


@pytest.mark.parametrize("name", REPEATS)
def test_an_identical_repeat_changes_nothing(mock, name):
    method, path, request = operation(name, mock.create("course-1"))
    first = mock.call(method, path, **request)
    assert first.status_code in (200, 204), first.text
    before = mock.state()
    again = mock.call(method, path, **request)
    assert again.status_code == REPEATS[name], again.text
    assert mock.state() == before
    if REPEATS[name] == 200:
        assert again.json() == first.json()
    elif REPEATS[name] == 207:
        assert assert_shape(mock, again)["errors"][0]["category"] == "OBJECT_NOT_FOUND"
