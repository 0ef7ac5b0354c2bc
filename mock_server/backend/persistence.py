"""The state-file image: a backend's whole state as versioned, JSON-able data, and back.

Persistence is not a rule: this module only converts. `snapshot_image` reads a backend (under its lock);
`build_state` checks an image and builds portals, tokens and counters aside, touching no backend, so a bad or
foreign image raises ValueError and changes nothing. A state file holds the image as JSON lines
(`image_lines`: the image without its contacts and participations, then those in chunks), so that restoring
a million records parses one chunk at a time; snapshot.py writes and reads those files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .events import EVENT_FIELDS
from ..settings import ID_CEILING
from .tokens import token_key
from .records import (
    NO_PROPERTIES,
    AttendanceState,
    Contact,
    ContactList,
    MarketingEvent,
    Participation,
    Portal,
    Principal,
    StateChange,
    other_properties,
)

if TYPE_CHECKING:
    from . import Backend

# Marker and version of snapshot images; bump the number when the layout changes.
SNAPSHOT_FORMAT = "hubspot-mock-state/1"


def snapshot_image(backend: "Backend") -> dict[str, Any]:
    """Everything needed to restore this state exactly, as versioned JSON-able data.

    A dump (inspector/dump.py) is a presentation (ISO strings, no participation ids, no token table); a
    snapshot is the state itself: every instant as epoch ms, the tokens, and the next value of each id counter.
    Only the monotonic visible_at / recorded_at are left out: they mean nothing in another process, so
    read-after-write lag does not survive a restore. The image shares no mutable data with the backend.
    """
    with backend._lock:
        return {
            "format": SNAPSHOT_FORMAT,
            "counters": {
                "nextVid": backend.peek_counter("_vids"),
                "nextObjectId": backend.peek_counter("_object_ids"),
                "nextParticipationId": backend.peek_counter("_participation_ids"),
            },
            "tokens": {
                token: {"portalId": p.portal_id, "appId": p.app_id, "scopes": sorted(p.scopes), "expired": p.expired}
                for token, p in backend.tokens.items()
            },
            "portals": [_snapshot_portal(p) for p in backend.portals.values()],
            "developerKeys": {key: sorted(apps) for key, apps in backend.developer_keys.items()},
            "appSettings": {str(app): url for app, url in backend.event_details_urls.items()},
        }


# ---------------------------------------------------------------------------------------------- snapshots
# The upsertable event fields keep their request names in a snapshot (instants as epoch ms): JSON type, nullable.
SNAPSHOT_EVENT_FIELDS: dict[str, tuple[type, bool]] = {
    "eventName": (str, False),
    "eventOrganizer": (str, False),
    "eventType": (str, True),
    "eventDescription": (str, True),
    "eventUrl": (str, True),
    "startDateTime": (int, True),
    "endDateTime": (int, True),
    "eventCancelled": (bool, False),
    "eventCompleted": (bool, False),
}


def _snapshot_portal(p: Portal) -> dict[str, Any]:
    # vid_by_email and object_id_by_key are indexes over contacts and events: rebuilt on restore, not stored.
    return {
        "id": p.portal_id,
        "propertyDefinitions": sorted(p.property_definitions),
        "lists": [
            {"listId": l.list_id, "name": l.name, "processingType": l.processing_type, "size": l.size, "createdAt": l.created_at}
            for l in p.lists.values()
        ],
        "contacts": [
            {"vid": c.vid, "email": c.email, "properties": dict(c.properties), "createdAt": c.created_at, "updatedAt": c.updated_at}
            for c in p.contacts.values()
        ],
        "events": [_snapshot_event(e) for e in p.events.values()],
    }


def _snapshot_event(e: MarketingEvent) -> dict[str, Any]:
    return {
        "objectId": e.object_id,
        "appId": e.app_id,
        "externalAccountId": e.external_account_id,
        "externalEventId": e.external_event_id,
        **{name: getattr(e, attr) for name, attr in EVENT_FIELDS.items()},
        "customProperties": dict(e.custom_properties),
        "createdAt": e.created_at,
        "updatedAt": e.updated_at,
        "listIds": list(e.list_ids),
        "participations": [
            {
                "vid": p.vid,
                "participationId": p.participation_id,
                "createdAt": p.created_at,
                "history": [
                    {
                        "state": c.state,
                        "interactionDateTime": c.interaction_ms,
                        "properties": dict(c.properties),
                        "joinedAt": c.joined_ms,
                        "leftAt": c.left_ms,
                    }
                    for c in p.history
                ],
            }
            for p in e.participations.values()
        ],
    }


def check_snapshot_format(image: Any) -> None:
    """Raise ValueError unless `image` is a mapping with this version's format marker."""
    if not isinstance(image, dict):
        raise ValueError(f"not a mock state snapshot: expected a JSON object, got {type(image).__name__}")
    marker = image.get("format")
    if marker == SNAPSHOT_FORMAT:
        return
    if isinstance(marker, str) and marker.startswith(SNAPSHOT_FORMAT.rsplit("/", 1)[0] + "/"):
        raise ValueError(f"unsupported snapshot format {marker!r}: this mock reads {SNAPSHOT_FORMAT!r}")
    hint = " (this looks like a seed file or a dump(), which are not snapshots)" if "portals" in image else ""
    raise ValueError(f"not a mock state snapshot: 'format' is {marker!r}, expected {SNAPSHOT_FORMAT!r}{hint}")


