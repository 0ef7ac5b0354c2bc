"""`hubspot-mock` / `python -m mock_server`: serve the mock (the default), or run a sub-command.

    hubspot-mock [serve] [--port 8090] [--set NAME=VALUE ...]     serve the mock
    hubspot-mock settings [--json] [WORD]                         list every setting
    hubspot-mock proxy [--upstream URL] [--report FILE] ...       run through to a real portal, compare with the mock
    hubspot-mock replay FILE [--report FILE]                      compare a recorded proxy run with the mock, offline

A user's mistake (a bad setting, a broken seed or faults file, a port taken) is one message on stderr and exit
status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import socket
import sys
from typing import Any, Callable

import uvicorn

from .app import admin_allowed, create_app, is_loopback
from .exceptions import HubSpotError
from .server import ServerLimits, raise_open_files_limit, tune_gc, uvicorn_config
from .settings import PROFILES, STRICT_READ_LAGS, Settings, SettingError, parse_setting, unknown_environment_variables
from .settings_table import as_json, as_text, rows
from .snapshot import remove_stale_temporaries

PROG = "hubspot-mock"
USAGE_STATUS = 2  # what argparse exits with for a usage error; every user mistake exits so


class UsageError(Exception):
    """A command-line mistake, said in one line."""


# A mistake in what the user gave (settings, files, a port) rather than a bug: reported without a traceback.
USER_MISTAKES = (SettingError, UsageError, ValueError, OSError, HubSpotError)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        name, args = args[0], args[1:]
    else:
        name = "serve"  # `hubspot-mock [options]` serves, as it always has
    command = COMMANDS.get(name)
    try:
        if command is None:
            guess = difflib.get_close_matches(name, COMMANDS, n=1)
            hint = f"; did you mean {guess[0]}?" if guess else ""
            raise UsageError(f"unknown command {name!r}{hint} (commands: {', '.join(COMMANDS)})")
        return command(args)
    except USER_MISTAKES as exc:
        print(f"{PROG}: {_said(exc)}", file=sys.stderr)
        return USAGE_STATUS


def _said(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc)


# ---------------------------------------------------------------------------------------------- serve
BANNER = """\
HubSpot Marketing Events mock ({profile} profile) on {url}
  spec:        {url}/openapi.json
  token:       {tokens}{seed}
  Python SDK:  hubspot.Client.create(access_token="{token}", host="{url}")
  Node SDK:    new Client({{ accessToken: "{token}", basePath: "{url}" }}){inspector}
"""
FLAG_SETTINGS = ("host", "port", "seed_path", "profile", "log_level", "faults_path", "state_path")


def serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Serve the HubSpot Marketing Events mock (the default command: `hubspot-mock [options]`).",
        epilog=f"other commands: {', '.join(n for n in COMMANDS if n != 'serve')} "
        f"(`{PROG} settings` lists every setting --set takes, with its type, default and why)",
    )
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8090; 0 picks a free one)")
    parser.add_argument("--seed", dest="seed_path", metavar="FILE", help="contacts, events, property definitions, tokens (JSON or YAML)")
    parser.add_argument("--profile", choices=sorted(PROFILES), help="fidelity profile (default live)")
    parser.add_argument(
        "--strict", action="store_true", help="reads lag writes as HubSpot's do (1 s; event counters 10 s; identifiers 60 s)"
    )
    parser.add_argument("--state", dest="state_path", metavar="FILE", help="load state from FILE at start, save it there on shutdown")
    parser.add_argument("--faults", dest="faults_path", metavar="FILE", help="fault rules to arm at start (JSON or YAML)")
    parser.add_argument("--rate-limits", action="store_true", help="enforce HubSpot's rate limits with its 429s")
    parser.add_argument("--log-level", choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--access-log", action="store_true", help="a log line per request (off: the journal has them)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help=f"any setting, e.g. --set mixed_batch_status=207 (`{PROG} settings` lists them)"
    )
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return serve_parser().parse_args(argv)


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The environment, then --set, then the flags. A mistake names the option it came from."""
    flags: dict[str, tuple[Any, str]] = {}
    if args.rate_limits:
        flags["enforce_rate_limits"] = (True, "--rate-limits")
    if args.access_log:
        flags["access_log"] = (True, "--access-log")
    for name in FLAG_SETTINGS:
        value = getattr(args, name)
        if value is not None:
            flags[name] = (value, f"--{name.removesuffix('_path').replace('_', '-')} {value}")
    if args.strict:
        flags.update({name: (value, "--strict") for name, value in STRICT_READ_LAGS.items()})
    return settings_from(args.set, flags)


