"""Faults during a build: SIGKILL at any moment leaves only whole previous-or-new files, and the next build recovers.

The kill moments come from the build's observed progress in its output folder (nothing written yet, the folder
created, the first temporaries, a share of the files renamed into place), never from a clock: a slow or busy
machine reaches the same moments, only later.
"""

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

SAMPLE = Path(__file__).resolve().parent.parent / "lessons" / "2026-11-28-ai-trainer.txt"


def build(lessons: Path, out: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764288000"}
    return subprocess.Popen(
        [sys.executable, "-m", "ankiexport", "build", str(lessons), "--out", str(out), "-q", "-j", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so the kill reaches the worker processes too, as a CI timeout would
    )


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
    file renamed into place shows up as new even where a file of that name was before."""
    if not out.is_dir():
        return {}
    found: dict[str, tuple[int, int]] = {}
    for folder, _, files in os.walk(out):
        for name in files:
            path = os.path.join(folder, name)
            try:
                status = os.lstat(path)
            except FileNotFoundError:  # a temporary renamed or removed while we looked
                continue
            found[os.path.relpath(path, out)] = (status.st_ino, status.st_mtime_ns)
    return found


@dataclass(frozen=True)
class Progress:
    """What a running build has visibly done to ``out`` since it started."""

    exists: bool
    new: frozenset[str]  # files created or replaced since the start, hidden ones included
    new_published: int  # of those, files a user sees: each one a file renamed into place

    @classmethod
    def since(cls, start: dict[str, tuple[int, int]], out: Path) -> Progress:
        now = entries(out)
        new = frozenset(name for name, key in now.items() if start.get(name) != key)
        shown = sum(1 for name in new if not hidden(Path(name)))
        return cls(out.is_dir(), new, shown)


Moment = Callable[[Progress], bool]


def kill_at(process: subprocess.Popen[bytes], out: Path, start: dict[str, tuple[int, int]], moment: Moment) -> bool:
    """Kill the build (and its workers) once ``moment`` is reached; False if it finished first."""
    while not moment(Progress.since(start, out)):
        if process.poll() is not None:
            return False
        time.sleep(0.002)  # polling a condition; the pause only leaves the CPU to the build
    with contextlib.suppress(ProcessLookupError):  # it may have ended just now; its files are checked all the same
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return True


def copies(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(count):
        text = SAMPLE.read_text("utf-8").replace("Rise of the AI Trainer", f"Rise of the AI Trainer {number}", 1)
        (folder / f"2026-11-{number + 10:02d}-copy.txt").write_text(text, "utf-8")
    return folder


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_whole_files(tmp_path: Path) -> None:
    lessons = copies(tmp_path / "lessons", 4)
    reference = tmp_path / "reference"
    assert build(lessons, reference).wait() == 0
    expected = published(reference)
    total = len(expected)  # lesson files, then the combined deck, manifest and index
    assert total >= 11

    moments: dict[str, Moment] = {
        "before anything is written": lambda p: True,
        "the folder exists": lambda p: p.exists,
        "the first entry (lock or temporary)": lambda p: len(p.new) >= 1,
        "the first temporaries": lambda p: len(p.new) >= 3,
        **{
            f"{count} of {total} files in place": lambda p, count=count: p.new_published >= count
            for count in sorted({total // 2, total - 3, total - 2, total - 1})
        },
    }
    out = tmp_path / "out"
    killed = []
    for name, moment in moments.items():
        start = entries(out)
        process = build(lessons, out)
        if kill_at(process, out, start, moment):
            killed.append(name)
        else:  # it finished before that moment (a build that recovered most of the work): it must be complete
            assert process.returncode == 0, name
            assert published(out) == expected, name
            shutil.rmtree(out)  # so the next moment is reached by a build that has everything to do
        for file, data in published(out).items():
            assert file in expected, f"{file} after a kill at: {name}"
            assert data == expected[file], f"{file} is not a whole file after a kill at: {name}"
        # A killed build may leave its temporaries and its lock file; the next one removes or takes them over.
    assert len(killed) >= len(moments) // 2, f"the build finished before most moments; killed at: {killed}"
    assert build(lessons, out).wait() == 0
    assert published(out) == expected
    assert not [p.name for p in out.rglob("*.tmp")]


@pytest.mark.slow
def test_killed_rebuild_keeps_previous_good_files(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(SAMPLE, lessons / SAMPLE.name)
    out = tmp_path / "out"
    assert build(lessons, out).wait() == 0
    previous = published(out)
    text = (lessons / SAMPLE.name).read_text("utf-8").replace("急騰する", "急上昇する")
    (lessons / SAMPLE.name).write_text(text, "utf-8")

    # Kill the rebuild while it writes the new version, and again once its first new file is in place.
    seen: list[dict[str, bytes]] = []
    for moment in (lambda p: len(p.new) >= 2, lambda p: p.new_published >= 1):
        start = entries(out)
        kill_at(build(lessons, out), out, start, moment)
        seen.append(published(out))
    assert build(lessons, out).wait() == 0
    rebuilt = published(out)
    assert rebuilt[f"{SAMPLE.stem}.apkg"] != previous[f"{SAMPLE.stem}.apkg"]
    with zipfile.ZipFile(out / f"{SAMPLE.stem}.apkg") as archive:
        assert archive.testzip() is None
    for files in seen:
        assert set(files) == set(previous)
        for name, data in files.items():
            assert data in (previous[name], rebuilt[name]), f"{name} is neither the previous nor the new file"
