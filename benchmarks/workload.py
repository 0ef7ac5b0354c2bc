"""The requests the benchmark sends: every contender gets byte-identical requests for each scenario.

The seed (benchmarks/seed.yaml) gives the attendance endpoints one event and ten contacts to hit. The same
request is sent over and over, as a load generator does: after the first one, the attendance endpoints see
an identical repeat (HubSpot stores it once and answers `results: []`), and events upsert updates the events
the first one created.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

BENCH_DIR = Path(__file__).resolve().parent
SEED = BENCH_DIR / "seed.yaml"
TOKEN = "pat-bench"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
BASE = "/marketing/v3/marketing-events"
ACCOUNT = "acct-bench"
EVENT = "bench-webinar"  # the seed's event; its objectId is looked up on the running mock
SEED_VIDS = [3_000_000_001 + i for i in range(10)]
INTERACTION_MS = 1_764_601_200_000


@dataclass(frozen=True)
class Scenario:
    key: str  # short, for tables and file names
    title: str
    path: str  # with its query string
    body: bytes
    items: int


def event_input(i: int) -> dict:
    """One event of about 330 bytes, all fields set, as an integration sends it."""
    return {
        "externalAccountId": ACCOUNT,
        "externalEventId": f"bench-event-{i:05d}",
        "eventName": f"Benchmark webinar {i}",
        "eventOrganizer": "Bench Org",
        "eventType": "WEBINAR",
        "eventDescription": "A webinar the benchmark creates and updates",
        "eventUrl": f"https://example.com/webinars/{i}",
        "startDateTime": "2026-12-01T15:00:00Z",
        "endDateTime": "2026-12-01T16:00:00Z",
        "eventCancelled": False,
        "eventCompleted": False,
        "customProperties": [],
    }


def events_upsert(items: int) -> Scenario:
    body = orjson.dumps({"inputs": [event_input(i) for i in range(items)]})
    return Scenario(f"upsert-{items}", f"events upsert, {items} item{'s' * (items != 1)}", f"{BASE}/events/upsert", body, items)


def _vid_inputs(vids: list[int]) -> bytes:
    return orjson.dumps({"inputs": [{"vid": vid, "interactionDateTime": INTERACTION_MS} for vid in vids]})


def attendance_by_vid(vids: list[int] = SEED_VIDS) -> Scenario:
    path = f"{BASE}/attendance/{EVENT}/register/create?externalAccountId={ACCOUNT}"
    return Scenario(f"attend-vid-{len(vids)}", f"attendance by vid (#1), {len(vids)} items", path, _vid_inputs(vids), len(vids))


def attendance_by_email(object_id: str, count: int = 10) -> Scenario:
    inputs = [{"email": f"attendee-{i + 1}@example.com", "interactionDateTime": INTERACTION_MS} for i in range(count)]
    path = f"{BASE}/{object_id}/attendance/register/email-create"
    return Scenario(f"attend-email-{count}", f"attendance by email (#2), {count} items", path, orjson.dumps({"inputs": inputs}), count)


def subscriber_upsert(vids: list[int] = SEED_VIDS, event: str = EVENT) -> Scenario:
    path = f"{BASE}/events/{event}/register/upsert?externalAccountId={ACCOUNT}"
    return Scenario(f"state-vid-{len(vids)}", f"subscriber state by vid (#4), {len(vids)} items", path, _vid_inputs(vids), len(vids))


def throughput_scenarios(object_id: str) -> list[Scenario]:
    """What the contenders are compared on: events upsert at three batch sizes, the attendance endpoints at 10."""
    return [
        events_upsert(1),
        events_upsert(10),
        events_upsert(100),
        attendance_by_vid(),
        attendance_by_email(object_id),
        subscriber_upsert(),
    ]


def seeded_object_id(base_url: str) -> str:
    """The objectId the mock gave the seed's event (endpoint 2 names events by objectId)."""
    import urllib.request

    request = urllib.request.Request(f"{base_url}{BASE}/events/{EVENT}?externalAccountId={ACCOUNT}", headers=HEADERS)
    with urllib.request.urlopen(request, timeout=5) as answer:
        return orjson.loads(answer.read())["objectId"]
