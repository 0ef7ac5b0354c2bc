"""The proxy against a stand-in upstream: the mock itself, started with the spec profile, a few settings changed
and its own ids, playing the part of a sandbox portal. The official Python SDK (and httpx, for what the SDK
cannot send) runs an integration through the proxy; the shadow mock runs the live profile.

Proves: each behaviour the stand-in was given is reported with the setting that matches it; ids are mapped
across create and read-back; upstream faults pass through unchanged and are marked as the upstream's; no token
and no email reach the report, the recording, the comparisons or a log line; the recording replays offline to
the same report.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx
import hubspot
import pytest
import uvicorn
from hubspot.marketing.events import (
    BatchInputMarketingEventCreateRequestParams,
    BatchInputMarketingEventEmailSubscriber,
    BatchInputMarketingEventSubscriber,
    MarketingEventCreateRequestParams,
    MarketingEventEmailSubscriber,
    MarketingEventSubscriber,
)
from hubspot.marketing.events.exceptions import ApiException

from envelopes import JSON_CT
from mock_server import Settings, create_app
from mock_server.proxy import ProxyConfig, Recording, build_report, create_proxy_app, render_markdown, replay
from mock_server.proxy.cli import uvicorn_config
from mock_server.proxy.shadow import SHADOW_TOKEN
from mock_server.testing import serve_in_thread

TOKEN = "pat-na1-5b1e3c0d-7a44-4f2e-9d61-0c8f2a9e4b17"  # the caller's portal token: it must go upstream only
HAPIKEY = "0f3c9a7e-hapikey-2b8d41e6"  # a legacy API key in the query string, the same
BASELINE = Settings.for_profile("live")
# The stand-in's behaviour: the spec profile plus three assumptions answered the other way, and its own ids.
STAND_IN = Settings.for_profile(
    "spec",
    upsert_by_contact_id_status=200,
    mixed_batch_status=207,
    duplicate_batch_items="reject",
    first_vid=7_000_000_001,
    first_object_id=920_000_000_001,
)
EVENTS = "/marketing/v3/marketing-events"
ACCOUNT = "acct-1"
WHEN = 1_764_601_200_000
EMAILS = ["ada@example.com", "grace@example.com", "linus@example.com", "short@example.com", "seconds@example.com",
          "iso@example.com", "notimes@example.com"]


# ---------------------------------------------------------------------------------------------- servers
@contextmanager
def serve_proxy(config: ProxyConfig) -> Iterator[tuple[str, Any]]:
    """The proxy on a free port, served as `hubspot-mock proxy` serves it; shut down (report written) on exit."""
    app = create_proxy_app(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    server = uvicorn.Server(uvicorn_config(app, "warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started and thread.is_alive():
            time.sleep(0.002)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", app.state.proxy
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Every log record of the process (the proxy's, uvicorn's, httpx's), at debug level."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


# ---------------------------------------------------------------------------------------------- the integration
def event(external_event_id: str) -> MarketingEventCreateRequestParams:
    return MarketingEventCreateRequestParams(
        external_account_id=ACCOUNT, external_event_id=external_event_id, event_name=f"Webinar {external_event_id}",
        event_organizer="Acme", event_type="WEBINAR", start_date_time="2027-06-01T15:00:00Z",
        end_date_time="2027-06-01T16:00:00Z", custom_properties=[],
    )


def by_email(email: str, when: int = WHEN, **properties: str) -> MarketingEventEmailSubscriber:
    return MarketingEventEmailSubscriber(email=email, interaction_date_time=when, properties=properties, contact_properties={})


def run_integration(proxy_url: str, upstream_url: str) -> dict[str, Any]:
    """A webinar sync, as an integration runs it, plus one call for each behaviour the stand-in was given.
    Returns what the caller saw."""
    events = hubspot.Client.create(access_token=TOKEN, host=proxy_url).marketing.events
    http = httpx.Client(base_url=proxy_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    seen: dict[str, Any] = {}

    # 1. upsert the events; their objectIds are the portal's
    upserted = events.batch_api.upsert(BatchInputMarketingEventCreateRequestParams(
        inputs=[event("webinar-1"), event("webinar-2"), event("webinar-3"), event("webinar-4")]))
    object_ids = {r.event_name.split()[-1]: r.object_id for r in upserted.results}
    seen["object_ids"] = object_ids
    w1 = object_ids["webinar-1"]

    # 2. registrations by email (contacts created, vids are the portal's); 3. attendance by the vid the
    # portal returned (spec: 200, live: 201); 4. a cancellation by vid (stand-in: 200, mock: 204)
    registered = events.add_event_attendees_api.record_by_email(
        w1, "register", BatchInputMarketingEventEmailSubscriber(inputs=[by_email("ada@example.com"), by_email("grace@example.com")]))
    vids = {r.email: r.vid for r in registered.results}
    seen["vids"] = vids
    # the identical registrations again, at once (spec: the results again; live: results [])
    events.add_event_attendees_api.record_by_email(
        w1, "register", BatchInputMarketingEventEmailSubscriber(inputs=[by_email("ada@example.com"), by_email("grace@example.com")]))
    seen["attended"] = events.add_event_attendees_api.record_by_contact_ids(
        "webinar-1", "attend", BatchInputMarketingEventSubscriber(inputs=[MarketingEventSubscriber(
            vid=vids["ada@example.com"], interaction_date_time=WHEN + 60_000,
            properties={"joinedAt": "2027-06-01T15:00:00Z", "leftAt": "2027-06-01T15:45:00Z"})]),
        external_account_id=ACCOUNT)
    events.subscriber_state_changes_api.upsert_by_contact_id(
        "webinar-1", "cancel", ACCOUNT, BatchInputMarketingEventSubscriber(inputs=[MarketingEventSubscriber(
            vid=vids["grace@example.com"], interaction_date_time=WHEN + 120_000, properties={})]))

    # a batch with one bad email: per-item error (stand-in: 207, spec error shape), the rest applied
    seen["mixed"] = http.post(f"{EVENTS}/{w1}/attendance/register/email-create", json={"inputs": [
        {"email": "linus@example.com", "interactionDateTime": WHEN, "properties": {}, "contactProperties": {}},
        {"email": "not-an-email", "interactionDateTime": WHEN, "properties": {}, "contactProperties": {}}]})

    # read-backs by objectId and by external ids: the shadow must find its own objects
    seen["reads"] = [
        events.basic_api.get_by_object_id(w1),
        events.basic_api.get_details("webinar-1", ACCOUNT),
        events.retrieve_participant_state_api.get_participations_breakdown_by_marketing_event_id(int(w1)),
        events.retrieve_participant_state_api.get_participations_counters_by_event_external_id(ACCOUNT, "webinar-1"),
    ]

    # behaviours that show in one answer each
    http.post(f"{EVENTS}/events/upsert", json={"inputs": [  # the same key twice (stand-in: reject)
        {"externalAccountId": ACCOUNT, "externalEventId": "dup-1", "eventName": "A", "eventOrganizer": "Acme", "customProperties": []},
        {"externalAccountId": ACCOUNT, "externalEventId": "dup-1", "eventName": "B", "eventOrganizer": "Acme", "customProperties": []}]})
    http.post(f"{EVENTS}/events/upsert", json={"inputs": [  # no customProperties (spec: required)
        {"externalAccountId": ACCOUNT, "externalEventId": "nomaps-1", "eventName": "A", "eventOrganizer": "Acme"}]})
    http.post(f"{EVENTS}/attendance/no-such-webinar/register/create", json={"inputs": [  # no externalAccountId
        {"vid": vids["ada@example.com"], "interactionDateTime": WHEN, "properties": {}}]})
    w2 = object_ids["webinar-2"]
    http.post(f"{EVENTS}/{w2}/attendance/register/email-create", json={"inputs": [  # an ISO interactionDateTime
        {"email": "iso@example.com", "interactionDateTime": "2026-12-01T15:00:00Z", "properties": {}, "contactProperties": {}}]})
    events.add_event_attendees_api.record_by_email(  # attend without joinedAt / leftAt
        w2, "attend", BatchInputMarketingEventEmailSubscriber(inputs=[by_email("notimes@example.com")]))

    # behaviours that show only in a read-back
    events.add_event_attendees_api.record_by_email(  # attended for half a second
        object_ids["webinar-3"], "attend", BatchInputMarketingEventEmailSubscriber(inputs=[
            by_email("short@example.com", joinedAt="2027-06-01T15:00:00.000Z", leftAt="2027-06-01T15:00:00.500Z")]))
    events.retrieve_participant_state_api.get_participations_counters_by_event_external_id(ACCOUNT, "webinar-3")
    events.add_event_attendees_api.record_by_email(  # interactionDateTime in seconds
        object_ids["webinar-4"], "register", BatchInputMarketingEventEmailSubscriber(inputs=[by_email("seconds@example.com", when=WHEN // 1000)]))
    events.retrieve_participant_state_api.get_participations_counters_by_marketing_event_id(int(object_ids["webinar-4"]))

    # upstream faults: a 503 on a write (armed by header), then a 429 (armed through the stand-in's admin API)
    seen["503"] = http.post(f"{EVENTS}/events/upsert", headers={"X-HubSpot-Mock-Fault": json.dumps({"action": "respond", "status": 503})},
                            json={"inputs": [{"externalAccountId": ACCOUNT, "externalEventId": "lost-1", "eventName": "L",
                                              "eventOrganizer": "Acme", "customProperties": []}]})
    seen["lost_read"] = http.get(f"{EVENTS}/events/lost-1", params={"externalAccountId": ACCOUNT})
    httpx.post(f"{upstream_url}/__mock/faults", json={"action": "respond", "status": 429, "times": 1}).raise_for_status()
    with pytest.raises(ApiException) as rate_limited:
        events.basic_api.get_by_object_id(w1)
    seen["429"] = rate_limited.value
    # a hapikey in the query must not leak either
    seen["hapikey"] = http.get(f"{EVENTS}/{w1}", params={"hapikey": HAPIKEY}, headers={"Authorization": ""})
    seen["direct"] = httpx.get(f"{upstream_url}{EVENTS}/{w1}", headers={"Authorization": f"Bearer {TOKEN}"})
    seen["proxied"] = http.get(f"{EVENTS}/{w1}")
    return seen


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("proxy")
    config = ProxyConfig(settings=BASELINE, report_path=str(tmp / "fidelity"), record_path=str(tmp / "run.jsonl"), hash_emails=True)
    with captured_logs() as logs, serve_in_thread(create_app(STAND_IN)) as upstream_url:
        with serve_proxy(dataclasses.replace(config, upstream=upstream_url)) as (proxy_url, service):
            seen = run_integration(proxy_url, upstream_url)
            answered = httpx.post(f"{proxy_url}/__mock/proxy/report")
            comparisons = httpx.get(f"{proxy_url}/__mock/proxy/comparisons", params={"limit": 1000}).json()["comparisons"]
            shadow_journal = _shadow_journal(service.engine.baseline.app)
        # the proxy has shut down here: the report and the recording are complete on disk
        yield {
            "seen": seen, "answered": answered, "comparisons": comparisons, "tmp": tmp, "logs": logs.getvalue(),
            "report": json.loads((tmp / "fidelity.json").read_text()), "markdown": (tmp / "fidelity.md").read_text(),
            "recording": (tmp / "run.jsonl").read_text(), "shadow_journal": shadow_journal, "upstream_url": upstream_url,
        }


def _shadow_journal(shadow_app: Any) -> str:
    """What the shadow mock itself journalled, read over HTTP (its admin API)."""
    from starlette.testclient import TestClient

    return TestClient(shadow_app, base_url="http://localhost").get("/__mock/journal", params={"limit": 1000}).text


def _given_settings() -> set[str]:
    """The stand-in's behaviours that differ from the baseline, as `name=value` (ids excluded: not behaviour)."""
    from mock_server.proxy.candidates import format_value

    return {
        f"{f.name}={format_value(getattr(STAND_IN, f.name))}"
        for f in dataclasses.fields(Settings)
        if f.name not in ("profile", "first_vid", "first_object_id") and getattr(STAND_IN, f.name) != getattr(BASELINE, f.name)
    }


