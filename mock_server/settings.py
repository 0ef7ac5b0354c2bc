"""Every knob of the mock in one typed object.

Two fidelity profiles set the defaults: ``live`` reproduces what integrations meet against real HubSpot
(FACTS.md, "Observed live behaviour"), ``spec`` follows HubSpot's published OpenAPI spec to the letter.
Each difference is also a field of its own, so a user can take one profile and flip a single behaviour.
Settings read from ``HUBSPOT_MOCK_<FIELD>`` environment variables, then from explicit arguments.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, Literal, Mapping, get_args, get_type_hints

Profile = Literal["live", "spec"]
IsoInteractionDateTime = Literal["accept", "drop", "reject"]
ItemErrorShape = Literal["observed", "spec"]
DuplicateItems = Literal["merge", "reject"]
UnknownVid = Literal["item_error", "ignore"]
AmbiguousEvent = Literal["reject", "most_recent"]
CrossAppUpsert = Literal["separate", "reject"]
RateLimitTier = Literal["free", "starter", "professional", "enterprise"]
AuthKind = Literal["private_app", "oauth"]
PutIdMismatch = Literal["reject", "path"]
ArchiveMissing = Literal["no_content", "not_found"]
BatchArchiveMissing = Literal["multi_status", "ignore"]
SearchMatch = Literal["exact", "prefix", "substring"]
UnknownLookup = Literal["empty", "not_found"]
LatestStateBy = Literal["interaction_time", "arrival"]
ReadPath = Literal["events", "participations", "contact_breakdown", "identifiers"]

# What --strict sets: HubSpot's reads as they lag live (FACTS.md): events and the contact-level breakdown
# within about a second, the event-level rollup and the identifiers search much later.
STRICT_READ_LAGS: dict[str, float] = {
    "read_lag_seconds": 1.0,
    "read_lag_contact_breakdown_seconds": 1.0,
    "read_lag_participations_seconds": 10.0,
    "read_lag_identifiers_seconds": 60.0,
}

# The fields that differ between the profiles. Everything not named here is the same in both.
PROFILES: dict[str, dict[str, Any]] = {
    "live": {
        "record_by_contact_ids_status": 201,
        "create_requires_external_account_id": True,
        "accept_missing_property_maps": True,
        "attend_without_times_stores_nothing": True,
        "repeat_returns_empty_results": True,
        "item_error_shape": "observed",
        "short_attendance_stores_nothing": True,
        "seconds_interaction_stores_nothing": True,
        "iso_interaction_datetime": "accept",
    },
    "spec": {
        "record_by_contact_ids_status": 200,
        "create_requires_external_account_id": False,
        "accept_missing_property_maps": False,
        "attend_without_times_stores_nothing": False,
        "repeat_returns_empty_results": False,
        "item_error_shape": "spec",
        "short_attendance_stores_nothing": False,
        "seconds_interaction_stores_nothing": False,
        "iso_interaction_datetime": "reject",
    },
}


@dataclass(frozen=True)
class Settings:
    profile: Profile = "live"

    # --- server ---
    host: str = "127.0.0.1"
    port: int = 8090
    log_level: str = "info"
    # One log line per request costs ~12 % of throughput; the journal (and the inspector page) keep more anyway.
    access_log: bool = False
    seed_path: str | None = None

    # --- profile-dependent fidelity switches (defaults are the live profile's; see PROFILES) ---
    # Endpoint 1 answered 201 live; the spec says 200. The Python SDK returns None for 201, the Node SDK throws.
    record_by_contact_ids_status: int = 201
    # Endpoint 1 without ?externalAccountId= answered 400 live; the spec marks the parameter optional.
    create_requires_external_account_id: bool = True
    # Live HubSpot accepts inputs without customProperties / properties / contactProperties (spec: required).
    accept_missing_property_maps: bool = True
    # `attend` with neither joinedAt nor leftAt: live answers 200 with results [] and stores nothing.
    attend_without_times_stores_nothing: bool = True
    # An identical repeat (same contact, state, interactionDateTime) answers results [] live.
    repeat_returns_empty_results: bool = True
    # Per-item errors live lack context/links/errors; the spec marks them required on StandardError.
    item_error_shape: ItemErrorShape = "observed"
    # joinedAt..leftAt shorter than one second: live answers the item as a result but stores nothing.
    short_attendance_stores_nothing: bool = True
    # interactionDateTime that looks like epoch seconds: live accepts it with 200 and stores nothing.
    seconds_interaction_stores_nothing: bool = True
    # [A] interactionDateTime sent as an ISO-8601 string: unknown live. accept = parse it; drop = 200 and store
    # nothing; reject = 400. The choice is always reported in the X-HubSpot-Mock-Note header.
    iso_interaction_datetime: IsoInteractionDateTime = "accept"

    # --- assumptions (FACTS.md [A] or undocumented), the same in both profiles ---
    # [A] Endpoint 4 has no success response in the spec; 204 is HubSpot's usual body-less success.
    upsert_by_contact_id_status: int = 204
    # [A] Category of the 404 for a missing event (the name is seen only in third-party code).
    not_found_category: str = "OBJECT_NOT_FOUND"
    # Status for a batch whose items partly failed: 200 (HubSpot's declared answer) or 207.
    # The official Python SDK returns None for 207, losing the per-item errors.
    mixed_batch_status: int = 200
    # [A] Request objects refuse fields they do not define (400 naming them), as HubSpot's JSON parser does on
    # other v3 APIs ("Unrecognized field ... not marked as ignorable"); false = ignore unknown fields.
    reject_unknown_fields: bool = True
    # [A] Bodies larger than this are refused with 413 before they are read (HubSpot's limit is not documented).
    max_body_bytes: int = 10 * 1024 * 1024
    # [A] No batch size limit is documented; other HubSpot batch APIs take 100. None = no limit.
    max_batch_inputs: int | None = None
    # [A] Several inputs with the same key in one batch: merge (applied in order, last wins) or reject (400).
    duplicate_batch_items: DuplicateItems = "merge"
    # [A] A vid that is not a contact of the portal on endpoint 1: item_error (rest applied) or ignore.
    unknown_vid_on_create: UnknownVid = "item_error"
    # [A] Endpoint 1 without externalAccountId (spec profile) when the app has several events with that
    # externalEventId: reject (400) or use the most recently updated one.
    ambiguous_external_event: AmbiguousEvent = "reject"
    # [A] Another app upserts an (externalAccountId, externalEventId) pair an app already owns: separate
    # (events are keyed per app, so it gets its own event) or reject (per-item error).
    cross_app_upsert: CrossAppUpsert = "separate"
    # Threshold below which an interactionDateTime is taken for seconds, not milliseconds (year 1973 in ms).
    seconds_threshold: int = 100_000_000_000
    # Reads lag writes by this many seconds (HubSpot is eventually consistent: ~1 s seen). 0 = off.
    read_lag_seconds: float = 0.0
    # Reads of one kind lag by their own setting when it is set (else read_lag_seconds). HubSpot's contact-level
    # breakdown shows a write within about a second, while the event-level counters and breakdowns (an
    # asynchronous rollup) and the identifiers search lag much longer. --strict sets realistic values.
    read_lag_participations_seconds: float | None = None
    read_lag_contact_breakdown_seconds: float | None = None
    read_lag_identifiers_seconds: float | None = None

    # --- beyond the four endpoints: HubSpot's behaviour unknown ([A]), chosen and made settings ---
    # PUT events/{externalEventId} with another externalEventId in the body: reject (400) or the path wins.
    put_event_id_mismatch: PutIdMismatch = "reject"
    # DELETE of an event that does not exist ("deletes ... if it exists"): no_content (204) or not_found (404).
    archive_missing_event: ArchiveMissing = "no_content"
    # events/delete and batch/archive naming events that do not exist: multi_status (207 with a per-item error
    # each, as the spec's description of batch/archive says) or ignore (204).
    batch_archive_missing: BatchArchiveMissing = "multi_status"
    # events/search?q=: how q matches externalEventId (HubSpot: "where the externalEventId matches").
    event_search_match: SearchMatch = "exact"
    # {externalEventId}/identifiers for an id never seen: empty (200, total 0) or not_found (404); both seen live.
    identifiers_unknown_event: UnknownLookup = "empty"
    # participations/contacts/{id}/breakdown for a contact the portal does not hold: empty (total 0) or 404.
    unknown_contact_breakdown: UnknownLookup = "empty"
    # email-upsert with an email that is no contact: HubSpot's text says both "must already exist" and
    # "contactProperties is used only when creating": false = per-item error, true = create the contact.
    email_upsert_creates_contacts: bool = False
    # email-upsert declares no success response: 204 (as upsert_by_contact_id_status) or 200 with a batch body.
    upsert_by_contact_email_status: int = 204
    # [A] A contact's current state in an event: the change with the newest interactionDateTime (any order of
    # the same calls ends in the same state), or the last to arrive.
    latest_state_by: LatestStateBy = "interaction_time"
    # Associating a listId the portal does not hold (seed `lists`): false = 404, true = take any id as a list.
    accept_unknown_lists: bool = False

    # --- identity and data ---
    # Any non-empty Bearer token not in the seed's token table is app 1 of portal 1 with both scopes.
    accept_any_token: bool = True
    default_portal_id: int = 1
    default_app_id: int = 1
    # vids start above 2^31 so that int32 bugs in clients show up.
    first_vid: int = 2**31 + 1
    first_object_id: int = 510_000_000_001

    # --- rate limits: counted always (headers); enforced with HubSpot's 429s when enforce_rate_limits ---
    rate_limit_tier: RateLimitTier = "free"
    rate_limit_auth: AuthKind = "private_app"
    enforce_rate_limits: bool = False

    # --- faults, journal, admin API ---
    state_path: str | None = None  # --state FILE: loaded at start, saved on shutdown and on demand, atomically
    faults_path: str | None = None  # a JSON/YAML list of fault rules loaded at start
    journal_size: int = 1000  # requests kept in the journal (a ring buffer)
    # What the journal may hold in all (bodies, headers, changes): the oldest entries go first past it.
    journal_max_bytes: int = 64 * 1024 * 1024
    admin_enabled: bool = True  # the /__mock/ admin API
    admin_token: str | None = None  # when set, the admin API wants `Authorization: Bearer <admin_token>`

    # ------------------------------------------------------------------ construction
    @classmethod
    def for_profile(cls, profile: str = "live", **overrides: Any) -> "Settings":
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
        values = {**PROFILES[profile], **overrides, "profile": profile}
        unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return cls(**values)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Profile and fields from HUBSPOT_MOCK_* variables; explicit overrides win."""
        environ = os.environ if environ is None else environ
        hints = get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f"HUBSPOT_MOCK_{f.name.upper()}")
            if raw is not None:
                values[f.name] = coerce_setting(f.name, hints[f.name], raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        profile = values.pop("profile", "live")
        return cls.for_profile(profile, **values)

    def differences_from_profile(self) -> dict[str, Any]:
        """The fields that a user flipped away from the chosen profile's defaults."""
        return {k: getattr(self, k) for k, v in PROFILES[self.profile].items() if getattr(self, k) != v}

    # ------------------------------------------------------------------ rate-limit figures (FACTS.md)
    def lag(self, path: ReadPath) -> float:
        """How long reads of one kind lag writes (read_lag_seconds unless that kind has its own setting)."""
        own = None if path == "events" else getattr(self, f"read_lag_{path}_seconds")
        return self.read_lag_seconds if own is None else own

    @property
    def ten_second_limit(self) -> int:
        if self.rate_limit_auth == "oauth":
            return 100
        return 190 if self.rate_limit_tier in ("professional", "enterprise") else 100

    @property
    def daily_limit(self) -> int | None:
        if self.rate_limit_auth == "oauth":
            return None  # OAuth apps have no daily limit headers
        return {"free": 250_000, "starter": 250_000, "professional": 625_000, "enterprise": 1_000_000}[
            self.rate_limit_tier
        ]


def coerce_setting(name: str, hint: Any, raw: str) -> Any:
    """Turn an environment string into the field's type."""
    args = [a for a in get_args(hint) if a is not type(None)]
    if raw == "" and type(None) in get_args(hint):
        return None
    base = args[0] if args and not isinstance(args[0], str) else hint
    if hint is bool or base is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"HUBSPOT_MOCK_{name.upper()}: expected a boolean, got {raw!r}")
    if base is int:
        return int(raw)
    if base is float:
        return float(raw)
    choices = [a for a in get_args(hint) if isinstance(a, str)]
    if choices and raw not in choices:
        raise ValueError(f"HUBSPOT_MOCK_{name.upper()}: expected one of {choices}, got {raw!r}")
    return raw
