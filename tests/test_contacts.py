"""CRM contacts: the look-ups integrations make around marketing events, over the contacts the Marketing Events
operations create, on v3 and 2026-03 paths, and through the official Python SDK."""

from __future__ import annotations

from typing import Any

import hubspot
import pytest
from hubspot.crm.contacts import (
    BatchReadInputSimplePublicObjectId,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectId,
    SimplePublicObjectInput,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts.exceptions import ApiException, NotFoundException
from starlette.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.clock import FakeClock
from mock_server.inspector.dump import dump_state
from mock_server.testing import serve_in_thread

from envelopes import assert_error_response

ME = "/marketing/v3/marketing-events"
CONTACTS = {"v3": "/crm/v3/objects/contacts", "2026-03": "/crm/objects/2026-03/contacts"}
AUTH = {"Authorization": "Bearer pat-contacts"}
SEED: dict[str, Any] = {
    "portals": [{"id": 1, "contacts": [
        {"vid": 3000000001, "email": "grace@example.com", "properties": {"firstname": "Grace", "lastname": "Hopper"}},
        {"vid": 3000000002, "email": "alan@example.com", "properties": {"firstname": "Alan"}},
        {"vid": 3000000003, "email": "no-name@example.com"},
    ]}],
    "tokens": [
        {"token": "pat-me-only", "scopes": ["crm.objects.marketing_events.read", "crm.objects.marketing_events.write"]},
        {"token": "pat-contacts-read", "scopes": ["crm.objects.contacts.read"]},
    ],
}


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app(Settings(), seed=SEED, clock=FakeClock()))


def search(client: TestClient, body: dict[str, Any], version: str = "v3") -> dict[str, Any]:
    response = client.post(f"{CONTACTS[version]}/search", json=body, headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def by_email(email: str) -> dict[str, Any]:
    return {"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": email}]}]}


@pytest.mark.parametrize("version", CONTACTS)
def test_email_create_makes_a_contact_that_search_finds_and_whose_id_the_by_vid_endpoints_take(client, version):
    event = client.post(f"{ME}/events/upsert", headers=AUTH, json={"inputs": [
        {"externalAccountId": "acct", "externalEventId": "w1", "eventName": "Webinar", "eventOrganizer": "Acme"}]}).json()["results"][0]
    created = client.post(f"{ME}/{event['objectId']}/attendance/register/email-create", headers=AUTH, json={"inputs": [
        {"email": "Ada@Example.com", "interactionDateTime": 1767225600000, "contactProperties": {"firstname": "Ada"}}]})
    vid = created.json()["results"][0]["vid"]

    found = search(client, {**by_email("ada@example.com"), "properties": ["email", "firstname"]}, version)

    assert found["total"] == 1  # integrations treat total > 1 as ambiguous
    (contact,) = found["results"]
    assert contact["id"] == str(vid) and contact["properties"] == {"email": "ada@example.com", "firstname": "Ada"}
    attended = client.post(
        f"{ME}/attendance/w1/attend/create", params={"externalAccountId": "acct"}, headers=AUTH,
        json={"inputs": [{"vid": int(contact["id"]), "interactionDateTime": 1767229200000,
                          "properties": {"joinedAt": "2026-01-01T01:00:00Z", "leftAt": "2026-01-01T01:30:00Z"}}]},
    )
    assert attended.status_code == 201 and attended.json()["results"] == [{"vid": vid}]


def test_search_filters_or_between_groups_and_within_a_group_and(client):
    body = {"filterGroups": [
        {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "Grace"},
                     {"propertyName": "lastname", "operator": "HAS_PROPERTY"}]},
        {"filters": [{"propertyName": "email", "operator": "IN", "values": ["ALAN@example.com", "nobody@example.com"]}]},
    ], "sorts": [{"propertyName": "email", "direction": "DESCENDING"}], "properties": ["email"]}
    assert [c["properties"]["email"] for c in search(client, body)["results"]] == ["grace@example.com", "alan@example.com"]
    no_lastname = {"filterGroups": [{"filters": [{"propertyName": "lastname", "operator": "NOT_HAS_PROPERTY"}]}], "sorts": ["email"]}
    assert [c["id"] for c in search(client, no_lastname)["results"]] == ["3000000002", "3000000003"]
    assert search(client, {**by_email("nobody@example.com")}) == {"total": 0, "results": []}


def _ids(client: TestClient, *filters: dict[str, Any]) -> list[str]:
    return [c["id"] for c in search(client, {"filterGroups": [{"filters": list(filters)}], "sorts": ["hs_object_id"]})["results"]]


