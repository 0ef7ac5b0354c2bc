"""One handler per spec operation: read the call, ask the backend, shape HubSpot's answer.

Shapes follow HubSpot's response schemas (BatchResponse*, MarketingEventPublic*Response, AttendanceCounters,
CollectionResponseWithTotalParticipationBreakdown). Nothing here decides a rule; the backend does.
"""

from __future__ import annotations

from typing import Any

from .backend import AttendanceResult, AttendanceState, BatchOutcome, ItemError, MarketingEvent, ParticipationView
from .call import Answer, Call
from .clock import iso_ms


# ---------------------------------------------------------------------------------------------- writes
def record_by_contact_ids(call: Call) -> Answer:
    p = call.params
    outcome = call.backend.record_by_contact_ids(
        call.principal, p["externalEventId"], p["subscriberState"], p.get("externalAccountId"), call.body["inputs"]
    )
    return _batch(call, outcome, _vid_result, call.settings.record_by_contact_ids_status)


def record_by_email(call: Call) -> Answer:
    p = call.params
    outcome = call.backend.record_by_email(call.principal, p["objectId"], p["subscriberState"], call.body["inputs"])
    return _batch(call, outcome, _email_result, 200)


def upsert_events(call: Call) -> Answer:
    outcome = call.backend.upsert_events(call.principal, call.body["inputs"])
    return _batch(call, outcome, _event_result, 200)


def upsert_by_contact_id(call: Call) -> Answer:
    p = call.params
    outcome = call.backend.upsert_by_contact_id(
        call.principal, p["externalEventId"], p["subscriberState"], p["externalAccountId"], call.body["inputs"]
    )
    if not outcome.errors and not call.item_errors:
        return Answer(call.settings.upsert_by_contact_id_status, None, outcome.notes)
    return _batch(call, outcome, _vid_result, call.settings.mixed_batch_status)


def _batch(call: Call, outcome: BatchOutcome, shape: Any, success_status: int) -> Answer:
    """HubSpot's batch answer: results, and per-item errors (the backend's, and inputs the call took out)."""
    outcome.errors.extend(call.item_errors)
    completed = call.backend.clock.now_ms()
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": [shape(r) for r in outcome.results],
        "requestedAt": iso_ms(call.requested_at_ms),
        "startedAt": iso_ms(call.requested_at_ms),
        "completedAt": iso_ms(completed),
    }
    status = success_status
    if outcome.errors:
        body["numErrors"] = len(outcome.errors)
        body["errors"] = [_standard_error(e, call.settings.item_error_shape) for e in outcome.errors]
        if call.settings.mixed_batch_status != 200:
            status = call.settings.mixed_batch_status
    return Answer(status, body, outcome.notes)


def _standard_error(error: ItemError, shape: str) -> dict[str, Any]:
    """The live shape is what HubSpot was seen to send; the spec shape has every field its spec requires."""
    out: dict[str, Any] = {"status": "error", "category": error.category}
    if error.sub_category:
        out["subCategory"] = error.sub_category
    out["message"] = error.message
    if shape == "spec":
        out["context"] = error.context
        out["errors"] = []
        out["links"] = {}
    return out


def _vid_result(r: AttendanceResult) -> dict[str, Any]:
    return {"vid": r.vid}


def _email_result(r: AttendanceResult) -> dict[str, Any]:
    return {"email": r.email, "vid": r.vid}


def _event_result(e: MarketingEvent) -> dict[str, Any]:
    out = _event_fields(e, {"id": e.object_id, "objectId": e.object_id})
    out["customProperties"] = [_property_value(e, name, value) for name, value in e.custom_properties.items()]
    return out


def _event_fields(e: MarketingEvent, out: dict[str, Any]) -> dict[str, Any]:
    """The event's fields added to `out`, in HubSpot's order; unset optional fields are left out."""
    out["eventName"] = e.event_name
    out["eventOrganizer"] = e.event_organizer
    out["eventCancelled"] = e.event_cancelled
    out["eventCompleted"] = e.event_completed
    out["createdAt"] = iso_ms(e.created_at)
    out["updatedAt"] = iso_ms(e.updated_at)
    if e.event_type is not None:
        out["eventType"] = e.event_type
    if e.event_description is not None:
        out["eventDescription"] = e.event_description
    if e.event_url is not None:
        out["eventUrl"] = e.event_url
    if e.start_ms is not None:
        out["startDateTime"] = iso_ms(e.start_ms)
    if e.end_ms is not None:
        out["endDateTime"] = iso_ms(e.end_ms)
    return out


def _property_value(e: MarketingEvent, name: str, value: str) -> dict[str, Any]:
    """HubSpot's PropertyValue with every field its spec marks required (the SDK checks them)."""
    return {
        "name": name,
        "value": value,
        "dataSensitivity": "none",
        "isEncrypted": False,
        "isLargeValue": False,
        "maskedSubstrings": {"substrings": []},
        "persistenceTimestamp": e.updated_at,
        "requestId": "",
        "selectedByUser": False,
        "selectedByUserTimestamp": 0,
        "source": "INTEGRATION",
        "sourceId": str(e.app_id),
        "sourceLabel": "",
        "sourceMetadata": "",
        "sourceUpstreamDeployable": "",
        "sourceVid": [],
        "timestamp": e.updated_at,
        "unit": "",
        "updatedByUserId": 0,
        "useTimestampAsPersistenceTimestamp": True,
    }


