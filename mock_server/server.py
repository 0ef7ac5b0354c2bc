"""Serving the mock with uvicorn: its config, and the HTTP protocol that keeps one process serving whatever
its clients do.

uvicorn's httptools protocol, with what it leaves out:

- a header-read timeout: a connection must send a request's complete headers within `header_timeout_seconds`
  of opening (or of its previous answer), else it is closed (408 when part of a request came);
- a limit on the request line and headers (`max_header_bytes`), answered 431 before more of them is read;
- a connection cap (`max_connections`, kept below the open-files limit): a new connection past it closes the
  connection idle longest (one with no request in flight), so half-open sockets can never lock clients out;
- an unparseable request after valid ones is answered 400 after their answers, in order (uvicorn answers it at
  once, so the valid request is applied but its answer lost);
- the connection's transport in the ASGI scope, so that a fault can drop it (ASGI has no way to say "drop it");
- connections waiting to be accepted are accepted at once, up to the connection cap (see `_accept_waiting`):
  libuv, under uvloop, accepts one per turn of the event loop, and under load the last of a burst of new
  connections waited over a second.

What uvicorn offers was not enough: `timeout_keep_alive` runs only after an answer; `limit_concurrency` answers
503 to every request once that many connections are open, idle ones included, so half-open sockets would shut
everyone out; `h11_max_incomplete_event_size` is h11's alone. Errors are HubSpot's JSON envelopes
(envelopes.error_response), written as raw bytes: no ASGI request exists yet at this layer, so these answers are
not journaled.
"""

from __future__ import annotations

import asyncio
import gc
import http
import socket
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, ClassVar, Sequence, cast

import uvicorn
from starlette.responses import Response
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .envelopes import error_response, new_correlation_id
from .exceptions import HubSpotError, RequestHeaderFieldsTooLarge, RequestTimeout, ServiceUnavailable, ValidationError
from .settings import Settings
from .transport import TRANSPORT_KEY

try:
    import resource
except ImportError:  # Windows: no open-files limit to respect or raise
    resource = None  # type: ignore[assignment]

ACCEPT_BURST = 512  # connections one drain accepts at most (each new connection drains again, up to the cap)
RESERVED_FILES = 64  # descriptors kept for everything but connections: the listener, logs, the state file
LINGER_SECONDS = 2.0  # after a final error answer, how long the rest of the request is read and dropped


@dataclass(frozen=True)
class ServerLimits:
    header_timeout_seconds: float = 10.0
    max_header_bytes: int = 64 * 1024
    max_connections: int = 1000
    shutdown_grace_seconds: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "ServerLimits":
        return cls(
            settings.header_timeout_seconds,
            settings.max_header_bytes,
            min(settings.max_connections, connection_allowance()),
            settings.shutdown_grace_seconds,
        )


def connection_allowance() -> int:
    """How many connections the open-files limit leaves room for."""
    if resource is None:
        return 1 << 30
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return 1 << 30 if soft == resource.RLIM_INFINITY else max(1, soft - RESERVED_FILES)


