"""The pure plan: what a build does, from sources, the recorded state and the disk; no files or processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankiexport.build.plan import Disk, plan
from ankiexport.build.sources import Source
from ankiexport.build.state import Artifact, LessonRecord, PublishedRecord, State
from ankiexport.config import Settings


def source(name: str, fingerprint: str = "f1", folder: str = "lessons") -> Source:
    path = Path(folder) / name
    return Source(path, path.stem, path.stem, fingerprint, 1_700_000_000)


def artifact(name: str) -> Artifact:
    return Artifact(name, name.rsplit(".", 1)[-1], "learner", size=10, sha256="0" * 64, mtime_ns=5)


def record(lesson: Source, fingerprint: str = "f1") -> LessonRecord:
    files = (artifact(f"{lesson.stem}.apkg"), artifact(f"{lesson.stem}.pdf"))
    return LessonRecord(lesson.id, str(lesson.path), lesson.id, None, fingerprint, files)


def ids(sources: tuple[Source, ...]) -> list[str]:
    return [s.id for s in sources]


def test_new_lessons_are_built_and_the_combined_deck_needs_no_extra_reads() -> None:
    result = plan([source("a.txt"), source("b.txt")], State(), Settings())
    assert ids(result.build) == ["a", "b"] and not result.unchanged and not result.read
    assert result.stale == ("combined",)  # the index works from the records


def test_unchanged_lessons_are_kept_and_nothing_is_read() -> None:
    a, b = source("a.txt"), source("b.txt")
    state = State({"a": record(a), "b": record(b)})
    fresh = plan([a, b], state, Settings())
    stale_combined = fresh.stale
    assert ids(fresh.unchanged) == ["a", "b"] and not fresh.build
    assert stale_combined == ("combined",) and ids(fresh.read) == ["a", "b"]  # not recorded yet


def test_one_changed_lesson_among_unchanged_ones() -> None:
    a, b = source("a.txt"), source("b.txt", "f2")
    result = plan([a, b], State({"a": record(a), "b": record(b)}), Settings(formats=("pdf",)))
    assert ids(result.build) == ["b"] and ids(result.unchanged) == ["a"] and not result.stale


def test_force_rebuilds_everything() -> None:
    a = source("a.txt")
    assert ids(plan([a], State({"a": record(a)}), Settings(), force=True).build) == ["a"]


def test_a_touched_output_is_rebuilt() -> None:
    a = source("a.txt")
    disk = Disk(files={"a.apkg": (10, 5), "a.pdf": (10, 6)})
    assert ids(plan([a], State({"a": record(a)}), Settings(), disk=disk).build) == ["a"]


def test_a_lesson_whose_source_moved_keeps_its_id_and_is_not_forgotten() -> None:
    old = source("a.txt")
    moved = source("a.yaml", "f9", folder="lessons/2026")
    result = plan([moved], State({"a": record(old)}), Settings(), disk=Disk(missing=frozenset({str(old.path)})))
    assert ids(result.build) == ["a"] and result.forget == ()


def test_a_removed_lesson_is_forgotten() -> None:
    gone = source("gone.txt")
    result = plan(
        [source("a.txt")], State({"gone": record(gone)}), Settings(), disk=Disk(missing=frozenset({"lessons/gone.txt"}))
    )
    assert result.forget == ("gone",)


def test_a_lesson_outside_this_run_whose_file_exists_is_kept() -> None:
    other = source("other.txt")
    assert plan([source("a.txt")], State({"other": record(other)}), Settings()).forget == ()


@pytest.mark.parametrize("name", ["all-lessons.txt", "All-Lessons.yaml", "manifest.txt", "index.yaml"])
def test_reserved_ids_are_refused(name: str) -> None:
    result = plan([source(name), source("a.txt")], State(), Settings())
    assert ids(result.build) == ["a"]
    assert result.failures[0].message.startswith(f"lesson id {Path(name).stem!r} is reserved for the")
    assert "rename the file" in result.failures[0].message


def test_the_same_id_twice_is_refused() -> None:
    result = plan([source("a.txt"), source("a.yaml")], State(), Settings())
    assert ids(result.build) == ["a"] and "same lesson id as lessons/a.txt" in result.failures[0].message


def test_a_current_combined_deck_is_not_rebuilt() -> None:
    from ankiexport.build.plan import lessons_fingerprint

    a = source("a.txt")
    combined = PublishedRecord(lessons_fingerprint("combined", [("a", "f1")]), 1, (artifact("all-lessons.apkg"),))
    index = PublishedRecord(lessons_fingerprint("index", [("a", "f1")]), 1, (artifact("index.html"),))
    result = plan([a], State({"a": record(a)}, {"combined": combined, "index": index}), Settings())
    assert not result.stale and not result.read and not result.build
