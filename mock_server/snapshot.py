"""State files (--state FILE): a Backend.snapshot() image as JSON, written so that a crash never loses it.

save_snapshot writes to a temporary file in the target's directory, syncs it to disk and renames it over the
target: a reader (or a restart after a crash at any point) sees the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from .models import check_snapshot_format

if TYPE_CHECKING:
    from .models import Backend


def save_snapshot(backend: "Backend", path: str | os.PathLike[str]) -> dict[str, Any]:
    """Write the backend's state to `path` atomically; return the image written."""
    image = backend.snapshot()
    data = orjson.dumps(image)  # before touching the disk: a state that cannot be serialised writes nothing
    target = Path(path)
    directory = target.parent
    directory.mkdir(parents=True, exist_ok=True)
    # Same directory, so that os.replace is a rename within one filesystem (atomic); a crash between the
    # write and the rename leaves this `.name.*.tmp` file behind and the target as it was.
    tmp = tempfile.NamedTemporaryFile(dir=directory, prefix=f".{target.name}.", suffix=".tmp", delete=False)
    try:
        with tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())  # the bytes are on disk before the name points at them
        os.replace(tmp.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        raise
    _fsync_directory(directory)  # make the rename itself durable
    return image


def load_snapshot(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a state file. ValueError (naming the file) when it is not JSON or not a snapshot; the structure
    is checked in full by Backend.restore."""
    try:
        image = orjson.loads(Path(path).read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from None
    try:
        check_snapshot_format(image)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    return image


def _fsync_directory(directory: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory; its rename is durable enough for a mock
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
