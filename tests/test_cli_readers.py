"""The reader-facing commands (check, show --json, convert) through click: output contract and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ankiexport.cli import main
from ankiexport.config import Settings
from ankiexport.readers.text import read_text_lesson
from ankiexport.readers.yaml_lesson import read_yaml_lesson
from lesson_files import FIXTURES, SAMPLE


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_check_sample_passes_with_the_trailer_warning(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert f"{SAMPLE}:77: warning:" in result.stderr
    assert "error:" not in result.output


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("bad_duplicate_term.txt", ":14: error: the term 'tap into' appears twice"),
        ("bad_empty.txt", ": error: the file is empty"),
        ("bad_yaml_alias_bomb.yaml", ":2: error: not valid YAML"),
        ("bad_yaml_gloss_is_number.yaml", ":8: error: vocabulary[1].gloss"),
    ],
)
def test_check_bad_lesson_exits_1_with_location_and_no_traceback(runner: CliRunner, name: str, where: str) -> None:
    path = FIXTURES / name
    result = runner.invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert f"{path}{where}" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an exception escaping click


def test_check_folder_reports_bad_lessons_and_still_checks_the_others(runner: CliRunner, tmp_path: Path) -> None:
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    shutil.copy(FIXTURES / "bad_entry_without_gloss.txt", tmp_path / "bad.txt")
    shutil.copy(FIXTURES / "translation_absent.txt", tmp_path / "ok lesson.txt")
    result = runner.invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.txt'}:8: error:" in result.stderr
    assert f"{tmp_path / 'ok lesson.txt'}: warning: no translation" in result.stderr
    assert f"{tmp_path / SAMPLE.name}:77: warning:" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["check", "no/such/lesson.txt"], ["show", "--no-such-option", str(SAMPLE)], ["convert"], ["show"]],
    ids=["missing-file", "unknown-option", "convert-without-lesson", "show-without-lesson"],
)
def test_bad_usage_exits_2(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_show_json_contract(runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "--json", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["title"].startswith("Rise of the AI Trainer")
    assert shown["date"] == "2026-11-28"
    assert isinstance(shown["sentences"], list)
    assert len(shown["vocabulary"]) == 12
    assert shown["vocabulary"][0] == {
        "term": "Tap into",
        "headword": "tap into",
        "gloss": "~を利用する、~に入り込む",
        "explanation": "もともとは「(たるに)栓を打ち込んで中身を取り出す」という語源から、"
        "資源、市場、需要などを「うまく利用・活用する」という意味。",
        "line": 27,
    }
    assert len(shown["gapfill"]) == 11
    # What the worksheet prints for a lesson without its own gap-fill: one line per article paragraph.
    assert len(shown["generated_gapfill"]) == 13
    assert shown["generated_gapfill"][0].startswith("A_ t__ g_____ d_____ f__ a_________ i___________ s_________")
    assert "Japan." in shown["generated_gapfill"][0] and "“AI T______,”" in shown["generated_gapfill"][0]
    assert shown["translation"]["title"] == "AIトレーナーの台頭:日本のリモートワーカー、世界的な需要を捉え外貨を獲得"
    assert len(shown["translation"]["paragraphs"]) == 5
    assert any(w["line"] == 77 and "advertisement" in w["message"] for w in shown["warnings"])
    assert isinstance(shown["clozes"], list)


def test_show_bad_lesson_exits_1(runner: CliRunner) -> None:
    path = FIXTURES / "bad_only_title.txt"
    result = runner.invoke(main, ["show", "--json", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1: error: the lesson has only a title" in result.stderr
    assert result.stdout == ""


def test_convert_to_stdout_reads_back_as_the_same_lesson(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["convert", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    from_yaml = read_yaml_lesson(tmp_path / "sample.yaml", result.stdout.encode("utf-8"), Settings())
    from_text = read_text_lesson(SAMPLE, SAMPLE.read_bytes(), Settings())
    assert [(e.term, e.gloss, e.explanation) for e in from_yaml.vocabulary] == [
        (e.term, e.gloss, e.explanation) for e in from_text.vocabulary
    ]
    assert [p.text for p in from_yaml.article] == [p.text for p in from_text.article]
    assert from_yaml.trailer == from_text.trailer
    assert from_yaml.date == "2026-11-28"


def test_convert_to_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "converted lesson.yaml"
    result = runner.invoke(main, ["convert", str(SAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == runner.invoke(main, ["convert", str(SAMPLE)]).stdout
    checked = runner.invoke(main, ["check", str(out)])
    assert checked.exit_code == 0, checked.output


def test_convert_bad_lesson_exits_1_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    path = FIXTURES / "bad_entry_without_gloss.txt"
    result = runner.invoke(main, ["convert", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{path}:8: error:" in result.stderr
    assert not out.exists()
