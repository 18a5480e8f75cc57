"""Faults during a build: SIGKILL at any moment leaves only whole previous-or-new files, and the next build recovers."""

# Every build here is watched through its output folder while it runs: every visible file read at any poll must be
# a whole file. The kill moments come from that observed progress (nothing written yet, the folder created, the
# first temporaries, a share of the files renamed into place), never from a clock: a slow or busy machine reaches
# the same moments, only later.

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from ankiexport.cli import main
from lesson_files import SAMPLE


def build(lessons: Path, out: Path, jobs: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764288000"}
    return subprocess.Popen(
        [sys.executable, "-m", "ankiexport", "build", str(lessons), "--out", str(out), "-q", "-j", str(jobs)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so the kill reaches the worker processes too, as a CI timeout would
    )


def build_here(lessons: Path, out: Path) -> None:
    """A whole build in this process: cheaper than a subprocess, for a build that nobody kills or watches."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1764288000")
        result = CliRunner().invoke(main, ["build", str(lessons), "--out", str(out), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output


def hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def published(out: Path) -> dict[str, bytes]:
    """Every file a user sees in ``out`` (subfolders too), by relative path; none when the folder does not exist."""
    if not out.is_dir():
        return {}
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and not hidden(path.relative_to(out))
    }


def entries(out: Path) -> dict[str, tuple[int, int]]:
    """Every file in ``out`` (temporaries, lock and state too) with its inode and modification time, so that a
    file renamed into place shows up as new even where a file of that name was before. (os.scandir: it is called
    every few milliseconds while a build runs.)"""
    found: dict[str, tuple[int, int]] = {}

    def walk(folder: str, prefix: str) -> None:
        try:
            listing = os.scandir(folder)
        except (FileNotFoundError, NotADirectoryError):  # not made yet, or removed while we looked
            return
        with listing:
            for entry in listing:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        walk(entry.path, f"{prefix}{entry.name}/")
                    else:
                        status = entry.stat(follow_symlinks=False)
                        found[prefix + entry.name] = (status.st_ino, status.st_mtime_ns)
                except FileNotFoundError:  # a temporary renamed or removed while we looked
                    continue

    walk(str(out), "")
    return found


@dataclass(frozen=True)
class Progress:
    """What a running build has visibly done to ``out`` since it started."""

    exists: bool
    new: frozenset[str]  # files created or replaced since the start, hidden ones included
    new_published: int  # of those, files a user sees: each one a file renamed into place


Moment = Callable[[Progress], bool]


class Watch:
    """A build observed through its output folder while it runs: its progress, and every version of every visible
    file that could be read at any poll (each must be a whole file, not only what is left after a kill)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.start = entries(out)
        self.last = dict(self.start)
        self.seen: dict[str, list[bytes]] = {}

    def poll(self) -> Progress:
        now = entries(self.out)
        for name, key in now.items():
            if not hidden(Path(name)) and self.last.get(name) != key:
                with contextlib.suppress(FileNotFoundError):  # replaced again meanwhile: the next poll reads it
                    self.seen.setdefault(name, []).append((self.out / name).read_bytes())
        self.last = now
        new = frozenset(name for name, key in now.items() if self.start.get(name) != key)
        return Progress(self.out.is_dir(), new, sum(1 for name in new if not hidden(Path(name))))

    def run(self, lessons: Path, moment: Moment | None = None, jobs: int = 2) -> int | None:
        """Build and watch until the build ends (its exit code), or until ``moment``, when it and its workers are
        killed (None)."""
        process = build(lessons, self.out, jobs)
        while True:
            progress = self.poll()  # every poll reads what changed, whether or not the build is to be killed
            if moment is not None and moment(progress):
                break
            if process.poll() is not None:
                self.poll()
                return process.returncode
            time.sleep(0.002)  # polling a condition; the pause only leaves the CPU to the build
        with contextlib.suppress(ProcessLookupError):  # it may have ended just now; its files are checked all the same
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return None

    def versions(self) -> dict[str, list[bytes]]:
        """Every version seen of every visible file, the files left at the end included."""
        seen = {name: list(data) for name, data in self.seen.items()}
        for name, data in published(self.out).items():
            seen.setdefault(name, []).append(data)
        return seen


def copies(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(count):
        text = SAMPLE.read_text("utf-8").replace("Rise of the AI Trainer", f"Rise of the AI Trainer {number}", 1)
        (folder / f"2026-11-{number + 10:02d}-copy.txt").write_text(text, "utf-8")
    return folder


def assert_whole(watch: Watch, allowed: dict[str, list[bytes]], when: str) -> None:
    """Every visible file seen while the build ran, and left after it, is one of the whole files ``allowed``."""
    for name, versions in watch.versions().items():
        assert name in allowed, f"{name} {when}"
        for data in versions:
            assert data in allowed[name], f"{name} was seen as a partial or unknown file {when}"


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_whole_files(tmp_path: Path) -> None:
    # Three lessons on two workers: one moment below falls while two lessons are in place and the third is in flight.
    lessons = copies(tmp_path / "lessons", 3)
    reference = Watch(tmp_path / "reference")
    assert reference.run(lessons, jobs=1) == 0  # in one process: cheaper, and parallel builds must equal it
    expected = published(reference.out)
    total = len(expected)  # lesson files, then the combined deck, manifest, index and feed
    assert total >= 11
    assert_whole(reference, {name: [data] for name, data in expected.items()}, "during a complete build")

    # Kill points from the build's progress: start-up, the lesson builds, and the combined outputs at the end. Each
    # build takes over what the killed one before it left, except the last: a build that finds most lessons already
    # recorded as built would never reach it, so it starts from an empty folder.
    moments: list[tuple[str, Moment, bool]] = [
        ("before anything is written", lambda p: True, False),
        ("the folder exists", lambda p: p.exists, False),
        ("the first entry (lock or temporary)", lambda p: len(p.new) >= 1, False),
        ("the first temporaries", lambda p: len(p.new) >= 3, False),
        (f"{total // 2} of {total} files in place", lambda p: p.new_published >= total // 2, False),
        (f"{total - 2} of {total} files in place", lambda p: p.new_published >= total - 2, True),
    ]
    out = tmp_path / "out"
    for name, moment, fresh in moments:
        for _attempt in range(3):
            if fresh:
                shutil.rmtree(out, ignore_errors=True)
            watch = Watch(out)
            finished = watch.run(lessons, moment)
            assert_whole(watch, {file: [data] for file, data in expected.items()}, f"with a kill at: {name}")
            if finished is None:
                break  # killed: it may leave temporaries and its lock file, and the next build must cope
            # It finished between two looks at the folder, before that moment: it must be complete; try again.
            assert finished == 0 and published(out) == expected, name
            fresh = True
        else:
            pytest.fail(f"the build always finished before the moment: {name}")
    recovery = Watch(out)
    assert recovery.run(lessons) == 0
    assert published(out) == expected
    assert_whole(recovery, {name: [data] for name, data in expected.items()}, "during the recovering build")
    assert not [p.name for p in out.rglob("*.tmp")]


@pytest.mark.slow
def test_killed_rebuild_keeps_previous_good_files(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(SAMPLE, lessons / SAMPLE.name)
    first = Watch(tmp_path / "out")
    build_here(lessons, first.out)  # the good files: only the rebuild is killed, and only it must be a process
    previous = published(first.out)
    text = (lessons / SAMPLE.name).read_text("utf-8").replace("急騰する", "急上昇する")
    (lessons / SAMPLE.name).write_text(text, "utf-8")

    # Watch the rebuild write its new version, and kill it once its first new file is in place.
    killed = Watch(first.out)
    killed.run(lessons, lambda p: p.new_published >= 1)
    assert set(published(first.out)) == set(previous)
    rebuild = Watch(first.out)
    assert rebuild.run(lessons) == 0
    rebuilt = published(first.out)
    assert rebuilt[f"{SAMPLE.stem}.apkg"] != previous[f"{SAMPLE.stem}.apkg"]
    with zipfile.ZipFile(first.out / f"{SAMPLE.stem}.apkg") as archive:
        assert archive.testzip() is None
    both = {name: [previous[name], rebuilt[name]] for name in previous}
    assert_whole(killed, both, "(neither the previous nor the new file) in a killed rebuild")
    assert_whole(rebuild, both, "(neither the previous nor the new file) in the rebuild after it")
