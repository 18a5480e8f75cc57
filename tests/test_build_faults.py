"""The build's faults, each found by trying it (issue #10): moved sources, killed builds, reserved ids, crafted
state, tracebacks where a message belongs, and misleading exits."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ankiexport.cli import main
from disk_faults import disk_full_for
from lesson_files import SAMPLE

STEM = SAMPLE.stem
# One lesson's outputs with the default formats: its deck and every worksheet edition.
PDFS = [f"{STEM}{edition}.pdf" for edition in ("", "-gapfill", "-teacher", "-reading")]
OUTPUTS = [f"{STEM}.apkg", *PDFS, f"{STEM}.html"]


def run(*arguments: str) -> Result:
    return CliRunner().invoke(main, list(arguments), catch_exceptions=False)


def published(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and not p.name.startswith(".")}


def manifest_files(out: Path) -> list[str]:
    return [a["file"] for a in json.loads((out / "manifest.json").read_text("utf-8"))["artifacts"]]


def wait_for(condition: Callable[[], bool], timeout: float = 120) -> None:
    """Poll a condition (never a fixed sleep for another process); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


# 1. Outputs belong to lesson ids: a lesson whose source moved keeps its files.


@pytest.mark.parametrize("move", ["converted-to-yaml", "moved-into-subfolder"])
def test_a_moved_lesson_keeps_its_outputs(built_project: Path, move: str) -> None:
    source = built_project / "lessons" / SAMPLE.name
    if move == "converted-to-yaml":
        assert run("convert", str(source), "-o", str(source.with_suffix(".yaml"))).exit_code == 0
        source.unlink()
    else:
        (built_project / "lessons" / "2026").mkdir()
        source.rename(built_project / "lessons" / "2026" / SAMPLE.name)
    result = run("build", "-j", "1")
    assert result.exit_code == 0, result.output
    out = built_project / "out"
    assert (out / f"{STEM}.apkg").exists() and (out / f"{STEM}.pdf").exists()
    assert manifest_files(out) == OUTPUTS
    assert "0 built, 1 unchanged" in run("build", "-j", "1").output


# 2. Workers die with their parent, and a lock whose holder is gone is taken over.


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(child) for child in text.split()}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has died; only its exit status waits for a reaper


def _parallel_build(tmp_path: Path) -> tuple[list[str], dict[str, str], Path]:
    """A two-worker build of four lessons in a subprocess: its command, environment and output folder. Its workers
    live for their start-up and two lessons each, long after a poll every 10 ms has seen them."""
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    for number in range(4):
        shutil.copy(SAMPLE, lessons / f"2026-11-{number + 10:02d}-copy.txt")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "ankiexport", "build", str(lessons), "--out", str(out), "-j", "2", "--force"]
    return command, {**os.environ, "SOURCE_DATE_EPOCH": "1764288000"}, out


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_kill_9_of_the_build_takes_its_workers_and_lock_along(tmp_path: Path) -> None:
    command, env, _ = _parallel_build(tmp_path)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: len(_children(process.pid)) >= 2 or process.poll() is not None)
    workers = _children(process.pid)
    assert workers, "the build finished before its workers could be seen"
    os.kill(process.pid, signal.SIGKILL)  # the main process only, as `kill -9 $!` does
    process.wait()
    wait_for(lambda: not any(_alive(worker) for worker in workers))
    with pytest.MonkeyPatch.context() as patch:  # the next build (here: cheaper than a process) takes the lock
        patch.setenv("SOURCE_DATE_EPOCH", env["SOURCE_DATE_EPOCH"])
        again = run(*command[command.index("build") :])
    assert again.exit_code == 0, again.output
    assert "another ankiexport build" not in again.output


# 3. Reserved ids: a lesson cannot take the combined deck's (or manifest's, index's) name.


