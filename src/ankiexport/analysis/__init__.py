"""Analysis: pure functions that fill a read Lesson's sentences, clozes, gap-fill exercise and translation ties."""

from __future__ import annotations

from ..model import Lesson


def analyse(lesson: Lesson) -> Lesson:
    """The lesson with every analysis field filled in and the analysis's warnings appended."""
    # Placeholder until the analysis lands: sentences, clozes and gap-fill stay empty.
    return lesson
