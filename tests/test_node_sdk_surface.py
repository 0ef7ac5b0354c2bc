"""Every method of the official Node SDK's Marketing Events APIs (@hubspot/api-client, pinned in tests/node), in
one node process (tests/node/surface.mjs), against live mocks of both profiles.

The driver lists the SDK's methods by introspection, so one the SDK gains and the plan does not call fails here.
The calls run in order over one state per profile; for each, the returned body is asserted, or the ApiException
code (the Node SDK throws on every status it does not map, a 201 or a body-less 204 included, although the
write happened). What the SDK did must also be what `mock_server.sdk_verdict.verdicts()` says for the answer that
came over the wire (its body read back from the mock's journal by correlation id). Without node/npm the module
skips, and under CI=true it fails (tests/node_sdk.py).
"""

from __future__ import annotations

import json
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from node_sdk import NODE_DIR, SDK_VERSION, install_node_sdk, require_node

from mock_server import Settings, create_app
from mock_server.clock import FakeClock
from mock_server.inspector.dump import dump_state
from mock_server.sdk_verdict import NODE_METHODS, verdicts
from mock_server.testing import serve_in_thread

from surface import ACCOUNT, ADA, BOB, DEVELOPER_KEY, EMAILS, LISTS, NOW_MS, SEED, span

require_node()

PREFIX = "marketing.events."
OPERATION_OF = {m.name[len(PREFIX):]: key for key, m in NODE_METHODS.items() if m.name.startswith(PREFIX)}
PROFILES = ("live", "spec")
LEARNER = "Learner.Node@Example.com"
URL_TEMPLATE = "https://courses.example.com/events/%s"
Ref = Callable[[str, str], str]


def date(iso: str) -> dict[str, str]:
    return {"$date": iso}  # the driver makes it a Date, which the SDK serializes as ISO-8601


def event(event_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "externalAccountId": ACCOUNT, "externalEventId": event_id, "eventName": f"Node {event_id}", "eventOrganizer": "Acme",
        "eventType": "WEBINAR", "startDateTime": date("2026-12-01T15:00:00Z"), "endDateTime": date("2026-12-01T16:00:00Z"),
        "customProperties": [{"name": "webinar_platform", "value": "zoom"}], **extra,
    }


def vids(vid: int, at: int, **properties: str) -> dict[str, Any]:
    return {"inputs": [{"vid": vid, "interactionDateTime": at, "properties": properties}]}


def emails(email: str, at: int, **properties: str) -> dict[str, Any]:
    return {"inputs": [{"email": email, "interactionDateTime": at, "properties": properties, "contactProperties": {"firstname": "Node"}}]}


@dataclass(frozen=True)
class Step:
    method: str  # "basicApi.create"
    args: Callable[[Ref], dict[str, Any]]  # parameter name -> value; Ref(method, field) names an earlier result
    check: Callable[[str, dict[str, Any]], None]  # (profile, the driver's result)
    auth: str = "token"


def returned(result: dict[str, Any], model: str | None) -> dict[str, Any]:
    assert result["ok"], result["error"]
    assert result["model"] == model, result["model"]
    return result["data"]


def thrown(result: dict[str, Any], status: int | None, name: str = "ApiException") -> dict[str, Any]:
    assert not result["ok"], result["data"]
    assert (result["error"]["name"], result["status"]) == (name, status), result["error"]
    return result


COUNTERS = {"attended": 1, "cancelled": 2, "noShows": 0, "registered": 0}


def _vid_write(profile: str, result: dict[str, Any], vid: int) -> None:
    if profile == "live":  # 201: not exactly 200, so the SDK throws, carrying the (valid) answer it refused
        assert thrown(result, 201)["errorBody"]["results"] == [{"vid": vid}]
    else:
        assert returned(result, "BatchResponseSubscriberVidResponse")["results"] == [{"vid": vid}]


