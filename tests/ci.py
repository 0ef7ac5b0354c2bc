"""What a test does when a tool it needs is missing: skip and say why on a developer's machine; fail under
CI=true, so that a CI run cannot pass without the tests that need node or chromium ever running."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"true", "1"}


def unavailable(reason: str) -> NoReturn:
    """Call at module level or in a fixture."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: these tests may not skip)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)
