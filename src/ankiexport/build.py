"""The build: finds lessons, skips unchanged ones, runs the writers in worker processes, and writes atomically."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import sys
import tempfile
import time
import traceback
import unicodedata
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import Settings, settings_fingerprint
from .diagnostics import format_diagnostic
from .errors import AnkiexportError, LessonError, OutputError
from .model import Lesson
from .revisions import FileHistory, git_histories, note_revision_times, revision_times

__all__ = ["BuildOptions", "check_lessons", "find_lessons", "revision_times", "run_build", "write_atomically"]

STATE_NAME = ".ankiexport-state.json"
LOCK_NAME = ".ankiexport.lock"
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.html"
COMBINED_STEM = "all-lessons"
_TEMP_RE = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")
STATE_VERSION = 1


@dataclass(frozen=True)
class BuildOptions:
    """What one `ankiexport build` run was asked to do."""

    paths: tuple[Path, ...]  # lesson files or folders
    out_dir: Path  # where outputs go
    settings: Settings  # merged config and flags
    force: bool = False  # rebuild even unchanged lessons
    jobs: int = 1  # worker processes
    verbosity: int = 1  # 0 quiet, 1 normal, 2 verbose


@dataclass(frozen=True)
class Job:
    """One lesson to build, as sent to a worker process."""

    source: Path  # the lesson file
    stem: str  # safe output file stem (from the lesson id)
    revised: int  # Unix time of the lesson's last change (drives Anki note modification times)
    fingerprint: str  # hash of every input; equal fingerprints mean equal outputs
    history: FileHistory | None = None  # the file's git history, for per-note revision times; None outside git
    write: bool = True  # False: only read and analyse it (an unchanged lesson the combined deck needs)


@dataclass
class JobResult:
    """What a worker reports back: the lesson's metadata and artifacts, or why it failed."""

    source: str
    fingerprint: str
    ok: bool
    messages: list[str] = field(default_factory=list)  # formatted warnings (and the error when not ok)
    lesson: dict[str, Any] = field(default_factory=dict)  # id, title, date
    artifacts: list[dict[str, Any]] = field(default_factory=list)  # one per file written
    seconds: float = 0.0
    parsed: Lesson | None = None  # the analysed lesson, for the combined deck (saves parsing it twice)
    wrote: bool = False  # True when this job was asked to write the lesson's files


# --------------------------------------------------------------------------------------------------- discovery


def find_lessons(paths: Iterable[Path]) -> list[Path]:
    """Lesson files named by ``paths`` (folders are searched recursively, hidden entries skipped), sorted, unique."""
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
        elif path.is_file():
            found[path] = None
        else:
            raise LessonError("no such file or folder", str(path))
    return list(found)


def safe_stem(lesson_id: str) -> str:
    """A file stem from a lesson id that cannot leave the output folder or hide itself (``..``, ``/``, ``:``)."""
    text = unicodedata.normalize("NFC", lesson_id)
    cleaned = "".join(ch if (ch.isalnum() or ch in "-_.") else "-" for ch in text)
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-.") or "lesson"
    return cleaned[:100]


# --------------------------------------------------------------------------------------------------- writing


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers only ever see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(path) as temporary:
        temporary.write_bytes(data)
        _seal(temporary)
        os.replace(temporary, path)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds exactly ``data``; True when it was written."""
    with contextlib.suppress(OSError):
        if path.read_bytes() == data:
            return False
    write_atomically(path, data)
    return True


@contextlib.contextmanager
def _temporary_beside(path: Path) -> Iterator[Path]:
    """A fresh temporary file name in ``path``'s folder (so the final rename is atomic), removed if still there."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())


def _seal(temporary: Path) -> None:
    """Make a finished temporary safe to rename into place: on disk (a crash after the rename must not leave an
    empty file) and with the permissions an ordinarily written file has."""
    _fsync_file(temporary)
    _publishable(temporary)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()  # what a plain open() would give; mkstemp's 0600 would hide outputs from a web server


def _publishable(path: Path) -> None:
    """Give a finished temporary the permissions an ordinarily written file has, before it is renamed into place."""
    os.chmod(path, _FILE_MODE)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------------- check


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


