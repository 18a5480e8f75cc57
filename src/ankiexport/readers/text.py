"""Reader for text lessons as teachers receive them (title, article, gap-fill, vocabulary, translation, trailer)."""

from __future__ import annotations

from pathlib import Path

from ..config import Settings
from ..errors import LessonError
from ..model import Lesson


def read_text_lesson(path: Path, data: bytes, settings: Settings) -> Lesson:
    """Placeholder until the text reader lands."""
    raise LessonError("the text reader is not written yet", str(path))
