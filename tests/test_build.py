"""The build pipeline as a user runs it: outputs, incremental rebuilds, failures, atomicity, config and revisions."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ankiexport.build import revision_times, safe_stem
from ankiexport.cli import main
from disk_faults import disk_full_for
from lesson_files import SAMPLE


def run(*arguments: str) -> Result:
    return CliRunner().invoke(main, list(arguments), catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file in ``folder`` with its inode, modification time and bytes."""
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir()) if p.is_file()
    }


def test_build_writes_every_output(project: Path) -> None:
    result = run("build", "-j", "1")
    assert result.exit_code == 0, result.output
    out = project / "out"
    stem = SAMPLE.stem
    names = {p.name for p in out.iterdir()}
    assert {f"{stem}.apkg", f"{stem}.pdf", "all-lessons.apkg", "manifest.json", "index.html"} <= names
    assert not [n for n in names if n.endswith(".tmp")]
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["lessons"] == [{"id": stem, "title": manifest["lessons"][0]["title"], "date": "2026-11-28"}]
    assert manifest["lessons"][0]["title"].startswith("Rise of the AI Trainer")
    by_format = {a["format"]: a for a in manifest["artifacts"]}
    assert by_format["apkg"]["notes"] > 12 and by_format["apkg"]["cards"] > by_format["apkg"]["notes"]
    for artifact in manifest["artifacts"]:
        data = (out / artifact["file"]).read_bytes()
        assert artifact["size"] == len(data)
        assert len(artifact["sha256"]) == 64
    assert manifest["combined"]["file"] == "all-lessons.apkg"
    page = (out / "index.html").read_text("utf-8")
    assert f'href="{stem}.apkg"' in page and f'href="{stem}.pdf"' in page
    assert "Rise of the AI Trainer" in page


def test_second_build_rewrites_nothing(built_project: Path) -> None:
    before = snapshot(built_project / "out")
    result = run("build", "-j", "1")
    assert result.exit_code == 0
    assert "0 built, 1 unchanged" in result.output
    assert snapshot(built_project / "out") == before


def test_force_rebuilds_the_same_bytes(built_project: Path) -> None:
    published = lambda: {n: d for n, (_, _, d) in snapshot(built_project / "out").items() if not n.startswith(".")}  # noqa: E731
    before = published()
    result = run("build", "-j", "1", "--force")
    assert "1 built" in result.output
    assert published() == before


def test_changed_lesson_is_rebuilt_others_are_not(project: Path) -> None:
    second = project / "lessons" / "2026-12-05-second.txt"
    shutil.copy(SAMPLE, second)
    assert run("build", "-j", "1").exit_code == 0
    before = snapshot(project / "out")
    second.write_text(second.read_text("utf-8").replace("急騰する", "急上昇する"), "utf-8")
    result = run("build", "-j", "1")
    assert "1 built, 1 unchanged" in result.output
    after = snapshot(project / "out")
    assert after[f"{SAMPLE.stem}.apkg"] == before[f"{SAMPLE.stem}.apkg"]
    assert after["2026-12-05-second.apkg"][2] != before["2026-12-05-second.apkg"][2]
    assert after["all-lessons.apkg"][2] != before["all-lessons.apkg"][2]


def test_parallel_build_equals_serial_build(project: Path, tmp_path: Path) -> None:
    for number in range(3):
        shutil.copy(SAMPLE, project / "lessons" / f"2026-12-0{number + 1}-copy.txt")
    assert run("build", "-j", "1", "--out", "serial").exit_code == 0
    assert run("build", "-j", "2", "--out", "parallel").exit_code == 0
    serial = {n: d for n, (_, _, d) in snapshot(project / "serial").items() if not n.startswith(".")}
    parallel = {n: d for n, (_, _, d) in snapshot(project / "parallel").items() if not n.startswith(".")}
    assert serial == parallel


