"""Real integrations' flows against a live mock, over HTTP with httpx, the way such services call HubSpot.

- A course-platform sync (a Teachable-to-HubSpot service): look the course up by its identifiers (unseen: total
  0), create it, create it again and recover the existing objectId from the UNIQUE_VALUE_CONFLICT, rename it by
  objectId, record a learner's attendance by email with the platform's external ids, and read the contact-level
  breakdown. Once through v3 and once through the date-based 2026-03 paths, over the one state.
- An automation-platform node (n8n): list every event page by page, then each event's lists.
- A website registration form: email-create with an ISO-8601 interactionDateTime, which the live profile
  accepts and says so (header and journal).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from mock_server import Settings, create_app
from mock_server.clock import FakeClock, parse_instant
from mock_server.testing import serve_in_thread
from mock_server.versions import VERSIONS

from surface import LISTS, SEED

TOKEN = "pat-na1-course-platform"
ACCOUNT = "school-42"  # the course platform's school: HubSpot's externalAccountId


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[str, Any]]:
    app = create_app(Settings.for_profile("live"), seed=SEED, clock=FakeClock())
    with serve_in_thread(app) as url:
        yield url, app


@pytest.fixture
def mock(live: tuple[str, Any]) -> Iterator[tuple[str, Any]]:
    url, app = live
    app.state.reset()  # each flow starts from the seed, as the pytest plugin's hubspot_mock does
    yield url, app


def hubspot(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)


# ---------------------------------------------------------------------------------------------- course-platform sync
class HubSpotError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"{response.status_code} {response.text}")
        self.status = response.status_code
        self.body: dict[str, Any] = response.json()


@dataclass
class CoursePlatformSync:
    """What such a service does, in the order it does it. `prefix` is the Marketing Events base path it is
    configured with (v3, or a date-based version)."""

    http: httpx.Client
    prefix: str
    calls: list[tuple[str, str, int]]

    def _send(self, method: str, path: str, **request: Any) -> httpx.Response:
        response = self.http.request(method, self.prefix + path, **request)
        self.calls.append((method, path, response.status_code))
        if response.is_error:
            raise HubSpotError(response)
        return response

    def find_course(self, course_id: str) -> str | None:
        found = self._send("GET", f"/{course_id}/identifiers", params={"externalAccountId": ACCOUNT}).json()
        return found["results"][0]["objectId"] if found["total"] else None

    def create_course(self, course_id: str, name: str) -> str:
        """Single create; a course HubSpot already holds (the identifiers search lags) is recovered from the
        400 UNIQUE_VALUE_CONFLICT's errorTokens.existingObjectId, as the service does."""
        body = {
            "externalAccountId": ACCOUNT, "externalEventId": course_id, "eventName": name, "eventOrganizer": "School 42",
            "eventType": "COURSE", "startDateTime": "2026-02-01T09:00:00Z", "endDateTime": "2026-02-01T12:00:00Z",
            "customProperties": [],
        }
        try:
            return str(self._send("POST", "/events", json=body).json()["objectId"])
        except HubSpotError as conflict:
            if conflict.status != 400 or conflict.body.get("errorType") != "UNIQUE_VALUE_CONFLICT":
                raise
            return conflict.body["errorTokens"]["existingObjectId"][0]

    def rename(self, object_id: str, name: str) -> dict[str, Any]:
        return self._send("PATCH", f"/{object_id}", json={"eventName": name}).json()

    def record_attendance(self, course_id: str, email: str, joined_at: str, left_at: str, at_ms: int) -> dict[str, Any]:
        body = {"inputs": [{"email": email, "interactionDateTime": at_ms, "properties": {"joinedAt": joined_at, "leftAt": left_at},
                            "contactProperties": {"firstname": "Grace"}}]}
        return self._send("POST", f"/attendance/{course_id}/attend/email-create", params={"externalAccountId": ACCOUNT}, json=body).json()

    def learner_breakdown(self, email: str) -> dict[str, Any]:
        return self._send("GET", f"/participations/contacts/{email}/breakdown", params={"limit": 10}).json()


