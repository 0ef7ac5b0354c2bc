"""The proxy's parts without HTTP: how two answers are compared, how ids are learned and rewritten, what is
redacted, how paths become operations, and which candidate settings are measured."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.proxy.candidates import candidates_for
from mock_server.proxy.compare import Difference, compare_answers, overlaps
from mock_server.proxy.exchange import Exchange, HttpAnswer, ProxiedRequest
from mock_server.proxy.ids import IdMap
from mock_server.proxy.operations import OperationNamer
from mock_server.proxy.redaction import REDACTED, Redactor, hash_email
from mock_server.proxy.engine import replay
from mock_server.proxy.report import build_report, report_paths

JSON_CT = (("content-type", "application/json;charset=utf-8"),)
RATE = tuple((f"x-hubspot-ratelimit-{n}", "1") for n in ("max", "remaining", "daily"))


def answer(body: object, status: int = 200, headers: tuple[tuple[str, str], ...] = JSON_CT + RATE) -> HttpAnswer:
    return HttpAnswer(status, headers, json.dumps(body).encode())


def lines(upstream: HttpAnswer, mock: HttpAnswer) -> list[str]:
    return [d.line() for d in compare_answers(upstream, mock)]


# ---------------------------------------------------------------------------------------------- compare
def test_ids_times_and_correlation_ids_differ_by_design_and_compare_by_type_and_format() -> None:
    theirs = {"id": "920000000001", "objectId": "920000000001", "createdAt": "2026-01-01T10:00:00.123Z",
              "correlationId": "0b5a0c1e-6d0b-4a43-9d4f-0f0f0f0f0f0f", "message": "Event 920000000001 exists", "eventName": "Launch"}
    ours = {"id": "510000000001", "objectId": "510000000001", "createdAt": "2026-12-01T22:51:19.814Z",
            "correlationId": "7c1d4b2e-0000-4000-8000-000000000000", "message": "Event 510000000001 exists", "eventName": "Launch"}
    assert lines(answer(theirs), answer(ours)) == []
    # but their formats are compared: seconds against milliseconds, a number against a string
    assert lines(answer({**theirs, "createdAt": "2026-01-01T10:00:00Z"}), answer(ours)) == [
        "body.createdAt: upstream ISO date-time (no fraction, Z), mock ISO date-time (3-digit fraction, Z)"]
    assert lines(answer({**theirs, "id": 920000000001}), answer(ours)) == ["body.id: upstream integer, mock string (digits)"]


def test_data_keys_lengths_and_headers_that_matter_are_compared() -> None:
    theirs = {"status": "COMPLETE", "results": [{"vid": 1, "email": "a@x.com"}], "numErrors": 1,
              "errors": [{"category": "VALIDATION_ERROR", "subCategory": "X.Y", "message": "no"}]}
    ours = {"status": "PENDING", "results": [], "errors": [{"category": "OBJECT_NOT_FOUND", "message": "other"}]}
    headers = (("content-type", "application/json"),)
    assert lines(answer(theirs, 200), answer(ours, 201, headers)) == [
        "status: upstream 200, mock 201",
        "headers.content-type: upstream application/json;charset=utf-8, mock application/json",
        "headers.x-hubspot-ratelimit-daily: upstream present, mock (absent)",
        "headers.x-hubspot-ratelimit-max: upstream present, mock (absent)",
        "headers.x-hubspot-ratelimit-remaining: upstream present, mock (absent)",
        "body.errors[*].category: upstream \"VALIDATION_ERROR\", mock \"OBJECT_NOT_FOUND\"",
        "body.errors[*].subCategory: upstream \"X.Y\", mock (absent)",
        "body.numErrors: upstream 1, mock (absent)",
        "body.results: upstream 1 item, mock 0 items",
        "body.status: upstream \"COMPLETE\", mock \"PENDING\"",
    ]
    # `; charset=UTF-8` and `;charset=utf-8` are one content type
    spaced = (("Content-Type", "application/json; charset=UTF-8"),) + RATE
    assert lines(answer({}, headers=spaced), answer({})) == []


def test_an_error_against_a_success_is_one_status_line_with_the_reason() -> None:
    error = answer({"status": "error", "category": "VALIDATION_ERROR", "message": "externalAccountId is required",
                    "correlationId": "x"}, 400)
    assert lines(answer({"status": "COMPLETE", "results": []}), error) == [
        "status: upstream 200, mock 400 (VALIDATION_ERROR: externalAccountId is required)"]
    assert lines(HttpAnswer(204, ()), HttpAnswer(200, JSON_CT, b'{"status":"COMPLETE"}')) == [
        "status: upstream 204, mock 200", "headers.content-type: upstream (absent), mock application/json;charset=utf-8",
        "body: upstream empty, mock JSON object"]


def test_list_items_are_paired_by_their_natural_keys_not_their_order() -> None:
    theirs = {"results": [{"email": "a@x.com", "vid": 7}, {"email": "b@x.com", "vid": 8, "extra": 1}]}
    ours = {"results": [{"email": "b@x.com", "vid": 2}, {"email": "a@x.com", "vid": 1}]}
    assert lines(answer(theirs), answer(ours)) == ["body.results[*].extra: upstream 1, mock (absent)"]
    ids = IdMap()
    ids.learn(theirs, ours)
    assert ids.to_shadow == {"7": "1", "8": "2"}


# ---------------------------------------------------------------------------------------------- ids
def test_ids_learned_from_answers_rewrite_later_paths_queries_and_bodies() -> None:
    ids = IdMap()
    ids.learn({"results": [{"objectId": "920000000001", "vid": 7000000001}]}, {"results": [{"objectId": "510000000001", "vid": 2147483649}]})
    path, query, body, unmapped = ids.rewrite(
        "/marketing/v3/marketing-events/920000000001/attendance/attend/create",
        [("marketingEventId", "920000000001"), ("limit", "10")],
        {"inputs": [{"vid": 7000000001, "interactionDateTime": 1764601200000}, {"vid": 123}], "vids": ["7000000001"]},
    )
    assert path == "/marketing/v3/marketing-events/510000000001/attendance/attend/create"
    assert query == [("marketingEventId", "510000000001"), ("limit", "10")]
    assert body == {"inputs": [{"vid": 2147483649, "interactionDateTime": 1764601200000}, {"vid": 123}], "vids": ["2147483649"]}
    assert unmapped == ["123"]  # a vid no answer paired: said in the comparison's notes


def test_short_ids_are_rewritten_only_where_an_id_belongs() -> None:
    ids = IdMap()
    ids.learn({"id": "7"}, {"id": "1"})
    _, query, body, _ = ids.rewrite("/x/7", [("limit", "7"), ("contactId", "7")], {"count": 7, "listId": 7})
    assert query == [("limit", "7"), ("contactId", "1")] and body == {"count": 7, "listId": 1}
    # a second answer never re-pairs an id: an object keeps its id
    ids.learn({"id": "7"}, {"id": "5"})
    assert ids.to_shadow["7"] == "1"


# ---------------------------------------------------------------------------------------------- redaction
def test_tokens_go_by_name_and_by_value_and_emails_hash_stably() -> None:
    redactor = Redactor(hash_emails=True)
    headers = (("Authorization", "Bearer pat-na1-abcdef123456"), ("Cookie", "s=1"), ("X-Trace", "pat-na1-abcdef123456"))
    query = (("hapikey", "legacy-key-000111"), ("externalAccountId", "acct-1"))
    redactor.remember(headers, query)
    request = redactor.request(ProxiedRequest("POST", "/contacts/Ada%40Example.com/breakdown", query, headers,
                                              b'{"email":"Ada@Example.com","note":"key legacy-key-000111"}'))
    assert request.headers == (("Authorization", REDACTED), ("Cookie", REDACTED), ("X-Trace", REDACTED))
    assert request.query == (("hapikey", REDACTED), ("externalAccountId", "acct-1"))
    hashed = hash_email("ada@example.com")
    assert hashed == hash_email("  ADA@example.COM") and hashed.endswith("@hashed.invalid")
    assert request.path == f"/contacts/{hashed}/breakdown"
    assert json.loads(request.body) == {"email": hashed, "note": f"key {REDACTED}"}
    said = redactor.answer(HttpAnswer(400, JSON_CT, b'{"message":"for `ada@example.com`"}'))
    assert json.loads(said.body) == {"message": f"for `{hashed}`"}
    # an exchange survives its own recording format
    exchange = Exchange(request, said, "2026-01-01T00:00:00.000Z", 1.5, None)
    assert Exchange.from_data(json.loads(json.dumps(exchange.to_data()))) == exchange


# ---------------------------------------------------------------------------------------------- operations
def test_paths_become_the_mocks_operations_with_literal_segments_first() -> None:
    namer = OperationNamer([
        "/marketing/v3/marketing-events/{objectId}", "/marketing/v3/marketing-events/events/{externalEventId}",
        "/marketing/v3/marketing-events/events/upsert", "/marketing/v3/marketing-events/participations/{marketingEventId}",
    ])
    assert namer.name("POST", "/marketing/v3/marketing-events/events/upsert") == "POST /marketing/v3/marketing-events/events/upsert"
    assert namer.name("GET", "/marketing/v3/marketing-events/events/w-1") == "GET /marketing/v3/marketing-events/events/{externalEventId}"
    assert namer.name("GET", "/marketing/v3/marketing-events/51") == "GET /marketing/v3/marketing-events/{objectId}"
    # a path the mock does not serve is grouped with its ids and emails taken out
    assert namer.name("GET", "/crm/v3/objects/contacts/7000000001") == "GET /crm/v3/objects/contacts/{id}"
    assert namer.name("GET", "/marketing/v3/marketing-events/participations/contacts/a%40x.com/breakdown") == (
        "GET /marketing/v3/marketing-events/participations/contacts/{email}/breakdown")


# ---------------------------------------------------------------------------------------------- candidates
def test_candidates_flip_one_behaviour_each_and_keep_the_users_own_settings() -> None:
    baseline = Settings.for_profile("live", mixed_batch_status=207)
    found = {c.label: c.settings for c in candidates_for(baseline)}
    assert {"profile=spec", "record_by_contact_ids_status=200", "item_error_shape=spec",
            "iso_interaction_datetime=drop", "iso_interaction_datetime=reject", "reject_unknown_fields=false",
            "mixed_batch_status=200", "upsert_by_contact_id_status=200"} <= set(found)
    # settings that say how the mock runs, not how HubSpot behaves, are not measured
    assert not any(label.split("=")[0] in ("accept_any_token", "admin_enabled", "access_log", "enforce_rate_limits") for label in found)
    assert "record_by_contact_ids_status=201" not in found  # the baseline's own value
    assert "record_by_contact_ids_status=204" not in found  # only the statuses the setting takes
    spec = found["profile=spec"]
    assert spec.profile == "spec" and spec.record_by_contact_ids_status == 200 and spec.mixed_batch_status == 207
    flipped = found["item_error_shape=spec"]
    assert flipped.item_error_shape == "spec" and flipped.record_by_contact_ids_status == 201 and flipped.mixed_batch_status == 207


def test_report_files_are_named_by_extension() -> None:
    assert [p.name for p in report_paths("out/fidelity")] == ["fidelity.md", "fidelity.json"]
    assert [p.name for p in report_paths("fidelity.json")] == ["fidelity.md", "fidelity.json"]
    assert [p.name for p in report_paths("fidelity.md")] == ["fidelity.md", "fidelity.json"]


def test_a_difference_reads_as_one_line() -> None:
    assert Difference("status", "200", "201").line() == "status: upstream 200, mock 201"


def test_a_difference_is_fixed_only_when_nothing_differs_at_inside_or_around_it() -> None:
    assert overlaps("body.errors[*].context", ["body.errors"])  # no errors at all is not the right errors
    assert overlaps("body.errors", ["body.errors[*].context"])
    assert overlaps("status", ["status"])
    assert not overlaps("body.errorsCount", ["body.errors"])
    assert not overlaps("body.results", ["status", "body.total"])


# ---------------------------------------------------------------------------------------------- the engine, offline
def exchanges_from(upstream: Any, calls: list[tuple[str, str, Any]]) -> list[Exchange]:
    """Exchanges as the proxy would have recorded them, answered by a stand-in called in process."""
    client = TestClient(upstream)
    found = []
    for method, target, body in calls:
        path, _, query = target.partition("?")
        content = json.dumps(body).encode() if body is not None else b""
        headers = (("content-type", "application/json"),) if body is not None else ()
        r = client.request(method, target, content=content, headers={"Authorization": "Bearer t", **dict(headers)})
        pairs = tuple(tuple(p.split("=", 1)) for p in query.split("&") if p)
        found.append(Exchange(ProxiedRequest(method, path, pairs, headers, content),  # type: ignore[arg-type]
                              HttpAnswer(r.status_code, tuple(r.headers.multi_items()), r.content)))
    return found


def report_for(upstream_settings: Settings, calls: list[tuple[str, str, Any]]) -> dict[str, Any]:
    exchanges = exchanges_from(create_app(upstream_settings), calls)

    async def run() -> dict[str, Any]:
        engine = await replay(exchanges, Settings.for_profile("live"), upstream="stand-in")
        try:
            return build_report(engine)
        finally:
            await engine.aclose()

    return asyncio.run(run())


EVENT = {"externalAccountId": "a", "externalEventId": "w", "eventName": "n", "eventOrganizer": "o", "customProperties": []}


def test_a_setting_that_removes_the_errors_is_not_credited_with_their_shape() -> None:
    report = report_for(Settings.for_profile("spec", first_object_id=920_000_000_001), [
        ("POST", "/marketing/v3/marketing-events/events/upsert", {"inputs": [EVENT]}),
        ("POST", "/marketing/v3/marketing-events/attendance/w/register/create?externalAccountId=a",
         {"inputs": [{"vid": 123, "interactionDateTime": 1764601200000, "properties": {}}]}),
    ])
    suggested = {s["setting"]: s for s in report["settings_that_match"]}
    assert suggested["item_error_shape=spec"]["differences_fixed"] == 3  # context, errors, links
    assert suggested["record_by_contact_ids_status=200"]["differences_fixed"] == 1
    # `ignore` answers no errors at all: that fixes none of their fields, it adds `errors` and `numErrors`
    assert "unknown_vid_on_create=ignore" not in suggested


def test_a_candidate_whose_status_class_differs_fixes_no_body_difference() -> None:
    # The upstream answers a repeat with its results, the baseline with none (`body.results` differs). The
    # `reject` candidate answers the ISO interactionDateTime with a 400, whose body is not compared: that must
    # not count as fixing `body.results`.
    report = report_for(Settings.for_profile("live", first_object_id=920_000_000_001, repeat_returns_empty_results=False), [
        ("POST", "/marketing/v3/marketing-events/events/upsert", {"inputs": [EVENT]}),
        ("POST", "/marketing/v3/marketing-events/920000000001/attendance/register/email-create",
         {"inputs": [{"email": "a@x.com", "interactionDateTime": "2026-12-01T15:00:00Z", "properties": {}}]}),
        ("POST", "/marketing/v3/marketing-events/920000000001/attendance/register/email-create",
         {"inputs": [{"email": "a@x.com", "interactionDateTime": "2026-12-01T15:00:00Z", "properties": {}}]}),
    ])
    suggested = {s["setting"] for s in report["settings_that_match"]}
    assert "repeat_returns_empty_results=false" in suggested
    assert "iso_interaction_datetime=reject" not in suggested


def test_the_rate_limits_a_portal_states_make_its_tier_measurable() -> None:
    report = report_for(Settings.for_profile("live", first_object_id=920_000_000_001, rate_limit_tier="professional"), [
        ("POST", "/marketing/v3/marketing-events/events/upsert", {"inputs": [EVENT]}),
        ("GET", "/marketing/v3/marketing-events/920000000001", None),
    ])
    (op, *_) = [op for op in report["operations"] if op["operation"] == "GET /marketing/v3/marketing-events/{objectId}"]
    assert [(d["field"], d["upstream"], d["mock"]) for d in op["differences"]] == [
        ("headers.x-hubspot-ratelimit-daily", "625000", "250000"), ("headers.x-hubspot-ratelimit-max", "190", "100"),
        ("headers.x-hubspot-ratelimit-secondly", "19", "10")]
    # professional matches every limit of both calls; enterprise shares the ten-second limits, not the daily one
    assert [(s["setting"], s["differences_fixed"], s["calls_matched"]) for s in report["settings_that_match"]] == [
        ("rate_limit_tier=professional", 6, 2), ("rate_limit_tier=enterprise", 4, 0)]
