"""Shared fixtures: where the sample lesson and the fixture lessons live."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "lessons"
SAMPLE = ROOT / "lessons" / "2026-11-28-ai-trainer.txt"


@pytest.fixture
def sample_path() -> Path:
    """The real weekly lesson, exactly as it arrived (typos and advertisement included)."""
    return SAMPLE


@pytest.fixture
def fixtures_dir() -> Path:
    """Folder of fixture lessons, each named by the feature it exercises."""
    return FIXTURES
