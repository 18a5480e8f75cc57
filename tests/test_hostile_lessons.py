"""Lessons as teachers really write them, and hostile ones (issue 11): each class that went wrong, one test each."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankiexport.analysis.clozes import cloze_markup
from ankiexport.config import Settings
from ankiexport.errors import LessonError
from ankiexport.model import Lesson, Paragraph
from ankiexport.readers import load_lesson, read_lesson
from lesson_files import FIXTURES


def load(name: str) -> Lesson:
    return load_lesson(FIXTURES / name, Settings())


def read_text(tmp_path: Path, text: str, name: str = "lesson.txt") -> Lesson:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return load_lesson(path, Settings())


def messages(lesson: Lesson) -> list[tuple[int | None, str]]:
    return [(w.line, w.message) for w in lesson.warnings]


def markup(lesson: Lesson) -> list[str]:
    return [cloze_markup(cloze, lesson.vocabulary) for cloze in lesson.clozes]


YAML_BASE = """title: {title}
article:
  - Prices skyrocketed in Tokyo this year.
vocabulary:
  - term: {term}
    gloss: {gloss}
"""


# ------------------------------------------------------------------------------------------------ 1 control chars


def test_yaml_control_character_escape_in_a_gloss_is_an_error_naming_key_and_line() -> None:
    path = FIXTURES / "bad_yaml_control_character.yaml"
    with pytest.raises(LessonError) as caught:
        load_lesson(path, Settings())
    assert caught.value.line == 9
    assert caught.value.detail.startswith("vocabulary[1].gloss: holds a control character U+001F")


@pytest.mark.parametrize(
    ("field", "escape", "key", "line"),
    [
        ("title", r"\x1f", "title", 1),
        ("term", r"\x07", "vocabulary[0].term", 5),
        ("gloss", r"\r", "vocabulary[0].gloss", 6),
        ("gloss", r"\x85", "vocabulary[0].gloss", 6),
        ("gloss", r"\u009f", "vocabulary[0].gloss", 6),
    ],
)
def test_every_decoded_yaml_text_is_checked(tmp_path: Path, field: str, escape: str, key: str, line: int) -> None:
    values = {"title": "Prices", "term": "skyrocket", "gloss": "急騰する"}
    values[field] = f'"{values[field]}{escape}x"'
    path = tmp_path / "lesson.yaml"
    path.write_text(YAML_BASE.format(**values), "utf-8")
    with pytest.raises(LessonError) as caught:
        load_lesson(path, Settings())
    assert (caught.value.line, caught.value.detail.split(":")[0]) == (line, key)
    assert "control character" in caught.value.detail


def test_tab_and_newline_escapes_stay_allowed(tmp_path: Path) -> None:
    path = tmp_path / "lesson.yaml"
    path.write_text(YAML_BASE.format(title="Prices", term="skyrocket", gloss='"急騰する\\n上昇する\\tx"'), "utf-8")
    assert load_lesson(path, Settings()).vocabulary[0].gloss == "急騰する\n上昇する\tx"


@pytest.mark.parametrize("char", ["\x1f", "\x0b", "\x0c", "\x85"])
def test_text_lesson_control_characters_are_errors_with_their_line(tmp_path: Path, char: str) -> None:
    text = (FIXTURES / "basic_all_sections.txt").read_text("utf-8").replace("勢いを増す", f"勢いを{char}増す")
    with pytest.raises(LessonError) as caught:
        read_text(tmp_path, text)
    assert caught.value.line == 12
    assert f"control character U+{ord(char):04X}" in caught.value.detail


# ------------------------------------------------------------------------------------------------ 4 encodings


def test_cp932_file_with_one_utf8_line_names_that_line() -> None:
    path = FIXTURES / "bad_encoding_cp932_with_a_utf8_line.txt"
    with pytest.raises(LessonError) as caught:
        load_lesson(path, Settings())
    assert caught.value.line == 6
    assert "another encoding than the rest of the file" in caught.value.detail


def test_utf8_file_with_one_cp932_line_names_that_line(tmp_path: Path) -> None:
    text = (FIXTURES / "basic_all_sections.txt").read_text("utf-8")
    data = b"\n".join(
        line.encode("cp932") if number == 9 else line.encode("utf-8")
        for number, line in enumerate(text.splitlines(), start=1)
    )
    path = tmp_path / "lesson.txt"
    path.write_bytes(data)
    with pytest.raises(LessonError) as caught:
        load_lesson(path, Settings())
    assert caught.value.line == 9


def test_a_whole_cp932_file_still_reads(tmp_path: Path) -> None:
    text = (FIXTURES / "basic_all_sections.txt").read_text("utf-8")
    for old, new in (("~", "～"), ("“", '"'), ("”", '"'), ("é", "e")):
        text = text.replace(old, new)
    path = tmp_path / "lesson.txt"
    path.write_bytes(text.encode("cp932"))
    assert load_lesson(path, Settings()).vocabulary[1].gloss == "勢いを増す"


# ------------------------------------------------------------------------------------------------ 5 NFD


def test_decomposed_accents_are_composed_when_read() -> None:
    lesson = load("nfd_decomposed_accents.txt")
    assert "\u0301" not in lesson.title and "\u3099" not in lesson.translation.paragraphs[0]  # type: ignore[union-attr]
    assert [e.term for e in lesson.vocabulary] == ["résumé", "naïve"]
    assert markup(lesson) == [
        "A good {{c1::résumé::履歴書}} helps {{c2::naïve::世間知らずの}} applicants who are new to the job market.",
        "Recruiters read each {{c1::résumé::履歴書}} for less than a minute, so {{c2::naïve::世間知らずの}} mistakes "
        "cost interviews.",
    ]
    assert lesson.exercise is not None
    shown = [token.shown for line in lesson.exercise.paragraphs for token in line]
    assert "r_____" in shown and "n____" in shown


def test_nfc_keeps_cjk_compatibility_ideographs(tmp_path: Path) -> None:
    text = (FIXTURES / "basic_all_sections.txt").read_text("utf-8").replace("東京のカフェ、", "\ufa19社のカフェ、")
    lesson = read_text(tmp_path, text.replace("Cafés", "Cafe\u0301s"))
    assert lesson.translation is not None and lesson.translation.title.startswith("\ufa19社")
    assert lesson.title.startswith("Tokyo Caf\xe9s")


def test_invisible_only_lines_are_blank_and_yaml_title_of_them_is_an_error(tmp_path: Path) -> None:
    text = "\u200b\n" + (FIXTURES / "basic_all_sections.txt").read_text("utf-8")
    assert read_text(tmp_path, text).title == "Tokyo Cafés Tap into Tourist Demand"
    path = tmp_path / "lesson.yaml"
    path.write_text(YAML_BASE.format(title='"\\u200b\\u2060 "', term="skyrocket", gloss="急騰する"), "utf-8")
    with pytest.raises(LessonError) as caught:
        read_lesson(path, path.read_bytes(), Settings())
    assert (caught.value.line, caught.value.detail) == (1, "title: has only invisible characters")


# ------------------------------------------------------------------------------------------------ 2 digit terms


def test_terms_starting_with_a_digit_are_terms_not_continuation_lines() -> None:
    lesson = load("vocab_terms_starting_with_digits.txt")
    assert [(e.term, e.line) for e in lesson.vocabulary] == [
        ("5G", 6),
        ("24/7", 11),
        ("9-to-5 job", 13),
        ("3D printing", 16),
        ("Éclair moments", 18),
    ]
    assert lesson.vocabulary[0].explanation.splitlines() == [
        "高速・大容量の通信規格。",
        "- 1つ目の特徴は速さ。",
        "- 2つ目は遅延の少なさ。",
    ]
    assert lesson.vocabulary[1].gloss == "年中無休で、いつでも"
    assert not [m for _, m in messages(lesson) if "label" in m]
    assert markup(lesson) == [
        "Fast {{c1::5G::第5世代移動通信システム}} networks now reach most towns in Japan.",
        "Many freelancers say they are online {{c1::24/7::年中無休で}} and miss the old "
        "{{c2::9-to-5 job::定時勤務の仕事}}.",
        "Some workshops use {{c1::3D printing::3Dプリンティング}} to make parts at night.",
    ]


def test_a_term_read_as_a_continuation_line_is_named_in_the_second_label_warning(tmp_path: Path) -> None:
    text = (FIXTURES / "basic_all_sections.txt").read_text("utf-8").replace("- gaining traction", "gaining traction.")
    lesson = read_text(tmp_path, text)
    (found,) = [m for line, m in messages(lesson) if line == 12]
    assert "a second gloss (和訳) label for 'Tap into'" in found
    assert "line 11 ('gaining traction.') was read as part of it: if it is a term, start it with '- '" in found


# ------------------------------------------------------------------------------------------------ 3 no 和訳 header


def test_translation_without_its_header_is_read_as_the_translation_with_a_warning() -> None:
    lesson = load("translation_header_missing.txt")
    assert lesson.vocabulary[-1].explanation == "支持を得て軌道に乗ること。\ntractionは元々「牽引力」の意味。"
    assert lesson.translation is not None
    assert lesson.translation.title == "東京のカフェ、観光需要を取り込む"
    assert len(lesson.translation.paragraphs) == 2
    assert lesson.trailer == ("詳しくはウェブサイトをご覧ください。",)
    warned = messages(lesson)
    assert (14, warned[0][1]) in warned and "whose header is missing" in dict(warned)[14]
    assert not [m for _, m in warned if m.startswith("no translation")]


def test_a_long_explanation_of_the_last_entry_stays_an_explanation(tmp_path: Path) -> None:
    text = (FIXTURES / "basic_all_sections.txt").read_text("utf-8").split("■ 和訳")[0]
    extra = "\n".join(["- 解説:", "支持を得て軌道に乗ること。", "ビジネスでよく使う表現。", "例: It gained traction."])
    lesson = read_text(tmp_path, text.replace("- 解説: 支持を得て軌道に乗ること。\n", extra + "\n"))
    assert lesson.translation is None
    assert lesson.vocabulary[-1].explanation.count("\n") == 2


# ------------------------------------------------------------------------------------------------ 6 fonts


def test_characters_no_worksheet_font_has_are_warned_with_their_line() -> None:
    found = [(line, m) for line, m in messages(load("fonts_characters_no_font_has.txt")) if "no worksheet font" in m]
    assert [(line, m.split(" has ")[0]) for line, m in found] == [
        (1, "the title"),
        (3, "the article"),
        (7, "the entry 'gaining traction'"),  # an entry's messages name the line of its term
        (12, "the translation's paragraph 2"),
    ]
    assert "'서' (U+C11C), '울' (U+C6B8), '🎤' (U+1F3A4)" in found[0][1]
    assert "'𠮷' (U+20BB7), '😀' (U+1F600)" in found[1][1]
    assert not any("U+29E3D" in m for _, m in found)  # 𩸽 is in IPAex


def test_no_font_warning_when_no_worksheet_is_made() -> None:
    lesson = load_lesson(FIXTURES / "fonts_characters_no_font_has.txt", Settings(formats=("apkg",)))
    assert not [m for _, m in messages(lesson) if "no worksheet font" in m]


def test_supplementary_plane_characters_extract_as_themselves(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from ankiexport.writers.pdf import write_pdf

    path = tmp_path / "out.pdf"
    write_pdf(load("fonts_characters_no_font_has.txt"), path, Settings())
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "𩸽 (hokke)" in text
    assert "<29E3D>" not in text
    assert "〓田" in text  # 𠮷 is in no bundled font: the warned-about mark


# ------------------------------------------------------------------------------------------------ 10 sentences


def test_an_abbreviation_before_a_day_month_or_time_zone_ends_no_sentence() -> None:
    lesson = load("sentences_abbreviation_then_day_or_month.txt")
    assert [s.text for s in lesson.sentences] == [
        "The storm hit Tokyo at 9:05 a.m. Sunday, flooding roads near the station.",
        "Trains stopped at 11 p.m. JST on Saturday.",
        "Officials in the U.S. January report said prices skyrocketed.",
        "The shops reopened on Monday.",
        "The talks ended at 5 p.m.",
        "Officials said little about the flooding.",
    ]
    assert all(s.translation for s in lesson.sentences)  # 6 and 6: every sentence tied


class _CountingSegmenter:
    """Stands in for pysbd: records what it is asked and answers with the piece whole."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def segment(self, text: str) -> list[str]:
        self.calls.append(len(text))
        return [text]