@dataclass
class State:
    """Everything a snapshot restores, built aside before it replaces a backend's state."""

    portals: dict[int, Portal]
    tokens: dict[str, Principal]
    counters: tuple[int, int, int]  # next vid, objectId, participation id
    developer_keys: dict[str, frozenset[int]] = field(default_factory=dict)
    event_details_urls: dict[int, str] = field(default_factory=dict)


def build_state(image: Any, consume: bool = False, chunks: Iterable[Any] = ()) -> State:
    """Build the state a snapshot holds, touching no backend; ValueError if bad. Keys added after the first
    format (lists, developer keys, app settings) may be absent: older files load.

    `chunks` are the records a state file keeps after its first line (see image_lines): contacts of a portal,
    or participations of an event, named by index, added after everything the image itself holds.
    """
    check_snapshot_format(image)
    restore = _Restore(consume)
    portals: dict[int, Portal] = {}
    for i, raw in _items(_take(image, "portals", list, ""), consume):
        portal = restore.portal(_object(raw, f"portals[{i}]"), f"portals[{i}]")
        if portal.portal_id in portals:
            raise ValueError(f"snapshot: portals[{i}]: portal {portal.portal_id} appears twice")
        portals[portal.portal_id] = portal
    in_order = list(portals.values())
    for line, chunk in enumerate(chunks, start=2):
        restore.chunk(in_order, _object(chunk, f"line {line}"), f"line {line}")

    tokens: dict[str, Principal] = {}
    for token, raw in _take(image, "tokens", dict, "").items():
        where = f"tokens[{token[:15]!r}...]"
        raw = _object(raw, where)
        # Kept as digests; a state file from before that holds a token in clear is digested on the way in.
        tokens[token if token.startswith("sha256:") else token_key(token)] = Principal(
            _take(raw, "portalId", int, where),
            _take(raw, "appId", int, where),
            frozenset(_strings(_take(raw, "scopes", list, where), f"{where}.scopes")),
            _take(raw, "expired", bool, where),
        )

    # Counters continue after the stored values and after every id in the image, whichever is higher, so that
    # a hand-edited or older snapshot still never hands out an id twice.
    counters = _take(image, "counters", dict, "")
    events = [e for p in portals.values() for e in p.events.values()]
    next_vid = _next_after(
        _take(counters, "nextVid", int, "counters"), [vid for p in portals.values() for vid in p.contacts]
    )
    next_object_id = _next_after(_take(counters, "nextObjectId", int, "counters"), [e.object_id for e in events])
    next_participation_id = _next_after(
        _take(counters, "nextParticipationId", int, "counters"),
        [pa.participation_id for e in events for pa in e.participations.values()],
    )
    developer_keys = {
        key: frozenset(_ints(apps, f"developerKeys[{key!r}]"))
        for key, apps in _take(image, "developerKeys", dict, "", nullable=True, default={}).items()
    }
    urls = _take(image, "appSettings", dict, "", nullable=True, default={})
    if not all(app.isdigit() and isinstance(url, str) for app, url in urls.items()):
        raise ValueError("snapshot: appSettings must map app ids to URLs")
    for name, value in (("nextVid", next_vid), ("nextObjectId", next_object_id), ("nextParticipationId", next_participation_id)):
        if value > ID_CEILING:
            raise ValueError(f"snapshot: counters.{name} (or an id in the image) is past {ID_CEILING}: ids would run past int64")
    return State(
        portals, tokens, (next_vid, next_object_id, next_participation_id), developer_keys,
        {int(app): url for app, url in urls.items()},
    )


