"""Placeholder for the pdf writer."""

from __future__ import annotations

from pathlib import Path

from ..config import Settings
from ..errors import OutputError
from ..model import Lesson
from . import Written


def write_pdf(lesson: Lesson, path: Path, settings: Settings) -> Written:
    """Placeholder until the pdf writer lands."""
    raise OutputError("the pdf writer is not written yet", lesson.source)