def by_operation(report: dict[str, Any], operation: str) -> dict[str, Any]:
    return next(op for op in report["operations"] if op["operation"] == operation)


# ---------------------------------------------------------------------------------------------- tests
def test_every_behaviour_the_stand_in_was_given_is_reported_with_the_setting_that_matches_it(run: dict[str, Any]) -> None:
    report = run["report"]
    suggested = {s["setting"]: s for s in report["settings_that_match"]}
    given = _given_settings()
    assert len(given) == 12  # the nine profile switches and the three assumptions
    assert given <= set(suggested), sorted(given - set(suggested))
    # nothing is suggested that the stand-in was not given
    assert set(suggested) == given | {"profile=spec"}
    # and every difference line names a setting that removes it
    for op in report["operations"]:
        for difference in op["differences"]:
            assert difference["settings_that_match"], (op["operation"], difference)
    # per operation, with counts: the success status of attendance by vid is the spec's 200
    create = by_operation(report, f"POST {EVENTS}/attendance/{{externalEventId}}/{{subscriberState}}/create")
    status = [d for d in create["differences"] if d["field"] == "status" and d["upstream"] == "200"]
    assert status == [{"field": "status", "upstream": "200", "mock": "201", "calls": 1,
                       "settings_that_match": ["profile=spec", "record_by_contact_ids_status=200"]}]
    assert suggested["upsert_by_contact_id_status=200"]["operations"] == [
        f"POST {EVENTS}/events/{{externalEventId}}/{{subscriberState}}/upsert"]
    assert suggested["record_by_contact_ids_status=200"]["calls_broken"] == 0


