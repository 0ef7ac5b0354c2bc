"""The project's OpenAPI document: loaded once, profile switches applied, compiled into request checks.

Routes, required scopes, parameters and request-body validation all come from ``openapi/``, so the mock
cannot accept what its spec forbids or forbid what it allows. Vendor keys in the YAML mark what a setting
changes: ``x-required-when`` (a parameter or fields become required), ``x-iso-string-when``
(interactionDateTime also takes an ISO-8601 string) and ``x-max-items-from`` (a batch's size limit).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator

import jsonschema_rs
import orjson
import yaml

from .exceptions import ValidationError
from .settings import Settings
from .versions import V3, ApiVersion

SPEC_FILE = "marketing-events.yaml"
ADMIN_TAG = "Mock admin"

# Named switches the YAML refers to, as predicates over the settings.
SWITCHES: dict[str, Callable[[Settings], bool]] = {
    "create_requires_external_account_id": lambda s: s.create_requires_external_account_id,
    "require_property_maps": lambda s: not s.accept_missing_property_maps,
    "accept_iso_interaction_datetime": lambda s: s.iso_interaction_datetime != "reject",
    "spec_item_error_shape": lambda s: s.item_error_shape == "spec",
}


@lru_cache(maxsize=1)
def base_document() -> dict[str, Any]:
    """The spec as data. Parsing its YAML is most of a start-up (~50 ms), so the parsed form is cached as JSON
    under the user's cache directory, named by the YAML's digest (as Python caches bytecode): a changed spec is
    parsed anew, and an unwritable cache only costs the parse."""
    text = resources.files("mock_server.openapi").joinpath(SPEC_FILE).read_text(encoding="utf-8")
    cached = _spec_cache_dir() / f"spec-{hashlib.sha256(text.encode()).hexdigest()[:32]}.json"
    try:
        document: dict[str, Any] = orjson.loads(cached.read_bytes())
        return document
    except (OSError, orjson.JSONDecodeError):
        pass
    document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    try:
        data = orjson.dumps(document)
        if orjson.loads(data) == document:  # only plain JSON data round-trips (a YAML date would not)
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
            partial.write_bytes(data)
            os.replace(partial, cached)
    except OSError:
        pass
    return document


def _spec_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "hubspot-mock"


@lru_cache(maxsize=64)  # settings are frozen: a test suite making many apps with the same settings builds each once
def document_for(settings: Settings, version: ApiVersion = V3) -> dict[str, Any]:
    """HubSpot's API as this mock instance serves it in one version: switches resolved, paths and the nodes
    marked `x-versions` as that version has them (versions.py), vendor keys kept for readers. The admin API
    is in admin_document."""
    doc = _copy(base_document())
    _resolve_switches(doc, settings, open_unknown_fields=not settings.reject_unknown_fields)
    paths = {}
    for path, item in doc["paths"].items():
        served = version.path(path)
        if served is None or path.startswith(ADMIN_PREFIX) or version.name not in item.get("x-versions", [version.name]):
            continue
        paths[served] = item
    doc["paths"] = paths
    _keep_version(doc, version.name)
    doc["info"] = {**doc["info"], "version": version.name, "title": f"{doc['info']['title']} ({version.name})"}
    doc["tags"] = [t for t in doc.get("tags", []) if t["name"] != ADMIN_TAG]
    return doc


@lru_cache(maxsize=64)
def admin_document(settings: Settings) -> dict[str, Any]:
    """The mock's own admin API (not HubSpot's): served apart, at /openapi/admin.json."""
    doc = _copy(base_document())
    _resolve_switches(doc, settings, open_unknown_fields=False)  # admin input is always checked in full
    doc["paths"] = {p: item for p, item in doc["paths"].items() if p.startswith(ADMIN_PREFIX)}
    # What every admin operation may answer besides its own: its guard (403 for another Host or Origin, 415 for a
    # POST that is not JSON), its token (401), and a parameter or body its spec refuses (400).
    for item in doc["paths"].values():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                for status, why in ADMIN_ERRORS.items():
                    operation["responses"].setdefault(status, {"description": why, "content": _ERROR_CONTENT})
    doc["info"] = {**doc["info"], "title": "HubSpot Marketing Events mock: admin API", "version": "mock"}
    doc["tags"] = [t for t in doc.get("tags", []) if t["name"] == ADMIN_TAG]
    return doc


def _copy(document: dict[str, Any]) -> dict[str, Any]:
    """A deep copy (through JSON: several times faster than copy.deepcopy on a document this size)."""
    copied: dict[str, Any] = orjson.loads(orjson.dumps(document))
    return copied


ADMIN_ERRORS = {
    "400": "A parameter or body its spec refuses (the envelope names the field).",
    "401": "The admin API's own token is wanted (admin_token).",
    "403": "A Host that does not name this mock, or a cross-origin write.",
    "415": "A POST without Content-Type: application/json.",
}
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _resolve_switches(doc: dict[str, Any], settings: Settings, *, open_unknown_fields: bool) -> None:
    for node in _walk(doc):
        when = node.get("x-required-when")
        if isinstance(when, str):  # a parameter
            node["required"] = SWITCHES[when](settings)
        elif isinstance(when, dict):  # a schema: field -> switch
            extra = [name for name, switch in when.items() if SWITCHES[switch](settings)]
            node["required"] = list(node.get("required", [])) + [n for n in extra if n not in node.get("required", [])]
        if node.get("additionalProperties") is False and open_unknown_fields:
            del node["additionalProperties"]  # only request objects are closed in the YAML
        limit_setting = node.get("x-max-items-from")
        if limit_setting and getattr(settings, limit_setting) is not None:
            node["maxItems"] = getattr(settings, limit_setting)
        iso = node.get("x-iso-string-when")
        if iso and SWITCHES[iso](settings):
            integer = {k: v for k, v in node.items() if not k.startswith("x-") and k != "description"}
            for key in integer:
                del node[key]
            node["anyOf"] = [integer, {"type": "string", "format": "date-time"}]


def _keep_version(node: Any, version: str) -> None:
    """Remove every mapping entry marked `x-versions` without this version (a property leaves its schema's
    `required` with it)."""
    if isinstance(node, list):
        for value in node:
            _keep_version(value, version)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if isinstance(properties, dict):
        for name in [n for n, v in properties.items() if _not_in(v, version)]:
            del properties[name]
            if name in node.get("required", ()):
                node["required"].remove(name)
    for key in [k for k, v in node.items() if _not_in(v, version)]:
        del node[key]
    for value in node.values():
        _keep_version(value, version)


def _not_in(node: Any, version: str) -> bool:
    return isinstance(node, dict) and version not in node.get("x-versions", [version])


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


# ---------------------------------------------------------------------------------------------- operations
@dataclass
class Parameter:
    name: str
    location: str  # path / query
    required: bool
    schema: dict[str, Any]
    is_integer: bool
    validator: Any
    invalid_message: str | None = None  # x-invalid-message: HubSpot's own wording, with {value}
    is_array: bool = False  # repeated (`?properties=a&properties=b`) or comma-separated (`?properties=a,b`)
    is_boolean: bool = False  # `true` / `false`


@dataclass
class Operation:
    operation_id: str
    method: str
    path: str
    required_scope: str
    parameters: list[Parameter] = field(default_factory=list)
    body_validator: Any = None
    auth: str = "bearer"  # x-auth: "bearer", or "developer_hapikey" (app settings)

    def validate_parameters(self, path_params: dict[str, str], query: Any) -> dict[str, Any]:
        """Path and query values, typed and checked against the spec. Raises ValidationError."""
        values: dict[str, Any] = {}
        for p in self.parameters:
            raw = path_params.get(p.name) if p.location == "path" else query.get(p.name)
            if raw is None:
                if p.required:
                    raise _error(p.name, f"{p.name} is required", "REQUIRED")
                continue
            value: Any = raw
            if p.is_array:
                value = [item for given in query.getlist(p.name) for item in given.split(",") if item]
                if not p.validator.is_valid(value):
                    raise _error(p.name, f"Invalid value for {p.name}: {_short(next(p.validator.iter_errors(value)).message)}", "INVALID_VALUE")
                values[p.name] = value
                continue
            if p.is_boolean:
                if raw not in ("true", "false"):
                    raise _error(p.name, f"{p.name} must be true or false, got {_show(raw)}", "INVALID_TYPE")
                value = raw == "true"
            if p.is_integer:
                if not _INTEGER.fullmatch(raw):
                    raise _error(p.name, f"{p.name} must be an integer, got {_show(raw)}", "INVALID_TYPE")
                value = int(raw)
            if not p.validator.is_valid(value):
                if p.invalid_message:
                    raise _error(p.name, p.invalid_message.format(value=raw), "INVALID_VALUE")
                detail = next(p.validator.iter_errors(value))
                raise _error(p.name, f"Invalid value for {p.name}: {_short(detail.message)}", "INVALID_VALUE")
            values[p.name] = value
        return values

    def validate_body(self, body: Any) -> None:
        """The JSON body against the operation's request schema. Raises ValidationError naming each field."""
        if self.body_validator is None:
            return
        try:
            if self.body_validator.is_valid(body):
                return
            details = [_detail(e) for e in itertools.islice(self.body_validator.iter_errors(body), 10)]
        except ValueError as exc:  # jsonschema-rs gives up on very deep nesting ("Recursion limit reached")
            message = "Invalid input JSON: the body is nested too deeply"
            raise ValidationError(message, errors=[{"message": str(exc), "in": "body", "code": "TOO_DEEP"}]) from None
        message = details[0]["message"] if len(details) == 1 else f"{len(details)} validation errors; first: {details[0]['message']}"
        raise ValidationError(message, errors=details)