def _no_content(profile: str, result: dict[str, Any]) -> None:
    """A 204 on a method that maps no status: the body-less answer has no Content-Type, which the SDK cannot parse."""
    assert thrown(result, None, "Error")["error"]["message"] == "Cannot parse content. No Content-Type defined."
    assert result["wire"][-1]["status"] == 204


def _returns_nothing(profile: str, result: dict[str, Any]) -> None:
    assert returned(result, None) is None
    assert result["status"] == 204


STEPS: list[Step] = [
    Step("basicApi.create", lambda ref: {"marketingEventCreateRequestParams": event("n-1")},
         lambda p, r: _check(returned(r, "MarketingEventDefaultResponse"), eventName="Node n-1", startDateTime="2026-12-01T15:00:00.000Z",
                             customProperties=lambda v: [(c["name"], c["value"]) for c in v] == [("webinar_platform", "zoom")])),
    Step("basicApi.upsert", lambda ref: {"externalEventId": "n-2", "marketingEventCreateRequestParams": event("n-2")},
         lambda p, r: _check(returned(r, "MarketingEventPublicDefaultResponse"), id=lambda v: v == r["data"]["objectId"], eventName="Node n-2")),
    Step("batchApi.upsert", lambda ref: {"batchInputMarketingEventCreateRequestParams": {"inputs": [event("n-3"), event("n-4")]}},
         lambda p, r: _check(returned(r, "BatchResponseMarketingEventPublicDefaultResponse"), status="COMPLETE",
                             results=lambda v: [e["eventName"] for e in v] == ["Node n-3", "Node n-4"])),
    Step("basicApi.update", lambda ref: {"externalEventId": "n-1", "externalAccountId": ACCOUNT,
                                         "marketingEventUpdateRequestParams": {"eventDescription": "Patched", "customProperties": []}},
         lambda p, r: _check(returned(r, "MarketingEventPublicDefaultResponse"), eventDescription="Patched", eventName="Node n-1")),
    Step("basicApi.updateByObjectId", lambda ref: {"objectId": ref("basicApi.create", "objectId"),
                                                   "marketingEventPublicUpdateRequestV2": {"eventName": "Node course", "customProperties": []}},
         lambda p, r: _check(returned(r, "MarketingEventPublicDefaultResponseV2"), eventName="Node course", appInfo={"id": "1", "name": "App 1"})),
    Step("batchApi.updateByObjectId", lambda ref: {"batchInputMarketingEventPublicUpdateRequestFullV2": {"inputs": [
            {"objectId": ref("batchApi.upsert", "results.0.objectId"), "eventType": "CONFERENCE", "customProperties": []}]}},
         lambda p, r: _check(returned(r, "BatchResponseMarketingEventPublicDefaultResponseV2"),
                             results=lambda v: [e["eventType"] for e in v] == ["CONFERENCE"])),
    Step("basicApi.getDetails", lambda ref: {"externalEventId": "n-1", "externalAccountId": ACCOUNT},
         lambda p, r: _check(returned(r, "MarketingEventPublicReadResponse"), eventName="Node course", eventDescription="Patched", registrants=0)),
    Step("basicApi.getByObjectId", lambda ref: {"objectId": ref("basicApi.create", "objectId")},
         lambda p, r: _check(returned(r, "MarketingEventPublicReadResponseV2"), externalEventId="n-1", eventStatus="UPCOMING")),
    Step("basicApi.getAll", lambda ref: {"limit": 3},
         lambda p, r: _check(returned(r, "CollectionResponseMarketingEventPublicReadResponseV2ForwardPaging"),
                             results=lambda v: [e["externalEventId"] for e in v] == ["n-1", "n-2", "n-3"], paging={"next": {"after": "3"}})),
    Step("identifiersApi.doSearch", lambda ref: {"q": "n-2"},
         lambda p, r: _check(returned(r, "CollectionResponseSearchPublicResponseWrapperNoPaging"),
                             results=lambda v: [(e["externalEventId"], e["appId"]) for e in v] == [("n-2", 1)])),
    Step("identifiersApi.searchPortalEvents", lambda ref: {"externalEventId": "n-1"},
         lambda p, r: _check(returned(r, "CollectionResponseWithTotalMarketingEventIdentifiersResponseNoPaging"), total=1,
                             results=lambda v: v[0]["marketingEventName"] == "Node course")),
    Step("addEventAttendeesApi.recordByEmail", lambda ref: {"objectId": ref("basicApi.create", "objectId"), "subscriberState": "register",
                                                            "batchInputMarketingEventEmailSubscriber": emails(LEARNER, NOW_MS)},
         lambda p, r: _check(returned(r, "BatchResponseSubscriberEmailResponse"),
                             results=lambda v: v[0]["email"] == LEARNER.lower() and v[0]["vid"] > 2**31)),
    Step("addEventAttendeesApi.recordByContactEmails", lambda ref: {
            "externalEventId": "n-1", "subscriberState": "attend", "externalAccountId": ACCOUNT,
            "batchInputMarketingEventEmailSubscriber": emails(LEARNER, NOW_MS + 1000, **span(45))},
         lambda p, r: _check(returned(r, "BatchResponseSubscriberEmailResponse"), results=lambda v: [e["email"] for e in v] == [LEARNER.lower()])),
    Step("addEventAttendeesApi.recordByContactIds", lambda ref: {
            "externalEventId": "n-1", "subscriberState": "register", "externalAccountId": ACCOUNT,
            "batchInputMarketingEventSubscriber": vids(ADA, NOW_MS)},
         lambda p, r: _vid_write(p, r, ADA)),
    Step("addEventAttendeesApi.recordByContactId", lambda ref: {
            "objectId": ref("basicApi.create", "objectId"), "subscriberState": "register", "batchInputMarketingEventSubscriber": vids(BOB, NOW_MS)},
         lambda p, r: _vid_write(p, r, BOB)),
    Step("subscriberStateChangesApi.upsertByContactId", lambda ref: {
            "externalEventId": "n-1", "subscriberState": "cancel", "externalAccountId": ACCOUNT,
            "batchInputMarketingEventSubscriber": vids(BOB, NOW_MS + 2000)},
         _no_content),
    Step("subscriberStateChangesApi.upsertByContactEmail", lambda ref: {
            "externalEventId": "n-1", "subscriberState": "cancel", "externalAccountId": ACCOUNT,
            "batchInputMarketingEventEmailSubscriber": emails(EMAILS[ADA], NOW_MS + 2000)},
         _no_content),
    Step("retrieveParticipantStateApi.getParticipationsCountersByEventExternalId", lambda ref: {"externalAccountId": ACCOUNT, "externalEventId": "n-1"},
         lambda p, r: _check(returned(r, "AttendanceCounters"), **COUNTERS)),
    Step("retrieveParticipantStateApi.getParticipationsCountersByMarketingEventId", lambda ref: {"marketingEventId": ref("basicApi.create", "objectId")},
         lambda p, r: _check(returned(r, "AttendanceCounters"), **COUNTERS)),
    Step("retrieveParticipantStateApi.getParticipationsBreakdownByExternalEventId", lambda ref: {"externalAccountId": ACCOUNT, "externalEventId": "n-1", "limit": 10},
         lambda p, r: _check(returned(r, "CollectionResponseWithTotalParticipationBreakdownForwardPaging"), total=3,
                             results=lambda v: {e["associations"]["contact"]["email"]: e["properties"]["attendanceState"] for e in v}
                             == {LEARNER.lower(): "ATTENDED", EMAILS[ADA]: "CANCELLED", EMAILS[BOB]: "CANCELLED"})),
    Step("retrieveParticipantStateApi.getParticipationsBreakdownByMarketingEventId",
         lambda ref: {"marketingEventId": ref("basicApi.create", "objectId"), "state": "CANCELLED"},
         lambda p, r: _check(returned(r, "CollectionResponseWithTotalParticipationBreakdownForwardPaging"), total=2)),
    Step("retrieveParticipantStateApi.getParticipationsBreakdownByContactId", lambda ref: {"contactIdentifier": LEARNER},
         lambda p, r: _check(returned(r, "CollectionResponseWithTotalParticipationBreakdownForwardPaging"), total=1,
                             results=lambda v: (v[0]["properties"]["attendanceDurationSeconds"], v[0]["associations"]["marketingEvent"]["externalEventId"]) == (2700, "n-1"))),
    Step("listAssociationsApi.associateByMarketingEventId", lambda ref: {"marketingEventId": ref("basicApi.create", "objectId"), "listId": "101"}, _returns_nothing),
    Step("listAssociationsApi.associateByExternalAccountAndEventIds", lambda ref: {"externalAccountId": ACCOUNT, "externalEventId": "n-1", "listId": "102"},
         _returns_nothing),
    Step("listAssociationsApi.getAllByMarketingEventId", lambda ref: {"marketingEventId": ref("basicApi.create", "objectId")},
         lambda p, r: _check(returned(r, "CollectionResponseWithTotalPublicListNoPaging"), total=2,
                             results=lambda v: [(e["listId"], e["name"]) for e in v] == [("101", LISTS["101"]), ("102", LISTS["102"])])),
    Step("listAssociationsApi.getAllByExternalAccountAndEventIds", lambda ref: {"externalAccountId": ACCOUNT, "externalEventId": "n-1"},
         lambda p, r: _check(returned(r, "CollectionResponseWithTotalPublicListNoPaging"), results=lambda v: [e["objectTypeId"] for e in v] == ["0-1", "0-1"])),
    Step("listAssociationsApi.disassociateByExternalAccountAndEventIds", lambda ref: {"externalAccountId": ACCOUNT, "externalEventId": "n-1", "listId": "101"},
         _returns_nothing),
    Step("listAssociationsApi.disassociateByMarketingEventId", lambda ref: {"marketingEventId": ref("basicApi.create", "objectId"), "listId": "102"},
         _returns_nothing),
    Step("changePropertyApi.cancel", lambda ref: {"externalEventId": "n-2", "externalAccountId": ACCOUNT},
         lambda p, r: _check(returned(r, "MarketingEventDefaultResponse"), eventCancelled=True)),
    Step("changePropertyApi.complete", lambda ref: {"externalEventId": "n-3", "externalAccountId": ACCOUNT, "marketingEventCompleteRequestParams": {
            "startDateTime": date("2025-12-31T10:00:00Z"), "endDateTime": date("2025-12-31T11:00:00Z")}},
         lambda p, r: _check(returned(r, "MarketingEventDefaultResponse"), eventCompleted=True, endDateTime="2025-12-31T11:00:00.000Z")),
    Step("settingsApi.update", lambda ref: {"appId": 1, "eventDetailSettingsUrl": {"eventDetailsUrl": URL_TEMPLATE}},
         lambda p, r: _check(returned(r, "EventDetailSettings"), appId=1, eventDetailsUrl=URL_TEMPLATE), auth="developer"),
    Step("settingsApi.getAll", lambda ref: {"appId": 1},
         lambda p, r: _check(returned(r, "EventDetailSettings"), appId=1, eventDetailsUrl=URL_TEMPLATE), auth="developer"),
    Step("basicApi.archive", lambda ref: {"externalEventId": "n-4", "externalAccountId": ACCOUNT}, _returns_nothing),
    Step("basicApi.archiveByObjectId", lambda ref: {"objectId": ref("batchApi.upsert", "results.0.objectId")}, _returns_nothing),
    # events/delete maps no status at all in the Node SDK: its 204 throws, as the subscriber-state upserts' do
    Step("batchApi.archive", lambda ref: {"batchInputMarketingEventExternalUniqueIdentifier": {"inputs": [
            {"appId": 1, "externalAccountId": ACCOUNT, "externalEventId": "n-2"}]}}, _no_content),
    Step("batchApi.archiveByObjectId", lambda ref: {"batchInputMarketingEventPublicObjectIdDeleteRequest": {"inputs": [
            {"objectId": ref("basicApi.create", "objectId")}]}}, _returns_nothing),
]


