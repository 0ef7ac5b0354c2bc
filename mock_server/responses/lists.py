"""List associations of an event, by the calling app's external ids or by objectId."""

from __future__ import annotations

from ..backend import ContactList, MarketingEvent
from ..call import Answer, Call
from ..clock import iso_ms


def get_lists_by_external_ids(call: Call) -> Answer:
    return _lists(call, _by_external_ids(call))


def get_lists_by_object_id(call: Call) -> Answer:
    return _lists(call, _by_object_id(call))


def associate_list_by_external_ids(call: Call) -> Answer:
    call.backend.associate_list(_by_external_ids(call), call.params["listId"])
    return Answer(204)


def associate_list_by_object_id(call: Call) -> Answer:
    call.backend.associate_list(_by_object_id(call), call.params["listId"])
    return Answer(204)


def disassociate_list_by_external_ids(call: Call) -> Answer:
    call.backend.disassociate_list(_by_external_ids(call), call.params["listId"])
    return Answer(204)


def disassociate_list_by_object_id(call: Call) -> Answer:
    call.backend.disassociate_list(_by_object_id(call), call.params["listId"])
    return Answer(204)


def _by_external_ids(call: Call) -> MarketingEvent:
    p = call.params
    return call.backend.event_by_external_ids(call.principal, p["externalEventId"], p["externalAccountId"])


def _by_object_id(call: Call) -> MarketingEvent:
    return call.backend.event_by_object_id(call.principal, call.params["marketingEventId"])


def _lists(call: Call, event: MarketingEvent) -> Answer:
    results = [_public_list(item) for item in call.backend.lists_of(event)]
    return Answer(200, {"total": len(results), "results": results})


def _public_list(item: ContactList) -> dict[str, object]:
    """HubSpot's PublicList (contact lists: objectTypeId 0-1)."""
    return {
        "listId": item.list_id,
        "listVersion": 1,
        "name": item.name,
        "objectTypeId": "0-1",
        "processingStatus": "COMPLETE",
        "processingType": item.processing_type,
        "size": item.size,
        "createdAt": iso_ms(item.created_at),
        "updatedAt": iso_ms(item.created_at),
    }
