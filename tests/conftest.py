"""Shared fixtures (where the sample lesson and the fixture lessons live) and the suite's scheduling."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import system_tools
from lesson_files import FIXTURES, SAMPLE
from shared_folders import build_fixture_lessons, build_sample_project, made_once

if TYPE_CHECKING:
    from ankiexport.model import Lesson

# Compiled test modules (rewritten by pytest for its assertions) and the package's modules are cached in
# __pycache__ (ignored by git) even where PYTHONDONTWRITEBYTECODE is set, as in this machine's shells: compiling
# them again costs every pytest process (each xdist worker) about 2 s of CPU per run. Set before pytest imports
# the test modules and the package; subprocesses still honour the variable, and read what was cached here.
sys.dont_write_bytecode = False

# Builds in tests make no audio (synthesis costs ~0.4 s a term, ~3 s a sentence); the tests about audio synthesise a
# few short texts themselves. Set here, so that builds in subprocesses inherit it too.
os.environ["ANKIEXPORT_AUDIO"] = "off"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the slow tests first, so that on several cores (pytest-xdist) the quick ones fill in around them
    instead of one slow test running alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# In CI everything is installed (scripts/setup, the test extra): a test skipped there because something is missing
# is a check that silently never runs, so it fails instead. Skips for other reasons (a fixture lesson that cannot be
# built, say) stay skips.
_MISSING = re.compile(r"not installed|could not import|no module named", re.IGNORECASE)


def _missing_in_ci(report: pytest.CollectReport | pytest.TestReport) -> None:
    if report.skipped and system_tools.in_ci() and _MISSING.search(str(report.longrepr)):
        where = report.longrepr
        reason = where[2] if isinstance(where, tuple) else str(where)
        report.outcome = "failed"
        report.longrepr = f"{reason}: a skip in CI, where everything the tests need is installed, is a failure"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport() -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _missing_in_ci(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report() -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    _missing_in_ci(report)
    return report


@pytest.fixture
def sample_path() -> Path:
    """The real weekly lesson, exactly as it arrived (typos and advertisement included)."""
    return SAMPLE


@pytest.fixture
def fixtures_dir() -> Path:
    """Folder of fixture lessons, each named by the feature it exercises."""
    return FIXTURES


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A lessons project in a temporary folder with the sample lesson, run from its root."""
    (tmp_path / "lessons").mkdir()
    shutil.copy(SAMPLE, tmp_path / "lessons" / SAMPLE.name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")  # not a git checkout: revisions come from here
    return tmp_path


@pytest.fixture(scope="session")
def sample() -> Lesson:
    """The sample lesson read and analysed with the default settings (frozen, so every test may share it); the reader
    tests override it with the lesson as their reader alone reads it."""
    from ankiexport.config import Settings
    from ankiexport.readers import load_lesson

    return load_lesson(SAMPLE, Settings())


@pytest.fixture(scope="session")
def built_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The out/ folder of the sample and every fixture lesson, built once for the session and shared by every xdist
    worker: test_golden checks its bytes, test_writer_pdf reads the fixtures' worksheets. Nothing may change it."""
    return made_once(tmp_path_factory, "built-fixtures", build_fixture_lessons) / "out"


@pytest.fixture
def built_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A lessons project with the sample, already built into out/ as `ankiexport build -j 1` leaves it, run from its
    root (SOURCE_DATE_EPOCH set: not a git checkout). A copy, file times included, of one build made for the
    session: a build that follows sees exactly what it would after building here itself."""
    shared = made_once(tmp_path_factory, "built-project", build_sample_project)
    for folder in ("lessons", "out"):
        shutil.copytree(shared / folder, tmp_path / folder)  # copy2: modification times kept to the nanosecond
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")
    return tmp_path


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Any]:
    """A fresh, empty collection of the real Anki engine (skipped where the anki package is not installed)."""
    anki_collection = pytest.importorskip("anki.collection")
    folder = tmp_path / "anki"
    folder.mkdir()
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()
