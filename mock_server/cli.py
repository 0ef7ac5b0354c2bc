"""`hubspot-mock` / `python -m mock_server`: serve the mock with uvicorn."""

from __future__ import annotations

import argparse
import dataclasses
import socket
import sys
from typing import get_type_hints

import uvicorn

from .app import admin_allowed, create_app, is_loopback
from .server import tune_gc, uvicorn_config
from .settings import PROFILES, STRICT_READ_LAGS, Settings, coerce_setting

BANNER = """\
HubSpot Marketing Events mock ({profile} profile) on {url}
  spec:        {url}/openapi.json
  token:       any non-empty Bearer token is app {app} of portal {portal}{seed}
  Python SDK:  hubspot.Client.create(access_token="any-token", host="{url}")
  Node SDK:    new Client({{ accessToken: "any-token", basePath: "{url}" }}){inspector}
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hubspot-mock", description=__doc__)
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8090; 0 picks a free one)")
    parser.add_argument("--seed", dest="seed_path", metavar="FILE", help="contacts, events, property definitions, tokens (JSON or YAML)")
    parser.add_argument("--profile", choices=sorted(PROFILES), help="fidelity profile (default live)")
    parser.add_argument("--strict", action="store_true", help="reads lag writes as HubSpot's do (1 s; counters 10 s; identifiers 60 s)")
    parser.add_argument("--state", dest="state_path", metavar="FILE", help="load state from FILE at start, save it there on shutdown")
    parser.add_argument("--faults", dest="faults_path", metavar="FILE", help="fault rules to arm at start (JSON or YAML)")
    parser.add_argument("--rate-limits", action="store_true", help="enforce HubSpot's rate limits with its 429s")
    parser.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--access-log", action="store_true", help="a log line per request (off: the journal has them)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="any setting, e.g. --set mixed_batch_status=207"
    )
    return parser.parse_args(argv)


def settings_from_args(args: argparse.Namespace) -> Settings:
    hints = get_type_hints(Settings)
    names = {f.name for f in dataclasses.fields(Settings)}
    overrides: dict = {}
    for item in args.set:
        name, sep, raw = item.partition("=")
        if not sep or name not in names:
            raise SystemExit(f"--set {item!r}: expected NAME=VALUE with NAME one of the settings")
        overrides[name] = coerce_setting(name, hints[name], raw)
    if args.rate_limits:
        overrides["enforce_rate_limits"] = True
    if args.access_log:
        overrides["access_log"] = True
    for name in ("host", "port", "seed_path", "profile", "log_level", "faults_path", "state_path"):
        if getattr(args, name) is not None:
            overrides[name] = getattr(args, name)
    if args.strict:
        overrides.update(STRICT_READ_LAGS)
    return Settings.from_env(**overrides)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("proxy", "replay"):
        from .proxy.cli import proxy_main, replay_main

        return (proxy_main if argv[0] == "proxy" else replay_main)(argv[1:])
    args = parse_args(argv)
    try:
        settings = settings_from_args(args)
        app = create_app(settings)
    except (ValueError, OSError) as exc:
        print(f"hubspot-mock: {exc}", file=sys.stderr)
        return 2
    # Bind first, so the banner shows the real port (also with --port 0) and early clients queue.
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        print(f"hubspot-mock: cannot bind {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 2
    sock.listen(2048)
    port = sock.getsockname()[1]
    url = f"http://{settings.host}:{port}" if family == socket.AF_INET else f"http://[{settings.host}]:{port}"
    seed = f"\n  seed:        {settings.seed_path}" if settings.seed_path else ""
    inspector = f"\n  inspector:   {url}/__mock/ui" if admin_allowed(settings) else ""
    print(
        BANNER.format(
            profile=settings.profile, url=url, app=settings.default_app_id, portal=settings.default_portal_id,
            seed=seed, inspector=inspector,
        ),
        flush=True,
    )
    if not is_loopback(settings.host):
        print(f"hubspot-mock: WARNING: bound to {settings.host}, reachable from other machines", file=sys.stderr)
        if settings.admin_enabled and not admin_allowed(settings):
            print("hubspot-mock: the /__mock/ admin API is off: set admin_token to use it off loopback", file=sys.stderr)
    tune_gc()
    uvicorn.Server(uvicorn_config(app, settings.log_level, settings.access_log)).run(sockets=[sock])
    return 0
