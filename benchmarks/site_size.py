"""The learners' site's size: builds lessons with audio as the publishing job does, and projects 1000 lessons.

    python benchmarks/site_size.py [LESSON...]     # default: the sample lesson

Prints, per lesson, what GitHub Pages serves (page, article audio, term clips, student worksheet) and what only the
release carries (the decks), then the projection for 1000 such lessons against Pages' 1 GB limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "lessons" / "2026-11-28-ai-trainer.txt"
PAGES_LIMIT = 1_000_000_000  # GitHub Pages: published sites may be no larger than 1 GB


def kind(name: str) -> str:
    if name in ("index.html", "feed.xml"):
        return name
    for suffix, label in (
        ("-article.mp3", "article audio"),
        (".mp3", "term clips"),
        (".html", "lesson page"),
        (".pdf", "student worksheet"),
        (".apkg", "deck"),
    ):
        if name.endswith(suffix):
            return label
    return name


def main(lessons: list[Path]) -> None:
    env = {**os.environ, "ANKIEXPORT_AUDIO": "on", "SOURCE_DATE_EPOCH": "1764288000"}
    with tempfile.TemporaryDirectory() as scratch:
        out, pages, release = (Path(scratch) / name for name in ("out", "pages", "release"))
        build = [sys.executable, "-m", "ankiexport", "build", *map(str, lessons), "--out", str(out), "-q"]
        subprocess.run([*build, "--deck-url", "https://example.org/releases/latest/download/"], check=True, env=env)
        for target, folder in (("pages", pages), ("release", release)):
            subprocess.run([sys.executable, "-m", "ankiexport.site.collect", target, str(out), str(folder)], check=True)
        sizes: dict[str, int] = defaultdict(int)
        for file in pages.iterdir():
            sizes[f"pages: {kind(file.name)}"] += file.stat().st_size
        for file in release.glob("*.apkg"):
            if not file.name.startswith("all-lessons"):
                sizes[f"release only: {kind(file.name)}"] += file.stat().st_size
    count = len(lessons)
    per_lesson = {label: size / count for label, size in sorted(sizes.items())}
    for label, size in per_lesson.items():
        print(f"{size / 1000:10.1f} KB  {label} (per lesson)")
    on_pages = sum(size for label, size in per_lesson.items() if label.startswith("pages:"))
    decks = sum(size for label, size in per_lesson.items() if label.startswith("release"))
    print(f"{on_pages / 1000:10.1f} KB  on Pages per lesson (index and feed included)")
    print(f"1000 lessons: {on_pages * 1000 / 1e6:.0f} MB on Pages ({on_pages * 1000 / PAGES_LIMIT:.0%} of 1 GB)")
    print(f"with the decks on Pages too: {(on_pages + decks) * 1000 / 1e6:.0f} MB")


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]] or [SAMPLE])
