"""Where the tests' lessons are: the real sample lesson and the fixture lessons, each named by what it exercises."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "lessons"
SAMPLE = ROOT / "lessons" / "2026-11-28-ai-trainer.txt"