def settings_from(set_items: list[str], flags: dict[str, tuple[Any, str]]) -> Settings:
    """The environment, then `--set NAME=VALUE` items, then flags (name -> (value, the option it came from))."""
    overrides: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for item in set_items:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set {item}: expected NAME=VALUE, e.g. --set mixed_batch_status=207")
        try:
            overrides[name] = parse_setting(name, raw)
        except SettingError as exc:
            raise exc.at(f"--set {item}") from None
        sources[name] = f"--set {item}"
    for name, (value, source) in flags.items():
        overrides[name], sources[name] = value, source
    try:
        return Settings.from_env(**overrides)
    except SettingError as exc:
        if exc.source is None and exc.name in sources:
            raise exc.at(sources[exc.name]) from None
        raise


def serve(argv: list[str]) -> int:
    args = parse_args(argv)
    for warning in unknown_environment_variables():
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    settings = settings_from_args(args)
    if settings.state_path:
        for stale in remove_stale_temporaries(settings.state_path):
            print(f"{PROG}: removed {stale}, left by a save that was interrupted", file=sys.stderr)
    app = create_app(settings)
    raise_open_files_limit()
    # Bind first, so the banner shows the real port (also with --port 0) and early clients queue.
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot bind {settings.host}:{settings.port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    # Warnings before the banner: a client (or a test) that acts on the banner finds them printed already.
    if not is_loopback(settings.host):
        print(f"{PROG}: WARNING: bound to {settings.host}, reachable from other machines", file=sys.stderr)
        if settings.admin_enabled and not admin_allowed(settings):
            print(f"{PROG}: the /__mock/ admin API is off: set admin_token to use it off loopback", file=sys.stderr)
    if not settings.accept_any_token and not app.state.mock.backend.tokens:
        print(f"{PROG}: WARNING: accept_any_token=false and no token is seeded: every call will be answered 401", file=sys.stderr)
    print(banner(settings, app, sock.getsockname()[1]), flush=True)
    tune_gc()
    config = uvicorn_config(app, settings.log_level, settings.access_log, ServerLimits.from_settings(settings), [sock])
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def banner(settings: Settings, app: object, port: int) -> str:
    host = settings.host
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    seeded = len(app.state.mock.backend.tokens)  # type: ignore[attr-defined]
    if settings.accept_any_token:
        tokens = f"any non-empty Bearer token is app {settings.default_app_id} of portal {settings.default_portal_id}"
        tokens += f"; the seed's {seeded} token(s) as seeded" if seeded else ""
        token = "any-token"
    else:
        tokens = f"only the seed's tokens are accepted ({seeded} seeded); any other token is a 401 (accept_any_token=false)"
        token = "<a token from the seed>"
    return BANNER.format(
        profile=settings.profile, url=url, tokens=tokens, token=token,
        seed=f"\n  seed:        {settings.seed_path}" if settings.seed_path else "",
        inspector=f"\n  inspector:   {url}/__mock/ui" if admin_allowed(settings) else "",
    )


# ---------------------------------------------------------------------------------------------- settings
def list_settings(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} settings",
        description="Every setting: its type, default, value in each profile, and why it exists.",
    )
    parser.add_argument("match", nargs="?", help="only settings whose name contains this")
    parser.add_argument("--json", action="store_true", help="as JSON (one object per setting)")
    args = parser.parse_args(argv)
    table = rows(args.match)
    if not table:
        raise UsageError(f"no setting's name contains {args.match!r} ({PROG} settings lists them all)")
    listing = as_json(table) if args.json else as_text(table)
    sys.stdout.write(listing if listing.endswith("\n") else listing + "\n")
    return 0


# One line per command; `hubspot-mock NAME ...` runs COMMANDS[NAME] with the rest of the arguments.
def proxy(argv: list[str]) -> int:
    from .proxy.cli import proxy_main  # loaded only when asked for: it brings httpx's client and the report

    return proxy_main(argv)


def replay(argv: list[str]) -> int:
    from .proxy.cli import replay_main

    return replay_main(argv)


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "serve": serve,
    "settings": list_settings,
    "proxy": proxy,
    "replay": replay,
}
