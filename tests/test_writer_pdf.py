"""PDF worksheet writer: read back with pypdf (pages, fonts, text, outline, metadata) and the line breaker."""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import os
import re
import subprocess
import sys
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

import system_tools
from ankiexport.config import Settings
from ankiexport.errors import AnkiexportError
from ankiexport.fonts import font_dir
from ankiexport.model import Cloze, GapFill, GapToken, Lesson, Paragraph, Sentence, TermUse, Translation, VocabEntry
from ankiexport.readers import load_lesson
from ankiexport.writers import WRITERS, WriteContext
from ankiexport.writers.pdf import BODY, MINCHO, SERIF, Editions, has_gapfill_handout, prepare, render_editions
from ankiexport.writers.pdf_sheets import LETTER_PITCH, Sheet, gapped_words, plan_matching
from ankiexport.writers.pdf_text import NO_LINE_END, NO_LINE_START, Span, _encoded, font_for, wrap_text
from lesson_files import SAMPLE

MM = 72 / 25.4
SIZES = {"a4": (210 * MM, 297 * MM), "b5": (182 * MM, 257 * MM), "letter": (612.0, 792.0)}
NASTY = "Tom & Jerry <b>never closed, <font name=x>not a font</font> &amp; 5 < 6 > 4"

ARTICLE = (
    "As the global demand for AI specialists skyrockets, a new role is gaining significant traction in Japan.",
    "It is crucial work. " + NASTY + ".",
)


def _gap(word: str) -> GapToken:
    letters = len(word.rstrip(".,”"))
    return GapToken(word[0] + "_" * (letters - 1) + word[letters:], word) if letters > 1 else GapToken(word, word)


def make_lesson(**changes: Any) -> Lesson:
    """A small hand-built lesson with every analysis field filled, Japanese text and markup-like text."""
    sentences = (
        Sentence(ARTICLE[0], 0, 2, "需要が急増する中、新しい役割が注目を集めています。"),
        Sentence("It is crucial work.", 1, 3),
        Sentence(NASTY + ".", 1, 3),
    )
    first = sentences[0].text
    clozes = (
        Cloze(
            first,
            0,
            (
                TermUse(0, ((first.index("skyrockets"), first.index("skyrockets") + 10),)),
                TermUse(
                    1,
                    (
                        (first.index("gaining"), first.index("gaining") + 7),
                        (first.index("traction"), first.index("traction") + 8),
                    ),
                ),
            ),
            "c1",
        ),
        Cloze("It is crucial work.", 1, (TermUse(2, ((6, 13),)),), "c2"),
    )
    lesson = Lesson(
        id="2026-11-28-test",
        source="tests/2026-11-28-test.txt",
        title="Rise of the AI Trainer: “Quotes” & <b>markup</b>",
        date="2026-11-28",
        article=tuple(Paragraph(text, line) for line, text in enumerate(ARTICLE, start=2)),
        vocabulary=(
            VocabEntry(
                "skyrockets", "急騰する、急上昇する", "「空飛ぶロケット」のイメージ。", 10, headword="skyrocket"
            ),
            VocabEntry("gain traction", "勢いを増す、人気を得る", "tractionは「牽引力」。", 13),
            VocabEntry("crucial", "極めて重要な", "", 16),
            VocabEntry("<i>odd</i> & term", "変な<b>語</b>", "", 18),
        ),
        translation=Translation(
            "AIトレーナーの台頭", ("「AIトレーナー」という新しい職種が日本で大きな注目を集めています。",), 30
        ),
        sentences=sentences,
        clozes=clozes,
        exercise=GapFill(tuple(tuple(_gap(w) for w in text.split()) for text in ARTICLE), generated=True),
        revised=1764300000,
    )
    return lesson.__class__(**{**lesson.__dict__, **changes})


def render(lesson: Lesson | None = None, version: str = "", **settings: Any) -> Editions:
    return render_editions(lesson or make_lesson(), Settings(**settings), version)


def pdf_texts(data: bytes) -> list[str]:
    """Each page's text, as pypdf extracts it (remembered by content: the session's editions are read by many
    tests, and extraction costs far more than rendering)."""
    return list(_extracted(data))


