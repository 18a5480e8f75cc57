"""Lessons near the 1 MB limit: each is read, analysed and built in a fresh process; time and peak memory printed.

    python benchmarks/large_lessons.py [--only NAME] [--no-build]

Target (issue 11): every lesson under the limit reads and builds in seconds, within 250 MB.

Measured on the shared, loaded 2-core machine with ANKIEXPORT_AUDIO=off (README, Performance):
    before (audio on): short-lines: build 226 s, peak 1.4 GB (worksheets 214 s: three whole layouts)
    bounded retries:   short-lines: build_seconds 36.2 (peak 689 MB)
    08:02 UTC, load 4.5: build CPU / wall / largest peak RSS of its processes
        short-lines            19.5 s / 24.7 s / 254 MB
        many-sentences-terms   12.5 s / 17.0 s / 236 MB
        initialisms             4.4 s /  4.9 s / 196 MB
    08:16-08:18 UTC, load 0.8 to 1.0 (the learners' page built as parts, encoded in runs, joined once):
        short-lines            18.2-20.6 s / 18.1-20.5 s / 243 MB (three runs)
        many-sentences-terms   12.4 s / 12.3 s / 236 MB
        initialisms             4.2 s /  4.1 s / 196 MB
    now (10:26-10:27 UTC, main 3851be5, quiet, load 1.0 to 1.5; PDF save, grids, word pieces, analysis):
        short-lines            15.5-16.0 s / 15.5-15.9 s / 234.5 MB (two runs)
        many-sentences-terms    9.8 s /  9.7 s / 230 MB
        initialisms             4.0 s /  3.9 s / 189 MB
    12:38-12:40 UTC, main 86cc7fb, quiet, load 1.0 (long tables in runs, units handed on, bounded pair checks):
        short-lines           11.6 s / 11.5 s / 238 MB
        many-sentences-terms   7.4 s /  7.3 s / 226 MB
        initialisms            2.5 s /  2.4 s / 189 MB
        run-on                 1.0 s /  0.9 s / 128 MB   (with --audio: 102 s, 612 MB: speech, once, then cached)
        many-terms            11.7 s / 11.6 s / 232 MB   (was 129 s of CPU, 371 MB)
        one-paragraph          8.0 s /  7.9 s / 232 MB   (was 23 s of CPU, 303 MB)
        one-word               7.1 s /  7.0 s / 241 MB
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "lessons" / "2026-11-28-ai-trainer.txt"
LIMIT = 1_000_000


def _sample_parts() -> tuple[list[str], list[str]]:
    """The sample's article lines and its vocabulary block (header included)."""
    lines = SAMPLE.read_text("utf-8").splitlines()
    article = lines[1:14]
    start = next(i for i, line in enumerate(lines) if line.startswith("■ Vocab"))
    end = next(i for i, line in enumerate(lines) if line.startswith("■ 和訳"))
    return article, lines[start:end]


def short_lines() -> str:
    """A 1 MB lesson of ~55,000 short article lines (each one sentence) and the sample's vocabulary."""
    _, vocabulary = _sample_parts()
    body: list[str] = []
    size = 0
    number = 0
    while size < LIMIT - 12_000:
        line = f"Prices rose {number % 97} points."
        body.append(line)
        size += len(line) + 1
        number += 1
    return "\n".join(["A Very Long Lesson", *body, *vocabulary, "■ 和訳", "長いレッスン", "価格が上がった。"]) + "\n"


def many_sentences_many_terms() -> str:
    """An ~860 KB lesson: 5000 sentences in 500 paragraphs and 500 vocabulary entries."""
    words = ["market", "demand", "yen", "dollar", "worker", "skill", "trainer", "model", "data", "engineer"]
    paragraphs = []
    for p in range(500):
        sentences = [
            f"The {words[(p + s) % 10]} of firm{p} term{p * 10 + s} rose sharply in 2026 after the U.S. report, "
            f"and analysts at Tokyo Bank said the trend of item{s} would continue for many months to come."
            for s in range(10)
        ]
        paragraphs.append(" ".join(sentences))
    vocabulary = ["■ Vocabulary"]
    for t in range(500):
        vocabulary += [f"- term{t * 10}", f"- 和訳: 用語{t}", f"- 解説: 説明{t}。"]
    return "\n".join(["Many Sentences", *paragraphs, *vocabulary, "■ 和訳", "多くの文", "文。"]) + "\n"


def initialisms() -> str:
    """pysbd's worst case: ``U.S. `` repeated, 100,000 characters in one paragraph, and 1 MB in 50 paragraphs."""
    _, vocabulary = _sample_parts()
    paragraphs = ["U.S. " * 4_000 for _ in range(48)]
    return "\n".join(["Initialisms", *paragraphs, *vocabulary, "■ 和訳", "略語", "略語。"]) + "\n"


