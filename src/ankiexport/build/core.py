"""The build as it reads: lock, plan, run, record, publish."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click

from ..config import Settings
from ..diagnostics import render
from ..errors import ConfigError, LessonError, OutputError, os_reason
from ..files import TEMP_RE, sha256_bytes, temporary_beside, write_if_changed
from ..model import Lesson
from ..revisions import source_date_epoch
from ..writers import DECK_PARTS, Output
from . import lessoncache
from .lessoncache import Shelf
from .lock import LOCK_NAME, build_lock
from .plan import Disk, Plan, lessons_fingerprint, plan
from .publish import PUBLISHERS, Publication, newest_first, reads_lessons
from .report import Reporter, summary
from .runner import Job, JobResult, Workspace, run_jobs
from .sources import base_fingerprint, find_lessons, gather
from .state import STATE_NAME, Artifact, PublishedRecord, State, StateError, load_state, plain_name, save_state

CACHE_NAME = ".ankiexport-cache"


@dataclass(frozen=True)
class BuildOptions:
    """What one `ankiexport build` run was asked to do."""

    paths: tuple[Path, ...]  # lesson files or folders
    out_dir: Path  # where outputs go
    settings: Settings  # merged config and flags
    force: bool = False  # rebuild even unchanged lessons
    jobs: int = 1  # worker processes
    verbosity: int = 1  # 0 quiet, 1 normal, 2 verbose


@dataclass
class Outcome:
    """What the run step produced, for recording and publishing."""

    lessons: dict[str, Lesson | bytes] = field(default_factory=dict)  # analysed lessons (or cache entries) by id
    fingerprints: dict[str, str] = field(default_factory=dict)  # their input fingerprints, by id
    built: int = 0
    failures: list[str] = field(default_factory=list)


def run_build(options: BuildOptions) -> int:
    """Build every lesson in ``options`` into ``options.out_dir``; return the number of lessons that failed."""
    out_dir = options.out_dir
    _check_environment()
    paths = find_lessons(options.paths)
    if not paths:
        where = ", ".join(str(path) for path in options.paths)
        raise LessonError("no lesson files found (.txt, .yaml, .yml); nothing was built or published", where)
    _check_out_dir(out_dir)
    _say_once_how_to_get_audio(options)
    with build_lock(out_dir) as lock_fd:
        _clean_stale_temporaries(out_dir)
        try:
            return _run_locked(options, paths, lock_fd)
        except KeyboardInterrupt:
            raise OutputError(
                "interrupted; files already written are whole, the rest keep their previous version", str(out_dir)
            ) from None


def _say_once_how_to_get_audio(options: BuildOptions) -> None:
    """Decks without the audio extra fall back to Anki's text-to-speech; say so once per build, not per lesson."""
    from .. import speech
    from ..writers import speech_cache

    wanted = "apkg" in options.settings.formats and speech_cache(options.out_dir, options.settings) is not None
    if wanted and options.verbosity >= 1 and not speech.available():
        click.echo(speech.AUDIO_HINT, err=True)


def _check_environment() -> None:
    """Refuse settings from the environment that would fail later, in a worker or inside reportlab."""
    try:
        source_date_epoch()
    except ValueError as exc:
        raise ConfigError(str(exc), "SOURCE_DATE_EPOCH") from None


def _run_locked(options: BuildOptions, paths: list[Path], lock_fd: int | None) -> int:
    started = time.perf_counter()
    out_dir, settings = options.out_dir, options.settings
    state = _load_state(out_dir)
    sources = gather(paths, base_fingerprint(settings))
    the_plan = plan(sources, state, settings, options.force, disk=_disk(out_dir, state))
    outcome = Outcome(failures=[render(p.path, None, "error", p.message) for p in the_plan.failures])
    for failure in outcome.failures:
        click.echo(failure, err=True)
    workspace = Workspace(out_dir, out_dir / CACHE_NAME, settings, lesson_objects=reads_lessons(settings))
    _run(the_plan, workspace, options, lock_fd, state, outcome)
    _forget(out_dir, state, the_plan.forget)
    updated = _publish(workspace, state, outcome, the_plan, options.force)
    _save(out_dir, state)
    _prune(workspace.cache_dir, {r.fingerprint for r in state.lessons.values()} | set(outcome.fingerprints.values()))
    if options.verbosity >= 0:
        summary(outcome.built, len(the_plan.unchanged), outcome.failures, updated, time.perf_counter() - started)
    return len(outcome.failures)


