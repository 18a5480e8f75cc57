"""The bad-input corpus, end to end: each bad lesson gets its clear message and exit 1, and the others still build."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from ankiexport.cli import main
from lesson_files import FIXTURES, SAMPLE
from shared_folders import made_once

# Fixture file -> (line of the error or None, what the message must say).
CORPUS: dict[str, tuple[int | None, str]] = {
    "bad_empty.txt": (None, "the file is empty"),
    "bad_whitespace_only.txt": (None, "the file is empty"),
    "bad_only_title.txt": (1, "the lesson has only a title"),
    "bad_no_article.txt": (2, "no article"),
    "bad_no_vocabulary.txt": (None, "no vocabulary section"),
    "bad_vocab_no_entries.txt": (7, "the vocabulary section has no entries"),
    "bad_entry_without_gloss.txt": (8, "has no gloss"),
    "bad_duplicate_term.txt": (14, "appears twice in the vocabulary: lines 8 and 14"),
    "bad_label_without_term.txt": (8, "belongs to no term"),
    "bad_starts_with_header.txt": (1, "must start with its English title"),
    "bad_yaml_alias_bomb.yaml": (2, "anchors (&name) are not allowed"),
    "bad_yaml_python_tag.yaml": (1, "unsupported YAML tag"),
    "bad_yaml_list_at_top.yaml": (1, "must be a mapping"),
    "bad_yaml_article_is_mapping.yaml": (2, "article: must be a list"),
    "bad_yaml_gloss_is_number.yaml": (8, "vocabulary[1].gloss: must be text"),
    "bad_yaml_term_is_boolean.yaml": (5, "vocabulary[0].term: must be text"),
    "bad_yaml_duplicate_term.yaml": (7, "appears twice"),
    "bad_yaml_entry_without_gloss.yaml": (5, "has no 'gloss'"),
    "bad_yaml_invalid_date.yaml": (2, "must be a real date"),
    "bad_yaml_impossible_timestamp.yaml": (2, "cannot be read"),
    "bad_yaml_missing_article.yaml": (1, "needs an 'article' key"),
    "bad_yaml_missing_title.yaml": (1, "needs a 'title' key"),
    "bad_yaml_only_comment.yaml": (None, "the file is empty"),
    "bad_yaml_syntax_error.yaml": (4, "not valid YAML"),
    "bad_yaml_vocabulary_empty.yaml": (4, "vocabulary: has no entries"),
    "bad_yaml_control_character.yaml": (9, "vocabulary[1].gloss: holds a control character U+001F"),
    "bad_encoding_cp932_with_a_utf8_line.txt": (6, "in another encoding than the rest of the file"),
}

# Made here rather than committed: binary junk, broken encodings and sizes no one wants in the repository.
GENERATED: dict[str, tuple[bytes, int | None, str]] = {
    "binary_junk.txt": (bytes(range(256)) * 8, 1, "binary data, not a text lesson"),
    "not_any_known_encoding.txt": (b"Title\n" + b"\xff\xfe\xfa\x80\x81" * 50 + b"\n", 2, "cannot decode the file"),
    "huge_10mb.txt": (b"Title\n" + b"word " * 2_100_000, None, "lessons are limited to 1,000,000 bytes"),
}


@dataclass(frozen=True)
class Built:
    """One build of the sample with every bad lesson beside it: what it printed, and what it left in out/."""

    lessons: Path
    code: int
    output: str
    names: frozenset[str]


def _build_all(folder: Path) -> None:
    lessons = folder / "lessons"
    lessons.mkdir()
    shutil.copy(SAMPLE, lessons / SAMPLE.name)
    for name in CORPUS:
        shutil.copy(FIXTURES / name, lessons / name)
    for name, (data, _, _) in GENERATED.items():
        (lessons / name).write_bytes(data)
    result = CliRunner().invoke(main, ["build", str(lessons), "--out", str(folder / "out"), "-j", "1"])
    (folder / "exit-code").write_text(str(result.exit_code))
    (folder / "output.txt").write_text(result.output, "utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample and the whole bad-input corpus built together, once for the session: each bad lesson must fail
    with its own message while every other lesson goes on (building the sample beside each one on its own would
    cost a build per bad lesson and check nothing more)."""
    folder = made_once(tmp_path_factory, "bad-inputs", _build_all)
    names = frozenset(p.name for p in (folder / "out").iterdir())
    output = (folder / "output.txt").read_text("utf-8")
    return Built(folder / "lessons", int((folder / "exit-code").read_text()), output, names)


def test_the_bad_lessons_fail_and_the_sample_builds(built: Built) -> None:
    assert built.code == 1, built.output
    assert "Traceback" not in built.output
    assert f"1 built, 0 unchanged, {len(CORPUS) + len(GENERATED)} failed" in built.output
    assert f"{SAMPLE.stem}.apkg" in built.names
    assert f"{SAMPLE.stem}.pdf" in built.names


def assert_failed_cleanly(built: Built, name: str, line: int | None, message: str) -> None:
    bad = built.lessons / name
    where = f"{bad}:{line}" if line is not None else str(bad)
    lines = (text.strip() for text in built.output.splitlines())
    errors = [text for text in lines if text.startswith(f"{bad}:") and ": error: " in text]
    assert errors, built.output
    assert all(error.startswith(f"{where}: error: ") and message in error for error in errors), errors
    assert not any(name.startswith(bad.stem) for name in built.names), built.names


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_lesson_fails_alone_with_its_message(built: Built, name: str) -> None:
    line, message = CORPUS[name]
    assert_failed_cleanly(built, name, line, message)


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_bad_input_fails_alone(built: Built, name: str) -> None:
    _, line, message = GENERATED[name]
    assert_failed_cleanly(built, name, line, message)


def test_every_bad_fixture_is_in_the_corpus() -> None:
    assert sorted(p.name for p in FIXTURES.glob("bad_*")) == sorted(CORPUS)


def test_a_200000_character_line_is_read_in_bounded_time(tmp_path: Path) -> None:
    lesson = SAMPLE.read_text("utf-8").splitlines()
    lesson.insert(2, "word " * 40_000)  # one enormous article paragraph
    path = tmp_path / "2026-12-01-long-line.txt"
    path.write_text("\n".join(lesson), "utf-8")
    result = CliRunner().invoke(main, ["check", str(path)])
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1)


@pytest.mark.parametrize("name", ["with spaces.txt", "日本語のレッスン.txt", ".leading-dot.txt"])
def test_awkward_file_names_build(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copy(SAMPLE, path)
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    built = sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith("."))
    stem = {
        "with spaces.txt": "with-spaces",
        "日本語のレッスン.txt": "日本語のレッスン",
        ".leading-dot.txt": "leading-dot",
    }[name]
    editions = [f"{stem}{suffix}.pdf" for suffix in ("", "-gapfill", "-teacher", "-reading")]
    expected = [f"{stem}.apkg", *editions, f"{stem}.html", "all-lessons.apkg", "index.html", "feed.xml"]
    assert built == sorted([*expected, "manifest.json"])
