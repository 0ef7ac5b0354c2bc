"""Every operation of HubSpot's own specs (v3, 2025-09, 2026-03, 2026-09) is answered by its own handler.

Each (method, path) HubSpot's pinned specs declare is called on the in-process app with plausible values, and
the journal shows which operation answered: the one our document for that version has at that method and path,
never the routing 404, never a 405, never a neighbour whose path looks alike (`events/search` is no
externalEventId, `participations/contacts/{contact}/breakdown` no pair of external ids, `{objectId}` no
`events/...`). The calls are plausible enough that each is answered 2xx: the handler ran to its end. Then a write
through one version reads back through every other, as HubSpot serves one portal through all of them.
"""

from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from contracts import drift
from mock_server import Settings, create_app
from mock_server.inspector.dump import dump_state
from mock_server.versions import VERSIONS

TOKEN, DEVELOPER_KEY = "pat-routing", "dev-routing"
ACCOUNT, EVENT_ID, APP_ID, LIST_ID = "acct-1", "webinar-1", 1, "101"
VID, EMAIL = 2**31 + 7, "ada@example.com"
AT_MS = 1_764_601_200_000
SEED: dict[str, Any] = {
    "portals": [
        {
            "id": 1,
            "contacts": [{"vid": VID, "email": EMAIL, "properties": {"firstname": "Ada"}}],
            "lists": [{"listId": LIST_ID, "name": "Webinar leads"}],
        }
    ],
    "tokens": [{"token": TOKEN}],
    "developerKeys": [{"key": DEVELOPER_KEY, "appIds": [APP_ID]}],
    "events": [{"externalAccountId": ACCOUNT, "externalEventId": EVENT_ID, "eventName": "Webinar", "eventOrganizer": "Acme", "customProperties": []}],
}
EVENT_FIELDS = {"eventName": "Renamed", "customProperties": []}
BY_VID = {"inputs": [{"vid": VID, "interactionDateTime": AT_MS, "properties": {}}]}
BY_EMAIL = {"inputs": [{"email": EMAIL, "interactionDateTime": AT_MS, "properties": {}, "contactProperties": {}}]}


def _new_event(external_event_id: str) -> dict[str, Any]:
    return {"externalAccountId": ACCOUNT, "externalEventId": external_event_id, "eventName": "New", "eventOrganizer": "Acme", "customProperties": []}


def body_for(operation_id: str, object_id: str) -> dict[str, Any] | None:
    """A plausible body for each of our operations that takes one (by our operationId)."""
    return {
        "createEvent": _new_event("routing-new"),
        "upsertEvents": {"inputs": [_new_event("routing-new")]},
        "upsertEvent": _new_event(EVENT_ID),
        "updateEvent": EVENT_FIELDS,
        "updateByObjectId": EVENT_FIELDS,
        "updateEventsByObjectId": {"inputs": [{"objectId": object_id, **EVENT_FIELDS}]},
        "archiveEventsByObjectId": {"inputs": [{"objectId": object_id}]},
        "archiveEvents": {"inputs": [{"appId": APP_ID, "externalAccountId": ACCOUNT, "externalEventId": EVENT_ID}]},
        "completeEvent": {"startDateTime": "2025-12-01T15:00:00Z", "endDateTime": "2025-12-01T16:00:00Z"},
        "recordByContactIds": BY_VID,
        "recordByContactId": BY_VID,
        "upsertByContactId": BY_VID,
        "recordByEmail": BY_EMAIL,
        "recordByContactEmails": BY_EMAIL,
        "upsertByContactEmail": BY_EMAIL,
        "updateAppSettings": {"eventDetailsUrl": "https://example.com/events/%s"},
    }.get(operation_id)


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(), seed=SEED)


@pytest.fixture
def client(app):
    app.state.reset()  # the seed again, an empty journal: each call meets the same state
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


def _object_id(app) -> str:
    (event,) = dump_state(app.state.backend)["portals"]["1"]["events"]
    return str(event["objectId"])


def _url(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: quote(values[m.group(1)], safe="@"), path)


def _answered_by(app, method: str, url: str) -> str | None:
    """The operation the journal says answered the last call (None: no operation took it)."""
    entry = app.state.mock.journal.entries()[0]
    assert (entry.method, entry.path) == (method, url.split("?")[0])
    return entry.operation if entry.kind == "api" else None


def hubspot_operations() -> Iterator[Any]:
    for version in drift.VERSIONS:
        for method, path in drift.operations_of(drift.load_hubspot(version)):
            yield pytest.param(version, method, path, id=f"{version}-{method.upper()}-{path.split('/', 4)[-1]}")


