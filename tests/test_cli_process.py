"""The `hubspot-mock` process as users run it: SIGTERM saves the state file, a restart restores it exactly, the
token never reaches the logs, and binding off loopback warns and closes the admin API.

Every test here is a real subprocess over real HTTP, with the official Python SDK for the writes.
"""

from __future__ import annotations

import os
import signal

import httpx
import hubspot
import pytest
from hubspot.marketing.events import (
    BatchInputMarketingEventCreateRequestParams,
    BatchInputMarketingEventEmailSubscriber,
    MarketingEventCreateRequestParams,
    MarketingEventEmailSubscriber,
)
from mock_process import mock_process

TOKEN = "pat-na1-0000-SECRET-do-not-log"  # unique, so a search of the logs cannot miss it


def write_with_the_sdk(url: str) -> None:
    client = hubspot.Client.create(access_token=TOKEN, host=url)
    events = client.marketing.events
    answer = events.batch_api.upsert(
        BatchInputMarketingEventCreateRequestParams(inputs=[
            MarketingEventCreateRequestParams(
                external_account_id="acct-1", external_event_id=f"webinar-{n}", event_name=f"Webinar {n}",
                event_organizer="Ada", start_date_time="2026-12-01T16:00:00.000Z", custom_properties=[],
            )
            for n in range(3)
        ])
    )
    object_id = answer.results[0].object_id
    events.add_event_attendees_api.record_by_email(
        object_id, "register",
        BatchInputMarketingEventEmailSubscriber(inputs=[
            MarketingEventEmailSubscriber(email=f"user{i}@example.com", interaction_date_time=1767225600000 + i)
            for i in range(5)
        ]),
    )
    events.add_event_attendees_api.record_by_email(
        object_id, "attend",
        BatchInputMarketingEventEmailSubscriber(inputs=[
            MarketingEventEmailSubscriber(email="user0@example.com", interaction_date_time=1767229200000)
        ]),
    )


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="needs POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_saves_the_state_and_a_restart_restores_it_exactly(tmp_path, sig):
    path = tmp_path / "state.json"
    with mock_process("--state", str(path), "--log-level", "info") as first:
        write_with_the_sdk(first.url)
        before = first.state()
        assert not path.exists()  # nothing is written until shutdown (or an explicit snapshot)
        first.stop(sig)
    # uvicorn shuts down gracefully, then ends by the signal it caught, as a process told to stop should
    assert first.proc.returncode in (0, -sig)
    assert path.exists()

    with mock_process("--state", str(path)) as second:
        assert second.state() == before
        # the restored mock goes on allocating: a new contact gets a vid none of the restored ones has
        write_with_the_sdk(second.url)
        after = second.state()
        vids = [c["vid"] for c in after["portals"]["1"]["contacts"]]
        assert len(vids) == len(set(vids)) == len(before["portals"]["1"]["contacts"])  # same emails: no new contacts
        second.stop()


def test_the_token_never_reaches_the_logs(tmp_path):
    """At debug level, with the access log, after writes, errors and an injected fault."""
    with mock_process("--log-level", "debug", "--access-log") as process:
        write_with_the_sdk(process.url)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        httpx.post(f"{process.url}/marketing/v3/marketing-events/events/upsert", content=b"{", headers=headers)
        faulted = httpx.post(
            f"{process.url}/marketing/v3/marketing-events/events/upsert", json={"inputs": []},
            headers={**headers, "X-HubSpot-Mock-Fault": '{"action": "respond", "status": 503}'},
        )
        assert faulted.status_code == 503
        journal = httpx.get(f"{process.url}/__mock/journal").text
        logs = process.stop()
    assert "POST /marketing/v3/marketing-events/events/upsert" in logs  # the access log was on
    assert TOKEN not in logs
    assert TOKEN not in journal and "[redacted]" in journal


def test_binding_off_loopback_warns_and_closes_the_admin_api():
    with mock_process("--host", "0.0.0.0") as process:
        local = process.url.replace("0.0.0.0", "127.0.0.1")
        assert httpx.get(f"{local}/__mock/state").status_code == 404
        assert httpx.get(f"{local}/openapi.json").status_code == 200  # the API itself is served
        logs = process.stop()
    assert "WARNING: bound to 0.0.0.0" in logs and "admin API is off" in logs


def test_off_loopback_with_an_admin_token_the_admin_api_wants_it():
    env_token = "admin-" + os.urandom(8).hex()
    with mock_process("--host", "0.0.0.0", "--set", f"admin_token={env_token}") as process:
        local = process.url.replace("0.0.0.0", "127.0.0.1")
        assert httpx.get(f"{local}/__mock/state").status_code == 401
        assert httpx.get(f"{local}/__mock/state", headers={"Authorization": f"Bearer {env_token}"}).status_code == 200
        logs = process.stop()
    assert env_token not in logs


def test_the_default_bind_is_loopback():
    with mock_process() as process:
        assert process.url.startswith("http://127.0.0.1:")
        logs = process.stop()
    assert "WARNING" not in logs
