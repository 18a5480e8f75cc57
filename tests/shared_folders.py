"""Folders made once per test session and shared by every pytest-xdist worker: expensive set-ups (a built site, a
built sample) that each worker would otherwise make again."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from lesson_files import ROOT, SAMPLE


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder ``make`` fills once per test session, shared by every xdist worker instead of each making its own.

    The first worker to ask makes it under a file lock; the others block on that lock (a condition, not a sleep) and
    then find it made. Only a ``make`` that returned marks it made, so a failed one is tried again, from empty, by the
    next worker that asks. Tests only read it: a test that changes files copies them into its own ``tmp_path`` first."""
    shared = tmp_path_factory.getbasetemp()  # this session's temporary folder (pytest -n0)
    if os.environ.get("PYTEST_XDIST_WORKER") is not None:
        shared = shared.parent  # the session's folder, the parent of every xdist worker's own
    folder, made = shared / name, shared / f"{name}.made"
    with open(shared / f"{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not made.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            made.touch()
    return folder


def build_fixture_lessons(root: Path) -> None:
    """Build the sample and every fixture lesson (the bad_* ones fail) from ``root``, as test_golden records them:
    one process, every lesson's revision time from SOURCE_DATE_EPOCH (outside git), into ``root/out``."""
    from click.testing import CliRunner

    from ankiexport.cli import main

    lessons = root / "lessons"
    lessons.mkdir()
    for source in [*(ROOT / "lessons").iterdir(), *(ROOT / "tests" / "lessons").iterdir()]:
        shutil.copy(source, lessons / source.name)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("SOURCE_DATE_EPOCH", "1764288000")
        result = CliRunner().invoke(main, ["build", "-q", "-j", "1", "lessons", "--out", "out"], catch_exceptions=False)
    assert result.exit_code == 1, result.output  # the bad_* fixtures fail; the others build


def build_sample_project(root: Path) -> None:
    """A lessons project with the sample in ``root``, built once (``ankiexport build -j 1`` from its root, the
    revision time from SOURCE_DATE_EPOCH) into ``root/out``."""
    from click.testing import CliRunner

    from ankiexport.cli import main

    (root / "lessons").mkdir()
    shutil.copy(SAMPLE, root / "lessons")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("SOURCE_DATE_EPOCH", "1764288000")
        result = CliRunner().invoke(main, ["build", "-j", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