def image_lines(image: dict[str, Any], chunk_size: int = 10_000) -> Iterator[dict[str, Any]]:
    """A snapshot image as a state file holds it, one JSON value per line: first the image without its
    contacts and participations, then those in chunks. Restoring reads a line at a time, so a million records
    never sit in memory twice (parsed and built)."""
    portals = _take(image, "portals", list, "")
    yield {
        **image,
        "portals": [
            {**p, "contacts": [], "events": [{**e, "participations": []} for e in p["events"]]} for p in portals
        ],
    }
    for i, p in enumerate(portals):
        contacts = p["contacts"]
        for start in range(0, len(contacts), chunk_size):
            yield {"portal": i, "contacts": contacts[start : start + chunk_size]}
        for j, e in enumerate(p["events"]):
            participations = e["participations"]
            for start in range(0, len(participations), chunk_size):
                yield {"portal": i, "event": j, "participations": participations[start : start + chunk_size]}


def image_from_lines(header: dict[str, Any], chunks: Iterable[Any]) -> dict[str, Any]:
    """The inverse of image_lines: the chunks put back into the image they came from."""
    for number, chunk in enumerate(chunks, start=2):
        try:
            portal = header["portals"][chunk["portal"]]
            if "event" in chunk:
                portal["events"][chunk["event"]]["participations"].extend(chunk["participations"])
            else:
                portal["contacts"].extend(chunk["contacts"])
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ValueError(f"line {number} is not a chunk of this snapshot") from None
    return header


def _next_after(stored: int, ids: Iterable[int | str]) -> int:
    """The stored next value, raised above every numeric id in use (objectIds and participation ids are
    strings of digits; anything else cannot collide with a counter value)."""
    numeric = [int(i) for i in map(str, ids) if i.isascii() and i.isdigit()]
    return max([stored, *(n + 1 for n in numeric)])


def _items(records: list[Any], consume: bool, start: int = 0) -> Iterable[tuple[int, Any]]:
    """(index, record) of a snapshot list; with `consume`, each record leaves the list once it is handed out."""
    for i, record in enumerate(records):
        if consume:
            records[i] = None
        yield start + i, record