def test_pysbd_work_is_bounded_per_call_and_per_lesson(monkeypatch: pytest.MonkeyPatch) -> None:
    from ankiexport.analysis import sentences

    counting = _CountingSegmenter()
    monkeypatch.setattr(sentences, "_segmenter", lambda: counting)
    sentences._split_spans.cache_clear()
    hostile = [Paragraph("U.S. " * 4_000 + f"end {n}.", n + 2) for n in range(10)]  # 200 KB of pysbd's worst case
    long_prose = [Paragraph("The yen fell. Mr. Abe spoke. " * 300 + f"Done {n}.", n + 20) for n in range(20)]
    found = sentences.article_sentences([*hostile, *long_prose])
    assert counting.calls and max(counting.calls) <= sentences.MAX_PYSBD_PIECE
    assert sum(counting.calls) <= sentences.PYSBD_BUDGET
    assert "".join(s.text for s in found).replace(" ", "") == "".join(p.text for p in [*hostile, *long_prose]).replace(
        " ", ""
    )  # nothing lost however it was cut
    sentences._split_spans.cache_clear()


def test_a_real_lesson_is_split_carefully_whole() -> None:
    from ankiexport.analysis import sentences

    lesson = load_lesson(Path(__file__).resolve().parent.parent / "lessons" / "2026-11-28-ai-trainer.txt", Settings())
    assert sum(sentences._doubtful(p.text) for p in lesson.article) < sentences.PYSBD_BUDGET // 4


