"""The pytest plugin's fixtures, used as a user's suite would use them (no import: the entry point loads it)."""

from __future__ import annotations

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


def test_in_process_variant(hubspot_mock_asgi):
    assert hubspot_mock_asgi.client.post(UPSERT, json=EVENT).json()["status"] == "COMPLETE"
    assert len(hubspot_mock_asgi.state()["portals"]["1"]["events"]) == 1


async def _async_upsert(transport):
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
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
    assert "6 passed" in run.stdout
