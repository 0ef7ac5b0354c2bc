"""A local, stateful mock of HubSpot's Marketing Events v3 API."""

from .app import create_app
from .backend import Backend, Principal
from .settings import Settings

__all__ = ["Backend", "Principal", "Settings", "create_app"]
