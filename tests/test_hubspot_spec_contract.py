"""schemathesis driven by HubSpot's own specs (v3 and 2026-03, pinned in contracts/hubspot_spec/), in process.

Our own spec can agree with the mock and both be wrong: here HubSpot's published documents generate the requests
and judge the answers. Every one of HubSpot's 36 operations, positive and negative data, with the checks
not_a_server_error, response_schema_conformance, status_code_conformance and content_type_conformance. An
answer may break HubSpot's spec only where contracts/hubspot_spec_allowlist.yaml says so (operation, check and
status, narrowed to a message or held to another status's schema, with the reason); each operation must answer
no 5xx, break nothing else, and answer 2xx at least once. Only the generation is eased: arrays that only
requests use are capped at two items (a batch of 20-field custom properties costs a second a case otherwise).

Half of the positive cases are steered onto seeded objects (events, objectIds, contacts, lists, the developer
key's app) so that they reach the rules instead of 404s. HubSpot's spec declares OAuth: every case carries a
Bearer token; the app-settings operations carry the developer key in `?hapikey=` as the mock (and HubSpot's
2026-09 spec) authenticate them. CONTRACT_EXAMPLES sets the examples per operation (12 by default).
"""

from __future__ import annotations

import copy
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import hypothesis.strategies as st
import jsonschema_rs
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance
from starlette.testclient import TestClient

from contracts import drift

from steering import EVENT_DETAILS_URL, Seeded, steered

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "12"))
THOROUGH = "CONTRACT_EXAMPLES" in os.environ
VERSIONS = ("v3", "2026-03")
ALLOWLIST = drift.HERE / "hubspot_spec_allowlist.yaml"
REQUEST_ARRAY_ITEMS = 2
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]

SEEDED = Seeded.for_suite(2**31 + 2000, 4, developer_key="dev-hubspot-spec", token="pat-hubspot-spec")
app, OBJECT_IDS = SEEDED.app()


# ---------------------------------------------------------------------------------------------- the allow-list
@dataclass(frozen=True)
class Allowed:
    """Answers of these operations with these statuses may fail these checks (every combination): entirely, or
    only with a message holding `violation`, or (`judged_as`) if their body passes as HubSpot's answer of that
    status instead."""

    operations: tuple[str, ...]  # our operationIds
    checks: tuple[str, ...]
    statuses: tuple[int, ...]
    reason: str
    versions: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    violation: str | None = None
    judged_as: int | None = None

    def covers(self, operation: str, check: str, status: int, version: str, message: str, profile: str) -> bool:
        return (operation in self.operations and check in self.checks and status in self.statuses
                and (not self.versions or version in self.versions) and (not self.profiles or profile in self.profiles)
                and (self.violation is None or self.violation in message))


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value if isinstance(value, list) else [value]))


def load_allowlist(path: Path = ALLOWLIST) -> list[Allowed]:
    return [
        Allowed(_strings(e["operations"]), _strings(e["checks"]), tuple(int(s) for s in _strings(e["statuses"])),
                str(e.get("reason") or "").strip(), _strings(e.get("versions") or []), _strings(e.get("profiles") or []),
                e.get("violation"), e.get("judged_as"))
        for e in yaml.safe_load(path.read_text(encoding="utf-8")) or []
    ]


PROFILE = app.state.settings.profile
ALLOWED = load_allowlist()


# ---------------------------------------------------------------------------------------------- schemas
def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"].rsplit("/", 1)[-1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _cap_arrays(node: Any, limit: int) -> None:
    if isinstance(node, dict):
        if node.get("type") == "array":
            node["maxItems"] = min(node.get("maxItems", limit), limit)
        for key, value in node.items():
            if key != "$ref":
                _cap_arrays(value, limit)
    elif isinstance(node, list):
        for value in node:
            _cap_arrays(value, limit)


def _generating_copy(version: str) -> dict[str, Any]:
    """HubSpot's spec with the arrays only requests use capped at a few items: generating batches of 20-field
    custom properties costs a second a case otherwise. What answers must look like is untouched: no schema that
    a response reaches is changed."""
    document = copy.deepcopy(drift.load_hubspot(version))
    schemas = document["components"]["schemas"]
    answered = set()
    todo = [r for item in document["paths"].values() for op in item.values() if isinstance(op, dict) for r in _refs(op.get("responses", {}))]
    todo += list(_refs(document["components"].get("responses", {})))
    while todo:
        name = todo.pop()
        if name in schemas and name not in answered:
            answered.add(name)
            todo += list(_refs(schemas[name]))
    for name, schema in schemas.items():
        if name not in answered:
            _cap_arrays(schema, REQUEST_ARRAY_ITEMS)
    return document


def _schema(version: str) -> Any:
    schema = schemathesis.openapi.from_dict(_generating_copy(version))
    schema.app = app
    schema.config.headers = {"Authorization": f"Bearer {SEEDED.token}"}
    return schema


