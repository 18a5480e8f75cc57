"""The build: finds lessons, skips unchanged ones, runs the writers, and writes every file atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click

from .config import Settings
from .diagnostics import format_diagnostic
from .errors import AnkiexportError, LessonError, OutputError


@dataclass(frozen=True)
class BuildOptions:
    """What one `ankiexport build` run was asked to do."""

    paths: tuple[Path, ...]  # lesson files or folders
    out_dir: Path  # where outputs go
    settings: Settings  # merged config and flags
    force: bool = False  # rebuild even unchanged lessons
    jobs: int = 1  # worker processes
    verbosity: int = 1  # 0 quiet, 1 normal, 2 verbose


def find_lessons(paths: Iterable[Path]) -> list[Path]:
    """Lesson files named by ``paths`` (folders are searched recursively), sorted and without duplicates."""
    from .readers import is_lesson_file

    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                relative = candidate.relative_to(path)
                if any(part.startswith(".") for part in relative.parts):
                    continue
                if candidate.is_file() and is_lesson_file(candidate):
                    found[candidate] = None
        elif path.exists():
            found[path] = None
        else:
            raise LessonError("no such file or folder", str(path))
    return list(found)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers only ever see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_lessons(paths: list[Path], settings: Settings) -> int:
    """Read every lesson, print its warnings and errors; return how many lessons have errors."""
    from .readers import load_lesson

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


def run_build(options: BuildOptions) -> int:
    """Build every lesson in ``options``; return the number of lessons that failed."""
    from .readers import load_lesson
    from .writers import WRITERS

    if options.out_dir.exists() and not options.out_dir.is_dir():
        raise OutputError("--out is a file, not a folder", str(options.out_dir))
    options.out_dir.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in find_lessons(options.paths):
        try:
            lesson = load_lesson(path, options.settings)
            for diagnostic in lesson.warnings:
                click.echo(format_diagnostic(str(path), diagnostic), err=True)
            for name in options.settings.formats:
                target = options.out_dir / f"{lesson.id}.{name}"
                handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=options.out_dir)
                os.close(handle)
                try:
                    WRITERS[name](lesson, Path(temporary), options.settings)
                    os.replace(temporary, target)
                finally:
                    Path(temporary).unlink(missing_ok=True)
            if options.verbosity:
                click.echo(f"built {path}")
        except AnkiexportError as exc:
            failed += 1
            exc.show()
    return failed
