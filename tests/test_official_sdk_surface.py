"""Every method of the official Python SDK's Marketing Events APIs (hubspot-api-client 12), unmodified, against a
live server of the mock, in both profiles.

The methods are found by introspection of `client.marketing.events`: one the SDK gains and no step calls fails
the first test. Steps run in order over one state (create, update, record, read, associate, settings, delete),
each calling one SDK method with valid models and asserting what it handed back: the model's fields, or None
where the SDK maps no model for the status the mock answered. Each call's answer, as it came over the wire, is
also judged by `mock_server.sdk_verdict.verdicts()`: what the SDK did must be what the verdict table says, so
the table and the mock agree. Errors raise the SDK's typed exceptions, judged alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

import hubspot
import pytest
from hubspot.marketing.events import (
    BatchInputMarketingEventCreateRequestParams,
    BatchInputMarketingEventEmailSubscriber,
    BatchInputMarketingEventExternalUniqueIdentifier,
    BatchInputMarketingEventPublicObjectIdDeleteRequest,
    BatchInputMarketingEventPublicUpdateRequestFullV2,
    BatchInputMarketingEventSubscriber,
    EventDetailSettingsUrl,
    MarketingEventCompleteRequestParams,
    MarketingEventCreateRequestParams,
    MarketingEventEmailSubscriber,
    MarketingEventExternalUniqueIdentifier,
    MarketingEventPublicObjectIdDeleteRequest,
    MarketingEventPublicUpdateRequestFullV2,
    MarketingEventPublicUpdateRequestV2,
    MarketingEventSubscriber,
    MarketingEventUpdateRequestParams,
    PropertyValue,
)
from hubspot.marketing.events.exceptions import ApiException, ForbiddenException, NotFoundException, UnauthorizedException

from mock_server import Settings, create_app
from mock_server.clock import FakeClock
from mock_server.inspector.dump import dump_state
from mock_server.sdk_verdict import PYTHON_METHODS, verdicts
from mock_server.testing import serve_in_thread

from surface import ACCOUNT, ADA, BOB, DEVELOPER_KEY, EMAILS, LISTS, NOW_MS, SEED, span

PREFIX = "marketing.events."
# The SDK method -> (HTTP method, v3 path) it calls, from the verdict tables.
OPERATION_OF = {m.name[len(PREFIX):]: key for key, m in PYTHON_METHODS.items() if m.name.startswith(PREFIX)}
UTC = timezone.utc
LEARNER = "Learner.One@Example.com"


def sdk_methods(events: Any) -> set[str]:
    """`api.method` for every public method of every API class under client.marketing.events."""
    found = set()
    for api_name in (n for n in dir(events) if n.endswith("_api")):
        api = getattr(events, api_name)
        for name in dir(api):
            if name.startswith("_") or name.endswith("_with_http_info") or not callable(getattr(api, name)):
                continue
            found.add(f"{api_name}.{name}")
    return found


# ---------------------------------------------------------------------------------------------- a session of calls
@dataclass
class Outcome:
    """What one SDK call handed back, and the answer that came over the wire for it."""

    returned: Any = None
    error: Exception | None = None
    status: int | None = None
    content_type: str | None = None
    body: bytes = b""


@dataclass
class Session:
    profile: str
    apis: dict[str, Any]
    backend: Any
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # externalEventId -> objectId

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call `api.method`; the first call of each method is the one its test judges."""
        api_name, method = name.split(".")
        api = self.apis[api_name]
        outcome = Outcome()
        try:
            outcome.returned = getattr(api, method)(*args, **kwargs)
        except ApiException as error:
            outcome.error = error
            outcome.status, outcome.content_type = error.status, error.headers.get("content-type")
            outcome.body = (error.body or "").encode()
        else:
            wire = api.api_client.last_response  # the SDK keeps the answer it just read
            outcome.status, outcome.content_type = wire.status, wire.getheader("content-type")
            outcome.body = wire.data.encode() if isinstance(wire.data, str) else wire.data or b""
        self.outcomes.setdefault(name, outcome)
        if outcome.error is not None:
            raise outcome.error
        return outcome.returned

    def stored(self, event_id: str) -> dict[str, Any] | None:
        return next((e for e in dump_state(self.backend)["portals"]["1"]["events"] if e["externalEventId"] == event_id), None)


