"""What the tests of the whole Marketing Events surface share: a seeded mock in process (FakeClock), calls
through any API version, the state before and after a call, and HubSpot's answer shapes.

Shapes are checked against HubSpot's own published spec (contracts/hubspot_spec/marketingEvents.v3.json) for
v3, and against the document the mock serves for the version the call went through, so an answer that only
the mock's own spec allows is caught too.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import jsonschema_rs
import pytest
from starlette.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.clock import FakeClock, iso_ms, parse_instant
from mock_server.inspector.dump import dump_state
from mock_server.ratelimit import RateCounters
from mock_server.sdk_verdict import split_version, v3_template
from mock_server.spec import document_for
from mock_server.versions import VERSIONS

from envelopes import assert_error_response

HUBSPOT_SPEC = Path(__file__).resolve().parents[1] / "contracts" / "hubspot_spec" / "marketingEvents.v3.json"
V3 = VERSIONS["v3"].marketing_events
READ_SCOPE = "crm.objects.marketing_events.read"
WRITE_SCOPE = "crm.objects.marketing_events.write"
NOW_MS = 1_767_225_600_000  # FakeClock's start, 2026-01-01T00:00:00Z
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

TOKEN = "pat-app1"  # any token not in the table: app 1 of portal 1, both scopes
ACCOUNT = "acct-1"
ADA, BOB = 2**31 + 101, 2**31 + 102  # vids above 2^31, as in real portals
EMAILS = {ADA: "ada@example.com", BOB: "bob@example.com"}
LISTS = {"101": "Webinar registrants", "102": "Attended"}
DEVELOPER_KEY = "dev-key-app1"  # owns app 1 only
SEED: dict[str, Any] = {
    "portals": [
        {
            "id": 1,
            "propertyDefinitions": ["webinar_platform", "course_level"],
            "contacts": [
                {"vid": ADA, "email": EMAILS[ADA], "properties": {"firstname": "Ada", "lastname": "Lovelace"}},
                {"vid": BOB, "email": EMAILS[BOB]},
            ],
            "lists": [
                {"listId": "101", "name": LISTS["101"], "processingType": "MANUAL", "size": 2},
                {"listId": "102", "name": LISTS["102"], "processingType": "DYNAMIC"},
            ],
        },
        {"id": 2},
    ],
    "tokens": [
        {"token": "read-only", "scopes": [READ_SCOPE]},
        {"token": "write-only", "scopes": [WRITE_SCOPE]},
        {"token": "app2", "appId": 2},
        {"token": "portal2", "portalId": 2},
        {"token": "expired", "expired": True},
    ],
    "developerKeys": [{"key": DEVELOPER_KEY, "appIds": [1]}],
}


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def event_body(event_id: str, account: str = ACCOUNT, **fields: Any) -> dict[str, Any]:
    """A single create / PUT body (MarketingEventCreateRequestParams)."""
    return {
        "externalAccountId": account,
        "externalEventId": event_id,
        "eventName": f"Event {event_id}",
        "eventOrganizer": "Acme",
        "customProperties": [],
        **fields,
    }


def span(minutes: float, start: str = "2026-01-01T10:00:00") -> dict[str, str]:
    """joinedAt/leftAt `minutes` apart (ISO-8601 instants, as HubSpot's guide shows them)."""
    joined = parse_instant(start + "Z")
    return {"joinedAt": iso_ms(joined), "leftAt": iso_ms(joined + int(minutes * 60_000))}


# ---------------------------------------------------------------------------------------------- the mock
@dataclass
class Mock:
    """A fresh mock in process, and the API version its calls go through (paths are written as v3's)."""

    client: TestClient
    clock: FakeClock
    version: str = "v3"

    @property
    def backend(self) -> Any:
        return self.client.app.state.backend

    @property
    def settings(self) -> Settings:
        return self.client.app.state.settings

    def url(self, v3_path: str) -> str:
        """`/marketing/v3/marketing-events/...` as the mock's version serves it."""
        served = VERSIONS[self.version].path(v3_path)
        assert served is not None, v3_path
        return served

    def call(self, method: str, v3_path: str, token: str | None = TOKEN, **request: Any) -> Any:
        headers = {**(auth(token) if token is not None else {}), **request.pop("headers", {})}
        return self.client.request(method, self.url(v3_path), headers=headers, **request)

    def get(self, v3_path: str, **request: Any) -> Any:
        return self.call("GET", v3_path, **request)

    def post(self, v3_path: str, **request: Any) -> Any:
        return self.call("POST", v3_path, **request)

    def state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """The state as people read it (dump_state) and the restorable image, which also holds what the dump
        leaves out: list associations, lists, app settings, id counters."""
        return dump_state(self.backend), self.backend.snapshot()

    def events(self, portal: int = 1) -> dict[str, dict[str, Any]]:
        """The portal's stored events by objectId (dump_state)."""
        return {e["objectId"]: e for e in dump_state(self.backend)["portals"][str(portal)]["events"]}

    def contacts(self, portal: int = 1) -> dict[str, dict[str, Any]]:
        return {c["email"]: c for c in dump_state(self.backend)["portals"][str(portal)]["contacts"]}

    def history(self, object_id: str) -> dict[int, list[str]]:
        """vid -> the states stored for it in one event."""
        return {s["vid"]: [h["state"] for h in s["history"]] for s in self.events()[object_id]["subscribers"]}

    # ---------------------------------------------------------------- common steps
    def create(self, event_id: str, token: str = TOKEN, account: str = ACCOUNT, **fields: Any) -> str:
        """Create an event with the single create; its objectId."""
        response = self.post("/marketing/v3/marketing-events/events", token=token, json=event_body(event_id, account, **fields))
        assert response.status_code == 200, response.text
        return str(response.json()["objectId"])

    def register(self, object_id: str, *emails: str, state: str = "register", at: int = NOW_MS, **properties: str) -> None:
        """Record `state` for emails through recordByEmail (by objectId)."""
        inputs = [{"email": e, "interactionDateTime": at, "properties": dict(properties), "contactProperties": {}} for e in emails]
        response = self.post(f"{V3}/{object_id}/attendance/{state}/email-create", json={"inputs": inputs})
        assert response.status_code == 200 and not response.json().get("errors"), response.text


def make_mock(profile: str = "live", seed: dict[str, Any] | None = None, *, version: str = "v3", **overrides: Any) -> Mock:
    """A mock in its seeded start state. One app per distinct configuration is built and kept (building one
    compiles four versions of the spec); each call resets it to the seed, as /__mock/reset does, with the
    clock and the rate counters back at their start."""
    key = (profile, repr(sorted(overrides.items())), repr(seed))
    kept = _apps.get(key)
    if kept is None:
        clock = FakeClock()
        app = create_app(Settings.for_profile(profile, **overrides), seed=copy.deepcopy(SEED if seed is None else seed), clock=clock)
        client = TestClient(app)
        client.__enter__()  # one event-loop thread for all its calls (a few times faster than one per call)
        kept = _apps[key] = (client, clock)
    client, clock = kept
    clock._ms = NOW_MS
    client.app.state.reset()
    mock_context = client.app.state.mock
    mock_context.counters = RateCounters(mock_context.backend.settings, clock)
    return Mock(client, clock, version)


_apps: dict[tuple[str, str, str], tuple[TestClient, FakeClock]] = {}


@pytest.fixture(scope="module", autouse=True)
def close_kept_mocks() -> Iterator[None]:
    """Import into a test module that calls make_mock: the kept apps' threads end with the module."""
    yield
    while _apps:
        client, _ = _apps.popitem()[1]
        client.__exit__(None, None, None)


def expect_error(mock: Mock, method: str, v3_path: str, status: int, category: Any = "VALIDATION_ERROR", **request: Any) -> dict[str, Any]:
    """A call that must fail: HubSpot's envelope with its headers, and the state exactly as it was."""
    before = mock.state()
    response = mock.call(method, v3_path, **request)
    body = assert_error_response(response, status, category)
    assert mock.state() == before, f"{method} {v3_path} failed with {status} but changed the state"
    return body


def error_in(body: dict[str, Any]) -> list[str]:
    """The fields a 400 names (`errors[].in`)."""
    return [e.get("in") for e in body.get("errors", [])]


def note(response: Any) -> str:
    return response.headers.get("X-HubSpot-Mock-Note", "")


# ---------------------------------------------------------------------------------------------- shapes
@lru_cache(maxsize=1)
def _hubspot_spec() -> dict[str, Any]:
    return json.loads(HUBSPOT_SPEC.read_text())


@lru_cache(maxsize=1)
def _hubspot_operations() -> dict[tuple[str, str], dict[str, Any]]:
    """HubSpot's operations by (method, v3 path template): its list-all path is spelt /marketing/marketing-events/v3."""
    return {
        (method.upper(), split_version(path)[0]): operation
        for path, item in _hubspot_spec()["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


@lru_cache(maxsize=None)
def _hubspot_validator(method: str, template: str, status: int, observed_item_errors: bool) -> Any | None:
    """HubSpot's declared schema for this answer (a 2xx it does not declare: its 200's, the same body seen
    live with 201 and 207); None when HubSpot declares no body. Live per-item errors carry no context, errors
    or links, which HubSpot's StandardError requires (FACTS.md): `observed_item_errors` allows that."""
    responses = _hubspot_operations()[(method, template)]["responses"]
    declared = responses.get(str(status)) or (responses.get("200") if 200 <= status < 300 else None)
    schema = ((declared or {}).get("content") or {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    components = copy.deepcopy(_hubspot_spec()["components"])
    standard_error = components["schemas"]["StandardError"]
    # HubSpot's spec types subCategory as an empty object; HubSpot sends a string (contracts/drift_allowlist.yaml).
    standard_error["properties"]["subCategory"] = {"type": "string"}
    if observed_item_errors:
        standard_error["required"] = ["category", "message", "status"]
    return jsonschema_rs.Draft4Validator({**schema, "components": components}, validate_formats=True)


@lru_cache(maxsize=None)
def _served_document(settings: Settings, version: str) -> dict[str, Any]:
    return document_for(settings, VERSIONS[version])


@lru_cache(maxsize=None)
def _served_validator(settings: Settings, version: str, method: str, served_path: str, status: int) -> Any | None:
    document = _served_document(settings, version)
    for path, item in sorted(document["paths"].items(), key=lambda kv: kv[0].count("{")):  # literal segments first
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)), served_path.rstrip("/") or "/"):
            operation = item.get(method.lower())
            if operation is None:
                continue
            response = operation["responses"].get(str(status))
            assert response is not None, f"{method} {path} answered {status}, which the served spec does not declare"
            while "$ref" in response:
                response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
            schema = (response.get("content") or {}).get("application/json", {}).get("schema")
            return None if schema is None else _validator(json.dumps({**schema, "components": document["components"]}, sort_keys=True))
    raise AssertionError(f"{method} {served_path} is in no path of the served {version} spec")


@lru_cache(maxsize=None)
def _validator(schema: str) -> Any:
    return jsonschema_rs.Draft4Validator(json.loads(schema), validate_formats=True)


def assert_shape(mock: Mock, response: Any) -> Any:
    """The answer is one HubSpot's spec (v3) and the mock's served spec (its version) allow; its JSON."""
    method, path = response.request.method, response.request.url.path
    status = response.status_code
    body = response.json() if response.content else None
    if status == 204:
        assert response.content == b"" and "content-type" not in response.headers, response.headers
    else:
        assert response.headers["content-type"] == "application/json;charset=utf-8"
    assert re.fullmatch(r"[0-9a-f-]{36}", response.headers["X-HubSpot-Correlation-Id"])
    served = _served_validator(mock.settings, mock.version, method, path, status)
    if served is not None:
        _check(served, body, f"the mock's {mock.version} spec", method, path, status)
    template = v3_template(method, path)
    assert template is not None, path
    if mock.version == "v3" or not _differs_by_version(body):
        hubspot = _hubspot_validator(method, template, status, mock.settings.item_error_shape == "observed")
        if hubspot is not None:
            _check(hubspot, body, "HubSpot's spec", method, path, status)
    return body


def _differs_by_version(body: Any) -> bool:
    """2025-09 and 2026-09 drop PropertyValue.maskedSubstrings, which HubSpot's v3 spec requires."""
    return "maskedSubstrings" not in json.dumps(body) and '"dataSensitivity"' in json.dumps(body)


def _check(validator: Any, body: Any, against: str, method: str, path: str, status: int) -> None:
    errors = [f"{'/'.join(map(str, e.instance_path)) or '(body)'}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, f"{method} {path} {status} does not fit {against}:\n" + "\n".join(errors[:10])
