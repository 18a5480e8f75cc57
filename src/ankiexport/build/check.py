"""`ankiexport check`: read every lesson and report its warnings and errors, writing nothing."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Settings
from ..diagnostics import format_diagnostic
from ..errors import AnkiexportError
from .sources import find_lessons


def check_lessons(paths: list[Path], settings: Settings) -> int:
    """Read every lesson, print its warnings and errors; return how many lessons have errors."""
    from ..readers import load_lesson

    failed = 0
    for path in find_lessons(paths):
        try:
            lesson = load_lesson(path, settings)
        except AnkiexportError as exc:
            failed += 1
            exc.show()
            continue
        for diagnostic in lesson.warnings:
            click.echo(format_diagnostic(str(path), diagnostic), err=True)
        if any(d.severity == "error" for d in lesson.warnings):
            failed += 1
    return failed
