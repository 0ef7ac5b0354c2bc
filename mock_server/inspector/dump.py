"""The whole state as people read it (`GET /__mock/state`, the pytest plugin's `state()`): ISO instants, emails,
subscriber histories. A presentation, not a snapshot (backend/persistence.py is the restorable image); equal
dumps mean equal states, which is what tests compare."""

from __future__ import annotations

from typing import Any

from ..backend import Backend, MarketingEvent
from ..clock import iso_ms


def dump_state(backend: Backend) -> dict[str, Any]:
    with backend._lock:
        return {
            "portals": {
                str(p.portal_id): {
                    "propertyDefinitions": sorted(p.property_definitions),
                    "contacts": [
                        {"vid": c.vid, "email": c.email, "properties": dict(c.properties), "createdAt": iso_ms(c.created_at)}
                        for c in p.contacts.values()
                    ],
                    "events": [_event(e) for e in p.events.values()],
                }
                for p in backend.portals.values()
            }
        }


def _event(e: MarketingEvent) -> dict[str, Any]:
    return {
        "objectId": e.object_id,
        "appId": e.app_id,
        "externalAccountId": e.external_account_id,
        "externalEventId": e.external_event_id,
        "eventName": e.event_name,
        "eventOrganizer": e.event_organizer,
        "eventType": e.event_type,
        "eventDescription": e.event_description,
        "eventUrl": e.event_url,
        "startDateTime": None if e.start_ms is None else iso_ms(e.start_ms),
        "endDateTime": None if e.end_ms is None else iso_ms(e.end_ms),
        "eventCancelled": e.event_cancelled,
        "eventCompleted": e.event_completed,
        "customProperties": dict(e.custom_properties),
        "createdAt": iso_ms(e.created_at),
        "updatedAt": iso_ms(e.updated_at),
        "subscribers": [
            {
                "vid": p.vid,
                "history": [
                    {"state": c.state, "interactionDateTime": c.interaction_ms, "properties": dict(c.properties)}
                    for c in p.history
                ],
            }
            for p in e.participations.values()
        ],
    }
