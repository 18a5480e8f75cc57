"""The cumulative review test: items drawn across lessons, none repeated or given away, PDFs read back with pypdf."""

from __future__ import annotations

import collections
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from ankiexport.cli import main
from ankiexport.config import Settings
from ankiexport.readers import load_lesson
from ankiexport.review.layout import hint
from ankiexport.review.select import Selection, SelectionError, apportion, arrange, available, select
from lesson_files import FIXTURES, ROOT

# Four dated lessons; the sample teaches four terms the others teach too (skyrocket, tap into, gain traction,
# hedge against), so a term taught twice must still be asked once.
LESSONS = {
    "2026-11-07-verbs.txt": FIXTURES / "cloze_inflection_verb.txt",
    "2026-11-14-nouns.txt": FIXTURES / "cloze_inflection_noun.txt",
    "2026-11-21-phrases.txt": FIXTURES / "cloze_phrase_with_gap.txt",
    "2026-11-28-ai-trainer.txt": ROOT / "lessons" / "2026-11-28-ai-trainer.txt",
}


@pytest.fixture(scope="module")
def lessons_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("review") / "lessons"
    folder.mkdir()
    for name, source in LESSONS.items():
        shutil.copy(source, folder / name)
    return folder


@pytest.fixture(scope="module")
def lessons(lessons_dir: Path) -> list:  # type: ignore[type-arg]
    return [load_lesson(lessons_dir / name, Settings()) for name in sorted(LESSONS)]


def run(*arguments: str) -> Result:
    return CliRunner().invoke(main, ["review", *arguments], catch_exceptions=False)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def keys(selection: Selection, terms: object) -> list[str]:
    return [selection.headword(term).casefold() for term in terms]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------------- selection


@pytest.mark.parametrize("items", [4, 9, 15, 18, 40])
def test_no_term_repeats_and_every_lesson_is_covered(lessons: list, items: int) -> None:  # type: ignore[type-arg]
    selection = select(lessons, items)
    asked = selection.asked()
    assert selection.items() == min(items, available(lessons)) == len(asked)
    printed = keys(selection, [*asked, *selection.spare_words, *selection.spare_bank])
    assert len(printed) == len(set(printed))  # no term twice: not asked twice, not asked and shown as a spare
    assert {n for term in asked for n in selection.lessons_of(term)} == set(range(len(lessons)))


def test_items_are_in_proportion_to_each_lessons_terms(lessons: list) -> None:  # type: ignore[type-arg]
    assert available(lessons) == 18  # 4 + 3 + 3 + 12 terms, 4 of them taught twice
    selection = select(lessons, 9)
    per_lesson = collections.Counter(term.lesson for term in selection.asked())
    # Distinct terms per lesson, oldest first: verbs 4, nouns 3, phrases 3, sample 12 - 4 taught before = 8.
    assert [per_lesson[n] for n in range(4)] == apportion(9, [4, 3, 3, 8]) == [2, 2, 1, 4]
    kinds = (len(selection.matching), len(selection.cloze), len(selection.recall))
    assert kinds == (3, 3, 3)


def test_apportion() -> None:
    assert apportion(10, [5, 5]) == [5, 5]
    assert apportion(3, [1, 1, 10]) == [1, 1, 1]
    assert apportion(7, [10, 1, 1]) == [5, 1, 1]
    assert apportion(4, [2, 2, 2], minimum=0) == [2, 1, 1]


def test_nothing_printed_gives_an_asked_term_away(lessons: list) -> None:  # type: ignore[type-arg]
    selection = select(lessons, 18)
    asked = keys(selection, [*selection.recall, *(item.term for item in selection.cloze)])
    for item in selection.cloze:
        shown = item.sentence
        for start, end in sorted(item.spans, reverse=True):
            shown = shown[:start] + "___" + shown[end:]
        for word in asked:  # the sentence as printed holds no other asked term, not even inflected
            assert not re.search(rf"\b{re.escape(word[:-1])}", shown, re.IGNORECASE), (word, shown)


def test_hint_shows_each_words_first_letter_and_one_slot_per_letter() -> None:
    def printed(word: str) -> str:
        return "".join(char if shown else "_" for char, shown in hint(word))

    assert printed("skyrocket") == "s________"
    assert printed("gain traction") == "g___ t_______"
    assert printed("dollar-denominated") == "d_____-d__________"
    assert printed("make one's mind") == "m___ o__'s m___"


def test_versions_reorder_the_same_items(lessons: list) -> None:  # type: ignore[type-arg]
    selection = select(lessons, 18)
    a, b = arrange(selection, "A"), arrange(selection, "B")
    assert set(a.matching) == set(b.matching) and a.matching != b.matching
    assert set(a.words) == set(b.words) and a.words != b.words
    assert set(a.cloze) == set(b.cloze) and a.cloze != b.cloze
    assert set(a.bank) == set(b.bank) and a.bank != b.bank
    assert arrange(selection, "A") == a  # deterministic
    for arrangement in (a, b, arrange(selection, "")):  # no gloss beside its own word: answers never run in order
        assert all(arrangement.words.index(term) != row for row, term in enumerate(arrangement.matching))


def test_too_few_items_for_the_lessons(lessons: list) -> None:  # type: ignore[type-arg]
    with pytest.raises(SelectionError, match="3 items cannot cover 4 lessons"):
        select(lessons, 3)