# ---------------------------------------------------------------------------------------------- reads
def get_details(call: Call) -> Answer:
    p = call.params
    event = call.backend.event_by_external_ids(call.principal, p["externalEventId"], p["externalAccountId"])
    out = _event_fields(event, {"id": event.object_id, "objectId": event.object_id, "externalEventId": event.external_event_id})
    out["customProperties"] = [_property_value(event, n, v) for n, v in event.custom_properties.items()]
    out.update(_read_counters(call.backend.counters(event)))
    return Answer(200, out)


def get_by_object_id(call: Call) -> Answer:
    event = call.backend.event_by_object_id(call.principal, call.params["objectId"])
    out = _event_fields(event, {"objectId": event.object_id, "externalEventId": event.external_event_id})
    out["eventStatus"] = event.status(call.backend.clock.now_ms())
    out["appInfo"] = {"id": str(event.app_id), "name": f"App {event.app_id}"}
    out["customProperties"] = [{"name": n, "value": v} for n, v in event.custom_properties.items()]
    out.update(_read_counters(call.backend.counters(event)))
    return Answer(200, out)


def counters_by_external_ids(call: Call) -> Answer:
    p = call.params
    event = call.backend.event_by_external_ids(call.principal, p["externalEventId"], p["externalAccountId"])
    return Answer(200, _counters(call.backend.counters(event)))


def counters_by_object_id(call: Call) -> Answer:
    event = call.backend.event_by_object_id(call.principal, str(call.params["marketingEventId"]))
    return Answer(200, _counters(call.backend.counters(event)))


def breakdown_by_external_ids(call: Call) -> Answer:
    p = call.params
    event = call.backend.event_by_external_ids(call.principal, p["externalEventId"], p["externalAccountId"])
    return Answer(200, _breakdown(call, event))


def breakdown_by_object_id(call: Call) -> Answer:
    event = call.backend.event_by_object_id(call.principal, str(call.params["marketingEventId"]))
    return Answer(200, _breakdown(call, event))


S = AttendanceState


def _counters(c: dict[AttendanceState, int]) -> dict[str, int]:
    return {"attended": c[S.ATTENDED], "cancelled": c[S.CANCELLED], "noShows": c[S.NO_SHOW], "registered": c[S.REGISTERED]}


def _read_counters(c: dict[AttendanceState, int]) -> dict[str, int]:
    return {"registrants": c[S.REGISTERED], "attendees": c[S.ATTENDED], "cancellations": c[S.CANCELLED], "noShows": c[S.NO_SHOW]}


def _breakdown(call: Call, event: MarketingEvent) -> dict[str, Any]:
    p = call.params
    total, page, next_after = call.backend.breakdown(
        event, state=p.get("state"), contact=p.get("contactIdentifier"), after=int(p.get("after", 0)), limit=p.get("limit", 10)
    )
    out: dict[str, Any] = {"total": total, "results": [_participation(event, v) for v in page]}
    if next_after is not None:
        out["paging"] = {"next": {"after": str(next_after)}}
    return out


def _participation(event: MarketingEvent, v: ParticipationView) -> dict[str, Any]:
    contact = {"contactId": str(v.contact.vid), "email": v.contact.email or ""}
    for name in ("firstname", "lastname"):
        if name in v.contact.properties:
            contact[name] = v.contact.properties[name]
    properties: dict[str, Any] = {"attendanceState": v.state, "occurredAt": v.change.interaction_ms}
    duration = v.change.duration_seconds
    if duration is not None:
        properties["attendanceDurationSeconds"] = duration
    return {
        "id": v.participation.participation_id,
        "createdAt": iso_ms(v.participation.created_at),
        "associations": {
            "contact": contact,
            "marketingEvent": {
                "marketingEventId": event.object_id,
                "name": event.event_name,
                "externalAccountId": event.external_account_id,
                "externalEventId": event.external_event_id,
            },
        },
        "properties": properties,
    }


# operationId in openapi/ -> handler. urls.py checks that the two match exactly.
HANDLERS = {
    "recordByContactIds": record_by_contact_ids,
    "recordByEmail": record_by_email,
    "upsertEvents": upsert_events,
    "upsertByContactId": upsert_by_contact_id,
    "getDetails": get_details,
    "getByObjectId": get_by_object_id,
    "getParticipationsCountersByEventExternalId": counters_by_external_ids,
    "getParticipationsCountersByMarketingEventId": counters_by_object_id,
    "getParticipationsBreakdownByExternalEventId": breakdown_by_external_ids,
    "getParticipationsBreakdownByMarketingEventId": breakdown_by_object_id,
}