@functools.cache
def _extracted(data: bytes) -> tuple[str, ...]:
    return tuple(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def every(editions: Editions) -> dict[str, bytes]:
    """Every file of the editions by its name suffix: "" and "-gapfill" (students), "-teacher", "-reading"."""
    files = {suffix: data for suffix, data, _ in editions.handouts}
    files["-teacher"] = editions.teacher
    if editions.reading is not None:
        files["-reading"] = editions.reading
    return files


@pytest.fixture(scope="session")
def sample_editions() -> dict[str, Editions]:
    """The sample lesson's editions on every paper size, built once for the whole session."""
    lesson = load_lesson(SAMPLE, Settings())
    return {size: render_editions(lesson, Settings(page_size=size)) for size in SIZES}


@pytest.fixture(scope="session")
def small_editions() -> Editions:
    return render()


# ------------------------------------------------------------------------------------------------- editions


@pytest.mark.parametrize("size", ["a4", "b5", "letter"])
def test_page_size_per_option(size: str) -> None:
    for name, data in every(render(page_size=size)).items():
        for page in PdfReader(io.BytesIO(data)).pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert (width, height) == pytest.approx(SIZES[size], abs=0.5), name


def test_writer_returns_every_edition_with_its_audience(tmp_path: Path) -> None:
    outputs = WRITERS["pdf"](make_lesson(), WriteContext(Settings(), "x", tmp_path / "cache"))
    assert {output.name: output.audience for output in outputs} == {
        "x.pdf": "learner",
        "x-gapfill.pdf": "learner",
        "x-teacher.pdf": "teacher",
        "x-reading.pdf": "teacher",
    }
    for output in outputs:
        assert output.data.startswith(b"%PDF-") and output.pages == len(PdfReader(io.BytesIO(output.data)).pages)
    no_reading = WRITERS["pdf"](make_lesson(), WriteContext(Settings(reading_page=False), "y", tmp_path / "cache"))
    assert "y-reading.pdf" not in {output.name for output in no_reading}


def test_teacher_edition_is_the_student_pages_with_answers_then_the_key(small_editions: Editions) -> None:
    teacher = pdf_texts(small_editions.teacher)
    students = [pdf_texts(data) for _, data, _ in small_editions.handouts]
    assert small_editions.teacher_pages == len(teacher) == sum(len(pages) for pages in students) + 1
    assert teacher[-1].lstrip().startswith("Answer Key") and "解答" in teacher[-1][:30]
    for pages in students:
        assert all("Answer Key" not in text and "Teacher" not in text for text in pages)
    assert all("Teacher's edition" in text for text in teacher[:-1])
    # The same drawing: the student page's operators are the teacher page's, less the answers (and the footer).
    student_pages = [page for _, data, _ in small_editions.handouts for page in PdfReader(io.BytesIO(data)).pages]
    for student, mine in zip(student_pages, PdfReader(io.BytesIO(small_editions.teacher)).pages, strict=False):
        ours = student.get_contents().get_data().splitlines()
        theirs = set(mine.get_contents().get_data().splitlines())
        assert len(ours) > 50 and len([op for op in ours if op not in theirs]) <= 3
    page_one = flat(teacher[0])
    assert "skyrockets" in page_one and "gaining" in page_one and "traction" in page_one


def _font_dicts(resources: Any, seen: set[int]) -> list[Any]:
    found: list[Any] = []
    if resources is None:
        return found
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        found.append(font.get_object())
    for xobject in (resources.get("/XObject") or {}).values():
        obj = xobject.get_object()
        if id(obj) not in seen and obj.get("/Subtype") == "/Form":
            seen.add(id(obj))
            found += _font_dicts(obj.get("/Resources"), seen)
    return found


def test_every_font_is_embedded_as_a_subset(small_editions: Editions) -> None:
    for edition, data in every(small_editions).items():
        fonts: dict[str, Any] = {}
        seen: set[int] = set()
        for page in PdfReader(io.BytesIO(data)).pages:
            for font in _font_dicts(page.get("/Resources"), seen):
                fonts[str(font["/BaseFont"])] = font
        assert fonts
        for name, font in fonts.items():
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None, f"{edition}: {name} has no descriptor (a standard, unembedded font)"
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{name} not embedded"
            assert re.match(r"/[A-Z]{6}\+", name), f"{name} is not a subset"
        assert not any("Helvetica" in name for name in fonts)


def test_pdffonts_lists_no_unembedded_font(tmp_path: Path, small_editions: Editions) -> None:
    pdffonts = system_tools.require("pdffonts", "poppler-utils")
    for edition, data in every(small_editions).items():
        path = tmp_path / f"w{edition}.pdf"
        path.write_bytes(data)
        rows = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True).stdout
        assert rows.splitlines()[2:]
        for row in rows.splitlines()[2:]:
            assert row.split()[-5:-3] == ["yes", "yes"], row


# -------------------------------------------------------------------------------------------- contents


def test_japanese_extracts_as_unicode(small_editions: Editions) -> None:
    text = re.sub(r"\s", "", "".join(pdf_texts(small_editions.teacher) + pdf_texts(small_editions.reading or b"")))
    for japanese in ("語彙のマッチング", "急騰する", "勢いを増す", "解答", "AIトレーナーの台頭", "新しい職種"):
        assert japanese in text


def test_header_has_course_title_date_class_number_name_and_points() -> None:
    editions = render(course_name="Kanda English Club")
    first = flat(pdf_texts(editions.handouts[0][1])[0])
    for piece in ("Kanda English Club", "Rise of the AI Trainer", "2026-11-28", "組", "番号", "名前", "得点"):
        assert piece in first
    # 3 of the 4 meanings asked at 1 point, 3 cloze terms at 2 points (2a and 2b are one term)
    assert "/ 9" in first and "1 point each, 3 in all" in first and "2 points each, 6 in all" in first
    gapfill = flat(pdf_texts(editions.handouts[1][1])[0])
    assert "Rise of the AI Trainer" not in gapfill and "AIトレーナーの台頭" in gapfill
    assert f"/ {sum('_' in t.shown for line in make_lesson().exercise.paragraphs for t in line)}" in gapfill


def test_student_worksheet_has_the_exercises_and_no_answer(small_editions: Editions) -> None:
    worksheet = flat(" ".join(pdf_texts(small_editions.handouts[0][1])))
    lesson = make_lesson()
    for entry in plan_matching(Sheet(lesson, Settings(), 500, 700)).items:
        assert re.sub(r"\s", "", lesson.vocabulary[entry].gloss) in re.sub(r"\s", "", worksheet)
    for term in ("skyrocket", "gain traction", "crucial"):
        assert term in worksheet  # the word list and the bank hold dictionary forms
    assert "(1)" in worksheet and "(2a)" in worksheet and "(2b)" in worksheet and "(3)" in worksheet
    assert "As the global demand for AI specialists" in worksheet
    assert "skyrockets" not in worksheet and "gaining" not in worksheet and "traction in" not in worksheet


def test_key_is_compact_cloze_answers_in_place_and_gapped_words_only(small_editions: Editions) -> None:
    key = flat(pdf_texts(small_editions.teacher)[-1])
    assert "(1) skyrockets ← skyrocket" in key and "(2a) gaining ← gain traction" in key and "(2b) traction" in key
    assert "¶1" in key and "¶2" in key and "1 As" in key and "2 the" in key
    assert "Tom" in key and "2026-11-28" not in key.split("Complete the article")[-1]


