"""Decks with pronunciation audio: cold build (every text synthesised), warm rebuild (all from the speech cache),
deck sizes per lesson and for all-lessons.apkg, and the audio budget (at most 600 KB per sample-sized lesson).

    python benchmarks/deck_audio.py                 # the sample lesson
    python benchmarks/deck_audio.py --lessons 200   # also 200 generated lessons (variants of the sample and fixtures)

Builds run as the publishing job runs them (a subprocess, the audio extra installed, decks only); timings are wall
clock on this machine, so note its load when quoting them.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "lessons" / "2026-11-28-ai-trainer.txt"
AUDIO_BUDGET = 600_000  # bytes of audio per sample-sized lesson (the limit)


def build(lessons: list[Path], out: Path, *extra: str) -> float:
    """Seconds one `ankiexport build` of ``lessons`` into ``out`` takes (decks only, audio on)."""
    env = {**os.environ, "ANKIEXPORT_AUDIO": "on", "SOURCE_DATE_EPOCH": "1764288000"}
    command = [sys.executable, "-m", "ankiexport", "build", *map(str, lessons), "--out", str(out), "-q"]
    started = time.perf_counter()
    subprocess.run([*command, "--format", "apkg", *extra], check=True, env=env)
    return time.perf_counter() - started


def cache_files(out: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in (out / ".ankiexport-cache").rglob("*") if path.is_file()}


def audio_bytes(deck: Path) -> tuple[int, int]:
    """(number of media files, their total bytes) in an .apkg."""
    with zipfile.ZipFile(io.BytesIO(deck.read_bytes())) as archive:
        index = json.loads(archive.read("media"))
        return len(index), sum(archive.getinfo(number).file_size for number in index)


def measure(label: str, lessons: list[Path], out: Path) -> None:
    cold = build(lessons, out)
    synthesised = cache_files(out)
    warm = build(lessons, out, "--force")
    again = cache_files(out)
    assert again == synthesised, "the warm rebuild synthesised or rewrote cached speech"
    decks = sorted(path for path in out.glob("*.apkg") if path.name != "all-lessons.apkg")
    sizes = [path.stat().st_size for path in decks]
    media = [audio_bytes(path) for path in decks]
    combined = out / "all-lessons.apkg"
    print(f"== {label}: {len(lessons)} lesson(s)")
    print(f"cold build (synthesises {len(synthesised)} texts): {cold:.1f} s")
    print(f"warm rebuild --force (0 synthesised, all from the cache): {warm:.1f} s")
    print(f"deck per lesson: {sum(sizes) / len(sizes) / 1000:.0f} KB on average, largest {max(sizes) / 1000:.0f} KB")
    files, total, largest = sum(n for n, _ in media), sum(b for _, b in media), max(b for _, b in media)
    print(f"audio per lesson: {files / len(media):.1f} files, {total / len(media) / 1000:.0f} KB on average, ", end="")
    print(f"largest {largest / 1000:.0f} KB")
    print(f"all-lessons.apkg: {combined.stat().st_size / 1e6:.2f} MB")
    print(f"speech cache: {sum(p.stat().st_size for p in synthesised) / 1e6:.2f} MB in {len(synthesised)} files")
    verdict = "within" if largest <= AUDIO_BUDGET else "OVER"
    print(f"audio budget {AUDIO_BUDGET / 1000:.0f} KB per lesson: {verdict} ({largest / 1000:.0f} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", type=int, default=0, help="also build this many generated lessons")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        measure("the sample lesson", [SAMPLE], Path(scratch) / "sample")
        if arguments.lessons:
            lessons = generate(Path(scratch) / "lessons", arguments.lessons)
            measure("generated lessons", lessons, Path(scratch) / "many")


if __name__ == "__main__":
    main()
