"""The runner's split of work: workers only compute a lesson's files, the build process writes them; the state the
build saves every few seconds reads back as it was."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from ankiexport.build import lessoncache, runner
from ankiexport.build.lessoncache import Shelf
from ankiexport.build.publish import reads_lessons
from ankiexport.build.runner import Job, Workspace, build_one, finish
from ankiexport.build.sources import Source
from ankiexport.build.state import Artifact, LessonRecord, PublishedRecord, State, load_state, save_state
from ankiexport.config import Settings
from ankiexport.files import sha256_bytes
from ankiexport.readers import read_lesson
from ankiexport.writers.apkg import load_part
from disk_faults import disk_full_for


def _files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def test_a_worker_writes_nothing_and_the_build_process_writes_it_all(sample_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    space = Workspace(out, out / ".cache", Settings(formats=("apkg", "pdf")))
    source = Source(sample_path, sample_path.stem, sample_path.stem, "f" * 64, 1_700_000_000)
    built = build_one(Job(source), space)
    assert built.ok and built.record is None, built.messages
    assert not out.exists()  # rendering wrote nothing: not the outputs, not the cache entries
    names = sorted(output.name for _, output in built.outputs)
    assert names == sorted(
        f"{source.stem}{suffix}" for suffix in (".apkg", ".pdf", "-gapfill.pdf", "-teacher.pdf", "-reading.pdf")
    )
    data = {output.name: output.data for _, output in built.outputs}
    assert {path for path, _ in built.kept} == {
        lessoncache.cache_path(space.cache_dir, source.fingerprint),
        space.cache_dir / "deck-parts" / "ff" / source.fingerprint,
    }
    done = finish(built, space)
    assert done.ok and done.record is not None
    assert not done.outputs and not done.kept  # their bytes are not held after writing
    assert {a.file: a.sha256 for a in done.record.artifacts} == {n: sha256_bytes(d) for n, d in data.items()}
    assert {name for name in _files(out) if "/" not in name} == set(names)
    assert all((out / name).read_bytes() == data[name] for name in names)
    assert lessoncache.load(space.cache_dir, source.fingerprint) == done.lesson
    assert load_part(space.cache_dir, source.fingerprint) is not None


def test_a_lesson_crosses_back_as_its_cache_entry_when_no_publisher_reads_it(sample_path: Path, tmp_path: Path) -> None:
    assert not reads_lessons(Settings(formats=("apkg", "pdf", "html")))  # the combined deck reads kept parts
    assert reads_lessons(Settings(formats=("apkg", "quizlet")))  # the combined Quizlet set reads every lesson
    source = Source(sample_path, sample_path.stem, sample_path.stem, "f" * 64, 1_700_000_000)
    results = {}
    for objects in (True, False):
        out = tmp_path / str(objects)
        space = Workspace(out, out / ".cache", Settings(formats=("apkg", "pdf")), lesson_objects=objects)
        sent = pickle.loads(pickle.dumps(build_one(Job(source), space)))  # as a worker process sends it back
        results[objects] = (sent, finish(sent, space))
    (whole, whole_done), (lean, lean_done) = results[True], results[False]
    assert whole.lesson is not None and not whole.analysed
    assert lean.lesson is None and lean.analysed  # no lesson objects to unpickle, only the cache entry's bytes
    assert lean_done.ok and whole_done.ok and lean_done.record and whole_done.record
    strip = [dataclasses.replace(a, mtime_ns=0) for a in lean_done.record.artifacts]
    assert strip == [dataclasses.replace(a, mtime_ns=0) for a in whole_done.record.artifacts]
    assert dataclasses.replace(lean_done.record, artifacts=()) == dataclasses.replace(whole_done.record, artifacts=())
    shelf = Shelf({source.id: lean.analysed}, {source.id: source.fingerprint}, tmp_path / "nowhere")
    assert shelf[source.id] == whole.lesson  # decoded from the bytes when a publisher asks, not read from disk
    inline = Workspace(tmp_path / "inline", tmp_path / "inline" / ".cache", space.settings, lesson_objects=False)
    built_here = finish(build_one(Job(source), inline), inline)  # a one-worker build: no process boundary
    assert built_here.lesson is not None and not built_here.analysed  # the lesson, not also its entry's bytes


def test_a_write_error_fails_only_that_lesson_with_its_message(
    sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    space = Workspace(out, out / ".cache", Settings(formats=("pdf",)))
    source = Source(sample_path, sample_path.stem, sample_path.stem, "f" * 64, 1_700_000_000)
    built = build_one(Job(source), space)
    disk_full_for(monkeypatch, lambda name: "-teacher.pdf." in name)
    done = finish(built, space)
    assert not done.ok and done.record is None
    teacher = out / f"{source.stem}-teacher.pdf"
    assert done.messages[-1] == f"{sample_path}: error: cannot write {teacher}: No space left on device"
    assert not [p for p in out.iterdir() if p.suffix in (".pdf", ".tmp")]  # all of the lesson's files or none


def test_saved_state_reads_back_as_it_was(tmp_path: Path) -> None:
    files = (
        Artifact("a.apkg", "apkg", "learner", 10, "0" * 64, 5, notes=3, cards=4),
        Artifact("a-teacher.pdf", "pdf", "teacher", 20, "1" * 64, 6, pages=5),
    )
    state = State(
        {"a": LessonRecord("a", "lessons/a.txt", "Title", None, "f1", files, title_ja="題", revised=7, terms=2)},
        {"combined": PublishedRecord("f9", 1, files[:1])},
    )
    path = tmp_path / "state.json"
    save_state(path, state)
    assert load_state(path) == state
    assert json.loads(path.read_text("utf-8"))["lessons"]["a"]["title_ja"] == "題"  # kept readable, not escaped


def test_the_warm_up_lesson_goes_where_a_first_lesson_goes() -> None:
    # The build process reads it before forking its workers (errors there are suppressed: a broken warm-up lesson
    # would only make the workers load everything again, silently).
    lesson = read_lesson(Path("warm-up.txt"), runner._WARM_UP_LESSON, Settings(formats=("apkg", "pdf")))
    assert not [d for d in lesson.warnings if d.severity == "error"]
    assert lesson.clozes and lesson.translation is not None and len(lesson.sentences) == 2
    assert lesson.vocabulary[0].ipa and lesson.exercise is not None  # the CMU dictionary; a generated gap-fill


def test_a_cache_entry_encodes_each_model_object_by_its_fields_in_order(sample_path: Path, tmp_path: Path) -> None:
    lesson = read_lesson(sample_path, sample_path.read_bytes(), Settings())

    def by_fields(value: object) -> dict[str, object]:
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}  # type: ignore[arg-type]

    def encoded(value: object, default: Any) -> bytes:
        return json.dumps(value, default=default, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    assert lessoncache.entry(tmp_path, "ab" * 32, lesson)[1] == encoded(lesson, by_fields)
    decorated = lesson.vocabulary[0]
    object.__setattr__(decorated, "noted", "something stored beside the fields")
    assert lessoncache.entry(tmp_path, "ab" * 32, lesson)[1] == encoded(lesson, by_fields)  # fields only, still
    with pytest.raises(TypeError, match="not a lesson model object"):
        lessoncache.entry(tmp_path, "ab" * 32, {"a": object()})  # type: ignore[arg-type]


def test_a_large_lessons_objects_are_frozen_while_its_files_are_made_and_the_files_stay_the_same(
    sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From SETTLED_SENTENCES sentences on, the lesson's objects are out of the collector's reach (frozen) while its
    files are made; what is made is the same. The sample stands in for a large lesson (the bound lowered)."""
    import gc

    assert runner.SETTLED_SENTENCES > 1_000  # a real lesson has tens of sentences: nothing is frozen for it
    source = Source(sample_path, sample_path.stem, sample_path.stem, "f" * 64, 1_700_000_000)
    settings = Settings(formats=("apkg", "pdf"))
    before = gc.get_freeze_count()
    usual = build_one(Job(source), Workspace(tmp_path / "a", tmp_path / "a" / ".cache", settings))
    assert gc.get_freeze_count() == before
    monkeypatch.setattr(runner, "SETTLED_SENTENCES", 13)  # the sample's sentences
    try:
        settled = build_one(Job(source), Workspace(tmp_path / "b", tmp_path / "b" / ".cache", settings))
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()  # this test process goes on collecting as usual
    assert usual.ok and settled.ok
    assert [(n, o.name, o.data) for n, o in usual.outputs] == [(n, o.name, o.data) for n, o in settled.outputs]
    assert [(path.relative_to(tmp_path / "a"), data) for path, data in usual.kept] == [
        (path.relative_to(tmp_path / "b"), data) for path, data in settled.kept
    ]