def _context_phrases(tokens: list[str], index: int) -> list[str]:
    """The answer at ``index`` with a word either side, as the article has it (lower case, no punctuation)."""
    words = [re.sub(r"[^\w’'-]", "", t).lower() for t in tokens]
    phrases = []
    if index > 0:
        phrases.append(f"{words[index - 1]} {words[index]}")
    if index + 1 < len(words):
        phrases.append(f"{words[index]} {words[index + 1]}")
    return [p for p in phrases if len(p) > 6]


def _answers_in_context(lesson: Lesson, handout: str) -> list[str]:
    """Each answer of the handout's exercises with a word either side: the gap-fill's, or the cloze's."""
    phrases: list[str] = []
    assert lesson.exercise is not None
    for line in lesson.exercise.paragraphs if handout == "-gapfill" else ():
        answers = [token.answer for token in line]
        for index, token in enumerate(line):
            if "_" in token.shown:
                phrases += _context_phrases(answers, index)
    for cloze in lesson.clozes if handout == "" else ():
        if cloze.index is None:
            continue  # the title is never a cloze item (the header prints it)
        for use in cloze.uses:
            for start, end in use.spans:
                before, after = cloze.sentence[:start].split()[-1:], cloze.sentence[end:].split()[:1]
                answer = cloze.sentence[start:end]
                phrases += [" ".join([*before, answer]), " ".join([answer, *after])]
    # What the lesson's own block leaves whole somewhere (its “AI Trainer,” in paragraph 1) is given, not an answer.
    given = {
        f"{a.answer} {b.answer}"
        for line in lesson.exercise.paragraphs
        for a, b in itertools.pairwise(line)
        if "_" not in a.shown + b.shown
    }
    normalised = [" ".join(re.sub(r"[^\w’'-]+", " ", p).lower().split()) for p in phrases]
    given = {" ".join(re.sub(r"[^\w’'-]+", " ", p).lower().split()) for p in given}
    return [p for p in normalised if len(p.split()) >= 2 and p not in given]  # a bare word is the bank's business


def _searchable(data: bytes) -> str:
    return re.sub(r"[^\w’'-]+", " ", " ".join(pdf_texts(data))).lower()


@pytest.mark.parametrize("size", ["a4", "b5", "letter"])
def test_no_student_handout_prints_an_answer_in_its_context(size: str, sample_editions: dict[str, Editions]) -> None:
    lesson = load_lesson(SAMPLE, Settings())
    for suffix, data, _ in sample_editions[size].handouts:
        phrases = _answers_in_context(lesson, suffix)
        assert len(phrases) > (400 if suffix else 20)
        text = " " + _searchable(data) + " "
        found = [phrase for phrase in phrases if f" {phrase} " in text]
        assert not found, f"{suffix or 'worksheet'}: {found[:5]}"
        # The same search finds them on the reading handout, which prints the article whole.
        reading = " " + _searchable(sample_editions[size].reading or b"") + " "
        assert sum(f" {phrase} " in reading for phrase in phrases) >= 0.9 * len(phrases)


def test_title_is_never_a_cloze_item_under_a_header_that_prints_it() -> None:
    lesson = make_lesson()
    title = "Rise of the AI Trainer"
    title_cloze = Cloze(title, None, (TermUse(2, ((0, 4),)),), "title")
    worksheet = flat(" ".join(pdf_texts(render(make_lesson(clozes=(title_cloze, *lesson.clozes))).handouts[0][1])))
    assert worksheet.count("Rise of the AI Trainer") == 1 and "(1) ____" not in worksheet


def test_gapfill_letter_counts_are_the_articles(sample_editions: dict[str, Editions]) -> None:
    """The slots drawn on the gap-fill handout, run by run, are the article words' missing letters."""
    lesson = load_lesson(SAMPLE, Settings())
    assert lesson.exercise is not None
    expected = []
    for token in (t for line in lesson.exercise.paragraphs for t in line):
        shown_letters = [s for s, a in zip(token.shown, token.answer, strict=True) if a.isalpha() and s != "_"]
        assert token.shown.count("_") == sum(c.isalpha() for c in token.answer) - len(shown_letters)
        expected += [len(run) for run in re.findall(r"_+", token.shown)]
    assert sum(expected) > 1000
    for size, editions in sample_editions.items():
        (data,) = [data for suffix, data, _ in editions.handouts if suffix == "-gapfill"]
        drawn: list[int] = []
        for page in PdfReader(io.BytesIO(data)).pages:
            previous = None
            for x0, y, x1 in _slot_lines(page):
                if x1 - x0 > 12:
                    continue  # the header's writing lines
                joined = (
                    previous is not None and abs(previous[1] - y) < 0.1 and abs(x0 - previous[0] - LETTER_PITCH) < 0.1
                )
                if joined:
                    drawn[-1] += 1
                else:
                    drawn.append(1)
                previous = (x0, y)
        assert drawn == expected, size


def test_handwriting_room(small_editions: Editions) -> None:
    data = small_editions.handouts[1][1]
    slots = _slot_lines(PdfReader(io.BytesIO(data)).pages[0])
    letters = [s for s in slots if s[2] - s[0] < 12]
    assert len(letters) > 20
    rows: dict[float, list[float]] = {}
    for x0, y, _ in letters:
        rows.setdefault(round(y, 1), []).append(x0)
    pitches = [b - a for xs in rows.values() for a, b in itertools.pairwise(sorted(xs)) if b - a < 14]
    assert pitches and min(pitches) >= 3.5 * MM - 0.01
    baselines = sorted(rows)
    assert min(b - a for a, b in itertools.pairwise(baselines)) >= 8 * MM - 0.01


