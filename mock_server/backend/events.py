"""Marketing events: created and updated by the app that owns them, keyed by (app, externalAccountId,
externalEventId); found by external ids (the calling app's events only) or by objectId (any app of the portal)."""

from __future__ import annotations

from typing import Any, Iterable

from ..clock import parse_instant
from .base import BackendBase, locked
from .records import BatchOutcome, ItemError, MarketingEvent, Portal, Principal, invalid

# Request field -> MarketingEvent attribute, for the fields an upsert may set.
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
EVENT_KEYS = ("externalAccountId", "externalEventId")
EVENT_INPUT_KEYS = frozenset(EVENT_FIELDS).union(EVENT_KEYS, ["customProperties"])
INSTANT_FIELDS = ("startDateTime", "endDateTime")


class Events(BackendBase):
    # ------------------------------------------------------------------ batch upsert
    @locked
    def upsert_events(self, principal: Principal, inputs: list[dict[str, Any]]) -> BatchOutcome:
        portal = self.portal(principal.portal_id)
        items = [self._event_fields(i, raw) for i, raw in enumerate(inputs)]  # raises before any change
        self.check_duplicates(((f["externalAccountId"], f["externalEventId"]) for f in items), "externalEventId")
        outcome = BatchOutcome()
        now, visible = self.clock.now_ms(), self.clock.monotonic() + self.settings.read_lag_seconds
        by_key: dict[tuple[int, str, str], MarketingEvent] = {}
        app_id, reject_other_apps = principal.app_id, self.settings.cross_app_upsert == "reject"
        object_id_by_key, events, record = portal.object_id_by_key, portal.events, self.changes.record
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
            custom_inputs = fields.pop("customProperties")
            custom, dropped = self._defined_properties(portal, custom_inputs) if custom_inputs else ({}, set())
            if dropped:
                outcome.notes.append(
                    f"inputs[{i}]: customProperties not defined on portal {portal.portal_id} were dropped: "
                    + ", ".join(sorted(dropped))
                )
            object_id = object_id_by_key.get(key)
            if object_id is None:
                event = MarketingEvent(
                    object_id=str(next(self._object_ids)),
                    portal_id=portal.portal_id,
                    app_id=app_id,
                    external_account_id=key[1],
                    external_event_id=key[2],
                    event_name=fields["eventName"],
                    event_organizer=fields["eventOrganizer"],
                    created_at=now,
                    updated_at=now,
                    visible_at=visible,
                )
                events[event.object_id] = event
                object_id_by_key[key] = event.object_id
                record("event", "created", event.object_id, fields["eventName"])
            else:
                event = events[object_id]
                event.updated_at = now
                record("event", "updated", object_id, fields.get("eventName", event.event_name))
            # [A] Upsert merges: fields the input leaves out keep their stored values. Only event fields are
            # left in `fields` now (see _event_fields).
            for name, value in fields.items():
                setattr(event, EVENT_FIELDS[name], value)
            if custom:
                event.custom_properties.update(custom)
            by_key[key] = event
        outcome.results = list(by_key.values())
        return outcome

    def _event_fields(self, index: int, raw: dict[str, Any]) -> dict[str, Any]:
        """One input as event fields (instants parsed), its external ids and customProperties; unknown keys
        (allowed with reject_unknown_fields=false) left out. Raises before the batch changes anything."""
        fields = raw.copy() if raw.keys() <= EVENT_INPUT_KEYS else {k: v for k, v in raw.items() if k in EVENT_INPUT_KEYS}
        for name in INSTANT_FIELDS:
            if name in fields:
                try:
                    fields[name] = parse_instant(fields[name])
                except (ValueError, TypeError, OverflowError):
                    raise invalid(f"inputs[{index}].{name}", f"{name} must be an ISO-8601 date-time") from None
        fields["customProperties"] = fields.get("customProperties") or []
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
    def _owned_by_other_app(portal: Portal, key: tuple[int, str, str]) -> bool:
        return any(k[1:] == key[1:] and k[0] != key[0] for k in portal.object_id_by_key)

    # ------------------------------------------------------------------ lookups
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
