"""The lesson page writer: the learners' page for one lesson, linking the lesson's learner files beside it."""

from __future__ import annotations

from collections.abc import Sequence

from ..config import Settings
from ..model import Lesson
from ..site import Download, render_lesson_page
from . import Output, WriteContext

# What a lesson page offers for download, by format: learner files only (the worksheet's student edition,
# "<stem>.pdf"; teacher editions are never linked from the site).
LEARNER_DOWNLOADS = ("apkg", "pdf")


def lesson_downloads(stem: str, settings: Settings) -> tuple[Download, ...]:
    """The lesson's learner files this build writes, in the order the page lists them."""
    return tuple(Download(f"{stem}.{kind}", kind) for kind in LEARNER_DOWNLOADS if kind in settings.formats)


def lesson_page_outputs(lesson: Lesson, context: WriteContext) -> Sequence[Output]:
    """``<stem>.html``."""
    settings = context.settings
    page = render_lesson_page(lesson, course=settings.course_name, downloads=lesson_downloads(context.stem, settings))
    return [Output(f"{context.stem}.html", page, "learner")]