def test_the_report_says_how_each_call_differed(run: dict[str, Any]) -> None:
    report = run["report"]
    email_create = by_operation(report, f"POST {EVENTS}/{{objectId}}/attendance/{{subscriberState}}/email-create")
    lines = {(d["field"], d["upstream"], d["mock"]): d["settings_that_match"] for d in email_create["differences"]}
    # the mixed batch: 207 against 200, and the spec's per-item error shape (context, errors, links)
    assert lines[("status", "207", "200")] == ["mixed_batch_status=207"]
    assert "item_error_shape=spec" in lines[("body.errors[*].context", "object (email)", "(absent)")]
    # the repeat: the same two results against none
    assert lines[("body.results", "2 items", "0 items")] == ["profile=spec", "repeat_returns_empty_results=false"]
    # a read-back shows what the write stored: the half-second attendance
    counters = by_operation(report, f"GET {EVENTS}/participations/{{externalAccountId}}/{{externalEventId}}")
    assert [(d["field"], d["upstream"], d["mock"]) for d in counters["differences"]] == [("body.attended", "1", "0")]
    markdown = run["markdown"]
    assert "- `status`: upstream 207, mock 200 (1 call); matches with `mixed_batch_status=207`" in markdown
    assert render_markdown(report) == markdown


def test_ids_are_mapped_so_the_shadow_reads_back_its_own_objects(run: dict[str, Any]) -> None:
    seen, comparisons = run["seen"], run["comparisons"]
    assert int(seen["object_ids"]["webinar-1"]) >= 920_000_000_001  # the stand-in's numbering, not the shadow's
    assert min(seen["vids"].values()) >= 7_000_000_001
    w1 = seen["object_ids"]["webinar-1"]
    reads = [c for c in comparisons if c["request"]["method"] == "GET" and c["outcome"] in ("matched", "differed")
             and (w1 in c["request"]["path"] or c["request"]["path"].endswith("/webinar-1"))]
    # by objectId (the event, its breakdown, the event again for the header check) and by external ids (the
    # event, its counters)
    assert len(reads) == 5, [c["request"]["path"] for c in reads]
    for comparison in reads:
        assert comparison["mock"]["status"] == comparison["upstream"]["status"] == 200, comparison["operation"]
        assert comparison["outcome"] == "matched", comparison["differences"]
        assert comparison["notes"] == []  # every id in it was a known one
    # the attendance by vid reached the shadow with the shadow's vid, so it was applied there too
    attended = next(c for c in comparisons if c["request"]["path"].endswith("/attendance/webinar-1/attend/create"))
    assert attended["mock"]["body"]["json"]["results"][0]["vid"] < 7_000_000_001
    assert attended["notes"] == []


