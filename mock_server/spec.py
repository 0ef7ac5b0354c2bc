"""The project's OpenAPI document: loaded once, profile switches applied, compiled into request checks.

Routes, required scopes, parameters and request-body validation all come from ``openapi/``, so the mock
cannot accept what its spec forbids or forbid what it allows. Vendor keys in the YAML mark what a setting
changes: ``x-required-when`` (a parameter or fields become required), ``x-iso-string-when``
(interactionDateTime also takes an ISO-8601 string) and ``x-max-items-from`` (a batch's size limit).
"""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Iterator

import jsonschema_rs
import yaml

from .exceptions import ValidationError
from .settings import Settings

SPEC_FILE = "marketing-events.yaml"

# Named switches the YAML refers to, as predicates over the settings.
SWITCHES: dict[str, Callable[[Settings], bool]] = {
    "create_requires_external_account_id": lambda s: s.create_requires_external_account_id,
    "require_property_maps": lambda s: not s.accept_missing_property_maps,
    "accept_iso_interaction_datetime": lambda s: s.iso_interaction_datetime != "reject",
    "spec_item_error_shape": lambda s: s.item_error_shape == "spec",
}


@lru_cache(maxsize=1)
def base_document() -> dict[str, Any]:
    text = resources.files("mock_server.openapi").joinpath(SPEC_FILE).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def document_for(settings: Settings) -> dict[str, Any]:
    """The spec as this mock instance serves it: switches resolved, vendor switch keys kept for readers."""
    doc = copy.deepcopy(base_document())
    for node in _walk(doc):
        when = node.get("x-required-when")
        if isinstance(when, str):  # a parameter
            node["required"] = SWITCHES[when](settings)
        elif isinstance(when, dict):  # a schema: field -> switch
            extra = [name for name, switch in when.items() if SWITCHES[switch](settings)]
            node["required"] = list(node.get("required", [])) + [n for n in extra if n not in node.get("required", [])]
        if node.get("additionalProperties") is False and not settings.reject_unknown_fields:
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
    return doc


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


@dataclass
class Operation:
    operation_id: str
    method: str
    path: str
    required_scope: str
    parameters: list[Parameter] = field(default_factory=list)
    body_validator: Any = None

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
    """HubSpot's operations of the spec (the admin API's are routed by admin.py: see admin_operations)."""
    return _operations(document, admin=False)


def admin_operations(document: dict[str, Any]) -> dict[str, Operation]:
    """The mock's own admin operations by operationId, validated by the spec like HubSpot's."""
    return {op.operation_id: op for op in _operations(document, admin=True)}


def _operations(document: dict[str, Any], *, admin: bool) -> list[Operation]:
    components = document.get("components", {})
    ops = []
    for path, item in document["paths"].items():
        if path.startswith(ADMIN_PREFIX) != admin:
            continue
        for method, spec in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            op = Operation(spec["operationId"], method.upper(), path, spec.get("x-required-scope", ""))
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
                        jsonschema_rs.validator_for(schema),
                        param.get("x-invalid-message"),
                    )
                )
            body = spec.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body is not None:
                op.body_validator = jsonschema_rs.validator_for({**body, "components": components})
            ops.append(op)
    return ops


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