def raise_open_files_limit(ceiling: int = 65536) -> None:
    """Raise this process's soft open-files limit towards its hard limit (as Go's runtime does at start): the
    common soft default of 1024 caps a server at about a thousand connections for no reason."""
    if resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = ceiling if hard == resource.RLIM_INFINITY else min(hard, ceiling)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):  # some systems cap it below the hard limit; keep what we have
            pass


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing a head over the limit."""


class MockHttpProtocol(HttpToolsProtocol):
    limits: ClassVar[ServerLimits] = ServerLimits()
    # Connections with no request in flight, the one idle longest first: whom a new connection may displace.
    # One registry per server: protocol_for() makes a subclass for each.
    idle: ClassVar[OrderedDict["MockHttpProtocol", None]] = OrderedDict()
    # The server's listening sockets (non-blocking), when it was handed them: new connections waiting there are
    # accepted by _accept_waiting; those accepted and not yet made count against the connection cap too.
    listeners: ClassVar[tuple[socket.socket, ...]] = ()
    accepted_not_made: ClassVar[set[socket.socket]] = set()

    # ------------------------------------------------------------------ connection
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as uvicorn's own
        super().connection_made(transport)
        self._in_head = True  # between requests or inside a request line and headers
        self._head_bytes = 0  # of the current head, as the parser reports it
        self._head_raw = 0  # bytes received while in the current head (values the parser still buffers count)
        self._head_too_large = False
        self._pending_answer: bytes | None = None  # a final error answer, due after the answers in flight
        self._done = False  # a final answer was sent: the rest is read and dropped
        self._header_timer: Any = None
        self._make_room()
        if not self._done:
            self._become_idle()
        self._accept_waiting()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        self.idle.pop(self, None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._done or self._pending_answer is not None:
            return
        counting = self._in_head
        super().data_received(data)  # a parser error lands in send_400_response
        if counting and self._in_head and not self._done and self._pending_answer is None:
            self._head_raw += len(data)
            if self._head_raw > self.limits.max_header_bytes:
                self._head_too_large = True
                self.send_400_response("")

    # ------------------------------------------------------------------ parser callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_raw = 0
        self._cancel_header_timer()
        self.idle.pop(self, None)
        extensions = cast(dict[str, Any], self.scope.setdefault("extensions", {}))
        extensions[TRANSPORT_KEY] = self.transport
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # what follows is the next request's head

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.transport.is_closing() or not self._nothing_in_flight():
            return
        if self._pending_answer is not None:
            self._finish(self._pending_answer)
        else:
            self._become_idle()

    # ------------------------------------------------------------------ final answers
    def send_400_response(self, msg: str) -> None:
        """uvicorn calls this for a request it cannot parse; answers to requests before it go out first."""
        if self._head_too_large:
            limit = self.limits.max_header_bytes
            answer = self._answer(431, f"Request header fields too large: the request line and headers exceed {limit} bytes")
        else:
            answer = self._answer(400, "Invalid HTTP request: what followed could not be parsed as HTTP/1.1")
        self._cancel_header_timer()
        if self._nothing_in_flight():
            self._finish(answer)
        else:
            self._pending_answer = answer

    def _answer(self, status: int, message: str) -> bytes:
        error: HubSpotError = _CONNECTION_ERRORS[status](message)
        response: Response = error_response(error, {"correlation_id": new_correlation_id()})
        head = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n".encode()]
        for name, value in [*self.server_state.default_headers, *response.raw_headers, (b"connection", b"close")]:
            head.append(name + b": " + value + b"\r\n")
        return b"".join(head) + b"\r\n" + response.body

    def _finish(self, answer: bytes) -> None:
        """Send a last answer, then close. The client may still be sending (a 1 MB header): the rest is read and
        dropped for a moment, because closing with unread data resets the connection and can destroy the answer
        before the client reads it."""
        self._done = True
        self._pending_answer = None
        self.idle.pop(self, None)
        self._cancel_header_timer()
        self.transport.write(answer)
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()

    # ------------------------------------------------------------------ accepting
    def _accept_waiting(self) -> None:
        """Accept every connection already waiting on the listening sockets, now. libuv (under uvloop) accepts
        one connection per turn of the event loop, and under load one turn answers a request on every busy
        connection: of 128 clients connecting at once to a busy mock, the last waited 1.2 s for its accept (the
        128-connection p99). Each is handed to the loop as its own accept would hand it over.

        Only up to the connection cap: past it, the loop's own accept takes them one by one, and each new one
        makes room by closing the connection idle longest (_make_room), so the descriptors never run out."""
        pending = self.accepted_not_made
        room = min(ACCEPT_BURST, self.limits.max_connections - len(self.connections) - len(pending))
        for listener in self.listeners:
            while room > 0:
                try:
                    connection, _ = listener.accept()
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:  # closed at shutdown, or out of descriptors: left to the loop's own accept
                    break
                room -= 1
                connection.setblocking(False)
                pending.add(connection)
                self.loop.create_task(self._serve_accepted(connection))

    async def _serve_accepted(self, connection: socket.socket) -> None:
        try:
            if self._stopped_listening():  # the server is shutting down: too late to serve this one
                connection.close()
                return
            _, protocol = await self.loop.connect_accepted_socket(self._sibling, connection)
            if self._stopped_listening():  # shut down while it was set up: uvicorn's shutdown did not see it
                protocol.shutdown()
        except OSError:  # the client went away in between
            connection.close()
        finally:
            self.accepted_not_made.discard(connection)

    def _stopped_listening(self) -> bool:
        """uvicorn's shutdown closes the listening sockets first (a closed socket's descriptor is -1)."""
        return all(listener.fileno() == -1 for listener in self.listeners)

    def _sibling(self) -> "MockHttpProtocol":
        return type(self)(config=self.config, server_state=self.server_state, app_state=self.app_state, _loop=self.loop)

    # ------------------------------------------------------------------ limits
    def _count_head(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.limits.max_header_bytes:
            self._head_too_large = True
            raise _HeadTooLarge()

    def _nothing_in_flight(self) -> bool:
        return (self.cycle is None or self.cycle.response_complete) and not self.pipeline

    def _become_idle(self) -> None:
        self._head_bytes = self._head_raw = 0
        self.idle[self] = None
        self.idle.move_to_end(self)
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.limits.header_timeout_seconds, self._header_timeout)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self.transport.is_closing() or self._done:
            return
        self.idle.pop(self, None)
        if self._head_bytes or self._head_raw:  # part of a request came: say why it is dropped
            seconds = self.limits.header_timeout_seconds
            self._finish(self._answer(408, f"Request timeout: the request's headers did not arrive within {seconds:g} s"))
        else:
            self.transport.close()

    def _make_room(self) -> None:
        """Past the connection cap, close the connection idle longest; with none idle, refuse this one."""
        while len(self.connections) > self.limits.max_connections:
            if not self.idle:
                self._finish(self._answer(503, f"Too many open connections ({self.limits.max_connections}); try again"))
                return
            oldest, _ = self.idle.popitem(last=False)
            oldest._cancel_header_timer()
            oldest.connections.discard(oldest)  # its socket closes at the next turn of the loop; its slot frees now
            oldest.transport.close()


# What the connection layer answers, by status (HubSpot's envelope; no category where HubSpot's gateway sends none).
_CONNECTION_ERRORS: dict[int, type[HubSpotError]] = {
    400: ValidationError,
    408: RequestTimeout,
    431: RequestHeaderFieldsTooLarge,
    503: ServiceUnavailable,
}


def protocol_for(limits: ServerLimits, listeners: Sequence[socket.socket] = ()) -> type[MockHttpProtocol]:
    """The protocol class for one server: its limits, its own registry of idle connections, and the sockets it
    listens on (accepted from eagerly, so made non-blocking here before the first accept)."""
    for listener in listeners:
        listener.setblocking(False)
    attributes = {"limits": limits, "idle": OrderedDict(), "listeners": tuple(listeners), "accepted_not_made": set()}
    return type("MockHttpProtocol", (MockHttpProtocol,), attributes)


def tune_gc() -> None:
    """Garbage collection for a long-running mock process (the CLI's; a test process keeps its own settings).

    A request allocates thousands of short-lived objects (a 10,000-item batch, several hundred thousand), and
    CPython's default thresholds run a collection every 700 of them, each one re-scanning the request's live
    objects: the cost per item then grew with the batch (2x from 100 to 10,000 items). Collect less often, and
    freeze what start-up loaded (a restored state of a million records), so that no collection scans it again.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)


def uvicorn_config(
    app: Any,
    log_level: str = "info",
    access_log: bool = False,
    limits: ServerLimits | None = None,
    listeners: Sequence[socket.socket] = (),
) -> uvicorn.Config:
    """`listeners`: the sockets the server will be run on (`Server.run(sockets=...)`)."""
    limits = limits or ServerLimits.from_settings(Settings())
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=access_log,
        http=protocol_for(limits, listeners),
        lifespan="on",
        # After this, calls still in flight (a stalled upload, a `hang` fault) are cancelled and the lifespan's
        # shutdown saves the state: a process manager's SIGTERM never waits on a client.
        timeout_graceful_shutdown=limits.shutdown_grace_seconds,  # type: ignore[arg-type]  # asyncio.wait_for takes a float
    )