def test_upstream_faults_pass_through_unchanged_and_are_not_applied_to_the_shadow(run: dict[str, Any]) -> None:
    seen, report = run["seen"], run["report"]
    unavailable = seen["503"]
    assert unavailable.status_code == 503 and unavailable.headers["content-type"] == JSON_CT
    assert unavailable.json()["message"] == "Service Unavailable"
    assert unavailable.headers["x-hubspot-correlation-id"] == unavailable.json()["correlationId"]
    assert seen["429"].status == 429 and json.loads(seen["429"].body)["policyName"] == "TEN_SECONDLY_ROLLING"
    upsert = by_operation(report, f"POST {EVENTS}/events/upsert")
    assert upsert["upstream_faults"] == {"503": 1}
    assert by_operation(report, f"GET {EVENTS}/{{objectId}}")["upstream_faults"] == {"429": 1}
    # the 503'd event exists nowhere: the upstream and the shadow both answer 404 (the shadow did not apply it)
    assert seen["lost_read"].status_code == 404
    lost = next(c for c in run["comparisons"] if "/events/lost-1" in c["request"]["path"])
    assert lost["outcome"] == "matched" and lost["mock"]["status"] == 404
    assert report["totals"]["upstream_faults"] == 2
    assert "upstream fault `503` (1 call): passed through, not applied to the mock" in run["markdown"]


