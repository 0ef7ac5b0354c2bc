"""The backend: HubSpot's marketing-events state and rules, in plain Python with no HTTP.

Tenancy follows HubSpot: a token is an app installed in a portal; contacts and property definitions belong
to a portal; events belong to a portal and are keyed by (app, externalAccountId, externalEventId), so the
external-id endpoints only ever see the calling app's events while objectId endpoints see the portal's.

Every write validates the whole request before changing anything: a request that raises leaves state as it
was. Per-item failures (HubSpot's batch semantics) are collected while the other items are applied.
"""

from __future__ import annotations

import functools
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

from .changes import ChangeLog
from .clock import Clock, iso_ms, parse_instant
from .exceptions import READ_SCOPE, WRITE_SCOPE, ExpiredToken, NotFound, Unauthorized, ValidationError
from .settings import Settings

# Path values (write side) to the read side's names.
SUBSCRIBER_STATES = {"register": "REGISTERED", "attend": "ATTENDED", "cancel": "CANCELLED"}
READ_STATES = ("REGISTERED", "ATTENDED", "CANCELLED", "NO_SHOW")
_STORED_STATES = {state: state for state in SUBSCRIBER_STATES.values()}
# Marker and version of Backend.snapshot() images; bump the number when the layout changes.
SNAPSHOT_FORMAT = "hubspot-mock-state/1"


def subscriber_state(path_value: str) -> str:
    """register / attend / cancel, case-sensitive, as HubSpot checks it live."""
    try:
        return SUBSCRIBER_STATES[path_value]
    except KeyError:
        raise ValidationError(
            f"Unknown state for '{path_value}'. Correct are 'register', 'attend' or 'cancel'.",
            errors=[{"message": f"Unknown state for '{path_value}'", "in": "subscriberState"}],
        ) from None


# ---------------------------------------------------------------------------------------------- entities
@dataclass(frozen=True)
class Principal:
    """Who is calling: an app installed in a portal, with the scopes its token was granted."""

    portal_id: int
    app_id: int
    scopes: frozenset[str] = frozenset({WRITE_SCOPE, READ_SCOPE})
    expired: bool = False


# Contacts, participations and state changes are the records a long session piles up by the million: they have
# __slots__, and share one empty mapping where most have no properties (1,000,000 records stay under 500 MB).
class _NoProperties(Mapping[str, str]):
    """The empty, read-only property map that every record without properties shares (copies are itself)."""

    __slots__ = ()

    def __getitem__(self, name: str) -> str:
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __copy__(self) -> "_NoProperties":
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> "_NoProperties":
        return self

    def __repr__(self) -> str:
        return "NO_PROPERTIES"


NO_PROPERTIES = _NoProperties()


@dataclass(slots=True)
class Contact:
    vid: int
    email: str | None
    other_properties: Mapping[str, str]  # beyond email (`properties` adds it); NO_PROPERTIES for most contacts
    created_at: int

    @property
    def properties(self) -> dict[str, str]:
        """The contact's properties as HubSpot holds them: its email, and what contactProperties gave it."""
        return {**self.other_properties, "email": self.email} if self.email else dict(self.other_properties)


@dataclass(slots=True)
class StateChange:
    state: str  # REGISTERED / ATTENDED / CANCELLED
    interaction_ms: int
    recorded_at: float  # monotonic, for read-after-write lag
    properties: Mapping[str, str]
    joined_ms: int | None = None
    left_ms: int | None = None


@dataclass(slots=True)
class Participation:
    """A contact in an event: its id and its state history. Held by the million, so stored small: the id as an
    int where it is one (its string is what HubSpot shows), and a lone state change without a tuple around it."""

    vid: int
    id_value: int | str
    created_at: int
    changes: "StateChange | tuple[StateChange, ...]" = ()

    @property
    def participation_id(self) -> str:
        return str(self.id_value)

    @property
    def history(self) -> tuple[StateChange, ...]:
        changes = self.changes
        return (changes,) if isinstance(changes, StateChange) else changes

    @property
    def last(self) -> StateChange | None:
        changes = self.changes
        if isinstance(changes, StateChange):
            return changes
        return changes[-1] if changes else None

    def add(self, change: StateChange) -> None:
        self.changes = (*self.history, change) if self.changes else change