class _Restore:
    """One restore: builds portals, their contacts, events and participations from snapshot records."""

    def __init__(self, consume: bool) -> None:
        self.consume = consume
        self._ints: dict[int, int] = {}

    def shared(self, value: int) -> int:
        """The first int equal to `value` in this restore: a million records written in a few batches share
        a few timestamps instead of holding a copy each."""
        return self._ints.setdefault(value, value)

    def portal(self, raw: dict[str, Any], where: str) -> Portal:
        portal = Portal(_take(raw, "id", int, where))
        definitions = _take(raw, "propertyDefinitions", list, where)
        portal.property_definitions = set(_strings(definitions, f"{where}.propertyDefinitions"))
        for j, item in enumerate(_take(raw, "lists", list, where, nullable=True, default=[])):
            w = f"{where}.lists[{j}]"
            item = _object(item, w)
            contact_list = ContactList(
                _take(item, "listId", str, w), _take(item, "name", str, w), _take(item, "processingType", str, w),
                _take(item, "size", int, w), _take(item, "createdAt", int, w),
            )
            portal.lists[contact_list.list_id] = contact_list
        self.contacts(portal, _take(raw, "contacts", list, where), f"{where}.contacts")
        for i, e in _items(_take(raw, "events", list, where), self.consume):
            event = self.event(_object(e, f"{where}.events[{i}]"), portal, f"{where}.events[{i}]")
            if event.object_id in portal.events:
                raise ValueError(f"snapshot: {where}.events[{i}]: objectId {event.object_id} appears twice")
            if event.key in portal.object_id_by_key:
                raise ValueError(f"snapshot: {where}.events[{i}]: its (appId, external ids) appear twice in the portal")
            portal.events[event.object_id] = event
            portal.object_id_by_key[event.key] = event.object_id  # in event order, as upserts built it
        return portal

    def chunk(self, portals: list[Portal], chunk: dict[str, Any], where: str) -> None:
        portal = _nth(portals, _take(chunk, "portal", int, where), f"{where}.portal")
        prefix = f"portals[{chunk['portal']}]"
        if "event" not in chunk:
            self.contacts(portal, _take(chunk, "contacts", list, where), f"{prefix}.contacts")
            return
        event = _nth(list(portal.events.values()), _take(chunk, "event", int, where), f"{where}.event")
        prefix = f"{prefix}.events[{chunk['event']}].participations"
        self.participations(portal, event, _take(chunk, "participations", list, where), prefix)

    def contacts(self, portal: Portal, records: list[Any], where: str) -> None:
        for i, c in _items(records, self.consume, start=len(portal.contacts)):
            w = f"{where}[{i}]"
            c = _object(c, w)
            email = _take(c, "email", str, w, nullable=True)
            contact = Contact(
                _take(c, "vid", int, w), email, other_properties(_properties(c, w), email), self.shared(_take(c, "createdAt", int, w)),
                _take(c, "updatedAt", int, w, nullable=True, default=0),
            )
            if contact.vid in portal.contacts:
                raise ValueError(f"snapshot: {w}: vid {contact.vid} appears twice in portal {portal.portal_id}")
            if contact.email:
                if contact.email.lower() in portal.vid_by_email:
                    raise ValueError(f"snapshot: {w}: email {contact.email} appears twice in portal {portal.portal_id}")
                lowered = contact.email.lower()  # keyed as _add_contact keys it; the same string when already lower
                portal.vid_by_email[contact.email if lowered == contact.email else lowered] = contact.vid
            portal.contacts[contact.vid] = contact

    def event(self, raw: dict[str, Any], portal: Portal, where: str) -> MarketingEvent:
        event = MarketingEvent(
            object_id=_take(raw, "objectId", str, where),
            portal_id=portal.portal_id,
            app_id=_take(raw, "appId", int, where),
            external_account_id=_take(raw, "externalAccountId", str, where),
            external_event_id=_take(raw, "externalEventId", str, where),
            created_at=_take(raw, "createdAt", int, where),
            updated_at=_take(raw, "updatedAt", int, where),
            visible_at=0.0,  # visible at once
            custom_properties=_properties(raw, where, "customProperties"),
            list_ids=_strings(_take(raw, "listIds", list, where, nullable=True, default=[]), f"{where}.listIds"),
            **{
                attr: _take(raw, name, SNAPSHOT_EVENT_FIELDS[name][0], where, nullable=SNAPSHOT_EVENT_FIELDS[name][1])
                for name, attr in EVENT_FIELDS.items()
            },
        )
        self.participations(portal, event, _take(raw, "participations", list, where), f"{where}.participations")
        return event

    def participations(self, portal: Portal, event: MarketingEvent, records: list[Any], where: str) -> None:
        for i, p in _items(records, self.consume, start=len(event.participations)):
            w = f"{where}[{i}]"
            p = _object(p, w)
            vid = _take(p, "vid", int, w)
            contact = portal.contacts.get(vid)
            if contact is None:
                raise ValueError(f"snapshot: {w}: vid {vid} is not a contact of portal {portal.portal_id}")
            # the contact's own vid object: a million records share it instead of holding a copy
            participation_id = _take(p, "participationId", str, w)
            participation = Participation(
                contact.vid, _compact_id(participation_id), self.shared(_take(p, "createdAt", int, w))
            )
            if participation.vid in event.participations:
                raise ValueError(f"snapshot: {w}: vid {participation.vid} appears twice in event {event.object_id}")
            for j, h in enumerate(_take(p, "history", list, w)):
                hw = f"{w}.history[{j}]"
                h = _object(h, hw)
                state = _STORED_BY_NAME.get(_take(h, "state", str, hw))  # the enum member: one object per state
                if state is None:
                    stored = ", ".join(_STORED_BY_NAME)
                    raise ValueError(f"snapshot: {hw}.state must be one of {stored} (got {h['state']!r})")
                participation.add(
                    StateChange(
                        state,
                        self.shared(_take(h, "interactionDateTime", int, hw)),
                        0.0,  # recorded_at: visible at once
                        _properties(h, hw) or NO_PROPERTIES,
                        _take(h, "joinedAt", int, hw, nullable=True),
                        _take(h, "leftAt", int, hw, nullable=True),
                    ),
                )
            event.participations[participation.vid] = participation


