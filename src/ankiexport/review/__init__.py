"""The cumulative review test: chosen lessons in, student and teacher editions (per version) of one test out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import click

from ..config import Settings
from ..diagnostics import render
from ..errors import AnkiexportError, LessonError
from ..model import Lesson
from ..writers.determinism import version_labels


@dataclass(frozen=True)
class ReviewOptions:
    """What one `ankiexport review` run was asked to do."""

    paths: tuple[Path, ...]  # lesson files or folders
    output: Path  # the student edition, e.g. review.pdf; the teacher edition is review-teacher.pdf
    settings: Settings
    start: dt.date | None = None  # only lessons dated on or after this day
    end: dt.date | None = None  # only lessons dated on or before this day
    items: int = 30
    versions: int = 1


def output_names(output: Path, versions: int) -> list[tuple[str, Path, Path]]:
    """(version, student file, teacher file) per version: review.pdf and review-teacher.pdf, or review-A.pdf,
    review-A-teacher.pdf, review-B.pdf, ..."""
    stem, suffix = output.stem, output.suffix
    names = []
    for label in version_labels(versions):
        base = f"{stem}-{label}" if label else stem
        names.append((label, output.with_name(base + suffix), output.with_name(f"{base}-teacher{suffix}")))
    return names


def _in_range(lesson: Lesson, options: ReviewOptions) -> bool:
    if options.start is None and options.end is None:
        return True
    if lesson.date is None:
        click.echo(render(lesson.source, None, "warning", "has no date; left out of a review by date"), err=True)
        return False
    day = dt.date.fromisoformat(lesson.date)
    return (options.start is None or options.start <= day) and (options.end is None or day <= options.end)


def read_lessons(options: ReviewOptions) -> list[Lesson]:
    """The chosen lessons, oldest first. A lesson that cannot be read fails the whole test (nothing is written):
    a review that silently left out a lesson the teacher chose would not be the test they asked for."""
    from ..build import find_lessons
    from ..readers import load_lesson

    lessons: list[Lesson] = []
    failed = 0
    for path in find_lessons(options.paths):
        try:
            lesson = load_lesson(path, options.settings)
        except AnkiexportError as exc:
            exc.show()
            failed += 1
            continue
        errors = [d for d in lesson.warnings if d.severity == "error"]
        for diagnostic in errors:
            click.echo(render(str(path), diagnostic.line, "error", diagnostic.message), err=True)
        failed += bool(errors)
        if not errors and _in_range(lesson, options):
            lessons.append(lesson)
    if failed:
        raise LessonError(f"{failed} lesson{'s' if failed > 1 else ''} cannot be read; no review test was written")
    if not lessons:
        where = ", ".join(str(p) for p in options.paths)
        raise LessonError(f"no lessons{_range_text(options)} in {where}; no review test was written")
    return sorted(lessons, key=lambda lesson: (lesson.date or "", lesson.id))


def _range_text(options: ReviewOptions) -> str:
    if options.start and options.end:
        return f" dated {options.start} to {options.end}"
    if options.start:
        return f" dated {options.start} or later"
    if options.end:
        return f" dated {options.end} or earlier"
    return ""


def make_review(options: ReviewOptions) -> list[Path]:
    """Write the test's editions (all of them, or none: they are renamed into place together); return their paths."""
    from ..files import write_all_atomically
    from .layout import render_review
    from .select import available, select, shared_only

    lessons = read_lessons(options)
    items = options.items
    if items > available(lessons):
        items = available(lessons)
        message = f"these lessons teach {items} distinct terms; the test asks all {items}, not {options.items}"
        click.echo(render(None, None, "warning", message), err=True)
    for lesson in shared_only(lessons):
        message = "teaches no term that another chosen lesson does not teach too; its items are theirs"
        click.echo(render(lesson.source, None, "warning", message), err=True)
    selection = select(lessons, items)
    if selection.items() < items:  # terms that only sentences which would give others away could ask
        message = f"only {selection.items()} items could be drawn without one giving another away, not {items}"
        click.echo(render(None, None, "warning", message), err=True)
    files: list[tuple[Path, bytes]] = []
    for label, student, teacher in output_names(options.output, options.versions):
        editions = render_review(selection, options.settings, label)
        files += [(student, editions.student), (teacher, editions.teacher)]
    write_all_atomically(files)
    return [path for path, _ in files]
