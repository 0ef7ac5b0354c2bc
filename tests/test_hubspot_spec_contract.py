"""schemathesis driven by HubSpot's own specs (v3 and 2026-03, pinned in contracts/hubspot_spec/), in process.

Our own spec can agree with the mock and both be wrong: here HubSpot's published documents generate the requests
and judge the answers. Every one of HubSpot's 36 operations, positive and negative data, with the checks
not_a_server_error, response_schema_conformance, status_code_conformance and content_type_conformance. An
answer may break HubSpot's spec only where contracts/hubspot_spec_allowlist.yaml says so (operation, check and
status, with the reason); each operation must answer no 5xx, break nothing else, and answer 2xx at least once.

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
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance

from contracts import drift
from mock_server import Settings, create_app
from mock_server.inspector.dump import dump_state

from steering import EVENT_DETAILS_URL, Seeded, steered

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "12"))
THOROUGH = "CONTRACT_EXAMPLES" in os.environ
VERSIONS = ("v3", "2026-03")
ALLOWLIST = drift.HERE / "hubspot_spec_allowlist.yaml"
REQUEST_ARRAY_ITEMS = 2
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]

SEEDED = Seeded(
    events=(("acct-1", "webinar-1"), ("acct-1", "webinar-2"), ("acct-2", "conference-1")),
    vids=tuple(2**31 + 2000 + i for i in range(4)),
    emails=tuple(f"seeded{i}@example.com" for i in range(4)),
    lists=("101", "102"),
    app_id=1,
    developer_key="dev-hubspot-spec",
    token="pat-hubspot-spec",
)

app = create_app(Settings.for_profile(os.environ.get("CONTRACT_PROFILE", "live"), accept_any_token=False), seed=SEEDED.seed())


OBJECT_IDS = [str(e["objectId"]) for e in dump_state(app.state.backend)["portals"]["1"]["events"]]  # the same after each reset


# ---------------------------------------------------------------------------------------------- the allow-list
@dataclass(frozen=True)
class Allowed:
    """Answers of these operations with these statuses may fail these checks (every combination)."""

    operations: tuple[str, ...]  # our operationIds
    checks: tuple[str, ...]
    statuses: tuple[int, ...]
    reason: str
    versions: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()

    def covers(self, operation: str, check: str, status: int, version: str, profile: str) -> bool:
        return operation in self.operations and check in self.checks and status in self.statuses and (
            not self.versions or version in self.versions) and (not self.profiles or profile in self.profiles)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value if isinstance(value, list) else [value]))


def load_allowlist(path: Path = ALLOWLIST) -> list[Allowed]:
    return [
        Allowed(_strings(e["operations"]), _strings(e["checks"]), tuple(int(s) for s in _strings(e["statuses"])),
                str(e.get("reason") or "").strip(), _strings(e.get("versions") or []), _strings(e.get("profiles") or []))
        for e in yaml.safe_load(path.read_text(encoding="utf-8")) or []
    ]


ALLOWED = load_allowlist()
PROFILE = app.state.settings.profile


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
    allowed: Counter[str] = field(default_factory=Counter)
    violations: dict[str, str] = field(default_factory=dict)  # check and status -> the first example, readable

    def take(self, operation_id: str, version: str, case: Any, response: Any) -> None:
        self.statuses[response.status_code] += 1
        for check in CHECKS:  # one at a time: a failure is then known to be that check's
            try:
                case.validate_response(response, checks=[check])
            except FailureGroup as group:
                key = f"{check.__name__} on {response.status_code}"
                if any(a.covers(operation_id, check.__name__, response.status_code, version, PROFILE) for a in ALLOWED):
                    self.allowed[key] += 1
                else:
                    failure = group.exceptions[0]
                    self.violations.setdefault(key, f"{failure.title}: {failure.message}\n    {case.as_curl_command()}\n    -> {response.text[:500]}")


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
