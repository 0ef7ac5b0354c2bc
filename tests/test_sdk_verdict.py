"""mock_server.sdk_verdict against the real SDKs: a verdict must say what the SDK really does with the answer.

A stub HTTP server on loopback answers each call with a programmed status, Content-Type and body (or drops the
connection); the call names its answer in an `X-Stub-Answer` header. For every operation in the tables and a
matrix of answers (200 with a valid body, 201, 204, 207, 400/404/429/500 envelopes, a text/html 502 and 521, a 200
whose date-time field is a number, a dropped connection), the real Python SDK method and the real Node SDK method
are called (the Node calls batched in one `node tests/node/verdict_calls.mjs` process), and what they did
(returned a model, returned None, raised which exception with which status, retried) must be what `verdicts()`
says. The stub also checks that each SDK method calls the (method, path) the tables key it by.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, NamedTuple

import hubspot
import pytest
from hubspot.marketing.events.exceptions import ApiException
from node_sdk import NODE_DIR, install_node_sdk, require_node
from starlette.types import Receive, Scope, Send

from mock_server import sdk_verdict
from mock_server.transport import TRANSPORT_KEY
from mock_server.sdk_verdict import (
    DATE_TIME_FIELDS,
    NODE_METHODS,
    OPERATIONS,
    PYTHON_METHODS,
    OperationKey,
    Verdict,
    node_retry_wait_ms,
    v3_template,
    verdicts,
)
from mock_server.testing import serve_in_thread

JSON_CT = "application/json;charset=utf-8"
ISO = "2026-01-01T00:00:00.000Z"
EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
HUBSPOT_SPEC = Path(__file__).resolve().parents[1] / "contracts" / "hubspot_spec" / "marketingEvents.v3.json"
# A value for every path and required query parameter of the operations, by its (Node, camelCase) name.
ARGUMENTS = {
    "objectId": "510000000001", "externalEventId": "ev-1", "subscriberState": "register", "externalAccountId": "acct-1",
    "listId": "42", "marketingEventId": "510000000001", "contactIdentifier": "c@example.com", "appId": "123",
    "contactId": "701", "q": "ev",
}
BODY = {"inputs": []}


# ---------------------------------------------------------------------------------------------- the stub server
@dataclass(frozen=True)
class Answer:
    label: str
    status: int | None  # None: drop the connection without an answer
    content_type: str | None = None
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    python_says: str = ""  # a phrase the Python verdict's text must hold as well
    node_says: str = ""

    def verdicts(self, key: OperationKey) -> dict[str, Verdict]:
        return {v.sdk: v for v in verdicts(key[0], key[1], self.status, self.content_type, self.body)}


@dataclass
class StubServer:
    """Answers any method and path with the Answer named by the X-Stub-Answer header; remembers every attempt."""

    answers: dict[str, Answer] = field(default_factory=dict)
    hits: dict[str, list[tuple[str, str, float]]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def program(self, answer_id: str, answer: Answer) -> str:
        with self.lock:
            self.answers[answer_id] = answer
        return answer_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        while (await receive()).get("more_body"):
            pass
        answer_id = dict(scope["headers"]).get(b"x-stub-answer", b"").decode()
        with self.lock:
            self.hits[answer_id].append((scope["method"], scope["path"], time.monotonic()))
            answer = self.answers.get(answer_id)
        if answer is None:
            await send({"type": "http.response.start", "status": 599, "headers": []})
            await send({"type": "http.response.body", "body": f"no answer programmed for {answer_id!r}".encode()})
            return
        if answer.status is None:
            scope["extensions"][TRANSPORT_KEY].abort()
            await receive()  # http.disconnect: then uvicorn does not report an app that never answered
            return
        headers = [(k.lower().encode(), v.encode()) for k, v in answer.headers]
        if answer.content_type is not None:
            headers.append((b"content-type", answer.content_type.encode()))
        if answer.status not in (204, 304):
            headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


@pytest.fixture(scope="module")
def stub() -> Iterator[tuple[StubServer, str]]:
    server = StubServer()
    with serve_in_thread(server) as url:  # type: ignore[arg-type]
        yield server, url


# ---------------------------------------------------------------------------------------------- answers
def envelope(message: str, **fields: Any) -> bytes:
    return json.dumps({"status": "error", "message": message, "correlationId": "4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e", **fields}).encode()


def html_page(status: int) -> bytes:
    return f"<!DOCTYPE html><html><head><title>{status}</title></head><body><h1>Error {status}</h1></body></html>".encode()


def models_module(key: OperationKey) -> Any:
    package = "hubspot.crm.contacts" if key[1].startswith("/crm/") else "hubspot.marketing.events"
    return importlib.import_module(f"{package}.models")


def sample(models: Any, type_name: str, depth: int = 0) -> Any:
    """A body with every field of the model filled in (the date-times as ISO-8601), from the SDK's own types."""
    if inner := re.fullmatch(r"list\[(.*)\]", type_name):
        return [sample(models, inner.group(1), depth)]
    if inner := re.fullmatch(r"dict\[str, (.*)\]", type_name):
        return {"email": sample(models, inner.group(1), depth)}
    primitive = {"datetime": ISO, "date": "2026-01-01", "str": "x", "int": 1, "float": 1.5, "bool": False, "object": {}}
    if type_name in primitive:
        return primitive[type_name]
    klass = getattr(models, type_name)
    if depth > 4:
        return {}
    return {klass.attribute_map[attr]: sample(models, typ, depth + 1) for attr, typ in klass.openapi_types.items()}