SCHEMAS = {version: _schema(version) for version in VERSIONS}


def _ours(version: str, method: str, path: str) -> dict[str, Any]:
    return app.state.openapi_versions[version]["paths"][path][method.lower()]


def _hubspot_operation(version: str, operation_id: str) -> dict[str, Any]:
    """HubSpot's operation at the method and path of our operation."""
    path, method = next((p, m) for p, item in app.state.openapi_versions[version]["paths"].items() for m, op in item.items()
                        if isinstance(op, dict) and op.get("operationId") == operation_id)
    return drift.load_hubspot(version)["paths"][path][method]


def operations() -> Iterator[Any]:
    for version, schema in SCHEMAS.items():
        for result in schema.get_all_operations():
            operation = result.ok()
            yield pytest.param(version, operation, id=f"{version}-{_ours(version, operation.method, operation.path)['operationId']}")


# ---------------------------------------------------------------------------------------------- steering
def _steered(case: Any, version: str) -> Any:
    """Onto seeded objects, the body holding only the fields HubSpot's spec declares (the live profile refuses
    unknown fields, setting reject_unknown_fields): the case gets past the 400s and 404s to the rules."""
    case.body = _declared_fields_only(case.body, _request_schema(version, case.operation), version)
    return steered(case, SEEDED, OBJECT_IDS)


def _request_schema(version: str, operation: Any) -> Any:
    body = drift.load_hubspot(version)["paths"][operation.path][operation.method.lower()].get("requestBody") or {}
    return body.get("content", {}).get("application/json", {}).get("schema")


def _declared_fields_only(value: Any, schema: Any, version: str) -> Any:
    schema = drift.resolve(drift.load_hubspot(version), schema or {})
    if isinstance(value, dict) and "properties" in schema:
        return {k: _declared_fields_only(v, schema["properties"][k], version) for k, v in value.items() if k in schema["properties"]}
    if isinstance(value, list) and "items" in schema:
        return [_declared_fields_only(v, schema["items"], version) for v in value]
    return value


def _with_credentials(case: Any, version: str) -> Any:
    if _ours(version, case.operation.method, case.operation.path).get("x-auth") == "developer_hapikey":
        case.query = {**(case.query or {}), "hapikey": SEEDED.developer_key}
    return case


def strategy(version: str, operation: Any, mode: GenerationMode) -> Any:
    cases = operation.as_strategy(generation_mode=mode)
    if mode == GenerationMode.POSITIVE:  # half of them onto seeded objects; negative cases stay as generated
        cases = st.tuples(cases, st.booleans()).flatmap(lambda pair: _steered(pair[0], version) if pair[1] else st.just(pair[0]))
    return cases.map(lambda case: _with_credentials(case, version))


# ---------------------------------------------------------------------------------------------- the run
def reset() -> None:
    """Every case meets the seeded state (another case may have deleted an event), the seeded app's settings
    set (a seed cannot hold them)."""
    app.state.reset()
    app.state.backend.set_app_settings(SEEDED.app_id, EVENT_DETAILS_URL)


@dataclass
class Census:
    statuses: Counter[int] = field(default_factory=Counter)
    violations: dict[str, str] = field(default_factory=dict)  # check and status -> the first example, readable

    def take(self, operation_id: str, version: str, case: Any, response: Any) -> None:
        self.statuses[response.status_code] += 1
        for check in CHECKS:  # one at a time: a failure is then known to be that check's
            try:
                case.validate_response(response, checks=[check])
            except FailureGroup as group:
                message = f"{group.exceptions[0].title}: {group.exceptions[0].message}"
                unexcused = _unexcused(operation_id, version, check.__name__, response, message)
                if unexcused is not None:
                    key, why = unexcused
                    self.violations.setdefault(key, f"{why}\n    {case.as_curl_command()}\n    -> {response.text[:500]}")


def _unexcused(operation_id: str, version: str, check: str, response: Any, message: str, profile: str = PROFILE) -> tuple[str, str] | None:
    """None if the allow-list excuses the failure; else what to report."""
    status = response.status_code
    entry = next((a for a in ALLOWED if a.covers(operation_id, check, status, version, message, profile)), None)
    if entry is None:
        return f"{check} on {status}", message
    if entry.judged_as is None:
        return None
    error = _first_error(version, operation_id, entry.judged_as, response.json())
    if error is None or any(a.covers(operation_id, check, entry.judged_as, version, error, profile) for a in ALLOWED):
        return None
    return f"{check} on {status} (judged as {entry.judged_as})", error


