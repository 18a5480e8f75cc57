"""The runner: builds lessons in worker processes (or inline), each lesson's files written together or not at all."""

# Workers only compute (read, analyse, render); the build process writes what they return, on a few threads, so
# that no worker waits for the disk: every file is fsynced before it is renamed into place, and a sample lesson's
# seven fsyncs took about 25 ms on a busy machine, four times its deck. A parallel build loads what every worker
# needs (imports, fonts, lemminflect's tables, the CMU dictionary) once, before it forks them: the workers share that
# memory instead of each loading it.

from __future__ import annotations

import collections
import contextlib
import dataclasses
import gc
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import keep
from ..config import Settings
from ..diagnostics import format_diagnostic, render
from ..errors import AnkiexportError, LessonError, os_reason
from ..files import write_all_atomically
from ..model import Lesson
from ..writers import WRITERS, Output, WriteContext
from . import lessoncache
from .notetimes import note_revision_times
from .sources import Source
from .state import Artifact, LessonRecord, plain_name


@dataclass(frozen=True)
class Job:
    """One lesson for a worker: build it, or only read it (an unchanged lesson a publisher needs)."""

    source: Source
    write: bool = True


@dataclass(frozen=True)
class Workspace:
    """What every job of one build shares."""

    out_dir: Path
    cache_dir: Path
    settings: Settings
    # False when no publisher reads the analysed lessons themselves (the combined deck works from kept parts): a
    # worker then sends each lesson back as its cache entry's bytes, decoded only if asked for, not as thousands of
    # objects for the build process to unpickle and its collector to walk.
    lesson_objects: bool = True


@dataclass
class JobResult:
    """What a worker reports back: the lesson's record and analysed lesson, or why it failed."""

    source: Source
    wrote: bool  # True when the job was asked to write the lesson's files
    ok: bool = False
    messages: list[str] = field(default_factory=list)  # rendered warnings (and the error when not ok)
    record: LessonRecord | None = None
    lesson: Lesson | None = None  # not sent from a worker when ``analysed`` stands in for it
    seconds: float = 0.0
    outputs: list[tuple[str, Output]] = field(default_factory=list)  # (format, file) for the build process to write
    kept: list[tuple[Path, bytes]] = field(default_factory=list)  # cache entries for the build process to store
    listing: LessonRecord | None = None  # the lesson's record but for its files, made where the lesson is
    analysed: bytes = b""  # the lesson's cache entry, sent instead of the lesson (see Workspace.lesson_objects)

    def __getstate__(self) -> dict[str, object]:
        state = dict(vars(self))
        if self.analysed:
            state["lesson"] = None  # its cache entry's bytes (in ``analysed`` and ``kept``, pickled once) carry it
        return state


_workspace: Workspace | None = None


def prepare_worker(workspace: Workspace, parent: int | None = None, lock_fd: int | None = None) -> None:
    """Per worker process: die with the parent, let go of its lock, and pay the writers' start-up costs once."""
    global _workspace
    _workspace = workspace
    if parent is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to report, once, without tracebacks
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held while the build forked us
        _die_with(parent)
        if lock_fd is not None:
            with contextlib.suppress(OSError):
                os.close(lock_fd)  # a forked copy would keep the build lock held after the parent's death
    with contextlib.suppress(Exception):  # a broken writer is reported per lesson, with its message
        for name in workspace.settings.formats:
            WRITERS[name].prepare(workspace.settings)


# Read and analysed in the build process before it forks its workers, so that what a first lesson loads (the reader's
# patterns, lemminflect's tables, the CMU dictionary, pysbd, the fonts' character sets) is loaded once, and shared.
_WARM_UP_LESSON = """Tokyo Cafés Tap into Tourist Demand
Small cafés in Tokyo are gaining traction with visitors from abroad. Mr. Abe said the weak yen is a crucial factor.
■ Vocabulary
- gain traction
- 和訳: 勢いを増す、人気を得る
- 解説: 支持を得て軌道に乗ること。
■ 和訳
東京のカフェ、観光需要を取り込む
東京の小さなカフェが海外からの訪問者の間で人気を集めている。安倍氏は、円安が決定的な要因だと話す。
""".encode()


def _warm_up(settings: Settings) -> None:
    """Load, in the build process, what every worker would otherwise load for itself; forked workers share it."""
    from ..readers import read_lesson

    with contextlib.suppress(Exception):  # whatever fails here fails again, reported per lesson, in the workers
        for name in settings.formats:
            WRITERS[name].prepare(settings)
        read_lesson(Path("warm-up.txt"), _WARM_UP_LESSON, settings)