def _compact_id(value: str) -> int | str:
    """A participation id as an int when its string comes back unchanged from one ("007" stays a string)."""
    return int(value) if value.isascii() and value.isdigit() and str(int(value)) == value else value


def _nth(items: list[Any], index: int, where: str) -> Any:
    if not 0 <= index < len(items):
        raise ValueError(f"snapshot: {where}: no item {index} (there are {len(items)})")
    return items[index]


_JSON_TYPES = {int: "an integer", str: "a string", bool: "true or false", dict: "an object", list: "an array"}


def _take(raw: dict[str, Any], key: str, kind: type, where: str, *, nullable: bool = False, default: Any = None) -> Any:
    """raw[key], checked to be of `kind` (or null when nullable, which also lets the key be absent: `default`)."""
    value = raw.get(key)
    if value is None and nullable:
        return default
    # bool is an int to isinstance, but `true` is never a valid vid or timestamp.
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        got = "missing" if key not in raw else f"got {type(value).__name__} {value!r:.40}"
        path = f"{where}.{key}" if where else key
        raise ValueError(f"snapshot: {path} must be {_JSON_TYPES[kind]}{' or null' if nullable else ''} ({got})")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"snapshot: {where} must be an object (got {type(value).__name__})")
    return value


def _ints(values: Any, where: str) -> list[int]:
    if not isinstance(values, list) or not all(type(v) is int for v in values):
        raise ValueError(f"snapshot: {where} must be a list of integers")
    return values


def _strings(values: list[Any], where: str) -> list[str]:
    if not all(isinstance(v, str) for v in values):
        raise ValueError(f"snapshot: {where} must hold only strings")
    return values



def _properties(raw: dict[str, Any], where: str, key: str = "properties") -> dict[str, Any]:
    """A property map, copied so the backend shares nothing with the image. Values are not type-checked:
    the backend stores what it is given (a YAML seed may hold numbers), and a snapshot must give it back."""
    return dict(_take(raw, key, dict, where))


_STORED_BY_NAME = {s.value: s for s in AttendanceState if s is not AttendanceState.NO_SHOW}