def _slot_lines(page: Any) -> list[tuple[float, float, float]]:
    """(x0, y, x1) in page space of every horizontal line drawn: the writing slots."""
    stack: list[tuple[float, float]] = [(0.0, 0.0)]
    found = []
    tokens = page.get_contents().get_data().decode("latin-1").split()
    for i, token in enumerate(tokens):
        if token == "q":
            stack.append(stack[-1])
        elif token == "Q":
            stack.pop()
        elif token == "cm" and tokens[i - 6 : i - 2] == ["1", "0", "0", "1"]:
            stack[-1] = (stack[-1][0] + float(tokens[i - 2]), stack[-1][1] + float(tokens[i - 1]))
        elif token == "l" and i >= 5 and tokens[i - 3] == "m" and tokens[i - 1] == tokens[i - 4]:
            dx, dy = stack[-1]
            found.append((float(tokens[i - 5]) + dx, float(tokens[i - 4]) + dy, float(tokens[i - 2]) + dx))
    return found


def test_matching_leaves_words_over_so_the_last_is_not_by_elimination(small_editions: Editions) -> None:
    lesson = make_lesson()
    sheet = Sheet(lesson, Settings(), 500, 700)
    plan = plan_matching(sheet)
    assert len(plan.choices) == 4 and len(plan.items) == 3  # one word over
    for row, entry in enumerate(plan.items):
        assert lesson.vocabulary[plan.choices["abcd".index(plan.answer(row))]] == lesson.vocabulary[entry]
    assert plan_matching(sheet) == plan
    twelve = make_lesson(vocabulary=tuple(VocabEntry(f"w{i}", f"意味{i}", "", i) for i in range(12)))
    big = plan_matching(Sheet(twelve, Settings(), 500, 700))
    assert len(big.items) == 10 and len(set(big.items)) == 10
    assert [big.answer(row) for row in range(10)] != sorted(big.answer(row) for row in range(10))


def test_versions_reshuffle_and_label_the_header() -> None:
    plain = flat(pdf_texts(render().handouts[0][1])[0])
    version_b = flat(pdf_texts(render(version="B").handouts[0][1])[0])
    assert "Version B" in version_b and "Version" not in plain
    assert render(version="B").teacher == render(version="B").teacher


def test_reading_handout_has_article_translation_and_study_page(small_editions: Editions) -> None:
    pages = pdf_texts(small_editions.reading or b"")
    text = flat(" ".join(pages))
    assert NASTY in text and "“Quotes” & <b>markup</b>" in text  # lesson text is never markup
    assert "新しい職種" in re.sub(r"\s", "", text)
    assert "Vocabulary" in pages[-1] and "「空飛ぶロケット」のイメージ。" in re.sub(r"\s", "", pages[-1])
    assert "組" not in pages[0]  # a handout to read, not to hand in
    assert "/ˈkruːʃəl/" in pages[-1]  # crucial, in the IPA the decks use
    without = render(vocabulary_page=False).reading or b""
    assert "空飛ぶロケット" not in re.sub(r"\s", "", " ".join(pdf_texts(without)))


def test_lesson_text_is_never_markup(small_editions: Editions) -> None:
    text = flat(" ".join(pdf_texts(small_editions.teacher)))
    assert "“Quotes” & <b>markup</b>" in text
    assert "<i>odd</i> & term" in text and "変な<b>語</b>" in re.sub(r"\s", "", text)


def test_malformed_clozes_are_left_out() -> None:
    good = make_lesson().clozes[1]
    bad = (
        Cloze("Out of range.", 0, (TermUse(0, ((5, 99),)),), "a"),
        Cloze("Overlapping spans.", 0, (TermUse(0, ((0, 8),)), TermUse(1, ((4, 10),))), "b"),
        Cloze("No spans.", 0, (TermUse(0, ()),), "c"),
        Cloze("Unknown term.", 0, (TermUse(9, ((0, 7),)),), "d"),
    )
    text = " ".join(pdf_texts(render(make_lesson(clozes=(*bad, good))).handouts[0][1]))
    assert "It is" in text and "work." in text
    for cloze in bad:
        assert cloze.sentence.split()[-1] not in text


def test_missing_sections_still_make_a_worksheet() -> None:
    editions = render(make_lesson(clozes=(), exercise=None, translation=None))
    assert [suffix for suffix, _, _ in editions.handouts] == [""]
    pages = pdf_texts(editions.handouts[0][1])
    assert "1 Vocabulary matching" in flat(pages[0]) and "Sentence cloze" not in " ".join(pages)
    assert pdf_texts(editions.teacher)[-1].lstrip().startswith("Answer Key")
    empty = render(make_lesson(vocabulary=(), clozes=(), exercise=None, article=(), translation=None))
    assert "no vocabulary" in pdf_texts(empty.handouts[0][1])[0] and empty.reading is None


def test_oversized_fields_split_across_pages() -> None:
    lesson = make_lesson()
    essay = "日本語の長い文章が続きます。" * 150  # a gloss taller than a page: its table row must split
    words = "unprecedented words keep going " * 400
    huge = make_lesson(
        vocabulary=(VocabEntry("x", essay, "", 3), VocabEntry("y" * 3000, "短い", "", 4), *lesson.vocabulary[2:]),
        clozes=(Cloze(words, 0, (TermUse(0, ((0, 13),)),), "k"),),
        title=words[:3000],
    )
    editions = render(huge)
    assert len(pdf_texts(editions.teacher)) > 4
    if 0 in plan_matching(Sheet(huge, Settings(), 500, 700)).items:
        assert "".join(pdf_texts(editions.handouts[0][1])).count("続") == 150  # no line lost where rows split


# ---------------------------------------------------------------------------------- pdf-level properties


