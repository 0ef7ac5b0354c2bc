"""Marketing events: created and changed by the app that owns them, keyed by (app, externalAccountId,
externalEventId); found by external ids (the calling app's events only) or by objectId (any app of the
portal); deleted events are gone from every read and write."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from ..clock import parse_instant
from ..exceptions import UniqueValueConflict, ValidationError
from .base import BackendBase, locked
from .records import BatchOutcome, ItemError, MarketingEvent, Portal, Principal, invalid

# Request field -> MarketingEvent attribute, for the fields a write may set.
EVENT_FIELDS = {
    "eventName": "event_name",
    "eventOrganizer": "event_organizer",
    "eventType": "event_type",
    "eventDescription": "event_description",
    "eventUrl": "event_url",
    "startDateTime": "start_ms",
    "endDateTime": "end_ms",
    "eventCancelled": "event_cancelled",
    "eventCompleted": "event_completed",
}
INSTANT_FIELDS = ("startDateTime", "endDateTime")
Key = tuple[int, str, str]  # (appId, externalAccountId, externalEventId)


class Events(BackendBase):
    # ------------------------------------------------------------------ creating and updating
    @locked
    def upsert_events(self, principal: Principal, inputs: list[dict[str, Any]]) -> BatchOutcome:
        """Create or update each input's event; one result per distinct key."""
        portal = self.portal(principal.portal_id)
        event_fields = self._event_fields
        items = [event_fields(i, raw) for i, raw in enumerate(inputs)]  # raises before any change
        self.check_duplicates(((f["externalAccountId"], f["externalEventId"]) for f in items), "externalEventId")
        outcome = BatchOutcome()
        by_key: dict[Key, MarketingEvent] = {}
        reject_other_apps = self.settings.cross_app_upsert == "reject"
        app_id, now, write = principal.app_id, self.clock.now_ms(), self._write_event
        for i, fields in enumerate(items):
            key = (app_id, fields.pop("externalAccountId"), fields.pop("externalEventId"))
            if reject_other_apps and self._owned_by_other_app(portal, key):
                outcome.errors.append(
                    ItemError(
                        "Only Marketing Events originally created by the same app can be updated.",
                        {"externalEventId": [key[2]], "externalAccountId": [key[1]]},
                        category="CONFLICT",
                    )
                )
                continue
            by_key[key] = write(portal, key, fields, outcome, i, now)
        outcome.results = list(by_key.values())
        return outcome

    @locked
    def create_event(self, principal: Principal, raw: dict[str, Any]) -> tuple[MarketingEvent, list[str]]:
        """A single create: the app's key must be new (HubSpot's UNIQUE_VALUE_CONFLICT otherwise)."""
        portal = self.portal(principal.portal_id)
        fields = self._event_fields(None, raw)
        key = (principal.app_id, fields.pop("externalAccountId"), fields.pop("externalEventId"))
        existing = portal.object_id_by_key.get(key)
        if existing is not None:
            raise UniqueValueConflict(unique_id(key), existing)
        outcome = BatchOutcome()
        return self._write_event(portal, key, fields, outcome, None, self.clock.now_ms()), outcome.notes

    @locked
    def upsert_event(self, principal: Principal, external_event_id: str, raw: dict[str, Any]) -> tuple[MarketingEvent, list[str]]:
        """PUT events/{externalEventId}: the path names the event; the body must agree with it."""
        if raw.get("externalEventId", external_event_id) != external_event_id and self.settings.put_event_id_mismatch == "reject":
            raise invalid(
                "externalEventId",
                f"externalEventId in the body ({raw['externalEventId']}) differs from the path ({external_event_id})",
            )
        portal = self.portal(principal.portal_id)
        fields = self._event_fields(None, {**raw, "externalEventId": external_event_id})
        key = (principal.app_id, fields.pop("externalAccountId"), fields.pop("externalEventId"))
        outcome = BatchOutcome()
        return self._write_event(portal, key, fields, outcome, None, self.clock.now_ms()), outcome.notes

    @locked
    def update_event(self, event: MarketingEvent, raw: dict[str, Any]) -> list[str]:
        """PATCH: the given fields replace, the others stay; customProperties merge. Returns the notes."""
        fields = self._event_fields(None, raw)
        outcome = BatchOutcome()
        self._write_event(self.portal(event.portal_id), event.key, fields, outcome, None, self.clock.now_ms())
        return outcome.notes

    @locked
    def update_events_by_object_id(self, principal: Principal, inputs: list[dict[str, Any]]) -> BatchOutcome:
        """batch/update: each input's objectId names an event of the portal; missing ones are per-item errors."""
        portal = self.portal(principal.portal_id)
        items = [self._event_fields(i, raw) for i, raw in enumerate(inputs)]
        self.check_duplicates((f["objectId"] for f in items), "objectId")
        now = self.clock.now_ms()
        outcome = BatchOutcome()
        updated: dict[str, MarketingEvent] = {}
        for i, fields in enumerate(items):
            object_id = str(fields.pop("objectId"))
            event = portal.events.get(object_id)
            if event is None:
                outcome.errors.append(self._missing_object_id(object_id))
                continue
            updated[object_id] = self._write_event(portal, event.key, fields, outcome, i, now)
        outcome.results = list(updated.values())
        return outcome

    @locked
    def cancel_event(self, principal: Principal, external_event_id: str, external_account_id: str) -> MarketingEvent:
        event = self.find_by_external_ids(principal, external_event_id, external_account_id)
        event.event_cancelled = True
        event.updated_at = self.clock.now_ms()
        self.changes.record("event", "cancelled", event.object_id, event.event_name)
        return event

    @locked
    def complete_event(
        self, principal: Principal, external_event_id: str, external_account_id: str, times: dict[str, Any]
    ) -> MarketingEvent:
        """Completed with its start and end: its registrants read as NO_SHOW from now on."""
        event = self.find_by_external_ids(principal, external_event_id, external_account_id)
        start, end = (_instant(None, name, times[name]) for name in INSTANT_FIELDS)
        event.start_ms, event.end_ms, event.event_completed = start, end, True
        event.updated_at = self.clock.now_ms()
        self.changes.record("event", "completed", event.object_id, event.event_name)
        return event

    def _write_event(
        self, portal: Portal, key: Key, fields: dict[str, Any], outcome: BatchOutcome, index: int | None, now: int
    ) -> MarketingEvent:
        """Create the key's event or update it with `fields`: its event fields and customProperties (any other key
        is skipped). `index` names the input in a batch (None: the body) for a note."""
        custom_inputs = fields.pop("customProperties", None)
        custom = None
        if custom_inputs:
            custom, dropped = self._defined_properties(portal, custom_inputs)
            if dropped:
                outcome.notes.append(
                    f"{_where(index)}: customProperties not defined on portal {portal.portal_id} were dropped: "
                    + ", ".join(sorted(dropped))
                )
        object_id = portal.object_id_by_key.get(key)
        if object_id is None:
            event = MarketingEvent(
                object_id=str(next(self._object_ids)),
                portal_id=portal.portal_id,
                app_id=key[0],
                external_account_id=key[1],
                external_event_id=key[2],
                event_name=fields.get("eventName", ""),
                event_organizer=fields.get("eventOrganizer", ""),
                created_at=now,
                updated_at=now,
                visible_at=self.clock.monotonic(),
            )
            portal.events[event.object_id] = event
            portal.object_id_by_key[key] = event.object_id
            self.changes.record("event", "created", event.object_id, event.event_name)
        else:
            event = portal.events[object_id]
            event.updated_at = now
            self.changes.record("event", "updated", object_id, fields.get("eventName", event.event_name))
        # [A] Writes merge: fields the input leaves out keep their stored values. Keys that are not event fields
        # (unknown ones, allowed with reject_unknown_fields=false) are skipped here, not filtered out before.
        attribute_for = EVENT_FIELDS.get
        for name, value in fields.items():
            attribute = attribute_for(name)
            if attribute is not None:
                setattr(event, attribute, value)
        if custom:
            event.custom_properties.update(custom)
        return event

    @staticmethod
    def _event_fields(index: int | None, raw: dict[str, Any]) -> dict[str, Any]:
        """One input (`index` in a batch; None: the body), its instants parsed. Raises before the request changes
        anything."""
        fields = raw.copy()
        name = ""
        try:  # parse_instant directly (cached), not through _instant: two calls per event on the hot path
            for name in INSTANT_FIELDS:
                value = fields.get(name)
                if value is not None:
                    fields[name] = parse_instant(value)
        except (ValueError, TypeError, OverflowError):
            raise _not_an_instant(index, name) from None
        return fields

    @staticmethod
    def _defined_properties(portal: Portal, values: Iterable[dict[str, Any]]) -> tuple[dict[str, str], set[str]]:
        """HubSpot filters out custom properties the portal does not define, without an error."""
        kept, dropped = {}, set()
        for prop in values:
            name = prop["name"]
            if name in portal.property_definitions:
                kept[name] = "" if prop.get("value") is None else str(prop["value"])
            else:
                dropped.add(name)
        return kept, dropped

    @staticmethod
    def _owned_by_other_app(portal: Portal, key: Key) -> bool:
        return any(k[1:] == key[1:] and k[0] != key[0] for k in portal.object_id_by_key)

    # ------------------------------------------------------------------ deleting
    def _archive(self, event: MarketingEvent) -> None:
        portal = self.portal(event.portal_id)
        del portal.events[event.object_id]
        del portal.object_id_by_key[event.key]
        self.changes.record("event", "archived", event.object_id, event.event_name)

    @locked
    def archive_event(self, principal: Principal, external_event_id: str, external_account_id: str) -> None:
        """The calling app's event; a missing one is no error unless archive_missing_event says so."""
        portal = self.portal(principal.portal_id)
        object_id = portal.object_id_by_key.get((principal.app_id, external_account_id, external_event_id))
        if object_id is None:
            if self.settings.archive_missing_event == "not_found":
                raise self.not_found(f"Marketing event with externalEventId {external_event_id} and externalAccountId {external_account_id} does not exist")
            return
        self._archive(portal.events[object_id])

    @locked
    def archive_by_object_id(self, principal: Principal, object_id: str) -> None:
        event = self.portal(principal.portal_id).events.get(object_id)
        if event is None:
            if self.settings.archive_missing_event == "not_found":
                raise self.not_found(f"Marketing event with objectId {object_id} does not exist")
            return
        self._archive(event)

    @locked
    def archive_events(self, principal: Principal, inputs: list[dict[str, Any]]) -> BatchOutcome:
        """events/delete: only the calling app's events; an input naming none is a per-item error."""
        portal = self.portal(principal.portal_id)
        outcome = BatchOutcome()
        for raw in inputs:
            key = (int(raw["appId"]), raw["externalAccountId"], raw["externalEventId"])
            object_id = portal.object_id_by_key.get(key) if key[0] == principal.app_id else None
            if object_id is None:
                outcome.errors.append(
                    ItemError(
                        f"Marketing event with externalEventId {key[2]} and externalAccountId {key[1]} of app {key[0]} does not exist",
                        {"externalEventId": [key[2]], "externalAccountId": [key[1]], "appId": [str(key[0])]},
                        category="OBJECT_NOT_FOUND",
                    )
                )
                continue
            self._archive(portal.events[object_id])
        return outcome

    @locked
    def archive_events_by_object_id(self, principal: Principal, inputs: list[dict[str, Any]]) -> BatchOutcome:
        """batch/archive: events of the portal by objectId; an input naming none is a per-item error."""
        portal = self.portal(principal.portal_id)
        outcome = BatchOutcome()
        for raw in inputs:
            event = portal.events.get(str(raw["objectId"]))
            if event is None:
                outcome.errors.append(self._missing_object_id(str(raw["objectId"])))
                continue
            self._archive(event)
        return outcome

    @staticmethod
    def _missing_object_id(object_id: str) -> ItemError:
        return ItemError(f"Marketing event with objectId {object_id} does not exist", {"objectId": [object_id]}, category="OBJECT_NOT_FOUND")

    # ------------------------------------------------------------------ finding
    def find_by_external_ids(
        self, principal: Principal, external_event_id: str, external_account_id: str | None, *, for_read: bool = False
    ) -> MarketingEvent:
        """External ids only reach the calling app's events: another app's event is a 404."""
        portal = self.portal(principal.portal_id)
        event: MarketingEvent | None
        if external_account_id is not None:
            object_id = portal.object_id_by_key.get((principal.app_id, external_account_id, external_event_id))
            event = portal.events.get(object_id) if object_id else None
        else:
            matches = [
                portal.events[oid]
                for (app, _, ev), oid in portal.object_id_by_key.items()
                if app == principal.app_id and ev == external_event_id
            ]
            if len(matches) > 1 and self.settings.ambiguous_external_event == "reject":
                raise invalid(
                    "externalAccountId",
                    f"externalEventId {external_event_id} matches {len(matches)} events of this app; "
                    "pass externalAccountId",
                )
            event = max(matches, key=lambda e: e.updated_at) if matches else None
        if event is None or (for_read and not self.visible(event)):
            account = "" if external_account_id is None else f" and externalAccountId {external_account_id}"
            raise self.not_found(f"Marketing event with externalEventId {external_event_id}{account} does not exist")
        return event

    def find_by_object_id(self, principal: Principal, object_id: str, *, for_read: bool) -> MarketingEvent:
        """objectId endpoints work for any app of the portal that has the scope."""
        event = self.portal(principal.portal_id).events.get(str(object_id))
        if event is None or (for_read and not self.visible(event)):
            raise self.not_found(f"Marketing event with objectId {object_id} does not exist")
        return event

    @locked
    def event_by_external_ids(self, principal: Principal, external_event_id: str, external_account_id: str) -> MarketingEvent:
        return self.find_by_external_ids(principal, external_event_id, external_account_id, for_read=True)

    @locked
    def event_by_object_id(self, principal: Principal, object_id: str) -> MarketingEvent:
        return self.find_by_object_id(principal, object_id, for_read=True)

    @locked
    def events_page(self, principal: Principal, after: int, limit: int) -> tuple[list[MarketingEvent], int | None]:
        """Every visible event of the portal, oldest first: a page and the next page's offset."""
        events = [e for e in self.portal(principal.portal_id).events.values() if self.visible(e)]
        end = after + limit
        return events[after:end], end if end < len(events) else None

    @locked
    def search_events(self, principal: Principal, q: str) -> list[MarketingEvent]:
        """events/search: the calling app's events whose externalEventId matches `q` (event_search_match)."""
        match: Callable[[str, str], bool] = _SEARCH_MATCHES[self.settings.event_search_match]
        return [
            e for e in self.portal(principal.portal_id).events.values()
            if e.app_id == principal.app_id and match(e.external_event_id, q) and self.visible(e)
        ]

    @locked
    def identifiers(self, principal: Principal, external_event_id: str, external_account_id: str | None) -> list[MarketingEvent]:
        """{externalEventId}/identifiers: events of every app of the portal with that externalEventId, once
        the search has indexed them (read_lag_identifiers_seconds after the write)."""
        lag = self.settings.lag("identifiers")
        now = self.clock.monotonic()
        found = [
            e for e in self.portal(principal.portal_id).events.values()
            if e.external_event_id == external_event_id
            and (external_account_id is None or e.external_account_id == external_account_id)
            and e.visible_at + lag <= now
        ]
        if not found and self.settings.identifiers_unknown_event == "not_found":
            raise self.not_found(f"No marketing event with externalEventId {external_event_id}")
        return found


def _where(index: int | None, name: str | None = None) -> str:
    """The field a message names: `inputs[3].startDateTime` in a batch, `body.startDateTime` in a single write."""
    where = "body" if index is None else f"inputs[{index}]"
    return where if name is None else f"{where}.{name}"


def _instant(index: int | None, name: str, value: Any) -> int:
    try:
        return parse_instant(value)
    except (ValueError, TypeError, OverflowError):
        raise _not_an_instant(index, name) from None


def _not_an_instant(index: int | None, name: str) -> ValidationError:
    return invalid(_where(index, name), f"{name} must be an ISO-8601 date-time")


def unique_id(key: Key) -> str:
    """hs_unique_id, the property HubSpot keeps unique per event: [A] app, account and event id joined."""
    return "-".join(map(str, key))


_SEARCH_MATCHES: dict[str, Callable[[str, str], bool]] = {
    "exact": lambda value, q: value == q,
    "prefix": lambda value, q: value.startswith(q),
    "substring": lambda value, q: q in value,
}