def _run(
    the_plan: Plan, space: Workspace, options: BuildOptions, lock_fd: int | None, state: State, outcome: Outcome
) -> None:
    """Run the plan's jobs, recording each lesson as soon as it is written (a build killed late keeps its work)."""
    if options.verbosity >= 2:
        for source in the_plan.unchanged:
            click.echo(f"unchanged {source.path}")
    unread = [s for s in the_plan.read if not lessoncache.cache_path(space.cache_dir, s.fingerprint).is_file()]
    jobs = [Job(s) for s in the_plan.build] + [Job(s, write=False) for s in unread]
    reporter = Reporter(len(the_plan.build), options.verbosity)
    saved = time.monotonic()
    try:
        with contextlib.closing(run_jobs(jobs, space, options.jobs, lock_fd)) as results:
            for result in results:
                _record(result, space.out_dir, state, outcome, reporter)
                if time.monotonic() - saved > 2:  # a build killed late keeps most of its work
                    with contextlib.suppress(OutputError):
                        _save(space.out_dir, state)
                    saved = time.monotonic()
    finally:
        reporter.close()
    for source in the_plan.unchanged:
        outcome.fingerprints.setdefault(source.id, source.fingerprint)


def _record(result: JobResult, out_dir: Path, state: State, outcome: Outcome, reporter: Reporter) -> None:
    if result.ok and result.listing is not None:
        outcome.lessons[result.listing.id] = result.lesson or result.analysed
        outcome.fingerprints[result.listing.id] = result.source.fingerprint
    if not result.wrote:
        return
    reporter.lesson(result)
    if not result.ok or result.record is None:
        outcome.failures.append(
            result.messages[-1] if result.messages else render(str(result.source.path), None, "error", "failed")
        )
        return
    previous = state.lessons.get(result.record.id)
    state.lessons[result.record.id] = result.record
    outcome.built += 1
    if previous is not None:
        kept = {a.file for a in result.record.artifacts}
        _remove(out_dir, [a for a in previous.artifacts if a.file not in kept])


def _forget(out_dir: Path, state: State, lesson_ids: Iterable[str]) -> None:
    """Drop lessons whose source is gone, and the files the build recorded for them."""
    for lesson_id in lesson_ids:
        record = state.lessons.pop(lesson_id)
        _remove(out_dir, record.artifacts)


def _prune(cache_dir: Path, keep: set[str]) -> None:
    """Drop kept lessons and deck parts no recorded lesson needs any more (old versions of changed lessons)."""
    for kind in (lessoncache.KIND, DECK_PARTS):
        for path in (cache_dir / kind).glob("*/*"):
            if path.name.split(".")[0] not in keep:
                path.unlink(missing_ok=True)


def _remove(out_dir: Path, artifacts: Iterable[Artifact]) -> None:
    """Delete files the build wrote and recorded, only while they are as it left them (never a user's file)."""
    for artifact in artifacts:
        path = out_dir / artifact.file
        with contextlib.suppress(OSError):
            info = path.stat()
            if not plain_name(artifact.file) or (info.st_size, info.st_mtime_ns) != (artifact.size, artifact.mtime_ns):
                continue
            if sha256_bytes(path.read_bytes()) == artifact.sha256:
                path.unlink()


def _publish(space: Workspace, state: State, outcome: Outcome, the_plan: Plan, force: bool) -> list[str]:
    """Run every publisher in order; return the labels of those whose files changed."""
    updated = []
    for name, publisher in PUBLISHERS.items():
        needs = publisher.needs_lessons(space.settings)
        fingerprint = lessons_fingerprint(name, outcome.fingerprints.items()) if needs else ""
        if needs and not outcome.fingerprints:
            continue  # every lesson failed: keep what was published rather than publish nothing
        current = name not in the_plan.stale or _current(space.out_dir, state.published.get(name), fingerprint)
        if needs and current and not force:
            continue
        publication = Publication(
            space.settings,
            newest_first(list(state.lessons.values())),
            Shelf(outcome.lessons, outcome.fingerprints, space.cache_dir) if needs else {},
            dict(state.published),
            space.cache_dir,
            outcome.fingerprints if needs else {},
        )
        count = len(outcome.fingerprints) if needs else len(state.lessons)
        try:
            if _write_publication(space.out_dir, state, name, publisher.publish(publication), (fingerprint, count)):
                updated.append(publisher.label)
        except OutputError as exc:
            outcome.failures.append(exc.render())
            click.echo(exc.render(), err=True)
    return updated