def _first_error(version: str, operation_id: str, status: int, body: Any) -> str | None:
    """The first way the body breaks HubSpot's schema for that status of the operation (None: it does not)."""
    document = drift.load_hubspot(version)
    response = drift.resolve(document, _hubspot_operation(version, operation_id)["responses"][str(status)])
    schema = response["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
    error = next(validator.iter_errors(body), None)
    return None if error is None else f"Response violates schema: {error.message}"


@pytest.mark.parametrize(("version", "operation"), list(operations()))
def test_every_hubspot_operation_answers_as_hubspots_spec_says(version, operation):
    operation_id = _ours(version, operation.method, operation.path)["operationId"]
    census = Census()
    runs = [(GenerationMode.POSITIVE, EXAMPLES)]
    if _request_schema(version, operation) is not None:  # HubSpot's parameters are bare strings: only bodies can be broken
        runs.append((GenerationMode.NEGATIVE, max(3, EXAMPLES // 3)))
    for mode, examples in runs:

        @given(strategy(version, operation, mode))
        @settings(max_examples=examples, deadline=None, derandomize=not THOROUGH, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            reset()
            census.take(operation_id, version, case, case.call())

        run()
    server_errors = sum(n for status, n in census.statuses.items() if status >= 500)
    assert not server_errors, f"{operation_id}: {server_errors} server error(s)\n" + "\n".join(census.violations.values())
    assert not census.violations, f"{operation_id} ({version}) answers what HubSpot's spec does not allow, not in {ALLOWLIST.name}:\n" + "\n".join(
        f"  [{key}] {example}" for key, example in census.violations.items())
    assert any(200 <= s < 300 for s in census.statuses), f"{operation_id}: no case reached a 2xx: {dict(census.statuses)}"


# ---------------------------------------------------------------------------------------------- the allow-list itself
def test_every_allowlist_entry_names_served_operations_checks_and_one_reason():
    served = {op["operationId"] for v in VERSIONS for item in app.state.openapi_versions[v]["paths"].values() for op in item.values() if isinstance(op, dict) and "operationId" in op}
    names = {c.__name__ for c in CHECKS}
    assert ALLOWED
    for entry in ALLOWED:
        assert set(entry.operations) <= served, entry
        assert set(entry.checks) <= names, entry
        assert all(100 <= s < 500 for s in entry.statuses), f"a server error is never allowed: {entry}"
        assert entry.reason and "\n" not in entry.reason, entry
        assert set(entry.versions) <= set(VERSIONS) and set(entry.profiles) <= set(drift.PROFILES), entry
        if entry.judged_as is not None:  # HubSpot declares that status on each operation
            for version in entry.versions or VERSIONS:
                for operation_id in entry.operations:
                    assert str(entry.judged_as) in _hubspot_operation(version, operation_id)["responses"], entry


def test_every_allowlisted_answer_is_one_our_document_declares():
    """No stale entry: each allow-listed (operation, status) is an answer the mock's own document says it gives."""
    for entry in ALLOWED:
        for version in entry.versions or VERSIONS:
            for operation_id in entry.operations:
                declared = {code for item in app.state.openapi_versions[version]["paths"].values() for op in item.values()
                            if isinstance(op, dict) and op.get("operationId") == operation_id for code in op["responses"]}
                missing = {str(s) for s in entry.statuses} - declared
                assert not missing, f"{operation_id} never answers {sorted(missing)} in {version}: {entry.reason}"


def test_the_specs_driving_this_are_the_pinned_ones():
    for version, schema in SCHEMAS.items():
        assert schema.raw_schema["info"]["version"] == version
        assert len(list(schema.get_all_operations())) == 36
        assert re.fullmatch(r"https://api\.hubapi\.com/?", schema.raw_schema["servers"][0]["url"])


def test_an_answer_judged_as_another_status_is_held_to_hubspots_schema_of_that_status():
    """A live 201 of attendance by vid must still be HubSpot's 200 body: break it and it is reported."""
    reset()
    (account, event_id), vid = SEEDED.events[0], SEEDED.vids[0]
    answer = TestClient(app).post(
        f"/marketing/v3/marketing-events/attendance/{event_id}/register/create", params={"externalAccountId": account},
        headers={"Authorization": f"Bearer {SEEDED.token}"}, json={"inputs": [{"vid": vid, "interactionDateTime": 1_764_601_200_000, "properties": {}}]},
    )
    assert answer.is_success and answer.json()["results"] == [{"vid": vid}], answer.text

    class Created:
        status_code = 201

        def __init__(self, body: dict[str, Any]) -> None:
            self.body = body

        def json(self) -> dict[str, Any]:
            return self.body

    def judged(body: dict[str, Any]) -> tuple[str, str] | None:
        return _unexcused("recordByContactIds", "v3", "response_schema_conformance", Created(body),
                          'Response violates schema: "category" is a required property', profile="live")

    assert judged(answer.json()) is None
    assert judged({k: v for k, v in answer.json().items() if k != "status"}) == (
        "response_schema_conformance on 201 (judged as 200)", 'Response violates schema: "status" is a required property')
