"""Printing warnings and errors as ``path:line: severity: message``, the form editors and CI logs understand."""

from __future__ import annotations

from collections.abc import Iterable

import click

from .model import Diagnostic


def format_diagnostic(path: str, diagnostic: Diagnostic) -> str:
    """One diagnostic as ``path:line: warning: message`` (the line is left out when there is none)."""
    where = f"{path}:{diagnostic.line}" if diagnostic.line is not None else path
    return f"{where}: {diagnostic.severity}: {diagnostic.message}"


def print_diagnostics(path: str, diagnostics: Iterable[Diagnostic]) -> None:
    """Print each diagnostic on stderr."""
    for diagnostic in diagnostics:
        click.echo(format_diagnostic(path, diagnostic), err=True)
