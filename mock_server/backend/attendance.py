"""Attendance: every way of recording a contact's state in an event, over one set of HubSpot's rules, and the
reads of it (each contact's latest visible state, counters, breakdowns)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..clock import parse_instant
from .base import locked
from .contacts import Contacts
from .events import Events
from .records import (
    NO_PROPERTIES,
    READ_STATES,
    AttendanceResult,
    AttendanceState,
    BatchOutcome,
    Contact,
    ItemError,
    MarketingEvent,
    Participation,
    ParticipationView,
    Principal,
    StateChange,
    invalid,
)


def _latest_visible(participation: Participation, visible_until: float) -> StateChange | None:
    return next((c for c in reversed(participation.history) if c.recorded_at <= visible_until), None)


@dataclass
class _Attendance:
    """One attendance input after the rules: what to store and whether it is answered."""

    state: AttendanceState
    properties: Mapping[str, str]
    interaction_ms: int = 0
    joined_ms: int | None = None
    left_ms: int | None = None
    stores: bool = True
    answers: bool = True
    error: ItemError | None = None
    notes: list[str] = field(default_factory=list)


class Attendance(Events, Contacts):
    # ------------------------------------------------------------------ writes
    @locked
    def record_by_contact_ids(
        self,
        principal: Principal,
        external_event_id: str,
        state_path: str,
        external_account_id: str | None,
        inputs: list[dict[str, Any]],
    ) -> BatchOutcome:
        """Attendance by vid for an event named by the calling app's external ids. Whether externalAccountId
        may be left out is the spec's to say (create_requires_external_account_id); without it, the app's one
        event with that externalEventId."""
        state = AttendanceState.from_path(state_path)
        event = self.find_by_external_ids(principal, external_event_id, external_account_id)
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
        """"The contact must already exist; a contact will not be created"."""
        state = AttendanceState.from_path(state_path)
        event = self.find_by_external_ids(principal, external_event_id, external_account_id)
        return self._record_by_vid(event, state, inputs, unknown="item_error")

    @locked
    def record_by_email(
        self, principal: Principal, object_id: str, state_path: str, inputs: list[dict[str, Any]]
    ) -> BatchOutcome:
        """Attendance by email; unknown emails become contacts with contactProperties."""
        state = AttendanceState.from_path(state_path)
        event = self.find_by_object_id(principal, object_id, for_read=False)
        return self._record_by_email(event, state, inputs)

    @locked
    def record_by_contact_emails(
        self,
        principal: Principal,
        external_event_id: str,
        state_path: str,
        external_account_id: str | None,
        inputs: list[dict[str, Any]],
    ) -> BatchOutcome:
        """Attendance by email for an event named by the calling app's external ids; creates contacts."""
        state = AttendanceState.from_path(state_path)
        event = self.find_by_external_ids(principal, external_event_id, external_account_id)
        return self._record_by_email(event, state, inputs)

    @locked
    def record_by_contact_id(
        self, principal: Principal, object_id: str, state_path: str, inputs: list[dict[str, Any]]
    ) -> BatchOutcome:
        """Attendance by vid for an event named by objectId (any app of the portal)."""
        state = AttendanceState.from_path(state_path)
        event = self.find_by_object_id(principal, object_id, for_read=False)
        return self._record_by_vid(event, state, inputs, unknown=self.settings.unknown_vid_on_create)

    @locked
    def upsert_by_contact_email(
        self,
        principal: Principal,
        external_event_id: str,
        state_path: str,
        external_account_id: str,
        inputs: list[dict[str, Any]],
    ) -> BatchOutcome:
        """"The contact must already exist; a contact will not be created" (email_upsert_creates_contacts)."""
        state = AttendanceState.from_path(state_path)
        event = self.find_by_external_ids(principal, external_event_id, external_account_id)
        return self._record_by_email(event, state, inputs, creates=self.settings.email_upsert_creates_contacts)

    def _record_by_email(
        self, event: MarketingEvent, state: AttendanceState, inputs: list[dict[str, Any]], *, creates: bool = True
    ) -> BatchOutcome:
        portal = self.portal(event.portal_id)
        prepared = [self._prepare_attendance(i, raw, state) for i, raw in enumerate(inputs)]
        self.check_duplicates((raw["email"].strip().lower() for raw in inputs), "email")
        outcome = BatchOutcome()
        written_at = self.clock.monotonic()
        results: dict[int, AttendanceResult] = {}
        for raw, item in zip(inputs, prepared):
            email = raw["email"].strip()
            if "@" not in email or email.startswith("@") or email.endswith("@"):
                outcome.errors.append(ItemError(f"Email address {email} is invalid", {"email": [email]}, sub_category="INVALID_EMAIL"))
                continue
            if item.error is not None:
                outcome.errors.append(item.error.about("EMAIL", email, {"email": [email]}))
                continue
            if not item.stores and not item.answers:
                outcome.notes.extend(item.notes)
                continue
            if creates:
                contact = self.contact_by_email(portal, email, raw.get("contactProperties") or {})
            else:
                found = self.find_contact(portal, email)
                if found is None:
                    outcome.errors.append(
                        ItemError(f"Contact with email {email} does not exist", {"email": [email]}, category="OBJECT_NOT_FOUND")
                    )
                    continue
                contact = found
            if self._apply(event, contact, item, outcome, written_at):
                results[contact.vid] = AttendanceResult(contact.vid, contact.email)
        outcome.results = list(results.values())
        return outcome

    def _record_by_vid(
        self, event: MarketingEvent, state: AttendanceState, inputs: list[dict[str, Any]], *, unknown: str
    ) -> BatchOutcome:
        portal = self.portal(event.portal_id)
        prepared = [self._prepare_attendance(i, raw, state) for i, raw in enumerate(inputs)]
        self.check_duplicates((int(raw["vid"]) for raw in inputs), "vid")
        outcome = BatchOutcome()
        written_at = self.clock.monotonic()
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
                outcome.errors.append(item.error.about("CONTACT", str(vid), {"vid": [str(vid)]}))
                continue
            if not item.stores and not item.answers:
                outcome.notes.extend(item.notes)
                continue
            if self._apply(event, contact, item, outcome, written_at):
                results[vid] = AttendanceResult(vid)
        outcome.results = list(results.values())
        return outcome

    def _prepare_attendance(self, index: int, raw: dict[str, Any], state: AttendanceState) -> _Attendance:
        """Check one input against HubSpot's attendance rules; raise only for what fails the whole request."""
        s = self.settings
        given = raw.get("properties")
        item = _Attendance(state=state, properties=dict(given) if given else NO_PROPERTIES)
        when = raw["interactionDateTime"]
        if isinstance(when, str):
            if s.iso_interaction_datetime == "reject":
                raise invalid(f"inputs[{index}].interactionDateTime", "interactionDateTime must be epoch milliseconds")
            try:
                item.interaction_ms = parse_instant(when)
            except (ValueError, OverflowError):
                raise invalid(f"inputs[{index}].interactionDateTime", "interactionDateTime must be epoch milliseconds") from None
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
        if state is AttendanceState.ATTENDED:
            self._check_attendance_span(index, item)
        return item

    def _check_attendance_span(self, index: int, item: _Attendance) -> None:
        s = self.settings
        for name in ("joinedAt", "leftAt"):
            if name in item.properties:
                try:
                    instant = parse_instant(item.properties[name])
                except (ValueError, OverflowError):
                    item.error = ItemError(f"{name} must be an ISO-8601 instant, got '{item.properties[name]}'", {})
                    return
                if name == "joinedAt":
                    item.joined_ms = instant
                else:
                    item.left_ms = instant
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
        self, event: MarketingEvent, contact: Contact, item: _Attendance, outcome: BatchOutcome, written_at: float
    ) -> bool:
        """Store one state change written at `written_at` (monotonic: one per batch, the same float shared);
        return whether the item is answered in `results`."""
        outcome.notes.extend(item.notes)
        if not item.stores:
            return item.answers
        participation = event.participations.get(contact.vid)
        if participation is None:
            participation = event.participations[contact.vid] = Participation(
                contact.vid, next(self._participation_ids), self.clock.now_ms()
            )
        if participation.has(item.state, item.interaction_ms):
            # Idempotent while the contact, state and interactionDateTime are unchanged (HubSpot's guide).
            return not self.settings.repeat_returns_empty_results
        change = StateChange(item.state, item.interaction_ms, written_at, item.properties, item.joined_ms, item.left_ms)
        if self.settings.latest_state_by == "interaction_time":
            participation.add_in_time_order(change)
        else:
            participation.add(change)
        self.changes.record("subscriber", item.state, (event.object_id, contact.vid), contact.email)
        return True

    # ------------------------------------------------------------------ reads
    @locked
    def participations(self, event: MarketingEvent) -> list[ParticipationView]:
        """Each contact's latest visible state, as reads show it (REGISTERED on an ended event is NO_SHOW). The
        event-level counters and breakdowns are a rollup that lags on HubSpot (read_lag_participations_seconds)."""
        visible_until = self.clock.monotonic() - self.settings.lag("participations")
        now = self.clock.now_ms()
        portal = self.portal(event.portal_id)
        views = []
        for participation in event.participations.values():
            change = _latest_visible(participation, visible_until)
            if change is None:
                continue
            views.append(ParticipationView(participation, portal.contacts[participation.vid], change, event.read_state(change.state, now)))
        return views

    @locked
    def read_state(self, event: MarketingEvent, participation: Participation) -> AttendanceState | None:
        """One contact's state in an event as the event-level reads show it now (None: not visible yet)."""
        change = _latest_visible(participation, self.clock.monotonic() - self.settings.lag("participations"))
        return None if change is None else event.read_state(change.state, self.clock.now_ms())

    @locked
    def counters(self, event: MarketingEvent) -> dict[AttendanceState, int]:
        """Contacts by state as read, counted without building a view per contact (events hold 100,000s)."""
        counts = dict.fromkeys(READ_STATES, 0)
        visible_until = self.clock.monotonic() - self.settings.lag("participations")
        now = self.clock.now_ms()
        for participation in event.participations.values():
            last = participation.last
            change = last if last is not None and last.recorded_at <= visible_until else _latest_visible(participation, visible_until)
            if change is not None:
                counts[event.read_state(change.state, now)] += 1
        return counts

    @locked
    def contact_breakdown(
        self, principal: Principal, identifier: str, *, state: str | None = None, after: int = 0, limit: int = 10
    ) -> tuple[int, list[tuple[MarketingEvent, ParticipationView]], int | None]:
        """participations/contacts/{vid or email}/breakdown: the contact's state in every event of the portal,
        visible after read_lag_contact_breakdown_seconds (HubSpot: about a second)."""
        portal = self.portal(principal.portal_id)
        contact = self.find_contact(portal, identifier)
        if contact is None:
            if self.settings.unknown_contact_breakdown == "not_found":
                raise self.not_found(f"Contact {identifier} does not exist")
            return 0, [], None
        visible_until = self.clock.monotonic() - self.settings.lag("contact_breakdown")
        now = self.clock.now_ms()
        rows = []
        for event in portal.events.values():
            participation = event.participations.get(contact.vid)
            change = _latest_visible(participation, visible_until) if participation else None
            if participation is None or change is None:
                continue
            read_state = event.read_state(change.state, now)
            if state is None or read_state == state:
                rows.append((event, ParticipationView(participation, contact, change, read_state)))
        end = after + limit
        return len(rows), rows[after:end], end if end < len(rows) else None

    def breakdown(
        self, event: MarketingEvent, *, state: str | None = None, contact: str | None = None, after: int = 0, limit: int = 10
    ) -> tuple[int, list[ParticipationView], int | None]:
        """One page of an event's participations, filtered by read state and by contact (vid or email): the
        total matching, the page, and the next page's offset (None on the last page)."""
        views = self.participations(event)
        if state is not None:
            views = [v for v in views if v.state == state]
        if contact is not None:
            who = contact.strip().lower()
            views = [v for v in views if str(v.contact.vid) == who or v.contact.email == who]
        page = views[after : after + limit]
        return len(views), page, after + limit if after + limit < len(views) else None