_INTEGER = re.compile(r"-?[0-9]{1,19}")


ADMIN_PREFIX = "/__mock/"


def operations(document: dict[str, Any]) -> list[Operation]:
    """Every operation of a document (document_for's HubSpot operations, or admin_document's). Documents are
    built once and never changed, so their operations are too: the app asks for them several times at start."""
    cached = _operations.get(id(document))
    if cached is not None and cached[0] is document:
        return cached[1]
    ops = _read_operations(document)
    if len(_operations) >= 32:  # tests build many documents: keep the recent ones
        _operations.pop(next(iter(_operations)))
    _operations[id(document)] = (document, ops)
    return ops


_operations: dict[int, tuple[dict[str, Any], list[Operation]]] = {}


def _read_operations(document: dict[str, Any]) -> list[Operation]:
    components = document.get("components", {})
    components_key = orjson.dumps(components, option=orjson.OPT_SORT_KEYS)  # once, not once per request body
    ops = []
    for path, item in document["paths"].items():
        for method, spec in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            op = Operation(spec["operationId"], method.upper(), path, spec.get("x-required-scope", ""), auth=spec.get("x-auth", "bearer"))
            for raw in spec.get("parameters", []):
                param = _resolve(document, raw)
                schema = param["schema"]
                op.parameters.append(
                    Parameter(
                        param["name"],
                        param["in"],
                        bool(param.get("required")),
                        schema,
                        schema.get("type") == "integer",
                        _validator(schema),
                        param.get("x-invalid-message"),
                        schema.get("type") == "array",
                        schema.get("type") == "boolean",
                    )
                )
            body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None:
                op.body_validator = _validator({**body, "components": components}, components_key)
            ops.append(op)
    return ops


