"""Every knob of the mock in one typed object.

Two fidelity profiles set the defaults: ``live`` reproduces what integrations meet against real HubSpot
(FACTS.md, "Observed live behaviour"), ``spec`` follows HubSpot's published OpenAPI spec to the letter.
Each difference is also a field of its own, so a user can take one profile and flip a single behaviour.
Settings read from ``HUBSPOT_MOCK_<FIELD>`` environment variables, then from explicit arguments.

Each field carries, as data, one line on why it exists and the values it takes beyond its type (allowed values,
a range): `hubspot-mock settings` prints them, and the object checks itself against them when it is built, so a
value from the environment, `--set`, the pytest plugin or code meets the same check and the same message.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import os
import types
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Union, get_args, get_origin, get_type_hints

Profile = Literal["live", "spec"]
LogLevel = Literal["critical", "error", "warning", "info", "debug"]
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

ENV_PREFIX = "HUBSPOT_MOCK_"
# Ids the mock hands out start at most here: 2^62 ids of headroom, so none is ever past int64 (HubSpot's vids are
# int64). Seeds and state files are held to the same ceiling.
ID_CEILING = 2**62
LISTING_HINT = "`hubspot-mock settings` lists them all"

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


def setting(
    default: Any, why: str, *, allowed: tuple[int, ...] | None = None, minimum: float | None = None, maximum: float | None = None
) -> Any:
    """A field of Settings: its default, one line on why it exists, and what it takes beyond its type."""
    return field(default=default, metadata={"why": why, "allowed": allowed, "minimum": minimum, "maximum": maximum})


@dataclass(frozen=True)
class Settings:
    profile: Profile = setting(
        "live", "Fidelity profile: live = what integrations meet on real HubSpot, spec = HubSpot's published spec to the letter."
    )

    # --- server ---
    host: str = setting("127.0.0.1", "Interface to bind; anything but loopback is reachable from other machines (and closes the admin API unless admin_token is set).")
    port: int = setting(8090, "Port to bind; 0 picks a free one (the banner shows it).", minimum=0, maximum=65535)
    log_level: LogLevel = setting("info", "uvicorn's log level.")
    access_log: bool = setting(False, "One log line per request costs ~12 % of throughput; the journal (and the inspector page) keep more anyway.")
    seed_path: str | None = setting(None, "Seed file (JSON or YAML): portals, contacts, property definitions, tokens and events to start with.")
    shutdown_grace_seconds: float = setting(
        5.0, "On SIGTERM / Ctrl-C, calls in flight get this long to finish; then they are cut off, the state file is saved and the process exits.", minimum=0
    )
    header_timeout_seconds: float = setting(
        10.0, "A connection must send a request's complete headers within this many seconds of opening (or of its previous answer), else it is closed.", minimum=0.1
    )
    max_header_bytes: int = setting(
        64 * 1024, "A request line and headers larger than this are refused with 431 before more of them is read.", minimum=1
    )
    max_connections: int = setting(
        1000, "Open connections at most (also kept below the open-files limit); a new one past it closes the connection idle longest.", minimum=1
    )

    # --- profile-dependent fidelity switches (defaults are the live profile's; see PROFILES) ---
    record_by_contact_ids_status: int = setting(
        201, "Endpoint 1 answered 201 live; the spec says 200. The Python SDK returns None for 201, the Node SDK throws.", allowed=(200, 201)
    )
    create_requires_external_account_id: bool = setting(True, "Endpoint 1 without ?externalAccountId= answered 400 live; the spec marks the parameter optional.")
    accept_missing_property_maps: bool = setting(True, "Live HubSpot accepts inputs without customProperties / properties / contactProperties (spec: required).")
    attend_without_times_stores_nothing: bool = setting(True, "`attend` with neither joinedAt nor leftAt: live answers 200 with results [] and stores nothing.")
    repeat_returns_empty_results: bool = setting(True, "An identical repeat (same contact, state, interactionDateTime) answers results [] live.")
    item_error_shape: ItemErrorShape = setting("observed", "Per-item errors live lack context/links/errors; the spec marks them required on StandardError.")
    short_attendance_stores_nothing: bool = setting(True, "joinedAt..leftAt shorter than one second: live answers the item as a result but stores nothing.")
    seconds_interaction_stores_nothing: bool = setting(True, "interactionDateTime that looks like epoch seconds: live accepts it with 200 and stores nothing.")
    iso_interaction_datetime: IsoInteractionDateTime = setting(
        "accept",
        "[A] interactionDateTime sent as an ISO-8601 string: unknown live. accept = parse it; drop = 200 and store nothing; "
        "reject = 400. The choice is always reported in the X-HubSpot-Mock-Note header.",
    )

    # --- assumptions (FACTS.md [A] or undocumented), the same in both profiles ---
    upsert_by_contact_id_status: int = setting(
        204, "[A] Endpoint 4 has no success response in the spec; 204 is HubSpot's usual body-less success.", allowed=(200, 204)
    )
    not_found_category: str = setting("OBJECT_NOT_FOUND", "[A] Category of the 404 for a missing event (the name is seen only in third-party code).")
    mixed_batch_status: int = setting(
        200,
        "Status for a batch whose items partly failed: 200 (HubSpot's declared answer) or 207. "
        "The official Python SDK returns None for 207, losing the per-item errors.",
        allowed=(200, 207),
    )
    reject_unknown_fields: bool = setting(
        True,
        "[A] Request objects refuse fields they do not define (400 naming them), as HubSpot's JSON parser does on other v3 APIs "
        '("Unrecognized field ... not marked as ignorable"); false = ignore unknown fields.',
    )
    max_body_bytes: int = setting(
        10 * 1024 * 1024, "[A] Bodies larger than this are refused with 413 before they are read (HubSpot's limit is not documented).", minimum=1
    )
    max_batch_inputs: int | None = setting(
        None, "[A] No batch size limit is documented; other HubSpot batch APIs take 100. Unset = no limit.", minimum=1
    )
    duplicate_batch_items: DuplicateItems = setting(
        "merge", "[A] Several inputs with the same key in one batch: merge (applied in order, last wins) or reject (400)."
    )
    unknown_vid_on_create: UnknownVid = setting(
        "item_error", "[A] A vid that is not a contact of the portal on endpoint 1: item_error (rest applied) or ignore."
    )
    ambiguous_external_event: AmbiguousEvent = setting(
        "reject",
        "[A] Endpoint 1 without externalAccountId (spec profile) when the app has several events with that externalEventId: "
        "reject (400) or use the most recently updated one.",
    )
    cross_app_upsert: CrossAppUpsert = setting(
        "separate",
        "[A] Another app upserts an (externalAccountId, externalEventId) pair an app already owns: separate (events are keyed "
        "per app, so it gets its own event) or reject (per-item error).",
    )
    seconds_threshold: int = setting(
        100_000_000_000, "Threshold below which an interactionDateTime is taken for seconds, not milliseconds (year 1973 in ms).", minimum=0
    )
    read_lag_seconds: float = setting(
        0.0, "Reads lag writes by this many seconds (HubSpot is eventually consistent: ~1 s seen). 0 = off.", minimum=0
    )
    read_lag_participations_seconds: float | None = setting(
        None, "Lag of the event-level counters and breakdowns (an asynchronous rollup on HubSpot, much later than ~1 s); unset = read_lag_seconds.", minimum=0
    )
    read_lag_contact_breakdown_seconds: float | None = setting(
        None, "Lag of the contact-level breakdown (HubSpot: within about a second); unset = read_lag_seconds.", minimum=0
    )
    read_lag_identifiers_seconds: float | None = setting(
        None, "Lag of the {externalEventId}/identifiers search (HubSpot indexes events minutes later); unset = read_lag_seconds.", minimum=0
    )

    # --- beyond the four endpoints: HubSpot's behaviour unknown ([A]), chosen and made settings ---
    put_event_id_mismatch: PutIdMismatch = setting(
        "reject", "[A] PUT events/{externalEventId} whose body names another externalEventId: reject (400) or path (the path wins)."
    )
    archive_missing_event: ArchiveMissing = setting(
        "no_content", "[A] DELETE of an event that does not exist (HubSpot: 'deletes ... if it exists'): no_content (204) or not_found (404)."
    )
    batch_archive_missing: BatchArchiveMissing = setting(
        "multi_status",
        "[A] events/delete and batch/archive naming events that do not exist: multi_status (207, a per-item error each, as "
        "batch/archive's description says) or ignore (204).",
    )
    event_search_match: SearchMatch = setting(
        "exact", "[A] events/search?q=: how q matches externalEventId (HubSpot: 'where the externalEventId matches')."
    )
    identifiers_unknown_event: UnknownLookup = setting(
        "empty", "{externalEventId}/identifiers for an id never seen: empty (200, total 0) or not_found (404); both were seen live."
    )
    unknown_contact_breakdown: UnknownLookup = setting(
        "empty", "[A] participations/contacts/{id}/breakdown for a contact the portal does not hold: empty (total 0) or not_found (404)."
    )
    email_upsert_creates_contacts: bool = setting(
        False,
        "[A] email-upsert with an email that is no contact (HubSpot's text says both 'must already exist' and 'contactProperties "
        "is used only when creating'): false = a per-item error, true = create the contact.",
    )
    upsert_by_contact_email_status: int = setting(
        204, "[A] email-upsert declares no success response: 204 (as upsert_by_contact_id_status) or 200 with a batch body.", allowed=(200, 204)
    )
    accept_unknown_lists: bool = setting(
        False, "[A] Associating a listId the portal does not hold (seed `lists`): false = 404, true = take any id as a list."
    )
    latest_state_by: LatestStateBy = setting(
        "interaction_time",
        "[A] A contact's current state in an event: the change with the newest interactionDateTime (any order of the same calls "
        "ends in the same state; ties: REGISTERED < CANCELLED < ATTENDED), or arrival (the last call).",
    )

    # --- identity and data ---
    accept_any_token: bool = setting(True, "Any non-empty Bearer token not in the seed's token table is app 1 of portal 1 with every scope.")
    default_portal_id: int = setting(1, "The portal of tokens that name none (any token, and seeded tokens without portalId).", minimum=1)
    default_app_id: int = setting(1, "The app of tokens that name none (any token, and seeded tokens without appId).", minimum=1)
    first_vid: int = setting(2**31 + 1, "vids start above 2^31 so that int32 bugs in clients show up.", minimum=1, maximum=ID_CEILING)
    first_object_id: int = setting(
        510_000_000_001, "The first objectId handed to a new event (HubSpot's are 12 digits).", minimum=1, maximum=ID_CEILING
    )

    # --- rate limits: counted always (headers); enforced with HubSpot's 429s when enforce_rate_limits ---
    rate_limit_tier: RateLimitTier = setting("free", "HubSpot account tier: free/starter 100 calls per 10 s, professional/enterprise 190; daily quotas by tier.")
    rate_limit_auth: AuthKind = setting("private_app", "private_app, or oauth: 100 calls per 10 s and no daily quota.")
    enforce_rate_limits: bool = setting(False, "Refuse calls over the limits with HubSpot's 429s (the headers are exact either way).")

    # --- faults, journal, admin API ---
    state_path: str | None = setting(None, "State file: loaded at start, saved on shutdown and on demand, atomically.")
    faults_path: str | None = setting(None, "A JSON/YAML list of fault rules armed at start.")
    journal_size: int = setting(1000, "Requests kept in the journal (a ring buffer).", minimum=1)
    journal_max_bytes: int = setting(
        64 * 1024 * 1024, "What the journal may hold in all (bodies, headers, changes): past it the oldest entries go first.", minimum=1
    )
    admin_enabled: bool = setting(True, "The /__mock/ admin API (journal, state, reset, faults) and the inspector page.")
    admin_token: str | None = setting(None, "When set, the admin API wants `Authorization: Bearer <admin_token>`.")

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            check_setting(f.name, getattr(self, f.name))

    # ------------------------------------------------------------------ construction
    @classmethod
    def for_profile(cls, profile: str = "live", **overrides: Any) -> "Settings":
        check_setting("profile", profile)
        for name in overrides:
            if name not in setting_fields():
                raise UnknownSettingError(name)
        return cls(**{**PROFILES[profile], **overrides, "profile": profile})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Profile and fields from HUBSPOT_MOCK_* variables; explicit overrides win (None unsets an optional
        setting). A SettingError about a value that came from the environment names its variable."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for name in setting_fields():
            variable = env_variable(name)
            raw = environ.get(variable)
            if raw is None:
                continue
            sources[name] = f"{variable}={raw}"
            try:
                values[name] = parse_setting(name, raw)
            except SettingError as exc:
                raise exc.at(sources[name]) from None
        values.update(overrides)
        try:
            return cls.for_profile(values.pop("profile", "live"), **values)
        except SettingError as exc:
            if exc.name in sources and exc.name not in overrides and exc.source is None:
                raise exc.at(sources[exc.name]) from None
            raise

    def differences_from_profile(self) -> dict[str, Any]:
        """The fields that a user flipped away from the chosen profile's defaults."""
        return {k: getattr(self, k) for k, v in PROFILES[self.profile].items() if getattr(self, k) != v}

    def lag(self, path: ReadPath) -> float:
        """How long reads of one kind lag writes (read_lag_seconds unless that kind has its own setting)."""
        own = None if path == "events" else getattr(self, f"read_lag_{path}_seconds")
        return self.read_lag_seconds if own is None else float(own)

    # ------------------------------------------------------------------ rate-limit figures (FACTS.md)
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