def test_the_caller_gets_the_upstreams_answer_unchanged(run: dict[str, Any]) -> None:
    direct, proxied = run["seen"]["direct"], run["seen"]["proxied"]
    assert proxied.status_code == direct.status_code == 200
    assert proxied.content == direct.content
    volatile = {"date", "x-hubspot-correlation-id"}
    names = sorted(k for k, _ in proxied.headers.multi_items())
    assert names == sorted(k for k, _ in direct.headers.multi_items())
    for name, value in direct.headers.multi_items():
        if name not in volatile and not name.endswith("-remaining"):
            assert proxied.headers[name] == value, name
    # the live profile answers 201 here, the caller gets the upstream's 200 and the SDK its model
    assert run["seen"]["attended"] is not None and run["seen"]["attended"].results


def test_no_token_and_no_email_leaves_the_forwarding_path(run: dict[str, Any]) -> None:
    files = [run["markdown"], json.dumps(run["report"]), run["recording"], run["logs"], json.dumps(run["comparisons"]),
             run["answered"].text, run["shadow_journal"]]
    for text in files:
        assert TOKEN not in text and HAPIKEY not in text
        for email in EMAILS:
            assert email not in text
    assert "[redacted]" in run["recording"]  # the Authorization headers and the hapikey were there, redacted
    assert SHADOW_TOKEN not in run["recording"]
    assert "proxy: POST" in run["logs"]  # the proxy did log each call (without secrets)
    # the same email maps to the same hash everywhere, so the recording's read-backs still line up
    from mock_server.proxy.redaction import hash_email

    assert run["recording"].count(hash_email("ada@example.com")) >= 4


def test_the_recording_replays_offline_to_the_same_report(run: dict[str, Any]) -> None:
    import asyncio

    recording = Recording(str(run["tmp"] / "run.jsonl"))
    assert recording.upstream == run["upstream_url"]
    assert len(recording.exchanges) == run["report"]["totals"]["calls"]

    async def replayed() -> dict[str, Any]:
        engine = await replay(recording.exchanges, BASELINE, upstream=recording.upstream)
        try:
            return build_report(engine)
        finally:
            await engine.aclose()

    assert asyncio.run(replayed()) == run["report"]


def test_the_report_endpoint_answers_the_same_report(run: dict[str, Any]) -> None:
    # asked for before the last three calls: the same operations, fewer calls
    answered = run["answered"].json()
    assert answered["baseline"] == {"profile": "live", "settings": {}}
    assert answered["totals"]["calls"] == run["report"]["totals"]["calls"]
    assert answered["settings_that_match"] == run["report"]["settings_that_match"]


def test_identical_behaviour_reports_no_difference(tmp_path: Path) -> None:
    same = Settings.for_profile("live", first_vid=7_000_000_001, first_object_id=920_000_000_001)
    with serve_in_thread(create_app(same)) as upstream_url:
        with serve_proxy(ProxyConfig(upstream=upstream_url, settings=BASELINE)) as (proxy_url, _):
            seen = run_integration(proxy_url, upstream_url)
            report = httpx.post(f"{proxy_url}/__mock/proxy/report").json()
    assert seen["attended"] is None  # live: 201, which the SDK does not map
    totals = report["totals"]
    assert totals["differed"] == 0, json.dumps([op for op in report["operations"] if op["differed"]], indent=1)
    # all compared calls matched; the 503 and the 429 are the upstream's faults, the hapikey call its 401
    assert (totals["upstream_faults"], totals["not_compared"]) == (2, 1)
    assert totals["matched"] == totals["compared"] == totals["calls"] - 3 == 21
    assert report["settings_that_match"] == []