@lru_cache(maxsize=8)
def component_schema(name: str) -> dict[str, Any]:
    """A schema of the spec's components with every $ref inlined: what a seed or faults file is checked against
    (the admin API's Seed and FaultRule), so files and the API take the same thing, defined once."""
    schemas = base_document()["components"]["schemas"]

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(schemas[node["$ref"].rpartition("/")[2]])
            return {k: inline(v) for k, v in node.items() if not k.startswith("x-")}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    inlined: dict[str, Any] = inline(schemas[name])
    return inlined


_validators: dict[bytes, Any] = {}


def _validator(schema: dict[str, Any], components_key: bytes = b"") -> Any:
    """A compiled validator, shared by every operation and version with the same schema (compiling each of
    ~150 operations anew would cost start-up time and memory). A body schema's components are keyed by
    `components_key`, their serialisation done once per document."""
    if components_key:
        key = orjson.dumps({k: v for k, v in schema.items() if k != "components"}, option=orjson.OPT_SORT_KEYS) + components_key
    else:
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
    validator = _validators.get(key)
    if validator is None:
        validator = _validators[key] = jsonschema_rs.validator_for(schema)
    return validator


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


# ---------------------------------------------------------------------------------------------- messages
def _detail(error: Any) -> dict[str, str]:
    """One jsonschema error as HubSpot's ErrorDetail: a plain message and `in` naming the field."""
    where = _field_path(error.instance_path)
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        name = kind.property
        where = f"{where}.{name}" if where else name
        return {"message": f"{name} required", "in": where, "code": "REQUIRED"}
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
        names = ", ".join(kind.unexpected)
        return {
            "message": f'Unrecognized field(s) "{names}" (not marked as ignorable)',
            "in": f"{where}.{kind.unexpected[0]}" if where else kind.unexpected[0],
            "code": "UNRECOGNIZED_FIELD",
        }
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.MaxItems) and where == "inputs":
        return {
            "message": f"Too many inputs: {len(error.instance)} given, at most {kind.limit} per batch",
            "in": where,
            "code": "TOO_MANY_INPUTS",
        }
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
        return {
            "message": f"Invalid value for {where or 'the request body'}: expected {_types(kind.types)}, got {_show(error.instance)}",
            "in": where or "body",
            "code": "INVALID_TYPE",
        }
    return {"message": f"Invalid value for {where or 'the request body'}: {_short(error.message)}", "in": where or "body", "code": "INVALID_VALUE"}


def _field_path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _types(types: Any) -> str:
    names = [t if isinstance(t, str) else getattr(t, "name", str(t)) for t in (types if isinstance(types, (list, tuple)) else [types])]
    return " or ".join(n.lower() for n in names)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return _short(f'"{value}"')
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "an array"
    return _short(str(value))


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error(where: str, message: str, code: str) -> ValidationError:
    return ValidationError(message, errors=[{"message": message, "in": where, "code": code}])
