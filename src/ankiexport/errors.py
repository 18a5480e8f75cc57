"""The one error family of ankiexport: problems a user can fix, reported as ``path:line: message``, no traceback."""

from __future__ import annotations

from typing import IO, Any

import click


def os_reason(exc: OSError) -> str:
    """What an OSError says to a user: its system message ("Permission denied"), or the error itself without one."""
    return exc.strerror or str(exc)


class AnkiexportError(click.ClickException):
    """A problem with the user's input or environment; click prints it and exits with ``exit_code`` (1)."""

    exit_code = 1

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.detail = message
        super().__init__(self.location() + message)

    def location(self) -> str:
        """The ``path:line: `` prefix (or ``path: ``, or nothing) that names where the problem is."""
        if self.path is None:
            return ""
        if self.line is None:
            return f"{self.path}: "
        return f"{self.path}:{self.line}: "

    def render(self) -> str:
        """The message as users see it: ``path:line: error: message``."""
        from .diagnostics import render

        return render(self.path, self.line, "error", self.detail)

    def show(self, file: IO[Any] | None = None) -> None:
        # The message already says where; click's "Error: " prefix would hide the path from editors' jump-to-error.
        click.echo(self.render(), file=file, err=file is None)


class LessonError(AnkiexportError):
    """A lesson file that cannot be read or is not a usable lesson."""


class ConfigError(AnkiexportError):
    """An ``ankiexport.yaml`` that cannot be read or has wrong keys or values."""


class OutputError(AnkiexportError):
    """An output folder or file that cannot be written."""