def test_lessons_with_the_same_text_keep_their_own_notes_in_the_combined_deck(project: Path, tmp_path: Path) -> None:
    # Same bytes and the same revision time (SOURCE_DATE_EPOCH): only the lesson id tells them apart, and what the
    # build keeps per lesson (deck parts, analysed lessons) must not be shared between them.
    shutil.copy(SAMPLE, project / "lessons" / "2026-12-01-copy.txt")
    assert run("build", "-j", "1").exit_code == 0
    with zipfile.ZipFile(project / "out" / "all-lessons.apkg") as archive:
        (tmp_path / "db").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "db") as db:
        guids = [row[0] for row in db.execute("select guid from notes")]
    with zipfile.ZipFile(project / "out" / f"{SAMPLE.stem}.apkg") as archive:
        (tmp_path / "one").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "one") as db:
        per_lesson = db.execute("select count(*) from notes").fetchone()[0]
    assert len(set(guids)) == len(guids) == 2 * per_lesson


def test_failed_lesson_does_not_stop_the_others(project: Path) -> None:
    (project / "lessons" / "2026-12-01-empty.txt").write_bytes(b"")
    result = run("build", "-j", "1")
    assert result.exit_code == 1
    assert "1 built, 0 unchanged, 1 failed" in result.output
    assert "lessons/2026-12-01-empty.txt" in result.output and "error" in result.output
    assert "Traceback" not in result.output
    names = {p.name for p in (project / "out").iterdir()}
    assert f"{SAMPLE.stem}.apkg" in names
    assert not any(n.startswith("2026-12-01-empty") for n in names)


def test_failed_rebuild_keeps_the_previous_good_files(built_project: Path) -> None:
    before = snapshot(built_project / "out")
    (built_project / "lessons" / SAMPLE.name).write_bytes(b"\x00\x01\x02 junk")
    result = run("build", "-j", "1")
    assert result.exit_code == 1
    after = snapshot(built_project / "out")
    for name in (f"{SAMPLE.stem}.apkg", f"{SAMPLE.stem}.pdf"):
        assert after[name] == before[name]


