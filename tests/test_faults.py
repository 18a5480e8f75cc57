"""Faults during a build: SIGKILL at any moment leaves only whole previous-or-new files, and the next build recovers."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
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


def published(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}


@pytest.mark.slow
def test_sigkill_at_any_moment_leaves_whole_files(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    for number in range(6):
        text = SAMPLE.read_text("utf-8").replace("Rise of the AI Trainer", f"Rise of the AI Trainer {number}", 1)
        (lessons / f"2026-11-{number + 10:02d}-copy.txt").write_text(text, "utf-8")
    reference = tmp_path / "reference"
    assert build(lessons, reference).wait(timeout=300) == 0
    expected = published(reference)

    out = tmp_path / "out"
    # Kill points spread over start-up, the lesson builds, and the combined deck / manifest / index at the end.
    for delay in (0.3, 0.8, 1.5, 2.5, 3.5, 5.0, 7.0):
        process = build(lessons, out)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        for name, data in published(out).items():
            assert name in expected, name
            assert data == expected[name], f"{name} is not a whole file after a kill at {delay}s"
        # A killed build may leave its temporaries; the next one removes them.
    assert build(lessons, out).wait(timeout=300) == 0
    assert published(out) == expected
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_killed_rebuild_keeps_previous_good_files(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    shutil.copy(SAMPLE, lessons / SAMPLE.name)
    out = tmp_path / "out"
    assert build(lessons, out).wait(timeout=300) == 0
    previous = published(out)
    text = (lessons / SAMPLE.name).read_text("utf-8").replace("急騰する", "急上昇する")
    (lessons / SAMPLE.name).write_text(text, "utf-8")
    process = build(lessons, out)
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    for name, data in published(out).items():
        assert name in previous
        # Either the old whole file or the new whole file: a new deck still opens as a zip archive.
        if data != previous[name] and name.endswith(".apkg"):
            import zipfile

            with zipfile.ZipFile(out / name) as archive:
                assert archive.testzip() is None
    assert build(lessons, out).wait(timeout=300) == 0
    assert published(out)[f"{SAMPLE.stem}.apkg"] != previous[f"{SAMPLE.stem}.apkg"]