def test_a_lesson_named_like_the_combined_deck_is_refused(project: Path) -> None:
    shutil.copy(SAMPLE, project / "lessons" / "all-lessons.txt")
    for _ in range(2):
        result = run("build", "-j", "1")
        assert result.exit_code == 1
        assert (
            "lessons/all-lessons.txt: error: lesson id 'all-lessons' is reserved for the combined deck" in result.output
        )
    manifest = json.loads((project / "out" / "manifest.json").read_text("utf-8"))
    assert manifest_files(project / "out") == OUTPUTS
    assert manifest["combined"]["file"] == "all-lessons.apkg" and manifest["combined"]["lessons"] == 1
    data = (project / "out" / "all-lessons.apkg").read_bytes()
    import hashlib

    assert manifest["combined"]["sha256"] == hashlib.sha256(data).hexdigest()


# 4. A crafted or malformed state file never deletes outside --out, and never gives a traceback.


def _artifact(name: str) -> dict[str, object]:
    return {
        "file": name,
        "format": "apkg",
        "audience": "learner",
        "size": 6,
        "sha256": "0" * 64,
        "mtime_ns": 0,
        "notes": 0,
        "cards": 0,
        "pages": 0,
    }


def _state_of_a_gone_lesson_with(file: str) -> bytes:
    """A state file recording ``file`` as written for a lesson whose source no longer exists."""
    record = {"id": "gone", "source": "lessons/gone.txt", "title": "x", "date": None, "fingerprint": "f"}
    state = {"version": 2, "published": {}, "lessons": {"gone": {**record, "artifacts": [_artifact(file)]}}}
    return json.dumps(state).encode()


CRAFTED: dict[str, Callable[[Path], bytes]] = {
    "parent-folder": lambda victim: _state_of_a_gone_lesson_with("../victim.txt"),
    "absolute-path": lambda victim: _state_of_a_gone_lesson_with(str(victim)),
    "wrong-types": lambda victim: json.dumps({"version": 2, "published": [], "lessons": {"gone": 3}}).encode(),
    "deep-nesting": lambda victim: ('{"version": 2, "lessons": ' + "[" * 100000 + "]" * 100000 + "}").encode(),
    "not-json": lambda victim: b"\xff\xfe\x00garbage",
}


