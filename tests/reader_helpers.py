"""What the reader tests check: a lesson's content without line numbers, and the error a bad lesson file raises."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ankiexport.config import Settings
from ankiexport.errors import LessonError
from ankiexport.model import Lesson


def content_without_lines(lesson: Lesson) -> tuple[object, ...]:
    """Every field a reader fills, without lines (they point into one file) or warnings."""
    translation = lesson.translation
    return (
        lesson.title,
        lesson.date,
        tuple(p.text for p in lesson.article),
        lesson.gapfill,
        tuple((e.term, e.gloss, e.explanation) for e in lesson.vocabulary),
        None if translation is None else (translation.title, translation.paragraphs),
        lesson.trailer,
    )


def assert_refused(read: Callable[[Path], Lesson], path: Path, line: int | None, message: str) -> None:
    """Reading ``path`` raises a LessonError naming that file and line, whose message holds ``message``."""
    with pytest.raises(LessonError) as caught:
        read(path)
    assert caught.value.path == str(path)
    assert caught.value.line == line
    assert message in caught.value.detail


def assert_lesson_or_error(reader: Callable[[Path, bytes, Settings], Lesson], path: Path, data: bytes) -> None:
    """Any bytes give a usable lesson (title, article, vocabulary, every entry glossed) or a LessonError naming the
    file, never another exception."""
    try:
        lesson = reader(path, data, Settings())
    except LessonError as exc:
        error: LessonError | None = exc
    else:
        error = None
    if error is not None:
        assert (error.path, bool(error.detail)) == (str(path), True)
        return
    assert lesson.title
    assert lesson.article
    assert lesson.vocabulary
    assert all(entry.gloss for entry in lesson.vocabulary)
