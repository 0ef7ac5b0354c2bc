"""New connections are accepted as soon as the server sees one of them, not one per turn of the event loop.

libuv (under uvloop, which uvicorn picks) accepts a single connection per turn. Under load one turn answers a
request on every busy connection, so of 128 clients connecting at once to a busy mock the last waited over a
second for its accept: the 128-connection p99 of the benchmark. server.MockHttpProtocol takes the rest of the
queue itself.
"""

from __future__ import annotations

import asyncio
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
import uvloop
from uvicorn.server import ServerState

from mock_server import create_app
from mock_server.server import ServerLimits, uvicorn_config

BURST = 64
TURNS = 6  # the accepted sockets reach connection_made through a task and the transport's own callbacks


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    yield sock
    sock.close()


@dataclass
class Served:
    loop: asyncio.AbstractEventLoop
    server: asyncio.AbstractServer
    state: ServerState
    protocol_class: Any

    def turn(self, times: int = TURNS) -> None:
        for _ in range(times):
            self.loop.run_until_complete(asyncio.sleep(0))


@contextmanager
def serving(listener: socket.socket, limits: ServerLimits | None = None) -> Iterator[Served]:
    """The mock's protocol on `listener` in a uvloop loop of the test's own, set up as uvicorn's Server does, so
    that the test decides when the loop turns."""
    config = uvicorn_config(create_app(), "warning", limits=limits, listeners=[listener])
    config.load()
    state = ServerState()
    loop = uvloop.new_event_loop()
    try:
        def protocol() -> asyncio.Protocol:
            return config.http_protocol_class(config=config, server_state=state, app_state={}, _loop=loop)  # type: ignore[call-arg]

        server = loop.run_until_complete(loop.create_server(protocol, sock=listener))
        yield Served(loop, server, state, config.http_protocol_class)
        server.close()
        for connection in list(state.connections):
            connection.shutdown()
        loop.run_until_complete(asyncio.sleep(0.05))
    finally:
        loop.close()


def connect(listener: socket.socket, count: int) -> list[socket.socket]:
    """Handshakes complete in the kernel: all of them wait in the accept queue before the loop turns again."""
    return [socket.create_connection(listener.getsockname()) for _ in range(count)]


def test_a_burst_of_connections_is_accepted_within_a_few_turns_of_the_loop(listener: socket.socket) -> None:
    with serving(listener) as served:
        clients = connect(listener, BURST)
        served.turn()
        assert len(served.state.connections) == BURST

        # And they are served: a request on the last one is answered.
        last = clients[-1]
        last.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""

        async def read() -> None:
            nonlocal answer
            last.setblocking(False)
            while not answer.startswith(b"HTTP/1.1 200") or b"\r\n\r\n" not in answer:
                try:
                    answer += last.recv(65536)
                except BlockingIOError:
                    await asyncio.sleep(0.005)

        served.loop.run_until_complete(asyncio.wait_for(read(), 10))
        assert answer.startswith(b"HTTP/1.1 200")
        for client in clients:
            client.close()


def test_accepting_at_once_stops_at_the_connection_cap(listener: socket.socket) -> None:
    """Past the cap the loop's own accept takes connections one by one, each making room by closing the one idle
    longest: accepting a burst beyond it would run the process out of descriptors (and libuv then drops every
    waiting connection)."""
    cap = 8
    with serving(listener, ServerLimits(max_connections=cap)) as served:
        clients = connect(listener, 3 * cap)

        def server_sockets() -> int:
            """Accepted and not yet closed: the descriptors the server holds for connections."""
            fds = {s.fileno() for s in served.protocol_class.accepted_not_made}
            fds |= {c.transport.get_extra_info("socket").fileno() for c in served.state.connections if not c.transport.is_closing()}
            return len(fds)

        for _ in range(TURNS):
            served.turn(1)
            assert server_sockets() <= cap + 1  # the loop's own accept may be one over while it makes room
        assert len(served.state.connections) <= cap
        for client in clients:
            client.close()


def test_connections_accepted_while_the_server_shuts_down_are_told_to_close(listener: socket.socket) -> None:
    """uvicorn's shutdown closes the listeners, then tells the connections it can see to close. Those accepted just
    before and set up just after must close too, or the shutdown waits its whole grace period on them."""
    with serving(listener) as served:
        clients = connect(listener, BURST)

        async def shut_down_as_uvicorn_does() -> None:
            while not served.state.connections:  # the first connection is made: the others are being accepted
                await asyncio.sleep(0)
            served.server.close()
            listener.close()
            for connection in list(served.state.connections):
                connection.shutdown()
            await asyncio.sleep(0.1)

        served.loop.run_until_complete(shut_down_as_uvicorn_does())
        assert [c for c in served.state.connections if not c.transport.is_closing()] == []
        for client in clients:
            client.close()


def test_a_server_without_listeners_accepts_as_uvloop_does() -> None:
    """Without its listening sockets the protocol has nothing to take from: the loop's own accept is the only one."""
    config = uvicorn_config(create_app(), "warning")
    config.load()
    assert config.http_protocol_class.listeners == ()  # type: ignore[union-attr]
