"""What every API call goes through before and after its handler: the HTTP half of the mock.

In order: correlation id, Bearer token -> principal (401), rate limits (429 when enforced), Content-Type
(415), body size (413), an armed fault (fault_actions.py), scope (403), path and query parameters from the
spec (400), JSON and the body schema from the spec (400); then the handler, which calls the backend and
shapes the answer. Rate-limit headers go on every answer after authentication; every call is journaled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from . import fault_actions
from .changes import Change
from .errors import JSON, error_response, new_correlation_id
from .exceptions import (
    HubSpotError,
    InvalidJson,
    MissingScopes,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
    ValidationError,
)
from .faults import FAULT_HEADER, FaultBook, FaultRule, one_off
from .journal import Journal, clip, redact
from .models import Backend, Principal
from .ratelimit import RateCounters
from .settings import Settings
from .spec import Operation


@dataclass
class Call:
    """One parsed, authenticated, validated API call, as a handler sees it."""

    backend: Backend
    settings: Settings
    principal: Principal
    params: dict[str, Any]
    body: Any
    requested_at_ms: int
    injected_failures: list[int] = field(default_factory=list)  # input indexes a partial fault took out


@dataclass
class MockContext:
    """What every endpoint shares: the state, and the layers around it."""

    backend: Backend
    counters: RateCounters
    faults: FaultBook
    journal: Journal


@dataclass
class Answer:
    status: int
    body: Any = None  # None: no body (204)
    notes: list[str] = field(default_factory=list)


Handler = Callable[[Call], Answer]
MAX_CHANGES_PER_ENTRY = 100  # a 10,000-item batch keeps its first hundred changes and the count


class OperationEndpoint:
    """An ASGI endpoint for one spec operation, wrapping its handler with auth, validation, faults and the
    journal. The `Mock` it is given holds the backend and the cross-cutting pieces (counters, faults, journal)."""

    def __init__(self, operation: Operation, handler: Handler, mock: "MockContext") -> None:
        self.operation = operation
        self.handler = handler
        self.mock = mock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request = Request(scope, receive)
        backend = self.mock.backend
        correlation_id = new_correlation_id()
        headers: dict[str, str] = {}
        raw = b""
        fault: FaultRule | None = None
        changes: tuple[list[Change], int] = ([], 0)
        try:
            token = _bearer_token(request.headers.get("authorization"))
            principal = backend.authenticate(token)
            headers = self.mock.counters.hit(token, principal.portal_id)
            raw = await self._read_raw(request) if self.operation.body_validator is not None else b""
            fault = self._pick_fault(request, token, principal, raw)
            if fault is not None:  # before() acts only on what happens before the change (respond, drop, ...)
                response = await fault_actions.before(fault, principal, scope)
                if response is not None:
                    return await self._finish(scope, receive, send, raw, response, correlation_id, fault, started)
            if self.operation.required_scope not in principal.scopes:
                raise MissingScopes(self.operation.required_scope)
            query = request.query_params if scope["query_string"] else {}  # most calls have none: skip parsing
            params = self.operation.validate_parameters(request.path_params, query)
            body = self._parse_body(raw) if self.operation.body_validator is not None else None
            call = Call(backend, backend.settings, principal, params, body, backend.clock.now_ms())
            if fault is not None and fault.action == "partial":
                fault_actions.take_failing_inputs(fault, call)
            revision = backend.changes.revision
            answer = self.handler(call)
            # Read at once: the handler runs without awaiting, so no other call's changes are in between.
            changes = backend.changes.since(revision, MAX_CHANGES_PER_ENTRY)
            if fault is not None and fault.action == "batch_status" and isinstance(answer.body, dict) and "status" in answer.body:
                answer.body["status"] = fault.batch_status
        except HubSpotError as exc:
            response = error_response(exc, correlation_id, headers)
        else:
            headers["X-HubSpot-Correlation-Id"] = correlation_id
            if answer.notes:
                headers["X-HubSpot-Mock-Note"] = _header_text("; ".join(answer.notes))
            if answer.body is None:
                response = Response(status_code=answer.status, headers=headers)
            else:
                response = Response(orjson.dumps(answer.body), answer.status, headers, media_type=JSON)
            if fault is not None and fault.when == "after" and fault.action in ("latency", "drop"):
                response = await fault_actions.after(fault, response, scope)
        await self._finish(scope, receive, send, raw, response, correlation_id, fault, started, changes)

    def _pick_fault(self, request: Request, token: str, principal: Principal, raw: bytes) -> FaultRule | None:
        header = request.headers.get(FAULT_HEADER)
        if header is not None:
            try:
                return one_off(header)
            except (ValueError, TypeError) as exc:
                raise ValidationError(f"Invalid {FAULT_HEADER} header: {exc}", errors=[{"message": str(exc), "in": FAULT_HEADER}]) from None
        op = self.operation
        return self.mock.faults.pick(op.operation_id, op.path, op.method, token, principal.app_id, raw)

    async def _finish(self, scope, receive, send, raw, response, correlation_id, fault, started, changes=([], 0)) -> None:
        """Send the answer (or not, for a dropped connection) and write the journal entry, with the state
        changes the call caused (the first MAX_CHANGES_PER_ENTRY of them, and their count)."""
        sent = await fault_actions.send(fault, response, scope, receive, send)
        body = getattr(response, "body", b"") or b""
        self.mock.journal.record(  # from the scope itself: Request.url would build and parse a whole URL
            at_ms=self.mock.backend.clock.now_ms(),
            method=scope["method"],
            path=scope["path"],
            query=scope["query_string"].decode("latin-1"),
            operation=self.operation.operation_id,
            headers=redact((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]),
            body_bytes=clip(raw),
            status=response.status_code if sent else None,
            correlation_id=correlation_id,
            fault=None if fault is None else f"{fault.id}: {fault.action}" + (f" {fault.status}" if fault.status else ""),
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            response_bytes=clip(body),
            change_records=changes[0],
            changes_count=changes[1],
        )

    async def _read_raw(self, request: Request) -> bytes:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise UnsupportedMediaType(
                f"Content-Type '{content_type}' is not supported; send application/json",
                category="VALIDATION_ERROR",
            )
        limit = self.mock.backend.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)  # refused before reading a byte of it
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
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
        max_inputs = self.mock.backend.settings.max_batch_inputs
        if max_inputs is not None and len(body.get("inputs", ())) > max_inputs:
            raise HubSpotError(
                f"Too many inputs: {len(body['inputs'])} given, at most {max_inputs} per batch",
                errors=[{"message": f"at most {max_inputs} inputs", "in": "inputs"}],
            )
        return body


def _bearer_token(header: str | None) -> str:
    """`Authorization: Bearer <token>`; anything else is HubSpot's 401."""
    if not header:
        raise Unauthorized()
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return token.strip()


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Request body is larger than {limit} bytes", category="VALIDATION_ERROR")


def _header_text(text: str, limit: int = 2000) -> str:
    """Notes echo client input; a header value must be printable ASCII (uvicorn drops the connection
    otherwise), so control and non-ASCII characters are escaped, and long values cut."""
    safe = text.encode("unicode_escape").decode("ascii")
    return safe if len(safe) <= limit else safe[: limit - 3] + "..."