def _die_with(parent: int) -> None:
    """Ask the kernel to kill this worker when the build process dies (Linux); exit if it already has."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


WRITING_THREADS = 4  # lessons whose files are being written at once: fsync waits, not CPU
HELD_RESULTS = 16  # finished lessons waiting for their files to be written, at most (their bytes are in memory)


def run_jobs(
    jobs: Sequence[Job], workspace: Workspace, workers: int, lock_fd: int | None
) -> Generator[JobResult, None, None]:
    """Run the jobs (in worker processes, or inline for one job or one worker: a pool costs more than it saves),
    and write each lesson's files; yield each lesson once its files are in place."""
    if not jobs:
        return
    if min(workers, len(jobs)) <= 1:
        prepare_worker(workspace)
        yield from _written((build_one(job, workspace) for job in jobs), workspace)
        return
    yield from _in_workers(jobs, workspace, min(workers, len(jobs)), lock_fd)


def _in_workers(jobs: Sequence[Job], workspace: Workspace, workers: int, lock_fd: int | None) -> Iterator[JobResult]:
    _warm_up(workspace.settings)
    arguments = (workspace, os.getpid(), lock_fd)
    context = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=prepare_worker, initargs=arguments)
    try:
        gc.freeze()  # what this process holds now is the workers' too: their collector need never walk it
        try:
            with _interrupts_held():  # Ctrl-C during a fork would be swallowed by fork handlers, in both processes
                futures: dict[Future[JobResult], Job] = {pool.submit(build_one, job): job for job in jobs}
        finally:
            gc.unfreeze()  # the workers are forked (all of them, at the first submit); this process collects as usual
        yield from _written((_result(future, futures[future]) for future in as_completed(futures)), workspace)
    except BaseException:  # Ctrl-C or the caller stopping early: stop the workers now, not after their lessons
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _written(results: Iterable[JobResult], space: Workspace) -> Iterator[JobResult]:
    """Each result once its files are written (on writing threads, while the next lessons are being built)."""
    with ThreadPoolExecutor(WRITING_THREADS, thread_name_prefix="ankiexport-write") as writing:
        pending: collections.deque[Future[JobResult]] = collections.deque()
        for result in results:
            pending.append(writing.submit(finish, result, space))
            while pending and (pending[0].done() or len(pending) > HELD_RESULTS):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold SIGINT (it is delivered when the block ends) where Python could not turn it into KeyboardInterrupt."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _result(future: Future[JobResult], job: Job) -> JobResult:
    try:
        return future.result()
    except Exception as exc:  # a worker that died (killed, out of memory) fails only its lesson
        message = render(str(job.source.path), None, "error", f"worker process failed: {exc}")
        return JobResult(job.source, job.write, messages=[message])


def build_one(job: Job, workspace: Workspace | None = None) -> JobResult:
    """Read, analyse and (when asked) render one lesson: its files and cache entries, for ``finish`` to write."""
    space = workspace or _workspace
    assert space is not None, "prepare_worker runs first"
    started = time.perf_counter()
    result = JobResult(job.source, job.write)
    with _reported(result):
        _build(job, space, result)
        result.ok = True
    result.seconds = time.perf_counter() - started
    return result


def finish(result: JobResult, space: Workspace) -> JobResult:
    """Store a built lesson's cache entries and write its files, all together or none (in the build process)."""
    started = time.perf_counter()
    for path, data in result.kept:
        keep(path, data)
    if result.ok and result.wrote and result.listing is not None:
        result.ok = False
        with _reported(result):
            _write(result, space, result.listing)
            result.ok = True
    result.kept, result.outputs = [], []  # written: let their bytes go
    if result.lesson is not None:
        result.analysed = b""  # built in this process: the lesson itself stands in for its entry's bytes
    result.seconds += time.perf_counter() - started
    return result


@contextlib.contextmanager
def _reported(result: JobResult) -> Iterator[None]:
    """Turn what fails while building or writing a lesson into that lesson's error message."""
    path = str(result.source.path)
    try:
        yield
    except AnkiexportError as exc:
        result.messages.append(exc.render() if exc.path else render(path, None, "error", exc.detail))
    except OSError as exc:
        target = f" {exc.filename}" if exc.filename else " output"
        result.messages.append(render(path, None, "error", f"cannot write{target}: {os_reason(exc)}"))
    except Exception as exc:  # a bug must not take down the other lessons; say so plainly
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        result.messages.append(render(path, None, "error", f"internal error while building this lesson: {detail}"))


