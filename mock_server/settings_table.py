"""`hubspot-mock settings`: every setting with its type, default, value in each profile and why it exists,
read from the Settings fields themselves, so the listing cannot drift from the code."""

from __future__ import annotations

import dataclasses
from typing import Any

import orjson

from .settings import PROFILES, Settings, accepted, env_variable, setting_fields, type_name, why

COLUMNS = ("setting", "type", "default", *PROFILES)


def rows(match: str | None = None) -> list[dict[str, Any]]:
    """One row per setting (those whose name contains `match`, when given), in the order of Settings."""
    profiles = {name: dataclasses.asdict(Settings.for_profile(name)) for name in PROFILES}
    table = []
    for name, f in setting_fields().items():
        if match and match.lower() not in name:
            continue
        table.append({
            "setting": name,
            "type": type_name(name),
            "accepts": accepted(name),
            "default": f.default,
            **{profile: values[name] for profile, values in profiles.items()},
            "env": env_variable(name),
            "why": why(name),
        })
    return table


def shown(value: Any) -> str:
    """A value as it is written on the command line: true/false, unset, the number or text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "unset" if value is None else str(value)


def as_text(table: list[dict[str, Any]]) -> str:
    """A column per fact, and the reason on its own indented line under each setting."""
    cells = [[row["setting"], row["type"], *(shown(row[c]) for c in COLUMNS[2:])] for row in table]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(COLUMNS)]
    line = "  ".join(f"{{:{w}}}" for w in widths)
    out = [
        "Set one with --set NAME=VALUE or the variable HUBSPOT_MOCK_<NAME>; --profile picks the column.",
        "An empty value (--set NAME=) unsets a setting whose type ends in `| unset`.",
        "",
        line.format(*(c.upper() for c in COLUMNS)).rstrip(),
    ]
    for row, cell in zip(table, cells):
        out += [line.format(*cell).rstrip(), f"    {row['why']}"]
    return "\n".join(out) + "\n"


def as_json(table: list[dict[str, Any]]) -> str:
    return orjson.dumps(table, option=orjson.OPT_INDENT_2).decode() + "\n"
