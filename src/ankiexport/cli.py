"""The command line: click commands that only parse options and call the plain functions that do the work."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .config import Declared, Settings, declared_settings

_LESSON_PATH = click.Path(path_type=Path, exists=True)
_DEFAULT_LESSONS = Path("lessons")


def _lesson_paths(paths: tuple[Path, ...]) -> tuple[Path, ...]:
    """The paths given, else the default lessons/ folder, which must exist (a missing path is a usage error)."""
    if paths:
        return paths
    if not _DEFAULT_LESSONS.is_dir():
        raise click.UsageError("no lessons/ folder here: name lesson files or folders, or run from the project root")
    return (_DEFAULT_LESSONS,)


F = TypeVar("F", bound=Callable[..., None])


def _settings(config: Path | None, overrides: dict[str, object]) -> Settings:
    from .config import find_config, load_config, override
    from .diagnostics import print_diagnostics
    from .errors import ConfigError

    path = config if config is not None else find_config(Path.cwd())
    settings, warnings = load_config(path)
    print_diagnostics(str(path), warnings)
    try:
        return override(settings, overrides)
    except ConfigError as exc:  # a flag's value: bad usage, like any other wrong option
        raise click.UsageError(exc.detail) from None


_config_option = click.option(
    "--config",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Settings file (default: ./ankiexport.yaml when it exists).",
)


def _option(item: Declared) -> Callable[[F], F]:
    """The click option of one declared setting; unset, it is None (or ()) and overrides nothing."""
    flag, declared = item.declaration.flag, item.declaration
    assert flag is not None
    choice = click.Choice(declared.choices, case_sensitive=False) if declared.choices else None
    if item.kind is bool:
        return click.option(f"{flag}/--no-{flag[2:]}", item.name, default=None, help=declared.help)
    if item.kind is tuple:
        return click.option(flag, item.name, multiple=True, type=choice, help=declared.help)
    if item.kind is int:  # a whole number; from a list of allowed numbers when the declaration has one
        return click.option(flag, item.name, type=choice or int, callback=_whole, help=declared.help)
    return click.option(flag, item.name, type=choice or str, help=declared.help)


def _whole(context: click.Context, parameter: click.Parameter, value: object) -> int | None:
    return None if value is None else int(str(value))


def _setting_options(command: F) -> F:
    """Every setting that has a flag, as an option of ``command``."""
    for item in reversed(declared_settings()):
        if item.declaration.flag is not None:
            command = _option(item)(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="ankiexport")
def main() -> None:
    """Turn weekly English lessons into Anki decks (.apkg) and printable PDF worksheets."""


@main.command()
@click.argument("lesson", type=_LESSON_PATH)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the format scripts rely on).")
@_config_option
def show(lesson: Path, as_json: bool, config: Path | None) -> None:
    """Print the parsed LESSON: title, sentences, vocabulary, clozes, gap-fill, translation, warnings."""
    from .readers import load_lesson
    from .showing import lesson_as_json, lesson_as_text

    parsed = load_lesson(lesson, _settings(config, {}))
    click.echo(lesson_as_json(parsed) if as_json else lesson_as_text(parsed))


@main.command()
@click.argument("paths", nargs=-1, type=_LESSON_PATH)
@_config_option
def check(paths: tuple[Path, ...], config: Path | None) -> None:
    """Validate lessons (files or folders; default lessons/) and print path:line: warning|error: message."""
    from .build import check_lessons

    failed = check_lessons(list(_lesson_paths(paths)), _settings(config, {}))
    raise SystemExit(1 if failed else 0)


@main.command()
@click.argument("lesson", type=_LESSON_PATH)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Where to write (default: stdout)."
)
@_config_option
def convert(lesson: Path, output: Path | None, config: Path | None) -> None:
    """Convert a text LESSON to the canonical YAML lesson form."""
    from .files import write_atomically
    from .readers import load_lesson
    from .readers.yaml_lesson import dump_yaml_lesson

    text = dump_yaml_lesson(load_lesson(lesson, _settings(config, {})))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, text.encode("utf-8"))


@main.command()
@click.argument("paths", nargs=-1, type=_LESSON_PATH)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Output folder.",
)
@_setting_options
@click.option("--force", is_flag=True, help="Rebuild every lesson even when its inputs are unchanged.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: number of CPUs).")
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings, errors and the summary.")
@click.option("-v", "--verbose", is_flag=True, help="Also print skipped lessons and timings.")
@_config_option
def build(
    paths: tuple[Path, ...],
    out_dir: Path,
    force: bool,
    jobs: int | None,
    quiet: bool,
    verbose: bool,
    config: Path | None,
    **overrides: object,
) -> None:
    """Build lessons (files or folders; default lessons/) into decks and worksheets in --out."""
    from .build import BuildOptions, run_build

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    options = BuildOptions(
        paths=_lesson_paths(paths),
        out_dir=out_dir,
        settings=_settings(config, overrides),
        force=force,
        jobs=jobs or os.cpu_count() or 1,
        verbosity=0 if quiet else 2 if verbose else 1,
    )
    failed = run_build(options)
    raise SystemExit(1 if failed else 0)


_DAY = click.DateTime(formats=["%Y-%m-%d"])


@main.command()
@click.argument("paths", nargs=-1, type=_LESSON_PATH)
@click.option("--from", "start", type=_DAY, help="Only lessons dated on or after this day (YYYY-MM-DD).")
@click.option("--to", "end", type=_DAY, help="Only lessons dated on or before this day (YYYY-MM-DD).")
@click.option("--items", type=click.IntRange(min=1), default=30, show_default=True, help="Items in the test.")
@click.option(
    "--versions", type=click.IntRange(1, 26), default=1, show_default=True, help="Versions A, B, ... (1: no letter)."
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The student edition."
)
@click.option("--page-size", type=click.Choice(["a4", "b5", "letter"], case_sensitive=False), help="Paper size.")
@_config_option
def review(
    paths: tuple[Path, ...],
    start: Any,
    end: Any,
    items: int,
    versions: int,
    output: Path,
    page_size: str | None,
    config: Path | None,
) -> None:
    """A cumulative review test over LESSONS (files or folders; default lessons/) into OUTPUT.pdf and
    OUTPUT-teacher.pdf (with --versions N: OUTPUT-A.pdf, OUTPUT-A-teacher.pdf, ...)."""
    from .review import ReviewOptions, make_review
    from .review.select import SelectionError

    if start and end and start > end:
        raise click.UsageError(f"--from {start:%Y-%m-%d} is after --to {end:%Y-%m-%d}: the date range is empty")
    if output.suffix.lower() != ".pdf":
        raise click.UsageError(f"-o must name a .pdf file, not {output.name!r}")
    options = ReviewOptions(
        paths=tuple(paths) or (Path("lessons"),),
        output=output,
        settings=_settings(config, {"page_size": page_size}),
        start=start.date() if start else None,
        end=end.date() if end else None,
        items=items,
        versions=versions,
    )
    try:
        written = make_review(options)
    except SelectionError as exc:
        raise click.UsageError(str(exc)) from None
    for path in written:
        click.echo(f"wrote {path}")