STEPS: dict[str, Callable[[Session], None]] = {}


def step(name: str) -> Callable[[Callable[[Session], None]], Callable[[Session], None]]:
    def register(function: Callable[[Session], None]) -> Callable[[Session], None]:
        STEPS[name] = function
        return function

    return register


def event_params(event_id: str, **extra: Any) -> MarketingEventCreateRequestParams:
    return MarketingEventCreateRequestParams(
        external_account_id=ACCOUNT, external_event_id=event_id, event_name=f"SDK {event_id}", event_organizer="Acme",
        event_type="WEBINAR", start_date_time=datetime(2026, 12, 1, 15, tzinfo=UTC), end_date_time=datetime(2026, 12, 1, 16, tzinfo=UTC),
        custom_properties=[PropertyValue(name="webinar_platform", value="zoom")], **extra,
    )


def vid_input(vid: int, at: int, **properties: str) -> BatchInputMarketingEventSubscriber:
    return BatchInputMarketingEventSubscriber(inputs=[MarketingEventSubscriber(vid=vid, interaction_date_time=at, properties=properties)])


def email_input(email: str, at: int, **properties: str) -> BatchInputMarketingEventEmailSubscriber:
    return BatchInputMarketingEventEmailSubscriber(
        inputs=[MarketingEventEmailSubscriber(email=email, interaction_date_time=at, properties=properties, contact_properties={"firstname": "Learner"})]
    )


# ---- events
@step("basic_api.create")
def _(s: Session) -> None:
    created = s.call("basic_api.create", event_params("sdk-1"))
    assert type(created).__name__ == "MarketingEventDefaultResponse"
    assert created.event_name == "SDK sdk-1" and created.event_type == "WEBINAR"
    assert created.start_date_time == datetime(2026, 12, 1, 15, tzinfo=UTC)
    assert [(p.name, p.value) for p in created.custom_properties] == [("webinar_platform", "zoom")]
    s.ids["sdk-1"] = created.object_id


@step("basic_api.upsert")
def _(s: Session) -> None:
    upserted = s.call("basic_api.upsert", "sdk-2", event_params("sdk-2"))
    assert upserted.id == upserted.object_id and upserted.created_at.tzinfo is not None
    s.ids["sdk-2"] = upserted.object_id


@step("batch_api.upsert")
def _(s: Session) -> None:
    batch = s.call("batch_api.upsert", BatchInputMarketingEventCreateRequestParams(inputs=[event_params("sdk-3"), event_params("sdk-4")]))
    assert batch.status == "COMPLETE" and batch.errors is None
    assert [r.event_name for r in batch.results] == ["SDK sdk-3", "SDK sdk-4"]
    s.ids.update({"sdk-3": batch.results[0].object_id, "sdk-4": batch.results[1].object_id})


@step("basic_api.update")
def _(s: Session) -> None:
    updated = s.call("basic_api.update", "sdk-1", ACCOUNT, MarketingEventUpdateRequestParams(event_description="Patched by external ids", custom_properties=[]))
    assert (updated.object_id, updated.event_description, updated.event_name) == (s.ids["sdk-1"], "Patched by external ids", "SDK sdk-1")


@step("basic_api.update_by_object_id")
def _(s: Session) -> None:
    updated = s.call("basic_api.update_by_object_id", s.ids["sdk-1"], MarketingEventPublicUpdateRequestV2(event_name="SDK course", custom_properties=[]))
    assert (updated.event_name, updated.app_info.id) == ("SDK course", "1")
    assert s.stored("sdk-1")["eventName"] == "SDK course"


