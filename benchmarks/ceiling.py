"""The stack's ceiling: a bare Starlette app that reads the JSON body, parses it with orjson (as the mock does)
and answers a small JSON object, served exactly as `hubspot-mock` serves the mock: the same uvicorn config
(mock_server.server.uvicorn_config: HTTP protocol class, event loop, lifespan), the same default log level,
a socket bound and listening before uvicorn starts. Whatever the mock does beyond this is the mock's cost.

    python benchmarks/ceiling.py --port 8091
"""

from __future__ import annotations

import argparse
import socket

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.cli import parse_args as mock_cli_args
from mock_server.cli import settings_from_args
from mock_server.server import uvicorn_config


async def answer(request: Request) -> Response:
    body = orjson.loads(await request.body()) if request.method == "POST" else {}
    inputs = body.get("inputs", []) if isinstance(body, dict) else []
    return Response(orjson.dumps({"status": "COMPLETE", "received": len(inputs)}), media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", answer, methods=["GET", "POST"])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log-level", default=None, help="default: the mock CLI's default")
    args = parser.parse_args()
    log_level = args.log_level or _mock_default_log_level()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(2048)
    uvicorn.Server(uvicorn_config(app, log_level)).run(sockets=[sock])


def _mock_default_log_level() -> str:
    """The log level `hubspot-mock` runs at when given no flag (its uvicorn access log depends on it)."""
    return settings_from_args(mock_cli_args([])).log_level


if __name__ == "__main__":
    main()
