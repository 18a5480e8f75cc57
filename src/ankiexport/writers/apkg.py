"""Placeholder for the apkg writer."""

from __future__ import annotations

from pathlib import Path

from ..config import Settings
from ..errors import OutputError
from ..model import Lesson
from . import Written


def write_apkg(lesson: Lesson, path: Path, settings: Settings) -> Written:
    """Placeholder until the apkg writer lands."""
    raise OutputError("the apkg writer is not written yet", lesson.source)
