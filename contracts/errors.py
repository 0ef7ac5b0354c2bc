"""HubSpot's error envelope as typed exceptions (FACTS.md, "Error envelope").

Every non-2xx answer becomes a `HubSpotApiError` subclass chosen by HTTP status, carrying the envelope's
`category`, `subCategory`, `correlationId` and `message`, plus the whole body for anything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from .client import BatchResult


class HubSpotApiError(Exception):
    """A non-2xx answer. `body` is the parsed JSON envelope, or the raw text when it was not JSON."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        category: str | None = None,
        sub_category: str | None = None,
        correlation_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.category = category
        self.sub_category = sub_category
        self.correlation_id = correlation_id
        self.body = body

    def __str__(self) -> str:
        kind = "/".join(p for p in (self.category, self.sub_category) if p)
        return f"HTTP {self.status}{' ' + kind if kind else ''}: {self.message} (correlationId {self.correlation_id})"


class ValidationFailed(HubSpotApiError):
    """400 VALIDATION_ERROR; `body["errors"][].in` names the field at fault."""


class AuthenticationFailed(HubSpotApiError):
    """401 INVALID_AUTHENTICATION or EXPIRED_AUTHENTICATION."""


class MissingScopes(HubSpotApiError):
    """403 MISSING_SCOPES; the required scopes are in `body["errors"][0]["context"]`."""


class NotFoundError(HubSpotApiError):
    """404: a missing event (OBJECT_NOT_FOUND) or an unknown route (no category)."""


class RateLimited(HubSpotApiError):
    """429. HubSpot's body has no category; `policy_name` says which limit (TEN_SECONDLY_ROLLING, DAILY...)."""

    @property
    def policy_name(self) -> str | None:
        return self.body.get("policyName") if isinstance(self.body, dict) else None


class ServerError(HubSpotApiError):
    """5xx, after the retries ran out."""


class BatchItemErrors(Exception):
    """Raised by `BatchResult.raise_for_item_errors()`: the request succeeded, some of its inputs did not."""

    def __init__(self, result: "BatchResult[Any]") -> None:
        self.result = result
        self.errors = result.errors
        first = result.errors[0]
        kind = "/".join(p for p in (first.category, first.sub_category) if p)
        super().__init__(f"{len(result.errors)} input(s) failed; first: {kind}: {first.message}")


_BY_STATUS: dict[int, type[HubSpotApiError]] = {
    400: ValidationFailed,
    401: AuthenticationFailed,
    403: MissingScopes,
    404: NotFoundError,
    429: RateLimited,
}


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The body as a JSON object, or {} (proxies and load balancers answer 5xx in HTML)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_from_response(response: httpx.Response) -> HubSpotApiError:
    body = json_object(response)
    status = response.status_code
    cls = ServerError if status >= 500 else _BY_STATUS.get(status, HubSpotApiError)
    return cls(
        body.get("message") or response.reason_phrase or f"HTTP {status}",
        status=status,
        category=body.get("category"),
        sub_category=body.get("subCategory"),
        correlation_id=body.get("correlationId") or response.headers.get("X-HubSpot-Correlation-Id"),
        body=body or response.text,
    )
