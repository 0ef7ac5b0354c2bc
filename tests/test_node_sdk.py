"""The official Node SDK (@hubspot/api-client, pinned in tests/node/package.json), unmodified, against a live
uvicorn server of the mock.

tests/node/drive.mjs runs a named scenario with the SDK and prints one JSON line: per call, whether the SDK
returned or threw, the status it reported, its error, the body, and what came over the wire. What the Node SDK
does (FACTS.md, "Official clients"): endpoints 1-3 deserialize only exactly 200, anything else throws
(ApiException with `code`); endpoint 4 throws on every answer (a 204 has no Content-Type: a plain Error without a
status). So in the live profile, where endpoint 1 answers 201, the SDK reports a failure for a write that
happened: the tests assert both sides of that.

The module is skipped when node/npm are missing or `npm ci` fails (the npm registry is needed once); under
CI=true it fails instead (tests/node_sdk.py).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from node_sdk import NODE_DIR, SDK_VERSION, install_node_sdk, require_node

from mock_server import Settings, create_app
from mock_server.testing import serve_in_thread
from mock_server.inspector.dump import dump_state

DRIVER = NODE_DIR / "drive.mjs"

require_node()

BIG_VID = 2**31 + 12345
WHEN = 1_767_225_600_000  # 2026-01-01T00:00:00Z in ms
SEED = {"portals": [{"id": 1, "contacts": [{"vid": BIG_VID, "email": "big@example.com"}]}]}
PARAMS = {"accountId": "acct-1", "eventId": "node-1", "email": "Node.Person@Example.com", "vid": BIG_VID, "when": WHEN}


@pytest.fixture(scope="session")
def node_sdk() -> Path:
    """The pinned SDK installed in tests/node (tests/node_sdk.py)."""
    install_node_sdk()
    return DRIVER


@pytest.fixture(scope="module", params=["live", "spec"])
def server(request):
    app = create_app(Settings.for_profile(request.param), seed=SEED)
    with serve_in_thread(app) as url:
        yield request.param, url, app


def drive(driver: Path, url: str, scenario: str, **params) -> dict[str, dict]:
    """Run one scenario with the Node SDK; its calls by name."""
    done = subprocess.run(
        ["node", str(driver), url, scenario, json.dumps({**PARAMS, **params})],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["sdkVersion"] == SDK_VERSION
    return {c["call"]: c for c in report["calls"]}


def test_round_trip(node_sdk, server):
    profile, url, app = server
    calls = drive(node_sdk, url, "round-trip")

    upsert = calls["batchApi.upsert"]
    assert (upsert["ok"], upsert["status"]) == (True, 200)
    (event,) = upsert["body"]["results"]
    assert event["eventName"] == "Node launch webinar" and event["objectId"] == event["id"]
    assert event["startDateTime"] == "2026-12-01T15:00:00.000Z"  # a Date, serialized by the SDK

    by_email = calls["addEventAttendeesApi.recordByEmail"]
    assert (by_email["ok"], by_email["status"]) == (True, 200)
    (created,) = by_email["body"]["results"]
    assert created["email"] == "node.person@example.com" and created["vid"] > 2**31

    by_ids = calls["addEventAttendeesApi.recordByContactIds"]
    assert [w["status"] for w in by_ids["wire"]] == [201 if profile == "live" else 200]
    if profile == "live":  # 201 is not exactly 200: the SDK throws, carrying the (valid) answer it refused
        assert (by_ids["ok"], by_ids["status"], by_ids["error"]["name"]) == (False, 201, "ApiException")
    else:
        assert (by_ids["ok"], by_ids["status"]) == (True, 200)
    assert by_ids["body"]["results"] == [{"vid": BIG_VID}]

    # Endpoint 4 answers 204 without a body or Content-Type; the 2024 codegen throws on that in every profile,
    # and not even an ApiException: there is no status on the error, only on the wire.
    cancel = calls["subscriberStateChangesApi.upsertByContactId"]
    assert cancel["wire"] == [{"status": 204, "contentType": None}]
    assert (cancel["ok"], cancel["status"]) == (False, None)
    assert cancel["error"]["message"] == "Cannot parse content. No Content-Type defined."

    counters = calls["retrieveParticipantStateApi.getParticipationsCountersByMarketingEventId"]
    assert (counters["ok"], counters["status"]) == (True, 200)
    assert counters["body"] == {"attended": 1, "registered": 0, "cancelled": 1, "noShows": 0}

    # The writes the SDK reported as failures happened all the same.
    portal = dump_state(app.state.backend)["portals"]["1"]
    assert {c["vid"]: c["email"] for c in portal["contacts"]} == {BIG_VID: "big@example.com", created["vid"]: "node.person@example.com"}
    (stored,) = [e for e in portal["events"] if e["externalEventId"] == "node-1"]
    assert stored["objectId"] == event["objectId"] and stored["eventName"] == "Node launch webinar"
    states = {s["vid"]: [h["state"] for h in s["history"]] for s in stored["subscribers"]}
    assert states == {created["vid"]: ["REGISTERED", "CANCELLED"], BIG_VID: ["ATTENDED"]}


def test_errors_throw_with_their_status(node_sdk, server):
    _, url, _ = server
    calls = drive(node_sdk, url, "errors", unknownObjectId="999999", objectId="510000000001")
    statuses = {name: (c["ok"], c["status"], c["error"]["name"]) for name, c in calls.items()}
    assert statuses == {
        "basicApi.getByObjectId": (False, 404, "ApiException"),
        "addEventAttendeesApi.recordByEmail": (False, 400, "ApiException"),  # 'REGISTERED': states are lower-case
        "basicApi.getByObjectId(bad token)": (False, 401, "ApiException"),  # "Bearer Bearer x"
    }
    assert calls["basicApi.getByObjectId"]["body"]["category"] == "OBJECT_NOT_FOUND"
    assert "Unknown state for 'REGISTERED'" in calls["addEventAttendeesApi.recordByEmail"]["body"]["message"]
    assert all(c["wire"][0]["contentType"].startswith("application/json") for c in calls.values())


# ---------------------------------------------------------------------------------------------- retries
# With numberOfApiCallRetries = N (total attempts), the Node SDK retries 5xx after 200 ms x attempt and a
# TEN_SECONDLY_ROLLING 429 after 10 s x attempt; it gives up at once on DAILY (FACTS.md, "Official clients").
@pytest.mark.parametrize(
    "rule, retries, ok, attempts",
    [
        ({"action": "respond", "status": 503, "times": 2}, 3, True, 3),
        ({"action": "respond", "status": 502, "times": 3}, 3, False, 3),
        ({"action": "respond", "status": 429, "rate_limit": "ten_secondly", "times": 1}, 2, True, 2),
        ({"action": "respond", "status": 429, "rate_limit": "daily", "times": 1}, 3, False, 1),
    ],
    ids=["5xx-recovered", "5xx-exhausted", "ten-secondly-recovered", "daily-not-retried"],
)
def test_retries_follow_the_sdks_policy(node_sdk, rule, retries, ok, attempts):
    app = create_app(Settings())
    mock = app.state.mock
    mock.faults.add({**rule, "operation": "upsertEvents"})
    with serve_in_thread(app) as url:
        started = time.monotonic()
        (call,) = drive(node_sdk, url, "upsert", retries=retries).values()
        took = time.monotonic() - started
    assert call["ok"] is ok, call
    assert len(mock.journal.entries(operation="upsertEvents")) == attempts
    if rule["status"] == 429 and ok:
        assert took >= 10  # waited out the ten-second window