def _write_publication(
    out_dir: Path, state: State, name: str, outputs: Sequence[Output], made_from: tuple[str, int]
) -> bool:
    """Write a publisher's files (those that changed), record them, remove the ones it no longer makes."""
    changed = []
    for output in outputs:
        try:
            changed.append(write_if_changed(out_dir / output.name, output.data))
        except OSError as exc:
            raise OutputError(f"cannot write: {os_reason(exc)}", str(out_dir / output.name)) from None
    artifacts = tuple(_published_artifact(out_dir, output) for output in outputs)
    previous = state.published.get(name)
    kept = {a.file for a in artifacts}
    dropped = [a for a in (previous.artifacts if previous else ()) if a.file not in kept]
    _remove(out_dir, dropped)
    state.published[name] = PublishedRecord(*made_from, artifacts)
    return any(changed) or bool(dropped)


def _current(out_dir: Path, record: PublishedRecord | None, fingerprint: str) -> bool:
    """True when a publisher's recorded files were made from exactly these lessons and are untouched."""
    if record is None or record.fingerprint != fingerprint:
        return False
    return _disk(out_dir, State(published={"x": record})).intact(record.artifacts)


def _published_artifact(out_dir: Path, output: Output) -> Artifact:
    from ..files import sha256_bytes

    info = (out_dir / output.name).stat()
    suffix = Path(output.name).suffix.lstrip(".")
    return Artifact(
        output.name,
        suffix,
        output.audience,
        len(output.data),
        sha256_bytes(output.data),
        info.st_mtime_ns,
        output.notes,
        output.cards,
        output.pages,
    )


def _disk(out_dir: Path, state: State) -> Disk:
    """The recorded files as they are on disk now, and the recorded sources that are gone."""
    artifacts = [a for r in state.lessons.values() for a in r.artifacts]
    artifacts += [a for r in state.published.values() for a in r.artifacts]
    files: dict[str, tuple[int, int]] = {}
    for artifact in artifacts:
        with contextlib.suppress(OSError):
            info = (out_dir / artifact.file).stat()
            files[artifact.file] = (info.st_size, info.st_mtime_ns)
    missing = frozenset(r.source for r in state.lessons.values() if not Path(r.source).exists())
    return Disk(files, missing)


def _save(out_dir: Path, state: State) -> None:
    try:
        save_state(out_dir / STATE_NAME, state)
    except OSError as exc:
        raise OutputError(f"cannot record the build: {os_reason(exc)}", str(out_dir / STATE_NAME)) from None


def _load_state(out_dir: Path) -> State:
    """The recorded state; one that cannot be trusted is set aside with a warning, and everything is rebuilt."""
    path = out_dir / STATE_NAME
    try:
        return load_state(path)
    except StateError as exc:
        aside = path.with_name(path.name + ".broken")
        with contextlib.suppress(OSError):
            os.replace(path, aside)
        click.echo(
            render(str(path), None, "warning", f"set aside as {aside.name} ({exc}); rebuilding everything"), err=True
        )
        return State()


def _check_out_dir(out_dir: Path) -> None:
    """Fail before any work when ``--out`` cannot hold the build."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError("--out names a file, not a folder", str(out_dir))
    for name in (STATE_NAME, LOCK_NAME, CACHE_NAME):
        if (out_dir / name).is_dir() != (name == CACHE_NAME) and (out_dir / name).exists():
            raise OutputError(
                "is a folder where the build keeps a file" if name != CACHE_NAME else "is not a folder",
                str(out_dir / name),
            )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with temporary_beside(out_dir / ".write-test"):
            pass
    except OSError as exc:
        raise OutputError(f"cannot write to the output folder: {os_reason(exc)}", str(out_dir)) from None


def _clean_stale_temporaries(out_dir: Path) -> int:
    """Remove temporaries a killed build left behind (we hold the lock, so none belongs to a live build)."""
    removed = 0
    for entry in out_dir.iterdir():
        if TEMP_RE.match(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
            removed += 1
    return removed