def run_on() -> str:
    """One paragraph of one 19,000-character sentence (commas, no full stop) using the sample's terms: with
    ``--audio``, what bounds the memory of speaking a run-on sentence (Piper's grows with one utterance's length)."""
    article, vocabulary = _sample_parts()
    clauses = [line.rstrip(".").replace(". ", ", ") for line in article if line.strip()]
    body = ", ".join(clauses)
    while len(body) < 19_000:
        body += ", " + ", ".join(clauses)
    body = body[:19_000].rsplit(" ", 1)[0] + "."
    return "\n".join(["A Run-on Sentence", body, *vocabulary, "■ 和訳", "長い文", "長い文。"]) + "\n"


def _fit(head: list[str], entries: list[list[str]], tail: list[str]) -> str:
    """``head``, as many whole ``entries`` as keep the lesson under the limit, and ``tail``."""
    low, high = 0, len(entries)
    while low < high:
        middle = (low + high + 1) // 2
        text = "\n".join([*head, *(line for entry in entries[:middle] for line in entry), *tail]) + "\n"
        low, high = (middle, high) if len(text.encode()) <= LIMIT - 10_000 else (low, middle - 1)
    return "\n".join([*head, *(line for entry in entries[:low] for line in entry), *tail]) + "\n"


def many_terms() -> str:
    """~17,000 vocabulary entries under the sample's article: tables as long as the vocabulary."""
    article, _ = _sample_parts()
    entries = [[f"- word{t}", f"- 和訳: 単語{t}", f"- 解説: 説明{t}。"] for t in range(30_000)]
    return _fit(["Many Terms", *article, "■ Vocabulary"], entries, ["■ 和訳", "語", "語。"])


def one_paragraph() -> str:
    """An 840 KB article of one paragraph (21,000 sentences): one paragraph over hundreds of pages."""
    _, vocabulary = _sample_parts()
    paragraph = " ".join(f"Prices rose {i % 97} points after the report." for i in range(21_000))
    return "\n".join(["One Paragraph", paragraph, *vocabulary, "■ 和訳", "語", "語。"]) + "\n"


def one_word() -> str:
    """A 900 KB word: cut by characters to fit the line, on every page it runs over."""
    _, vocabulary = _sample_parts()
    return "\n".join(["One Word", "The " + "a" * 900_000 + " rose.", *vocabulary, "■ 和訳", "語", "語。"]) + "\n"


LESSONS: dict[str, Callable[[], str]] = {
    "short-lines": short_lines,
    "many-sentences-terms": many_sentences_many_terms,
    "initialisms": initialisms,
    "run-on": run_on,
    "many-terms": many_terms,
    "one-paragraph": one_paragraph,
    "one-word": one_word,
}

_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from ankiexport.config import Settings
from ankiexport.readers import load_lesson
start = time.perf_counter()
lesson = load_lesson(Path(sys.argv[1]), Settings())
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
                  "sentences": len(lesson.sentences), "clozes": len(lesson.clozes), "peak_mb": usage.ru_maxrss / 1024}))
"""

# The build runs under this wrapper, so that the children's resource usage is the build's alone: CPU (user + sys) of
# the build and its workers, and the largest peak RSS of any of its processes.
_BUILD = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"build_seconds": time.perf_counter() - start, "build_cpu": usage.ru_utime + usage.ru_stime,
                  "build_peak_mb": usage.ru_maxrss / 1024, "build_exit": done.returncode}))
if done.returncode:
    print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
"""


def measure(path: Path, build: bool, audio: bool = False) -> dict[str, float]:
    """Read and analyse in a fresh process; then, unless ``build`` is false, a one-worker build of the lesson with
    every default format (audio off unless ``audio``)."""
    result = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True)
    numbers: dict[str, float] = json.loads(result.stdout)
    if build:
        environment = {**os.environ, "ANKIEXPORT_AUDIO": "on" if audio else "off"}
        with tempfile.TemporaryDirectory() as out:
            command = [sys.executable, "-m", "ankiexport", "build", "-q", "-j", "1", str(path), "--out", out]
            done = subprocess.run(
                [sys.executable, "-c", _BUILD, *command], capture_output=True, text=True, check=True, env=environment
            )
            numbers.update(json.loads(done.stdout))
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=sorted(LESSONS))
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--audio", action="store_true", help="build with audio (default: ANKIEXPORT_AUDIO=off)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, make in LESSONS.items():
            if args.only and name != args.only:
                continue
            path = Path(folder) / f"{name}.txt"
            path.write_text(make(), "utf-8")
            numbers = measure(path, build=not args.no_build, audio=args.audio)
            size = path.stat().st_size
            shown = ", ".join(f"{key} {value:.1f}" for key, value in numbers.items())
            print(f"{name}: {size:,} bytes: {shown}", flush=True)


if __name__ == "__main__":
    main()
