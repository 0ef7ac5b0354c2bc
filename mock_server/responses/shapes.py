"""HubSpot's answer shapes, shared by the handlers: batch answers, per-item errors, the event in its several
read and write shapes, participations. Shapes only: no rule is decided here (the backend decides)."""

from __future__ import annotations

from typing import Any, Callable

from ..backend import AttendanceResult, AttendanceState, BatchOutcome, ItemError, MarketingEvent, ParticipationView
from ..call import Answer, Call
from ..clock import iso_ms

S = AttendanceState


# ---------------------------------------------------------------------------------------------- batches
def batch(call: Call, outcome: BatchOutcome, shape: Callable[[Any], dict[str, Any]], success_status: int, partial_status: int | None = None) -> Answer:
    """HubSpot's batch answer: results, and per-item errors (the backend's, and inputs the call took out). A
    partly failed batch answers `partial_status` (mixed_batch_status unless the operation declares its own)."""
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
        body["errors"] = [standard_error(e, call.settings.item_error_shape) for e in outcome.errors]
        partial = call.settings.mixed_batch_status if partial_status is None else partial_status
        if partial != 200:
            status = partial
    return Answer(status, body, outcome.notes)


def no_content_unless_errors(call: Call, outcome: BatchOutcome, success_status: int, shape: Callable[[Any], dict[str, Any]]) -> Answer:
    """Operations that answer without a body when every input landed, and a batch body when some failed."""
    if not outcome.errors and not call.item_errors:
        return Answer(success_status, None, outcome.notes)
    return batch(call, outcome, shape, call.settings.mixed_batch_status)


def standard_error(error: ItemError, shape: str) -> dict[str, Any]:
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


def vid_result(r: AttendanceResult) -> dict[str, Any]:
    return {"vid": r.vid}


def email_result(r: AttendanceResult) -> dict[str, Any]:
    return {"email": r.email, "vid": r.vid}


# ---------------------------------------------------------------------------------------------- events
def event_fields(e: MarketingEvent, out: dict[str, Any], *, timestamps: bool = True) -> dict[str, Any]:
    """The event's fields added to `out`, in HubSpot's order; unset optional fields are left out."""
    out["eventName"] = e.event_name
    out["eventOrganizer"] = e.event_organizer
    out["eventCancelled"] = e.event_cancelled
    out["eventCompleted"] = e.event_completed
    if timestamps:
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


def event_public(call: Call, e: MarketingEvent) -> dict[str, Any]:
    """MarketingEventPublicDefaultResponse: the batch upsert's results, PUT and PATCH by external ids."""
    out = event_fields(e, {"id": e.object_id, "objectId": e.object_id})
    out["customProperties"] = property_values(call, e)
    return out


def event_default(call: Call, e: MarketingEvent) -> dict[str, Any]:
    """MarketingEventDefaultResponse: single create, cancel, complete (no timestamps, `objectId` on top)."""
    out = event_fields(e, {"objectId": e.object_id}, timestamps=False)
    out["customProperties"] = property_values(call, e)
    return out


def event_v2(call: Call, e: MarketingEvent) -> dict[str, Any]:
    """MarketingEventPublicDefaultResponseV2: writes by objectId (custom properties as name/value pairs)."""
    out = event_fields(e, {"objectId": e.object_id})
    out["appInfo"] = app_info(e)
    out["customProperties"] = [{"name": n, "value": v} for n, v in e.custom_properties.items()]
    return out


def event_read_v2(call: Call, e: MarketingEvent) -> dict[str, Any]:
    """MarketingEventPublicReadResponseV2: reads by objectId and the list of all events."""
    out = event_fields(e, {"objectId": e.object_id, "externalEventId": e.external_event_id})
    out["eventStatus"] = e.status(call.backend.clock.now_ms())
    out["appInfo"] = app_info(e)
    out["customProperties"] = [{"name": n, "value": v} for n, v in e.custom_properties.items()]
    out.update(read_counters(call.backend.counters(e)))
    return out


def app_info(e: MarketingEvent) -> dict[str, str]:
    return {"id": str(e.app_id), "name": f"App {e.app_id}"}


def property_values(call: Call, e: MarketingEvent) -> list[dict[str, Any]]:
    if not e.custom_properties:  # most events: no list comprehension to set up
        return []
    return [property_value(call, e, name, value) for name, value in e.custom_properties.items()]


def property_value(call: Call, e: MarketingEvent, name: str, value: str) -> dict[str, Any]:
    """HubSpot's PropertyValue with every field its spec marks required (the SDK checks them); from 2026-09
    without maskedSubstrings."""
    out: dict[str, Any] = {
        "name": name,
        "value": value,
        "dataSensitivity": "none",
        "isEncrypted": False,
        "isLargeValue": False,
    }
    if call.version.masked_substrings:
        out["maskedSubstrings"] = {"substrings": []}
    out.update(
        persistenceTimestamp=e.updated_at,
        requestId="",
        selectedByUser=False,
        selectedByUserTimestamp=0,
        source="INTEGRATION",
        sourceId=str(e.app_id),
        sourceLabel="",
        sourceMetadata="",
        sourceUpstreamDeployable="",
        sourceVid=[],
        timestamp=e.updated_at,
        unit="",
        updatedByUserId=0,
        useTimestampAsPersistenceTimestamp=True,
    )
    return out


# ---------------------------------------------------------------------------------------------- participations
def counters(c: dict[AttendanceState, int]) -> dict[str, int]:
    return {"attended": c[S.ATTENDED], "cancelled": c[S.CANCELLED], "noShows": c[S.NO_SHOW], "registered": c[S.REGISTERED]}


def read_counters(c: dict[AttendanceState, int]) -> dict[str, int]:
    return {"registrants": c[S.REGISTERED], "attendees": c[S.ATTENDED], "cancellations": c[S.CANCELLED], "noShows": c[S.NO_SHOW]}


def participation(event: MarketingEvent, v: ParticipationView) -> dict[str, Any]:
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


def page(results: list[Any], total: int | None, next_after: int | None) -> dict[str, Any]:
    """A collection answer; `paging.next.after` names the next page (an offset, as a string)."""
    out: dict[str, Any] = {"total": total, "results": results} if total is not None else {"results": results}
    if next_after is not None:
        out["paging"] = {"next": {"after": str(next_after)}}
    return out
