"""The one place where errors become HubSpot envelopes.

Every non-2xx answer has ``status: "error"``, a message, a lowercase uuid4 ``correlationId`` that the
``X-HubSpot-Correlation-Id`` header repeats, and HubSpot's category where HubSpot sends one.
"""

from __future__ import annotations

import logging
import random

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .exceptions import HubSpotError, MethodNotAllowed, RouteNotFound

JSON = "application/json;charset=utf-8"
log = logging.getLogger("mock_server")


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


def error_response(exc: HubSpotError, correlation_id: str, headers: dict[str, str] | None = None) -> Response:
    body = exc.body()
    body["correlationId"] = correlation_id
    if isinstance(exc, (RouteNotFound, MethodNotAllowed)):
        body["requestId"] = correlation_id
    return json_response(
        body, exc.status_code, {**(headers or {}), **exc.headers, "X-HubSpot-Correlation-Id": correlation_id}
    )


async def on_hubspot_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HubSpotError)
    return error_response(exc, new_correlation_id())


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's routing errors (unknown path, wrong method) in HubSpot's shape, never plain text."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        return error_response(
            MethodNotAllowed(f"Method {request.method} is not allowed here; allowed: {allow}", headers={"Allow": allow}),
            new_correlation_id(),
        )
    if exc.status_code == 404:
        return error_response(RouteNotFound(), new_correlation_id())
    return error_response(HubSpotError(str(exc.detail), category=None), new_correlation_id())


async def on_server_error(request: Request, exc: Exception) -> Response:
    """A bug in the mock: still HubSpot's envelope, and logged loudly (a client's mistake never lands here)."""
    log.exception("internal error on %s %s", request.method, request.url.path)
    error = HubSpotError("internal error", category="INTERNAL_ERROR")
    error.status_code = 500
    return error_response(error, new_correlation_id())


EXCEPTION_HANDLERS = {
    HubSpotError: on_hubspot_error,
    HTTPException: on_http_error,
    Exception: on_server_error,
}
