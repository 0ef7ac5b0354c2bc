"""What every resource of the backend shares: the state, the lock that serialises it, and the id counters."""

from __future__ import annotations

import functools
import itertools
import threading
from typing import Any, Callable, Concatenate, Iterable, ParamSpec, TypeVar

from ..changes import ChangeLog
from ..clock import Clock
from ..exceptions import NotFound
from ..settings import Settings
from .records import MarketingEvent, Portal, Principal, invalid

P = ParamSpec("P")
R = TypeVar("R")
B = TypeVar("B", bound="BackendBase")


def locked(method: Callable[Concatenate[B, P], R]) -> Callable[Concatenate[B, P], R]:
    """Serialise a backend method: the HTTP server, a test thread and the admin API may share one backend."""

    @functools.wraps(method)
    def wrapper(self: B, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class BackendBase:
    """State and bookkeeping; the rules are in the resource mixins (events, attendance, contacts) composed by
    `Backend`, moto-style, each a module of its own."""

    def __init__(self, settings: Settings | None = None, clock: Clock | None = None) -> None:
        self.settings = settings or Settings()
        self.clock = clock or Clock()
        self._lock = threading.RLock()
        self.changes = ChangeLog(self._lock)  # what each write changed, for the journal
        self.portals: dict[int, Portal] = {}
        self.tokens: dict[str, Principal] = {}
        self.developer_keys: dict[str, frozenset[int]] = {}  # developer API key -> the apps it owns
        self.event_details_urls: dict[int, str] = {}  # appId -> its settings' eventDetailsUrl
        self._vids = itertools.count(self.settings.first_vid)
        self._object_ids = itertools.count(self.settings.first_object_id)
        self._participation_ids = itertools.count(1)
        self.portal(self.settings.default_portal_id)

    def portal(self, portal_id: int) -> Portal:
        portal = self.portals.get(portal_id)
        if portal is None:
            portal = self.portals[portal_id] = Portal(portal_id)
        return portal

    def peek_counter(self, name: str) -> int:
        """The next value of an id counter, without using it up (itertools.count cannot be read otherwise)."""
        value: int = next(getattr(self, name))
        setattr(self, name, itertools.count(value))
        return value

    # ------------------------------------------------------------------ shared by every resource's rules
    def not_found(self, message: str) -> NotFound:
        return NotFound(message, category=self.settings.not_found_category)

    def visible(self, event: MarketingEvent) -> bool:
        """Reads lag writes by read_lag_seconds (HubSpot's reads are eventually consistent)."""
        return event.visible_at + self.settings.read_lag_seconds <= self.clock.monotonic()

    def check_duplicates(self, keys: Iterable[Any], name: str) -> None:
        """[A] Several inputs with the same key in one batch: merged (applied in order) unless set to reject."""
        if self.settings.duplicate_batch_items != "reject":
            return
        seen: set[Any] = set()
        for i, key in enumerate(keys):
            if key in seen:
                raise invalid(f"inputs[{i}]", f"Duplicate {name} in one batch: {key!r}")
            seen.add(key)