# --------------------------------------------------------------------------------------------------- inputs


def _code_fingerprint() -> str:
    """The tool's version plus a hash of its own source, so a changed checkout rebuilds even without a new version."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _fonts_fingerprint() -> str:
    """Names, sizes and modification times of the font files (hashing 16 MB of fonts on every no-op build is waste)."""
    try:
        from .fonts import font_dir

        folder: Path | None = font_dir()
    except (ImportError, OSError, AnkiexportError):
        folder = None
    if folder is None:
        return "no-fonts"
    parts = []
    for font in sorted(folder.iterdir()):
        if font.is_file():
            info = font.stat()
            parts.append(f"{font.name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _lesson_fingerprint(data: bytes, revised: int, history: FileHistory | None, base: str) -> str:
    digest = hashlib.sha256(base.encode())
    digest.update(str(revised).encode())
    digest.update(repr(history.commits if history else ()).encode())  # per-note times come from these commits
    digest.update(data)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------------- workers

_worker_settings: Settings | None = None


def _init_worker(settings: Settings, formats: tuple[str, ...]) -> None:
    """Per worker process: keep the settings and pay the writers' import and font costs once, not per lesson."""
    global _worker_settings
    _worker_settings = settings
    with contextlib.suppress(Exception):  # a broken writer is reported per lesson, with its message
        if "pdf" in formats:
            from .writers import pdf

            pdf.prepare(settings)
        if "apkg" in formats:
            from .writers import apkg  # noqa: F401


def _build_one(job: Job, out_dir: Path, settings: Settings | None = None) -> JobResult:
    """Read, analyse and write one lesson; all its files appear together or not at all."""
    from .readers import load_lesson
    from .writers import WRITERS

    settings = settings or _worker_settings or Settings()
    started = time.perf_counter()
    result = JobResult(source=str(job.source), fingerprint=job.fingerprint, ok=False, wrote=job.write)
    try:
        lesson = dataclasses.replace(load_lesson(job.source, settings), revised=job.revised)
        if job.history is not None and "apkg" in settings.formats:
            times = note_revision_times(lesson, job.source, job.history, settings)
            lesson = dataclasses.replace(lesson, note_revised=tuple(sorted(times.items())))
        if any(d.severity == "error" for d in lesson.warnings):
            raise LessonError("lesson has errors; nothing was written", str(job.source))
        result.parsed = lesson
        result.lesson = {"id": lesson.id, "title": lesson.title, "date": lesson.date}
        if not job.write:  # its warnings were shown when it was built
            result.ok = True
            return result
        result.messages = [format_diagnostic(str(job.source), d) for d in lesson.warnings]
        with contextlib.ExitStack() as stack:
            staged: list[tuple[Path, Path]] = []
            for name in settings.formats:
                target = out_dir / f"{job.stem}.{name}"
                temporary = stack.enter_context(_temporary_beside(target))
                written = WRITERS[name](lesson, temporary, settings)
                _seal(temporary)
                staged.append((temporary, target))
                result.artifacts.append(
                    {
                        "file": target.name,
                        "format": name,
                        "lesson": lesson.id,
                        "title": lesson.title,
                        "date": lesson.date,
                        "notes": written.notes,
                        "cards": written.cards,
                        "pages": written.pages,
                        "size": temporary.stat().st_size,
                        "sha256": _sha256(temporary),
                    }
                )
            # Rename only when every format succeeded, so a lesson never ends up half updated.
            for artifact, (temporary, target) in zip(result.artifacts, staged, strict=True):
                os.replace(temporary, target)
                artifact["mtime_ns"] = target.stat().st_mtime_ns
        result.ok = True
    except AnkiexportError as exc:
        result.messages.append(f"{exc.location()}error: {exc.detail}" if exc.path else f"{job.source}: error: {exc}")
    except OSError as exc:
        result.messages.append(f"{job.source}: error: cannot write output: {exc.strerror or exc}")
    except Exception as exc:  # a bug must not take down the other lessons; say so plainly
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        result.messages.append(f"{job.source}: error: internal error while building this lesson: {detail}")
    result.seconds = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------------------------------- state


