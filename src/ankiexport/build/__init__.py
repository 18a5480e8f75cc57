"""The build: lessons in, outputs out; lock, plan (pure), run (workers), record (typed state), publish."""

from __future__ import annotations

from ..files import write_atomically
from ..revisions import revision_times
from .check import check_lessons
from .core import BuildOptions, run_build
from .sources import find_lessons, safe_stem

__all__ = [
    "BuildOptions",
    "check_lessons",
    "find_lessons",
    "revision_times",
    "run_build",
    "safe_stem",
    "write_atomically",
]
