"""Paged, read-only views of the backend's state for the inspector page: events with attendee counts, one
event's attendees with each contact's state history, and contacts.

States come twice: `state` / `counters` as the API reads them now (from `Backend.participations`, which applies
read lag and turns REGISTERED on an ended event into NO_SHOW), and `storedState` / `storedCounters` as recorded.

Everything is cut server-side (`after` is an offset, newest first) so a page stays small with 100,000
subscriber records. The admin API runs on the server's event loop like the API calls, so no write interleaves
with a view; lists are still copied before they are walked, for callers on other threads.
"""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any, Iterable, Iterator

from ..clock import iso_ms
from ..exceptions import NotFound
from ..backend import READ_STATES, STORED_STATES, Backend, Contact, MarketingEvent, Participation, Portal


def events_page(backend: Backend, *, portal_id: int | None, text: str | None, after: int, limit: int) -> dict[str, Any]:
    needle = (text or "").lower()
    matching = (
        (portal, event)
        for portal in _portals(backend, portal_id)
        for event in reversed(list(portal.events.values()))
        if not needle or needle in _event_words(event)
    )
    return _page(matching, after, limit, lambda pe: _event_row(backend, pe[1]))


def attendees_page(
    backend: Backend, object_id: str, *, portal_id: int | None, state: str | None, text: str | None, after: int, limit: int
) -> dict[str, Any]:
    portal, event = _event(backend, object_id, portal_id)
    read = _read_states(backend, event) if state else None  # a filter on the read state reads them all
    needle = (text or "").lower()

    def wanted(p: Participation) -> bool:
        if read is not None and read.get(p.vid) != state:
            return False
        if needle:
            contact = portal.contacts.get(p.vid)
            return needle in str(p.vid) or bool(contact and contact.email and needle in contact.email)
        return True

    matching = (p for p in reversed(list(event.participations.values())) if wanted(p))

    def row(p: Participation) -> dict[str, Any]:
        read_state = (read if read is not None else _read_states(backend, event, [p])).get(p.vid)
        return _attendee_row(portal, p, read_state)

    page = _page(matching, after, limit, row)
    return {"event": _event_row(backend, event, None if read is None else Counter(state for state in read.values() if state is not None)), **page}


def contacts_page(backend: Backend, *, portal_id: int | None, text: str | None, after: int, limit: int) -> dict[str, Any]:
    needle = (text or "").lower()
    matching = (
        (portal, contact)
        for portal in _portals(backend, portal_id)
        for contact in reversed(list(portal.contacts.values()))
        if not needle or needle in str(contact.vid) or (contact.email and needle in contact.email)
    )
    return _page(matching, after, limit, lambda pc: _contact_row(backend, *pc))


# ---------------------------------------------------------------------------------------------- rows
def _event_row(backend: Backend, event: MarketingEvent, counted: Counter[str] | None = None) -> dict[str, Any]:
    """`counted`: the read states already counted by the caller, to spare a second pass over the event."""
    stored = dict.fromkeys(map(str, STORED_STATES), 0)
    for participation in list(event.participations.values()):
        if participation.last is not None:
            stored[participation.last.state] += 1
    return {
        "portalId": event.portal_id,
        "objectId": event.object_id,
        "appId": event.app_id,
        "externalAccountId": event.external_account_id,
        "externalEventId": event.external_event_id,
        "eventName": event.event_name,
        "eventOrganizer": event.event_organizer,
        "eventType": event.event_type,
        "startDateTime": _iso(event.start_ms),
        "endDateTime": _iso(event.end_ms),
        "eventCancelled": event.event_cancelled,
        "eventCompleted": event.event_completed,
        "customProperties": dict(event.custom_properties),
        "createdAt": iso_ms(event.created_at),
        "updatedAt": iso_ms(event.updated_at),
        "attendees": len(event.participations),
        # what the API's counters endpoint answers now
        "counters": {str(state): n for state, n in backend.counters(event).items()}
        if counted is None
        else {str(state): counted[state] for state in READ_STATES},
        "storedCounters": stored,  # each contact's latest stored state
    }


def _attendee_row(portal: Portal, participation: Participation, read_state: str | None) -> dict[str, Any]:
    contact = portal.contacts.get(participation.vid)
    history = participation.history
    last = participation.last
    return {
        "vid": participation.vid,
        "email": contact.email if contact else None,
        "participationId": participation.participation_id,
        "createdAt": iso_ms(participation.created_at),
        "state": read_state,  # None while read lag hides every change
        "storedState": last.state if last else None,
        "history": [
            {
                "state": change.state,
                "interactionDateTime": iso_ms(change.interaction_ms),
                "joinedAt": _iso(change.joined_ms),
                "leftAt": _iso(change.left_ms),
                "properties": dict(change.properties),
            }
            for change in history
        ],
    }


def _contact_row(backend: Backend, portal: Portal, contact: Contact) -> dict[str, Any]:
    """A contact and, per event it takes part in, its state as read and its latest stored state."""
    events = []
    for event in list(portal.events.values()):
        participation = event.participations.get(contact.vid)
        if participation is not None and participation.last is not None:
            events.append({
                "objectId": event.object_id,
                "eventName": event.event_name,
                "state": _read_states(backend, event, [participation]).get(contact.vid),
                "storedState": participation.last.state,
            })
    return {
        "portalId": portal.portal_id,
        "vid": contact.vid,
        "email": contact.email,
        "properties": dict(contact.properties),
        "createdAt": iso_ms(contact.created_at),
        "events": events,
    }


# ---------------------------------------------------------------------------------------------- helpers
def _read_states(backend: Backend, event: MarketingEvent, only: list[Participation] | None = None) -> dict[int, str | None]:
    """vid -> the contact's state as the API reads it now (None while read lag hides every change). The backend
    owns the rule (read lag, NO_SHOW): it is asked, never repeated here; a page asks about its rows only."""
    participations = list(event.participations.values()) if only is None else only
    return {p.vid: backend.read_state(event, p) for p in participations}


def _page(matching: Iterable[Any], after: int, limit: int, row: Any) -> dict[str, Any]:
    """One page of `matching` from offset `after`, the count of all matches, and the next offset if any.
    Counting walks all matches; only the page's rows are built."""
    items = iter(matching)
    skipped = sum(1 for _ in itertools.islice(items, after))
    taken = list(itertools.islice(items, limit))
    total = skipped + len(taken) + sum(1 for _ in items)
    page: dict[str, Any] = {"total": total, "results": [row(item) for item in taken]}
    if after + len(taken) < total:
        page["paging"] = {"next": {"after": str(after + len(taken))}}
    return page


def _portals(backend: Backend, portal_id: int | None) -> Iterator[Portal]:
    for portal in sorted(list(backend.portals.values()), key=lambda p: p.portal_id):
        if portal_id is None or portal.portal_id == portal_id:
            yield portal


def _event(backend: Backend, object_id: str, portal_id: int | None) -> tuple[Portal, MarketingEvent]:
    for portal in _portals(backend, portal_id):
        event = portal.events.get(object_id)
        if event is not None:
            return portal, event
    raise NotFound(f"Marketing event with objectId {object_id} does not exist")


def _event_words(event: MarketingEvent) -> str:
    return " ".join((event.object_id, event.event_name, event.external_account_id, event.external_event_id, event.event_organizer)).lower()


def _iso(epoch_ms: int | None) -> str | None:
    return None if epoch_ms is None else iso_ms(epoch_ms)
