"""One build at a time per output folder, by a kernel lock that dies with its holder (so a killed build's lock is
taken over by the next one)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputError, os_reason

LOCK_NAME = ".ankiexport.lock"


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[int | None]:
    """Hold the folder's lock for the block; yields the lock's file descriptor (workers close their copy)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks; builds must not overlap
        yield None
        return
    path = out_dir / LOCK_NAME
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot open the build lock: {os_reason(exc)}", str(path)) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputError("another ankiexport build is writing to this folder", str(out_dir)) from None
        yield handle
    finally:
        os.close(handle)  # closing the last descriptor releases the lock