def test_terms_are_matched_only_against_sentences_holding_their_first_word(monkeypatch: pytest.MonkeyPatch) -> None:
    from ankiexport.analysis import terms
    from ankiexport.analysis.terms import build_clozes
    from ankiexport.model import Sentence, VocabEntry

    calls: list[str] = []
    real = terms.find_matches
    monkeypatch.setattr(terms, "find_matches", lambda term, *rest: calls.append(term) or real(term, *rest))
    vocabulary = [VocabEntry(f"word{n}", "語", "", n) for n in range(300)]
    found = [Sentence(f"Here word{n} is used, and so is word{n + 1}.", n, n) for n in range(300)]
    clozes, _ = build_clozes("Title", found, vocabulary)
    assert len(clozes) == 300
    assert len(calls) <= 2 * len(found)  # not 300 x 300: each sentence meets only the terms it may hold


# ------------------------------------------------------------------------------------------------ 11 gap-fill names


def test_generated_gapfill_gaps_sentence_initial_words_after_quotes_and_keeps_names() -> None:
    lesson = load("gapfill_generated_sentence_initial_after_quotes.txt")
    assert lesson.exercise is not None and lesson.exercise.generated
    shown = [" ".join(token.shown for token in line) for line in lesson.exercise.paragraphs]
    assert shown == [
        "“W_ n____ e_______ t___,” s___ Ms. Tanaka, w__ r___ a c___ i_ Asakusa. B__ n__ t__ s___ i_ f___ e____ d__.",
        "T__ o____ t___ r________: “I_ i_ g____.” N__ h__ s__ h____ i_ t__ k______, a__ Tanaka p____ a s_____ s___.",
        "S_____ o_ Apple r___, a__ China s___ “Apple i_ w______.” T___ s________ i________ i_ Tokyo.",
    ]


