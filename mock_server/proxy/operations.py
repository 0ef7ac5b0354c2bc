"""Concrete paths to operations (`POST /marketing/v3/marketing-events/events/upsert`), from the paths the mock
serves in its `/openapi.json`, so a report counts calls per operation rather than per id."""

from __future__ import annotations

import re
from typing import Any, Iterable
from urllib.parse import unquote

from .fields import EMAIL

ID_SEGMENT = re.compile(r"\d{3,}")


class OperationNamer:
    def __init__(self, templates: Iterable[str]) -> None:
        # Literal segments first: `/events/{externalEventId}` beats `/{objectId}/...` when both fit.
        self._templates = sorted(
            ((t, t.strip("/").split("/")) for t in templates), key=lambda item: -sum(not _is_param(s) for s in item[1])
        )

    @classmethod
    def from_openapi(cls, document: Any) -> "OperationNamer":
        paths = document.get("paths", {}) if isinstance(document, dict) else {}
        return cls(p for p in paths if isinstance(p, str) and not p.startswith("/__mock/"))

    def name(self, method: str, raw_path: str) -> str:
        segments = [unquote(s) for s in raw_path.split("?")[0].strip("/").split("/")]
        for template, pattern in self._templates:
            if len(pattern) == len(segments) and all(_is_param(p) or p == s for p, s in zip(pattern, segments)):
                return f"{method} {template}"
        # Not an operation of the mock: group by the path with its ids and emails replaced.
        generic = ["{id}" if ID_SEGMENT.fullmatch(s) else "{email}" if EMAIL.fullmatch(s) else s for s in segments]
        return f"{method} /{'/'.join(generic)}"


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")
