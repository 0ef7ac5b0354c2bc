"""The pytest plugin's fixtures, used as a user's suite would use them (no import: the entry point loads it)."""

from __future__ import annotations

import re

import hubspot
import httpx
import pytest

UPSERT = "/marketing/v3/marketing-events/events/upsert"
EVENT = {"inputs": [{"externalAccountId": "a", "externalEventId": "e", "eventName": "n", "eventOrganizer": "o"}]}


def test_live_server_with_the_official_sdk(hubspot_mock):
    events = hubspot.Client.create(access_token=hubspot_mock.token, host=hubspot_mock.base_url).marketing.events
    with pytest.raises(hubspot.marketing.events.exceptions.NotFoundException):
        events.basic_api.get_by_object_id("1")
    (entry,) = hubspot_mock.journal()
    assert (entry.status, entry.operation) == (404, "getByObjectId")


@pytest.mark.parametrize("round_", [1, 2])
def test_state_is_reset_between_tests(hubspot_mock, round_):
    assert hubspot_mock.state()["portals"]["1"]["events"] == [] and hubspot_mock.journal() == []
    assert httpx.post(hubspot_mock.base_url + UPSERT, json=EVENT, headers={"Authorization": "Bearer t"}).status_code == 200


def test_faults_are_armed_only_inside_the_block(hubspot_mock):
    url = hubspot_mock.base_url + UPSERT
    with hubspot_mock.faults(action="respond", status=503) as (rule,):
        assert httpx.post(url, json=EVENT, headers={"Authorization": "Bearer t"}).status_code == 503
    assert httpx.post(url, json=EVENT, headers={"Authorization": "Bearer t"}).status_code == 200
    assert rule.fired == 1 and [e.fault is not None for e in hubspot_mock.journal()] == [False, True]


@pytest.mark.hubspot_mock(profile="spec", settings={"mixed_batch_status": 207})
def test_the_marker_gives_one_test_its_own_profile_and_settings(hubspot_mock):
    settings = hubspot_mock.app.state.settings
    assert (settings.profile, settings.mixed_batch_status, settings.record_by_contact_ids_status) == ("spec", 207, 200)
    spec_event = {"inputs": [{**EVENT["inputs"][0], "customProperties": []}]}  # the spec profile requires it
    event = httpx.post(hubspot_mock.base_url + UPSERT, json=spec_event, headers={"Authorization": "Bearer t"}).json()["results"][0]
    created = httpx.post(
        f"{hubspot_mock.base_url}/marketing/v3/marketing-events/attendance/e/register/create",
        json={"inputs": [{"vid": 1, "interactionDateTime": 1767225600000, "properties": {}}]},
        headers={"Authorization": "Bearer t"},
    )
    assert created.status_code == 207 and created.json()["numErrors"] == 1  # the spec profile: no account needed
    assert event["objectId"]


SEEDED = {"portals": [{"id": 1, "contacts": [{"vid": 3000000001, "email": "grace@example.com"}]}]}


@pytest.mark.hubspot_mock(seed=SEEDED, faults=[{"action": "respond", "status": 429, "operation": "upsertEvents", "times": 1}])
def test_the_marker_seeds_and_arms_faults_for_one_test(hubspot_mock):
    assert [c["email"] for c in hubspot_mock.state()["portals"]["1"]["contacts"]] == ["grace@example.com"]
    url, auth = hubspot_mock.base_url + UPSERT, {"Authorization": "Bearer t"}
    assert [httpx.post(url, json=EVENT, headers=auth).status_code for _ in range(2)] == [429, 200]


def test_after_a_marked_test_the_session_mock_is_plain_again(hubspot_mock):
    settings = hubspot_mock.app.state.settings
    assert settings.profile == "live" and hubspot_mock.state()["portals"]["1"]["contacts"] == []
    assert hubspot_mock.app.state.mock.faults.list() == []


def test_in_process_variant(hubspot_mock_asgi):
    assert hubspot_mock_asgi.client.post(UPSERT, json=EVENT).json()["status"] == "COMPLETE"
    assert len(hubspot_mock_asgi.state()["portals"]["1"]["events"]) == 1


async def _async_upsert(transport):
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        return await client.post(UPSERT, json=EVENT, headers={"Authorization": "Bearer t"})


def test_in_process_transport_for_async_clients(hubspot_mock_asgi):
    import asyncio

    assert asyncio.run(_async_upsert(hubspot_mock_asgi.transport)).status_code == 200


def test_the_plugin_works_under_xdist(tmp_path):
    """Each xdist worker gets its own server: run this file's live-server tests on two workers."""
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider", str(here), "-k", "not xdist"],
        capture_output=True, text=True, timeout=300, cwd=here.parents[1],
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert re.search(r"\b9 passed\b", run.stdout), run.stdout[-3000:]
