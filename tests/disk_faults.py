"""A full disk where a test wants one: syncing the temporaries whose names match fails as a full disk does."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

import pytest

from ankiexport import files as files_module


def disk_full_for(monkeypatch: pytest.MonkeyPatch, hit: Callable[[str], bool] = lambda name: True) -> None:
    """Make fsync fail with ENOSPC for every temporary whose file name ``hit`` accepts; the others sync as usual."""
    real = files_module.fsync_file

    def sync(path: Path) -> None:
        if hit(path.name):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path)

    monkeypatch.setattr(files_module, "fsync_file", sync)