@step("batch_api.update_by_object_id")
def _(s: Session) -> None:
    inputs = [MarketingEventPublicUpdateRequestFullV2(object_id=s.ids["sdk-3"], event_type="CONFERENCE", custom_properties=[])]
    batch = s.call("batch_api.update_by_object_id", BatchInputMarketingEventPublicUpdateRequestFullV2(inputs=inputs))
    assert type(batch).__name__ == "BatchResponseMarketingEventPublicDefaultResponseV2"
    assert [(r.object_id, r.event_type) for r in batch.results] == [(s.ids["sdk-3"], "CONFERENCE")]


@step("basic_api.get_details")
def _(s: Session) -> None:
    read = s.call("basic_api.get_details", "sdk-1", ACCOUNT)
    assert (read.event_name, read.event_description, read.external_event_id) == ("SDK course", "Patched by external ids", "sdk-1")
    assert (read.registrants, read.attendees, read.cancellations, read.no_shows) == (0, 0, 0, 0)


@step("basic_api.get_by_object_id")
def _(s: Session) -> None:
    read = s.call("basic_api.get_by_object_id", s.ids["sdk-1"])
    assert (read.external_event_id, read.event_status) == ("sdk-1", "UPCOMING")
    assert [(p.name, p.value) for p in read.custom_properties] == [("webinar_platform", "zoom")]


@step("basic_api.get_all")
def _(s: Session) -> None:
    first = s.call("basic_api.get_all", limit=3)
    rest = s.apis["basic_api"].get_all(limit=3, after=first.paging.next.after)
    assert [e.external_event_id for e in first.results + rest.results] == ["sdk-1", "sdk-2", "sdk-3", "sdk-4"]
    assert rest.paging is None


@step("identifiers_api.do_search")
def _(s: Session) -> None:
    found = s.call("identifiers_api.do_search", "sdk-2")
    assert [(r.object_id, r.app_id, r.external_account_id) for r in found.results] == [(s.ids["sdk-2"], 1, ACCOUNT)]


@step("identifiers_api.search_portal_events")
def _(s: Session) -> None:
    found = s.call("identifiers_api.search_portal_events", "sdk-1")
    assert found.total == 1
    assert (found.results[0].object_id, found.results[0].marketing_event_name) == (s.ids["sdk-1"], "SDK course")


# ---- attendance
@step("add_event_attendees_api.record_by_email")
def _(s: Session) -> None:
    answer = s.call("add_event_attendees_api.record_by_email", s.ids["sdk-1"], "register", email_input(LEARNER, NOW_MS))
    (created,) = answer.results
    assert created.email == LEARNER.lower() and created.vid > 2**31
    s.ids["learner"] = str(created.vid)


@step("add_event_attendees_api.record_by_contact_emails")
def _(s: Session) -> None:
    answer = s.call("add_event_attendees_api.record_by_contact_emails", "sdk-1", "attend", email_input(LEARNER, NOW_MS + 1000, **span(45)),
                    external_account_id=ACCOUNT)
    assert [(r.email, str(r.vid)) for r in answer.results] == [(LEARNER.lower(), s.ids["learner"])]


@step("add_event_attendees_api.record_by_contact_ids")
def _(s: Session) -> None:
    answer = s.call("add_event_attendees_api.record_by_contact_ids", "sdk-1", "register", vid_input(ADA, NOW_MS), external_account_id=ACCOUNT)
    if s.profile == "live":
        assert answer is None  # 201 live: not mapped, the body is lost; the write happened all the same
    else:
        assert [r.vid for r in answer.results] == [ADA]
    assert ADA in {sub["vid"] for sub in s.stored("sdk-1")["subscribers"]}


