"""What every API call goes through before and after its handler: the HTTP half of the mock.

In order: Bearer token -> principal (401), rate limits (429 when enforced), Content-Type (415), body size
(413), the armed fault's first hook, scope (403), path and query parameters from the spec (400), JSON and the
body schema from the spec (400); then the handler, which calls the backend and shapes the answer, and the
fault's later hooks. Errors are raised, never answered here: the exception handlers in envelopes.py shape
them. The journal middleware records the call from what this leaves in scope["state"].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from starlette.datastructures import QueryParams
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from .backend import Backend, Principal
from .call import Call, Handler
from .envelopes import JSON, header_text
from .exceptions import InvalidJson, MissingScopes, PayloadTooLarge, RateLimited, Unauthorized, UnsupportedMediaType, ValidationError
from .fault_effects import NO_FAULT, FaultEffect, effect_for
from .faults import FAULT_HEADER, FaultBook, FaultRule, one_off
from .journal import CallState, Journal
from .ratelimit import RateCounters
from .spec import Operation
from .versions import V3, ApiVersion

MAX_CHANGES_PER_ENTRY = 100  # a 10,000-item batch keeps its first hundred changes and the count
FAULT_HEADER_BYTES = FAULT_HEADER.encode()
JSON_CONTENT_TYPE = (b"content-type", JSON.encode())


@dataclass
class MockContext:
    """What every endpoint shares: the state, and the layers around it."""

    backend: Backend
    counters: RateCounters
    faults: FaultBook
    journal: Journal


class OperationEndpoint:
    """An ASGI endpoint for one spec operation: its handler with auth, validation and the fault's hooks.

    Written for the hot path: one pass over the request headers, the body read straight from `receive`, and the
    answer sent as two ASGI messages with its headers encoded once per operation where they never change."""

    def __init__(self, operation: Operation, handler: Handler, mock: MockContext, version: ApiVersion = V3) -> None:
        self.operation = operation
        self.handler = handler
        self.mock = mock
        self.version = version
        self.developer_key_auth = operation.auth == "developer_hapikey"
        self.has_body = operation.body_validator is not None
        self.has_parameters = bool(operation.parameters)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state: CallState = scope["state"]
        state["kind"] = "api"
        state["operation"] = self.operation.operation_id
        authorization = content_type = content_length = fault_header = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"content-length":
                content_length = value
            elif name == FAULT_HEADER_BYTES:
                fault_header = value.decode("latin-1")
        mock = self.mock
        backend = mock.backend
        query_string: bytes = scope["query_string"]
        query = QueryParams(query_string) if query_string else None  # most calls have none: skip parsing
        if self.developer_key_auth:  # app settings: the developer account's key, not a Bearer token
            token = (query.get("hapikey") if query else None) or ""
            principal = backend.authenticate_developer_key(token)
        else:
            token = _bearer_token(authorization, query_string)
            principal = backend.authenticate(token)
        rate_headers, refused = mock.counters.hit(token)
        state["answer_headers"] = rate_headers
        if refused is not None:
            raise RateLimited(refused, principal.portal_id)
        raw = await self._read_raw(receive, content_type, content_length) if self.has_body else b""
        effect = self._fault_effect(fault_header, token, principal, raw)
        if effect is not NO_FAULT:
            state["fault"] = effect.label or ""
            state["fault_effect"] = effect  # FaultMiddleware reads it to shape how the answer is sent
            await effect.before_call(principal)
        required_scope = self.operation.required_scope
        if required_scope and required_scope not in principal.scopes:
            raise MissingScopes(required_scope)
        params = self.operation.validate_parameters(scope["path_params"], query or {}) if self.has_parameters else {}
        if self.developer_key_auth:
            backend.check_developer_key(token, params["appId"])
        body = self._parse_body(raw) if self.has_body else None
        # The backend now, after the last await: a reset while the body arrived or a fault waited must not leave
        # this write on the state it replaced (answered 200 and lost).
        backend = mock.backend
        call = Call(backend, backend.settings, principal, params, body, backend.clock.now_ms(), version=self.version)
        effect.trim_inputs(call)
        changes = backend.changes
        revision = changes.revision
        try:
            answer = self.handler(call)
        finally:  # the handler runs without awaiting: no other call's changes are in between
            if changes.revision != revision:
                state["changes"] = changes.since(revision, MAX_CHANGES_PER_ENTRY)
        if effect is not NO_FAULT:
            answer = effect.rewrite(answer)
            await effect.after_call()
        headers = rate_headers
        headers.append((b"x-hubspot-correlation-id", state["correlation_id"].encode()))
        if answer.notes:
            state["notes"] = answer.notes
            headers.append((b"x-hubspot-mock-note", header_text("; ".join(answer.notes)).encode()))
        if answer.body is None:
            await send({"type": "http.response.start", "status": answer.status, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        content = orjson.dumps(answer.body)
        headers.append(JSON_CONTENT_TYPE)
        headers.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    def _fault_effect(self, header: str | None, token: str, principal: Principal, raw: bytes) -> FaultEffect:
        rule: FaultRule | None
        if header is not None:
            try:
                rule = one_off(header)
            except (ValueError, TypeError) as exc:
                raise ValidationError(f"Invalid {FAULT_HEADER} header: {exc}", errors=[{"message": str(exc), "in": FAULT_HEADER}]) from None
        else:
            op = self.operation
            rule = self.mock.faults.pick(op.operation_id, op.path, op.method, token, principal.app_id, raw)
        return effect_for(rule)

    async def _read_raw(self, receive: Receive, content_type: str | None, declared: bytes | None) -> bytes:
        if content_type is None or content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise UnsupportedMediaType(
                f"Content-Type '{content_type or ''}' is not supported; send application/json",
                category="VALIDATION_ERROR",
            )
        limit = self.mock.backend.settings.max_body_bytes
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)  # refused before reading a byte of it
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _parse_body(self, raw: bytes) -> Any:
        if not raw.strip():
            raise InvalidJson("Invalid input JSON: the request body is empty", errors=[{"message": "empty body", "in": "body"}])
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidJson(f"Invalid input JSON: {exc}", errors=[{"message": str(exc), "in": "body"}]) from None
        if not isinstance(body, dict):
            raise InvalidJson("Invalid input JSON: the body must be a JSON object", errors=[{"message": "expected an object", "in": "body"}])
        self.operation.validate_body(body)
        return body


def _bearer_token(header: str | None, query: bytes) -> str:
    """`Authorization: Bearer <token>`; anything else is HubSpot's 401, with a note saying which mistake it was."""
    if not header:
        if b"hapikey=" in query:
            raise Unauthorized(note="auth: hapikey in the query string: HubSpot retired API keys for this API; send a private app or OAuth token as Authorization: Bearer <token>")
        raise Unauthorized(note="auth: no Authorization header; send Authorization: Bearer <token>")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthorized(note=f"auth: the Authorization scheme is {scheme[:20]!r}, not Bearer; send Authorization: Bearer <token>")
    token = token.strip()
    if not token:
        raise Unauthorized(note="auth: Bearer with no token")
    if token.lower().startswith("bearer "):
        raise Unauthorized(note="auth: 'Bearer Bearer <token>': the word Bearer is doubled")
    return token


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Request body is larger than {limit} bytes", category="VALIDATION_ERROR")
