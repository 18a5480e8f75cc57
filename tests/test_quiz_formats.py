"""Class quiz formats: Quizlet's import text (read back as TSV lines) and Kahoot!'s spreadsheet (read with openpyxl)."""

from __future__ import annotations

import collections
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from ankiexport.cli import main
from ankiexport.config import KAHOOT_TIME_LIMITS, load_config
from ankiexport.errors import ConfigError, OutputError
from ankiexport.model import Lesson, VocabEntry
from ankiexport.writers.kahoot import (
    ANSWER_LIMIT,
    FIRST_ROW,
    HEADINGS,
    QUESTION_LIMIT,
    kahoot_questions,
    kahoot_warnings,
    kahoot_xlsx,
    units,
)
from ankiexport.writers.quizlet import quizlet_text
from lesson_files import SAMPLE


def vocab_lesson(lesson_id: str, *entries: tuple[str, str], **changes: object) -> Lesson:
    """A lesson with only what the quiz formats read: vocabulary (term, gloss)."""
    vocabulary = tuple(VocabEntry(term, gloss, "", line) for line, (term, gloss) in enumerate(entries, start=10))
    fields: dict[str, object] = {
        "id": lesson_id,
        "source": f"{lesson_id}.txt",
        "title": "A title",
        "date": "2020-05-04",
        "article": (),
        "vocabulary": vocabulary,
        "translation": None,
    }
    fields.update(changes)
    return Lesson(**fields)  # type: ignore[arg-type]


def tsv_lines(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")  # strict: the file is UTF-8
    assert not text.startswith("\ufeff") and text.endswith("\n") and "\r" not in text
    return [line.split("\t") for line in text.splitlines()]


# ----------------------------------------------------------------------------------------------------- Quizlet


def test_quizlet_is_one_card_per_term_in_dictionary_form(sample: Lesson) -> None:
    lines = tsv_lines(quizlet_text([sample]))
    assert [len(fields) for fields in lines] == [2] * len(sample.vocabulary)
    assert [term for term, _ in lines] == [entry.headword for entry in sample.vocabulary]
    assert [gloss for _, gloss in lines] == [entry.gloss for entry in sample.vocabulary]
    assert ["skyrocket", "急騰する、急上昇する"] in lines  # the article has "skyrockets"; learners learn the base form
    assert ["capitalize on", "~をうまく利用する、~に乗じる"] in lines


def test_quizlet_fields_never_carry_a_tab_or_line_break() -> None:
    lesson = vocab_lesson("x", ("tap\tinto", "利用する\n(続き)\r\n二行目"), ("go\u2028on", "続ける\t \tこと"))
    lines = tsv_lines(quizlet_text([lesson]))
    assert lines == [["tap into", "利用する (続き) 二行目"], ["go on", "続ける こと"]]


def test_quizlet_all_lessons_asks_each_term_once() -> None:
    first = vocab_lesson("a", ("Tap into", "~を利用する"), ("crucial", "重要な"))
    second = vocab_lesson("b", ("tap into", "~に入り込む"), ("crucial", "重要な"), ("coherent", "一貫した"))
    lines = tsv_lines(quizlet_text([first, second]))
    assert lines == [["Tap into", "~を利用する / ~に入り込む"], ["crucial", "重要な"], ["coherent", "一貫した"]]


# ----------------------------------------------------------------------------------------------------- Kahoot!


def sheet_rows(data: bytes) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """(heading row, question rows) of a Kahoot! workbook, read back with openpyxl."""
    book = load_workbook(io.BytesIO(data))
    rows = list(book.active.iter_rows(values_only=True))
    return list(rows[FIRST_ROW - 2]), [row for row in rows[FIRST_ROW - 1 :] if any(row)]


def test_kahoot_sheet_follows_the_template_and_its_limits(sample: Lesson) -> None:
    heading, rows = sheet_rows(kahoot_xlsx(sample))
    assert tuple(cell or "" for cell in heading) == HEADINGS
    assert heading[1] == "Question - max 120 characters" and heading[7] == "Correct answer(s) - choose at least one"
    assert len(rows) == len(sample.vocabulary)  # one question per term
    headwords = [entry.headword for entry in sample.vocabulary]
    for number, (row, entry) in enumerate(zip(rows, sample.vocabulary, strict=True), start=1):
        index, question, *answers, time_limit, correct = row
        answers = [a for a in answers if a]
        assert index == number and time_limit == 20 and time_limit in KAHOOT_TIME_LIMITS
        assert question == f"「{entry.gloss}」を英語で言うと？" and units(str(question)) <= QUESTION_LIMIT
        assert len(answers) == 4 and len(set(answers)) == 4
        assert all(units(str(a)) <= ANSWER_LIMIT and a in headwords for a in answers)
        assert isinstance(correct, int) and answers[correct - 1] == entry.headword


def test_kahoot_distractors_are_never_a_second_right_answer(sample: Lesson) -> None:
    questions = {sample.vocabulary[q.entry].headword: q for q in kahoot_questions(sample)}
    # 「~を利用する」 and 「~をうまく利用する」: either word would be right, so neither is offered against the other.
    assert "capitalize on" not in questions["tap into"].answers
    assert "tap into" not in questions["capitalize on"].answers
    positions = collections.Counter(q.correct for q in questions.values())
    assert sorted(positions) == [1, 2, 3, 4] and max(positions.values()) == 3  # right answers spread evenly


def test_kahoot_is_deterministic_and_dated_by_the_lesson(sample: Lesson) -> None:
    lesson = vocab_lesson("dated", *((e.term, e.gloss) for e in sample.vocabulary))
    data = kahoot_xlsx(lesson)
    assert data == kahoot_xlsx(lesson)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2020, 5, 4, 0, 0, 0)}  # never the clock
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2020-05-04T00:00:00Z") == 2  # created and modified
    book = load_workbook(io.BytesIO(data))
    assert book.properties.created.isoformat() == book.properties.modified.isoformat() == "2020-05-04T00:00:00"


