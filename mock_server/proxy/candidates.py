"""The settings a candidate shadow tries: the baseline with ONE setting flipped, or the other profile.

Derived from the Settings dataclass itself (`dataclasses.fields`, type hints, each field's allowed values,
PROFILES), so a setting added to the mock is measured without a change here: every value of a bool or Literal
setting, every status a `*_status` setting allows, and each other profile with the user's own non-profile
settings kept.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin, get_type_hints

from .. import Settings
from ..settings import PROFILES

# Settings that say how the mock runs, not how HubSpot behaves: flipping them measures nothing about HubSpot
# (accept_any_token=false would refuse the shadow's own token; enforcement only refuses calls, and upstream
# 429s are never compared).
NOT_BEHAVIOUR = frozenset({"profile", "access_log", "admin_enabled", "accept_any_token", "enforce_rate_limits"})


@dataclass(frozen=True)
class Candidate:
    setting: str
    value: Any
    settings: Settings

    @property
    def label(self) -> str:
        return f"{self.setting}={format_value(self.value)}"


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "none" if value is None else str(value)


def candidates_for(baseline: Settings) -> list[Candidate]:
    found = [
        Candidate("profile", name, Settings.for_profile(name, **_own_settings(baseline, name)))
        for name in PROFILES
        if name != baseline.profile
    ]
    hints = get_type_hints(Settings)
    for field in dataclasses.fields(Settings):
        if field.name in NOT_BEHAVIOUR:
            continue
        for value in _values(field, hints[field.name]):
            if value != getattr(baseline, field.name):
                found.append(Candidate(field.name, value, dataclasses.replace(baseline, **{field.name: value})))
    return found


def _values(field: dataclasses.Field[Any], hint: Any) -> tuple[Any, ...]:
    if hint is bool:
        return (True, False)
    if get_origin(hint) is Literal:
        return get_args(hint)
    allowed: tuple[Any, ...] | None = field.metadata.get("allowed")
    return allowed or ()


def _own_settings(baseline: Settings, profile: str) -> dict[str, Any]:
    """What the user set beyond their profile, minus the fields the other profile decides."""
    plain = Settings.for_profile(baseline.profile)
    return {
        f.name: getattr(baseline, f.name)
        for f in dataclasses.fields(Settings)
        if f.name != "profile" and f.name not in PROFILES[profile] and getattr(baseline, f.name) != getattr(plain, f.name)
    }


# How the mock runs, not how it behaves: not part of a report. The admin token is a secret besides (a report is
# written to disk and shown in the inspector).
NOT_REPORTED = frozenset({"profile", "host", "port", "log_level", "access_log", "state_path", "faults_path", "admin_token"})


def baseline_description(settings: Settings) -> dict[str, Any]:
    """The baseline as a user would type it: the profile and the settings changed from it."""
    plain = Settings.for_profile(settings.profile)
    changed = {
        f.name: getattr(settings, f.name)
        for f in dataclasses.fields(Settings)
        if f.name not in NOT_REPORTED and getattr(settings, f.name) != getattr(plain, f.name)
    }
    return {"profile": settings.profile, "settings": changed}