# --------------------------------------------------------------------------------------------------- the command


def test_review_writes_student_and_teacher_editions(lessons_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "review.pdf"
    result = run(str(lessons_dir), "--items", "18", "-o", str(out))
    assert result.exit_code == 0, result.output
    student, teacher = pdf_text(out), pdf_text(tmp_path / "review-teacher.pdf")
    assert "Review Test" in student and "Teacher" not in student and "Answer Key" not in student
    assert "Teacher's edition" in teacher and "Answer Key" in teacher
    for number, name in enumerate(sorted(LESSONS), start=1):
        assert f"L{number}" in teacher and name[:10] in teacher  # the teacher edition names each item's lesson
    assert not re.search(r"\bL[1-4]\b", student)
    lessons = [load_lesson(lessons_dir / name, Settings()) for name in sorted(LESSONS)]
    selection = select(lessons, 18)
    flat = re.sub(r"\s+", " ", student)
    for item in selection.cloze:  # each blank's answer, in its sentence, is nowhere on the student's test
        for start, end in item.spans:
            context = item.sentence[max(0, start - 12) : end]
            assert re.sub(r"\s+", " ", context) not in flat
            assert item.sentence[start:end] in teacher
    for term in selection.recall:
        assert not re.search(rf"\b{re.escape(selection.headword(term))}\b", flat, re.IGNORECASE)
        assert selection.headword(term) in teacher
    again = tmp_path / "again.pdf"
    assert run(str(lessons_dir), "--items", "18", "-o", str(again)).exit_code == 0
    assert again.read_bytes() == out.read_bytes()  # the same lessons and options: the same bytes


def test_versions_have_their_letter_and_their_own_answers(lessons_dir: Path, tmp_path: Path) -> None:
    result = run(str(lessons_dir), "--items", "12", "--versions", "2", "-o", str(tmp_path / "test.pdf"))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["test-A-teacher.pdf", "test-A.pdf", "test-B-teacher.pdf", "test-B.pdf"]
    texts = {name: pdf_text(tmp_path / name) for name in names}
    assert "Version A" in texts["test-A.pdf"] and "Version B" in texts["test-B-teacher.pdf"]
    assert texts["test-A.pdf"] != texts["test-B.pdf"]
    lessons = [load_lesson(lessons_dir / name, Settings()) for name in sorted(LESSONS)]
    selection = select(lessons, 12)
    for version in "AB":
        arrangement = arrange(selection, version)
        key = texts[f"test-{version}-teacher.pdf"].split("Answer Key")[1]
        for row, term in enumerate(arrangement.matching, start=1):
            letter = "abcdefghij"[arrangement.words.index(term)]
            assert re.search(rf"1-{row}\s*{letter}\s*{re.escape(selection.headword(term))}", key), (version, row)


def test_date_range_chooses_lessons(lessons_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "november.pdf"
    result = run(str(lessons_dir), "--from", "2026-11-10", "--to", "2026-11-22", "--items", "6", "-o", str(out))
    assert result.exit_code == 0, result.output
    teacher = pdf_text(tmp_path / "november-teacher.pdf")
    assert "2026-11-14" in teacher and "2026-11-21" in teacher and "2026-11-28" not in teacher
    assert "L3" not in teacher


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--from", "2026-12-01", "--to", "2026-11-01"], 2, "the date range is empty"),
        (["--from", "2026-13-01"], 2, "2026-13-01"),
        (["--items", "3"], 2, "3 items cannot cover 4 lessons"),
        (["--versions", "27"], 2, "27"),
        (["--from", "2027-01-01"], 1, "no lessons dated 2027-01-01 or later"),
    ],
)
def test_bad_usage_and_bad_input(
    lessons_dir: Path, tmp_path: Path, arguments: list[str], code: int, message: str
) -> None:
    result = run(str(lessons_dir), *arguments, "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == code, result.output
    assert message in result.output
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_broken_lesson_fails_the_test_with_its_place(lessons_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "lessons"
    shutil.copytree(lessons_dir, broken)
    shutil.copy(FIXTURES / "bad_entry_without_gloss.txt", broken / "2026-11-20-broken.txt")
    result = run(str(broken), "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == 1
    assert re.search(r"2026-11-20-broken\.txt:\d+: error: ", result.output), result.output
    assert not (tmp_path / "x.pdf").exists()


def test_output_must_be_a_pdf(lessons_dir: Path, tmp_path: Path) -> None:
    result = run(str(lessons_dir), "-o", str(tmp_path / "x.docx"))
    assert result.exit_code == 2 and ".pdf" in result.output


def test_a_lesson_whose_terms_others_teach_is_covered_through_them(lessons_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "lessons"
    shutil.copytree(lessons_dir, folder)
    shutil.copy(folder / "2026-11-21-phrases.txt", folder / "2026-11-22-phrases-again.txt")  # the same three terms
    result = CliRunner().invoke(main, ["review", str(folder), "--items", "5", "-o", str(tmp_path / "t.pdf")])
    assert result.exit_code == 0, result.output
    assert "2026-11-22-phrases-again.txt: warning: teaches no term" in result.output
    teacher = pdf_text(tmp_path / "t-teacher.pdf")
    assert re.search(r"L3·L4", teacher)  # an item of the repeated lesson names both lessons