def _load_state(out_dir: Path) -> dict[str, Any]:
    try:
        state = json.loads((out_dir / STATE_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return {"version": STATE_VERSION, "lessons": {}}
    if (
        not isinstance(state, dict)
        or state.get("version") != STATE_VERSION
        or not isinstance(state.get("lessons"), dict)
    ):
        return {"version": STATE_VERSION, "lessons": {}}
    return state


def _save_state(out_dir: Path, state: dict[str, Any]) -> None:
    """Record what was built; it only ever lists files that were completely written and renamed into place."""
    write_if_changed(out_dir / STATE_NAME, json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False).encode())


def _outputs_intact(out_dir: Path, entry: dict[str, Any]) -> bool:
    """True when every file recorded for a lesson is still there, untouched since we wrote it."""
    for artifact in entry.get("artifacts", []):
        try:
            info = (out_dir / artifact["file"]).stat()
        except (OSError, KeyError, TypeError):
            return False
        if info.st_size != artifact.get("size") or info.st_mtime_ns != artifact.get("mtime_ns"):
            return False
    return bool(entry.get("artifacts"))


def _check_out_dir(out_dir: Path) -> None:
    """Fail before any work when ``--out`` cannot hold the build."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError("--out names a file, not a folder", str(out_dir))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with _temporary_beside(out_dir / ".write-test"):
            pass
    except OSError as exc:
        raise OutputError(f"cannot write to the output folder: {exc.strerror or exc}", str(out_dir)) from None


def _clean_stale_temporaries(out_dir: Path) -> int:
    """Remove temporaries a killed build left behind (we hold the lock, so none belongs to a live build)."""
    removed = 0
    for entry in out_dir.iterdir():
        if _TEMP_RE.match(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
            removed += 1
    return removed


@contextlib.contextmanager
def _build_lock(out_dir: Path) -> Iterator[None]:
    """Only one build at a time per output folder: two would clean each other's temporaries."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks; builds must not overlap
        yield
        return
    with open(out_dir / LOCK_NAME, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputError("another ankiexport build is writing to this folder", str(out_dir)) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------------- the build


class _Reporter:
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
        elif self.verbosity >= 1 and result.ok:
            names = ", ".join(a["file"] for a in result.artifacts)
            timing = f" ({result.seconds:.2f}s)" if self.verbosity >= 2 else ""
            click.echo(f"built {result.source} -> {names}{timing}")

    def echo(self, message: str, err: bool = False) -> None:
        if self.bar is not None:
            click.echo("", err=True)  # keep messages off the bar's line
        click.echo(message, err=err)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def run_build(options: BuildOptions) -> int:
    """Build every lesson in ``options`` into ``options.out_dir``; return the number of lessons that failed."""
    out_dir = options.out_dir
    _check_out_dir(out_dir)
    sources = find_lessons(options.paths)
    with _build_lock(out_dir):
        _clean_stale_temporaries(out_dir)
        return _run_locked(options, sources)


def _run_locked(options: BuildOptions, sources: list[Path]) -> int:
    out_dir, settings = options.out_dir, options.settings
    started = time.perf_counter()
    state = _load_state(out_dir)
    entries: dict[str, Any] = state["lessons"]
    base = "\n".join([_code_fingerprint(), settings_fingerprint(settings), _fonts_fingerprint()])
    histories = git_histories(sources)
    revised = revision_times(sources, histories)
    failures: list[str] = []

    # Output names come from lesson ids (file stems); two sources with one id would overwrite each other.
    jobs: list[Job] = []
    by_stem: dict[str, Path] = {}
    from .readers import MAX_LESSON_BYTES

    for source in sources:
        stem = safe_stem(source.stem)
        if stem in by_stem:
            message = f"{source}: error: has the same lesson id as {by_stem[stem]}; rename one of them"
            click.echo(message, err=True)
            failures.append(message)
            continue
        by_stem[stem] = source
        try:
            if source.stat().st_size > MAX_LESSON_BYTES:
                data = b"too large: %d" % source.stat().st_size  # the reader refuses it; no need to hash 10 MB
            else:
                data = source.read_bytes()
        except OSError as exc:
            message = f"{source}: error: cannot read: {exc.strerror or exc}"
            click.echo(message, err=True)
            failures.append(message)
            continue
        history = histories.get(source)
        fingerprint = _lesson_fingerprint(data, revised[source], history, base)
        jobs.append(Job(source, stem, revised[source], fingerprint, history))

    todo: list[Job] = []
    for job in jobs:
        entry = entries.get(str(job.source))
        fresh = (
            entry is not None
            and entry.get("fingerprint") == job.fingerprint
            and _outputs_intact(out_dir, entry)
            and {a["format"] for a in entry["artifacts"]} == set(settings.formats)
        )
        if fresh and not options.force:
            if options.verbosity >= 2:
                click.echo(f"unchanged {job.source}")
        else:
            todo.append(job)

    # The combined deck needs every lesson; when it must be rebuilt, unchanged lessons are only read, in the
    # same pool, instead of one by one at the end.
    combined_target = out_dir / f"{COMBINED_STEM}.apkg"
    previous_combined = state.get("combined") or {}
    want_combined = "apkg" in settings.formats and bool(jobs)
    combined_stale = want_combined and (
        options.force
        or previous_combined.get("fingerprint") != _combined_fingerprint(base, jobs)
        or not _outputs_intact(out_dir, {"artifacts": [previous_combined]})
    )
    rebuilding = {job.source for job in todo}
    fresh = [job for job in jobs if job.source not in rebuilding]
    work = todo + ([dataclasses.replace(job, write=False) for job in fresh] if combined_stale else [])

    parsed: dict[str, tuple[Job, Lesson]] = {}
    job_of = {str(job.source): job for job in jobs}
    saved = time.monotonic()
    reporter = _Reporter(len(todo), options.verbosity)
    try:
        for result in _run_jobs(work, out_dir, settings, options.jobs):
            if result.ok and result.parsed is not None:
                parsed[result.source] = (job_of[result.source], result.parsed)
            if not result.wrote:
                continue
            reporter.lesson(result)
            if result.ok:
                entries[result.source] = {
                    "fingerprint": result.fingerprint,
                    "lesson": result.lesson,
                    "artifacts": result.artifacts,
                }
                if time.monotonic() - saved > 2:  # so a build killed late keeps most of its work
                    _save_state(out_dir, state)
                    saved = time.monotonic()
            else:
                failures.append(result.messages[-1] if result.messages else f"{result.source}: error")
    finally:
        reporter.close()

    # Forget lessons whose source file is gone, and remove the files we built for them.
    for recorded in list(entries):
        if not Path(recorded).exists():
            for artifact in entries[recorded].get("artifacts", []):
                (out_dir / artifact["file"]).unlink(missing_ok=True)
            del entries[recorded]

    combined_written = False
    if combined_stale:
        combined_written = _write_combined(combined_target, state, base, [parsed[s] for s in sorted(parsed)], settings)
    elif not want_combined and state.pop("combined", None) is not None:
        combined_target.unlink(missing_ok=True)
        combined_written = True
    manifest_written = _write_manifest(out_dir, state, settings)
    index_written = _write_index(out_dir, state, settings)
    _save_state(out_dir, state)

    built = sum(1 for job in todo if entries.get(str(job.source), {}).get("fingerprint") == job.fingerprint)
    seconds = time.perf_counter() - started
    extras = [
        name
        for name, done in (
            ("combined deck", combined_written),
            ("manifest", manifest_written),
            ("index", index_written),
        )
        if done
    ]
    summary = (
        f"{built} built, {len(jobs) - len(todo)} unchanged, {len(failures)} failed"
        + (f"; updated {', '.join(extras)}" if extras else "")
        + f" ({seconds:.1f}s)"
    )
    if failures:
        click.echo(summary, err=True)
        click.echo("failed:", err=True)
        for failure in failures:
            click.echo(f"  {failure}", err=True)
    elif options.verbosity >= 1:
        click.echo(summary)
    return len(failures)


def _run_jobs(todo: list[Job], out_dir: Path, settings: Settings, jobs: int) -> Iterator[JobResult]:
    """Run the jobs in worker processes (or inline for one job or one worker: a pool costs more than it saves)."""
    if not todo:
        return
    workers = min(jobs, len(todo))
    if workers <= 1:
        _init_worker(settings, settings.formats)
        for job in todo:
            yield _build_one(job, out_dir, settings)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(settings, settings.formats)
    ) as pool:
        futures: dict[Future[JobResult], Job] = {pool.submit(_build_one, job, out_dir): job for job in todo}
        for future in as_completed(futures):
            job = futures[future]
            try:
                yield future.result()
            except Exception as exc:  # a worker that died (killed, out of memory) fails only its lesson
                yield JobResult(
                    source=str(job.source),
                    fingerprint=job.fingerprint,
                    ok=False,
                    messages=[f"{job.source}: error: worker process failed: {exc}"],
                )


# --------------------------------------------------------------------------------------------------- combined outputs


def _sorted_entries(entries: dict[str, Any]) -> list[dict[str, Any]]:
    """Lessons newest first (by date, then id), the order of the index page and manifest."""
    return sorted(
        entries.values(),
        key=lambda e: (e["lesson"].get("date") or "", e["lesson"]["id"]),
        reverse=True,
    )


def _combined_fingerprint(base: str, jobs: Iterable[Job]) -> str:
    """What the combined deck depends on: the settings, the code, and every lesson in it."""
    digest = hashlib.sha256(base.encode())
    for job in sorted(jobs, key=lambda j: str(j.source)):
        digest.update(f"\n{job.source}:{job.fingerprint}".encode())
    return digest.hexdigest()


def _write_combined(
    target: Path, state: dict[str, Any], base: str, lessons: list[tuple[Job, Lesson]], settings: Settings
) -> bool:
    """The deck with every lesson that builds as a subdeck (same note GUIDs as the per-lesson decks)."""
    from .writers.apkg import write_combined_apkg

    fingerprint = _combined_fingerprint(base, [job for job, _ in lessons])
    previous = state.get("combined") or {}
    if previous.get("fingerprint") == fingerprint and _outputs_intact(target.parent, {"artifacts": [previous]}):
        return False  # some lessons failed, and the ones that build are what the deck already holds
    if not lessons:
        return False
    with _temporary_beside(target) as temporary:
        written = write_combined_apkg([lesson for _, lesson in lessons], temporary, settings)
        _seal(temporary)
        os.replace(temporary, target)
    info = target.stat()
    state["combined"] = {
        "fingerprint": fingerprint,
        "file": target.name,
        "format": "apkg",
        "notes": written.notes,
        "cards": written.cards,
        "lessons": len(lessons),
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "sha256": _sha256(target),
    }
    return True


def _write_manifest(out_dir: Path, state: dict[str, Any], settings: Settings) -> bool:
    """manifest.json: every lesson and artifact with counts, size and sha256, for the publishing job."""
    entries = state["lessons"]
    artifacts = []
    for entry in _sorted_entries(entries):
        for artifact in entry["artifacts"]:
            artifacts.append({k: v for k, v in artifact.items() if k != "mtime_ns"})
    combined = state.get("combined")
    manifest = {
        "generator": f"ankiexport {__version__}",
        "deck_name": settings.deck_name,
        "lessons": [
            {"id": e["lesson"]["id"], "title": e["lesson"]["title"], "date": e["lesson"]["date"]}
            for e in _sorted_entries(entries)
        ],
        "artifacts": artifacts,
        "combined": {k: v for k, v in combined.items() if k not in ("fingerprint", "mtime_ns")} if combined else None,
    }
    # Sorted keys: artifacts fresh from a worker and ones loaded from the state must serialise the same way.
    data = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
    return write_if_changed(out_dir / MANIFEST_NAME, data)


def _write_index(out_dir: Path, state: dict[str, Any], settings: Settings) -> bool:
    """index.html: the lessons newest first with their deck and worksheet links, for GitHub Pages."""
    from .index_page import render_index

    page = render_index(_sorted_entries(state["lessons"]), settings, state.get("combined"))
    return write_if_changed(out_dir / INDEX_NAME, page.encode("utf-8"))
