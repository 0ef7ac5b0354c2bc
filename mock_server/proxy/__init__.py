"""Compare the mock with a real HubSpot portal: a proxy that forwards an integration's calls to the portal,
applies each one to a shadow mock as well, and reports, call by call, where the mock would have answered
differently, and which of its settings would have matched.

`hubspot-mock proxy` serves it (cli.py); `hubspot-mock replay` runs a recording of such a run offline.
"""

from .app import ProxyConfig, create_proxy_app
from .engine import Comparison, FidelityEngine, replay
from .recording import Recorder, Recording
from .report import build_report, render_markdown, write_report

__all__ = [
    "Comparison", "FidelityEngine", "ProxyConfig", "Recorder", "Recording", "build_report", "create_proxy_app",
    "render_markdown", "replay", "write_report",
]