def with_first_date_time(data: dict[str, Any], tree: sdk_verdict.DateTimeTree, value: Any) -> dict[str, Any]:
    """The body with the first date-time field the SDK reads set to value."""
    data = json.loads(json.dumps(data))
    holder: Any = data
    while True:
        key, subtree = next(iter(tree.items()))
        slot: Any = re.split(r"[\[{]", key, maxsplit=1)[0]
        for container in re.findall(r"\[\]|\{\}", key):
            holder, slot = holder[slot], (0 if container == "[]" else next(iter(holder[slot])))
        if subtree is None:
            holder[slot] = value
            return data
        holder, tree = holder[slot], subtree


MULTI_STATUS = json.dumps({
    "status": "COMPLETE", "results": [], "numErrors": 1, "startedAt": ISO, "completedAt": ISO,
    "errors": [{"status": "error", "category": "VALIDATION_ERROR", "message": "inputs[0] is invalid", "context": {}, "errors": [], "links": {}}],
}).encode()


def success_model(key: OperationKey) -> tuple[int, str | None]:
    """The first status the Python SDK maps to a model (200 or 201), with that model."""
    models = PYTHON_METHODS[key].models
    return next(((status, model) for status, model in sorted(models.items())), (200, None))


def matrix(key: OperationKey) -> list[Answer]:
    status, model = success_model(key)
    valid = sample(models_module(key), model) if model else {}
    answers = [
        Answer("200", 200, JSON_CT, json.dumps(valid).encode()),
        Answer("201", 201, JSON_CT, json.dumps(valid).encode()),
        Answer("204", 204),
        Answer("207", 207, JSON_CT, MULTI_STATUS),
        Answer("400", 400, JSON_CT, envelope("Invalid input JSON", category="VALIDATION_ERROR")),
        Answer("404", 404, JSON_CT, envelope("Marketing event not found", category="OBJECT_NOT_FOUND")),
        Answer("429", 429, JSON_CT, envelope("You have reached your ten_secondly_rolling limit.", errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING")),
        Answer("500", 500, JSON_CT, envelope("Internal error", category="INTERNAL_ERROR")),
        Answer("502 html", 502, "text/html", html_page(502)),
        Answer("521 html", 521, "text/html; charset=UTF-8", html_page(521)),
        Answer("dropped", None),
    ]
    if model and DATE_TIME_FIELDS[model]:
        dated = with_first_date_time(valid, DATE_TIME_FIELDS[model], EPOCH_MS)
        answers.append(Answer(f"{status} date-time number", status, JSON_CT, json.dumps(dated).encode()))
    return answers


UPSERT = ("POST", "/marketing/v3/marketing-events/events/upsert")
GET_EVENT = ("GET", "/marketing/v3/marketing-events/{objectId}")
CONTACT = ("GET", "/crm/v3/objects/contacts/{contactId}")
SUBSCRIBER_UPSERT = ("POST", "/marketing/v3/marketing-events/events/{externalEventId}/{subscriberState}/upsert")


def batch_with_started_at(value: Any) -> bytes:
    return json.dumps({"status": "COMPLETE", "results": [], "startedAt": value, "completedAt": ISO}).encode()


# Answers beyond the matrix, each on the operation where it matters.
EXTRAS: list[tuple[OperationKey, Answer]] = [
    (UPSERT, Answer("200 epoch-ms string", 200, JSON_CT, batch_with_started_at(str(EPOCH_MS)), python_says="OverflowError: startedAt")),
    (UPSERT, Answer("200 epoch-s string", 200, JSON_CT, batch_with_started_at(str(EPOCH_MS // 1000)), python_says="ApiException (status 0): startedAt")),
    (UPSERT, Answer("200 not a date", 200, JSON_CT, batch_with_started_at("soon"))),
    (UPSERT, Answer("200 empty string date", 200, JSON_CT, batch_with_started_at(""))),
    (UPSERT, Answer("200 nested number", 200, JSON_CT, json.dumps({"status": "COMPLETE", "startedAt": ISO, "completedAt": ISO, "results": [{"id": "1", "createdAt": ISO}, {"id": "2", "createdAt": EPOCH_MS}]}).encode(), python_says="results[1].createdAt")),
    (UPSERT, Answer("200 text/html", 200, "text/html", html_page(200))),
    (UPSERT, Answer("200 broken JSON", 200, JSON_CT, b'{"status": "COMPLETE", "results": [')),
    (UPSERT, Answer("200 xml", 200, "application/xml", b"<batch/>")),
    (UPSERT, Answer("200 no content type", 200, None, batch_with_started_at(ISO))),
    (UPSERT, Answer("200 null", 200, JSON_CT, b"null")),
    (UPSERT, Answer("201 not utf-8", 201, JSON_CT, b'{"status": "\xff"}')),
    (UPSERT, Answer("502 no content type", 502, None, b"Bad gateway")),
    (UPSERT, Answer("429 secondly", 429, JSON_CT, envelope("You have reached your secondly limit.", errorType="RATE_LIMIT", policyName="SECONDLY"))),
    (UPSERT, Answer("429 daily", 429, JSON_CT, envelope("You have reached your daily limit.", errorType="RATE_LIMIT", policyName="DAILY"), node_says="never retried")),
    (GET_EVENT, Answer("401", 401, JSON_CT, envelope("Authentication credentials not found.", category="INVALID_AUTHENTICATION"))),
    (GET_EVENT, Answer("403", 403, JSON_CT, envelope("This app hasn't been granted all required scopes.", category="MISSING_SCOPES"))),
    (GET_EVENT, Answer("503 html", 503, "text/html", html_page(503))),
    (CONTACT, Answer("200 history timestamp number", 200, JSON_CT, json.dumps({"id": "701", "createdAt": ISO, "updatedAt": ISO, "propertiesWithHistory": {"email": [{"value": "a@b.c", "timestamp": EPOCH_MS}]}}).encode(), python_says="propertiesWithHistory.email[0].timestamp")),
    (SUBSCRIBER_UPSERT, Answer("204 JSON empty", 204, JSON_CT, b"")),
    (SUBSCRIBER_UPSERT, Answer("200 JSON", 200, JSON_CT, b"{}")),
]


def answers_for(key: OperationKey) -> list[Answer]:
    return matrix(key) + [answer for extra_key, answer in EXTRAS if extra_key == key]


def op_id(key: OperationKey) -> str:
    return f"{key[0]} {key[1]}"


# ---------------------------------------------------------------------------------------------- calling the SDKs
def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def python_method(client: Any, key: OperationKey) -> tuple[Callable[..., Any], list[Any]]:
    """The bound SDK method and its required arguments: path and query values by name, a body for the body."""
    target: Any = client
    for part in PYTHON_METHODS[key].name.split("."):
        target = getattr(target, part)
    source = inspect.getsource(getattr(target.__self__, f"{target.__name__}_with_http_info"))
    body_param = re.search(r'body_params = local_var_params\["(\w+)"\]', source)
    required = [p.name for p in inspect.signature(target).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    args = [BODY if body_param and name == body_param.group(1) else ARGUMENTS[camel(name)] for name in required]
    return target, args


def node_arguments(key: OperationKey, client: Any) -> dict[str, Any]:
    """The same arguments for the Node method, by name (the SDKs name parameters alike, snake_case vs camelCase)."""
    method, args = python_method(client, key)
    names = [p.name for p in inspect.signature(method).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    return {camel(name): value for name, value in zip(names, args)}


class Observed(NamedTuple):
    outcome: str
    phrases: tuple[str, ...]  # what the verdict's text must say for this outcome


def observe_python(client: Any, key: OperationKey, answer_id: str, attempts: Callable[[], int]) -> Observed:
    method, args = python_method(client, key)
    try:
        result = method(*args, _headers={"X-Stub-Answer": answer_id})
    except Exception as error:  # what the SDK raises is the observation
        name = type(error).__name__
        if attempts() > 1:
            return Observed("retries", (f"retries a dropped {key[0]} {attempts() - 1} times", f"then raises {name}"))
        status = getattr(error, "status", None)
        return Observed("raises", (f"raises {name} (status {status})" if isinstance(status, int) else f"raises {name}",))
    if result is None:
        return Observed("returns None", ("returns None",))
    empty = all(value is None for value in result.to_dict().values())
    return Observed("returns", (f"returns {'an empty ' if empty else ''}{type(result).__name__}",))


def observe_node(result: dict[str, Any]) -> Observed:
    if result["ok"]:
        if result["isNull"]:
            return Observed("returns", ("returns null",))
        if result["model"] is None:
            return Observed("returns", ("returns nothing",))
        return Observed("returns", (f"returns {'an empty ' if result['empty'] else ''}{result['model']}",))
    error = result["error"]
    if error["name"] == "ApiException":
        return Observed("raises", (f"throws ApiException (code {result['status']})",))
    if error["name"] == "Error":
        return Observed("raises", (f"throws Error: {error['message']}",))
    return Observed("raises", (f"throws {error['name']}",))


def disagreement(answer: Answer, observed: Observed, verdict: Verdict) -> str | None:
    says = answer.python_says if verdict.sdk == "python" else answer.node_says
    if observed.outcome == verdict.outcome and all(phrase in verdict.text for phrase in (*observed.phrases, says)):
        return None
    return f"{answer.label}: the SDK {observed.outcome} {observed.phrases}; the verdict: {verdict.outcome} ({verdict.text!r})"


def called_operation(stub: StubServer, answer_id: str) -> OperationKey | None:
    method, path, _ = stub.hits[answer_id][0]
    template = v3_template(method, path)
    return (method, template) if template else None


@pytest.fixture(scope="module")
def python_client(stub: tuple[StubServer, str]) -> Any:
    return hubspot.Client.create(access_token="pat-na1-verdict", host=stub[1])


# ---------------------------------------------------------------------------------------------- the tables
def test_the_tables_cover_every_marketing_events_operation_and_the_contacts_calls():
    spec = json.loads(HUBSPOT_SPEC.read_text())
    spec_ops = {
        (method.upper(), sdk_verdict.split_version(path)[0])
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert len(spec_ops) == 36
    contacts = {
        ("POST", "/crm/v3/objects/contacts/search"), ("GET", "/crm/v3/objects/contacts/{contactId}"),
        ("POST", "/crm/v3/objects/contacts"), ("PATCH", "/crm/v3/objects/contacts/{contactId}"),
        ("POST", "/crm/v3/objects/contacts/batch/read"),
    }
    assert set(OPERATIONS) == spec_ops | contacts
    assert set(NODE_METHODS) == set(PYTHON_METHODS)


def test_the_tables_name_the_installed_sdk_versions():
    assert version("hubspot-api-client").split(".")[0] == sdk_verdict.PYTHON_SDK_VERSION.split(".")[0]
    installed_node = json.loads((NODE_DIR / "package.json").read_text())["dependencies"]["@hubspot/api-client"]
    assert installed_node == sdk_verdict.NODE_SDK_VERSION


def date_time_tree(models: Any, klass_name: str) -> dict[str, Any]:
    """The date-time fields of a model as the Python SDK reads them, from its `openapi_types`."""
    klass, tree = getattr(models, klass_name), {}
    for attr, type_name in klass.openapi_types.items():
        suffix = ""
        while inner := re.fullmatch(r"(list)\[(.*)\]|(dict)\[str, (.*)\]", type_name):
            suffix += "[]" if inner.group(1) else "{}"
            type_name = inner.group(2) or inner.group(4)
        if type_name == "datetime":
            tree[klass.attribute_map[attr] + suffix] = None
        elif hasattr(models, type_name) and (sub := date_time_tree(models, type_name)):
            tree[klass.attribute_map[attr] + suffix] = sub
    return tree


@pytest.mark.parametrize("key", OPERATIONS, ids=op_id)
def test_date_time_fields_are_the_python_sdks(key):
    for model in PYTHON_METHODS[key].models.values():
        assert model is not None
        assert DATE_TIME_FIELDS[model] == date_time_tree(models_module(key), model), model


# ---------------------------------------------------------------------------------------------- Python SDK
@pytest.mark.parametrize("key", OPERATIONS, ids=op_id)
def test_python_sdk_does_what_the_verdict_says(key, stub, python_client):
    server, _ = stub
    problems = []
    for answer in answers_for(key):
        answer_id = server.program(f"py {op_id(key)} {answer.label}", answer)
        observed = observe_python(python_client, key, answer_id, lambda: len(server.hits[answer_id]))
        assert called_operation(server, answer_id) == key, server.hits[answer_id]
        problems.append(disagreement(answer, observed, answer.verdicts(key)["python"]))
    assert [p for p in problems if p] == []


def test_python_sdk_retries_a_429_with_retry_after_on_get_only(stub, python_client):
    """Why the verdicts assume no Retry-After: with one, urllib3's default Retry(3) re-sends a GET's 429."""
    server, _ = stub
    answer = Answer("429 retry-after", 429, JSON_CT, envelope("You have reached your secondly limit."), headers=(("Retry-After", "0"),))
    for key, attempts in ((GET_EVENT, 4), (UPSERT, 1)):
        answer_id = server.program(f"py retry-after {op_id(key)}", answer)
        method, args = python_method(python_client, key)
        with pytest.raises(ApiException) as raised:
            method(*args, _headers={"X-Stub-Answer": answer_id})
        assert raised.value.status == 429  # the last 429, once urllib3's three retries are spent
        assert len(server.hits[answer_id]) == attempts


# ---------------------------------------------------------------------------------------------- Node SDK
# With numberOfApiCallRetries = N, the SDK makes N attempts at most, waiting base x attempt before each retry
# (the driver records the waits instead of sleeping them).
NODE_RETRY_CASES: list[tuple[Answer, int]] = [
    (Answer("500 retried", 500, JSON_CT, envelope("Internal error", category="INTERNAL_ERROR")), 3),
    (Answer("502 html retried", 502, "text/html", html_page(502)), 2),
    (Answer("502 no content type, not retried", 502, None, b"Bad gateway"), 3),
    (Answer("429 ten-secondly retried", 429, JSON_CT, envelope("You have reached your ten_secondly_rolling limit.", policyName="TEN_SECONDLY_ROLLING")), 3),
    (Answer("429 secondly retried", 429, JSON_CT, envelope("You have reached your secondly limit.", policyName="SECONDLY")), 2),
    (Answer("429 daily not retried", 429, JSON_CT, envelope("You have reached your daily limit.", policyName="DAILY")), 3),
    (Answer("429 html not retried", 429, "text/html", html_page(429)), 3),
    (Answer("404 not retried", 404, JSON_CT, envelope("not found", category="OBJECT_NOT_FOUND")), 3),
    (Answer("dropped, not retried", None), 3),
]


@pytest.fixture(scope="module")
def node_results(stub, python_client) -> dict[str, dict[str, Any]]:
    """Every Node call of this module, in one node process: the retry cases (with recorded waits), then the
    matrix and the extras."""
    require_node()
    install_node_sdk()
    server, url = stub
    calls = []
    for answer, retries in NODE_RETRY_CASES:
        answer_id = server.program(f"node retry {answer.label}", answer)
        calls.append({"id": answer_id, "method": NODE_METHODS[UPSERT].name, "args": node_arguments(UPSERT, python_client), "retries": retries})
    for key in OPERATIONS:
        args = node_arguments(key, python_client)
        for answer in answers_for(key):
            answer_id = server.program(f"node {op_id(key)} {answer.label}", answer)
            calls.append({"id": answer_id, "method": NODE_METHODS[key].name, "args": args, "retries": 0})
    done = subprocess.run(
        ["node", str(NODE_DIR / "verdict_calls.mjs")],
        input=json.dumps({"baseUrl": url, "calls": calls}), capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["sdkVersion"] == sdk_verdict.NODE_SDK_VERSION
    return {result["id"]: result for result in report["results"]}


@pytest.mark.parametrize("key", OPERATIONS, ids=op_id)
def test_node_sdk_does_what_the_verdict_says(key, stub, node_results):
    server, _ = stub
    problems = []
    for answer in answers_for(key):
        answer_id = f"node {op_id(key)} {answer.label}"
        assert called_operation(server, answer_id) == key, server.hits[answer_id]
        assert len(server.hits[answer_id]) == 1  # no retries unless numberOfApiCallRetries is set
        problems.append(disagreement(answer, observe_node(node_results[answer_id]), answer.verdicts(key)["node"]))
    assert [p for p in problems if p] == []


@pytest.mark.parametrize("answer, retries", NODE_RETRY_CASES, ids=[a.label for a, _ in NODE_RETRY_CASES])
def test_node_sdk_retries_as_the_table_says(answer, retries, stub, node_results):
    server, _ = stub
    wait_ms = node_retry_wait_ms(answer.status, answer.content_type, answer.body) if answer.status else None
    attempts = retries if wait_ms is not None else 1
    assert len(server.hits[f"node retry {answer.label}"]) == attempts
    result = node_results[f"node retry {answer.label}"]
    assert result["waits"] == [wait_ms * attempt for attempt in range(1, attempts)]  # what it would have slept
    assert result["ok"] is False


# ---------------------------------------------------------------------------------------------- paths
@pytest.mark.parametrize(
    "method, path, template",
    [
        ("GET", "/marketing/v3/marketing-events/", "/marketing/v3/marketing-events"),  # as both SDKs call it
        ("GET", "/marketing/marketing-events/v3", "/marketing/v3/marketing-events"),  # as v3's spec writes it
        ("GET", "/marketing/v3/marketing-events/events/search", "/marketing/v3/marketing-events/events/search"),
        ("GET", "/marketing/v3/marketing-events/510000000001", "/marketing/v3/marketing-events/{objectId}"),
        ("GET", "/marketing/v3/marketing-events/participations/contacts/a@b.c/breakdown", "/marketing/v3/marketing-events/participations/contacts/{contactIdentifier}/breakdown"),
        ("GET", "/marketing/v3/marketing-events/participations/acct/ev/breakdown?limit=10", "/marketing/v3/marketing-events/participations/{externalAccountId}/{externalEventId}/breakdown"),
        ("post", "/marketing/marketing-events/2026-03/events/upsert", "/marketing/v3/marketing-events/events/upsert"),
        ("GET", "/marketing/marketing-events/2026-03", "/marketing/v3/marketing-events"),
        ("PATCH", "/crm/objects/2026-03/contacts/701", "/crm/v3/objects/contacts/{contactId}"),
        ("POST", "/marketing/v3/marketing-events/events/{externalEventId}/{subscriberState}/upsert", "/marketing/v3/marketing-events/events/{externalEventId}/{subscriberState}/upsert"),
        ("PUT", "/marketing/v3/marketing-events/events/upsert", "/marketing/v3/marketing-events/events/{externalEventId}"),
        ("POST", "/marketing/v3/marketing-events/nothing/here", None),
        ("GET", "/crm/v3/objects/companies/1", None),
    ],
)
def test_v3_template(method, path, template):
    assert v3_template(method, path) == template


def test_a_dated_version_is_judged_as_its_v3_twin_and_says_the_sdks_call_v3_only():
    dated = verdicts("POST", "/marketing/marketing-events/2026-03/events/upsert", 201, JSON_CT, b"{}")
    twin = verdicts("POST", "/marketing/v3/marketing-events/events/upsert", 201, JSON_CT, b"{}")
    assert [(v.sdk, v.outcome) for v in dated] == [(v.sdk, v.outcome) for v in twin] == [("python", "returns None"), ("node", "raises")]
    assert [v.text for v in dated] == [
        "Python SDK 12 (calls v3 only, not 2026-03; the same answer on v3): returns None: 201 is not mapped (only 200 is); the body is lost",
        "Node SDK 13 (calls v3 only, not 2026-03; the same answer on v3): throws ApiException (code 201): only 200 is mapped",
    ]


def test_an_operation_no_sdk_method_calls_has_no_verdict():
    assert verdicts("GET", "/crm/v3/objects/companies/{companyId}", 200, JSON_CT, b"{}") == []
