"""Hostile input against the four write endpoints: every bad request is a 4xx in HubSpot's error envelope (never a
5xx, never a dropped connection) and leaves the mock's state exactly as it was."""

from __future__ import annotations

from typing import Any, Iterator

import orjson
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from starlette.testclient import TestClient

from mock_server import Settings, create_app
from mock_server.inspector.dump import dump_state

from envelopes import assert_error_response

BASE = "/marketing/v3/marketing-events"
UPSERT_EVENTS = f"{BASE}/events/upsert"
TOKEN = "pat-test"
ACCOUNT = "acct-1"
EVENT_ID = "webinar-1"
NOW_MS = 1_767_225_600_000
ADA = 2**31 + 101
SEED: dict[str, Any] = {
    "portals": [
        {
            "id": 1,
            "propertyDefinitions": ["webinar_platform"],
            "contacts": [{"vid": ADA, "email": "ada@example.com"}],
        }
    ],
}
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WRITES = ["create", "email", "upsert_events", "upsert_by_vid"]


# ---------------------------------------------------------------------------------------------- helpers
def make_client(**overrides: Any) -> tuple[TestClient, str]:
    """A fresh mock with one event created through endpoint 3; the client and that event's objectId."""
    client = TestClient(create_app(Settings(**overrides), seed=SEED), raise_server_exceptions=False)
    response = client.post(UPSERT_EVENTS, json={"inputs": [event_input()]}, headers=AUTH)
    assert response.status_code == 200, response.text
    return client, response.json()["results"][0]["objectId"]


@pytest.fixture
def seeded() -> tuple[TestClient, str]:
    return make_client()


def event_input(**fields: Any) -> dict[str, Any]:
    return {
        "externalAccountId": ACCOUNT,
        "externalEventId": EVENT_ID,
        "eventName": "Launch webinar",
        "eventOrganizer": "Ada",
        "customProperties": [],
        **fields,
    }


def valid_input(endpoint: str) -> dict[str, Any]:
    if endpoint == "upsert_events":
        return event_input()
    if endpoint == "email":
        return {"email": "ada@example.com", "interactionDateTime": NOW_MS, "properties": {}, "contactProperties": {}}
    return {"vid": ADA, "interactionDateTime": NOW_MS, "properties": {}}


def write_path(endpoint: str, object_id: str, *, event_id: str = EVENT_ID, state: str = "register") -> str:
    if endpoint == "create":
        return f"{BASE}/attendance/{event_id}/{state}/create?externalAccountId={ACCOUNT}"
    if endpoint == "email":
        return f"{BASE}/{object_id}/attendance/{state}/email-create"
    if endpoint == "upsert_events":
        return UPSERT_EVENTS
    return f"{BASE}/events/{event_id}/{state}/upsert?externalAccountId={ACCOUNT}"


def dump(client: TestClient) -> dict[str, Any]:
    return dump_state(client.app.state.backend)


def expect_error(
    client: TestClient, path: str, *, status: int | None = 400, category: str | None = "VALIDATION_ERROR", **request: Any
) -> dict[str, Any]:
    """POST a request that must fail: the envelope, and no change to the mock's state."""
    headers = {**AUTH, **request.pop("headers", {})}
    before = dump(client)
    response = client.request("POST", path, headers=headers, **request)
    body = assert_error_response(response, status, category)
    assert dump(client) == before
    return body


def post_raw(client: TestClient, path: str, raw: bytes, content_type: str | None = "application/json", **kw: Any):
    headers = dict(AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    return client.post(path, content=raw, headers=headers, **kw)


def expect_raw_error(client: TestClient, path: str, raw: bytes, *, status: int | None = 400, category: str | None = "VALIDATION_ERROR", content_type: str | None = "application/json") -> dict[str, Any]:
    before = dump(client)
    response = post_raw(client, path, raw, content_type)
    body = assert_error_response(response, status, category)
    assert dump(client) == before
    return body


# ---------------------------------------------------------------------------------------------- body syntax
MALFORMED = [
    b"{",
    b'{"inputs": [}',
    b"{'inputs': []}",
    b'{"inputs": [],}',
    b'{"inputs": []} trailing',
    b"inputs=1",
    b"\x00\x01\x02",
    b'{"inputs": [{"vid": 01}]}',
    b"\xef\xbb\xbf{}",  # a UTF-8 BOM
]


@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("raw", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_json_is_400(seeded, endpoint, raw):
    client, object_id = seeded
    expect_raw_error(client, write_path(endpoint, object_id), raw)


@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("raw", [b"[]", b'[{"inputs": []}]', b'"inputs"', b"42", b"-1.5", b"null", b"true"])
def test_non_object_json_is_400(seeded, endpoint, raw):
    client, object_id = seeded
    expect_raw_error(client, write_path(endpoint, object_id), raw)


@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("raw", [b"", b"   ", b"\n\t\r\n"])
def test_empty_body_is_400(seeded, endpoint, raw):
    client, object_id = seeded
    expect_raw_error(client, write_path(endpoint, object_id), raw)


@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "nan", "inf"])
def test_nan_and_infinity_literals_are_400(seeded, endpoint, literal):
    client, object_id = seeded
    field = "eventName" if endpoint == "upsert_events" else "interactionDateTime"
    text = orjson.dumps({"inputs": [valid_input(endpoint)]}).decode()
    good = orjson.dumps(valid_input(endpoint)[field]).decode()
    raw = text.replace(f'"{field}":{good}', f'"{field}":{literal}').encode()
    assert literal.encode() in raw
    expect_raw_error(client, write_path(endpoint, object_id), raw)