# ---------------------------------------------------------------------------------------------- errors
class SettingError(ValueError):
    """A value a setting does not take. `source` says where the value came from (an environment variable, a
    command-line option); without one the message starts with the setting's name."""

    def __init__(self, name: str, value: Any, expected: str, source: str | None = None) -> None:
        self.name, self.value, self.expected, self.source = name, value, expected, source
        super().__init__(name, value, expected, source)

    def at(self, source: str) -> "SettingError":
        return SettingError(self.name, self.value, self.expected, source)

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        return f"{where}{self.name} must be {self.expected}, got {self.value!r}"


class UnknownSettingError(SettingError):
    """A name that is no setting, with the closest one that is."""

    def __init__(self, name: str, source: str | None = None) -> None:
        super().__init__(name, None, "", source)
        self.suggestion = closest_setting(name)

    def at(self, source: str) -> "UnknownSettingError":
        return UnknownSettingError(self.name, source)

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        guess = f"; did you mean {self.suggestion}?" if self.suggestion else ""
        return f"{where}there is no setting {self.name!r}{guess} ({LISTING_HINT})"


# ---------------------------------------------------------------------------------------------- the fields as data
@functools.cache
def setting_fields() -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(Settings)}


@functools.cache
def setting_types() -> dict[str, Any]:
    return get_type_hints(Settings)