def test_outline_and_metadata() -> None:
    editions = render(author="Sakura School")
    teacher = PdfReader(io.BytesIO(editions.teacher))
    titles = [item.title for item in teacher.outline if not isinstance(item, list)]
    assert "Answer Key 解答" in titles and "1. Vocabulary matching" in titles and "Complete the article" in titles
    nested = next(item for item in teacher.outline if isinstance(item, list))
    assert nested[0].title == "1. Vocabulary matching"  # the key's sections sit under "Answer Key"
    student = PdfReader(io.BytesIO(editions.handouts[0][1]))
    assert [item.title for item in student.outline] == ["1. Vocabulary matching", "2. Sentence cloze"]
    for reader in (teacher, student):
        info = reader.metadata
        assert info is not None
        assert info.title == make_lesson().title and info.author == "Sakura School"
        assert "English News Reading" in (info.subject or "")
        assert str(reader.trailer["/Root"]["/Lang"]) == "ja"
        assert str(info["/CreationDate"]).startswith("D:20251128")  # from lesson.revised, not the clock
    assert "student" in (student.metadata.subject or "") and "teacher" in (teacher.metadata.subject or "")


def test_page_numbers_count_each_edition_on_its_own(sample_editions: dict[str, Editions]) -> None:
    for data in every(sample_editions["b5"]).values():
        pages = pdf_texts(data)
        for number, text in enumerate(pages, start=1):
            assert f"{number}/{len(pages)}" in text.replace(" ", "") or f"{number}\n/" in text


def test_editions_are_byte_identical(monkeypatch: pytest.MonkeyPatch) -> None:
    first = every(render())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    second = every(render())
    assert first == second
    assert all(b"/ID" in data for data in first.values())


def test_identical_across_processes(sample_path: Path, sample_editions: dict[str, Editions]) -> None:
    script = (
        "import sys, hashlib; from pathlib import Path; from ankiexport.config import Settings;"
        "from ankiexport.readers import load_lesson; from ankiexport.writers.pdf import render_editions;"
        "e = render_editions(load_lesson(Path(sys.argv[1]), Settings()), Settings());"
        "print(*[hashlib.sha256(d).hexdigest() for _, d, _ in e.handouts], hashlib.sha256(e.teacher).hexdigest(),"
        " hashlib.sha256(e.reading).hexdigest())"
    )
    mine = os.environ.get("PYTHONHASHSEED", "random")
    seed = "1" if mine == "random" else str(int(mine) + 1)  # another interpreter, with another hash seed than this one
    env = {**os.environ, "PYTHONHASHSEED": seed}
    there = subprocess.run([sys.executable, "-c", script, str(sample_path)], check=True, env=env, capture_output=True)
    here = sample_editions["a4"]  # the default settings' page size, rendered in this process
    assert Settings(page_size="a4") == Settings()
    files = [data for _, data, _ in here.handouts] + [here.teacher, here.reading or b""]
    assert there.stdout.split() == [hashlib.sha256(data).hexdigest().encode() for data in files]


def _page_fill(page: Any, height: float) -> tuple[float, int]:
    """(share of the page from the top margin down to the lowest text, text lines) above the footer."""
    ys: set[float] = set()

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        y = cm[5] + tm[5] * cm[3]
        if text.strip() and y > 40:  # the footer sits in the bottom margin
            ys.add(round(y))

    page.extract_text(visitor_text=visit)
    return ((height - min(ys)) / height if ys else 0.0), len(ys)


@pytest.mark.parametrize("size", ["a4", "b5", "letter"])
def test_sample_pages_are_never_short(size: str, sample_editions: dict[str, Editions]) -> None:
    editions = sample_editions[size]
    for name, data in every(editions).items():
        reader = PdfReader(io.BytesIO(data))
        assert len(data) <= 300 * 1024, f"{name}: {len(data)} bytes"
        for number, page in enumerate(reader.pages, start=1):
            fill, lines = _page_fill(page, SIZES[size][1])
            assert lines >= 5, f"{name} page {number}: {lines} lines"
            assert fill >= 0.25, f"{name} page {number}: {fill:.0%} full"
    key = [text for text in pdf_texts(editions.teacher) if "Answer Key" in text or "¶" in text]
    if size == "a4":
        assert len(key) == 1, "the sample's answer key is one A4 page"


FIXTURES = sorted((Path(__file__).parent / "lessons").glob("*.*"))


@pytest.mark.parametrize("path", [p for p in FIXTURES if not p.name.startswith("bad_")], ids=lambda p: p.name)
def test_fixture_lessons_render(path: Path, built_fixtures: Path) -> None:
    try:
        lesson = load_lesson(path, Settings())
    except AnkiexportError:
        pytest.skip("not a buildable lesson")
    # The worksheets the session's build of every fixture wrote (render_editions with the default settings).
    teacher, worksheet_pdf = (built_fixtures / f"{path.stem}{suffix}.pdf" for suffix in ("-teacher", ""))
    assert teacher.stat().st_size <= 300 * 1024
    if lesson.vocabulary or lesson.clozes or lesson.exercise:
        last_two = PdfReader(teacher).pages[-2:]  # the key's pages; reading every page costs seconds
        assert any("Answer Key" in (page.extract_text() or "") for page in last_two)
    worksheet = re.sub(r"\s", "", " ".join(pdf_texts(worksheet_pdf.read_bytes())))
    asked = plan_matching(Sheet(lesson, Settings(), 500, 700)).items
    for entry in asked:
        assert re.sub(r"\s", "", lesson.vocabulary[entry].gloss)[:6] in worksheet


_GAP_FILLS = [SAMPLE, *(path for path in FIXTURES if path.name.startswith("gapfill_"))]


@pytest.mark.parametrize("path", _GAP_FILLS, ids=lambda path: path.name)
def test_a_lesson_has_a_gap_fill_handout_when_the_gap_fill_gaps_a_word(path: Path) -> None:
    lesson = load_lesson(path, Settings())
    gapped = lesson.exercise is not None and any(gapped_words(lesson))
    assert has_gapfill_handout(lesson) is gapped
    assert has_gapfill_handout(replace(lesson, exercise=None)) is False
    if lesson.exercise is not None:
        whole = tuple(tuple(GapToken("word", "word") for _ in tokens) for tokens in lesson.exercise.paragraphs)
        ungapped = GapFill(whole, lesson.exercise.generated)
        assert has_gapfill_handout(replace(lesson, exercise=ungapped)) is False