# ------------------------------------------------------------------------------------------------ 12, 13 trailer


def test_a_rule_line_after_the_translation_starts_the_trailer_and_decorated_header_is_quiet() -> None:
    lesson = load("trailer_after_rule_line_decorated_header.txt")
    assert lesson.translation is not None
    assert lesson.translation.title == "東京のカフェ、観光需要を取り込む"
    assert len(lesson.translation.paragraphs) == 3
    assert lesson.trailer == ("ECOM English School", "あなたの英語を、世界へ。", "毎週土曜日、オンラインで開講中。")
    warned = messages(lesson)
    assert [line for line, m in warned if "advertisement" in m] == [19]
    assert "they follow a rule line after the translation" in dict(warned)[19]
    assert not [m for _, m in warned if "is ignored" in m]  # ◆ 和訳 ◆: the second ◆ is decoration


@pytest.mark.parametrize("rule", ["――", "━━", "＊＊＊", "-----", "＝＝＝＝"])
def test_every_kind_of_rule_line_starts_the_trailer(tmp_path: Path, rule: str) -> None:
    text = (FIXTURES / "trailer_after_rule_line_decorated_header.txt").read_text("utf-8").replace("――", rule)
    assert read_text(tmp_path, text).trailer[0] == "ECOM English School"


def test_a_line_naming_the_school_starts_the_trailer_without_a_rule(tmp_path: Path) -> None:
    text = (FIXTURES / "trailer_after_rule_line_decorated_header.txt").read_text("utf-8").replace("――\n", "")
    lesson = read_text(tmp_path, text)
    assert lesson.trailer[0] == "ECOM English School"  # an English line is no translation paragraph
    assert "an English line after the translation" in dict(messages(lesson))[19]
    named = text.replace("ECOM English School", "ECOM英会話スクール")
    assert read_text(tmp_path, named).trailer == ()  # a Japanese name alone says nothing
    path = tmp_path / "named.txt"
    path.write_text(named, "utf-8")
    lesson = load_lesson(path, Settings(author="ECOM英会話スクール"))
    assert lesson.trailer[0] == "ECOM英会話スクール"
    assert "names 'ecom英会話スクール' (author/course_name)" in dict(messages(lesson))[19]