# ---------------------------------------------------------------------------------------------- every operation
@pytest.mark.parametrize(("version", "method", "path"), list(hubspot_operations()))
def test_every_hubspot_operation_is_answered_by_its_own_handler(app, client, version, method, path):
    ours = app.state.openapi_versions[version]["paths"][path][method]
    hubspot = drift.load_hubspot(version)["paths"][path][method]
    object_id = _object_id(app)
    values = {"externalAccountId": ACCOUNT, "externalEventId": EVENT_ID, "objectId": object_id, "marketingEventId": object_id,
              "subscriberState": "register", "listId": LIST_ID, "appId": str(APP_ID), "contactIdentifier": EMAIL}
    query = {p["name"]: {"q": EVENT_ID}.get(p["name"], values.get(p["name"], "")) for p in hubspot.get("parameters", []) if p["in"] == "query" and p["name"] in (*values, "q")}
    if ours.get("x-auth") == "developer_hapikey":
        query["hapikey"] = DEVELOPER_KEY
        if ours["operationId"] == "getAppSettings":  # an app has settings once they are set
            client.post(_url(path, values), params=query, json=body_for("updateAppSettings", object_id)).raise_for_status()
    url = _url(path, values)
    response = client.request(method.upper(), url, params=query, json=body_for(ours["operationId"], object_id))
    assert _answered_by(app, method.upper(), url) == ours["operationId"], response.text
    assert 200 <= response.status_code < 300, (ours["operationId"], response.status_code, response.text)


# ---------------------------------------------------------------------------------------------- look-alike paths
def _pitfalls(object_id: str) -> list[tuple[str, str, dict[str, str], str]]:
    """(method, path under the version's prefix, query, the operation that must answer)."""
    return [
        ("GET", "/events/search", {"q": EVENT_ID}, "searchEvents"),  # not getDetails of an event named "search"
        ("GET", f"/events/{EVENT_ID}", {"externalAccountId": ACCOUNT}, "getDetails"),
        ("GET", f"/participations/contacts/{EMAIL}/breakdown", {}, "getParticipationsBreakdownByContactId"),
        ("GET", f"/participations/contacts/{VID}/breakdown", {}, "getParticipationsBreakdownByContactId"),
        # an account literally named "contacts": its counters path has no look-alike, its breakdown path is the contact's
        ("GET", f"/participations/contacts/{EVENT_ID}", {}, "getParticipationsCountersByEventExternalId"),
        ("GET", f"/participations/contacts/{EVENT_ID}/breakdown", {}, "getParticipationsBreakdownByContactId"),
        ("GET", f"/participations/{ACCOUNT}/{EVENT_ID}/breakdown", {}, "getParticipationsBreakdownByExternalEventId"),
        ("GET", f"/participations/{object_id}/breakdown", {}, "getParticipationsBreakdownByMarketingEventId"),
        ("GET", f"/participations/{object_id}", {}, "getParticipationsCountersByMarketingEventId"),
        ("GET", f"/{object_id}", {}, "getByObjectId"),
        ("PATCH", f"/{object_id}", {}, "updateByObjectId"),
        ("PATCH", f"/events/{EVENT_ID}", {"externalAccountId": ACCOUNT}, "updateEvent"),
        ("DELETE", f"/events/{EVENT_ID}", {"externalAccountId": ACCOUNT}, "archiveEvent"),
        ("DELETE", f"/{object_id}", {}, "archiveByObjectId"),
        ("GET", f"/{object_id}/identifiers", {}, "getIdentifiers"),  # an externalEventId that looks like an objectId
        ("POST", "/events/delete", {}, "archiveEvents"),  # not an event named "delete"
        ("POST", f"/{object_id}/attendance/register/create", {}, "recordByContactId"),
        ("POST", f"/attendance/{EVENT_ID}/register/create", {"externalAccountId": ACCOUNT}, "recordByContactIds"),
        ("POST", f"/events/{EVENT_ID}/cancel", {"externalAccountId": ACCOUNT}, "cancelEvent"),
        ("POST", f"/events/{EVENT_ID}/register/upsert", {"externalAccountId": ACCOUNT}, "upsertByContactId"),
        ("GET", f"/associations/{object_id}/lists", {}, "getListsByObjectId"),
        ("GET", f"/associations/{ACCOUNT}/{EVENT_ID}/lists", {}, "getListsByExternalIds"),
        ("PUT", f"/associations/{object_id}/lists/{LIST_ID}", {}, "associateListByObjectId"),
        ("PUT", f"/associations/{ACCOUNT}/{EVENT_ID}/lists/{LIST_ID}", {}, "associateListByExternalIds"),
    ]