# ------------------------------------------------------------------------------------------ fonts, words


def test_font_folder_is_found() -> None:
    folder = font_dir()
    assert folder is not None and (folder / "ipaexm.ttf").is_file() and (folder / "LICENSE-IPAex.txt").is_file()


def test_font_folder_prefers_the_package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ankiexport import fonts

    packaged, checkout = tmp_path / "ankiexport" / "fonts", tmp_path / "fonts"
    for folder in (packaged, checkout):
        folder.mkdir(parents=True)
        (folder / "ipaexm.ttf").write_bytes(b"")
    monkeypatch.setattr(fonts, "_candidates", lambda: (packaged, checkout))
    fonts.font_dir.cache_clear()
    try:
        assert fonts.font_dir() == packaged
        (packaged / "ipaexm.ttf").unlink()
        fonts.font_dir.cache_clear()
        assert fonts.font_dir() == checkout
        with pytest.raises(AnkiexportError, match="missing"):
            fonts.font_path("nope.ttf")
    finally:
        fonts.font_dir.cache_clear()


def test_the_coverage_check_reads_the_registered_fonts_character_maps() -> None:
    from reportlab.pdfbase.ttfonts import TTFontFile

    from ankiexport import fonts

    prepare()
    for name in {name for pair in fonts.FACE_PAIRS for name in pair}:
        face = fonts._registered_face(fonts.font_path(name))
        assert face is not None, name  # what the writer registered, not a second parse of the file
        assert frozenset(face.charToGlyph) == frozenset(TTFontFile(str(fonts.font_path(name))).charToGlyph)
    assert fonts.unprintable("語é“𠮷😀한") == ["𠮷", "😀", "한"]


def test_curly_quotes_stay_in_the_latin_font() -> None:
    prepare()
    assert font_for("“", BODY) == SERIF and font_for("’", BODY) == SERIF and font_for("A", BODY) == SERIF
    assert font_for("語", BODY) == MINCHO and font_for("。", BODY) == MINCHO and font_for("「", BODY) == MINCHO


# ------------------------------------------------------------------------------------------ line breaking

MIXED = (
    "Capitalizeは「資本化する」という意味ですが、capitalize on ~の形で「~を最大限に利用して利益を得る」という"
    "ニュアンス。Tap intoと似ていますが、より利益や機会に焦点を当てた、少し計算高い響きがあります！"
    "increase dramaticallyやsoarよりも視覚的でインパクトの強い表現です（本当？）。"
    "An unprecedented, dollar-denominated “AI Trainer” role is gaining traction in Japan."
)
TRANSLATION = (
    "「母国語のスキルを活かしながら、急速に進化する業界の一員になれるチャンスです」と、東京在住のあるフリーランス"
    "AIトレーナーはコメントしました。「在宅で働き、より強い通貨で安定した収入を得られることは、現在の経済情勢に"
    "おいて大きな利点です。」人工知能（AI）スペシャリストに対する世界的な需要が急増する中、時給30米ドルを超える。"
)


def _word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "'’")


def _check_breaks(text: str, lines: list[str]) -> None:
    joined = "".join(lines)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", text), "text lost or duplicated"
    # Walk the original alongside the lines to see, at each break, whether the original had a space there.
    position = 0
    for number, line in enumerate(lines[:-1]):
        assert line == line.strip() or not line.strip(), f"edge space kept in {line!r}"
        for char in line:
            while text[position] != char:
                position += 1
            position += 1
        spaced = position < len(text) and text[position].isspace()
        last, following = line[-1:], lines[number + 1][:1]
        if not last or not following:
            continue
        assert following not in NO_LINE_START, f"line {number + 2} starts with {following!r}"
        assert last not in NO_LINE_END, f"line {number + 1} ends with {last!r}"
        if not spaced and _word_char(last) and _word_char(following):
            pytest.fail(f"English word split: {line!r} | {lines[number + 1]!r}")


_WIDTHS = [40, 61, 83, 110, 137, 160, 199, 240, 301, 390, 480]


# Mixed text only from 70 pt: narrower than its longest English word, the word must be cut (tested elsewhere).
@pytest.mark.parametrize(
    ("text", "width"),
    [pytest.param(MIXED, w, id=f"mixed-{w}") for w in _WIDTHS if w >= 70]
    + [pytest.param(TRANSLATION, w, id=f"japanese-{w}") for w in _WIDTHS],
)
def test_line_breaks_keep_words_whole_and_respect_kinsoku(text: str, width: int) -> None:
    prepare()
    lines = wrap_text([Span(text, BODY)], width)
    assert len(lines) > 1
    _check_breaks(text, lines)
    from reportlab.pdfbase.pdfmetrics import stringWidth

    for line in lines:
        words = line.split()
        overfull = sum(stringWidth(c, font_for(c, BODY), BODY.size) for c in line) > width + 0.01
        assert not overfull or len(words) == 1, f"overfull line {line!r} at {width}"


_TOKENS = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzAI", min_size=1, max_size=8),
    st.text(alphabet="あいうえおかきくけこ日本語記事漢字ー", min_size=1, max_size=6),
    st.sampled_from([*"。、」）！？「（“”‘’,.!?()", "It’s", "dollar-denominated", "30米ドル", "AIトレーナー"]),
)