@pytest.mark.parametrize(
    "header",
    ["◆ 和訳 ◆", "■■ 和訳 ■■", "【和訳】――", "＜和訳＞", "★和訳★", "◇和訳◇", "▶ 和訳", "〈和訳〉", "=== 和訳 ==="],
)
def test_decorated_translation_headers_are_headers_without_text_after_them(tmp_path: Path, header: str) -> None:
    text = (FIXTURES / "basic_all_sections.txt").read_text("utf-8").replace("■ 和訳", header)
    lesson = read_text(tmp_path, text)
    assert lesson.translation is not None and lesson.translation.title == "東京のカフェ、観光需要を取り込む"
    assert not [m for _, m in messages(lesson) if "ignored" in m]


# ------------------------------------------------------------------------------------------------ 14 alignment


def test_sentences_a_translator_split_in_two_still_tie() -> None:
    lesson = load("translation_sentences_split_by_translator.txt")
    assert lesson.translation is not None
    assert all(s.translation for s in lesson.sentences)
    assert lesson.sentences[0].translation == (
        "人工知能(AI)スペシャリストに対する世界的な需要が急増しています。"
        "そうした中、「AIトレーナー」という新しい職種が日本で大きな注目を集めています。"
    )
    assert lesson.sentences[11].translation.startswith("このトレンドは、労働市場の変化を浮き彫りにしています。地理")
    assert lesson.sentences[1].translation.startswith("この仕事のリモートという性質")


def test_two_english_sentences_translated_as_one_both_get_it() -> None:
    from analysis_helpers import make_lesson
    from ankiexport.analysis import analyse

    lesson = analyse(
        make_lesson(
            "T",
            ["The yen fell. Exporters were glad.", "Prices rose in many shops across the country."],
            translation=["円が下落し、輸出業者は喜んだ。", "全国の多くの店で物価が上がった。"],
        )
    )
    assert [s.translation for s in lesson.sentences] == [
        "円が下落し、輸出業者は喜んだ。",
        "円が下落し、輸出業者は喜んだ。",
        "全国の多くの店で物価が上がった。",
    ]


