"""What every API call goes through before and after its handler: the HTTP half of the mock.

In order: correlation id, Bearer token -> principal (401), scope (403), path and query parameters from the
spec (400), Content-Type (415), body size (413), JSON (400), body schema from the spec (400); then the
handler, which calls the backend and shapes the answer. Rate-limit counters are counted for every call that
authenticated, and their headers go on every answer after that point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .errors import JSON, error_response, new_correlation_id
from .exceptions import (
    HubSpotError,
    InvalidJson,
    MissingScopes,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
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


@dataclass
class Answer:
    status: int
    body: Any = None  # None: no body (204)
    notes: list[str] = field(default_factory=list)


Handler = Callable[[Call], Answer]


class OperationEndpoint:
    """An ASGI endpoint for one spec operation, wrapping its handler."""

    def __init__(self, operation: Operation, handler: Handler, backend: Backend, counters: RateCounters) -> None:
        self.operation = operation
        self.handler = handler
        self.backend = backend
        self.counters = counters

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        correlation_id = new_correlation_id()
        scope.setdefault("state", {})["operation_id"] = self.operation.operation_id
        headers: dict[str, str] = {}
        try:
            token = _bearer_token(request.headers.get("authorization"))
            principal = self.backend.authenticate(token)
            headers = self.counters.hit(token)
            if self.operation.required_scope not in principal.scopes:
                raise MissingScopes(self.operation.required_scope)
            params = self.operation.validate_parameters(request.path_params, request.query_params)
            body = await self._read_body(request) if self.operation.body_validator is not None else None
            call = Call(self.backend, self.backend.settings, principal, params, body, self.backend.clock.now_ms())
            answer = self.handler(call)
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
        await response(scope, receive, send)

    async def _read_body(self, request: Request) -> Any:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            raise UnsupportedMediaType(
                f"Content-Type '{content_type}' is not supported; send application/json",
                category="VALIDATION_ERROR",
            )
        limit = self.backend.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)  # refused before reading a byte of it
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
        raw = b"".join(chunks)
        if not raw.strip():
            raise InvalidJson("Invalid input JSON: the request body is empty", errors=[{"message": "empty body", "in": "body"}])
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise InvalidJson(f"Invalid input JSON: {exc}", errors=[{"message": str(exc), "in": "body"}]) from None
        if not isinstance(body, dict):
            raise InvalidJson("Invalid input JSON: the body must be a JSON object", errors=[{"message": "expected an object", "in": "body"}])
        self.operation.validate_body(body)
        max_inputs = self.backend.settings.max_batch_inputs
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