def test_search_takes_every_operator_of_hubspots(client):
    vid = lambda op, v, **more: {"propertyName": "hs_object_id", "operator": op, "value": v, **more}  # noqa: E731
    assert _ids(client, vid("GT", "3000000001")) == ["3000000002", "3000000003"]
    assert _ids(client, vid("GTE", "3000000002"), vid("LT", "3000000003")) == ["3000000002"]
    assert _ids(client, vid("LTE", "3000000001")) == ["3000000001"]
    assert _ids(client, vid("BETWEEN", "3000000002", highValue="3000000003")) == ["3000000002", "3000000003"]
    # numbers compare as numbers (9 < 10), text as text; a contact without the property never matches
    assert _ids(client, vid("LT", "10000000000")) == ["3000000001", "3000000002", "3000000003"]
    assert _ids(client, {"propertyName": "firstname", "operator": "GT", "value": "B"}) == ["3000000001"]
    token = lambda op, v: {"propertyName": "email", "operator": op, "value": v}  # noqa: E731
    assert _ids(client, token("CONTAINS_TOKEN", "grace")) == ["3000000001"]
    assert _ids(client, token("CONTAINS_TOKEN", "ALA*")) == ["3000000002"]
    assert _ids(client, token("NOT_CONTAINS_TOKEN", "example")) == []


def test_search_pages_with_after_and_limit(client):
    first = search(client, {"sorts": ["hs_object_id"], "limit": 2})
    assert first["total"] == 3 and [c["id"] for c in first["results"]] == ["3000000001", "3000000002"]
    assert first["paging"]["next"]["after"] == "2"
    second = search(client, {"sorts": ["hs_object_id"], "limit": 2, "after": "2"})
    assert [c["id"] for c in second["results"]] == ["3000000003"] and "paging" not in second


def test_search_answers_the_default_properties_and_null_for_missing_ones(client):
    (contact,) = search(client, by_email("alan@example.com"))["results"]
    assert set(contact["properties"]) == {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}
    assert contact["properties"]["lastname"] is None and contact["properties"]["hs_object_id"] == "3000000002"
    assert contact["archived"] is False and contact["createdAt"].endswith("Z")


@pytest.mark.parametrize("body, where", [
    ({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "GT"}]}]}, "value"),
    ({"filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "BETWEEN", "value": "1"}]}]}, "value"),
    ({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ"}]}]}, "value"),
    ({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "IN", "value": "a"}]}]}, "values"),
    ({"limit": 500}, "limit"),
])
def test_search_refuses_what_it_cannot_do_with_a_400_naming_the_field(client, body, where):
    before = dump_state(client.app.state.backend)
    response = client.post(f"{CONTACTS['v3']}/search", json=body, headers=AUTH)
    assert where in assert_error_response(response, 400)["errors"][0]["in"]
    assert dump_state(client.app.state.backend) == before


def test_create_answers_201_and_a_duplicate_email_is_hubspots_409_with_the_existing_id(client):
    created = client.post(CONTACTS["v3"], json={"properties": {"email": "Kay@Example.com", "firstname": "Kay"}}, headers=AUTH)
    assert created.status_code == 201
    contact_id = created.json()["id"]
    again = client.post(CONTACTS["2026-03"], json={"properties": {"email": "kay@example.com"}}, headers=AUTH)
    body = assert_error_response(again, 409, "CONFLICT")
    assert body["message"] == f"Contact already exists. Existing ID: {contact_id}"


def test_create_refuses_properties_hubspot_sets(client):
    response = client.post(CONTACTS["v3"], json={"properties": {"email": "x@example.com", "hs_object_id": "5"}}, headers=AUTH)
    assert assert_error_response(response, 400)["errors"][0]["in"] == "properties.hs_object_id"


def test_read_by_id_or_by_email_and_only_the_properties_asked(client):
    by_id = client.get(f"{CONTACTS['v3']}/3000000001", params={"properties": "firstname,lastname"}, headers=AUTH)
    assert by_id.json()["properties"] == {"firstname": "Grace", "lastname": "Hopper"}
    by_email = client.get(f"{CONTACTS['2026-03']}/GRACE@example.com", params={"idProperty": "email"}, headers=AUTH)
    assert by_email.json()["id"] == "3000000001"
    repeated = client.get(f"{CONTACTS['v3']}/3000000001?properties=email&properties=firstname", headers=AUTH)
    assert repeated.json()["properties"] == {"email": "grace@example.com", "firstname": "Grace"}
    assert_error_response(client.get(f"{CONTACTS['v3']}/999", headers=AUTH), 404, "OBJECT_NOT_FOUND")


