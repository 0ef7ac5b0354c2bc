"""Event lifecycle: create, upsert (one or a batch), read, update, cancel, complete, delete, find."""

from __future__ import annotations

from typing import Any

from ..backend import BatchOutcome, MarketingEvent
from ..call import Answer, Call
from .shapes import app_info, batch, event_default, event_fields, event_public, event_read_v2, event_v2, page, property_values, read_counters


def upsert_events(call: Call) -> Answer:
    outcome = call.backend.upsert_events(call.principal, call.body["inputs"])
    return batch(call, outcome, lambda e: event_public(call, e), 200)


def create_event(call: Call) -> Answer:
    event, notes = call.backend.create_event(call.principal, call.body)
    return Answer(200, event_default(call, event), notes)


def upsert_event(call: Call) -> Answer:
    event, notes = call.backend.upsert_event(call.principal, call.params["externalEventId"], call.body)
    return Answer(200, event_public(call, event), notes)


def update_event(call: Call) -> Answer:
    p = call.params
    event = call.backend.event_by_external_ids(call.principal, p["externalEventId"], p["externalAccountId"])
    notes = call.backend.update_event(event, call.body)
    return Answer(200, event_public(call, event), notes)


def update_by_object_id(call: Call) -> Answer:
    event = call.backend.event_by_object_id(call.principal, call.params["objectId"])
    notes = call.backend.update_event(event, call.body)
    return Answer(200, event_v2(call, event), notes)


def update_events_by_object_id(call: Call) -> Answer:
    outcome = call.backend.update_events_by_object_id(call.principal, call.body["inputs"])
    return batch(call, outcome, lambda e: event_v2(call, e), 200, partial_status=call.version.partial_batch_update_status)


def cancel_event(call: Call) -> Answer:
    p = call.params
    event = call.backend.cancel_event(call.principal, p["externalEventId"], p["externalAccountId"])
    return Answer(200, event_default(call, event))


def complete_event(call: Call) -> Answer:
    p = call.params
    event = call.backend.complete_event(call.principal, p["externalEventId"], p["externalAccountId"], call.body)
    return Answer(200, event_default(call, event))


def archive_event(call: Call) -> Answer:
    p = call.params
    call.backend.archive_event(call.principal, p["externalEventId"], p["externalAccountId"])
    return Answer(204)


def archive_by_object_id(call: Call) -> Answer:
    call.backend.archive_by_object_id(call.principal, call.params["objectId"])
    return Answer(204)


def archive_events(call: Call) -> Answer:
    return _archived(call, call.backend.archive_events(call.principal, call.body["inputs"]))


def archive_events_by_object_id(call: Call) -> Answer:
    return _archived(call, call.backend.archive_events_by_object_id(call.principal, call.body["inputs"]))


def _archived(call: Call, outcome: BatchOutcome) -> Answer:
    """204 when every input named an event; 207 with the others as per-item errors (batch_archive_missing)."""
    if call.settings.batch_archive_missing == "ignore":
        outcome.errors.clear()
    if not outcome.errors and not call.item_errors:
        return Answer(204, None, outcome.notes)
    return batch(call, outcome, lambda r: {}, 204, partial_status=207)


def get_details(call: Call) -> Answer:
    p = call.params
    event = call.backend.event_by_external_ids(call.principal, p["externalEventId"], p["externalAccountId"])
    out = event_fields(event, {"id": event.object_id, "objectId": event.object_id, "externalEventId": event.external_event_id})
    out["customProperties"] = property_values(call, event)
    out.update(read_counters(call.backend.counters(event)))
    return Answer(200, out)


def get_by_object_id(call: Call) -> Answer:
    event = call.backend.event_by_object_id(call.principal, call.params["objectId"])
    return Answer(200, event_read_v2(call, event))


def get_all_events(call: Call) -> Answer:
    events, next_after = call.backend.events_page(call.principal, int(call.params.get("after", 0)), call.params.get("limit", 10))
    return Answer(200, page([event_read_v2(call, e) for e in events], None, next_after))


def search_events(call: Call) -> Answer:
    found = call.backend.search_events(call.principal, call.params["q"])
    return Answer(200, {"results": [_identity(e) for e in found]})


def get_identifiers(call: Call) -> Answer:
    p = call.params
    found = call.backend.identifiers(call.principal, p["externalEventId"], p.get("externalAccountId"))
    results = [
        {
            "objectId": e.object_id,
            "externalEventId": e.external_event_id,
            "externalAccountId": e.external_account_id,
            "marketingEventName": e.event_name,
            "appInfo": app_info(e),
        }
        for e in found
    ]
    return Answer(200, {"total": len(results), "results": results})


def _identity(e: MarketingEvent) -> dict[str, Any]:
    return {"appId": e.app_id, "externalAccountId": e.external_account_id, "externalEventId": e.external_event_id, "objectId": e.object_id}