def _build(job: Job, space: Workspace, result: JobResult) -> None:
    lesson = _analysed(job.source, space.settings)
    _settled(lesson)
    entry = lessoncache.entry(space.cache_dir, job.source.fingerprint, lesson)
    result.kept.append(entry)  # for later publishers
    result.lesson, result.listing = lesson, _listing(job.source, lesson)
    if not space.lesson_objects:
        result.analysed = entry[1]
    if not job.write:  # its warnings were shown when it was built
        return
    result.messages = [format_diagnostic(str(job.source.path), d) for d in lesson.warnings]
    _warn_left_out(job, space.settings, lesson, result)
    source, settings = job.source, space.settings
    times = dict(lesson.note_revised)
    context = WriteContext(
        settings, source.stem, space.cache_dir, lesson.revised, times, source.fingerprint, keep=_collect(result)
    )
    result.outputs = [(name, output) for name in settings.formats for output in WRITERS[name](lesson, context)]
    _check_names([output for _, output in result.outputs])


# From this many sentences on, a lesson's objects are moved out of the collector's reach while its files are made.
SETTLED_SENTENCES = 5_000


def _settled(lesson: Lesson) -> None:
    """Keep a large lesson's objects (a 1 MB lesson's are about a million) out of the cyclic collector's walks
    while its files are made: each full collection walked them all again (the 992 KB lesson's build spent 0.8 s
    CPU in full collections, now 0.4 s and 0.13 s for the one below). They are freed by reference counting when
    the lesson goes, as the model holds no cycles; the garbage made before is collected first, so that none of it
    is kept frozen. Small lessons would gain nothing."""
    if len(lesson.sentences) >= SETTLED_SENTENCES and gc.isenabled():
        gc.collect()
        gc.freeze()


def _collect(result: JobResult) -> Callable[[Path, bytes], None]:
    """A writer's ``keep``: the cache entry goes with the result, to be stored with the lesson's files."""

    def collect(path: Path, data: bytes) -> None:
        result.kept.append((path, data))

    return collect


def _warn_left_out(job: Job, settings: Settings, lesson: Lesson, result: JobResult) -> None:
    for name in settings.formats:  # what a format leaves out of this lesson
        left_out = WRITERS[name].warnings
        if left_out is not None:
            result.messages += [
                render(str(job.source.path), line, "warning", m) for line, m in left_out(lesson, settings)
            ]


def _write(result: JobResult, space: Workspace, listing: LessonRecord) -> None:
    outputs = result.outputs
    write_all_atomically([(space.out_dir / output.name, output.data) for _, output in outputs])
    artifacts = tuple(_artifact(space.out_dir, name, output) for name, output in outputs)
    result.record = dataclasses.replace(listing, artifacts=artifacts)


def _listing(source: Source, lesson: Lesson) -> LessonRecord:
    """What the build records of ``lesson`` besides its files (which only the build process knows)."""
    return LessonRecord(
        lesson.id,
        str(source.path),
        lesson.title,
        lesson.date,
        source.fingerprint,
        (),
        title_ja=lesson.translation.title if lesson.translation else "",
        revised=lesson.revised,
        terms=len(lesson.vocabulary),
        sentences=len(lesson.sentences),
    )


def _analysed(source: Source, settings: Settings) -> Lesson:
    """The lesson read and analysed, with its revision times (per note where git history tells them)."""
    from ..readers import load_lesson

    lesson = dataclasses.replace(load_lesson(source.path, settings), revised=source.revised)
    if any(d.severity == "error" for d in lesson.warnings):
        raise LessonError("lesson has errors; nothing was written", str(source.path))
    contents = [WRITERS[name].note_contents for name in settings.formats if WRITERS[name].note_contents]
    if source.history is not None and contents:
        times: dict[str, int] = {}
        for note_contents in contents:
            assert note_contents is not None
            times.update(note_revision_times(lesson, source.path, source.history, settings, note_contents))
        lesson = dataclasses.replace(lesson, note_revised=tuple(sorted(times.items())))
    return lesson


def _check_names(outputs: Sequence[Output]) -> None:
    names = [output.name for output in outputs]
    bad = [name for name in names if not plain_name(name)]
    if bad or len(set(names)) != len(names):
        raise RuntimeError(f"writers returned unusable or repeated file names: {names}")


def _artifact(out_dir: Path, format_name: str, output: Output) -> Artifact:
    from ..files import sha256_bytes

    info = (out_dir / output.name).stat()
    return Artifact(
        output.name,
        format_name,
        output.audience,
        size=len(output.data),
        sha256=sha256_bytes(output.data),
        mtime_ns=info.st_mtime_ns,
        notes=output.notes,
        cards=output.cards,
        pages=output.pages,
    )
