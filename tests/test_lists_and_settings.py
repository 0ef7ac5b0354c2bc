"""List associations of events (by the calling app's external ids and by objectId) and apps' event-details
settings (authenticated with the developer API key, `hapikey`), in process: answers and shapes, the state they
leave as the other operations read it, idempotent repeats, errors leaving the state as it was, and the
settings that change them."""

from __future__ import annotations

from typing import Any

import pytest

from surface import (
    ACCOUNT, DEVELOPER_KEY, LISTS, V3, WRITE_SCOPE, Mock, assert_shape, close_kept_mocks, error_in, expect_error, make_mock,
)

from envelopes import assert_error_response

EVENT = "course-1"


def by_object_id(object_id: str, list_id: str | None = None) -> str:
    return f"{V3}/associations/{object_id}/lists" + (f"/{list_id}" if list_id else "")


def by_external_ids(list_id: str | None = None, event_id: str = EVENT) -> str:
    return f"{V3}/associations/{ACCOUNT}/{event_id}/lists" + (f"/{list_id}" if list_id else "")


def list_ids(mock: Mock, path: str, token: str = "pat-app1") -> list[str]:
    response = mock.get(path, token=token)
    assert response.status_code == 200, response.text
    body = assert_shape(mock, response)
    assert body["total"] == len(body["results"])
    return [item["listId"] for item in body["results"]]


@pytest.fixture
def event() -> tuple[Mock, str]:
    mock = make_mock()
    return mock, mock.create(EVENT)


# ---------------------------------------------------------------------------------------------- list associations
def test_a_new_event_has_no_lists(event):
    mock, object_id = event
    assert list_ids(mock, by_object_id(object_id)) == list_ids(mock, by_external_ids()) == []


def test_associate_by_either_id_reads_back_by_both(event):
    mock, object_id = event
    first = mock.call("PUT", by_object_id(object_id, "101"))
    assert first.status_code == 204 and assert_shape(mock, first) is None
    assert mock.call("PUT", by_external_ids("102")).status_code == 204
    assert list_ids(mock, by_object_id(object_id)) == list_ids(mock, by_external_ids()) == ["101", "102"]

    (webinar, attended) = mock.get(by_object_id(object_id)).json()["results"]
    assert webinar == {
        "listId": "101", "listVersion": 1, "name": LISTS["101"], "objectTypeId": "0-1", "processingStatus": "COMPLETE",
        "processingType": "MANUAL", "size": 2, "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
    }
    assert (attended["processingType"], attended["size"]) == ("DYNAMIC", 0)
    other = mock.create("course-2")
    assert list_ids(mock, by_object_id(other)) == []  # associations belong to one event


@pytest.mark.parametrize("how", ["object", "external"])
def test_associating_again_changes_nothing(event, how):
    mock, object_id = event
    path = by_object_id(object_id, "101") if how == "object" else by_external_ids("101")
    assert mock.call("PUT", path).status_code == 204
    before = mock.state()
    assert mock.call("PUT", path).status_code == 204
    assert mock.state() == before
    assert list_ids(mock, by_object_id(object_id)) == ["101"]


def test_disassociate_by_either_id_and_again_when_not_associated(event):
    mock, object_id = event
    for list_id in ("101", "102"):
        mock.call("PUT", by_object_id(object_id, list_id))
    assert mock.call("DELETE", by_external_ids("101")).status_code == 204
    assert list_ids(mock, by_object_id(object_id)) == ["102"]
    before = mock.state()
    again = mock.call("DELETE", by_external_ids("101"))
    assert again.status_code == 204 and again.content == b""
    assert mock.state() == before
    assert mock.call("DELETE", by_object_id(object_id, "102")).status_code == 204
    assert list_ids(mock, by_external_ids()) == []
    assert mock.call("DELETE", by_object_id(object_id, "999")).status_code == 204  # never a list of the portal: no error


@pytest.mark.parametrize("how", ["object", "external"])
def test_an_unknown_list_is_404_unless_any_id_is_accepted(how):
    strict = make_mock()
    object_id = strict.create(EVENT)
    path = by_object_id(object_id, "999") if how == "object" else by_external_ids("999")
    refused = expect_error(strict, "PUT", path, 404, "OBJECT_NOT_FOUND")
    assert "999" in refused["message"]

    lenient = make_mock(accept_unknown_lists=True)
    object_id = lenient.create(EVENT)
    path = by_object_id(object_id, "999") if how == "object" else by_external_ids("999")
    assert lenient.call("PUT", path).status_code == 204
    (made,) = lenient.get(by_object_id(object_id)).json()["results"]
    assert (made["listId"], made["name"]) == ("999", "List 999")


