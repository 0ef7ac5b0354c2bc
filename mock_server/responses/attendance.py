"""Attendance: every way of recording a contact's state in an event (by vid or email, by external ids or
objectId), and the reads of it (counters and breakdowns, by event and by contact)."""

from __future__ import annotations

from ..backend import MarketingEvent
from ..call import Answer, Call
from .shapes import batch, counters, email_result, no_content_unless_errors, page, participation, vid_result


# ---------------------------------------------------------------------------------------------- writes
def record_by_contact_ids(call: Call) -> Answer:
    p = call.params
    outcome = call.backend.record_by_contact_ids(
        call.principal, p["externalEventId"], p["subscriberState"], p.get("externalAccountId"), call.body["inputs"]
    )
    return batch(call, outcome, vid_result, call.settings.record_by_contact_ids_status)


def record_by_contact_id(call: Call) -> Answer:
    p = call.params
    outcome = call.backend.record_by_contact_id(call.principal, p["objectId"], p["subscriberState"], call.body["inputs"])
    return batch(call, outcome, vid_result, call.settings.record_by_contact_ids_status)


def record_by_email(call: Call) -> Answer:
    p = call.params
    outcome = call.backend.record_by_email(call.principal, p["objectId"], p["subscriberState"], call.body["inputs"])
    return batch(call, outcome, email_result, 200)


def record_by_contact_emails(call: Call) -> Answer:
    p = call.params
    outcome = call.backend.record_by_contact_emails(
        call.principal, p["externalEventId"], p["subscriberState"], p.get("externalAccountId"), call.body["inputs"]
    )
    return batch(call, outcome, email_result, 200)


def upsert_by_contact_id(call: Call) -> Answer:
    p = call.params
    outcome = call.backend.upsert_by_contact_id(
        call.principal, p["externalEventId"], p["subscriberState"], p["externalAccountId"], call.body["inputs"]
    )
    return no_content_unless_errors(call, outcome, call.settings.upsert_by_contact_id_status, vid_result)


def upsert_by_contact_email(call: Call) -> Answer:
    p = call.params
    outcome = call.backend.upsert_by_contact_email(
        call.principal, p["externalEventId"], p["subscriberState"], p["externalAccountId"], call.body["inputs"]
    )
    status = call.settings.upsert_by_contact_email_status
    if status != 204:  # the setting's other choice is "200 with a batch body" (a 200 without one cannot be read)
        return batch(call, outcome, email_result, status)
    return no_content_unless_errors(call, outcome, status, email_result)


# ---------------------------------------------------------------------------------------------- reads
def counters_by_external_ids(call: Call) -> Answer:
    p = call.params
    event = call.backend.event_by_external_ids(call.principal, p["externalEventId"], p["externalAccountId"])
    return Answer(200, counters(call.backend.counters(event)))


def counters_by_object_id(call: Call) -> Answer:
    event = call.backend.event_by_object_id(call.principal, str(call.params["marketingEventId"]))
    return Answer(200, counters(call.backend.counters(event)))


def breakdown_by_external_ids(call: Call) -> Answer:
    p = call.params
    event = call.backend.event_by_external_ids(call.principal, p["externalEventId"], p["externalAccountId"])
    return _breakdown(call, event)


def breakdown_by_object_id(call: Call) -> Answer:
    event = call.backend.event_by_object_id(call.principal, str(call.params["marketingEventId"]))
    return _breakdown(call, event)


def _breakdown(call: Call, event: MarketingEvent) -> Answer:
    p = call.params
    total, views, next_after = call.backend.breakdown(
        event, state=p.get("state"), contact=p.get("contactIdentifier"), after=int(p.get("after", 0)), limit=p.get("limit", 10)
    )
    return Answer(200, page([participation(event, v) for v in views], total, next_after))


def breakdown_by_contact(call: Call) -> Answer:
    p = call.params
    total, rows, next_after = call.backend.contact_breakdown(
        call.principal, p["contactIdentifier"], state=p.get("state"), after=int(p.get("after", 0)), limit=p.get("limit", 10)
    )
    return Answer(200, page([participation(event, view) for event, view in rows], total, next_after))
