"""HubSpot's CRM contacts API, the part integrations use around marketing events (v3 and 2026-03)."""

from __future__ import annotations

from typing import Any, Iterable

from ..backend import Contact
from ..backend.contacts import DEFAULT_PROPERTIES, contact_properties
from ..call import Answer, Call
from ..clock import iso_ms
from .shapes import batch, page


def create_contact(call: Call) -> Answer:
    contact = call.backend.create_contact(call.principal, call.body["properties"])
    return Answer(201, simple_public_object(contact, None))


def update_contact(call: Call) -> Answer:
    p = call.params
    contact = call.backend.update_contact(call.principal, p["contactId"], p.get("idProperty"), call.body["properties"])
    return Answer(200, simple_public_object(contact, None))


def get_contact(call: Call) -> Answer:
    p = call.params
    contact = call.backend.get_contact(call.principal, p["contactId"], p.get("idProperty"))
    return Answer(200, simple_public_object(contact, p.get("properties")))


def batch_read_contacts(call: Call) -> Answer:
    body = call.body
    outcome = call.backend.read_contacts(call.principal, (item["id"] for item in body["inputs"]), body.get("idProperty"))
    wanted = body.get("properties") or None
    return batch(call, outcome, lambda c: simple_public_object(c, wanted), 200, partial_status=207)


def search_contacts(call: Call) -> Answer:
    body = call.body
    total, found, next_after = call.backend.search_contacts(
        call.principal, body.get("filterGroups") or [], body.get("sorts") or [], int(body.get("after") or 0),
        body.get("limit") or 10, body.get("query"),
    )
    wanted = body.get("properties") or None
    return Answer(200, page([simple_public_object(c, wanted) for c in found], total, next_after))


def simple_public_object(contact: Contact, wanted: Iterable[str] | None) -> dict[str, Any]:
    """HubSpot's SimplePublicObject: the properties asked for (a property the contact lacks is null), or the
    default set."""
    props = contact_properties(contact)
    names = DEFAULT_PROPERTIES if wanted is None else wanted
    return {
        "id": str(contact.vid),
        "properties": {name: props.get(name) for name in names},
        "createdAt": iso_ms(contact.created_at),
        "updatedAt": iso_ms(contact.last_modified),
        "archived": False,
    }
