"""The stack's ceilings: a bare Starlette app that reads the JSON body, parses it with orjson (as the mock does)
and answers, served exactly as `hubspot-mock` serves the mock: the same uvicorn config
(mock_server.server.uvicorn_config: HTTP protocol class, event loop, lifespan), the same default log level and
access log, a socket bound and listening before uvicorn starts. Whatever the mock does beyond this is the mock's cost.

- ceiling:  answers a small JSON object (about 40 bytes, two headers).
- equal-io: answers what the mock answered to the same request (`--answers`, recorded by run.py from the running
            mock): the same status, body bytes and headers. Between it and the mock lies only the mock's Python.

    python benchmarks/ceiling.py --port 8091 [--answers answers.json]
"""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

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


def equal_io_app(answers_file: Path) -> Starlette:
    """Answers by path: {path: {"status", "headers": [[name, value]], "body": text}}, as recorded from the mock."""
    recorded = orjson.loads(answers_file.read_bytes())
    answers = {
        path: (a["status"], {k: v for k, v in a["headers"] if k.lower() not in UVICORN_WRITES}, a["body"].encode())
        for path, a in recorded.items()
    }

    async def same_answer(request: Request) -> Response:
        orjson.loads(await request.body())
        status, headers, body = answers[request.url.path]
        return Response(body, status_code=status, headers=headers)

    return Starlette(routes=[Route("/{path:path}", same_answer, methods=["POST"])])


UVICORN_WRITES = {"date", "server", "content-length"}  # uvicorn and Response write these for both servers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--answers", type=Path, help="the mock's recorded answers: serve them (the equal-I/O ceiling)")
    args = parser.parse_args()
    # hubspot-mock's settings when given no flag: its log level and access log are the ceiling's too
    defaults = settings_from_args(mock_cli_args([]))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(2048)
    served = equal_io_app(args.answers) if args.answers else app
    uvicorn.Server(uvicorn_config(served, defaults.log_level, defaults.access_log, listeners=[sock])).run(sockets=[sock])


if __name__ == "__main__":
    main()
