"""One handler per operation of the spec: read the call, ask the backend, shape HubSpot's answer. By
resource: events.py (lifecycle), attendance.py (recording and reading participations), lists.py,
app_settings.py, contacts.py (CRM contacts); shapes.py holds the answer shapes they share."""

from __future__ import annotations

from ..call import Handler
from . import app_settings, attendance, contacts, events, lists

# operationId in openapi/ -> handler. urls.py checks that the two match exactly.
HANDLERS: dict[str, Handler] = {
    # events
    "upsertEvents": events.upsert_events,
    "createEvent": events.create_event,
    "upsertEvent": events.upsert_event,
    "updateEvent": events.update_event,
    "updateByObjectId": events.update_by_object_id,
    "updateEventsByObjectId": events.update_events_by_object_id,
    "cancelEvent": events.cancel_event,
    "completeEvent": events.complete_event,
    "archiveEvent": events.archive_event,
    "archiveByObjectId": events.archive_by_object_id,
    "archiveEvents": events.archive_events,
    "archiveEventsByObjectId": events.archive_events_by_object_id,
    "getDetails": events.get_details,
    "getByObjectId": events.get_by_object_id,
    "getAllEvents": events.get_all_events,
    "getAllEventsAtSpecPath": events.get_all_events,
    "searchEvents": events.search_events,
    "getIdentifiers": events.get_identifiers,
    # attendance
    "recordByContactIds": attendance.record_by_contact_ids,
    "recordByContactId": attendance.record_by_contact_id,
    "recordByEmail": attendance.record_by_email,
    "recordByContactEmails": attendance.record_by_contact_emails,
    "upsertByContactId": attendance.upsert_by_contact_id,
    "upsertByContactEmail": attendance.upsert_by_contact_email,
    "getParticipationsCountersByEventExternalId": attendance.counters_by_external_ids,
    "getParticipationsCountersByMarketingEventId": attendance.counters_by_object_id,
    "getParticipationsBreakdownByExternalEventId": attendance.breakdown_by_external_ids,
    "getParticipationsBreakdownByMarketingEventId": attendance.breakdown_by_object_id,
    "getParticipationsBreakdownByContactId": attendance.breakdown_by_contact,
    # list associations
    "getListsByExternalIds": lists.get_lists_by_external_ids,
    "getListsByObjectId": lists.get_lists_by_object_id,
    "associateListByExternalIds": lists.associate_list_by_external_ids,
    "associateListByObjectId": lists.associate_list_by_object_id,
    "disassociateListByExternalIds": lists.disassociate_list_by_external_ids,
    "disassociateListByObjectId": lists.disassociate_list_by_object_id,
    # app settings
    "getAppSettings": app_settings.get_app_settings,
    "updateAppSettings": app_settings.update_app_settings,
    # CRM contacts
    "createContact": contacts.create_contact,
    "updateContact": contacts.update_contact,
    "getContact": contacts.get_contact,
    "batchReadContacts": contacts.batch_read_contacts,
    "searchContacts": contacts.search_contacts,
}