@pytest.mark.parametrize("kind", CRAFTED)
def test_a_crafted_state_file_deletes_nothing_outside_out(project: Path, kind: str) -> None:
    victim = project / "victim.txt"
    victim.write_text("mine!")
    out = project / "out"
    out.mkdir()
    (out / ".ankiexport-state.json").write_bytes(CRAFTED[kind](victim))
    result = run("build", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert ".ankiexport-state.json: warning: set aside as .ankiexport-state.json.broken" in result.output
    assert victim.read_text() == "mine!"
    assert "1 built" in result.output and (out / f"{STEM}.apkg").exists()
    assert "0 built, 1 unchanged" in run("build", "-j", "1").output


def test_only_files_the_build_wrote_are_deleted(project: Path) -> None:
    extra = project / "lessons" / "2026-12-05-extra.txt"
    shutil.copy(SAMPLE, extra)
    assert run("build", "-j", "1").exit_code == 0
    replaced = project / "out" / "2026-12-05-extra.pdf"
    replaced.write_text("a teacher's own notes, saved over the worksheet")
    extra.unlink()
    assert run("build", "-j", "1").exit_code == 0
    assert replaced.read_text() == "a teacher's own notes, saved over the worksheet"
    assert not (project / "out" / "2026-12-05-extra.apkg").exists()


# 5. One clear line and exit 1 where a traceback was, with previous outputs intact.


def test_disk_full_while_writing_the_index(built_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = published(built_project / "out")
    text = SAMPLE.read_text("utf-8").replace("Rise of the AI Trainer", "Rise of the AI Trainers", 1)
    (built_project / "lessons" / SAMPLE.name).write_text(text, "utf-8")
    disk_full_for(monkeypatch, lambda name: name.startswith(".index.html."))
    result = run("build", "-j", "1")
    assert result.exit_code == 1
    assert "out/index.html: error: cannot write: No space left on device" in result.output
    assert "Traceback" not in result.output
    assert published(built_project / "out")["index.html"] == before["index.html"]
    assert not [p for p in (built_project / "out").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", ["manifest.json", "index.html", "all-lessons.apkg", f"{STEM}.pdf"])
def test_a_folder_where_an_output_belongs(project: Path, name: str) -> None:
    (project / "out" / name).mkdir(parents=True)
    result = run("build", "-j", "1")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"out/{name}" in result.output and "error:" in result.output
    assert (project / "out" / name).is_dir()


@pytest.mark.parametrize("name", [".ankiexport-state.json", ".ankiexport.lock"])
def test_a_folder_where_the_builds_own_file_belongs(project: Path, name: str) -> None:
    (project / "out" / name).mkdir(parents=True)
    result = run("build", "-j", "1")
    assert result.exit_code == 1
    assert f"out/{name}: error: is a folder where the build keeps a file" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "value",
    ["abc", "1e9", "1790000000.5", "²", "-5", "99999999999999999999", "253402300800"],
)
def test_a_bad_source_date_epoch_is_one_clear_line(project: Path, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = run("build", "-j", "1")
    assert result.exit_code == 1
    assert result.output.startswith("SOURCE_DATE_EPOCH: error: must be a whole number of seconds")
    assert len(result.output.splitlines()) == 1
    assert not (project / "out").exists()


def test_ctrl_c_is_one_clear_line_and_keeps_previous_outputs(tmp_path: Path) -> None:
    command, env, out = _parallel_build(tmp_path)
    with pytest.MonkeyPatch.context() as patch:  # the outputs to keep: built here, as the subprocess would build them
        patch.setenv("SOURCE_DATE_EPOCH", env["SOURCE_DATE_EPOCH"])
        assert run("build", str(tmp_path / "lessons"), "--out", str(out), "-j", "1").exit_code == 0
    before = published(out)
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A background job inherits SIGINT ignored (and Python then never raises KeyboardInterrupt): restore it,
        # as an interactive shell does for the command it runs.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_for(lambda: len(_children(process.pid)) >= 2 or process.poll() is not None)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole foreground group
    _, stderr = process.communicate()
    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert f"{out}: error: interrupted" in stderr
    assert published(out) == before


# 6. -q still prints the summary; a missing default lessons/ is usage; finding no lessons is an error.


def test_quiet_prints_the_summary(project: Path) -> None:
    result = run("build", "-j", "1", "-q")
    assert result.output.splitlines()[-1].startswith("1 built, 0 unchanged, 0 failed")


def test_no_lessons_folder_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("build")
    assert result.exit_code == 2 and "no lessons/ folder here" in result.output
    assert run("check").exit_code == 2


def test_finding_no_lessons_is_an_error_and_publishes_nothing(project: Path) -> None:
    (project / "lessons" / SAMPLE.name).unlink()
    (project / "lessons" / "notes.md").write_text("not a lesson")
    result = run("build")
    assert result.exit_code == 1
    assert "lessons: error: no lesson files found" in result.output
    assert not (project / "out").exists()


def test_a_deleted_combined_deck_is_made_again_from_kept_parts(project: Path) -> None:
    shutil.copy(SAMPLE, project / "lessons" / "2026-12-05-second.txt")
    assert run("build", "-j", "1").exit_code == 0
    out = project / "out"
    before = (out / "all-lessons.apkg").read_bytes()
    manifest = (out / "manifest.json").read_bytes()
    (out / "all-lessons.apkg").unlink()
    result = run("build", "-j", "1")
    assert "0 built, 2 unchanged" in result.output and "updated combined deck" in result.output
    assert (out / "all-lessons.apkg").read_bytes() == before
    assert (out / "manifest.json").read_bytes() == manifest