@settings(max_examples=150, deadline=None)
@given(
    tokens=st.lists(st.tuples(_TOKENS, st.booleans()), min_size=1, max_size=60),
    width=st.floats(min_value=150, max_value=450),
)
def test_line_breaker_properties(tokens: list[tuple[str, bool]], width: float) -> None:
    prepare()
    text = "".join(token + (" " if spaced else "") for token, spaced in tokens).strip()
    # Nothing longer than a line may stay unbroken (a cut there is the fallback, tested above): no long chains of
    # punctuation, no long run of English without a space.
    assume(text and not re.search(r"[。、」）！？「（“”‘’,.!?()]{4}", text))
    assume(all(len(chunk) <= 14 for chunk in re.findall(r"[A-Za-z’'(),.!?“”‘「（-]+", text)))
    _check_breaks(text, wrap_text([Span(text, BODY)], width))


def test_every_break_position_of_kinsoku_pairs() -> None:
    prepare()
    # Sliding the text one character at a time puts each 。、」）！？ and 「（ at every position of a line.
    base = "あいうえお「かきくけこ」さしすせそ（たちつてと）なにぬねの。はひふへほ、まみむめも！やゆよ？らりるれろ"
    for shift in range(12):
        text = "ん" * shift + base
        for width in (52.5, 63.0, 73.5, 105.0):  # 5, 6, 7, 10 full-width characters at 10.5 pt
            _check_breaks(text, wrap_text([Span(text, BODY)], width))


def test_english_words_are_never_split_by_the_breaker() -> None:
    prepare()
    text = "An unprecedented opportunity, unprecedentedly unprecedented; the job of an AI Trainer is crucial."
    for width in range(70, 400, 9):
        lines = wrap_text([Span(text, BODY)], width)
        _check_breaks(text, lines)
        assert all("unprecedente" not in line or "unprecedented" in line for line in lines)


def test_hyphenated_compounds_may_break_after_the_hyphen_only() -> None:
    prepare()
    lines = wrap_text([Span("salaries that are dollar-denominated", BODY)], 120)
    assert any(line.endswith("dollar-") for line in lines) or "dollar-denominated" in "".join(lines)
    assert all(unicodedata.category(line[0]) != "Pd" for line in lines)


def test_too_long_word_is_cut_rather_than_overflowing() -> None:
    prepare()
    lines = wrap_text([Span("Pneumonoultramicroscopicsilicovolcanoconiosis", BODY)], 60)
    assert len(lines) > 1 and "".join(lines) == "Pneumonoultramicroscopicsilicovolcanoconiosis"


def test_spaces_inside_a_line_are_kept_as_written() -> None:
    prepare()
    assert wrap_text([Span("a  b   c", BODY)], 400) == ["a  b   c"]
    assert wrap_text([Span("  lead and trail  ", BODY)], 400) == ["lead and trail"]


def test_hard_breaks_and_missing_glyphs() -> None:
    prepare()
    assert wrap_text([Span("一行目\n二行目", BODY)], 400) == ["一行目", "二行目"]
    assert wrap_text([Span("one\r\ntwo\rthree", BODY)], 400) == ["one", "two", "three"]
    assert wrap_text([Span("emoji 😀 here", BODY)], 400) == ["emoji 〓 here"]
    assert wrap_text([Span("zero\u200bwidth", BODY)], 400) == ["zerowidth"]


def test_justified_spacing_never_outlives_its_line(sample_editions: dict[str, Editions]) -> None:
    """Character spacing (Tc) is graphics state: a justified line must reset it, or the next runs are drawn wider
    than they were measured and overlap (the study page's explanations did)."""
    reader = PdfReader(io.BytesIO(sample_editions["a4"].reading or b""))
    spaced = 0
    for page in reader.pages:
        for block in re.findall(rb"BT(.*?)ET", page.get_contents().get_data(), flags=re.S):
            settings = re.findall(rb"(-?[\d.]+) Tc", block)
            spaced += bool(settings)
            assert not settings or float(settings[-1]) == 0, block[:200]
    assert spaced > 10


def _glyph_boxes(data: bytes) -> list[tuple[int, float, float, float]]:
    """(page, baseline y, x start, x end) of every glyph drawn, read back from the content streams with the fonts'
    own widths and the text state as a PDF viewer keeps it (Tc is graphics state: it lives until Q, not ET)."""
    boxes: list[tuple[int, float, float, float]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):
        fonts = page["/Resources"]["/Font"]
        origin, stack = (0.0, 0.0), []
        tc, leading, x, y, start, widths, size = 0.0, 0.0, 0.0, 0.0, 0.0, {}, 0.0
        for operands, operator in page.get_contents().operations:  # type: ignore[union-attr]
            values = [float(v) for v in operands if isinstance(v, (int, float))]
            if operator == b"q":
                stack.append((origin, tc))
            elif operator == b"Q":
                origin, tc = stack.pop()
            elif operator == b"cm":  # reportlab's flowables only translate
                origin = (origin[0] + values[4], origin[1] + values[5])
            elif operator in (b"Tc", b"TL"):
                tc, leading = (values[0], leading) if operator == b"Tc" else (tc, values[0])
            elif operator in (b"Tm", b"Td", b"T*"):
                dx, dy = {b"Tm": (values[4:6]), b"Td": values[:2], b"T*": (0.0, -leading)}[operator]
                base = origin if operator == b"Tm" else (start, y)
                start, y = base[0] + dx, base[1] + dy
                x = start
            elif operator == b"Tf":
                font = fonts[operands[0]].get_object()
                widths = {int(font["/FirstChar"]) + i: float(w) for i, w in enumerate(font["/Widths"])}
                size = values[0]
            elif operator == b"Tj":
                text = operands[0]
                for code in text if isinstance(text, bytes) else text.get_original_bytes():
                    boxes.append((number, round(y, 2), x, x + widths[code] / 1000 * size))
                    x += widths[code] / 1000 * size + tc
            else:
                assert operator not in (b"TJ", b"TD", b"'", b'"', b"Tz", b"Tw"), operator  # not emitted: not read
    return boxes