@dataclass
class MarketingEvent:
    object_id: str
    portal_id: int
    app_id: int
    external_account_id: str
    external_event_id: str
    event_name: str
    event_organizer: str
    created_at: int
    updated_at: int
    visible_at: float  # monotonic time from which reads see it
    event_type: str | None = None
    event_description: str | None = None
    event_url: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    event_cancelled: bool = False
    event_completed: bool = False
    custom_properties: dict[str, str] = field(default_factory=dict)
    participations: dict[int, Participation] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.app_id, self.external_account_id, self.external_event_id)


@dataclass
class Portal:
    portal_id: int
    property_definitions: set[str] = field(default_factory=set)
    contacts: dict[int, Contact] = field(default_factory=dict)
    vid_by_email: dict[str, int] = field(default_factory=dict)
    events: dict[str, MarketingEvent] = field(default_factory=dict)
    object_id_by_key: dict[tuple[int, str, str], str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- outcomes
@dataclass
class ItemError:
    """One failed input of a batch; shaped into a StandardError by the HTTP layer."""

    message: str
    context: dict[str, list[str]]
    category: str = "VALIDATION_ERROR"
    sub_category: str | None = None


@dataclass
class BatchOutcome:
    results: list[Any] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AttendanceResult:
    vid: int
    email: str | None = None


@dataclass
class ParticipationView:
    """A participation as a reader sees it now (lag and NO_SHOW applied)."""

    participation: Participation
    contact: Contact
    change: StateChange
    state: str



def locked(method: Callable[..., Any]) -> Callable[..., Any]:
    """Serialise a backend method: the HTTP server, a test thread and the admin API may share one backend."""

    @functools.wraps(method)
    def wrapper(self: "Backend", *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


# ---------------------------------------------------------------------------------------------- backend
class Backend:
    def __init__(self, settings: Settings | None = None, clock: Clock | None = None) -> None:
        self.settings = settings or Settings()
        self.clock = clock or Clock()
        self._lock = threading.RLock()
        self.changes = ChangeLog(self._lock)  # what each write changed, for the journal
        self.portals: dict[int, Portal] = {}
        self.tokens: dict[str, Principal] = {}
        self._vids = itertools.count(self.settings.first_vid)
        self._object_ids = itertools.count(self.settings.first_object_id)
        self._participation_ids = itertools.count(1)
        self.portal(self.settings.default_portal_id)

    # ------------------------------------------------------------------ tenancy and auth
    def portal(self, portal_id: int) -> Portal:
        portal = self.portals.get(portal_id)
        if portal is None:
            portal = self.portals[portal_id] = Portal(portal_id)
        return portal

    def authenticate(self, token: str) -> Principal:
        """A Bearer token to its principal. Unknown tokens are the default app when accept_any_token is on."""
        principal = self.tokens.get(token)
        if principal is None:
            # "Bearer Bearer pat-..." is a common mistake: HubSpot rejects it, so do we.
            if not token or not self.settings.accept_any_token or " " in token:
                raise Unauthorized()
            return Principal(self.settings.default_portal_id, self.settings.default_app_id)
        if principal.expired:
            raise ExpiredToken("The OAuth token used to make this call expired.")
        return principal

    # ------------------------------------------------------------------ events: batch upsert
    @locked
    def upsert_events(self, principal: Principal, inputs: list[dict[str, Any]]) -> BatchOutcome:
        portal = self.portal(principal.portal_id)
        items = [self._event_fields(i, raw) for i, raw in enumerate(inputs)]  # raises before any change
        self._check_duplicates(((f["externalAccountId"], f["externalEventId"]) for f in items), "externalEventId")
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
            custom, dropped = self._defined_properties(portal, custom_inputs) if custom_inputs else (None, None)
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
                setattr(event, _EVENT_FIELDS[name], value)
            if custom:
                event.custom_properties.update(custom)
            by_key[key] = event
        outcome.results = list(by_key.values())
        return outcome

    def _event_fields(self, index: int, raw: dict[str, Any]) -> dict[str, Any]:
        """One input as event fields (instants parsed), its external ids and customProperties; unknown keys
        (allowed with reject_unknown_fields=false) left out. Raises before the batch changes anything."""
        fields = raw.copy() if raw.keys() <= _EVENT_INPUT_KEYS else {k: v for k, v in raw.items() if k in _EVENT_INPUT_KEYS}
        for name in _INSTANT_FIELDS:
            if name in fields:
                try:
                    fields[name] = parse_instant(fields[name])
                except (ValueError, TypeError, OverflowError):
                    raise _invalid(f"inputs[{index}].{name}", f"{name} must be an ISO-8601 date-time") from None
        fields["customProperties"] = fields.get("customProperties") or []
        return fields

    def _defined_properties(self, portal: Portal, values: Iterable[dict[str, Any]]) -> tuple[dict, set]:
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

    def _check_duplicates(self, keys: Iterable[Any], name: str) -> None:
        if self.settings.duplicate_batch_items != "reject":
            return
        seen: set[Any] = set()
        for i, key in enumerate(keys):
            if key in seen:
                raise _invalid(f"inputs[{i}]", f"Duplicate {name} in one batch: {key!r}")
            seen.add(key)

    # ------------------------------------------------------------------ attendance
    @locked
    def record_by_contact_ids(
        self,
        principal: Principal,
        external_event_id: str,
        state_path: str,
        external_account_id: str | None,
        inputs: list[dict[str, Any]],
    ) -> BatchOutcome:
        """Endpoint 1: attendance by vid for an event named by the calling app's external ids."""
        state = subscriber_state(state_path)
        if external_account_id is None and self.settings.create_requires_external_account_id:
            raise _invalid("externalAccountId", "externalAccountId is required")
        event = self._event_by_external_ids(principal, external_event_id, external_account_id)
        return self._record_by_vid(event, state, inputs, unknown=self.settings.unknown_vid_on_create)

    @locked
    def upsert_by_contact_id(
        self,
        principal: Principal,
        external_event_id: str,
        state_path: str,
        external_account_id: str,
        inputs: list[dict[str, Any]],
    ) -> BatchOutcome:
        """Endpoint 4: "the contact must already exist; a contact will not be created"."""
        state = subscriber_state(state_path)
        event = self._event_by_external_ids(principal, external_event_id, external_account_id)
        return self._record_by_vid(event, state, inputs, unknown="item_error")

    @locked
    def record_by_email(
        self, principal: Principal, object_id: str, state_path: str, inputs: list[dict[str, Any]]
    ) -> BatchOutcome:
        """Endpoint 2: attendance by email; unknown emails become contacts with contactProperties."""
        state = subscriber_state(state_path)
        event = self._event_by_object_id(principal, object_id, for_read=False)
        portal = self.portal(event.portal_id)
        prepared = [self._prepare_attendance(i, raw, state) for i, raw in enumerate(inputs)]
        self._check_duplicates((raw["email"].strip().lower() for raw in inputs), "email")
        outcome = BatchOutcome()
        visible_at = self.clock.monotonic() + self.settings.read_lag_seconds
        results: dict[int, AttendanceResult] = {}
        for raw, item in zip(inputs, prepared):
            email = raw["email"].strip()
            if "@" not in email or email.startswith("@") or email.endswith("@"):
                outcome.errors.append(ItemError(f"Email address {email} is invalid", {"email": [email]}, sub_category="INVALID_EMAIL"))
                continue
            if item.error is not None:
                outcome.errors.append(_with_subject(item.error, "EMAIL", email, {"email": [email]}))
                continue
            if not item.stores and not item.answers:
                outcome.notes.extend(item.notes)
                continue
            contact = self._contact_by_email(portal, email, raw.get("contactProperties") or {})
            answered = self._apply(event, contact, item, outcome, visible_at)
            if answered:
                results[contact.vid] = AttendanceResult(contact.vid, contact.email)
        outcome.results = list(results.values())
        return outcome

    def _record_by_vid(
        self, event: MarketingEvent, state: str, inputs: list[dict[str, Any]], *, unknown: str
    ) -> BatchOutcome:
        portal = self.portal(event.portal_id)
        prepared = [self._prepare_attendance(i, raw, state) for i, raw in enumerate(inputs)]
        self._check_duplicates((int(raw["vid"]) for raw in inputs), "vid")
        outcome = BatchOutcome()
        visible_at = self.clock.monotonic() + self.settings.read_lag_seconds
        results: dict[int, AttendanceResult] = {}
        for raw, item in zip(inputs, prepared):
            vid = int(raw["vid"])  # JSON 2147483649.0 is an integer to the schema (and to HubSpot's parser)
            contact = portal.contacts.get(vid)
            if contact is None:
                if unknown == "item_error":
                    outcome.errors.append(
                        ItemError(f"Contact with vid {vid} does not exist", {"vid": [str(vid)]}, category="OBJECT_NOT_FOUND")
                    )
                else:
                    outcome.notes.append(f"vid {vid} is not a contact of portal {portal.portal_id}; ignored")
                continue
            if item.error is not None:
                outcome.errors.append(_with_subject(item.error, "CONTACT", str(vid), {"vid": [str(vid)]}))
                continue
            if not item.stores and not item.answers:
                outcome.notes.extend(item.notes)
                continue
            if self._apply(event, contact, item, outcome, visible_at):
                results[vid] = AttendanceResult(vid)
        outcome.results = list(results.values())
        return outcome

    def _prepare_attendance(self, index: int, raw: dict[str, Any], state: str) -> "_Attendance":
        """Check one input against HubSpot's attendance rules; raise only for what fails the whole request."""
        s = self.settings
        given = raw.get("properties")
        item = _Attendance(state=state, properties=dict(given) if given else NO_PROPERTIES)
        when = raw["interactionDateTime"]
        if isinstance(when, str):
            if s.iso_interaction_datetime == "reject":
                raise _invalid(f"inputs[{index}].interactionDateTime", "interactionDateTime must be epoch milliseconds")
            try:
                item.interaction_ms = parse_instant(when)
            except (ValueError, OverflowError):
                raise _invalid(f"inputs[{index}].interactionDateTime", "interactionDateTime must be epoch milliseconds") from None
            item.notes.append(
                f"inputs[{index}].interactionDateTime was an ISO-8601 string; "
                f"iso_interaction_datetime={s.iso_interaction_datetime}"
            )
            if s.iso_interaction_datetime == "drop":
                item.stores = False
        else:
            item.interaction_ms = when = int(when)
            if when < s.seconds_threshold and s.seconds_interaction_stores_nothing:
                item.stores = False
                item.notes.append(f"inputs[{index}].interactionDateTime {when} looks like seconds; nothing stored")
        if state == "ATTENDED":
            self._check_attendance_span(index, item)
        return item

    def _check_attendance_span(self, index: int, item: "_Attendance") -> None:
        s = self.settings
        for name in ("joinedAt", "leftAt"):
            if name in item.properties:
                try:
                    setattr(item, "joined_ms" if name == "joinedAt" else "left_ms", parse_instant(item.properties[name]))
                except (ValueError, OverflowError):
                    item.error = ItemError(f"{name} must be an ISO-8601 instant, got '{item.properties[name]}'", {})
                    return
        if item.joined_ms is None and item.left_ms is None:
            if s.attend_without_times_stores_nothing:
                item.stores = item.answers = False
                item.notes.append(f"inputs[{index}]: attend without joinedAt/leftAt; nothing stored")
        elif item.joined_ms is not None and item.left_ms is not None:
            if item.joined_ms >= item.left_ms:
                item.error = ItemError(
                    "joinedAt param must be earlier than leftAt for `{subject}`",
                    {},
                    sub_category="AttendanceValidationError.JOINED_AT_IS_LATER_THAN_LEFT_AT_FOR_{kind}",
                )
            elif item.left_ms - item.joined_ms < 1000 and s.short_attendance_stores_nothing:
                item.stores = False
                item.notes.append(f"inputs[{index}]: attendance shorter than 1 s; nothing stored")

    def _apply(
        self, event: MarketingEvent, contact: Contact, item: "_Attendance", outcome: BatchOutcome, visible_at: float
    ) -> bool:
        """Store one state change, readable from `visible_at` (monotonic: one per batch, the same float shared);
        return whether the item is answered in `results`."""
        outcome.notes.extend(item.notes)
        if not item.stores:
            return item.answers
        participation = event.participations.get(contact.vid)
        if participation is None:
            participation = event.participations[contact.vid] = Participation(
                contact.vid, next(self._participation_ids), self.clock.now_ms()
            )
        last = participation.last
        if last is not None and last.state == item.state and last.interaction_ms == item.interaction_ms:
            # Idempotent while the contact and interactionDateTime are unchanged.
            return not self.settings.repeat_returns_empty_results
        participation.add(StateChange(item.state, item.interaction_ms, visible_at, item.properties, item.joined_ms, item.left_ms))
        self.changes.record("subscriber", item.state, (event.object_id, contact.vid), contact.email)
        return True

    def _contact_by_email(self, portal: Portal, email: str, contact_properties: dict[str, str]) -> Contact:
        """Find a contact case-insensitively, or create it; contactProperties never touch an existing one."""
        vid = portal.vid_by_email.get(email.lower())
        if vid is not None:
            return portal.contacts[vid]
        return self._add_contact(portal, email, contact_properties)

    def _add_contact(self, portal: Portal, email: str | None, properties: Mapping[str, str], vid: int | None = None) -> Contact:
        vid = next(self._vids) if vid is None else vid
        normalized = email.lower() if email else None
        contact = Contact(vid, normalized, _other_properties(properties, normalized), self.clock.now_ms())
        portal.contacts[vid] = contact
        if normalized:
            portal.vid_by_email[normalized] = vid
        self.changes.record("contact", "created", vid, normalized)
        return contact

    # ------------------------------------------------------------------ lookups
    def _event_by_external_ids(
        self, principal: Principal, external_event_id: str, external_account_id: str | None, *, for_read: bool = False
    ) -> MarketingEvent:
        """External ids only reach the calling app's events: another app's event is a 404."""
        portal = self.portal(principal.portal_id)
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
                raise _invalid(
                    "externalAccountId",
                    f"externalEventId {external_event_id} matches {len(matches)} events of this app; "
                    "pass externalAccountId",
                )
            event = max(matches, key=lambda e: e.updated_at) if matches else None
        if event is None or (for_read and not self._visible(event)):
            account = "" if external_account_id is None else f" and externalAccountId {external_account_id}"
            raise self._not_found(f"Marketing event with externalEventId {external_event_id}{account} does not exist")
        return event

    def _event_by_object_id(self, principal: Principal, object_id: str, *, for_read: bool) -> MarketingEvent:
        """objectId endpoints work for any app of the portal that has the scope."""
        event = self.portal(principal.portal_id).events.get(str(object_id))
        if event is None or (for_read and not self._visible(event)):
            raise self._not_found(f"Marketing event with objectId {object_id} does not exist")
        return event

    def _not_found(self, message: str) -> NotFound:
        return NotFound(message, category=self.settings.not_found_category)

    def _visible(self, event: MarketingEvent) -> bool:
        return event.visible_at <= self.clock.monotonic()

    # ------------------------------------------------------------------ reads
    @locked
    def event_by_external_ids(self, principal: Principal, external_event_id: str, external_account_id: str) -> MarketingEvent:
        return self._event_by_external_ids(principal, external_event_id, external_account_id, for_read=True)

    @locked
    def event_by_object_id(self, principal: Principal, object_id: str) -> MarketingEvent:
        return self._event_by_object_id(principal, object_id, for_read=True)

    @locked
    def participations(self, event: MarketingEvent) -> list[ParticipationView]:
        """Each contact's latest visible state; REGISTERED on an event that has ended reads as NO_SHOW."""
        visible_until = self.clock.monotonic()
        now = self.clock.now_ms()
        ended = event.event_completed or (event.end_ms is not None and event.end_ms < now)
        portal = self.portal(event.portal_id)
        views = []
        for participation in event.participations.values():
            change = next((c for c in reversed(participation.history) if c.recorded_at <= visible_until), None)
            if change is None:
                continue
            state = "NO_SHOW" if change.state == "REGISTERED" and ended else change.state
            views.append(ParticipationView(participation, portal.contacts[participation.vid], change, state))
        return views

    def counters(self, event: MarketingEvent) -> dict[str, int]:
        counts = dict.fromkeys(READ_STATES, 0)
        for view in self.participations(event):
            counts[view.state] += 1
        return counts

    # ------------------------------------------------------------------ seeding and inspection
    @locked
    def load_seed(self, seed: dict[str, Any]) -> None:
        """Portals (property definitions, contacts), tokens and events, as in a --seed file."""
        portals = seed.get("portals", [])
        explicit = [int(c["vid"]) for raw in portals for c in raw.get("contacts", []) if c.get("vid") is not None]
        if explicit:  # allocate new vids above every seeded one, so none is handed out twice
            self._vids = itertools.count(max(max(explicit) + 1, next(self._vids)))
        for raw in portals:
            portal = self.portal(int(raw["id"]))
            portal.property_definitions.update(raw.get("propertyDefinitions", []))
            for c in raw.get("contacts", []):
                vid = None if c.get("vid") is None else int(c["vid"])
                email = c.get("email")
                if vid in portal.contacts or (email and email.lower() in portal.vid_by_email):
                    raise ValueError(f"seed: contact {vid or email} is already in portal {portal.portal_id}")
                self._add_contact(portal, email, c.get("properties") or NO_PROPERTIES, vid=vid)
        for raw in seed.get("tokens", []):
            self.tokens[raw["token"]] = Principal(
                int(raw.get("portalId", self.settings.default_portal_id)),
                int(raw.get("appId", self.settings.default_app_id)),
                frozenset(raw.get("scopes", [WRITE_SCOPE, READ_SCOPE])),
                bool(raw.get("expired", False)),
            )
        by_owner: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for raw in seed.get("events", []):
            owner = (int(raw.get("portalId", self.settings.default_portal_id)), int(raw.get("appId", self.settings.default_app_id)))
            by_owner.setdefault(owner, []).append(raw)
        for (portal_id, app_id), events in by_owner.items():
            self.upsert_events(Principal(portal_id, app_id), events)

    @locked
    def dump(self) -> dict[str, Any]:
        """The whole state as plain JSON-able data (equal dumps = equal states)."""
        return {
            "portals": {
                str(p.portal_id): {
                    "propertyDefinitions": sorted(p.property_definitions),
                    "contacts": [
                        {"vid": c.vid, "email": c.email, "properties": dict(c.properties), "createdAt": iso_ms(c.created_at)}
                        for c in p.contacts.values()
                    ],
                    "events": [_dump_event(e) for e in p.events.values()],
                }
                for p in self.portals.values()
            }
        }

    # ------------------------------------------------------------------ snapshots (--state FILE)
    @locked
    def snapshot(self) -> dict[str, Any]:
        """Everything needed to restore this state exactly, as versioned JSON-able data.

        dump() is a presentation (ISO strings, no participation ids, no token table); a snapshot is the state
        itself: every instant as epoch ms, the tokens, and the next value of each id counter. Only the monotonic
        visible_at / recorded_at are left out: they mean nothing in another process, so read-after-write lag
        does not survive a restore. The image shares no mutable data with the backend.
        """
        return {
            "format": SNAPSHOT_FORMAT,
            "counters": {
                "nextVid": self._peek("_vids"),
                "nextObjectId": self._peek("_object_ids"),
                "nextParticipationId": self._peek("_participation_ids"),
            },
            "tokens": {
                token: {"portalId": p.portal_id, "appId": p.app_id, "scopes": sorted(p.scopes), "expired": p.expired}
                for token, p in self.tokens.items()
            },
            "portals": [_snapshot_portal(p) for p in self.portals.values()],
        }

    def restore(self, image: dict[str, Any], *, consume: bool = False, chunks: Iterable[Any] = ()) -> None:
        """Replace all state with a snapshot's; everything in it is visible at once.

        The whole image is checked and built aside first, so a bad or foreign one raises ValueError and leaves
        the current state as it was; the swap itself happens under the lock, in one step. With `consume`, the
        image's records are dropped from it as they are built. `chunks` are more records, as a state file
        holds them after its first line (image_lines), read one at a time.
        """
        portals, tokens, counters = _restore_state(image, consume, chunks)
        with self._lock:
            self.portals, self.tokens = portals, tokens
            self._vids, self._object_ids, self._participation_ids = (itertools.count(n) for n in counters)

    @classmethod
    def from_snapshot(
        cls, image: dict[str, Any], settings: Settings | None = None, clock: Clock | None = None, *, consume: bool = False
    ) -> "Backend":
        backend = cls(settings, clock)
        backend.restore(image, consume=consume)
        return backend

    def _peek(self, name: str) -> int:
        """The next value of an id counter, without using it up (itertools.count cannot be read otherwise)."""
        value = next(getattr(self, name))
        setattr(self, name, itertools.count(value))
        return value


@dataclass
class _Attendance:
    """One attendance input after the rules: what to store and whether it is answered."""

    state: str
    properties: Mapping[str, str]
    interaction_ms: int = 0
    joined_ms: int | None = None
    left_ms: int | None = None
    stores: bool = True
    answers: bool = True
    error: ItemError | None = None
    notes: list[str] = field(default_factory=list)


# Request field -> MarketingEvent attribute, for the fields an upsert may set.
_EVENT_FIELDS = {
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
_EVENT_KEYS = ("externalAccountId", "externalEventId")
_EVENT_INPUT_KEYS = frozenset(_EVENT_FIELDS).union(_EVENT_KEYS, ["customProperties"])
_INSTANT_FIELDS = ("startDateTime", "endDateTime")


def _invalid(where: str, message: str) -> ValidationError:
    return ValidationError(message, errors=[{"message": message, "in": where}])


def _with_subject(error: ItemError, kind: str, subject: str, context: dict[str, list[str]]) -> ItemError:
    """Fill the contact into a per-item error (HubSpot names the email or vid in message and subCategory)."""
    return ItemError(
        error.message.replace("{subject}", subject),
        {**error.context, **context},
        error.category,
        error.sub_category.replace("{kind}", kind) if error.sub_category else None,
    )


def _dump_event(e: MarketingEvent) -> dict[str, Any]:
    return {
        "objectId": e.object_id,
        "appId": e.app_id,
        "externalAccountId": e.external_account_id,
        "externalEventId": e.external_event_id,
        "eventName": e.event_name,
        "eventOrganizer": e.event_organizer,
        "eventType": e.event_type,
        "eventDescription": e.event_description,
        "eventUrl": e.event_url,
        "startDateTime": None if e.start_ms is None else iso_ms(e.start_ms),
        "endDateTime": None if e.end_ms is None else iso_ms(e.end_ms),
        "eventCancelled": e.event_cancelled,
        "eventCompleted": e.event_completed,
        "customProperties": dict(e.custom_properties),
        "createdAt": iso_ms(e.created_at),
        "updatedAt": iso_ms(e.updated_at),
        "subscribers": [
            {
                "vid": p.vid,
                "history": [
                    {"state": c.state, "interactionDateTime": c.interaction_ms, "properties": dict(c.properties)}
                    for c in p.history
                ],
            }
            for p in e.participations.values()
        ],
    }


# ---------------------------------------------------------------------------------------------- snapshots
# The upsertable event fields keep their request names in a snapshot (instants as epoch ms): JSON type, nullable.
_SNAPSHOT_EVENT_FIELDS: dict[str, tuple[type, bool]] = {
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
        "contacts": [
            {"vid": c.vid, "email": c.email, "properties": dict(c.properties), "createdAt": c.created_at}
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
        **{name: getattr(e, attr) for name, attr in _EVENT_FIELDS.items()},
        "customProperties": dict(e.custom_properties),
        "createdAt": e.created_at,
        "updatedAt": e.updated_at,
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


def _restore_state(
    image: Any, consume: bool = False, chunks: Iterable[Any] = ()
) -> tuple[dict[int, Portal], dict[str, Principal], tuple[int, int, int]]:
    """Build portals, tokens and next counter values from a snapshot, touching no backend; ValueError if bad.

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
        where = f"tokens[{token!r}]"
        raw = _object(raw, where)
        tokens[token] = Principal(
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
    return portals, tokens, (next_vid, next_object_id, next_participation_id)


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
                _take(c, "vid", int, w), email, _other_properties(_properties(c, w), email), self.shared(_take(c, "createdAt", int, w))
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
            **{
                attr: _take(raw, name, _SNAPSHOT_EVENT_FIELDS[name][0], where, nullable=_SNAPSHOT_EVENT_FIELDS[name][1])
                for name, attr in _EVENT_FIELDS.items()
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
                state = _STORED_STATES.get(_take(h, "state", str, hw))  # the one string per state, not a copy each
                if state is None:
                    stored = ", ".join(SUBSCRIBER_STATES.values())
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


def _take(raw: dict[str, Any], key: str, kind: type, where: str, *, nullable: bool = False) -> Any:
    """raw[key], checked to be of `kind` (or null when nullable, which also lets the key be absent)."""
    value = raw.get(key)
    if value is None and nullable:
        return None
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


def _strings(values: list[Any], where: str) -> list[str]:
    if not all(isinstance(v, str) for v in values):
        raise ValueError(f"snapshot: {where} must hold only strings")
    return values


def _other_properties(properties: Mapping[str, Any], email: str | None) -> Mapping[str, Any]:
    """A contact's properties without its email (kept once, in Contact.email; an `email` among the properties
    never wins over it), shared NO_PROPERTIES when nothing is left."""
    other = {name: value for name, value in properties.items() if name != "email"}
    return other or NO_PROPERTIES


def _properties(raw: dict[str, Any], where: str, key: str = "properties") -> dict[str, Any]:
    """A property map, copied so the backend shares nothing with the image. Values are not type-checked:
    the backend stores what it is given (a YAML seed may hold numbers), and a snapshot must give it back."""
    return dict(_take(raw, key, dict, where))