def test_write_error_mid_build_is_reported_and_harmless(built_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(built_project / "out")

    disk_full_for(monkeypatch)
    result = run("build", "-j", "1", "--force")
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert "Traceback" not in result.output
    after = snapshot(built_project / "out")
    for name in (f"{SAMPLE.stem}.apkg", f"{SAMPLE.stem}.pdf"):
        assert after[name][2] == before[name][2]
    assert not [n for n in after if n.endswith(".tmp")]


def test_out_that_is_a_file_is_refused_before_any_work(project: Path) -> None:
    (project / "taken").write_text("mine")
    result = run("build", "--out", "taken")
    assert result.exit_code == 1
    assert "taken: error: --out names a file" in result.output
    assert (project / "taken").read_text() == "mine"


def test_out_that_cannot_be_written_is_refused(project: Path) -> None:
    result = run("build", "--out", "/proc/ankiexport-out")
    assert result.exit_code == 1
    assert "/proc/ankiexport-out: error: cannot write to the output folder" in result.output


def test_stale_temporaries_are_cleaned(project: Path) -> None:
    out = project / "out"
    out.mkdir()
    stale = out / f".{SAMPLE.stem}.apkg.abc123.tmp"
    stale.write_bytes(b"half a file")
    assert run("build", "-j", "1").exit_code == 0
    assert not stale.exists()


def test_removed_lesson_loses_its_outputs(project: Path) -> None:
    extra = project / "lessons" / "2026-12-05-extra.txt"
    shutil.copy(SAMPLE, extra)
    assert run("build", "-j", "1").exit_code == 0
    assert (project / "out" / "2026-12-05-extra.pdf").exists()
    extra.unlink()
    assert run("build", "-j", "1").exit_code == 0
    assert not (project / "out" / "2026-12-05-extra.pdf").exists()
    manifest = json.loads((project / "out" / "manifest.json").read_text("utf-8"))
    assert [lesson["id"] for lesson in manifest["lessons"]] == [SAMPLE.stem]


def test_output_names_never_leave_out(project: Path) -> None:
    odd = project / "lessons" / "..:: weird name 日本語.txt"
    shutil.copy(SAMPLE, odd)
    result = run("build", "-j", "1", str(odd))
    assert result.exit_code == 0, result.output
    names = {p.name for p in (project / "out").iterdir()}
    assert "weird-name-日本語.apkg" in names
    assert {p.name for p in project.iterdir()} == {"lessons", "out"}


@pytest.mark.parametrize(
    ("lesson_id", "stem"),
    [("../../etc/passwd", "etc-passwd"), ("..", "lesson"), (".hidden", "hidden"), ("a:b/c", "a-b-c"), ("週1", "週1")],
)
def test_safe_stem(lesson_id: str, stem: str) -> None:
    assert safe_stem(lesson_id) == stem


def test_same_lesson_id_twice_is_an_error(project: Path) -> None:
    (project / "lessons" / f"{SAMPLE.stem}.yaml").write_text("title: x\n", "utf-8")
    result = run("build", "-j", "1")
    assert result.exit_code == 1
    assert "has the same lesson id as" in result.output


def test_format_flag_and_config(project: Path) -> None:
    (project / "ankiexport.yaml").write_text("formats: [pdf]\npage_size: letter\ncolour: blue\n", "utf-8")
    result = run("build", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "ankiexport.yaml:3: warning: unknown key 'colour'" in result.output
    names = {p.name for p in (project / "out").iterdir()}
    assert f"{SAMPLE.stem}.pdf" in names and f"{SAMPLE.stem}.apkg" not in names
    result = run("build", "-j", "1", "--format", "apkg", "--out", "decks")
    names = {p.name for p in (project / "decks").iterdir()}
    assert f"{SAMPLE.stem}.apkg" in names and f"{SAMPLE.stem}.pdf" not in names


def test_bad_config_value_is_an_error_naming_the_line(project: Path) -> None:
    (project / "ankiexport.yaml").write_text("deck_name: Mine\npage_size: a3\n", "utf-8")
    result = run("build")
    assert result.exit_code == 1
    assert "ankiexport.yaml:2: error: page_size must be one of a4, b5, letter" in result.output


def test_bad_usage_exits_2(project: Path) -> None:
    assert run("build", "--jobs", "0").exit_code == 2
    assert run("build", "--format", "docx").exit_code == 2
    assert run("build", "no-such-folder").exit_code == 2


def _git(cwd: Path, *arguments: str, when: str = "2026-01-05T10:00:00+00:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org", GIT_COMMITTER_NAME="t")
    env["GIT_COMMITTER_EMAIL"] = "t@example.org"
    subprocess.run(["git", *arguments], cwd=cwd, env=env, check=True, capture_output=True)


def test_revision_time_is_the_lessons_last_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    first, second = lessons / "a.txt", lessons / "b.txt"
    first.write_text("one")
    second.write_text("two")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "first", when="2026-01-05T10:00:00+00:00")
    second.write_text("two, fixed")
    _git(tmp_path, "commit", "-qam", "fix", when="2026-01-12T10:00:00+00:00")
    times = revision_times([first, second])
    assert times == {first: 1767607200, second: 1768212000}
    # An uncommitted edit is newer than any commit: its own modification time counts.
    second.write_text("two, edited")
    os.utime(second, (1800000000, 1800000000))
    assert revision_times([first, second])[second] == 1800000000


def test_revision_time_outside_git_uses_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lesson = tmp_path / "a.txt"
    lesson.write_text("x")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert revision_times([lesson]) == {lesson: 1700000000}
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    os.utime(lesson, (1600000000, 1600000000))
    assert revision_times([lesson]) == {lesson: 1600000000}


def test_apkg_outputs_are_valid_zip_files(built_project: Path) -> None:
    for deck in (built_project / "out").glob("*.apkg"):
        with zipfile.ZipFile(deck) as archive:
            assert archive.testzip() is None


def test_index_page_escapes_lesson_titles(project: Path) -> None:
    text = SAMPLE.read_text("utf-8").replace("Rise of the AI Trainer", '<script>alert("x")</script> & <b', 1)
    (project / "lessons" / SAMPLE.name).write_text(text, "utf-8")
    assert run("build", "-j", "1").exit_code == 0
    page = (project / "out" / "index.html").read_text("utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b" in page


def test_a_second_build_into_the_same_folder_is_refused(project: Path) -> None:
    import fcntl

    out = project / "out"
    out.mkdir()
    with open(out / ".ankiexport.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a build running in another terminal would
        result = run("build", "-j", "1")
    assert result.exit_code == 1
    assert "another ankiexport build is writing to this folder" in result.output
    assert {p.name for p in out.iterdir()} == {".ankiexport.lock"}