def test_kahoot_shortens_what_is_too_long() -> None:
    long_first = "とても長い意味" * 30
    emoji = "😀" * 70  # outside the BMP: two UTF-16 units each, as Kahoot! counts them
    lesson = vocab_lesson(
        "long",
        ("alpha", "第一の意味、" + "二番目の長い意味" * 14 + "、三番目"),
        ("beta", long_first),
        ("gamma", emoji),
        ("delta", "普通の意味"),
        ("x" * (ANSWER_LIMIT + 1), "長すぎる答え"),
    )
    questions = {lesson.vocabulary[q.entry].term: q for q in kahoot_questions(lesson)}
    assert questions["alpha"].text == "「第一の意味」を英語で言うと？"  # whole meanings while they fit
    assert questions["beta"].text.endswith("…」を英語で言うと？")
    for question in questions.values():
        assert units(question.text) <= QUESTION_LIMIT
        assert all(units(answer) <= ANSWER_LIMIT for answer in question.answers)
    assert units(questions["gamma"].text) in (QUESTION_LIMIT - 1, QUESTION_LIMIT)
    assert "x" * (ANSWER_LIMIT + 1) not in questions  # an answer Kahoot! would refuse is not asked at all
    assert kahoot_warnings(lesson) == [(14, "not in the Kahoot! quiz: longer than its 75-character answers")]


def test_kahoot_with_few_terms() -> None:
    two = kahoot_questions(vocab_lesson("two", ("go", "行く"), ("come", "来る")))
    assert [len(q.answers) for q in two] == [2, 2]  # Kahoot! accepts two answers
    with pytest.raises(OutputError, match="no Kahoot! question"):
        kahoot_xlsx(vocab_lesson("one", ("go", "行く")))


def test_kahoot_time_limit_setting(tmp_path: Path, sample: Lesson) -> None:
    config = tmp_path / "ankiexport.yaml"
    config.write_text("kahoot_time_limit: 30\n", "utf-8")
    settings, _ = load_config(config)
    _, rows = sheet_rows(kahoot_xlsx(sample, settings.kahoot_time_limit))
    assert {row[6] for row in rows} == {30}
    for wrong in ("25", "true", "'20'"):
        config.write_text(f"kahoot_time_limit: {wrong}\n", "utf-8")
        with pytest.raises(ConfigError, match="kahoot_time_limit must be one of 5, 10, 20"):
            load_config(config)


# ----------------------------------------------------------------------------------------------------- the build


def test_build_writes_quiz_formats_as_teacher_outputs(project: Path) -> None:
    arguments = ["build", "-j", "1", "--format", "quizlet", "--format", "kahoot", "--format", "apkg"]
    result = CliRunner().invoke(main, arguments, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = project / "out"
    stem = SAMPLE.stem
    assert len(tsv_lines((out / f"{stem}-quizlet.tsv").read_bytes())) == 12
    assert (out / "all-lessons-quizlet.tsv").read_bytes() == (out / f"{stem}-quizlet.tsv").read_bytes()
    assert len(sheet_rows((out / f"{stem}-kahoot.xlsx").read_bytes())[1]) == 12
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    audiences = {a["file"]: a["audience"] for a in manifest["artifacts"]}
    assert audiences == {f"{stem}-quizlet.tsv": "teacher", f"{stem}-kahoot.xlsx": "teacher", f"{stem}.apkg": "learner"}
    assert manifest["combined_quizlet"]["audience"] == "teacher"
    index = (out / "index.html").read_text("utf-8")
    assert f"{stem}.apkg" in index and "quizlet" not in index and "kahoot" not in index
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and not p.name.startswith(".")}
    again = CliRunner().invoke(main, [*arguments, "--force"], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name in before} == before


