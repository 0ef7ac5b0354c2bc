"""The fidelity report: per operation, how many calls matched, which differed and how, and the settings under
which the mock would have matched. One JSON document; the markdown is rendered from it.

It holds no time of its own, so a recording replayed offline gives the same report as the live run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .compare import Difference
from .engine import CandidateTally, FidelityEngine, OperationTally


def build_report(engine: FidelityEngine) -> dict[str, Any]:
    operations = [_operation(name, tally) for name, tally in sorted(engine.operations.items(), key=_by_path)]
    totals = {
        "calls": sum(t.calls for t in engine.operations.values()),
        "matched": sum(t.matched for t in engine.operations.values()),
        "differed": sum(t.differed for t in engine.operations.values()),
        "upstream_faults": sum(sum(t.upstream_faults.values()) for t in engine.operations.values()),
        "not_compared": sum(sum(t.not_compared.values()) for t in engine.operations.values()),
    }
    totals["compared"] = totals["matched"] + totals["differed"]
    baseline = engine.describe()
    return {
        "upstream": engine.upstream,
        "baseline": {"profile": baseline["profile"], "settings": baseline["settings"]},
        "candidates": baseline["candidates"],
        "totals": totals,
        "settings_that_match": _suggestions(engine),
        "operations": operations,
    }


def _by_path(item: tuple[str, OperationTally]) -> tuple[str, str]:
    method, _, path = item[0].partition(" ")
    return path, method


def _operation(name: str, tally: OperationTally) -> dict[str, Any]:
    return {
        "operation": name,
        "calls": tally.calls,
        "matched": tally.matched,
        "differed": tally.differed,
        "upstream_faults": dict(sorted(tally.upstream_faults.items())),
        "not_compared": dict(sorted(tally.not_compared.items())),
        "differences": [
            {
                **difference.to_data(),
                "calls": count,
                "settings_that_match": sorted(tally.fixed_by.get(difference, {})),
            }
            for difference, count in sorted(tally.differences.items(), key=_reading_order)
        ],
        "settings_that_match": [
            {"setting": label, **vars(score)}
            for label, score in sorted(tally.candidates.items())
            if score.differences_fixed or score.calls_matched
        ],
    }


def _reading_order(item: tuple[Difference, int]) -> tuple[int, str, int]:
    """The status first, then the headers, then the body; the most frequent first within a field."""
    difference, count = item
    return ({"status": 0, "headers": 1}.get(difference.field.split(".")[0], 2), difference.field, -count)


def _suggestions(engine: FidelityEngine) -> list[dict[str, Any]]:
    """Candidates that fixed something, with what they cost elsewhere; the cleanest first."""
    totals: dict[str, CandidateTally] = {}
    where: dict[str, list[str]] = {}
    for name, tally in engine.operations.items():
        for label, score in tally.candidates.items():
            total = totals.setdefault(label, CandidateTally())
            for key, value in vars(score).items():
                setattr(total, key, getattr(total, key) + value)
            if score.differences_fixed or score.calls_matched:
                where.setdefault(label, []).append(name)
    settings = {c.label: c for c, _ in engine.candidates}
    found = [
        {
            "setting": label,
            "name": settings[label].setting,
            "value": settings[label].value,
            **vars(total),
            "operations": sorted(where[label]),
        }
        for label, total in totals.items()
        if label in where
    ]
    return sorted(found, key=lambda s: (s["differences_added"] + s["calls_broken"] > 0, -s["differences_fixed"], s["setting"]))


# ---------------------------------------------------------------------------------------------- markdown
def render_markdown(report: dict[str, Any]) -> str:
    totals = report["totals"]
    baseline = report["baseline"]
    changed = ", ".join(f"`{k}={_value(v)}`" for k, v in sorted(baseline["settings"].items())) or "no settings changed"
    lines = [
        f"# Fidelity report: the mock against {report['upstream']}",
        "",
        f"Baseline: profile `{baseline['profile']}`, {changed}; {len(report['candidates'])} candidate shadows, "
        "each with one setting flipped (or the other profile), received every call too.",
        "",
        f"**{totals['calls']} calls**: {totals['compared']} compared, {totals['matched']} matched, "
        f"{totals['differed']} differed; {_count(totals['upstream_faults'], 'upstream fault')} (passed through, not "
        f"applied to the mock); {totals['not_compared']} not compared.",
        "",
        "## Settings that would match the upstream",
        "",
    ]
    if report["settings_that_match"]:
        lines += [
            "| setting | differences fixed | calls fully matched | differences added | calls broken | operations |",
            "|---|--:|--:|--:|--:|---|",
        ]
        for s in report["settings_that_match"]:
            ops = "<br>".join(f"`{o}`" for o in s["operations"])
            lines.append(
                f"| `{s['setting']}` | {s['differences_fixed']} | {s['calls_matched']} | {s['differences_added']} | "
                f"{s['calls_broken']} | {ops} |"
            )
        lines += [
            "",
            "Use one with `--set NAME=VALUE` (a profile with `--profile NAME`). A setting that adds differences or breaks "
            "calls elsewhere is a trade-off: read its operations below.",
        ]
    elif totals["differed"]:
        lines.append("None: no single setting removes a difference. These are gaps in the mock, not choices.")
    else:
        lines.append("Nothing to change: every compared call matched.")
    lines += ["", "## Per operation", ""]
    for op in report["operations"]:
        lines += _operation_markdown(op)
    return "\n".join(lines).rstrip() + "\n"


def _operation_markdown(op: dict[str, Any]) -> list[str]:
    parts = [f"{op['matched']} matched", f"{op['differed']} differed"]
    faults = sum(op["upstream_faults"].values())
    if faults:
        parts.append(_count(faults, "upstream fault"))
    skipped = sum(op["not_compared"].values())
    if skipped:
        parts.append(f"{skipped} not compared")
    lines = [f"### `{op['operation']}`", "", f"{_calls(op['calls'])}: {', '.join(parts)}.", ""]
    for d in op["differences"]:
        fix = ", ".join(f"`{s}`" for s in d["settings_that_match"])
        lines.append(
            f"- `{d['field']}`: upstream {d['upstream']}, mock {d['mock']} ({_calls(d['calls'])})"
            + (f"; matches with {fix}" if fix else "; no single setting matches")
        )
    for reason, count in op["upstream_faults"].items():
        lines.append(f"- upstream fault `{reason}` ({_calls(count)}): passed through, not applied to the mock")
    for reason, count in op["not_compared"].items():
        lines.append(f"- not compared ({_calls(count)}): {reason}")
    if lines[-1] != "":
        lines.append("")
    return lines


def _calls(count: int) -> str:
    return _count(count, "call")


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ---------------------------------------------------------------------------------------------- files
def report_paths(path: str) -> tuple[Path, Path]:
    """FILE.md and FILE.json; a FILE ending in .md or .json names one of them."""
    target = Path(path)
    if target.suffix in (".md", ".json"):
        target = target.with_suffix("")
    return target.with_name(target.name + ".md"), target.with_name(target.name + ".json")


def write_report(report: dict[str, Any], path: str) -> tuple[Path, Path]:
    markdown, data = report_paths(path)
    _write_atomically(markdown, render_markdown(report))
    _write_atomically(data, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return markdown, data


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
