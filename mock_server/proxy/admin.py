"""The proxy's `/__mock/` side: its own endpoints under `/__mock/proxy/` (the report, the comparisons), and the
baseline shadow's admin API and inspector page under the rest of `/__mock/`, so the page opened on the proxy
shows the state the mock built from the real run, with a Proxy tab over the comparisons.

Both answer under the shadow's admin rules: only Host names that address this machine (a DNS-rebinding page
sends its own) and, with `admin_token` set, only calls carrying it. Nothing here is forwarded upstream: the admin
token never leaves the proxy, and the caller's portal token never reaches the shadow.

What would break the comparison is refused with a 409: arming faults on the shadow (its answers would differ
for a reason HubSpot does not have; fault the upstream instead), resetting it (the portal keeps its objects,
so every later read would differ) and seeding it at run time (the candidate shadows would not have the data,
and a replay of the recording would not either: `--seed FILE` gives it to all of them, and to the replay).
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import Settings
from ..admin import LOOPBACK_NAMES
from ..app import admin_allowed

# Every answer of the shadow's admin API on the proxy says so: the inspector page reads it to know it may ask
# for the comparisons (a plain mock never gets that request, so its journal never shows it).
PROXY_HEADER = "X-HubSpot-Mock-Proxy"
PROXY_PREFIX = "/__mock/proxy"
REFUSED: dict[tuple[str, str], str] = {
    ("POST", "/__mock/faults"): (
        "The proxy's shadow mirrors the upstream: a fault armed on it would make its answers differ for a reason "
        "HubSpot does not have. Arm faults on the upstream instead (a stand-in mock's own /__mock/faults, or its "
        "X-HubSpot-Mock-Fault header, which the proxy forwards): its faults pass through and are reported as the "
        "upstream's."
    ),
    ("POST", "/__mock/reset"): (
        "The proxy's shadow cannot be reset: the upstream portal keeps its objects, so every later read would differ. "
        "Restart the proxy for a fresh shadow."
    ),
    ("POST", "/__mock/seed"): (
        "The proxy's shadow is seeded at start only (hubspot-mock proxy --seed FILE): seeded now, the candidate shadows "
        "and a replay of the recording would not have the data. Restart the proxy with --seed, and replay with the "
        "same --seed."
    ),
}


def error(status: int, message: str, category: str | None) -> JSONResponse:
    """HubSpot's error envelope, as the mock answers its own admin errors."""
    correlation_id = str(uuid.uuid4())
    body: dict[str, Any] = {"status": "error", "message": message, "correlationId": correlation_id}
    if category:
        body["category"] = category
    return JSONResponse(body, status, headers={"X-HubSpot-Correlation-Id": correlation_id}, media_type="application/json;charset=utf-8")


class ProxyGuard:
    """The shadow's admin rules for the proxy's own endpoints: the Host names that address this machine, and
    the admin token when there is one. (No JSON rule for POST: `POST /__mock/proxy/report` rewrites the report
    files the user asked for and changes no state, and the proxy's banner shows it as a bare `curl -X POST`.)"""

    def __init__(self, settings: Settings) -> None:
        self.hosts = LOOPBACK_NAMES | {settings.host.lower().strip("[]")}
        self.token = settings.admin_token

    def refusal(self, request: Request) -> Response | None:
        host = (request.url.hostname or "").lower()
        if host not in self.hosts:
            return error(403, f"The proxy's admin endpoints answer only on {', '.join(sorted(self.hosts))}, not Host {host[:60]!r}", "FORBIDDEN")
        if self.token is not None:
            given = request.headers.get("authorization", "").partition(" ")[2].strip()
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return error(401, "The admin API wants its own token", "INVALID_AUTHENTICATION")
        return None


class ShadowAdmin:
    """`/__mock/...` on the proxy: the baseline shadow's own admin API and inspector page, called in process.
    The shadow checks Host, Origin, content type, token and parameters itself, as it does for any caller."""

    def __init__(self, shadow_app: ASGIApp, settings: Settings, guard: ProxyGuard) -> None:
        self.shadow_app = shadow_app
        self.guard = guard
        self.enabled = admin_allowed(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The shadow routes the call afresh: nothing the proxy's router matched may leak into its parameters.
        scope = {k: v for k, v in scope.items() if k not in ("endpoint", "path_params", "route", "router", "app")}
        refused = REFUSED.get((scope["method"], scope["path"])) if self.enabled else None
        if refused is not None:
            response = self.guard.refusal(Request(scope)) or error(409, refused, "CONFLICT")
            await response(scope, receive, send)
            return

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (PROXY_HEADER.lower().encode(), PROXY_PREFIX.encode())]}
            await send(message)

        await self.shadow_app(scope, receive, marked)