@pytest.mark.parametrize("version", drift.VERSIONS)
def test_look_alike_paths_reach_the_operation_they_name(app, client, version):
    prefix = VERSIONS[version].marketing_events
    object_id = _object_id(app)
    for method, path, query, expected in _pitfalls(object_id):
        operation_id = expected
        response = client.request(method, prefix + path, params=query, json=body_for(operation_id, object_id))
        assert _answered_by(app, method, prefix + path) == expected, (version, method, path, response.status_code, response.text)
        assert response.status_code not in (404, 405) or response.json().get("category") == "OBJECT_NOT_FOUND", response.text


@pytest.mark.parametrize("version", drift.VERSIONS)
def test_an_id_holding_an_encoded_newline_reaches_its_operation(app, client, version):
    """`%0A` is decoded before routing; the id is then unknown to the operation, not the path to the router, and
    a path ending in one is not the path without it."""
    prefix = VERSIONS[version].marketing_events
    for method, path, query, expected in [
        ("GET", "/events/a%0Ab", {"externalAccountId": ACCOUNT}, "getDetails"),
        ("POST", "/events/a%0Ab/cancel", {"externalAccountId": ACCOUNT}, "cancelEvent"),
        ("GET", "/a%0A1", {}, "getByObjectId"),
        ("GET", "/%0A", {}, "getByObjectId"),  # not the list of all events at "/"
        ("GET", "/events/search%0A", {"externalAccountId": ACCOUNT}, "getDetails"),  # an event named "search\n"
    ]:
        response = client.request(method, prefix + path, params=query)
        assert response.status_code == 404 and response.json()["category"] == "OBJECT_NOT_FOUND", response.text
        assert _answered_by(app, method, prefix + path.replace("%0A", "\n")) == expected


@pytest.mark.parametrize("version", drift.VERSIONS)
def test_list_all_is_served_at_the_prefix_itself(app, client, version):
    prefix = VERSIONS[version].marketing_events
    for path in (prefix, prefix + "/"):  # both official SDKs ask with the trailing slash
        response = client.get(path, params={"limit": 5})
        assert response.status_code == 200 and response.json()["results"][0]["externalEventId"] == EVENT_ID
        assert _answered_by(app, "GET", path) == "getAllEvents"


def test_list_all_at_the_path_hubspots_v3_spec_writes(app, client):
    response = client.get("/marketing/marketing-events/v3")
    assert response.status_code == 200 and response.json()["results"][0]["externalEventId"] == EVENT_ID
    assert _answered_by(app, "GET", "/marketing/marketing-events/v3") == "getAllEventsAtSpecPath"


def test_a_version_that_is_not_served_is_the_routing_404(app, client):
    response = client.get("/marketing/marketing-events/2024-01/events/search", params={"q": EVENT_ID})
    assert response.status_code == 404 and "category" not in response.json()
    assert _answered_by(app, "GET", "/marketing/marketing-events/2024-01/events/search") is None


# ---------------------------------------------------------------------------------------------- one state
@pytest.mark.parametrize("writer", drift.VERSIONS)
def test_a_write_through_one_version_reads_back_through_every_other(app, client, writer):
    base = VERSIONS[writer].marketing_events
    created = client.post(f"{base}/events", json=_new_event(f"via-{writer}"))
    assert created.status_code == 200, created.text
    object_id = created.json()["objectId"]
    assert client.patch(f"{base}/{object_id}", json={"eventName": f"Renamed via {writer}"}).status_code == 200
    recorded = client.post(f"{base}/{object_id}/attendance/register/email-create", json=BY_EMAIL)
    assert recorded.status_code == 200, recorded.text
    for reader, version in VERSIONS.items():
        prefix = version.marketing_events
        by_object_id = client.get(f"{prefix}/{object_id}")
        assert by_object_id.status_code == 200 and by_object_id.json()["eventName"] == f"Renamed via {writer}", (reader, by_object_id.text)
        details = client.get(f"{prefix}/events/via-{writer}", params={"externalAccountId": ACCOUNT})
        assert details.status_code == 200 and details.json()["objectId"] == object_id, (reader, details.text)
        counters = client.get(f"{prefix}/participations/{object_id}")
        assert counters.status_code == 200 and counters.json()["registered"] == 1, (reader, counters.text)
        found = client.get(f"{prefix}/via-{writer}/identifiers")
        assert [r["objectId"] for r in found.json()["results"]] == [object_id], (reader, found.text)
    assert client.delete(f"{base}/{object_id}").status_code == 204
    for version in VERSIONS.values():
        assert client.get(f"{version.marketing_events}/{object_id}").status_code == 404
