"""HubSpot's errors as exceptions: the backend and the pipeline raise them, the exception handlers in
envelopes.py alone turn them into answers.

Each class carries its HTTP status (by class, never set on an instance) and HubSpot's category; the
envelope's shape is decided in envelopes.py so that nothing else formats an error.
"""

from __future__ import annotations

from typing import Any

WRITE_SCOPE = "crm.objects.marketing_events.write"
READ_SCOPE = "crm.objects.marketing_events.read"
CONTACTS_READ_SCOPE = "crm.objects.contacts.read"
CONTACTS_WRITE_SCOPE = "crm.objects.contacts.write"
# What a token has unless a seed says otherwise: everything the mock serves.
ALL_SCOPES = frozenset({WRITE_SCOPE, READ_SCOPE, CONTACTS_READ_SCOPE, CONTACTS_WRITE_SCOPE})


class HubSpotError(Exception):
    status_code = 400
    category: str | None = "VALIDATION_ERROR"

    def __init__(
        self,
        message: str,
        *,
        sub_category: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        context: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
        category: str | None = None,
        note: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.note = note  # the mock's own word on it (X-HubSpot-Mock-Note, the journal); HubSpot's body stays as it is
        self.sub_category = sub_category
        self.errors = errors
        self.context = context
        self.headers = headers or {}
        self.extra: dict[str, Any] = {}  # keys some HubSpot errors carry beyond the envelope (429's policyName)
        if category is not None:
            self.category = category

    def body(self) -> dict[str, Any]:
        """The envelope without correlationId (added per request)."""
        body: dict[str, Any] = {"status": "error", "message": self.message}
        if self.category is not None:
            body["category"] = self.category
        if self.sub_category is not None:
            body["subCategory"] = self.sub_category
        if self.context is not None:
            body["context"] = self.context
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class ValidationError(HubSpotError):
    """400 VALIDATION_ERROR; `errors[].in` names the offending field."""


class InvalidJson(ValidationError):
    pass


class UnsupportedMediaType(HubSpotError):
    status_code = 415


class PayloadTooLarge(HubSpotError):
    status_code = 413


class Unauthorized(HubSpotError):
    status_code = 401
    category = "INVALID_AUTHENTICATION"
    MESSAGE = (
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
        "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
    )

    def __init__(self, message: str = MESSAGE, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"x-hubspot-auth-failure": "401 Unauthorized"})
        super().__init__(message, **kwargs)


class ExpiredToken(Unauthorized):
    category = "EXPIRED_AUTHENTICATION"


class MissingScopes(HubSpotError):
    status_code = 403
    category = "MISSING_SCOPES"

    def __init__(self, required_scope: str) -> None:
        super().__init__(
            "This app hasn't been granted all required scopes to make this call. Read more about required "
            "scopes here: https://developers.hubspot.com/scopes.",
            errors=[
                {
                    "message": "One or more of the following scopes are required.",
                    "context": {"requiredGranularScopes": [required_scope]},
                }
            ],
        )


class Forbidden(HubSpotError):
    status_code = 403
    category = "FORBIDDEN"


class NotFound(HubSpotError):
    """A missing marketing event. The category is a setting (FACTS.md marks it [A])."""

    status_code = 404
    category = "OBJECT_NOT_FOUND"


class RouteNotFound(HubSpotError):
    """An unknown path: HubSpot answers without a category, with a requestId."""

    status_code = 404
    category = None

    def __init__(self) -> None:
        super().__init__("resource not found")


class MethodNotAllowed(HubSpotError):
    """[A] Shaped like the routing 404 (no category); the Allow header lists what the path takes."""

    status_code = 405
    category = None


class RateLimited(HubSpotError):
    """HubSpot's 429: no category, an errorType and the policy that was hit, and no Retry-After."""

    status_code = 429
    category = None
    MESSAGES = {
        "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
        "SECONDLY": "You have reached your secondly limit.",
        "DAILY": "You have reached your daily limit.",
    }
    GROUPS = {"TEN_SECONDLY_ROLLING": "ten-secondly", "SECONDLY": "secondly", "DAILY": "daily"}

    def __init__(self, policy: str, portal_id: int) -> None:
        super().__init__(self.MESSAGES[policy])
        self.extra = {
            "errorType": "RATE_LIMIT",
            "policyName": policy,
            "groupName": f"publicapi:hapikey-api-calls-{self.GROUPS[policy]}:{portal_id}",
        }


class Conflict(HubSpotError):
    status_code = 409
    category = "CONFLICT"


class InternalError(HubSpotError):
    """500: the mock's own failure (a bug; logged and journaled with its traceback), or an injected one."""

    status_code = 500
    category = "INTERNAL_ERROR"

    def __init__(self, message: str = "internal error", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class BadGateway(HubSpotError):
    """HubSpot's gateway errors carry no category."""

    status_code = 502
    category = None


class RequestTimeout(HubSpotError):
    """408: a connection that did not send its request's headers in time (the server layer answers it)."""

    status_code = 408
    category = None


class RequestHeaderFieldsTooLarge(HubSpotError):
    """431: a request line and headers over max_header_bytes (the server layer answers it)."""

    status_code = 431


class ServiceUnavailable(HubSpotError):
    status_code = 503
    category = None


class GatewayTimeout(HubSpotError):
    status_code = 504
    category = None


class OriginError(Exception):
    """521-523: the CDN in front of HubSpot answers an HTML page, not JSON (the Node SDK throws on it)."""

    TITLES = {521: "Web server is down", 522: "Connection timed out", 523: "Origin is unreachable"}

    def __init__(self, status_code: int) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code

    def page(self) -> bytes:
        title = self.TITLES.get(self.status_code, "Origin error")
        return (
            f"<!DOCTYPE html><html><head><title>api.hubapi.com | {self.status_code}: {title}</title></head>"
            f"<body><h1>Error {self.status_code}</h1><p>{title}</p></body></html>"
        ).encode()


class ConnectionDropped(Exception):
    """No answer at all: the connection is closed (a fault, or a proxy that gave up)."""


class UniqueValueConflict(ValidationError):
    """A single create with a key the app already uses. Integrations read `errorType` and
    `errorTokens.existingObjectId` to find the event they meant (FACTS.md: seen live)."""

    def __init__(self, unique_id: str, existing_object_id: str) -> None:
        super().__init__(
            f"A marketing event with hs_unique_id {unique_id} already exists (objectId {existing_object_id})"
        )
        self.extra = {
            "errorType": "UNIQUE_VALUE_CONFLICT",
            "errorTokens": {"existingObjectId": [existing_object_id], "propertyName": ["hs_unique_id"]},
        }
