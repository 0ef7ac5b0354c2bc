"""The stack's ceiling: a bare Starlette app that reads the JSON body, parses it with orjson (as the mock does)
and answers a small JSON object, served exactly as `hubspot-mock` serves the mock: the same uvicorn config
(mock_server.server.uvicorn_config: HTTP protocol class, event loop, lifespan), the same default log level and
access log, a socket bound and listening before uvicorn starts. Whatever the mock does beyond this is the mock's cost.

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
    args = parser.parse_args()
    # hubspot-mock's settings when given no flag: its log level and access log are the ceiling's too
    defaults = settings_from_args(mock_cli_args([]))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(2048)
    uvicorn.Server(uvicorn_config(app, defaults.log_level, defaults.access_log)).run(sockets=[sock])


if __name__ == "__main__":
    main()
