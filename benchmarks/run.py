"""Benchmarks the build against the floor script: full, no-op and scaled builds, start-up time and peak memory."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402 (a script beside this one, not a package)

_MAXRSS = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall time of ``command`` and the peak resident memory (KiB) of its largest process, workers included."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _MAXRSS, *command], cwd=cwd, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return seconds, int(result.stderr.strip().splitlines()[-1])


def ankiexport(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "ankiexport", *arguments]


def best_of(command: list[str], cwd: Path, runs: int) -> float:
    return min(timed(command, cwd)[0] for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lessons", type=int, default=200, help="lessons for the floor comparison and no-op build")
    parser.add_argument("--scale", default="10,100,1000", help="lesson counts for the linear-growth figures")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3, help="full builds and floor runs to take the best of")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    arguments = parser.parse_args()
    figures: dict[str, object] = {"cpus": os.cpu_count(), "jobs": arguments.jobs}
    work = Path(tempfile.mkdtemp(prefix="ankiexport-bench-"))
    env_note = f"{os.cpu_count()} CPUs, --jobs {arguments.jobs}"
    try:
        lessons = work / "lessons"
        generate(lessons, arguments.lessons)

        # Best of --repeat, alternating the two, so a burst of load on the machine does not decide the ratio.
        floor_runs, full_runs = [], []
        for run in range(arguments.repeat):
            shutil.rmtree(work / "floor", ignore_errors=True)
            shutil.rmtree(work / "out", ignore_errors=True)
            floor_runs.append(timed([sys.executable, str(HERE / "floor.py"), str(lessons), str(work / "floor")], work))
            full_runs.append(
                timed(
                    ankiexport("build", str(lessons), "--out", str(work / "out"), "-q", "-j", str(arguments.jobs)), work
                )
            )
            print(f"run {run + 1}: floor {floor_runs[-1][0]:.2f} s, build {full_runs[-1][0]:.2f} s", flush=True)
        floor_seconds, floor_rss = min(floor_runs)
        full_seconds, full_rss = min(full_runs)
        full_rss = max(rss for _, rss in full_runs)
        noop_seconds = best_of(ankiexport("build", str(lessons), "--out", str(work / "out"), "-q"), work, 3)
        help_seconds = best_of(ankiexport("--help"), work, 5)
        figures.update(
            lessons=arguments.lessons,
            floor_seconds=round(floor_seconds, 2),
            build_seconds=round(full_seconds, 2),
            ratio=round(full_seconds / floor_seconds, 2),
            noop_seconds=round(noop_seconds, 3),
            help_seconds=round(help_seconds, 3),
            peak_rss_mb=round(full_rss / 1024, 1),
            floor_peak_rss_mb=round(floor_rss / 1024, 1),
        )
        print(f"# ankiexport benchmark ({env_note})")
        print(f"full build, {arguments.lessons} lessons, apkg+pdf: {full_seconds:7.2f} s")
        print(
            f"floor script, same lessons:             {floor_seconds:7.2f} s   "
            f"ratio build/floor = {full_seconds / floor_seconds:.2f}"
        )
        print(f"no-op rebuild:                          {noop_seconds:7.3f} s")
        print(f"ankiexport --help:                      {help_seconds:7.3f} s")
        print(f"peak memory of one process (workers):   {full_rss / 1024:7.1f} MB")

        scale = []
        for count in [int(n) for n in arguments.scale.split(",") if n]:
            folder = work / f"scale-{count}"
            generate(folder / "lessons", count)
            seconds, rss = timed(
                ankiexport(
                    "build", str(folder / "lessons"), "--out", str(folder / "out"), "-q", "-j", str(arguments.jobs)
                ),
                work,
            )
            scale.append(
                {
                    "lessons": count,
                    "seconds": round(seconds, 2),
                    "per_lesson_ms": round(1000 * seconds / count, 1),
                    "peak_rss_mb": round(rss / 1024, 1),
                }
            )
            print(
                f"scale: {count:5} lessons {seconds:8.2f} s  {1000 * seconds / count:7.1f} ms/lesson  "
                f"peak {rss / 1024:6.1f} MB"
            )
            shutil.rmtree(folder)
        figures["scale"] = scale
        if arguments.json:
            arguments.json.write_text(json.dumps(figures, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
