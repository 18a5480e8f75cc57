"""Shared fixtures (where the sample lesson and the fixture lessons live) and the suite's scheduling."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Builds in tests make no audio (synthesis costs ~0.4 s a term, ~3 s a sentence); the tests about audio synthesise a
# few short texts themselves. Set here, so that builds in subprocesses inherit it too.
os.environ["ANKIEXPORT_AUDIO"] = "off"

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "lessons"
SAMPLE = ROOT / "lessons" / "2026-11-28-ai-trainer.txt"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the slow tests first, so that on several cores (pytest-xdist) the quick ones fill in around them
    instead of one slow test running alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def sample_path() -> Path:
    """The real weekly lesson, exactly as it arrived (typos and advertisement included)."""
    return SAMPLE


@pytest.fixture
def fixtures_dir() -> Path:
    """Folder of fixture lessons, each named by the feature it exercises."""
    return FIXTURES


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