def test_a_timeout_and_a_refused_connection_become_a_gateways_answer(tmp_path: Path) -> None:
    with serve_in_thread(create_app(STAND_IN)) as upstream_url:
        config = ProxyConfig(upstream=upstream_url, settings=BASELINE, timeout_s=0.2, try_candidates=False)
        with serve_proxy(config) as (proxy_url, _):
            slow = httpx.get(f"{proxy_url}{EVENTS}/1", headers={
                "Authorization": f"Bearer {TOKEN}", "X-HubSpot-Mock-Fault": json.dumps({"action": "latency", "delay_ms": 600})})
            report = httpx.post(f"{proxy_url}/__mock/proxy/report").json()
    assert slow.status_code == 504
    body = slow.json()
    assert body["status"] == "error" and "did not answer within 0.2 s" in body["message"]
    assert slow.headers["x-hubspot-correlation-id"] == body["correlationId"]
    assert "nothing was applied to the mock" in slow.headers["x-hubspot-mock-note"]
    assert report["operations"][0]["upstream_faults"] == {"timeout": 1}

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    with serve_proxy(ProxyConfig(upstream=f"http://127.0.0.1:{port}", settings=BASELINE, try_candidates=False)) as (proxy_url, _):
        refused = httpx.post(f"{proxy_url}{EVENTS}/events/upsert", json={"inputs": []}, headers={"Authorization": f"Bearer {TOKEN}"})
        report = httpx.get(f"{proxy_url}/__mock/proxy/report").json()
    assert refused.status_code == 502 and refused.headers["content-type"] == JSON_CT
    assert "could not be reached (ConnectError)" in refused.json()["message"]
    assert report["totals"] == {"calls": 1, "matched": 0, "differed": 0, "upstream_faults": 1, "not_compared": 0, "compared": 0}


def test_comparisons_are_paged_newest_first(run: dict[str, Any]) -> None:
    # the module's proxy is gone; a short run of its own
    with serve_in_thread(create_app(STAND_IN)) as upstream_url:
        with serve_proxy(ProxyConfig(upstream=upstream_url, settings=BASELINE, try_candidates=False)) as (proxy_url, _):
            for i in range(3):
                httpx.get(f"{proxy_url}{EVENTS}/{i + 1}", headers={"Authorization": f"Bearer {TOKEN}"})
            first = httpx.get(f"{proxy_url}/__mock/proxy/comparisons", params={"limit": 2}).json()
            rest = httpx.get(f"{proxy_url}/__mock/proxy/comparisons",
                             params={"limit": 2, "before_id": first["paging"]["next"]["before_id"]}).json()
            bad = httpx.get(f"{proxy_url}/__mock/proxy/comparisons", params={"limit": "lots"})
            unknown = httpx.get(f"{proxy_url}/__mock/proxy/nothing-here")
    assert [c["id"] for c in first["comparisons"]] == [3, 2] and first["latest_id"] == 3
    assert [c["id"] for c in rest["comparisons"]] == [1] and "paging" not in rest
    assert [c["request"]["path"] for c in first["comparisons"]] == [f"{EVENTS}/3", f"{EVENTS}/2"]
    assert first["comparisons"][0]["upstream"]["status"] == first["comparisons"][0]["mock"]["status"] == 404
    assert bad.status_code == 400 and bad.json()["category"] == "VALIDATION_ERROR"
    assert unknown.status_code == 404 and unknown.json()["status"] == "error"


def test_odd_requests_are_forwarded_as_they_came() -> None:
    with serve_in_thread(create_app(STAND_IN)) as upstream_url:
        with serve_proxy(ProxyConfig(upstream=upstream_url, settings=BASELINE, try_candidates=False)) as (proxy_url, _):
            port = int(proxy_url.rsplit(":", 1)[1])
            with socket.create_connection(("127.0.0.1", port)) as conn:  # a header value that is not ASCII
                conn.sendall(f"GET {EVENTS}/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n".encode()
                             + "X-Organizer: Café\r\nConnection: close\r\n\r\n".encode("latin-1"))
                status_line = conn.makefile("rb").readline()
            slash = httpx.get(f"{proxy_url}{EVENTS}/events/a%2Fb", params={"externalAccountId": "a"},
                              headers={"Authorization": f"Bearer {TOKEN}"})
            comparisons = httpx.get(f"{proxy_url}/__mock/proxy/comparisons").json()["comparisons"]
    assert status_line.startswith(b"HTTP/1.1 404")  # the upstream's answer, not a proxy error
    assert slash.status_code == 404 and slash.json()["message"] == "resource not found"  # %2F stays encoded
    assert comparisons[0]["request"]["path"] == f"{EVENTS}/events/a%2Fb"
    assert [c["outcome"] for c in comparisons] == ["matched", "matched"]
