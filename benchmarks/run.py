"""Benchmarks the build on sample-sized lessons: against the floor script, deck writing as notes grow, a one-lesson
change among many, the no-op rebuild, start-up time and peak memory.

The machine is shared and noisy: every timing is the best of --repeat runs, and the build and the floor alternate so
that a burst of load hits both. CPU time (user + sys, the command and every process it waited for) is reported beside
wall time: it moves far less with the load. Print the load average beside the figures when you report them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402 (a script beside this one, not a package)

_MAXRSS = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss, file=sys.stderr)
sys.exit(code)
"""
# Audio off: the floor has none, and speech synthesis is measured by benchmarks/deck_audio.py.
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764288000", "ANKIEXPORT_AUDIO": "off"}


@dataclasses.dataclass(frozen=True, order=True)
class Run:
    """One timed command: wall seconds, CPU seconds (user + sys of it and its workers), peak RSS (KiB) of its largest
    process."""

    seconds: float
    cpu: float
    rss: int


def timed(command: list[str], cwd: Path) -> Run:
    """Wall and CPU time of ``command`` and the peak resident memory of its largest process, workers included."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _MAXRSS, *command], cwd=cwd, capture_output=True, text=True, check=False, env=ENV
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    cpu, rss = result.stderr.strip().splitlines()[-1].split()
    return Run(seconds, float(cpu), int(rss))


def ankiexport(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "ankiexport", *arguments]


def build(lessons: Path, out: Path, jobs: int, *extra: str) -> list[str]:
    """A build of ``lessons`` into ``out``, decks and worksheets only (what the floor writes too)."""
    return ankiexport("build", str(lessons), "--out", str(out), "-q", "-j", str(jobs), *extra)


def versus_floor(work: Path, lessons: Path, jobs: int, repeat: int) -> dict[str, object]:
    """Full builds and floor runs, alternating; the best of each, and every run with its CPU time and the load."""
    floor_runs, build_runs, runs = [], [], []
    formats = ("--format", "apkg", "--format", "pdf")
    for run in range(repeat):
        shutil.rmtree(work / "floor", ignore_errors=True)
        shutil.rmtree(work / "out", ignore_errors=True)
        floor_runs.append(timed([sys.executable, str(HERE / "floor.py"), str(lessons), str(work / "floor")], work))
        build_runs.append(timed(build(lessons, work / "out", jobs, *formats), work))
        floor, built, load = floor_runs[-1], build_runs[-1], os.getloadavg()[0]
        runs.append(
            {
                "floor": [round(floor.seconds, 2), round(floor.cpu, 2)],
                "build": [round(built.seconds, 2), round(built.cpu, 2)],
                "load": round(load, 1),
            }
        )
        print(
            f"run {run + 1}: floor {floor.seconds:.2f} s (CPU {floor.cpu:.2f} s), build {built.seconds:.2f} s "
            f"(CPU {built.cpu:.2f} s), ratio {built.seconds / floor.seconds:.2f}, load {load:.1f}",
            flush=True,
        )
    best_floor, best_build = min(floor_runs), min(build_runs)
    noop = min(timed(build(lessons, work / "out", jobs, *formats), work).seconds for _ in range(repeat))
    return {
        "floor_seconds": round(best_floor.seconds, 2),
        "build_seconds": round(best_build.seconds, 2),
        "ratio": round(best_build.seconds / best_floor.seconds, 2),
        "floor_cpu_seconds": round(min(r.cpu for r in floor_runs), 2),
        "build_cpu_seconds": round(min(r.cpu for r in build_runs), 2),
        "runs": runs,  # wall and CPU seconds of each alternating pair, with the 1-minute load average after it
        "noop_seconds": round(noop, 3),
        "peak_rss_mb": round(max(r.rss for r in build_runs) / 1024, 1),
    }


def deck_scaling(notes: list[int], repeat: int) -> list[dict[str, float]]:
    """Seconds to write one combined deck of ``n`` notes (copies of the sample's notes under other lesson ids)."""
    from ankiexport.config import Settings
    from ankiexport.readers import load_lesson
    from ankiexport.writers.apkg import combined_deck_bytes, lesson_notes

    settings = Settings()
    sample = load_lesson(HERE.parent / "lessons" / "2026-11-28-ai-trainer.txt", settings)
    per_lesson = len(lesson_notes(sample))
    rows = []
    for count in notes:
        lessons = [dataclasses.replace(sample, id=f"l{i:05d}") for i in range(-(-count // per_lesson))]
        seconds = _best(lambda lessons=lessons: combined_deck_bytes(lessons, settings), repeat)  # type: ignore[misc]
        total = len(lessons) * per_lesson
        rows.append({"notes": total, "seconds": round(seconds, 2), "us_per_note": round(1e6 * seconds / total)})
        print(f"deck of {total:6} notes: {seconds:6.2f} s  {1e6 * seconds / total:5.0f} us/note", flush=True)
    return rows


def _best(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def one_changed(work: Path, count: int, jobs: int, repeat: int) -> dict[str, float]:
    """A full build of ``count`` lessons (all formats), then rebuilds each after changing one lesson's gloss."""
    lessons = work / f"many-{count}"
    paths = generate(lessons, count)
    out = work / f"many-{count}-out"
    full = timed(build(lessons, out, jobs), work).seconds
    print(f"full build of {count} lessons (default formats): {full:.1f} s", flush=True)
    runs = []
    for run in range(repeat):
        text = paths[run].read_text("utf-8")
        paths[run].write_text(text.replace("急騰する", f"急騰する（{run}）", 1), "utf-8")
        runs.append(timed(build(lessons, out, jobs), work).seconds)
        print(f"one lesson changed among {count}: {runs[-1]:.2f} s", flush=True)
    return {"lessons": count, "full_seconds": round(full, 1), "one_changed_seconds": round(min(runs), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lessons", type=int, default=200, help="lessons for the floor comparison and no-op build")
    parser.add_argument("--notes", default="2000,4000,8000,16000", help="deck sizes for the deck-writing figures")
    parser.add_argument("--many", type=int, default=1000, help="lessons for the one-changed rebuild")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3, help="runs to take the best of")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    arguments = parser.parse_args()
    figures: dict[str, object] = {"cpus": os.cpu_count(), "jobs": arguments.jobs, "load": os.getloadavg()}
    work = Path(tempfile.mkdtemp(prefix="ankiexport-bench-"))
    try:
        lessons = work / "lessons"
        generate(lessons, arguments.lessons)
        figures["floor"] = {
            "lessons": arguments.lessons,
            **versus_floor(work, lessons, arguments.jobs, arguments.repeat),
        }
        print(json.dumps(figures["floor"]), flush=True)
        figures["help_seconds"] = round(min(timed(ankiexport("--help"), work).seconds for _ in range(5)), 3)
        figures["decks"] = deck_scaling([int(n) for n in arguments.notes.split(",") if n], arguments.repeat)
        if arguments.many:
            figures["one_changed"] = one_changed(work, arguments.many, arguments.jobs, arguments.repeat)
        figures["load_after"] = os.getloadavg()
        print(json.dumps(figures, indent=2))
        if arguments.json:
            arguments.json.write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
