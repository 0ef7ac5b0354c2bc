"""Drift check: HubSpot's published Marketing Events v3 spec (pinned in hubspot_spec/) against our openapi/.

Operations are matched by (method, path): the four write endpoints and every operation of ours. Compared:
parameters (presence, required, type, enum); request bodies (required fields, property types and enums,
recursively, named like ``inputs[].vid``); success responses (status codes; every field HubSpot requires is
required in ours with the same type, recursively). Types ignore ``format``; an ``anyOf`` in ours matches if a
branch does (reported as ``widened``). Deliberate differences are in drift_allowlist.yaml, matched by exact key.

    python -m contracts.drift [--profile live|spec] [--all]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
HUBSPOT_SPEC = HERE / "hubspot_spec" / "marketingEvents.v3.json"
ALLOWLIST = HERE / "drift_allowlist.yaml"
PROFILES = ("live", "spec")
METHODS = ("get", "put", "post", "patch", "delete")
_BASE = "/marketing/v3/marketing-events"
WRITE_OPERATIONS = [
    ("post", _BASE + "/attendance/{externalEventId}/{subscriberState}/create"),
    ("post", _BASE + "/{objectId}/attendance/{subscriberState}/email-create"),
    ("post", _BASE + "/events/upsert"),
    ("post", _BASE + "/events/{externalEventId}/{subscriberState}/upsert"),
]


@dataclass(frozen=True)
class Difference:
    operation: str  # our operationId (HubSpot's when we lack the operation)
    where: str  # e.g. "parameter query externalAccountId", "request inputs[].vid", "response 200 results[]"
    kind: str  # exists, required, type, widened, enum, missing, extra, success statuses, ...
    hubspot: str
    ours: str

    @property
    def key(self) -> str:
        return f"{self.operation}: {self.where} {self.kind}: hubspot={self.hubspot} ours={self.ours}"


@dataclass(frozen=True)
class AllowEntry:
    key: str
    reason: str
    profiles: tuple[str, ...] = ()  # empty: every profile

    def applies_to(self, profile: str) -> bool:
        return not self.profiles or profile in self.profiles


@dataclass
class Report:
    profile: str
    differences: list[Difference]
    unexplained: list[Difference]  # not allow-listed
    stale: list[AllowEntry]  # allow-listed for this profile, matching nothing

    @property
    def ok(self) -> bool:
        return not self.unexplained and not self.stale

    def text(self) -> str:
        lines = [f"profile {self.profile}: {len(self.differences)} difference(s), "
                 f"{len(self.unexplained)} unexplained, {len(self.stale)} stale allow-list entries"]
        if self.unexplained:
            lines.append(describe(self.unexplained, f"Not in {ALLOWLIST.name} (fix openapi/ or allow-list with a reason):"))
        if self.stale:
            lines.append(f"Stale {ALLOWLIST.name} entries (match no difference in profile {self.profile}):")
            lines += [f"  {e.key}" for e in self.stale]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- loading
def load_hubspot(path: Path = HUBSPOT_SPEC) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def our_document(profile: str = "live") -> dict[str, Any]:
    """Our spec as the mock serves it in that profile (document_for(Settings()) is the live one)."""
    from mock_server.settings import Settings
    from mock_server.spec import document_for
    return document_for(Settings.for_profile(profile))


def load_allowlist(path: Path = ALLOWLIST) -> list[AllowEntry]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [AllowEntry(str(e["key"]), str(e.get("reason") or "").strip(), tuple(e.get("profiles") or ())) for e in entries]


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow local $refs ("#/components/...") until a node without one."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported, got {ref!r}")
        node = document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


# ---------------------------------------------------------------------------------------------- comparing
def compare(hubspot: dict[str, Any], ours: dict[str, Any]) -> list[Difference]:
    """Every difference between the two documents on our operations and the four write endpoints."""
    ours_ops = [(m, p) for p, item in ours["paths"].items() for m in item if m in METHODS and not p.startswith("/__mock/")]
    comparer = _Comparer(hubspot, ours)
    for method, path in dict.fromkeys(WRITE_OPERATIONS + ours_ops):
        comparer.operation(method, path)
    return sorted(set(comparer.found), key=lambda d: d.key)


class _Comparer:
    def __init__(self, hubspot: dict[str, Any], ours: dict[str, Any]) -> None:
        self.h, self.o = hubspot, ours
        self.found: list[Difference] = []
        self.op = ""

    def add(self, label: str, path: str, kind: str, hubspot: Any, ours: Any) -> None:
        self.found.append(Difference(self.op, f"{label} {path}".strip(), kind, _show(hubspot), _show(ours)))

    def operation(self, method: str, path: str) -> None:
        h = self.h["paths"].get(path, {}).get(method)
        o = self.o["paths"].get(path, {}).get(method)
        self.op = (o or h or {}).get("operationId", f"{method.upper()} {path}").rsplit("_", 1)[-1]
        if h is None or o is None:
            self.add("operation", f"{method.upper()} {path}", "exists", h is not None, o is not None)
            return
        hparams, oparams = _parameters(self.h, path, h), _parameters(self.o, path, o)
        for where in sorted(set(hparams) | set(oparams)):
            hp, op = hparams.get(where), oparams.get(where)
            label = f"parameter {where[0]} {where[1]}"
            if hp is None or op is None:
                self.add(label, "", "exists", hp is not None, op is not None)
                continue
            if bool(hp.get("required")) != bool(op.get("required")):
                self.add(label, "", "required", bool(hp.get("required")), bool(op.get("required")))
            self.schema(hp.get("schema", {}), op.get("schema", {}), label, "", request=True)
        self.body("request", resolve(self.h, h.get("requestBody")), resolve(self.o, o.get("requestBody")), True)
        hcodes = sorted(c for c in h.get("responses", {}) if c.startswith("2"))
        ocodes = sorted(c for c in o.get("responses", {}) if c.startswith("2"))
        if hcodes != ocodes:
            self.add("responses", "", "success statuses", hcodes, ocodes)
        for code in sorted(set(hcodes) & set(ocodes)):
            hr, orr = resolve(self.h, h["responses"][code]), resolve(self.o, o["responses"][code])
            self.body(f"response {code}", hr, orr, False)

    def body(self, label: str, h: dict[str, Any] | None, o: dict[str, Any] | None, request: bool) -> None:
        if (request and (h is None) != (o is None)) or (h and o and bool(h.get("required")) != bool(o.get("required"))):
            self.add(label, "", "body required", h and bool(h.get("required")), o and bool(o.get("required")))
        hs, os_ = _json_schema(h), _json_schema(o)
        if (hs is None) != (os_ is None):
            self.add(label, "", "json body", hs is not None, os_ is not None)
        elif hs is not None:
            self.schema(hs, os_, label, "", request)

    def schema(self, h: Any, o: Any, label: str, path: str, request: bool) -> None:
        h, o = resolve(self.h, h), resolve(self.o, o)
        htype = _type(h)
        branches = [resolve(self.o, b) for b in (o.get("anyOf") or o.get("oneOf") or [o])]
        otypes = "|".join(_type(b) for b in branches)
        matching = [b for b in branches if _type(b) == htype]
        if not matching:
            self.add(label, path, "type", htype, otypes)
            return
        if len(branches) > 1:
            self.add(label, path, "widened", htype, otypes)
        o = matching[0]
        if request and sorted(map(str, h.get("enum") or [])) != sorted(map(str, o.get("enum") or [])):
            self.add(label, path, "enum", _enum(h), _enum(o))
        if htype == "array":
            self.schema(h.get("items", {}), o.get("items", {}), label, path + "[]", request)
        elif htype == "object":
            self.object(h, o, label, path, request)

    def object(self, h: dict[str, Any], o: dict[str, Any], label: str, path: str, request: bool) -> None:
        hreq, oreq = set(h.get("required", [])), set(o.get("required", []))
        # A request must require exactly what HubSpot requires; a response must at least send it.
        if (hreq != oreq) if request else not hreq <= oreq:
            self.add(label, path, "required", sorted(hreq), sorted(oreq))
        hprops, oprops = h.get("properties", {}), o.get("properties", {})
        closed = o.get("additionalProperties") is False
        for name in sorted(set(hprops) | set(oprops)):
            sub = f"{path}.{name}" if path else name
            if name not in oprops:  # a request field we would refuse, or a response field we never promise
                if (request and closed) or (not request and name in hreq):
                    self.add(label, sub, "missing", _type(resolve(self.h, hprops[name])), None)
            elif name not in hprops:  # a request field HubSpot does not declare
                if request:
                    self.add(label, sub, "extra", None, _type(resolve(self.o, oprops[name])))
            else:
                self.schema(hprops[name], oprops[name], label, sub, request)
        hmap, omap = h.get("additionalProperties"), o.get("additionalProperties")
        if isinstance(hmap, dict) and isinstance(omap, dict):
            self.schema(hmap, omap, label, path + "{}", request)


def _parameters(document: dict[str, Any], path: str, operation: dict[str, Any]) -> dict[tuple[str, str], Any]:
    params = [resolve(document, p) for p in document["paths"][path].get("parameters", []) + operation.get("parameters", [])]
    return {(p["in"], p["name"]): p for p in params}


def _json_schema(body: dict[str, Any] | None) -> Any:
    return ((body or {}).get("content") or {}).get("application/json", {}).get("schema")


def _type(schema: dict[str, Any]) -> str:
    """The JSON type; format (int32/int64, date-time, uuid) is deliberately ignored."""
    if "type" in schema:
        return str(schema["type"])
    if "anyOf" in schema or "oneOf" in schema:
        return "|".join(_type(b) for b in schema.get("anyOf") or schema["oneOf"])
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    return "array" if "items" in schema else "any"


def _enum(schema: dict[str, Any]) -> list[str] | None:
    return sorted(map(str, schema["enum"])) if "enum" in schema else None


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return "absent" if value is None else str(value)


# ---------------------------------------------------------------------------------------------- checking
def check(profile: str, hubspot: dict[str, Any] | None = None, ours: dict[str, Any] | None = None,
          allowlist: list[AllowEntry] | None = None) -> Report:
    """Compare for one profile; split the differences into allow-listed and unexplained; find stale entries."""
    differences = compare(load_hubspot() if hubspot is None else hubspot, our_document(profile) if ours is None else ours)
    entries = [e for e in (load_allowlist() if allowlist is None else allowlist) if e.applies_to(profile)]
    allowed, found = {e.key for e in entries}, {d.key for d in differences}
    return Report(profile, differences, [d for d in differences if d.key not in allowed],
                  [e for e in entries if e.key not in found])


def describe(differences: list[Difference], title: str) -> str:
    lines = [title]
    for d in differences:
        lines += [f"  {d.operation}: {d.where} {d.kind}", f"      hubspot: {d.hubspot}", f"      ours:    {d.ours}",
                  f"      key:     {d.key}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=PROFILES, action="append", help="default: every profile")
    parser.add_argument("--all", action="store_true", help="list every difference with its allow-list reason")
    args = parser.parse_args(argv)
    entries = load_allowlist()
    reports = [check(p, allowlist=entries) for p in args.profile or PROFILES]
    for report in reports:
        print(report.text())
        reasons = {e.key: e.reason for e in entries if e.applies_to(report.profile)}
        for d in report.differences if args.all else []:
            print(f"  [{'allowed' if d.key in reasons else 'UNEXPLAINED'}] {d.key}\n      {reasons.get(d.key, '')}")
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