def test_external_ids_reach_only_the_calling_apps_event_object_ids_any_app_of_the_portal(event):
    mock, object_id = event
    for method in ("GET", "PUT", "DELETE"):
        path = by_external_ids() if method == "GET" else by_external_ids("101")
        expect_error(mock, method, path, 404, "OBJECT_NOT_FOUND", token="app2")
        expect_error(mock, method, by_object_id(object_id, None if method == "GET" else "101"), 404, "OBJECT_NOT_FOUND", token="portal2")
    assert mock.call("PUT", by_object_id(object_id, "101"), token="app2").status_code == 204
    assert list_ids(mock, by_external_ids()) == ["101"]  # app 1 sees what app 2 associated by objectId


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("how", ["object", "external"])
def test_an_unknown_event_is_404(event, method, how):
    mock, _ = event
    list_id = None if method == "GET" else "101"
    path = by_object_id("404404", list_id) if how == "object" else by_external_ids(list_id, event_id="never")
    expect_error(mock, method, path, 404, "OBJECT_NOT_FOUND")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_list_associations_need_the_write_scope_even_to_read(event, method):
    mock, object_id = event
    path = by_object_id(object_id, None if method == "GET" else "101")
    body = expect_error(mock, method, path, 403, "MISSING_SCOPES", token="read-only")
    assert body["errors"][0]["context"]["requiredGranularScopes"] == [WRITE_SCOPE]  # as HubSpot's spec declares
    expect_error(mock, method, path, 401, "INVALID_AUTHENTICATION", token=None)
    assert mock.call(method, path, token="write-only").status_code in (200, 204)


# ---------------------------------------------------------------------------------------------- app settings
def settings_path(app_id: Any) -> str:
    return f"{V3}/{app_id}/settings"


def with_key(key: str | None = DEVELOPER_KEY) -> dict[str, Any]:
    """A settings call authenticates with the developer API key in `hapikey`, never a Bearer token."""
    return {"token": None, "params": {} if key is None else {"hapikey": key}}


URL = "https://courses.example.com/events/%s"


def test_settings_never_set_are_404():
    mock = make_mock()
    refused = expect_error(mock, "GET", settings_path(1), 404, "OBJECT_NOT_FOUND", **with_key())
    assert "App 1" in refused["message"]


def test_settings_set_then_read_back_and_replaced():
    mock = make_mock()
    response = mock.post(settings_path(1), json={"eventDetailsUrl": URL}, **with_key())
    assert response.status_code == 200
    assert assert_shape(mock, response) == {"appId": 1, "eventDetailsUrl": URL}
    read = mock.get(settings_path(1), **with_key())
    assert assert_shape(mock, read) == {"appId": 1, "eventDetailsUrl": URL}

    before = mock.state()
    assert mock.post(settings_path(1), json={"eventDetailsUrl": URL}, **with_key()).json() == {"appId": 1, "eventDetailsUrl": URL}
    assert mock.state() == before  # the same again changes nothing

    mock.post(settings_path(1), json={"eventDetailsUrl": "https://other.example.com/e/%s"}, **with_key())
    assert mock.get(settings_path(1), **with_key()).json()["eventDetailsUrl"] == "https://other.example.com/e/%s"
    assert mock.backend.snapshot()["appSettings"] == {"1": "https://other.example.com/e/%s"}


@pytest.mark.parametrize(
    "body, where",
    [
        ({"eventDetailsUrl": "https://courses.example.com/events/"}, "eventDetailsUrl"),  # no %s for the event id
        ({}, "eventDetailsUrl"),
        ({"eventDetailsUrl": 5}, "eventDetailsUrl"),
        ({"eventDetailsUrl": URL, "appId": 1}, "appId"),
    ],
    ids=["no-placeholder", "missing", "wrong-type", "unknown-field"],
)
def test_settings_refuse_bad_input_naming_the_field(body, where):
    mock = make_mock()
    mock.post(settings_path(1), json={"eventDetailsUrl": URL}, **with_key())
    refused = expect_error(mock, "POST", settings_path(1), 400, json=body, **with_key())
    assert error_in(refused) == [where], refused


@pytest.mark.parametrize("app_id", ["0", "abc", "-1"])
def test_settings_refuse_a_bad_app_id(app_id):
    mock = make_mock()
    assert error_in(expect_error(mock, "GET", settings_path(app_id), 400, **with_key())) == ["appId"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_settings_authenticate_with_the_developer_key_only(method):
    mock = make_mock()
    request: dict[str, Any] = {"json": {"eventDetailsUrl": URL}} if method == "POST" else {}
    missing = expect_error(mock, method, settings_path(1), 401, "INVALID_AUTHENTICATION", **with_key(None), **request)
    assert "hapikey" in missing["message"]
    # a Bearer token is no developer key
    response = mock.call(method, settings_path(1), token="pat-app1", **request)
    assert_error_response(response, 401, "INVALID_AUTHENTICATION")
    assert response.headers["x-hubspot-auth-failure"] == "401 Unauthorized"
    # the seeded key owns app 1 only
    other = expect_error(mock, method, settings_path(2), 403, "FORBIDDEN", **with_key(), **request)
    assert "app 2" in other["message"]


def test_any_developer_key_reaches_any_app_unless_tokens_are_checked():
    lenient = make_mock()
    assert lenient.post(settings_path(777), json={"eventDetailsUrl": URL}, **with_key("any-key")).status_code == 200
    assert lenient.get(settings_path(777), **with_key("another-key")).json() == {"appId": 777, "eventDetailsUrl": URL}

    strict = make_mock(accept_any_token=False)
    expect_error(strict, "POST", settings_path(1), 401, "INVALID_AUTHENTICATION", json={"eventDetailsUrl": URL}, **with_key("any-key"))
    assert strict.post(settings_path(1), json={"eventDetailsUrl": URL}, **with_key()).status_code == 200


def test_settings_are_per_app():
    mock = make_mock()
    mock.post(settings_path(5), json={"eventDetailsUrl": URL}, **with_key("key-of-5"))
    expect_error(mock, "GET", settings_path(6), 404, "OBJECT_NOT_FOUND", **with_key("key-of-5"))
