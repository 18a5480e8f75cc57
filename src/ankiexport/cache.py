"""A content-addressed cache: a result stored under the hash of everything that determines it, so a hit is right."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from pathlib import Path

from .files import write_atomically


def cache_key(*parts: str | bytes) -> str:
    """One hash of ``parts`` (inputs, options, tool version); parts are length-prefixed so they cannot run together."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def cached(folder: Path, kind: str, key: str, make: Callable[[], bytes]) -> bytes:
    """The bytes stored for ``key`` in ``folder``/``kind``, made (and stored) by ``make`` on a miss.

    A cache that cannot be written only costs time: the result is returned either way.
    """
    path = folder / kind / key[:2] / key
    with contextlib.suppress(OSError):
        return path.read_bytes()
    data = make()
    keep(path, data)
    return data


def keep(path: Path, data: bytes) -> None:
    """Store one cache entry at ``path`` (atomically); a cache that cannot be written only costs time later."""
    with contextlib.suppress(OSError):
        write_atomically(path, data)
