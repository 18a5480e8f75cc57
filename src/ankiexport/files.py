"""Writing files so that readers only ever see the old file or the whole new one (temporary beside it, renamed)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

TEMP_RE = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")  # what temporary_beside names; a killed build may leave them


# Temporaries are created with 0o666 less the umask, what a plain open() gives (mkstemp's 0600 would hide outputs
# from a web server), and only ever as new files.
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers only ever see the old file or the whole new one."""
    write_all_atomically([(path, data)])


def write_all_atomically(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every file, then rename them all into place: when any write fails, none of them is replaced."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            with _naming(path):
                staged.append((_sealed_temporary(path, data), path))
        while staged:
            temporary, path = staged[0]
            with _naming(path):
                os.replace(temporary, path)
            del staged[0]
    finally:
        for temporary, _ in staged:  # a write or rename failed: the rest stay as they were
            temporary.unlink(missing_ok=True)


def _sealed_temporary(path: Path, data: bytes) -> Path:
    """``data`` in a fresh temporary beside ``path``, on disk. A build writes thousands of these, so plain system
    calls (no buffered file objects), and created with the permissions an ordinarily written file has (no chmod)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")  # a name TEMP_RE knows
    try:
        handle = os.open(temporary, _CREATE, 0o666)
    except FileNotFoundError:  # a new folder: made once, not checked before every file
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(temporary, _CREATE, 0o666)
    try:
        try:
            with memoryview(data) as view:
                written = 0
                while written < len(view):
                    written += os.write(handle, view[written:])
        finally:
            os.close(handle)
        fsync_file(temporary)  # a crash after the rename must not leave an empty file
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Report an OSError as being about ``path`` (not the temporary), so messages name the file the user knows."""
    try:
        yield
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds exactly ``data``; True when it was written."""
    with contextlib.suppress(OSError):
        if path.read_bytes() == data:
            return False
    write_atomically(path, data)
    return True


@contextlib.contextmanager
def temporary_beside(path: Path) -> Iterator[Path]:
    """A fresh temporary file name in ``path``'s folder (so the final rename is atomic), removed if still there."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def fsync_file(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
