"""Drift check: HubSpot's published specs (pinned in hubspot_spec/) against the documents the mock serves, per
API version and fidelity profile.

For each version (v3, 2025-09, 2026-03, 2026-09) our document for that version (mock_server.spec.document_for)
is compared with HubSpot's spec of that version: Marketing Events operation by operation, every operation of
either side (matched by method and path), and CRM contacts on the operations the mock serves. Compared:
authentication (Bearer token or developer key) and the required scope; parameters (presence, required, type,
format, enum), leaving out those that carry credentials; request bodies (required fields, property types,
formats and enums, recursively, named like ``inputs[].vid``); success responses (status codes; every field
HubSpot requires is required in ours, with the same type and format, recursively). An ``anyOf`` in ours matches
if a branch does (reported as ``widened``). Deliberate differences are listed in drift_allowlist.yaml by exact
key, each with its reason and, where it holds only there, the versions and profiles it holds in.

    python -m contracts.drift [--profile live|spec]... [--version v3|2025-09|2026-03|2026-09]... [--all]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from mock_server.versions import VERSIONS as API_VERSIONS, ApiVersion

HERE = Path(__file__).resolve().parent
SPEC_DIR = HERE / "hubspot_spec"
ALLOWLIST = HERE / "drift_allowlist.yaml"
PROFILES = ("live", "spec")
VERSIONS = tuple(API_VERSIONS)
METHODS = ("get", "put", "post", "patch", "delete")
MARKETING_EVENTS, CONTACTS = "marketing-events", "contacts"

Json = dict[str, Any]


@dataclass(frozen=True)
class Family:
    """One of HubSpot's APIs the mock serves, with HubSpot's spec of it per version."""

    name: str
    files: dict[str, str]  # version -> file in hubspot_spec/
    every_operation: bool  # True: each of HubSpot's operations must be served; False: only ours are compared

    def owns(self, path: str, version: ApiVersion) -> bool:
        in_contacts = version.contacts is not None and (path == version.contacts or path.startswith(version.contacts + "/"))
        return in_contacts == (self.name == CONTACTS)


FAMILIES = (
    Family(MARKETING_EVENTS, {v: f"marketingEvents.{v}.json" for v in VERSIONS}, every_operation=True),
    # The mock serves the contacts operations integrations call next to Marketing Events, not the whole CRM API.
    Family(CONTACTS, {"v3": "contacts.v3.json", "2026-03": "contacts.2026-03.json"}, every_operation=False),
)
PINNED_FILES = tuple(SPEC_DIR / f for family in FAMILIES for f in family.files.values())
HUBSPOT_SPEC = SPEC_DIR / FAMILIES[0].files["v3"]


@dataclass(frozen=True)
class Difference:
    operation: str  # our operationId (HubSpot's when we lack the operation)
    where: str  # e.g. "parameter query externalAccountId", "request inputs[].vid", "response 200 results[]"
    kind: str  # exists, required, type, format, widened, enum, missing, extra, success statuses, auth, scope...
    hubspot: str
    ours: str

    @property
    def key(self) -> str:
        return f"{self.operation}: {self.where} {self.kind}: hubspot={self.hubspot} ours={self.ours}"


@dataclass(frozen=True)
class AllowEntry:
    keys: tuple[str, ...]  # one difference, or the same difference on several operations
    reason: str
    profiles: tuple[str, ...] = ()  # empty: every profile
    versions: tuple[str, ...] = ()  # empty: every version

    def applies_to(self, profile: str, version: str) -> bool:
        return (not self.profiles or profile in self.profiles) and (not self.versions or version in self.versions)


@dataclass
class Report:
    profile: str
    version: str
    differences: list[Difference]
    unexplained: list[Difference]  # not allow-listed
    stale: list[str] = field(default_factory=list)  # keys allow-listed for this profile and version, matching nothing

    @property
    def ok(self) -> bool:
        return not self.unexplained and not self.stale

    @property
    def title(self) -> str:
        return f"version {self.version}, profile {self.profile}"

    def text(self) -> str:
        lines = [f"{self.title}: {len(self.differences)} difference(s), {len(self.unexplained)} unexplained, "
                 f"{len(self.stale)} stale allow-list entries"]
        if self.unexplained:
            lines.append(describe(self.unexplained, f"Not in {ALLOWLIST.name} (fix openapi/ or allow-list with a reason):"))
        if self.stale:
            lines.append(f"Stale {ALLOWLIST.name} entries (match no difference in {self.title}):")
            lines += [f"  {key}" for key in self.stale]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------- loading
@lru_cache(maxsize=None)
def _load_json(path: Path) -> Json:
    return json.loads(path.read_text(encoding="utf-8"))


def load_hubspot(version: str = "v3", family: str = MARKETING_EVENTS) -> Json:
    """HubSpot's pinned spec of one API in one version (shared: do not change it, deep-copy first)."""
    return _load_json(SPEC_DIR / _family(family).files[version])