@step("add_event_attendees_api.record_by_contact_id")
def _(s: Session) -> None:
    answer = s.call("add_event_attendees_api.record_by_contact_id", s.ids["sdk-1"], "register", vid_input(BOB, NOW_MS))
    assert answer is None if s.profile == "live" else [r.vid for r in answer.results] == [BOB]
    assert BOB in {sub["vid"] for sub in s.stored("sdk-1")["subscribers"]}


@step("subscriber_state_changes_api.upsert_by_contact_id")
def _(s: Session) -> None:
    assert s.call("subscriber_state_changes_api.upsert_by_contact_id", "sdk-1", "cancel", ACCOUNT, vid_input(BOB, NOW_MS + 2000)) is None


@step("subscriber_state_changes_api.upsert_by_contact_email")
def _(s: Session) -> None:
    answer = s.call("subscriber_state_changes_api.upsert_by_contact_email", "sdk-1", "cancel", ACCOUNT, email_input(EMAILS[ADA], NOW_MS + 2000))
    assert answer is None
    states = {sub["vid"]: [h["state"] for h in sub["history"]] for sub in s.stored("sdk-1")["subscribers"]}
    assert states == {int(s.ids["learner"]): ["REGISTERED", "ATTENDED"], ADA: ["REGISTERED", "CANCELLED"], BOB: ["REGISTERED", "CANCELLED"]}


EXPECTED_COUNTERS = {"attended": 1, "cancelled": 2, "no_shows": 0, "registered": 0}


@step("retrieve_participant_state_api.get_participations_counters_by_event_external_id")
def _(s: Session) -> None:
    counters = s.call("retrieve_participant_state_api.get_participations_counters_by_event_external_id", ACCOUNT, "sdk-1")
    assert counters.to_dict() == EXPECTED_COUNTERS


@step("retrieve_participant_state_api.get_participations_counters_by_marketing_event_id")
def _(s: Session) -> None:
    counters = s.call("retrieve_participant_state_api.get_participations_counters_by_marketing_event_id", int(s.ids["sdk-1"]))
    assert counters.to_dict() == EXPECTED_COUNTERS


@step("retrieve_participant_state_api.get_participations_breakdown_by_external_event_id")
def _(s: Session) -> None:
    page = s.call("retrieve_participant_state_api.get_participations_breakdown_by_external_event_id", ACCOUNT, "sdk-1", limit=10)
    states = {r.associations.contact.email: r.properties.attendance_state for r in page.results}
    assert page.total == 3 and states == {LEARNER.lower(): "ATTENDED", EMAILS[ADA]: "CANCELLED", EMAILS[BOB]: "CANCELLED"}


@step("retrieve_participant_state_api.get_participations_breakdown_by_marketing_event_id")
def _(s: Session) -> None:
    page = s.call("retrieve_participant_state_api.get_participations_breakdown_by_marketing_event_id", int(s.ids["sdk-1"]), state="CANCELLED")
    assert sorted(int(r.associations.contact.contact_id) for r in page.results) == [ADA, BOB] and page.total == 2


@step("retrieve_participant_state_api.get_participations_breakdown_by_contact_id")
def _(s: Session) -> None:
    page = s.call("retrieve_participant_state_api.get_participations_breakdown_by_contact_id", LEARNER)
    (row,) = page.results
    assert (row.properties.attendance_state, row.properties.attendance_duration_seconds) == ("ATTENDED", 2700)
    assert (row.associations.marketing_event.marketing_event_id, row.associations.marketing_event.external_event_id) == (s.ids["sdk-1"], "sdk-1")


# ---- list associations
@step("list_associations_api.associate_by_marketing_event_id")
def _(s: Session) -> None:
    assert s.call("list_associations_api.associate_by_marketing_event_id", s.ids["sdk-1"], "101") is None


@step("list_associations_api.associate_by_external_account_and_event_ids")
def _(s: Session) -> None:
    assert s.call("list_associations_api.associate_by_external_account_and_event_ids", ACCOUNT, "sdk-1", "102") is None


