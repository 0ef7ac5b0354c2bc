"""The one place where an error becomes HubSpot's answer: the exception handlers the app registers.

Every non-2xx answer has ``status: "error"``, a message, a lowercase uuid4 ``correlationId`` that the
``X-HubSpot-Correlation-Id`` header repeats (the id the journal gave the request), and HubSpot's category
where HubSpot sends one. Headers the pipeline earned for the call (rate limits) and the mock's notes go on
error answers too.
"""

from __future__ import annotations

import random
from typing import Any, Callable

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .exceptions import ConnectionDropped, HubSpotError, InternalError, MethodNotAllowed, OriginError, RouteNotFound
from .transport import drop_connection

JSON = "application/json;charset=utf-8"
NOTE_HEADER = "X-HubSpot-Mock-Note"

_ids = random.Random()  # seeded from the OS; a correlation id must be unique, not secret
_VERSION_BITS = (0xF000 << 64) | (0xC000 << 48)
_UUID4_BITS = (0x4000 << 64) | (0x8000 << 48)  # version 4, RFC 4122 variant


def new_correlation_id() -> str:
    """A random (version 4) UUID, as HubSpot sends; a quarter of what uuid.uuid4() costs, which reads the OS's
    entropy on every call."""
    h = f"{(_ids.getrandbits(128) & ~_VERSION_BITS) | _UUID4_BITS:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def json_response(body: object, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, headers=headers, media_type=JSON)


def header_text(text: str, limit: int = 2000) -> str:
    """Notes echo client input; a header value must be printable ASCII (uvicorn drops the connection
    otherwise), so control and non-ASCII characters are escaped, and long values cut."""
    safe = text.encode("unicode_escape").decode("ascii")
    return safe if len(safe) <= limit else safe[: limit - 3] + "..."


def error_response(exc: HubSpotError, state: dict[str, Any]) -> Response:
    """HubSpot's envelope for `exc`, with the call's correlation id, earned headers and notes."""
    correlation_id = state.get("correlation_id") or new_correlation_id()
    body = exc.body()
    body["correlationId"] = correlation_id
    if isinstance(exc, (RouteNotFound, MethodNotAllowed)):
        body["requestId"] = correlation_id
    headers = {**exc.headers, "X-HubSpot-Correlation-Id": correlation_id}
    if exc.note:
        state.setdefault("notes", []).append(exc.note)
    notes = state.get("notes")
    if notes:
        headers[NOTE_HEADER] = header_text("; ".join(notes))
    response = json_response(body, exc.status_code, headers)
    earned = state.get("answer_headers")  # the rate-limit headers, as raw pairs, when the call got that far
    if earned:
        names = {name for name, _ in response.raw_headers}
        response.raw_headers.extend(pair for pair in earned if pair[0] not in names)
    return response


def internal_error_response(correlation_id: str) -> Response:
    """For a failure that escaped every handler (the journal middleware catches it)."""
    return error_response(InternalError(), {"correlation_id": correlation_id})


async def on_hubspot_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HubSpotError)
    return error_response(exc, _state(request))


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's routing errors (unknown path, wrong method) in HubSpot's shape, never plain text; the
    nearest served operation is named in a note (the body stays HubSpot's)."""
    assert isinstance(exc, HTTPException)
    state = _state(request)
    nearest: Callable[[str, str], str | None] | None = getattr(request.app.state, "nearest_operation", None)
    hint = nearest(request.method, request.url.path) if nearest else None
    if hint:
        state.setdefault("notes", []).append(hint)
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        error: HubSpotError = MethodNotAllowed(f"Method {request.method} is not allowed here; allowed: {allow}", headers={"Allow": allow})
    elif exc.status_code == 404:
        error = RouteNotFound()
    else:
        error = HubSpotError(str(exc.detail), category=None)
    return error_response(error, state)


async def on_origin_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OriginError)
    return Response(exc.page(), exc.status_code, media_type="text/html")


async def on_dropped(request: Request, exc: Exception) -> Response:
    return NoAnswer()


class NoAnswer(Response):
    """Not an answer: the connection is closed instead (the journal records no status)."""

    def __init__(self) -> None:
        self.status_code = 0
        self.body = b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        drop_connection(scope)


def _state(request: Request) -> dict[str, Any]:
    return request.scope.setdefault("state", {})


EXCEPTION_HANDLERS: dict[Any, Callable[[Request, Exception], Any]] = {
    HubSpotError: on_hubspot_error,
    HTTPException: on_http_error,
    OriginError: on_origin_error,
    ConnectionDropped: on_dropped,
}