def our_document(profile: str = "live", version: str = "v3") -> Json:
    """Our spec as the mock serves it in that profile and version."""
    from mock_server.settings import Settings
    from mock_server.spec import document_for

    return document_for(Settings.for_profile(profile), API_VERSIONS[version])


def load_allowlist(path: Path = ALLOWLIST) -> list[AllowEntry]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        AllowEntry(
            tuple(str(k) for k in ([e["key"]] if "key" in e else e["keys"])),
            str(e.get("reason") or "").strip(),
            tuple(e.get("profiles") or ()),
            tuple(str(v) for v in e.get("versions") or ()),
        )
        for e in entries
    ]


def resolve(document: Json, node: Any) -> Any:
    """Follow local $refs ("#/components/...") until a node without one."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local $refs are supported, got {ref!r}")
        node = document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _family(name: str) -> Family:
    return next(f for f in FAMILIES if f.name == name)


def operations_of(document: Json) -> list[tuple[str, str]]:
    """(method, path) of every HubSpot operation of a document (never the mock's admin API)."""
    return [(m, p) for p, item in document["paths"].items() for m in item if m in METHODS and not p.startswith("/__mock/")]


# ---------------------------------------------------------------------------------------------- comparing
def compare(hubspot: Json, ours: Json, family: str = MARKETING_EVENTS, version: str = "v3") -> list[Difference]:
    """Every difference between HubSpot's spec of one API and our document of that version, on that API's
    operations: all of both sides' for Marketing Events, ours only for an API the mock serves in part."""
    fam, api_version = _family(family), API_VERSIONS[version]
    ours_ops = [op for op in operations_of(ours) if fam.owns(op[1], api_version)]
    hubspot_ops = operations_of(hubspot) if fam.every_operation else []
    comparer = _Comparer(hubspot, ours)
    for method, path in dict.fromkeys(hubspot_ops + ours_ops):
        comparer.operation(method, path)
    return sorted(set(comparer.found), key=lambda d: d.key)


def differences(profile: str, version: str, ours: Json | None = None) -> list[Difference]:
    """Every difference in one version and profile, over every API with a pinned spec of that version."""
    ours = our_document(profile, version) if ours is None else ours
    found = [d for f in FAMILIES if version in f.files for d in compare(load_hubspot(version, f.name), ours, f.name, version)]
    return sorted(found, key=lambda d: d.key)


class _Comparer:
    def __init__(self, hubspot: Json, ours: Json) -> None:
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
        self.auth(_auth(self.h, h), _auth(self.o, o))
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

    def auth(self, h: "_Auth", o: "_Auth") -> None:
        if h.credentials != o.credentials:
            self.add("auth", "", "credentials", h.credentials, o.credentials)
        elif "bearer" in h.credentials and h.scopes != o.scopes:
            self.add("auth", "", "scopes", h.scopes, o.scopes)

    def body(self, label: str, h: Json | None, o: Json | None, request: bool) -> None:
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
        if h.get("format") and h.get("format") != o.get("format"):  # int32 vs int64 is what overflows clients
            self.add(label, path, "format", h["format"], o.get("format"))
        if request and sorted(map(str, h.get("enum") or [])) != sorted(map(str, o.get("enum") or [])):
            self.add(label, path, "enum", _enum(h), _enum(o))
        if htype == "array":
            self.schema(h.get("items", {}), o.get("items", {}), label, path + "[]", request)
        elif htype == "object":
            self.object(h, o, label, path, request)

    def object(self, h: Json, o: Json, label: str, path: str, request: bool) -> None:
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


@dataclass(frozen=True)
class _Auth:
    credentials: tuple[str, ...]  # "bearer" (OAuth or private-app token), "hapikey" (developer API key)
    scopes: tuple[str, ...]
    parameters: frozenset[tuple[str, str]]  # (in, name) of parameters that carry credentials


def _auth(document: Json, operation: Json) -> _Auth:
    """How an operation is authenticated. HubSpot declares OAuth and private apps (both a Bearer token on the
    wire) or the developer key as security schemes; ours declares `bearer` or `developerHapikey` and names the
    scope in x-required-scope."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    credentials: set[str] = set()
    scopes: set[str] = set(operation.get("x-required-scope", "").split())
    parameters: set[tuple[str, str]] = set()
    requirements: list[dict[str, list[str]]] = operation.get("security", document.get("security")) or []
    for requirement in requirements:
        for name, required_scopes in requirement.items():
            scheme = schemes.get(name, {})
            if scheme.get("type") == "apiKey" and scheme.get("in") == "query":
                credentials.add(scheme["name"])
                parameters.add(("query", scheme["name"]))
            else:
                credentials.add("bearer")
                scopes.update(required_scopes)
    return _Auth(tuple(sorted(credentials)), tuple(sorted(scopes)), frozenset(parameters))


def _parameters(document: Json, path: str, operation: Json) -> dict[tuple[str, str], Any]:
    params = [resolve(document, p) for p in document["paths"][path].get("parameters", []) + operation.get("parameters", [])]
    credentials = _auth(document, operation).parameters
    return {(p["in"], p["name"]): p for p in params if (p["in"], p["name"]) not in credentials}


def _json_schema(body: Json | None) -> Any:
    return ((body or {}).get("content") or {}).get("application/json", {}).get("schema")


def _type(schema: Json) -> str:
    if "type" in schema:
        return str(schema["type"])
    if "anyOf" in schema or "oneOf" in schema:
        return "|".join(_type(b) for b in schema.get("anyOf") or schema["oneOf"])
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    return "array" if "items" in schema else "any"


def _enum(schema: Json) -> list[str] | None:
    return sorted(map(str, schema["enum"])) if "enum" in schema else None


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(str, value)) + "]"
    return "absent" if value is None else str(value)


# ---------------------------------------------------------------------------------------------- checking
def check(profile: str, version: str = "v3", *, ours: Json | None = None, allowlist: list[AllowEntry] | None = None) -> Report:
    """Compare one profile in one version; split the differences into allow-listed and unexplained; find the
    allow-listed keys for this profile and version that match nothing."""
    found = differences(profile, version, ours)
    entries = [e for e in (load_allowlist() if allowlist is None else allowlist) if e.applies_to(profile, version)]
    allowed = {key for e in entries for key in e.keys}
    keys = {d.key for d in found}
    stale = sorted(key for e in entries for key in e.keys if key not in keys)
    return Report(profile, version, found, [d for d in found if d.key not in allowed], stale)


def describe(found: Iterable[Difference], title: str) -> str:
    lines = [title]
    for d in found:
        lines += [f"  {d.operation}: {d.where} {d.kind}", f"      hubspot: {d.hubspot}", f"      ours:    {d.ours}",
                  f"      key:     {d.key}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--profile", choices=PROFILES, action="append", help="default: every profile")
    parser.add_argument("--version", choices=VERSIONS, action="append", help="default: every version")
    parser.add_argument("--all", action="store_true", help="list every difference with its allow-list reason")
    args = parser.parse_args(argv)
    entries = load_allowlist()
    reports = [check(p, v, allowlist=entries) for v in args.version or VERSIONS for p in args.profile or PROFILES]
    for report in reports:
        print(report.text())
        reasons = {k: e.reason for e in entries if e.applies_to(report.profile, report.version) for k in e.keys}
        for d in report.differences if args.all else []:
            print(f"  [{'allowed' if d.key in reasons else 'UNEXPLAINED'}] {d.key}\n      {reasons.get(d.key, '')}")
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