@step("list_associations_api.get_all_by_marketing_event_id")
def _(s: Session) -> None:
    lists = s.call("list_associations_api.get_all_by_marketing_event_id", s.ids["sdk-1"])
    assert (lists.total, [(item.list_id, item.name) for item in lists.results]) == (2, [("101", LISTS["101"]), ("102", LISTS["102"])])


@step("list_associations_api.get_all_by_external_account_and_event_ids")
def _(s: Session) -> None:
    lists = s.call("list_associations_api.get_all_by_external_account_and_event_ids", ACCOUNT, "sdk-1")
    assert [(item.list_id, item.object_type_id, item.processing_type) for item in lists.results] == [("101", "0-1", "MANUAL"), ("102", "0-1", "DYNAMIC")]


@step("list_associations_api.disassociate_by_external_account_and_event_ids")
def _(s: Session) -> None:
    assert s.call("list_associations_api.disassociate_by_external_account_and_event_ids", ACCOUNT, "sdk-1", "101") is None
    assert [item.list_id for item in s.apis["list_associations_api"].get_all_by_marketing_event_id(s.ids["sdk-1"]).results] == ["102"]


@step("list_associations_api.disassociate_by_marketing_event_id")
def _(s: Session) -> None:
    assert s.call("list_associations_api.disassociate_by_marketing_event_id", s.ids["sdk-1"], "102") is None
    assert s.apis["list_associations_api"].get_all_by_marketing_event_id(s.ids["sdk-1"]).total == 0


# ---- event status
@step("change_property_api.cancel")
def _(s: Session) -> None:
    cancelled = s.call("change_property_api.cancel", "sdk-2", ACCOUNT)
    assert (cancelled.object_id, cancelled.event_cancelled) == (s.ids["sdk-2"], True)


@step("change_property_api.complete")
def _(s: Session) -> None:
    times = MarketingEventCompleteRequestParams(start_date_time=datetime(2025, 12, 31, 10, tzinfo=UTC), end_date_time=datetime(2025, 12, 31, 11, tzinfo=UTC))
    completed = s.call("change_property_api.complete", "sdk-3", ACCOUNT, times)
    assert (completed.event_completed, completed.end_date_time) == (True, datetime(2025, 12, 31, 11, tzinfo=UTC))


# ---- app settings (developer API key)
EVENT_DETAILS_URL = "https://courses.example.com/events/%s"


@step("settings_api.update")
def _(s: Session) -> None:
    answer = s.call("settings_api.update", 1, EventDetailSettingsUrl(event_details_url=EVENT_DETAILS_URL))
    assert (answer.app_id, answer.event_details_url) == (1, EVENT_DETAILS_URL)


@step("settings_api.get_all")
def _(s: Session) -> None:
    assert s.call("settings_api.get_all", 1).to_dict() == {"app_id": 1, "event_details_url": EVENT_DETAILS_URL}


# ---- deletes
@step("basic_api.archive")
def _(s: Session) -> None:
    assert s.call("basic_api.archive", "sdk-4", ACCOUNT) is None
    assert s.stored("sdk-4") is None


@step("basic_api.archive_by_object_id")
def _(s: Session) -> None:
    assert s.call("basic_api.archive_by_object_id", s.ids["sdk-3"]) is None
    assert s.stored("sdk-3") is None


@step("batch_api.archive")
def _(s: Session) -> None:
    inputs = [MarketingEventExternalUniqueIdentifier(app_id=1, external_account_id=ACCOUNT, external_event_id="sdk-2")]
    assert s.call("batch_api.archive", BatchInputMarketingEventExternalUniqueIdentifier(inputs=inputs)) is None
    assert s.stored("sdk-2") is None


@step("batch_api.archive_by_object_id")
def _(s: Session) -> None:
    inputs = [MarketingEventPublicObjectIdDeleteRequest(object_id=s.ids["sdk-1"])]
    assert s.call("batch_api.archive_by_object_id", BatchInputMarketingEventPublicObjectIdDeleteRequest(inputs=inputs)) is None
    assert dump_state(s.backend)["portals"]["1"]["events"] == []
    assert s.apis["basic_api"].get_all().results == []