def test_no_two_glyphs_of_a_line_overlap(sample_editions: dict[str, Editions]) -> None:
    """Glyphs as a viewer places them never overlap on a baseline: the study page's justified explanations once
    drew the runs after "(円安)" over their neighbours (a justified run's character spacing outlived its line)."""
    for size in ("a4", "letter"):
        for suffix, data in every(sample_editions[size]).items():
            boxes = sorted(_glyph_boxes(data))
            assert len(boxes) > 1000
            for before, after in itertools.pairwise(boxes):
                if before[:2] == after[:2]:
                    assert after[2] >= before[3] - 0.01, (size, suffix, before, after)


def _layouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The teacher edition's page count of every layout ``render_editions`` starts (a retry shows as a short one)."""
    from ankiexport.writers import pdf

    counted: list[int] = []
    layout = pdf._worksheets

    def counting(sheet: Sheet, paper: Any, last: bool) -> Any:
        counted.append(0)
        check = pdf._Document.afterFlowable

        def after(self: Any, flowable: Any) -> None:
            counted[-1] = len(self.canv.pages)
            if self.canv.pages:  # the first page counts as full: a short page is found only after it
                self.canv.pages[0].lowest = 0.0
            check(self, flowable)

        with monkeypatch.context() as patch:
            patch.setattr(pdf._Document, "afterFlowable", after)
            return layout(sheet, paper, last)

    monkeypatch.setattr(pdf, "_worksheets", counting)
    monkeypatch.setattr(pdf, "MIN_FILL", 1.01)  # every other page counts as short: every layout that may retry does
    return counted


def test_a_short_page_is_retried_denser_on_a_short_handout(monkeypatch: pytest.MonkeyPatch) -> None:
    from ankiexport.writers.pdf import DENSITIES

    counted = _layouts(monkeypatch)
    render(load_lesson(SAMPLE, Settings()))
    assert len(counted) == DENSITIES


def test_a_long_lesson_is_laid_out_in_full_once_and_retries_stop_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retrying a long handout's layout denser would lay the whole lesson out again per density (three ~70 s
    layouts for a 1 MB lesson): past RETRY_PAGES pages a short page is accepted."""
    from ankiexport.writers.pdf import DENSITIES, RETRY_PAGES

    counted = _layouts(monkeypatch)
    lines = SAMPLE.read_text("utf-8").splitlines()
    vocabulary = lines[next(i for i, x in enumerate(lines) if x.startswith("■ Vocab")) :]
    long = [f"Prices rose {n % 97} points again today in Tokyo and in Osaka." for n in range(500)]
    path = tmp_path / "long.txt"  # the article, no gap-fill block of its own (one is generated from it), the rest
    path.write_text("\n".join([lines[0], *long, *vocabulary]) + "\n", "utf-8")
    editions = render(load_lesson(path, Settings()))
    assert editions.teacher_pages > 2 * RETRY_PAGES
    assert len(counted) <= DENSITIES and sum(counted[:-1]) <= (DENSITIES - 1) * (RETRY_PAGES + 1)
    assert counted[-1] + 1 == editions.teacher_pages  # the one full layout is kept (its last page ends at save)


def test_runs_are_written_as_reportlab_writes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The drawing writes each run's operators itself (a 1 MB lesson draws a million runs); they must be exactly
    what reportlab's text object writes, escapes, unmapped characters and subset switches (past 256 glyphs) included;
    also for runs written at once from the first subset's codes (characters seen before, no-break spaces, a character
    past the first subset, one not seen yet)."""
    from reportlab.pdfgen.canvas import Canvas

    from ankiexport.writers import pdf_text

    prepare()
    many = "".join(chr(0x4E00 + n) for n in range(300))  # more glyphs than one subset holds
    texts = ["Plain (text) with \\ specials", "日本語とEnglish", "𩸽と𠮷", many, "Plain (text) with \\ specials"]
    texts += ["text\xa0(with) Plain", "English\\", "", "語と日本", many[-3:], "日本語とEnglish!", "Plain\xa0\xa0"]
    chunked: list[str] = []
    by_chunks = pdf_text._format_chunks

    def format_chunks(*args: Any) -> str:
        chunked.append(args[-1])
        return by_chunks(*args)

    monkeypatch.setattr(pdf_text, "_format_chunks", format_chunks)
    ours, theirs = Canvas(io.BytesIO()), Canvas(io.BytesIO())
    for font, size, text in itertools.product((SERIF, MINCHO), (10.5, 9.5), texts):
        ours._code.append(f"BT 1 0 0 1 3 4 Tm {_encoded(ours, font, size, text)} ET")
        writer = theirs.beginText(3, 4)
        writer.setFont(font, size)
        writer.textOut(text)
        theirs.drawText(writer)
    assert ours._code == theirs._code
    assert any(" Tf " in op and op.count(" Tf ") > 1 for op in ours._code)  # a subset switch was written
    assert not {"text\xa0(with) Plain", "English\\", "Plain\xa0\xa0"} & set(chunked)  # written at once
    assert many[-3:] in chunked and "日本語とEnglish!" in chunked  # past the first subset; "!" not seen yet


def test_number_arrays_are_written_as_reportlab_writes_them() -> None:
    """Arrays of numbers (font widths), written ten at a time, are reportlab's own bytes (ints, floats, ten a line);
    anything else still goes through reportlab."""
    from reportlab.pdfbase import pdfdoc

    prepare(Settings())
    ours = pdfdoc.PDFArray.format
    reportlab = ours.__wrapped__  # the patched method keeps reportlab's
    document = pdfdoc.PDFDocument()
    arrays = ([1], list(range(10)), list(range(11)), [500, 0.5, -3.25, 1000.0, 0] * 9, [True, 2], [pdfdoc.PDFName("A")])
    for numbers in arrays:
        array = pdfdoc.PDFArray(numbers)
        assert ours(array, document) == reportlab(array, document), numbers
    assert b"\n" in ours(pdfdoc.PDFArray(list(range(11))), document)
