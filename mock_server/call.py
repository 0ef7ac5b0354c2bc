"""One API call as a handler sees it, and what the handler answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .versions import V3, ApiVersion

if TYPE_CHECKING:
    from .backend import Backend, ItemError, Principal
    from .settings import Settings


@dataclass
class Call:
    """One parsed, authenticated, validated API call."""

    backend: "Backend"
    settings: "Settings"
    principal: "Principal"
    params: dict[str, Any]  # path and query parameters, typed by the spec
    body: Any  # the JSON body, checked against the spec (None for operations without one)
    requested_at_ms: int
    # Inputs taken out before the backend saw them (a partial-failure fault), answered as per-item errors.
    item_errors: list["ItemError"] = field(default_factory=list)
    version: ApiVersion = V3  # the API version the call came through (versions.py)


@dataclass
class Answer:
    status: int
    body: Any = None  # None: no body (204)
    notes: list[str] = field(default_factory=list)  # for X-HubSpot-Mock-Note and the journal


Handler = Callable[[Call], Answer]