# ---------------------------------------------------------------------------------------------- fixtures
def sdk_client(url: str, profile: str, **auth: str) -> Any:
    # client_side_validation checks every field HubSpot's spec requires in an answer: where the mock promises the
    # spec's shapes to the letter.
    return hubspot.Client.create(host=url, client_side_validation=(profile == "spec") or None, **auth)


@pytest.fixture(scope="module", params=["live", "spec"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str, Any]]:
    # A FakeClock: the events' 2026-12-01 stays in the future, whenever the tests run.
    app = create_app(Settings.for_profile(request.param), seed=SEED, clock=FakeClock())
    with serve_in_thread(app) as url:
        yield request.param, url, app


@pytest.fixture(scope="module")
def session(server: tuple[str, str, Any]) -> tuple[Session, dict[str, BaseException]]:
    """Every step once, in order, over one state; a step's failure is kept for its own test to report."""
    profile, url, app = server
    events = sdk_client(url, profile, access_token="pat-na1-sdk").marketing.events
    apis = {name: getattr(events, name) for name in dir(events) if name.endswith("_api")}
    # Python SDK 12 sends the developer key as `hapikey` when it is given as api_key (not developer_api_key).
    apis["settings_api"] = sdk_client(url, profile, api_key=DEVELOPER_KEY).marketing.events.settings_api
    s = Session(profile, apis, app.state.backend)
    failures: dict[str, BaseException] = {}
    for name, run in STEPS.items():
        try:
            run(s)
        except Exception as failure:  # reported by the step's own test, with the others still run
            failures[name] = failure
    return s, failures


# ---------------------------------------------------------------------------------------------- tests
def test_every_sdk_method_has_a_step_and_a_verdict_table_row():
    events = hubspot.Client.create(access_token="x").marketing.events
    methods = sdk_methods(events)
    assert len(methods) == 36
    assert methods == set(STEPS), f"no step for {sorted(methods - set(STEPS))}; no such method {sorted(set(STEPS) - methods)}"
    assert methods == set(OPERATION_OF)


def python_verdict(name: str, outcome: Outcome) -> Any:
    method, template = OPERATION_OF[name]
    (verdict,) = [v for v in verdicts(method, template, outcome.status, outcome.content_type, outcome.body) if v.sdk == "python"]
    return verdict


def assert_the_verdict_agrees(name: str, outcome: Outcome) -> None:
    verdict = python_verdict(name, outcome)
    if outcome.error is not None:
        observed, says = "raises", f"raises {type(outcome.error).__name__} (status {outcome.status})"
    elif outcome.returned is None:
        observed, says = "returns None", "returns None"
    else:
        observed, says = "returns", f"returns {type(outcome.returned).__name__}"
    assert (observed, says in verdict.text) == (verdict.outcome, True), f"the SDK {says}; the verdict: {verdict.text}"


@pytest.mark.parametrize("name", list(STEPS))
def test_sdk_method(session, name):
    s, failures = session
    if name in failures:
        raise failures[name]
    outcome = s.outcomes[name]
    assert outcome.error is None
    assert_the_verdict_agrees(name, outcome)
    # Where the SDK returns None, the verdict says why: a status it does not map, or a method that maps none.
    if outcome.returned is None:
        assert outcome.status in (201, 204), (name, outcome.status)
        reason = "201 is not mapped (only 200 is)" if outcome.status == 201 else "this method maps no status to a model"
        assert reason in python_verdict(name, outcome).text


# ---- errors: the typed exceptions, judged by the same table
def client_for(url: str, profile: str, token: str) -> Any:
    return sdk_client(url, profile, access_token=token).marketing.events