@pytest.mark.parametrize(("english", "japanese"), [(1, 150), (150, 1), (400, 380)])
def test_alignment_of_very_unequal_or_long_translations_completes(english: int, japanese: int) -> None:
    from ankiexport.analysis.align import tie_translations
    from ankiexport.model import Sentence, Translation

    sentences = [Sentence(f"Prices rose {n} points today.", n // 10, n) for n in range(english)]
    paragraphs = tuple("".join("物価が上がった。" for _ in range(10)) for _ in range(max(japanese // 10, 1)))
    paragraphs = paragraphs if japanese >= 10 else ("物価が上がった。" * japanese,)
    tied, _ = tie_translations(sentences, Translation("題", paragraphs, 1))
    assert len(tied) == english


# ------------------------------------------------------------------------------------------------ 15 settings


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("trailer_patterns: ['(a+)+$']\n", "repeats a repeat"),
        ("trailer_patterns: ['(\\\\w+\\\\s?)*$']\n", "repeats a repeat"),
        ("trailer_patterns: [[a]]\n", "trailer_patterns must be a list of strings, not [['a']]"),
        ("trailer_patterns: [~]\n", "trailer_patterns must be a list of strings, not [None]"),
        ("trailer_patterns: [3]\n", "trailer_patterns must be a list of strings"),
        ('deck_name: "\\u200b"\n', "deck_name holds control or only invisible characters"),
        ('course_name: "ECOM\\x1fNews"\n', "course_name holds control or only invisible characters"),
    ],
)
def test_dangerous_or_wrongly_typed_settings_are_errors(tmp_path: Path, text: str, message: str) -> None:
    from ankiexport.config import load_config
    from ankiexport.errors import ConfigError

    path = tmp_path / "ankiexport.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in caught.value.detail
    assert caught.value.line == 1


def test_a_slow_trailer_pattern_is_stopped_with_an_error_naming_it_and_the_line(tmp_path: Path) -> None:
    # Overlapping alternatives under a repeat pass the static check; the timeout stops them on a long line.
    text = (FIXTURES / "basic_all_sections.txt").read_text("utf-8") + "あ" * 3000 + "!\n"
    path = tmp_path / "lesson.txt"
    path.write_text(text, "utf-8")
    with pytest.raises(LessonError) as caught:
        load_lesson(path, Settings(trailer_patterns=("(あ|ああ)+$",)))
    assert caught.value.line == 19
    assert "the trailer pattern '(あ|ああ)+$' took over 1.0 s on this line" in caught.value.detail


def test_the_default_trailer_patterns_pass_the_check() -> None:
    from ankiexport.config import DEFAULT_TRAILER_PATTERNS, _regex_problem

    assert [p for p in DEFAULT_TRAILER_PATTERNS if _regex_problem(p)] == []


# ------------------------------------------------------------------------------------------------ 16 many items


def test_more_than_99_matching_items_keep_their_numbers_and_letters_whole(tmp_path: Path) -> None:
    import subprocess

    from analysis_helpers import make_lesson
    from ankiexport.analysis import analyse
    from ankiexport.writers.pdf import write_pdf
    from ankiexport.writers.pdf_sheets import letter as _letter

    assert [_letter(i) for i in (0, 25, 26, 51, 701, 702)] == ["a", "z", "aa", "az", "zz", "aaa"]
    terms = [(f"term{n}", f"意味{n}") for n in range(120)]
    lesson = analyse(make_lesson("Many Terms", [" ".join(t for t, _ in terms) + "."], terms))
    path = tmp_path / "many.pdf"
    write_pdf(lesson, path, Settings())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    numbers = {int(m) for m in __import__("re").findall(r"(?m)^\s*(\d+)\.\s", text)}
    # Every number whole at the start of its row (none split as "12" above "0."); a few terms may be spare choices.
    assert max(numbers) >= 110 and set(range(1, max(numbers) + 1)) <= numbers
    assert "dp." in text  # the 120th letter


# ------------------------------------------------------------------------------------------------ the guide


@pytest.mark.parametrize("heading", ["## Writing a lesson: the text format", "## レッスンの書き方（テキスト形式）"])
def test_readme_minimal_lesson_reads_cleanly(tmp_path: Path, heading: str) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme.split(heading, 1)[1]
    example = section.split("```text\n", 1)[1].split("```", 1)[0]
    lesson = read_text(tmp_path, example, "2026-12-05-cafes.txt")
    assert [e.term for e in lesson.vocabulary] == ["gain traction", "crucial"]
    assert len(lesson.clozes) == 2 and all(s.translation for s in lesson.sentences)
    assert lesson.warnings == ()
