"""The learners' site: lesson pages, the index and the Atom feed, each rendered from lesson data to bytes."""

from __future__ import annotations

from .data import Download, LessonAudio, LessonSummary
from .feed import render_feed
from .index_page import render_index
from .lesson_page import render_lesson_page

__all__ = ["Download", "LessonAudio", "LessonSummary", "render_feed", "render_index", "render_lesson_page"]
