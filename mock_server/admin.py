"""The admin API under /__mock/: journal, state, reset, seed, snapshot and faults, and the paged views the
inspector page reads (events, attendees, contacts, fault presets). Not part of HubSpot.

Every admin operation is in the spec (tag "Mock admin") and its parameters and body are validated by it, like
HubSpot's operations: bad input is a 400 envelope naming the field. Off with `admin_enabled=false`; with
`admin_token` set, every admin call wants `Authorization: Bearer <it>` (the page's own static files excepted:
they hold no data).
"""

from __future__ import annotations

import hmac
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from .envelopes import JSON, json_response
from .exceptions import Forbidden, InvalidJson, NotFound, Unauthorized, UnsupportedMediaType, ValidationError
from .inspector import page_routes
from .inspector.dump import dump_state
from .inspector.presets import FAULT_PRESETS
from .inspector.state_views import attendees_page, contacts_page, events_page
from .journal import Entry
from .pipeline import MockContext
from .spec import Operation
from .routing import OperationTree

PREFIX = "/__mock"
AdminHandler = Callable[[dict[str, Any], Any], Awaitable[Response]]


class AdminGuard:
    """What keeps web pages from driving the admin API: only Host names that address this mock (a DNS-rebinding
    page sends its own), no cross-origin browser writes, and POSTs that say JSON (which a cross-site form or
    `text/plain` fetch cannot send without a preflight the mock never grants)."""

    def __init__(self, bound_host: str) -> None:
        self.hosts = LOOPBACK_NAMES | {bound_host.lower().strip("[]")}

    def check(self, request: Request) -> None:
        host = _host_name(request.headers.get("host", ""))
        if host not in self.hosts:
            raise Forbidden(f"The admin API answers only on {', '.join(sorted(self.hosts))}, not Host {host[:60]!r}")
        if request.method in ("GET", "HEAD"):
            return
        origin = request.headers.get("origin")
        if origin is not None and _host_name(urlsplit(origin).netloc) not in self.hosts | {""} or origin == "null":
            raise Forbidden(f"The admin API refuses cross-origin writes (Origin {origin[:80]!r})")
        content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        # POST is the one write a cross-site page can send without a CORS preflight (DELETE needs one).
        if request.method == "POST" and content_type != "application/json":
            raise UnsupportedMediaType(
                "Admin writes must be sent with Content-Type: application/json", category="VALIDATION_ERROR"
            )


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def _host_name(host: str) -> str:
    """The name in a Host header or an Origin's netloc, without the port, lower case."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


class AdminEndpoint:
    """One admin operation: the guard, the admin token, then parameters and body checked by the spec, then the
    handler."""

    def __init__(self, operation: Operation, handler: AdminHandler, token: str | None, guard: AdminGuard) -> None:
        self.operation = operation
        self.handler = handler
        self.token = token
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["state"]
        state["kind"] = "admin"
        state["operation"] = self.operation.operation_id
        request = Request(scope, receive)
        self.guard.check(request)
        if self.token is not None:
            given = request.headers.get("authorization", "").partition(" ")[2].strip()
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                raise Unauthorized("The admin API wants its own token")
        params = self.operation.validate_parameters(request.path_params, request.query_params)
        body = None
        if self.operation.body_validator is not None:
            body = _json(await request.body())
            self.operation.validate_body(body)
        response = await self.handler(params, body)
        await response(scope, receive, send)


def admin_routes(
    mock: MockContext,
    operations: dict[str, Operation],
    token: str | None,
    reset: Callable[[], None],
    snapshot: Callable[[], Awaitable[bytes]],
    load_seed: Callable[[dict[str, Any]], None],
    guard: AdminGuard,
) -> list[BaseRoute]:
    async def journal(params: dict[str, Any], body: Any) -> Response:
        limit = params.get("limit")
        latest_id = mock.journal.latest_id  # read first: a poller starting after it misses nothing
        status = params.get("status")
        entries = mock.journal.entries(
            operation=params.get("operation"),
            status=int(status) if status and status.isdigit() else status,
            faulted=_flag(params.get("faulted")),
            text=params.get("text"),
            limit=None if limit is None else limit + 1,  # one more says whether there is an older page
            before_id=params.get("before_id"),
            after_id=params.get("after_id"),
            kind=params.get("kind"),
        )
        shape = Entry.summary if _flag(params.get("summary")) else Entry.to_dict
        page: dict[str, Any] = {
            "total": len(mock.journal),
            "latest_id": latest_id,
            "results": [shape(e) for e in entries[:limit]],
        }
        if limit is not None and len(entries) > limit:
            page["paging"] = {"next": {"before_id": entries[limit - 1].id}}
        return json_response(page)

    async def clear_journal(params: dict[str, Any], body: Any) -> Response:
        mock.journal.clear()
        return Response(status_code=204)

    async def journal_entry(params: dict[str, Any], body: Any) -> Response:
        entry = mock.journal.get(params["entryId"])
        if entry is None:
            raise NotFound(f"no journal entry {params['entryId']} (the journal keeps the last calls only)")
        return json_response(entry.to_dict())

    async def events(params: dict[str, Any], body: Any) -> Response:
        return json_response(events_page(mock.backend, portal_id=params.get("portal"), text=params.get("text"), **_paging(params)))

    async def attendees(params: dict[str, Any], body: Any) -> Response:
        page = attendees_page(
            mock.backend, params["objectId"], portal_id=params.get("portal"), state=params.get("state"),
            text=params.get("text"), **_paging(params),
        )
        return json_response(page)

    async def contacts(params: dict[str, Any], body: Any) -> Response:
        return json_response(contacts_page(mock.backend, portal_id=params.get("portal"), text=params.get("text"), **_paging(params)))

    async def presets(params: dict[str, Any], body: Any) -> Response:
        return json_response(FAULT_PRESETS)

    async def state(params: dict[str, Any], body: Any) -> Response:
        return json_response(dump_state(mock.backend))

    async def do_reset(params: dict[str, Any], body: Any) -> Response:
        reset()
        return Response(status_code=204)

    async def seed(params: dict[str, Any], body: Any) -> Response:
        try:
            load_seed(body)
        except ValueError as exc:  # events the upsert would refuse, a contact already in the portal
            raise ValidationError(str(exc)) from None
        return Response(status_code=204)

    async def do_snapshot(params: dict[str, Any], body: Any) -> Response:
        return Response(await snapshot(), media_type=JSON)  # JSON already, serialised off the event loop

    async def faults(params: dict[str, Any], body: Any) -> Response:
        return json_response([r.to_dict() for r in mock.faults.list()])

    async def add_faults(params: dict[str, Any], body: Any) -> Response:
        rules = body if isinstance(body, list) else [body]
        try:
            armed = [mock.faults.add({k: v for k, v in r.items() if k not in ("matched", "fired")}) for r in rules]
        except (ValueError, TypeError) as exc:  # what the schema cannot say (a respond fault without a status)
            raise ValidationError(str(exc)) from None
        return json_response([r.to_dict() for r in armed], 201)

    async def clear_faults(params: dict[str, Any], body: Any) -> Response:
        mock.faults.clear()
        return Response(status_code=204)

    async def remove_fault(params: dict[str, Any], body: Any) -> Response:
        if not mock.faults.remove(params["ruleId"]):
            raise NotFound("no such fault rule")
        return Response(status_code=204)

    handlers: dict[str, AdminHandler] = {
        "mockJournal": journal,
        "mockClearJournal": clear_journal,
        "mockJournalEntry": journal_entry,
        "mockState": state,
        "mockReset": do_reset,
        "mockSeed": seed,
        "mockSnapshot": do_snapshot,
        "mockFaults": faults,
        "mockAddFaults": add_faults,
        "mockClearFaults": clear_faults,
        "mockFaultPresets": presets,
        "mockEvents": events,
        "mockEventAttendees": attendees,
        "mockContacts": contacts,
        "mockRemoveFault": remove_fault,
    }
    # One tree, as for the API: a 405 lists every method of the path; `/faults/presets` before `/faults/{ruleId}`.
    tree = OperationTree()
    for op in operations.values():
        if op.operation_id in handlers:
            tree.add(op.method, op.path, AdminEndpoint(op, handlers[op.operation_id], token, guard))
    return [tree, *page_routes(PREFIX, guard.check)]


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidJson(f"Invalid input JSON: {exc}", errors=[{"message": str(exc), "in": "body"}]) from None


def _flag(value: str | None) -> bool | None:
    return None if value is None else value == "true"


def _paging(params: dict[str, Any]) -> dict[str, int]:
    return {"after": params.get("after") or 0, "limit": params.get("limit") or 50}
