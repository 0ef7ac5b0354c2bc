"""The proxy's `/__mock/`: the baseline shadow's admin API (what the inspector page reads), the comparisons as
the page reads them, and what the proxy refuses there.

Against a stand-in upstream (the mock with the spec profile and its own ids, as in test_proxy.py), driven by the
official Python SDK. Proves: the proxy's journal is the shadow's (each applied call, with the shadow's ids, the
caller's token never in it) and nothing under /__mock/ reaches the upstream; each comparison carries the
correlation id of the shadow's answer, which finds its journal entry and back; faults, reset and seed on the
shadow are refused with a 409 and change nothing; the Host and admin-token rules hold for the proxy's own
endpoints as for the shadow's.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Iterator

import httpx
import hubspot
import pytest
from hubspot.marketing.events import (
    BatchInputMarketingEventCreateRequestParams,
    BatchInputMarketingEventEmailSubscriber,
    BatchInputMarketingEventSubscriber,
    MarketingEventSubscriber,
)
from hubspot.marketing.events.exceptions import ServiceException

from mock_server import create_app
from mock_server.proxy import ProxyConfig
from mock_server.proxy.admin import PROXY_HEADER
from mock_server.testing import serve_in_thread
from test_proxy import ACCOUNT, BASELINE, EVENTS, STAND_IN, TOKEN, by_email, event, serve_proxy

JSON = {"Content-Type": "application/json"}


@dataclasses.dataclass
class Run:
    proxy: str
    upstream: str
    service: Any
    object_id: str


def integration(events: Any, upstream_url: str, second_email: str = "grace@example.com") -> str:
    """Through the proxy (`events`: the SDK's marketing.events API pointed at it): an event, two registrations, an
    attendance by vid (the stand-in answers 200, the shadow 201), a read-back, and a 503 armed on the upstream.
    Returns the event's objectId (the upstream's)."""
    created = events.batch_api.upsert(BatchInputMarketingEventCreateRequestParams(inputs=[event("webinar-1")]))
    object_id = created.results[0].object_id
    registered = events.add_event_attendees_api.record_by_email(object_id, "register", BatchInputMarketingEventEmailSubscriber(
        inputs=[by_email("ada@example.com"), by_email(second_email)]))
    vid = next(r.vid for r in registered.results if r.email == "ada@example.com")
    events.add_event_attendees_api.record_by_contact_ids("webinar-1", "attend", BatchInputMarketingEventSubscriber(inputs=[
        MarketingEventSubscriber(vid=vid, interaction_date_time=1_764_601_260_000, properties={})]), external_account_id=ACCOUNT)
    events.basic_api.get_by_object_id(object_id)
    httpx.post(f"{upstream_url}/__mock/faults", json={"action": "respond", "status": 503, "times": 1}).raise_for_status()
    with pytest.raises(ServiceException):
        events.basic_api.get_by_object_id(object_id)
    return object_id


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    with serve_in_thread(create_app(STAND_IN)) as upstream_url:
        with serve_proxy(ProxyConfig(upstream=upstream_url, settings=BASELINE)) as (proxy_url, service):
            yield Run(proxy_url, upstream_url, service, integration(hubspot.Client.create(access_token=TOKEN, host=proxy_url).marketing.events, upstream_url))


def comparisons(run: Run, **params: Any) -> list[dict[str, Any]]:
    answer = httpx.get(f"{run.proxy}/__mock/proxy/comparisons", params={"limit": 1000, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()["comparisons"]


def journal(run: Run, **params: Any) -> dict[str, Any]:
    answer = httpx.get(f"{run.proxy}/__mock/journal", params={"limit": 1000, **params})
    assert answer.status_code == 200, answer.text
    assert answer.headers[PROXY_HEADER] == "/__mock/proxy"  # what tells the inspector page it is on a proxy
    return answer.json()


# ---------------------------------------------------------------------------------------------- the journal
def test_the_proxys_journal_is_the_shadows_each_applied_call_with_the_shadows_ids(run: Run) -> None:
    entries = journal(run)["results"]
    applied = [c for c in comparisons(run) if c["mock"] is not None]
    # every call the upstream applied, and only those (the 503 reached no shadow), newest first
    assert [(e["method"], e["status"]) for e in entries] == [(c["request"]["method"], c["mock"]["status"]) for c in applied]
    assert len(entries) == 4
    # the shadow's ids, not the upstream's: the read-back reached the shadow's own event
    read = entries[0]
    assert read["operation"] == "getByObjectId" and read["status"] == 200
    shadow_id = read["path"].rsplit("/", 1)[1]
    assert shadow_id != run.object_id and int(shadow_id) < 920_000_000_001
    assert run.service.engine.baseline.ids.to_shadow[run.object_id] == shadow_id
    attend = next(e for e in entries if e["path"].endswith("/attendance/webinar-1/attend/create"))
    assert attend["status"] == 201  # the shadow runs the live profile; the caller got the stand-in's 200
    # the caller's token never reaches the shadow: its journal holds the shadow's own, redacted
    text = httpx.get(f"{run.proxy}/__mock/journal", params={"limit": 1000}).text
    assert TOKEN not in text and '"authorization":"[redacted]"' in text.replace(" ", "").lower()


def test_the_shadows_state_pages_answer_on_the_proxy_and_nothing_under_mock_goes_upstream(run: Run) -> None:
    events = httpx.get(f"{run.proxy}/__mock/events").json()
    assert [e["externalEventId"] for e in events["results"]] == ["webinar-1"]
    assert events["results"][0]["attendees"] == 2
    contacts = httpx.get(f"{run.proxy}/__mock/contacts").json()
    assert sorted(c["email"] for c in contacts["results"]) == ["ada@example.com", "grace@example.com"]
    page = httpx.get(f"{run.proxy}/__mock/ui")
    assert page.status_code == 200 and "inspector.js" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    snapshot = httpx.post(f"{run.proxy}/__mock/snapshot", headers=JSON)
    assert snapshot.status_code == 200 and len(snapshot.json()["portals"][0]["events"]) == 1
    spec = httpx.get(f"{run.proxy}/__mock/proxy/openapi.json").json()
    assert "/marketing/v3/marketing-events/events/upsert" in spec["paths"]
    # the upstream saw its API calls and the test's own fault arming, never a /__mock/ call from the proxy
    upstream_paths = {e["path"] for e in httpx.get(f"{run.upstream}/__mock/journal", params={"kind": "all", "limit": 1000}).json()["results"]}
    assert upstream_paths & {"/__mock/journal", "/__mock/events", "/__mock/contacts", "/__mock/ui", "/__mock/snapshot"} == set()


# ---------------------------------------------------------------------------------------------- comparisons
def test_each_comparison_carries_the_shadows_correlation_id_which_finds_its_journal_entry(run: Run) -> None:
    found = comparisons(run)
    applied = [c for c in found if c["mock"] is not None]
    assert len(applied) == 4
    for comparison in applied:
        correlation_id = comparison["shadow_correlation_id"]
        headers = {k.lower(): v for k, v in comparison["mock"]["headers"]}
        assert correlation_id == headers["x-hubspot-correlation-id"]
        # searched in the shadow's journal with ?text=, it is that call
        (entry,) = [e for e in journal(run, text=correlation_id)["results"] if e["correlation_id"] == correlation_id]
        assert entry["method"] == comparison["request"]["method"] and entry["status"] == comparison["mock"]["status"]
        # and back: the comparisons filtered by it are that one
        assert [c["id"] for c in comparisons(run, correlation_id=correlation_id)] == [comparison["id"]]
    fault = next(c for c in found if c["outcome"] == "upstream_fault")
    assert fault["shadow_correlation_id"] is None and fault["mock"] is None
    attend = next(c for c in applied if c["request"]["path"].endswith("/attend/create"))
    assert attend["outcome"] == "differed" and attend["differences_count"] == len(attend["differences"]) >= 1
    status = next(d for d in attend["differences"] if d["field"] == "status")
    assert (status["upstream"], status["mock"]) == ("200", "201")
    assert "record_by_contact_ids_status=200" in status["settings_that_match"]


def test_one_comparison_by_id_summaries_filters_and_paging_both_ways(run: Run) -> None:
    full = comparisons(run)
    newest = full[0]
    one = httpx.get(f"{run.proxy}/__mock/proxy/comparisons/{newest['id']}")
    assert one.status_code == 200 and one.json() == newest
    for missing in ("999", "0", "abc", "²"):
        gone = httpx.get(f"{run.proxy}/__mock/proxy/comparisons/{missing}")
        assert gone.status_code == 404 and gone.json()["category"] == "OBJECT_NOT_FOUND"

    summaries = comparisons(run, summary="true")
    assert [s["id"] for s in summaries] == [c["id"] for c in full]
    for summary, comparison in zip(summaries, full):
        assert set(summary) == {"id", "at", "operation", "outcome", "reason", "request", "upstream", "mock", "differences_count",
                                "settings_that_match", "shadow_correlation_id"}
        assert summary["request"] == {"method": comparison["request"]["method"], "path": comparison["request"]["path"]}
        assert summary["differences_count"] == len(comparison["differences"])

    assert {c["outcome"] for c in comparisons(run, outcome="differed")} == {"differed"}
    assert [c["outcome"] for c in comparisons(run, outcome="upstream_fault")] == ["upstream_fault"]
    bad = httpx.get(f"{run.proxy}/__mock/proxy/comparisons", params={"outcome": "sort-of"})
    assert bad.status_code == 400 and "outcome must be one of" in bad.json()["message"]

    # a poller asks for what came after the newest it has; paging goes the other way
    ids = [c["id"] for c in full]
    newer = httpx.get(f"{run.proxy}/__mock/proxy/comparisons", params={"after_id": ids[2]}).json()
    assert [c["id"] for c in newer["comparisons"]] == ids[:2] and newer["latest_id"] == ids[0]
    first = httpx.get(f"{run.proxy}/__mock/proxy/comparisons", params={"limit": 4}).json()
    rest = httpx.get(f"{run.proxy}/__mock/proxy/comparisons", params={"limit": 4, **first["paging"]["next"]}).json()
    assert [c["id"] for c in first["comparisons"] + rest["comparisons"]] == ids and "paging" not in rest


# ---------------------------------------------------------------------------------------------- what is refused
def test_faults_reset_and_seed_on_the_shadow_are_refused_and_change_nothing(run: Run) -> None:
    before = httpx.get(f"{run.proxy}/__mock/state").json()
    armed = httpx.post(f"{run.proxy}/__mock/faults", headers=JSON, json={"action": "respond", "status": 503})
    reset = httpx.post(f"{run.proxy}/__mock/reset", headers=JSON)
    seed = httpx.post(f"{run.proxy}/__mock/seed", headers=JSON, json={"contacts": [{"email": "new@example.com"}]})
    for answer, says in ((armed, "Arm faults on the upstream"), (reset, "Restart the proxy"), (seed, "--seed FILE")):
        assert answer.status_code == 409, answer.text
        body = answer.json()
        assert body["status"] == "error" and body["category"] == "CONFLICT" and says in body["message"]
        assert answer.headers["x-hubspot-correlation-id"] == body["correlationId"]
    assert httpx.get(f"{run.proxy}/__mock/faults").json() == []
    assert httpx.get(f"{run.proxy}/__mock/state").json() == before
    # reading faults and their presets is fine (the page reads them); a malformed write still meets the guard
    assert httpx.get(f"{run.proxy}/__mock/faults/presets").status_code == 200
    assert httpx.post(f"{run.proxy}/__mock/faults", headers={"Host": "evil.example", **JSON}, json={}).status_code == 403


def test_the_host_rule_holds_for_the_proxys_endpoints_and_the_shadows(run: Run) -> None:
    rebinding = {"Host": "attacker.example:8090"}
    for path in ("/__mock/journal", "/__mock/ui", "/__mock/proxy/comparisons", "/__mock/proxy/comparisons/1", "/__mock/proxy/report"):
        answer = httpx.get(f"{run.proxy}{path}", headers=rebinding)
        assert answer.status_code == 403, path
        assert answer.json()["category"] == "FORBIDDEN"
    assert httpx.get(f"{run.proxy}/__mock/proxy/comparisons", headers={"Host": "localhost"}).status_code == 200


def test_with_an_admin_token_both_want_it_and_it_never_goes_upstream(tmp_path: Path) -> None:
    settings = dataclasses.replace(BASELINE, admin_token="admin-s3cret")
    with serve_in_thread(create_app(STAND_IN)) as upstream_url:
        with serve_proxy(ProxyConfig(upstream=upstream_url, settings=settings, try_candidates=False)) as (proxy_url, _):
            httpx.get(f"{proxy_url}{EVENTS}/1", headers={"Authorization": f"Bearer {TOKEN}"})
            for path in ("/__mock/journal", "/__mock/proxy/comparisons", "/__mock/proxy/report"):
                assert httpx.get(f"{proxy_url}{path}").status_code == 401, path
                wrong = httpx.get(f"{proxy_url}{path}", headers={"Authorization": "Bearer guess"})
                assert wrong.status_code == 401 and wrong.json()["category"] == "INVALID_AUTHENTICATION"
                assert httpx.get(f"{proxy_url}{path}", headers={"Authorization": "Bearer admin-s3cret"}).status_code == 200, path
            refused = httpx.post(f"{proxy_url}/__mock/reset", headers=JSON)
            assert refused.status_code == 401  # the token first, then the refusal
            report = httpx.get(f"{proxy_url}/__mock/proxy/report?format=markdown", headers={"Authorization": "Bearer admin-s3cret"})
            assert report.status_code == 200 and "admin-s3cret" not in report.text  # a report is shared: no token in it
            upstream_calls = httpx.get(f"{upstream_url}/__mock/journal", params={"kind": "all", "limit": 1000}).text
    assert "admin-s3cret" not in upstream_calls and "/__mock/journal" not in upstream_calls


def test_bound_beyond_loopback_without_a_token_the_shadows_admin_api_is_off(tmp_path: Path) -> None:
    settings = dataclasses.replace(BASELINE, host="0.0.0.0")  # what `hubspot-mock proxy --host 0.0.0.0` gives the shadow
    with serve_in_thread(create_app(STAND_IN)) as upstream_url:
        with serve_proxy(ProxyConfig(upstream=upstream_url, settings=settings, try_candidates=False)) as (proxy_url, _):
            journal_answer = httpx.get(f"{proxy_url}/__mock/journal")
            page = httpx.get(f"{proxy_url}/__mock/ui")
            reset = httpx.post(f"{proxy_url}/__mock/reset", headers=JSON)
    assert journal_answer.status_code == page.status_code == reset.status_code == 404


def test_a_get_of_the_report_only_reads_a_post_writes_the_files(tmp_path: Path) -> None:
    report = tmp_path / "fidelity"
    with serve_in_thread(create_app(STAND_IN)) as upstream_url:
        config = ProxyConfig(upstream=upstream_url, settings=BASELINE, try_candidates=False, report_path=str(report))
        with serve_proxy(config) as (proxy_url, _):
            httpx.get(f"{proxy_url}{EVENTS}/1", headers={"Authorization": f"Bearer {TOKEN}"})
            read = httpx.get(f"{proxy_url}/__mock/proxy/report")
            written_after_get = report.with_suffix(".json").exists()
            posted = httpx.post(f"{proxy_url}/__mock/proxy/report")
            written_after_post = report.with_suffix(".json").exists()
    assert read.json()["totals"]["calls"] == posted.json()["totals"]["calls"] == 1
    assert not written_after_get and written_after_post


def test_the_cli_gives_the_shadow_the_proxys_bound_host(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from mock_server.proxy import cli

    built: list[ProxyConfig] = []

    def capture(config: ProxyConfig) -> Any:
        built.append(config)
        raise ValueError("stopped before binding")

    monkeypatch.setattr(cli, "create_proxy_app", capture)
    assert cli.proxy_main(["--host", "0.0.0.0", "--port", "0", "--set", "admin_token=t0ken"]) == 2
    assert "stopped before binding" in capsys.readouterr().err
    (config,) = built
    assert config.settings.host == "0.0.0.0" and config.settings.admin_token == "t0ken"
