"""Writing files so that readers only ever see the old file or the whole new one (temporary beside it, renamed)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

TEMP_RE = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")  # what temporary_beside names; a killed build may leave them


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()  # what a plain open() would give; mkstemp's 0600 would hide outputs from a web server


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers only ever see the old file or the whole new one."""
    write_all_atomically([(path, data)])


def write_all_atomically(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every file, then rename them all into place: when any write fails, none of them is replaced."""
    with contextlib.ExitStack() as stack:
        staged = []
        for path, data in files:
            with _naming(path):
                path.parent.mkdir(parents=True, exist_ok=True)
                temporary = stack.enter_context(temporary_beside(path))
                temporary.write_bytes(data)
                seal(temporary)
            staged.append((temporary, path))
        for temporary, path in staged:
            with _naming(path):
                os.replace(temporary, path)


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
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())


def seal(temporary: Path) -> None:
    """Make a finished temporary safe to rename into place: on disk (a crash after the rename must not leave an
    empty file) and with the permissions an ordinarily written file has."""
    fsync_file(temporary)
    os.chmod(temporary, _FILE_MODE)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
