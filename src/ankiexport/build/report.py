"""What the build tells its user: a progress bar at a terminal, one plain line per lesson in CI logs, a summary."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from .runner import JobResult


class Reporter:
    """Progress for people at a terminal, one plain line per lesson for CI logs."""

    def __init__(self, total: int, verbosity: int) -> None:
        self.verbosity = verbosity
        self.bar: Any = None
        if verbosity >= 1 and total > 1 and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label="Building", file=sys.stderr)
            self.bar.__enter__()

    def lesson(self, result: JobResult) -> None:
        for message in result.messages:
            self.echo(message, err=True)
        if self.bar is not None:
            self.bar.update(1)
        elif self.verbosity >= 1 and result.ok and result.record is not None:
            names = ", ".join(a.file for a in result.record.artifacts)
            timing = f" ({result.seconds:.2f}s)" if self.verbosity >= 2 else ""
            click.echo(f"built {result.source.path} -> {names}{timing}")

    def echo(self, message: str, err: bool = False) -> None:
        if self.bar is not None:
            click.echo("", err=True)  # keep messages off the bar's line
        click.echo(message, err=err)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def summary(built: int, unchanged: int, failures: Sequence[str], updated: Sequence[str], seconds: float) -> None:
    """The last lines of every build: counts, what combined outputs changed, and each failure again."""
    line = (
        f"{built} built, {unchanged} unchanged, {len(failures)} failed"
        + (f"; updated {', '.join(updated)}" if updated else "")
        + f" ({seconds:.1f}s)"
    )
    if not failures:
        click.echo(line)
        return
    click.echo(line, err=True)
    click.echo("failed:", err=True)
    for failure in failures:
        click.echo(f"  {failure}", err=True)
