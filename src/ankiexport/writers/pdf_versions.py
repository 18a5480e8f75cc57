"""Per-student versions of a lesson's worksheet (A, B, C, ...): the same exercises in other orders, so that
neighbours cannot copy, each version with its own teacher edition."""

from __future__ import annotations

import dataclasses

from ..config import Settings
from ..model import Lesson
from . import Output
from .determinism import version_labels


def version_outputs(lesson: Lesson, settings: Settings, stem: str) -> list[Output]:
    """``<stem>-A.pdf`` and ``<stem>-A-teacher.pdf``, ``<stem>-B.pdf``, ... when ``settings.versions`` > 1.

    Only the worksheet handout varies: the gap-fill handout and the reading handout are the same text in the same
    order for every version, so the plain edition's serve them all (and the versions do not lay them out again).
    The versions are class printing material: teacher outputs, never on the learners' site (which offers the plain
    student edition)."""
    from .pdf import render_editions

    if settings.versions <= 1:
        return []
    plain = dataclasses.replace(settings, reading_page=False)
    outputs = []
    for label in version_labels(settings.versions):
        editions = render_editions(lesson, plain, label)
        _, worksheet, pages = editions.handouts[0]
        outputs.append(Output(f"{stem}-{label}.pdf", worksheet, "teacher", pages=pages))
        outputs.append(Output(f"{stem}-{label}-teacher.pdf", editions.teacher, "teacher", pages=editions.teacher_pages))
    return outputs
