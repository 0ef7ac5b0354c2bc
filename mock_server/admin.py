"""The admin API under /__mock/: journal, state, reset, seed, snapshot and faults, and the paged views the
inspector page reads (events, attendees, contacts, fault presets). Not part of HubSpot.

Off with `admin_enabled=false`; with `admin_token` set, every admin call wants `Authorization: Bearer <it>`
(the page's own static files excepted: they hold no data).
"""

from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable, Mapping

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import JSON, error_response, json_response, new_correlation_id
from .exceptions import HubSpotError, NotFound, Unauthorized, ValidationError
from .inspector import page_routes
from .inspector.presets import FAULT_PRESETS
from .inspector.state_views import STORED_STATES, attendees_page, contacts_page, events_page
from .journal import STATUS_CLASSES, Entry
from .operations import MockContext

PREFIX = "/__mock"
MAX_PAGE = 1000  # rows per page of the paged views


def admin_routes(
    mock: MockContext, token: str | None, reset: Callable[[], None], snapshot: Callable[[], Awaitable[bytes]]
) -> list[Route]:
    def guarded(handler):
        async def endpoint(request: Request) -> Response:
            if token is not None:
                given = request.headers.get("authorization", "").partition(" ")[2].strip()
                if not hmac.compare_digest(given.encode(), token.encode()):
                    return error_response(Unauthorized("The admin API wants its own token"), new_correlation_id())
            try:
                return await handler(request)
            except (ValueError, TypeError) as exc:
                return error_response(ValidationError(str(exc)), new_correlation_id())
            except HubSpotError as exc:
                return error_response(exc, new_correlation_id())

        return endpoint

    async def journal(request: Request) -> Response:
        if request.method == "DELETE":
            mock.journal.clear()
            return Response(status_code=204)
        q = request.query_params
        limit = _int(q, "limit", minimum=1)
        latest_id = mock.journal.latest_id  # read first: a poller starting after it misses nothing
        entries = mock.journal.entries(
            operation=q.get("operation"),
            status=_status(q),
            faulted=_choice(q, "faulted", {"true": True, "false": False}),
            text=q.get("text"),
            limit=None if limit is None else limit + 1,  # one more says whether there is an older page
            before_id=_int(q, "before_id", minimum=1),
            after_id=_int(q, "after_id", minimum=0),
        )
        shape = Entry.summary if _choice(q, "summary", {"true": True, "false": False}) else Entry.to_dict
        page: dict[str, Any] = {
            "total": len(mock.journal),
            "latest_id": latest_id,
            "results": [shape(e) for e in entries[:limit]],
        }
        if limit is not None and len(entries) > limit:
            page["paging"] = {"next": {"before_id": entries[limit - 1].id}}
        return json_response(page)

    async def journal_entry(request: Request) -> Response:
        entry_id = _int(request.path_params, "entryId", minimum=1)
        entry = mock.journal.get(entry_id) if entry_id is not None else None
        if entry is None:
            raise NotFound(f"no journal entry {request.path_params['entryId']} (the journal keeps the last calls only)")
        return json_response(entry.to_dict())

    async def events(request: Request) -> Response:
        q = request.query_params
        return json_response(events_page(mock.backend, portal_id=_int(q, "portal"), text=q.get("text"), **_paging(q)))

    async def attendees(request: Request) -> Response:
        q = request.query_params
        state = _choice(q, "state", {s: s for s in STORED_STATES})
        page = attendees_page(
            mock.backend, request.path_params["objectId"], portal_id=_int(q, "portal"), state=state, text=q.get("text"), **_paging(q)
        )
        return json_response(page)

    async def contacts(request: Request) -> Response:
        q = request.query_params
        return json_response(contacts_page(mock.backend, portal_id=_int(q, "portal"), text=q.get("text"), **_paging(q)))

    async def presets(request: Request) -> Response:
        return json_response(FAULT_PRESETS)

    async def state(request: Request) -> Response:
        return json_response(mock.backend.dump())

    async def do_reset(request: Request) -> Response:
        reset()
        return Response(status_code=204)

    async def seed(request: Request) -> Response:
        mock.backend.load_seed(_json(await request.body()))
        return Response(status_code=204)

    async def do_snapshot(request: Request) -> Response:
        return Response(await snapshot(), media_type=JSON)  # JSON already, serialised off the event loop

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            body = _json(await request.body())
            rules = [mock.faults.add(r) for r in (body if isinstance(body, list) else [body])]
            return json_response([r.to_dict() for r in rules], 201)
        if request.method == "DELETE":
            mock.faults.clear()
            return Response(status_code=204)
        return json_response([r.to_dict() for r in mock.faults.list()])

    async def fault(request: Request) -> Response:
        if not mock.faults.remove(request.path_params["rule_id"]):
            return error_response(HubSpotError("no such fault rule", category="OBJECT_NOT_FOUND").with_status(404), new_correlation_id())
        return Response(status_code=204)

    return [
        Route(f"{PREFIX}/journal", guarded(journal), methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/journal/{{entryId}}", guarded(journal_entry), methods=["GET"]),
        Route(f"{PREFIX}/state", guarded(state), methods=["GET"]),
        Route(f"{PREFIX}/reset", guarded(do_reset), methods=["POST"]),
        Route(f"{PREFIX}/seed", guarded(seed), methods=["POST"]),
        Route(f"{PREFIX}/snapshot", guarded(do_snapshot), methods=["POST"]),
        Route(f"{PREFIX}/events", guarded(events), methods=["GET"]),
        Route(f"{PREFIX}/events/{{objectId}}/attendees", guarded(attendees), methods=["GET"]),
        Route(f"{PREFIX}/contacts", guarded(contacts), methods=["GET"]),
        Route(f"{PREFIX}/faults", guarded(faults), methods=["GET", "POST", "DELETE"]),
        Route(f"{PREFIX}/faults/presets", guarded(presets), methods=["GET"]),
        Route(f"{PREFIX}/faults/{{rule_id}}", guarded(fault), methods=["DELETE"]),
        *page_routes(PREFIX),
    ]


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"Invalid JSON: {exc}") from None


# ---------------------------------------------------------------------------------------------- parameters
def _invalid(name: str, message: str) -> ValidationError:
    return ValidationError(f"{name}: {message}", errors=[{"message": message, "in": name}])


def _int(params: Mapping[str, str], name: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise _invalid(name, f"must be a non-negative integer, got {raw!r:.40}")
    value = int(raw)
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        raise _invalid(name, f"must be between {minimum} and {maximum}" if maximum is not None else f"must be at least {minimum}")
    return value


def _choice(params: Mapping[str, str], name: str, choices: dict[str, Any]) -> Any:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise _invalid(name, f"must be one of {', '.join(choices)}, got {raw!r:.40}")
    return choices[raw]


def _status(params: Mapping[str, str]) -> int | str | None:
    """An exact status (503), a class (4xx), or `dropped` (no answer was sent)."""
    raw = params.get("status")
    if raw in STATUS_CLASSES:
        return raw
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) == 3):
        raise _invalid("status", f"must be a status such as 503, a class such as 4xx, or dropped; got {raw!r:.40}")
    return _int(params, "status")


def _paging(params: Mapping[str, str]) -> dict[str, int]:
    after = _int(params, "after", minimum=0)
    limit = _int(params, "limit", minimum=1, maximum=MAX_PAGE)
    return {"after": after or 0, "limit": 50 if limit is None else limit}