ERRORS: list[tuple[str, str, Callable[[Any], Any], type[Exception], int, str]] = [
    ("basic_api.get_by_object_id", "pat-na1-sdk", lambda ev: ev.basic_api.get_by_object_id("404404"), NotFoundException, 404, "OBJECT_NOT_FOUND"),
    ("basic_api.get_details", "app2", lambda ev: ev.basic_api.get_details("err-1", ACCOUNT), NotFoundException, 404, "OBJECT_NOT_FOUND"),
    ("basic_api.create", "pat-na1-sdk", lambda ev: ev.basic_api.create(event_params("err-1")), ApiException, 400, "UNIQUE_VALUE_CONFLICT"),
    ("batch_api.upsert", "read-only", lambda ev: ev.batch_api.upsert(BatchInputMarketingEventCreateRequestParams(inputs=[event_params("x")])), ForbiddenException, 403, "MISSING_SCOPES"),
    ("identifiers_api.do_search", "expired", lambda ev: ev.identifiers_api.do_search("err-1"), UnauthorizedException, 401, "EXPIRED_AUTHENTICATION"),
    ("add_event_attendees_api.record_by_email", "pat-na1-sdk", lambda ev: ev.add_event_attendees_api.record_by_email("1", "REGISTERED", email_input("a@b.c", NOW_MS)), ApiException, 400, "Unknown state for 'REGISTERED'"),
    ("change_property_api.complete", "pat-na1-sdk", lambda ev: ev.change_property_api.complete("err-1", ACCOUNT, MarketingEventCompleteRequestParams(start_date_time=datetime(2026, 1, 1, tzinfo=UTC))), ApiException, 400, "endDateTime"),
    ("list_associations_api.associate_by_external_account_and_event_ids", "pat-na1-sdk", lambda ev: ev.list_associations_api.associate_by_external_account_and_event_ids(ACCOUNT, "err-1", "999"), NotFoundException, 404, "List 999"),
    ("settings_api.get_all", "", lambda ev: ev.settings_api.get_all(1), UnauthorizedException, 401, "hapikey"),
]


@pytest.fixture(scope="module")
def event_for_errors(server: tuple[str, str, Any]) -> str:
    profile, url, _ = server
    return client_for(url, profile, "pat-na1-sdk").basic_api.create(event_params("err-1")).object_id


@pytest.mark.parametrize("name, token, call, exception, status, says", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_raise_the_typed_exception_the_verdict_names(server, event_for_errors, name, token, call, exception, status, says):
    profile, url, app = server
    before = dump_state(app.state.backend)
    with pytest.raises(exception) as raised:
        call(client_for(url, profile, token) if token else sdk_client(url, profile).marketing.events)
    error = raised.value
    assert type(error) is exception and error.status == status
    assert says in error.body
    assert error.headers["X-HubSpot-Correlation-Id"] in error.body
    assert dump_state(app.state.backend) == before
    outcome = Outcome(error=error, status=error.status, content_type=error.headers.get("content-type"), body=error.body.encode())
    assert_the_verdict_agrees(name, outcome)
    assert re.search(rf"raises {exception.__name__} \(status {status}\)", python_verdict(name, outcome).text)


def test_the_python_sdk_sends_the_developer_key_given_as_api_key_only(server):
    """Client.create(developer_api_key=...) is not an option of SDK 12: the key is never sent, so HubSpot (and
    the mock) answer 401. api_key=... is sent as `hapikey`."""
    profile, url, _ = server
    with pytest.raises(UnauthorizedException):
        sdk_client(url, profile, developer_api_key=DEVELOPER_KEY).marketing.events.settings_api.get_all(1)
    settings = sdk_client(url, profile, api_key=DEVELOPER_KEY).marketing.events.settings_api
    settings.update(1, EventDetailSettingsUrl(event_details_url=EVENT_DETAILS_URL))
    assert settings.get_all(1).event_details_url == EVENT_DETAILS_URL
