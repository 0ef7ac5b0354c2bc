"""What the backend holds, and what its rules answer with: plain records, no behaviour beyond their own fields.

Contacts, participations and state changes are the records a long session piles up by the million: they have
__slots__, and share one empty mapping where most have no properties (1,000,000 records stay under 500 MB).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Iterator, Mapping

from ..exceptions import ALL_SCOPES, ValidationError


class AttendanceState(StrEnum):
    """A contact's state in an event, as HubSpot's reads name it. Writes name the first three by their path value
    (`register`, `attend`, `cancel`: lower case, case-sensitive); NO_SHOW is never written, only read: it is what
    REGISTERED reads as once the event has ended."""

    REGISTERED = "REGISTERED"
    ATTENDED = "ATTENDED"
    CANCELLED = "CANCELLED"
    NO_SHOW = "NO_SHOW"

    @property
    def path_value(self) -> str:
        return _PATH_VALUES[self]

    @classmethod
    def from_path(cls, value: str) -> "AttendanceState":
        """register / attend / cancel, case-sensitive, as HubSpot checks it live."""
        for state, path_value in _PATH_VALUES.items():
            if path_value == value:
                return state
        raise ValidationError(
            f"Unknown state for '{value}'. Correct are 'register', 'attend' or 'cancel'.",
            errors=[{"message": f"Unknown state for '{value}'", "in": "subscriberState"}],
        )


_PATH_VALUES = {AttendanceState.REGISTERED: "register", AttendanceState.ATTENDED: "attend", AttendanceState.CANCELLED: "cancel"}
_SAME_INSTANT_ORDER = {AttendanceState.REGISTERED: 0, AttendanceState.CANCELLED: 1, AttendanceState.ATTENDED: 2, AttendanceState.NO_SHOW: 0}
STORED_STATES = tuple(_PATH_VALUES)  # what a write can store
READ_STATES = tuple(AttendanceState)  # what a read can answer


def subscriber_state(path_value: str) -> AttendanceState:
    return AttendanceState.from_path(path_value)


# ---------------------------------------------------------------------------------------------- tenancy
@dataclass(frozen=True)
class Principal:
    """Who is calling: an app installed in a portal, with the scopes its token was granted."""

    portal_id: int
    app_id: int
    scopes: frozenset[str] = ALL_SCOPES
    expired: bool = False


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


def other_properties(properties: Mapping[str, Any], email: str | None) -> Mapping[str, Any]:
    """A contact's properties without its email (kept once, in Contact.email; an `email` among the properties
    never wins over it), shared NO_PROPERTIES when nothing is left."""
    other = {name: value for name, value in properties.items() if name != "email"}
    return other or NO_PROPERTIES


# ---------------------------------------------------------------------------------------------- records
@dataclass(slots=True)
class Contact:
    vid: int
    email: str | None
    other_properties: Mapping[str, str]  # beyond email (`properties` adds it); NO_PROPERTIES for most contacts
    created_at: int
    updated_at: int = 0  # 0: never changed since created_at (most contacts; kept small)

    @property
    def last_modified(self) -> int:
        return self.updated_at or self.created_at

    @property
    def properties(self) -> dict[str, str]:
        """The contact's properties as HubSpot holds them: its email, and what contactProperties gave it."""
        return {**self.other_properties, "email": self.email} if self.email else dict(self.other_properties)


@dataclass(slots=True)
class StateChange:
    state: AttendanceState  # REGISTERED / ATTENDED / CANCELLED
    interaction_ms: int
    recorded_at: float  # monotonic time of the write, for read-after-write lag
    properties: Mapping[str, str]
    joined_ms: int | None = None
    left_ms: int | None = None

    @property
    def duration_seconds(self) -> int | None:
        """HubSpot keeps attendanceDurationSeconds as a whole number of seconds."""
        if self.joined_ms is None or self.left_ms is None:
            return None
        return (self.left_ms - self.joined_ms) // 1000


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
        """Append, as written (a restore keeps the stored order)."""
        self.changes = (*self.history, change) if self.changes else change

    def add_in_time_order(self, change: StateChange) -> None:
        """Insert by interactionDateTime, so `last` is the newest by interaction time whatever order the calls
        arrived in. [A] At the same instant, REGISTERED comes before CANCELLED before ATTENDED (attending is the
        strongest evidence), so a tie does not depend on arrival either."""
        history = self.history
        key = (change.interaction_ms, _SAME_INSTANT_ORDER[change.state])
        at = len(history)
        while at and (history[at - 1].interaction_ms, _SAME_INSTANT_ORDER[history[at - 1].state]) > key:
            at -= 1
        self.changes = (*history[:at], change, *history[at:]) if history else change

    def has(self, state: AttendanceState, interaction_ms: int) -> bool:
        """Whether this exact change is already recorded: HubSpot takes an identical repeat as a no-op."""
        return any(c.state == state and c.interaction_ms == interaction_ms for c in self.history)


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
    visible_at: float  # monotonic time of its creation, for read-after-write lag
    event_type: str | None = None
    event_description: str | None = None
    event_url: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    event_cancelled: bool = False
    event_completed: bool = False
    custom_properties: dict[str, str] = field(default_factory=dict)
    participations: dict[int, Participation] = field(default_factory=dict)
    list_ids: list[str] = field(default_factory=list)  # lists associated with the event, in association order

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.app_id, self.external_account_id, self.external_event_id)

    def has_ended(self, now_ms: int) -> bool:
        """Completed, or past its end: its registrants read as NO_SHOW from then on."""
        return self.event_completed or (self.end_ms is not None and self.end_ms < now_ms)

    def read_state(self, stored: AttendanceState, now_ms: int) -> AttendanceState:
        """A stored state as reads show it: REGISTERED on an event that has ended is a NO_SHOW."""
        if stored is AttendanceState.REGISTERED and self.has_ended(now_ms):
            return AttendanceState.NO_SHOW
        return stored

    def status(self, now_ms: int) -> str:
        """eventStatus of the V2 reads."""
        if self.event_cancelled:
            return "CANCELLED"
        if self.has_ended(now_ms):
            return "PAST"
        if self.start_ms is not None and self.start_ms <= now_ms:
            return "ONGOING"
        return "UPCOMING"


@dataclass
class ContactList:
    """A list of the portal (HubSpot's lists are their own API; the mock holds what associations need)."""

    list_id: str
    name: str
    processing_type: str = "MANUAL"  # MANUAL / DYNAMIC / SNAPSHOT
    size: int = 0
    created_at: int = 0


@dataclass
class Portal:
    portal_id: int
    property_definitions: set[str] = field(default_factory=set)
    lists: dict[str, ContactList] = field(default_factory=dict)
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

    def about(self, kind: str, subject: str, context: dict[str, list[str]]) -> "ItemError":
        """This error with the contact filled in (HubSpot names the email or vid in message and subCategory)."""
        return ItemError(
            self.message.replace("{subject}", subject),
            {**self.context, **context},
            self.category,
            self.sub_category.replace("{kind}", kind) if self.sub_category else None,
        )


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
    state: AttendanceState


def invalid(where: str, message: str) -> ValidationError:
    """A 400 naming the field at fault."""
    return ValidationError(message, errors=[{"message": message, "in": where}])
