"""Revision times from git history: each Anki note's modification time is when its own content last changed."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ankiexport.build.notetimes import note_revision_times
from ankiexport.cli import main
from ankiexport.config import Settings
from ankiexport.readers import load_lesson
from ankiexport.revisions import git_histories, revision_times
from ankiexport.writers.apkg import lesson_notes, note_contents

anki_collection = pytest.importorskip("anki.collection")

LESSON = """Tokyo Cafés Tap into Tourist Demand
Small cafés in Tokyo are gaining traction with visitors from abroad.
Many owners say the weak yen is a crucial factor.
■ Vocabulary
- Tap into
- 和訳: ~を利用する
- gaining traction
- 和訳: 勢いを増す
- crucial
- 和訳: 極めて重要な
■ 和訳
東京のカフェ、観光需要を取り込む
東京の小さなカフェが海外からの訪問者の間で人気を集めている。多くの店主は、円安が決定的な要因だと話す。
"""

T1 = 1_767_225_600  # 2026-01-01: the lesson's first commit
T2 = T1 + 7 * 86_400
T3 = T2 + 7 * 86_400


def git(repo: Path, *arguments: str, when: int = T1) -> None:
    stamp = f"@{when} +0000"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    env.update(GIT_AUTHOR_NAME="teacher", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="teacher")
    env["GIT_COMMITTER_EMAIL"] = "t@example.org"
    subprocess.run(["git", *arguments], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A lessons repository with one lesson committed at T1."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "2026-12-07-cafes.txt").write_text(LESSON, "utf-8")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "lesson", when=T1)
    return tmp_path


def times_by_note(path: Path) -> dict[str, int]:
    """Per-note times for the lesson at ``path``, keyed by a readable name: 'vocabulary:<term>' or 'cloze:<key>'."""
    histories = git_histories([path])
    lesson = load_lesson(path, Settings())
    lesson = lesson.__class__(**{**lesson.__dict__, "revised": revision_times([path], histories)[path]})
    times = note_revision_times(lesson, path, histories[path], Settings(), note_contents)
    names = {}
    for note in lesson_notes(lesson):
        names[note.guid] = f"vocabulary:{note.fields[0]}" if note.kind == "vocabulary" else f"cloze:{note.fields[0]}"
    return {names[guid]: when for guid, when in times.items()}


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")


def test_only_the_changed_notes_move_forward(repo: Path) -> None:
    lesson = repo / "lessons" / "2026-12-07-cafes.txt"
    edit(lesson, "極めて重要な", "極めて重要な、決定的な")
    git(repo, "commit", "-qam", "fix gloss", when=T2)
    times = times_by_note(lesson)
    assert times["vocabulary:crucial"] == T2
    assert times["vocabulary:tap into"] == T1
    assert times["vocabulary:gaining traction"] == T1
    # The cloze that hides "crucial" shows its gloss on the back: it changed too; the others did not.
    changed = {name for name, when in times.items() if when == T2}
    assert changed == {"vocabulary:crucial", *[n for n in times if n.startswith("cloze:") and "crucial" in n]}
    assert any(name.startswith("cloze:") and when == T1 for name, when in times.items())


def test_an_uncommitted_edit_dates_from_the_file(repo: Path) -> None:
    lesson = repo / "lessons" / "2026-12-07-cafes.txt"
    edit(lesson, "勢いを増す", "勢いを増す、人気を得る")
    os.utime(lesson, (T3, T3))
    times = times_by_note(lesson)
    assert times["vocabulary:gaining traction"] == T3
    assert times["vocabulary:tap into"] == T1


def test_a_version_that_no_longer_reads_counts_as_different(repo: Path) -> None:
    lesson = repo / "lessons" / "2026-12-07-cafes.txt"
    lesson.write_text("", "utf-8")
    git(repo, "commit", "-qam", "oops, emptied", when=T2)
    lesson.write_text(LESSON, "utf-8")
    git(repo, "commit", "-qam", "restored", when=T3)
    assert set(times_by_note(lesson).values()) == {T3}


def test_a_learners_own_edit_survives_a_fix_to_another_note(repo: Path, tmp_path: Path) -> None:
    """The reason for per-note times: a whole-lesson time would overwrite the learner's note with the old text."""
    lesson = repo / "lessons" / "2026-12-07-cafes.txt"
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(lesson), "--out", str(repo / "out"), "-j", "1"]).exit_code == 0
    deck = repo / "out" / "2026-12-07-cafes.apkg"

    col: Any = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        options = anki_collection.ImportAnkiPackageOptions()
        col.import_anki_package(anki_collection.ImportAnkiPackageRequest(package_path=str(deck), options=options))
        (mine,) = col.find_notes('"Term:Tap into"')
        note = col.get_note(mine)
        note["Gloss"] = "~を利用する (my own mnemonic: tap a barrel)"
        edited_at = int(time.time())
        col.update_note(note)
        learner_edit = col.get_note(mine).mod
        assert learner_edit >= edited_at  # stamped now, not with the deck's time

        # The teacher fixes another gloss after the learner's edit (commit times can be set to the future). With
        # one time for the whole lesson, "Tap into" would look newer than the learner's copy and be overwritten.
        edit(lesson, "極めて重要な", "極めて重要な、決定的な")
        git(repo, "commit", "-qam", "fix gloss", when=learner_edit + 3600)
        assert runner.invoke(main, ["build", str(lesson), "--out", str(repo / "out"), "-j", "1"]).exit_code == 0
        request = anki_collection.ImportAnkiPackageRequest(package_path=str(deck), options=options)
        log = col.import_anki_package(request).log
        assert len(log.new) == 0
        updated = {note.fields[0] for note in log.updated}
        assert "crucial" in updated
        assert "Tap into" not in updated
        (crucial,) = col.find_notes('"Term:crucial"')
        assert col.get_note(crucial)["Gloss"] == "極めて重要な、決定的な"
        assert col.get_note(mine)["Gloss"] == "~を利用する (my own mnemonic: tap a barrel)"
    finally:
        col.close()