def test_kahoot_time_limit_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    base = ["build", str(SAMPLE), "-j", "1", "--format", "kahoot", "--out", "out"]
    bad = CliRunner().invoke(main, [*base, "--kahoot-time-limit", "25"])
    assert bad.exit_code == 2 and "25" in bad.output  # bad usage: not one of Kahoot!'s values
    good = CliRunner().invoke(main, [*base, "--kahoot-time-limit", "60"], catch_exceptions=False)
    assert good.exit_code == 0, good.output
    _, rows = sheet_rows((tmp_path / "out" / f"{SAMPLE.stem}-kahoot.xlsx").read_bytes())
    assert {row[6] for row in rows} == {60}


def test_a_lesson_without_a_quiz_still_builds_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    one_term = Path(__file__).resolve().parent / "lessons" / "cloze_optional_parentheses.txt"
    arguments = ["build", str(one_term), "-j", "1", "--format", "apkg", "--format", "kahoot", "--out", "out"]
    result = CliRunner().invoke(main, arguments, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"{one_term}: warning: no Kahoot! quiz: a question needs two terms" in result.output
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert "cloze_optional_parentheses.apkg" in names and not [n for n in names if n.endswith(".xlsx")]


def _old_distractors(lesson: Lesson, entry: int) -> list[int]:
    """The distractors as they were chosen before the choice was bounded (kept to compare with): every other term
    weighed for every question."""
    from ankiexport.analysis.glosses import senses
    from ankiexport.writers.determinism import seeded
    from ankiexport.writers.kahoot import MAX_ANSWERS, _answer

    right = _answer(lesson, entry)
    mine = senses(lesson.vocabulary[entry].gloss)
    candidates = [
        other
        for other in range(len(lesson.vocabulary))
        if other != entry
        and _answer(lesson, other).casefold() != right.casefold()
        and 0 < units(_answer(lesson, other)) <= ANSWER_LIMIT
        and not mine & senses(lesson.vocabulary[other].gloss)
    ]
    seeded(lesson.id, "kahoot", entry).shuffle(candidates)
    candidates.sort(key=lambda other: abs(len(_answer(lesson, other).split()) - len(right.split())))
    chosen: list[int] = []
    for other in candidates:
        if all(_answer(lesson, other).casefold() != _answer(lesson, c).casefold() for c in chosen):
            chosen.append(other)
    return chosen[: MAX_ANSWERS - 1]


_TERMS = ["go", "Go", "come", "tap into", "capitalize on", "gain traction", "x" * 80, "run", "run out"]
_GLOSSES = ["行く", "来る", "~を利用する", "~をうまく利用する", "勢いを増す", "走る、動く", "動く", "尽きる"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_TERMS), st.sampled_from(_GLOSSES)), max_size=12))
def test_kahoot_distractors_of_a_lesson_of_up_to_101_terms_are_those_weighing_every_term(
    entries: list[tuple[str, str]],
) -> None:
    from ankiexport.writers.kahoot import _distractors, _terms

    lesson = vocab_lesson("random", *entries)
    terms = _terms(lesson)
    assert [_distractors(lesson, e, terms) for e in range(len(entries))] == [
        _old_distractors(lesson, e) for e in range(len(entries))
    ]


def test_kahoot_of_a_long_lesson_weighs_a_bounded_sample_for_each_question(monkeypatch: pytest.MonkeyPatch) -> None:
    # Weighing every other term for every question was n * n (4,000 terms: 53 s). Past POOL + 1 terms each question
    # draws its distractors from a seeded sample of POOL: still never a second right answer, the same every build.
    from ankiexport.writers import kahoot

    weighed: list[int] = []
    pool = kahoot._pool
    monkeypatch.setattr(kahoot, "_pool", lambda *args: weighed.append(len(pool(*args))) or pool(*args))
    lesson = vocab_lesson("long", *((f"term{n}", f"いみ{n}") for n in range(300)), ("tap into", "~を利用する"))
    questions = kahoot_questions(lesson)
    assert len(questions) == 301 and set(weighed) == {kahoot.POOL}
    assert questions == kahoot_questions(lesson)
    for question in questions:
        right = question.answers[question.correct - 1]
        assert right == lesson.vocabulary[question.entry].term and len({a.casefold() for a in question.answers}) == 4
