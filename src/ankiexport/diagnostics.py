"""The one place user-facing messages are built: ``path:line: severity: message``, the form editors and CI read."""

from __future__ import annotations

from collections.abc import Iterable

import click

from .model import Diagnostic, Severity


def render(path: str | None, line: int | None, severity: Severity, message: str) -> str:
    """``path:line: severity: message``; the line (or the whole location) is left out when unknown."""
    if path is None:
        return f"{severity}: {message}"
    where = f"{path}:{line}" if line is not None else path
    return f"{where}: {severity}: {message}"


def format_diagnostic(path: str, diagnostic: Diagnostic) -> str:
    """One diagnostic as ``path:line: warning: message``."""
    return render(path, diagnostic.line, diagnostic.severity, diagnostic.message)


def print_diagnostics(path: str, diagnostics: Iterable[Diagnostic]) -> None:
    """Print each diagnostic on stderr."""
    for diagnostic in diagnostics:
        click.echo(format_diagnostic(path, diagnostic), err=True)