@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("bad", [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80abc"], ids=["ff", "c328", "surrogate", "5byte", "cont"])
def test_invalid_utf8_is_400(seeded, endpoint, bad):
    client, object_id = seeded
    field = "email" if endpoint == "email" else ("eventName" if endpoint == "upsert_events" else "properties")
    body = valid_input(endpoint)
    if field == "properties":
        raw = orjson.dumps({"inputs": [{**body, "properties": {"k": "MARK"}}]})
    else:
        raw = orjson.dumps({"inputs": [{**body, field: "MARK"}]})
    raw = raw.replace(b"MARK", b"a" + bad + b"z")
    expect_raw_error(client, write_path(endpoint, object_id), raw)


@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("depth", [256, 300, 1000, 5000])
def test_deep_nesting_is_400(seeded, endpoint, depth):
    client, object_id = seeded
    raw = b'{"inputs":' + b"[" * depth + b"]" * depth + b"}"
    expect_raw_error(client, write_path(endpoint, object_id), raw)


@pytest.mark.parametrize("endpoint", WRITES)
def test_deep_nesting_of_objects_is_400(seeded, endpoint):
    client, object_id = seeded
    raw = b'{"inputs":[' + b'{"a":' * 1000 + b"1" + b"}" * 1000 + b"]}"
    expect_raw_error(client, write_path(endpoint, object_id), raw)


# ---------------------------------------------------------------------------------------------- content type
@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", "application/jsonp", "", None])
def test_non_json_content_type_is_415(seeded, endpoint, content_type):
    client, object_id = seeded
    raw = orjson.dumps({"inputs": [valid_input(endpoint)]})
    expect_raw_error(client, write_path(endpoint, object_id), raw, status=415, content_type=content_type)


@pytest.mark.parametrize("endpoint", WRITES)
def test_form_and_multipart_bodies_are_415(seeded, endpoint):
    client, object_id = seeded
    path = write_path(endpoint, object_id)
    expect_error(client, path, status=415, data={"inputs": "[]"})
    expect_error(client, path, status=415, files={"inputs": ("inputs.json", orjson.dumps({"inputs": []}), "application/json")})


# ---------------------------------------------------------------------------------------------- wrong types
WRONG_TYPES: list[tuple[str, str, Any]] = [
    *[(ep, "vid", v) for ep in ("create", "upsert_by_vid") for v in [str(ADA), "abc", 1.5, float(ADA) + 0.5, True, False, None, {"id": ADA}, [ADA]]],
    *[(ep, "interactionDateTime", v) for ep in ("create", "email", "upsert_by_vid") for v in [True, False, {"ms": NOW_MS}, [NOW_MS], None, 1.5]],
    *[(ep, "properties", v) for ep in ("create", "email", "upsert_by_vid") for v in [["joinedAt"], "x", 1, {"k": 1}, {"k": None}, {"k": ["v"]}]],
    *[("email", "email", v) for v in [42, 4.2, True, None, ["ada@example.com"], {"email": "ada@example.com"}, "a" * 250 + "@x.io"]],
    *[("email", "contactProperties", v) for v in [["firstname"], "x", {"firstname": 1}]],
    *[("upsert_events", f, v) for f in ("eventName", "eventOrganizer", "externalEventId", "externalAccountId") for v in [42, 4.2, True, None, ["x"], {"x": 1}]],
    *[("upsert_events", f, "") for f in ("externalEventId", "externalAccountId")],
    *[("upsert_events", "customProperties", v) for v in [{"name": "webinar_platform", "value": "zoom"}, "x", 1, [1], [{"value": "no name"}], [{"name": 1, "value": "x"}]]],
    *[("upsert_events", f, v) for f in ("eventCancelled", "eventCompleted") for v in ["true", 1, None]],
    *[("upsert_events", f, v) for f in ("startDateTime", "endDateTime") for v in [1767225600000, "not a date", True]],
]


@pytest.mark.parametrize(("endpoint", "field", "value"), WRONG_TYPES, ids=[f"{e}-{f}-{type(v).__name__}-{i}" for i, (e, f, v) in enumerate(WRONG_TYPES)])
def test_wrong_typed_field_is_400(seeded, endpoint, field, value):
    client, object_id = seeded
    body = {"inputs": [{**valid_input(endpoint), field: value}]}
    expect_error(client, write_path(endpoint, object_id), json=body)


@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("inputs", [{"a": 1}, "x", 1, None, True, [None], [1], ["x"], [[]]], ids=lambda v: repr(v)[:20])
def test_wrong_typed_inputs_is_400(seeded, endpoint, inputs):
    client, object_id = seeded
    expect_error(client, write_path(endpoint, object_id), json={"inputs": inputs})


@pytest.mark.parametrize("endpoint", WRITES)
def test_missing_inputs_is_400(seeded, endpoint):
    client, object_id = seeded
    expect_error(client, write_path(endpoint, object_id), json={})
    expect_error(client, write_path(endpoint, object_id), json={"input": [valid_input(endpoint)]})


# ---------------------------------------------------------------------------------------------- numbers
BIG_INTEGERS = [b"9223372036854775808", b"-9223372036854775809", b"1" + b"0" * 30, b"18446744073709551616", b"1" + b"0" * 400, b"1e400"]


@pytest.mark.parametrize("endpoint", ["create", "email", "upsert_by_vid"])
@pytest.mark.parametrize("literal", BIG_INTEGERS, ids=lambda b: b[:12].decode())
def test_integers_beyond_int64_are_400(seeded, endpoint, literal):
    client, object_id = seeded
    fields = ["interactionDateTime"] + (["vid"] if endpoint != "email" else [])
    for field in fields:
        raw = orjson.dumps({"inputs": [{**valid_input(endpoint), field: "MARK"}]}).replace(b'"MARK"', literal)
        expect_raw_error(client, write_path(endpoint, object_id), raw)


@pytest.mark.parametrize("endpoint", ["create", "upsert_by_vid"])
@pytest.mark.parametrize("vid", [0, -1, -ADA, -(2**63)])
def test_zero_or_negative_vid_is_400(seeded, endpoint, vid):
    client, object_id = seeded
    expect_error(client, write_path(endpoint, object_id), json={"inputs": [{**valid_input(endpoint), "vid": vid}]})


@pytest.mark.parametrize("endpoint", ["create", "email", "upsert_by_vid"])
@pytest.mark.parametrize("at", [-1, -NOW_MS, -(2**63)])
def test_negative_interaction_datetime_is_400(seeded, endpoint, at):
    client, object_id = seeded
    expect_error(client, write_path(endpoint, object_id), json={"inputs": [{**valid_input(endpoint), "interactionDateTime": at}]})


# ---------------------------------------------------------------------------------------------- unknown fields
@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("where", ["top", "input"])
def test_unknown_fields_are_400(seeded, endpoint, where):
    client, object_id = seeded
    if where == "top":
        body = {"inputs": [valid_input(endpoint)], "__proto__": {"admin": True}}
    else:
        body = {"inputs": [{**valid_input(endpoint), "constructor": "x", "$where": "1"}]}
    error = expect_error(client, write_path(endpoint, object_id), json=body)
    assert any(name in error["message"] for name in ("__proto__", "constructor", "$where")), error


# ---------------------------------------------------------------------------------------------- big strings and bodies
def test_one_megabyte_event_name_is_stored_intact(seeded):
    """eventName has no maxLength in the spec and the body limit is 10 MiB: a 1 MB name is accepted and kept."""
    client, object_id = seeded
    name = "é" * (512 * 1024)  # 1 MiB of UTF-8
    response = client.post(UPSERT_EVENTS, json={"inputs": [event_input(eventName=name)]}, headers=AUTH)
    assert response.status_code == 200, response.text[:500]
    assert response.json()["results"][0]["eventName"] == name
    (event,) = dump(client)["portals"]["1"]["events"]
    assert event["eventName"] == name
    assert client.get(f"{BASE}/{object_id}", headers=AUTH).json()["eventName"] == name


@pytest.mark.parametrize("endpoint", ["create", "email", "upsert_by_vid"])
def test_one_megabyte_strings_elsewhere_are_4xx_or_stored(seeded, endpoint):
    client, object_id = seeded
    big = "x" * (1024 * 1024)
    path = write_path(endpoint, object_id)
    if endpoint == "email":  # maxLength 254
        expect_error(client, path, json={"inputs": [{**valid_input(endpoint), "email": big + "@example.com"}]})
    # a 1 MB string where an integer belongs
    field = "interactionDateTime" if endpoint == "email" else "vid"
    expect_error(client, path, json={"inputs": [{**valid_input(endpoint), field: big}]})


@pytest.mark.parametrize("endpoint", WRITES)
def test_body_over_limit_is_413(endpoint):
    client, object_id = make_client(max_body_bytes=1000)
    path = write_path(endpoint, object_id)
    body = {"inputs": [valid_input(endpoint)] * 50}
    raw = orjson.dumps(body)
    assert len(raw) > 1000
    expect_raw_error(client, path, raw, status=413)
    expect_raw_error(client, path, b"{" * 5000, status=413)  # refused before it is parsed

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
        for _ in range(20):
            yield b" " * 100

    before = dump(client)
    response = client.post(path, content=chunks(), headers={**AUTH, "Content-Type": "application/json"})
    assert_error_response(response, 413)
    assert dump(client) == before

    # A Content-Length that understates the body: the limit counts the bytes that arrive, not the header.
    before = dump(client)
    response = client.post(path, content=raw, headers={**AUTH, "Content-Type": "application/json", "Content-Length": "10"})
    assert_error_response(response, 413)
    assert dump(client) == before


@pytest.mark.parametrize("endpoint", WRITES)
def test_body_at_default_limit_edge_is_413(endpoint):
    client, object_id = make_client()
    path = write_path(endpoint, object_id)
    raw = b'{"inputs":[],"pad":"' + b"x" * (10 * 1024 * 1024) + b'"}'
    expect_raw_error(client, path, raw, status=413)


# ---------------------------------------------------------------------------------------------- huge batches
HUGE = 100_000


def small_input(endpoint: str) -> dict[str, Any]:
    """A valid input short enough that 100,000 of them stay under the 10 MiB body limit."""
    if endpoint == "upsert_events":
        return {"externalAccountId": "a", "externalEventId": "e", "eventName": "n", "eventOrganizer": "o"}
    return valid_input(endpoint)


@pytest.mark.parametrize("endpoint", WRITES)
def test_huge_batch_over_the_batch_limit_is_400(endpoint):
    """With a batch limit set (HubSpot's other batch APIs take 100), 100,000 inputs are refused whole."""
    client, object_id = make_client(max_batch_inputs=100)
    body = expect_error(client, write_path(endpoint, object_id), json={"inputs": [small_input(endpoint)] * HUGE})
    assert "100" in body["message"]


@pytest.mark.parametrize("endpoint", WRITES)
def test_huge_batch_with_one_bad_item_at_the_end_applies_nothing(endpoint):
    """No limit (the default): the whole batch is validated before the first item is applied."""
    client, object_id = make_client()
    bad = {**small_input(endpoint), ("startDateTime" if endpoint == "upsert_events" else "interactionDateTime"): "soon"}
    inputs = [small_input(endpoint)] * (HUGE - 1) + [bad]
    expect_error(client, write_path(endpoint, object_id), json={"inputs": inputs})


def test_huge_valid_batch_is_applied_whole(seeded):
    """100,000 distinct emails in one email-create: every one becomes a contact and a registration."""
    client, object_id = seeded
    inputs = [{"email": f"u{i}@example.com", "interactionDateTime": NOW_MS} for i in range(HUGE)]
    response = client.post(write_path("email", object_id), json={"inputs": inputs}, headers=AUTH)
    assert response.status_code == 200, response.text[:500]
    results = response.json()["results"]
    assert len(results) == HUGE and len({r["vid"] for r in results}) == HUGE
    contacts = dump(client)["portals"]["1"]["contacts"]
    assert len(contacts) == HUGE + 1  # and Ada from the seed


# ---------------------------------------------------------------------------------------------- path parameters
HOSTILE_IDS = {
    "long": "e" * 10_000,
    "unicode": "webinar-ü-日本-🎉",
    "rtl_zero_width": "web\u202einar\u200b",
    "encoded_slash": "a%2Fb",
    "encoded_slash_upper": "webinar-1%2F..%2F..",
    "crlf": "a%0D%0AX-Injected:%20yes",
    "nul": "a%00b",
    "dotdot": "..",
    "dot": ".",
    "encoded_dotdot": "%2E%2E",
    "percent": "%25",
    "bad_percent": "%zz",
    "space": "%20",
    "quote": "%22%27%3C%3E",
}


def _same_or_known_404(response: Any) -> None:
    """A 4xx in HubSpot's envelope, or the router's own 404 (`{"message":"resource not found",...}`)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    body = response.json()
    assert isinstance(body.get("message"), str) and body["message"]
    if "status" in body:
        assert_error_response(response, category=None)
    assert "X-Injected" not in response.headers


@pytest.mark.parametrize("endpoint", ["create", "email", "upsert_by_vid"])
@pytest.mark.parametrize("name", list(HOSTILE_IDS))
def test_hostile_path_ids(seeded, endpoint, name):
    client, object_id = seeded
    value = HOSTILE_IDS[name]
    if endpoint == "email":
        path = write_path(endpoint, value)
    else:
        path = write_path(endpoint, object_id, event_id=value)
    before = dump(client)
    response = client.post(path, json={"inputs": [valid_input(endpoint)]}, headers=AUTH)
    _same_or_known_404(response)
    assert dump(client) == before


@pytest.mark.parametrize("endpoint", ["create", "email", "upsert_by_vid"])
@pytest.mark.parametrize("name", list(HOSTILE_IDS))
def test_hostile_subscriber_state(seeded, endpoint, name):
    client, object_id = seeded
    path = write_path(endpoint, object_id, state=HOSTILE_IDS[name])
    before = dump(client)
    response = client.post(path, json={"inputs": [valid_input(endpoint)]}, headers=AUTH)
    _same_or_known_404(response)
    assert dump(client) == before


@pytest.mark.parametrize("endpoint", ["create", "upsert_by_vid"])
@pytest.mark.parametrize("name", list(HOSTILE_IDS))
def test_hostile_external_account_id(seeded, endpoint, name):
    client, object_id = seeded
    path = write_path(endpoint, object_id).split("?")[0] + "?externalAccountId=" + HOSTILE_IDS[name]
    before = dump(client)
    response = client.post(path, json={"inputs": [valid_input(endpoint)]}, headers=AUTH)
    _same_or_known_404(response)
    assert dump(client) == before


@pytest.mark.parametrize("object_id", ["0", "-1", "9" * 40, "1.5", "1e3", "0x10", " 1", "null"])
def test_hostile_object_ids_on_email_create(seeded, object_id):
    client, _ = seeded
    before = dump(client)
    response = client.post(write_path("email", object_id), json={"inputs": [valid_input("email")]}, headers=AUTH)
    _same_or_known_404(response)
    assert dump(client) == before


# ---------------------------------------------------------------------------------------------- fuzz
FUZZ_CLIENT: dict[str, tuple[TestClient, str]] = {}


def _fuzz_client() -> tuple[TestClient, str]:
    if "c" not in FUZZ_CLIENT:
        FUZZ_CLIENT["c"] = make_client()
    return FUZZ_CLIENT["c"]


json_fragments = st.one_of(
    st.binary(max_size=2000),
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats() | st.text(max_size=50),
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(["inputs", "vid", "email", "interactionDateTime", "properties", "eventName", "x"]), inner, max_size=5),
        max_leaves=20,
    ).map(lambda v: orjson.dumps({"inputs": [v]} if not isinstance(v, dict) else v) if not _has_nan(v) else b"{}"),
)


def _has_nan(v: Any) -> bool:
    if isinstance(v, float):
        return v != v or v in (float("inf"), float("-inf"))
    if isinstance(v, list):
        return any(_has_nan(x) for x in v)
    if isinstance(v, dict):
        return any(_has_nan(x) for x in v.values())
    return False


def _never_a_server_error(endpoint: str, raw: bytes) -> None:
    """Whatever the bytes: no 5xx; a refusal is HubSpot's envelope and changes nothing."""
    client, object_id = _fuzz_client()
    before = dump(client)
    response = post_raw(client, write_path(endpoint, object_id), raw)
    assert response.status_code < 500, (raw, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert_error_response(response, category=None)
        assert dump(client) == before


@pytest.mark.parametrize("endpoint", WRITES)
@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=st.binary(max_size=2000))
def test_fuzz_raw_bytes(endpoint, raw):
    _never_a_server_error(endpoint, raw)


@pytest.mark.parametrize("endpoint", WRITES)
@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(raw=json_fragments)
def test_fuzz_json_shaped(endpoint, raw):
    _never_a_server_error(endpoint, raw)