def _check(data: dict[str, Any], **expected: Any) -> None:
    for name, want in expected.items():
        got = data.get(name)
        assert want(got) if callable(want) else got == want, (name, got, want)


def call_id(profile: str, method: str) -> str:
    return f"{profile}:{method.replace('.', ':')}"  # no dots: the driver's references split at the first one


# ---------------------------------------------------------------------------------------------- the one node run
@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    """Both profiles' plans in one node process; what each call did, with the mocks' journals and states."""
    install_node_sdk()
    with ExitStack() as stack:
        apps, calls = {}, []
        for profile in PROFILES:
            app = apps[profile] = create_app(Settings.for_profile(profile), seed=SEED, clock=FakeClock())
            url = stack.enter_context(serve_in_thread(app))
            for s in STEPS:
                auth = {"developerApiKey": DEVELOPER_KEY} if s.auth == "developer" else {"accessToken": "pat-na1-node"}
                calls.append({
                    "id": call_id(profile, s.method), "baseUrl": url, "method": PREFIX + s.method, "auth": auth,
                    "args": s.args(lambda method, path, profile=profile: f"${{{call_id(profile, method)}.{path}}}"),
                })
        done = subprocess.run(
            ["node", str(NODE_DIR / "surface.mjs")], input=json.dumps({"calls": calls}), capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        report = json.loads(done.stdout.strip().splitlines()[-1])
    return {"report": report, "apps": apps, "results": {r["id"]: r for r in report["results"]}}


def test_the_plan_calls_every_method_of_the_pinned_sdk(run):
    assert run["report"]["sdkVersion"] == SDK_VERSION
    methods = set(run["report"]["methods"])
    assert len(methods) == 36
    assert methods == {s.method for s in STEPS}, f"not called: {sorted(methods - {s.method for s in STEPS})}"
    assert methods == set(OPERATION_OF)


def node_verdict(app: Any, method: str, result: dict[str, Any]) -> Any:
    """The table's verdict on the answer this call got (the last attempt's), its body from the journal."""
    wire = result["wire"][-1]
    entry = next(e for e in app.state.mock.journal.entries() if e.correlation_id == wire["correlationId"])
    assert entry.status == wire["status"]
    http_method, template = OPERATION_OF[method]
    (verdict,) = [v for v in verdicts(http_method, template, wire["status"], wire["contentType"], entry.response_bytes) if v.sdk == "node"]
    return verdict


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("step", STEPS, ids=[s.method for s in STEPS])
def test_node_sdk_method(run, profile, step):
    result = run["results"][call_id(profile, step.method)]
    assert result["error"] is None or result["error"]["name"] != "PlanError", result["error"]
    assert len(result["wire"]) == 1  # one attempt: no retries are configured
    step.check(profile, result)
    verdict = node_verdict(run["apps"][profile], step.method, result)
    if result["ok"]:
        says = f"returns {result['model']}" if result["model"] else "returns nothing"
    elif result["error"]["name"] == "ApiException":
        says = f"throws ApiException (code {result['status']})"
    else:
        says = f"throws {result['error']['name']}: {result['error']['message']}"
    assert (verdict.outcome == "returns") is result["ok"] and says in verdict.text, f"the SDK {says}; the verdict: {verdict.text}"


@pytest.mark.parametrize("profile", PROFILES)
def test_what_the_sdk_reported_as_failures_happened_all_the_same(run, profile):
    backend = run["apps"][profile].state.backend
    assert dump_state(backend)["portals"]["1"]["events"] == []  # every event deleted, batchApi.archive's included
    assert backend.snapshot()["appSettings"] == {"1": URL_TEMPLATE}
    learner = next(c for c in dump_state(backend)["portals"]["1"]["contacts"] if c["email"] == LEARNER.lower())
    assert learner["properties"]["firstname"] == "Node"
