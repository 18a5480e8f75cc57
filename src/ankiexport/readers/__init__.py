"""Lesson readers: a plain mapping from file suffix to the function that reads that kind of file into a Lesson."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from ..config import Settings
from ..errors import LessonError, os_reason
from ..model import Lesson
from .text import read_text_lesson
from .yaml_lesson import read_yaml_lesson

# Every reader: (path, raw bytes, settings) -> Lesson with analysis fields still empty. Readers never analyse.
Reader = Callable[[Path, bytes, Settings], Lesson]

READERS: dict[str, Reader] = {
    ".txt": read_text_lesson,
    ".yaml": read_yaml_lesson,
    ".yml": read_yaml_lesson,
}

MAX_LESSON_BYTES = 1_000_000  # the sample is 10 KB; a 1 MB "lesson" is a wrong file, and parsing it would be slow


def is_lesson_file(path: Path) -> bool:
    """True for files a lesson folder scan should pick up (known suffix, not hidden, not our config)."""
    return path.suffix.lower() in READERS and not path.name.startswith(".") and path.name != "ankiexport.yaml"


def read_lesson(path: Path, data: bytes, settings: Settings) -> Lesson:
    """Read one lesson file with the reader its suffix names, then run the analysis that fills the model.

    When worksheets are made, characters none of the bundled fonts has are warned about here, so that `check` and
    `show` tell the teacher too, not only the build.
    """
    from ..analysis import analyse

    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise LessonError(f"unknown lesson file type {path.suffix or '(none)'!r}; known: {known}", str(path))
    if len(data) > MAX_LESSON_BYTES:
        raise LessonError(f"file is {len(data):,} bytes; lessons are limited to {MAX_LESSON_BYTES:,} bytes", str(path))
    with _collector_paused():
        lesson = analyse(reader(path, data, settings), gapfill=settings.gapfill)
    if "pdf" not in settings.formats:
        return lesson
    from ..fonts import coverage_warnings

    found = coverage_warnings(lesson)
    return replace(lesson, warnings=(*lesson.warnings, *found)) if found else lesson


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a lesson is read and analysed.

    Reading and analysis make no reference cycles (a test checks), but they make many objects that stay: a 1 MB
    lesson about a million, and the collector walked all of them again at each of its full collections while they
    were made (about a fifth of the reading's CPU). Paused, they are walked once or twice, later.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def load_lesson(path: Path, settings: Settings) -> Lesson:
    """Read and analyse the lesson at ``path``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LessonError(f"cannot read: {os_reason(exc)}", str(path)) from None
    return read_lesson(path, data, settings)