def test_update_replaces_the_given_properties_and_keeps_emails_unique(client):
    updated = client.patch(f"{CONTACTS['v3']}/3000000002", json={"properties": {"lastname": "Turing"}}, headers=AUTH)
    assert updated.status_code == 200
    props = updated.json()["properties"]
    assert (props["firstname"], props["lastname"]) == ("Alan", "Turing")
    assert props["lastmodifieddate"] >= props["createdate"]
    taken = client.patch(f"{CONTACTS['v3']}/3000000002", json={"properties": {"email": "grace@example.com"}}, headers=AUTH)
    assert assert_error_response(taken, 409, "CONFLICT")["message"].endswith("Existing ID: 3000000001")
    moved = client.patch(f"{CONTACTS['v3']}/alan@example.com?idProperty=email", json={"properties": {"email": "alan.t@example.com"}}, headers=AUTH)
    assert moved.status_code == 200
    assert search(client, by_email("alan@example.com"))["total"] == 0
    assert search(client, by_email("alan.t@example.com"))["total"] == 1


def test_batch_read_answers_207_with_an_error_for_each_missing_id(client):
    body = {"inputs": [{"id": "3000000001"}, {"id": "404"}, {"id": "3000000001"}], "properties": ["email"]}
    response = client.post(f"{CONTACTS['v3']}/batch/read", json=body, headers=AUTH)
    assert response.status_code == 207
    answer = response.json()
    assert [c["properties"] for c in answer["results"]] == [{"email": "grace@example.com"}]
    assert answer["numErrors"] == 1 and answer["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    emails = {"inputs": [{"id": "alan@example.com"}], "idProperty": "email"}
    assert client.post(f"{CONTACTS['v3']}/batch/read", json=emails, headers=AUTH).status_code == 200


def test_contacts_need_the_contacts_scopes(client):
    no_scope = assert_error_response(
        client.post(f"{CONTACTS['v3']}/search", json={}, headers={"Authorization": "Bearer pat-me-only"}), 403, "MISSING_SCOPES"
    )
    assert no_scope["errors"][0]["context"]["requiredGranularScopes"] == ["crm.objects.contacts.read"]
    read_only = {"Authorization": "Bearer pat-contacts-read"}
    assert client.post(f"{CONTACTS['v3']}/search", json={}, headers=read_only).status_code == 200
    assert_error_response(client.post(CONTACTS["v3"], json={"properties": {}}, headers=read_only), 403, "MISSING_SCOPES")


def test_contacts_are_not_served_on_the_2026_09_paths(client):
    response = client.post("/crm/objects/2026-09/contacts/search", json={}, headers=AUTH)
    assert response.status_code == 404 and "2026-03" in response.headers["X-HubSpot-Mock-Note"]


def test_the_official_python_sdk_reads_and_writes_contacts():
    app = create_app(Settings(), seed=SEED)
    with serve_in_thread(app) as url:
        client = hubspot.Client.create(access_token="pat-sdk", host=url)
        contacts = client.crm.contacts
        created = contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={"email": "ada@example.com", "firstname": "Ada"}))
        assert created.properties["email"] == "ada@example.com" and created.id.isdigit()
        request = PublicObjectSearchRequest(
            filter_groups=[FilterGroup(filters=[Filter(property_name="email", operator="EQ", value="ADA@example.com")])],
            properties=["firstname"], limit=10,
        )
        found = contacts.search_api.do_search(request)
        assert found.total == 1 and found.results[0].id == created.id
        assert contacts.basic_api.get_by_id("ada@example.com", id_property="email", properties=["firstname"]).properties == {"firstname": "Ada"}
        updated = contacts.basic_api.update(created.id, SimplePublicObjectInput(properties={"lastname": "Lovelace"}))
        assert updated.properties["lastname"] == "Lovelace"
        read = contacts.batch_api.read(BatchReadInputSimplePublicObjectId(
            inputs=[SimplePublicObjectId(id=created.id)], properties=["email"], properties_with_history=[]))
        assert [c.id for c in read.results] == [created.id]
        with pytest.raises(ApiException) as duplicate:
            contacts.basic_api.create(SimplePublicObjectInputForCreate(properties={"email": "ada@example.com"}))
        assert duplicate.value.status == 409 and f"Existing ID: {created.id}" in duplicate.value.body
        with pytest.raises(NotFoundException):
            contacts.basic_api.get_by_id("12345")
