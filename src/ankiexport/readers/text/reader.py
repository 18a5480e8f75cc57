"""Reading a text lesson: its bytes decoded, its lines classified and walked, the result checked into a Lesson."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ...config import Settings
from ...model import Lesson
from .classify import classified_lines
from .decode import decode_lesson_bytes
from .finish import finish_lesson
from .recover import recover_translation
from .state import Parse
from .trailer import compile_patterns
from .walk import step


def read_text_lesson(path: Path, data: bytes, settings: Settings) -> Lesson:
    """Read a text lesson into a Lesson (analysis fields empty); LessonError when it is not a usable lesson."""
    source = str(path)
    text = decode_lesson_bytes(data, source)
    names = (settings.author, settings.course_name)
    state = Parse(
        source,
        patterns=compile_patterns(tuple(settings.trailer_patterns)),
        school_names=tuple(unicodedata.normalize("NFKC", name).casefold().strip() for name in names if name.strip()),
    )
    for line in classified_lines(text):
        step(state, line)
    if not state.translation_line:
        recover_translation(state)
    return finish_lesson(path, state)
