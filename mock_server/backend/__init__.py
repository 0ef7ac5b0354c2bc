"""The backend: HubSpot's Marketing Events state and rules, in plain Python with no HTTP (moto's models).

Tenancy follows HubSpot: a token is an app installed in a portal; contacts and property definitions belong
to a portal; events belong to a portal and are keyed by (app, externalAccountId, externalEventId), so the
external-id endpoints only ever see the calling app's events while objectId endpoints see the portal's.

Every write validates the whole request before changing anything: a request that raises leaves state as it
was. Per-item failures (HubSpot's batch semantics) are collected while the other items are applied.

One module per HubSpot resource, each a mixin over the shared state in base.py; `Backend` composes them and
owns the lock:

    records.py      what is stored (events, contacts, participations), the attendance states, batch outcomes
    tokens.py       Bearer tokens to principals
    contacts.py     contacts of a portal
    events.py       events: upsert, lookups by external ids and by objectId
    attendance.py   every attendance variant over one set of rules; counters and breakdowns
    seeding.py      seed data
    persistence.py  the state-file image (not a rule: conversion only)
"""

from __future__ import annotations

import itertools
from typing import Any, Iterable

from ..clock import Clock
from ..settings import Settings
from . import persistence
from .records import (
    READ_STATES,
    STORED_STATES,
    AttendanceResult,
    AttendanceState,
    BatchOutcome,
    Contact,
    ContactList,
    ItemError,
    MarketingEvent,
    Participation,
    ParticipationView,
    Portal,
    Principal,
    StateChange,
    subscriber_state,
)
from .seeding import Seeding

__all__ = [
    "READ_STATES", "STORED_STATES", "AttendanceResult", "AttendanceState", "Backend", "BatchOutcome", "Contact", "ContactList",
    "ItemError", "MarketingEvent", "Participation", "ParticipationView", "Portal", "Principal", "StateChange",
    "subscriber_state",
]


class Backend(Seeding):
    """Every resource's rules over one state, behind one lock."""

    def snapshot(self) -> dict[str, Any]:
        """The state as a restorable image (persistence.snapshot_image)."""
        return persistence.snapshot_image(self)

    def restore(self, image: dict[str, Any], *, consume: bool = False, chunks: Iterable[Any] = ()) -> None:
        """Replace all state with a snapshot's; everything in it is visible at once.

        The whole image is checked and built aside first, so a bad or foreign one raises ValueError and leaves
        the current state as it was; the swap itself happens under the lock, in one step. With `consume`, the
        image's records are dropped from it as they are built. `chunks` are more records, as a state file
        holds them after its first line (persistence.image_lines), read one at a time.
        """
        state = persistence.build_state(image, consume, chunks)
        with self._lock:
            self.portals, self.tokens = state.portals, state.tokens
            self.developer_keys, self.event_details_urls = state.developer_keys, state.event_details_urls
            self._vids, self._object_ids, self._participation_ids = (itertools.count(n) for n in state.counters)

    @classmethod
    def from_snapshot(
        cls, image: dict[str, Any], settings: Settings | None = None, clock: Clock | None = None, *, consume: bool = False
    ) -> "Backend":
        backend = cls(settings, clock)
        backend.restore(image, consume=consume)
        return backend