def env_variable(name: str) -> str:
    return f"{ENV_PREFIX}{name.upper()}"


def why(name: str) -> str:
    return str(setting_fields()[name].metadata["why"])


def closest_setting(name: str) -> str | None:
    found = difflib.get_close_matches(name.lower(), list(setting_fields()), n=1, cutoff=0.6)
    if not found:  # a prefix of a real name ("mixed_batch") is a near miss too, whatever its length
        found = [n for n in setting_fields() if n.startswith(name.lower())][:1] if len(name) >= 3 else []
    return found[0] if found else None


def _parts(hint: Any) -> tuple[Any, bool]:
    """The field's type without None, and whether None is allowed."""
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        return args[0], len(args) < len(get_args(hint))
    return hint, False


def type_name(name: str) -> str:
    """The type as the listing shows it: bool, str, a|b for choices, `int: 200|207`, `int >= 1`, `int 0..65535`,
    with `| unset` when the setting may be left unset."""
    base, optional = _parts(setting_types()[name])
    meta = setting_fields()[name].metadata
    if get_origin(base) is Literal:
        shown = "|".join(get_args(base))
    else:
        shown = base.__name__
        low, high = meta["minimum"], meta["maximum"]
        if meta["allowed"]:
            shown += ": " + "|".join(map(str, meta["allowed"]))
        elif low is not None and high is not None:
            shown += f" {_number(low)}..{_number(high)}"
        elif low is not None:
            shown += f" >= {_number(low)}"
    return f"{shown} | unset" if optional else shown


