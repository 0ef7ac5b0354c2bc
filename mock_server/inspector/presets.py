"""Fault presets for the inspector's buttons: HubSpot's bad days, each one click away.

Each is a plain fault rule (faults.py), armed with `POST /__mock/faults`; the page may narrow it to one
operation. One-shot presets (`times: 1`) fail the next matching call only, so a developer sees the failure
and then the recovery; the daily limit, like HubSpot's, stays until it is cleared.
"""

from __future__ import annotations

from typing import Any

FAULT_PRESETS: list[dict[str, Any]] = [
    {
        "name": "429-ten-secondly",
        "label": "429 ten-secondly",
        "description": "Every call for the next 10 s gets HubSpot's TEN_SECONDLY_ROLLING 429; a client that "
        "waits out the window recovers.",
        "rule": {"action": "respond", "status": 429, "rate_limit": "ten_secondly", "active_until_s": 10},
    },
    {
        "name": "429-daily",
        "label": "429 daily",
        "description": "Every call gets the DAILY 429 until faults are cleared; SDKs must not retry it.",
        "rule": {"action": "respond", "status": 429, "rate_limit": "daily"},
    },
    {
        "name": "503",
        "label": "503",
        "description": "The next call gets HubSpot's 503 Service Unavailable.",
        "rule": {"action": "respond", "status": 503, "times": 1},
    },
    {
        "name": "latency",
        "label": "latency 3 s",
        "description": "The next call is answered 3 s late (the change itself is applied first).",
        "rule": {"action": "latency", "delay_ms": 3000, "when": "after", "times": 1},
    },
    {
        "name": "drop",
        "label": "drop connection",
        "description": "The next call's connection is closed without an answer; nothing is applied.",
        "rule": {"action": "drop", "when": "before", "times": 1},
    },
    {
        "name": "partial",
        "label": "partial batch failure",
        "description": "The next write fails half its inputs with per-item INTERNAL_ERRORs and applies the rest.",
        "rule": {"action": "partial", "fail_fraction": 0.5, "seed": 1, "method": "POST", "times": 1},
    },
]