@pytest.mark.parametrize("version, other", [("v3", "2026-03"), ("2026-03", "v3")])
def test_course_platform_sync(mock, version, other):
    url, app = mock
    course, learner = "course-1001", "Grace.Hopper@Example.com"
    with hubspot(url) as http:
        sync = CoursePlatformSync(http, VERSIONS[version].marketing_events, [])

        assert sync.find_course(course) is None  # never seen: 200 with total 0, not an error
        object_id = sync.create_course(course, "Intro to COBOL")
        assert sync.create_course(course, "Intro to COBOL") == object_id  # recovered from the conflict
        assert sync.calls[1:] == [("POST", "/events", 200), ("POST", "/events", 400)]
        assert sync.find_course(course) == object_id

        renamed = sync.rename(object_id, "Intro to COBOL (spring)")
        assert (renamed["objectId"], renamed["eventName"]) == (object_id, "Intro to COBOL (spring)")

        recorded = sync.record_attendance(course, learner, "2026-02-01T09:00:00Z", "2026-02-01T09:45:00Z", 1_769_936_400_000)
        (attendee,) = recorded["results"]
        assert attendee["email"] == learner.lower() and attendee["vid"] > 2**31

        (row,) = sync.learner_breakdown(learner)["results"]
        assert row["properties"]["attendanceState"] == "ATTENDED"
        assert row["properties"]["attendanceDurationSeconds"] == 2700
        assert row["associations"]["marketingEvent"]["marketingEventId"] == object_id
        assert row["associations"]["marketingEvent"]["externalEventId"] == course
        assert row["associations"]["marketingEvent"]["name"] == "Intro to COBOL (spring)"
        assert all(status < 500 for _, _, status in sync.calls)

        # One portal, one state: the other version reads what this one wrote.
        other_prefix = VERSIONS[other].marketing_events
        read = http.get(f"{other_prefix}/events/{course}", params={"externalAccountId": ACCOUNT}).json()
        assert (read["objectId"], read["eventName"], read["attendees"]) == (object_id, "Intro to COBOL (spring)", 1)
        counters = http.get(f"{other_prefix}/participations/{object_id}").json()
        assert counters == {"attended": 1, "cancelled": 0, "noShows": 0, "registered": 0}

    journal = app.state.mock.journal.entries(operation="createEvent")
    assert [e.status for e in reversed(journal)] == [200, 400]
    assert all(e.path.startswith(VERSIONS[version].marketing_events) for e in journal)


# ---------------------------------------------------------------------------------------------- automation node
def test_automation_node_lists_every_event_then_each_events_lists(mock):
    url, _ = mock
    base = VERSIONS["v3"].marketing_events
    with hubspot(url) as http:
        created = []
        for i in range(5):
            body = {"externalAccountId": ACCOUNT, "externalEventId": f"webinar-{i}", "eventName": f"Webinar {i}", "eventOrganizer": "Acme"}
            created.append(http.post(f"{base}/events", json=body).json()["objectId"])
        assert http.put(f"{base}/associations/{created[2]}/lists/101").status_code == 204

        # The node's "get all" with paging: follow paging.next.after until there is none.
        events, after, pages = [], None, 0
        while True:
            page = http.get(base, params={"limit": 2, **({"after": after} if after else {})})
            assert page.status_code == 200
            body = page.json()
            events += body["results"]
            pages += 1
            after = body.get("paging", {}).get("next", {}).get("after")
            if after is None:
                break
        assert pages == 3
        assert [e["objectId"] for e in events] == created
        assert all(e["eventStatus"] == "UPCOMING" and e["appInfo"]["id"] == "1" for e in events)

        lists = {e["objectId"]: http.get(f"{base}/associations/{e['objectId']}/lists").json() for e in events}
    assert {oid: body["total"] for oid, body in lists.items()} == {oid: int(oid == created[2]) for oid in created}
    (associated,) = lists[created[2]]["results"]
    assert (associated["listId"], associated["name"], associated["objectTypeId"]) == ("101", LISTS["101"], "0-1")


# ---------------------------------------------------------------------------------------------- website registration
def test_website_registration_with_an_iso_interaction_time(mock):
    url, app = mock
    base = VERSIONS["v3"].marketing_events
    submitted_at = "2026-11-23T19:18:15.472Z"  # what the form sends, as seen in production integrations
    with hubspot(url) as http:
        object_id = http.post(f"{base}/events", json={
            "externalAccountId": "website", "externalEventId": "open-day", "eventName": "Open day", "eventOrganizer": "Acme",
        }).json()["objectId"]
        form = {"inputs": [{"email": "Visitor@Example.com", "interactionDateTime": submitted_at,
                            "contactProperties": {"firstname": "Vera", "lastname": "Visitor"}}]}
        response = http.post(f"{base}/{object_id}/attendance/register/email-create", json=form)
        assert response.status_code == 200
        (registered,) = response.json()["results"]
        expected_note = "inputs[0].interactionDateTime was an ISO-8601 string; iso_interaction_datetime=accept"
        assert response.headers["X-HubSpot-Mock-Note"] == expected_note

        (row,) = http.get(f"{base}/participations/contacts/visitor@example.com/breakdown").json()["results"]
        assert row["properties"]["attendanceState"] == "REGISTERED"
        assert row["properties"]["occurredAt"] == parse_instant(submitted_at)
        assert row["associations"]["contact"] == {"contactId": str(registered["vid"]), "email": "visitor@example.com",
                                                  "firstname": "Vera", "lastname": "Visitor"}

        journal = http.get("/__mock/journal", params={"operation": "recordByEmail", "limit": 1}).json()["results"]
    assert (journal[0]["status"], journal[0]["note"]) == (200, expected_note)  # the choice is in the journal too