def accepted(name: str) -> str:
    """What a setting takes, in words: true or false, one of its choices, an integer in its range..."""
    base, optional = _parts(setting_types()[name])
    meta = setting_fields()[name].metadata
    if get_origin(base) is Literal:
        choices = list(get_args(base))
        text = " or ".join(choices) if len(choices) == 2 else "one of " + ", ".join(choices)
    elif base is bool:
        text = "true or false"
    elif base in (int, float):
        noun = "an integer" if base is int else "a number"
        low, high = meta["minimum"], meta["maximum"]
        if meta["allowed"]:
            text = " or ".join(map(str, meta["allowed"]))
        elif low is not None and high is not None:
            text = f"{noun} from {_number(low)} to {_number(high)}"
        elif low is not None:
            text = f"{noun} >= {_number(low)}"
        else:
            text = noun
    else:
        text = "a non-empty string"
    return f"{text} or unset" if optional else text


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def check_setting(name: str, value: Any) -> None:
    """Raise SettingError unless `value` is of the setting's type and within what it takes."""
    base, optional = _parts(setting_types()[name])
    if value is None and optional:
        return
    meta = setting_fields()[name].metadata
    fits: bool
    if get_origin(base) is Literal:
        fits = isinstance(value, str) and value in get_args(base)
    elif base is bool:
        fits = isinstance(value, bool)
    elif base is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif base is float:
        fits = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    else:
        fits = isinstance(value, str) and value != ""
    if fits and base in (int, float):
        fits = (
            (not meta["allowed"] or value in meta["allowed"])
            and (meta["minimum"] is None or value >= meta["minimum"])
            and (meta["maximum"] is None or value <= meta["maximum"])
        )
    if not fits:
        raise SettingError(name, value, accepted(name))


def parse_setting(name: str, raw: str) -> Any:
    """A setting's value from text (an environment variable, `--set NAME=VALUE`): the field's type, or
    SettingError. Ranges and choices are the Settings object's own check; only the text is read here. An empty
    text unsets an optional setting."""
    if name not in setting_fields():
        raise UnknownSettingError(name)
    base, optional = _parts(setting_types()[name])
    if raw == "" and optional:
        return None
    try:
        if base is bool:
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if base is int:
            return int(raw.strip())
        if base is float:
            return float(raw.strip())
    except ValueError:
        raise SettingError(name, raw, accepted(name)) from None
    return raw


def unknown_environment_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """A warning for each HUBSPOT_MOCK_* variable that names no setting (it would be ignored), with the closest
    real name."""
    environ = os.environ if environ is None else environ
    known = {env_variable(name) for name in setting_fields()}
    warnings = []
    for variable in sorted(v for v in environ if v.upper().startswith(ENV_PREFIX) and v not in known):
        guess = closest_setting(variable[len(ENV_PREFIX) :])
        hint = f"; did you mean {env_variable(guess)}?" if guess else f" ({LISTING_HINT})"
        warnings.append(f"{variable} is not a setting and is ignored{hint}")
    return warnings
