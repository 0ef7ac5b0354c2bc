"""`hubspot-mock proxy` (run an integration against a portal through the shadow mock) and `hubspot-mock replay`
(run a recording of such a run against the mock offline)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import socket
import sys
from typing import Any

import uvicorn

from .. import Settings
from ..app import admin_allowed
from ..cli import settings_from as settings_from_options
from ..settings import PROFILES
from .app import ProxyConfig, create_proxy_app
from .engine import replay
from .recording import Recording
from .report import build_report, render_markdown, report_paths, write_report
from .upstream import DEFAULT_UPSTREAM

PROXY_BANNER = """\
HubSpot proxy on {url} -> {upstream}
  point your integration at {url} with your portal's token: every answer is the upstream's, unchanged
  shadow mock: {profile} profile{changed}; {candidates} candidate settings measured beside it
  comparisons: {url}/__mock/proxy/comparisons{inspector}
  report:      curl -X POST {url}/__mock/proxy/report{report}{record}
"""


def _settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", choices=sorted(PROFILES), help="the shadow mock's fidelity profile (default live)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="any setting of the shadow mock, e.g. --set mixed_batch_status=207"
    )
    parser.add_argument("--seed", metavar="FILE", help="what the portal already holds (contacts, events), for the shadow to start with")
    parser.add_argument("--no-candidates", action="store_true", help="compare with the shadow only; suggest no settings")


def proxy_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hubspot-mock proxy",
        description="Forward every call to a HubSpot portal, answer with its answers, and report where the mock would have answered differently.",
    )
    parser.add_argument("--upstream", default=DEFAULT_UPSTREAM, metavar="URL", help=f"where calls go (default {DEFAULT_UPSTREAM})")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port (default 8090; 0 picks a free one)")
    parser.add_argument("--report", metavar="FILE", help="write the fidelity report to FILE.md and FILE.json on exit")
    parser.add_argument("--record", metavar="FILE", help="keep the exchanges, redacted, as JSON lines (for `hubspot-mock replay`)")
    parser.add_argument("--hash-emails", action="store_true", help="replace every email by a stable sha256 prefix in everything kept")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="upstream timeout (default 30); then a 504")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    _settings_arguments(parser)
    return parser


def replay_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hubspot-mock replay",
        description="Replay a recording of a proxied run against the mock, offline, and report where it answers differently.",
    )
    parser.add_argument("recording", metavar="FILE", help="a recording written by `hubspot-mock proxy --record FILE`")
    parser.add_argument("--report", metavar="FILE", help="write FILE.md and FILE.json (default: the markdown on stdout)")
    parser.add_argument("--fail-on-differences", action="store_true", help="exit 1 when any compared call differs (for CI)")
    _settings_arguments(parser)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """The shadow's settings, read as `hubspot-mock` reads its own (the environment, --set, the flags)."""
    flags: dict[str, tuple[Any, str]] = {}
    if args.profile:
        flags["profile"] = (args.profile, f"--profile {args.profile}")
    if args.seed:
        flags["seed_path"] = (args.seed, f"--seed {args.seed}")
    return settings_from_options(args.set, flags)


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error argparse already explained
        return exc.code if isinstance(exc.code, int) else 2


def proxy_main(argv: list[str]) -> int:
    args = _parse(proxy_parser(), argv)
    if isinstance(args, int):
        return args
    try:
        # The shadow's admin API and inspector are served on the proxy's address: the mock's rule for a bound
        # host applies (anything but loopback closes them unless admin_token is set).
        settings = dataclasses.replace(settings_from(args), host=args.host)
        config = ProxyConfig(
            upstream=args.upstream, settings=settings, report_path=args.report, record_path=args.record,
            hash_emails=args.hash_emails, timeout_s=args.timeout, try_candidates=not args.no_candidates,
        )
        app = create_proxy_app(config)
    except (ValueError, OSError) as exc:
        print(f"hubspot-mock proxy: {exc}", file=sys.stderr)
        return 2
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"hubspot-mock proxy: cannot bind {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    sock.listen(512)
    port = sock.getsockname()[1]
    url = f"http://{args.host}:{port}" if family == socket.AF_INET else f"http://[{args.host}]:{port}"
    engine = app.state.proxy.engine
    changed = engine.describe()["settings"]
    print(
        PROXY_BANNER.format(
            url=url, upstream=args.upstream, profile=settings.profile,
            changed=f" with {', '.join(f'{k}={v}' for k, v in sorted(changed.items()))}" if changed else "",
            candidates=len(engine.candidates),
            inspector=f", and in the inspector: {url}/__mock/ui" if admin_allowed(settings) else "",
            report=f"  (also written to {' and '.join(map(str, report_paths(args.report)))} on exit)" if args.report else "",
            record=f"\n  recording:   {args.record}" + (" (emails hashed)" if args.hash_emails else "") if args.record else "",
        ),
        flush=True,
    )
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"hubspot-mock proxy: WARNING: bound to {args.host}: whoever reaches it uses your portal", file=sys.stderr)
    logging.basicConfig(level=args.log_level.upper(), format="%(message)s", stream=sys.stderr)
    # httpx logs each request at INFO: one to the upstream and one per shadow for every call. The proxy's own
    # line per call says more.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    uvicorn.Server(uvicorn_config(app, args.log_level)).run(sockets=[sock])
    return 0


def uvicorn_config(app: Any, log_level: str = "info") -> uvicorn.Config:
    """No access log: uvicorn's prints each request line, and a query string can carry a hapikey. No `server` or
    `date` header of the proxy's own: the caller gets the upstream's headers, not two of each."""
    return uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="on", server_header=False, date_header=False)


def replay_main(argv: list[str]) -> int:
    args = _parse(replay_parser(), argv)
    if isinstance(args, int):
        return args
    try:
        settings = settings_from(args)
        recording = Recording(args.recording)
        report = asyncio.run(_replay(recording, settings, not args.no_candidates))
    except (ValueError, OSError) as exc:
        print(f"hubspot-mock replay: {exc}", file=sys.stderr)
        return 2
    totals = report["totals"]
    if args.report:
        markdown, data = write_report(report, args.report)
        print(f"hubspot-mock replay: report written to {markdown} and {data}", file=sys.stderr)
    else:
        sys.stdout.write(render_markdown(report))
    print(
        f"hubspot-mock replay: {totals['calls']} calls from {args.recording}: {totals['matched']} matched, "
        f"{totals['differed']} differed, {totals['upstream_faults']} upstream faults, {totals['not_compared']} not compared",
        file=sys.stderr,
    )
    return 1 if args.fail_on_differences and totals["differed"] else 0


async def _replay(recording: Recording, settings: Settings, try_candidates: bool) -> dict[str, Any]:
    engine = await replay(recording.exchanges, settings, upstream=recording.upstream, try_candidates=try_candidates)
    try:
        return build_report(engine)
    finally:
        await engine.aclose()
