"""The text lesson reader: the real sample, every format variant, bad input, and arbitrary bytes."""

from __future__ import annotations

import contextlib
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ankiexport.config import Settings
from ankiexport.errors import LessonError
from ankiexport.model import Lesson
from ankiexport.readers import MAX_LESSON_BYTES, read_lesson
from ankiexport.readers.text import field_label, is_gapfill_line, read_text_lesson, section_header
from ankiexport.readers.text.classify import (
    _STRONG_MARKS,
    _is_rule,
    _parsed_header,
    latin_letters,
    parse_header,
    unknown_marked,
)
from ankiexport.readers.text.decode import _INVISIBLE_CATEGORIES, is_invisible
from lesson_files import FIXTURES, SAMPLE
from reader_helpers import assert_lesson_or_error, assert_refused, content_without_lines


def read(path: Path) -> Lesson:
    return read_text_lesson(path, path.read_bytes(), Settings())


def read_bytes(tmp_path: Path, name: str, data: bytes) -> Lesson:
    path = tmp_path / name
    path.write_bytes(data)
    return read(path)


def content(lesson: Lesson) -> tuple[object, ...]:
    """Everything a reader fills, with lines, so two readings of the same lesson compare equal."""
    return (
        lesson.title,
        lesson.title_line,
        lesson.article,
        lesson.gapfill,
        lesson.vocabulary,
        lesson.translation,
        lesson.trailer,
        lesson.warnings,
    )


# ------------------------------------------------------------------------------------------------ the sample


@pytest.fixture(scope="module")
def sample() -> Lesson:
    return read(SAMPLE)


def test_sample_identity(sample: Lesson) -> None:
    assert sample.id == "2026-11-28-ai-trainer"
    assert sample.date == "2026-11-28"
    assert sample.title == (
        "Rise of the AI Trainer: Japanese Remote Workers Tap into Global Demand to Earn Foreign Currency"
    )
    assert sample.title_line == 1


def test_sample_article_is_lines_2_to_14(sample: Lesson) -> None:
    # Lines 2-14 of the file: 13 paragraphs of one sentence each (splitting sentences is the analysis's job).
    assert [p.line for p in sample.article] == list(range(2, 15))
    assert sample.article[0].text.startswith("As the global demand for artificial intelligence")
    assert sample.article[-1].text.endswith("participate directly in the global digital economy.")
    assert not any("_" in p.text for p in sample.article)


def test_sample_gapfill_is_recognised(sample: Lesson) -> None:
    assert len(sample.gapfill) == 11
    assert sample.gapfill[0].startswith("A_ t__ g_____ d_____")
    assert any("AI-_________" in line for line in sample.gapfill)
    assert any(line.startswith("“I__’ a_") for line in sample.gapfill)
    assert sample.gapfill[-1].startswith("F__ m___ i_ Japan")


def test_sample_vocabulary(sample: Lesson) -> None:
    terms = [e.term for e in sample.vocabulary]
    assert terms == [
        "Tap into",
        "skyrockets",
        "gain traction",
        "Capitalizing on",
        "crucial",
        "refining",
        "coherent",
        "nuanced understanding",
        "depreciating",
        "dollar-denominated",
        "hedge against",
        "geographical boundaries",
    ]
    assert all(e.gloss and e.explanation for e in sample.vocabulary)
    assert [e.line for e in sample.vocabulary] == [27, 30, 34, 38, 42, 46, 49, 52, 56, 60, 64, 67]
    by_term = {e.term: e for e in sample.vocabulary}
    assert by_term["Tap into"].gloss == "~を利用する、~に入り込む"
    assert by_term["skyrockets"].explanation == (
        "「空飛ぶロケット」のイメージ通り、数値や需要などが非常に速いスピードで劇的に上昇することを表す動詞。\n"
        "increase dramaticallyやsoarよりも視覚的でインパクトの強い表現です。"
    )
    assert by_term["depreciating"].explanation.endswith("対義語は\nappreciating(価値が上がっている)です。")
    # "- 解説:" with nothing after it takes the next line.
    assert by_term["gain traction"].explanation.startswith("tractionは元々、タイヤなどが地面を掴む「牽引力」")
    assert by_term["dollar-denominated"].explanation == (
        "denominatedは「~という単位で表示された」という意味。"
        "給与や価格が、日本円ではなく米ドルを基準にして支払われることを示します。"
    )
    assert by_term["hedge against"].gloss == "~に対するリスク回避策(をとる)"


def test_sample_translation_and_trailer(sample: Lesson) -> None:
    assert sample.translation is not None
    assert sample.translation.title == "AIトレーナーの台頭:日本のリモートワーカー、世界的な需要を捉え外貨を獲得"
    assert sample.translation.line == 70
    assert len(sample.translation.paragraphs) == 5
    assert sample.translation.paragraphs[-1].endswith("戦略的な動きなのです。")
    assert not any("ECOM" in p or "体験レッスン" in p for p in sample.translation.paragraphs)
    assert len(sample.trailer) == 2
    assert sample.trailer[0].startswith("ECOMでは")
    assert sample.trailer[1] == "興味がある方は体験レッスンをご活用ください。"
    assert [(w.line, w.severity) for w in sample.warnings] == [(77, "warning")]
    assert "advertisement" in sample.warnings[0].message


def test_reader_leaves_analysis_fields_empty(sample: Lesson) -> None:
    assert sample.sentences == ()
    assert sample.clozes == ()
    assert sample.exercise is None


# ------------------------------------------------------------------------------------------------ variants

BASE = FIXTURES / "basic_all_sections.txt"
BASE_TERMS = ["Tap into", "gaining traction"]


def test_basic_lesson() -> None:
    lesson = read(BASE)
    assert lesson.title == "Tokyo Cafés Tap into Tourist Demand"
    assert lesson.date is None
    assert [p.text for p in lesson.article][
        2
    ] == "“We never expected this,” said Ms. Tanaka, who runs a café in Asakusa."
    assert len(lesson.gapfill) == 2
    assert [(e.term, e.gloss, e.explanation, e.line) for e in lesson.vocabulary] == [
        ("Tap into", "~を利用する", "資源や需要をうまく活用すること。", 8),
        ("gaining traction", "勢いを増す", "支持を得て軌道に乗ること。", 11),
    ]
    assert lesson.translation is not None
    assert lesson.translation.title == "東京のカフェ、観光需要を取り込む"
    assert len(lesson.translation.paragraphs) == 3
    assert lesson.warnings == ()


@pytest.mark.parametrize(
    "name",
    [
        "vocab_header_fullwidth.txt",
        "vocab_header_misspelled_vocaburaly.txt",
        "vocab_header_brackets_goi.txt",
        "vocab_header_hash_lowercase.txt",
        "vocab_header_diamond_tango.txt",
        "vocab_header_circle_juuyou_hyougen.txt",
        "vocab_header_triangle_with_colon.txt",
        "vocab_header_white_square_decorated.txt",
        "translation_header_zenyaku_brackets.txt",
        "translation_header_nihongoyaku.txt",
        "title_after_blank_lines.txt",
        "vocab_bullets_mixed.txt",
        "vocab_labels_alternative.txt",
        "vocab_numbered_terms.txt",
        "vocab_terms_without_bullets.txt",
    ],
)
def test_variant_reads_like_the_basic_lesson(name: str) -> None:
    base = read(BASE)
    lesson = read(FIXTURES / name)
    assert [p.text for p in lesson.article] == [p.text for p in base.article]
    assert lesson.gapfill == base.gapfill
    assert [(e.term, e.gloss, e.explanation) for e in lesson.vocabulary] == [
        (e.term, e.gloss, e.explanation) for e in base.vocabulary
    ]
    assert lesson.translation is not None and base.translation is not None
    assert (lesson.translation.title, lesson.translation.paragraphs) == (
        base.translation.title,
        base.translation.paragraphs,
    )
    assert lesson.warnings == ()


def test_vocab_label_on_next_line() -> None:
    lesson = read(FIXTURES / "vocab_label_on_next_line.txt")
    assert [(e.term, e.gloss, e.explanation) for e in lesson.vocabulary] == [
        ("Tap into", "~を利用する", "資源や需要をうまく活用すること。"),
        ("gaining traction", "勢いを増す", "支持を得て軌道に乗ること。"),
    ]


def test_vocab_continuation_lines_join_with_newlines() -> None:
    lesson = read(FIXTURES / "vocab_continuation_lines.txt")
    first = lesson.vocabulary[0]
    assert first.gloss == "~を利用する、\n~に入り込む"
    # A bullet that starts in Japanese inside an explanation is part of it, not a new term.
    assert first.explanation == "資源や需要をうまく活用すること。\n需要や市場について使う。\n・例: tap into a market"
    assert [e.term for e in lesson.vocabulary] == BASE_TERMS


def test_numbered_example_sentences_stay_in_the_explanation(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8").replace(
        "- 解説: 資源や需要をうまく活用すること。\n",
        "- 解説: 資源や需要をうまく活用すること。\n1. They tap into new markets.\n2) 市場に参入する\n",
    )
    lesson = read_bytes(tmp_path, "lesson.txt", text.encode())
    assert [e.term for e in lesson.vocabulary] == BASE_TERMS
    assert lesson.vocabulary[0].explanation.endswith("\n1. They tap into new markets.\n2) 市場に参入する")


def test_vocab_without_explanation() -> None:
    lesson = read(FIXTURES / "vocab_without_explanation.txt")
    assert [(e.term, e.gloss, e.explanation) for e in lesson.vocabulary] == [
        ("Tap into", "~を利用する", ""),
        ("gaining traction", "勢いを増す", ""),
    ]


def test_gapfill_absent() -> None:
    lesson = read(FIXTURES / "gapfill_absent.txt")
    assert lesson.gapfill == ()
    assert len(lesson.article) == 3


def test_gapfill_hyphen_and_apostrophe_tokens() -> None:
    lesson = read(FIXTURES / "gapfill_hyphen_apostrophe.txt")
    assert len(lesson.gapfill) == 2
    assert "AI-_________" in lesson.gapfill[0]
    assert lesson.gapfill[1].startswith("“I__’")
    assert len(lesson.article) == 3


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("A_ t__ g_____ d_____ f__ a_________", True),
        ("Tokyo c________.", True),  # proper nouns stay whole; half the words gapped is enough
        ("“I__’ a_ o__________ t_ b_ p___", True),
        ("I_ i_______ AI-_________ r________, h___-_______ d___", True),
        ("Use snake_case names for variables in Python code.", False),
        ("Fill in the blank: ____ is the capital of Japan.", False),
        ("An ordinary sentence.", False),
    ],
)
def test_gapfill_line_detection(line: str, expected: bool) -> None:
    assert is_gapfill_line(line) is expected


def _gapped_by_characters(token: str) -> bool:
    """The definition the reader's pattern implements: an underscore that ends the token or is followed by a
    character that is neither an underscore nor a letter or digit."""
    return any(
        ch == "_" and (i + 1 == len(token) or (token[i + 1] != "_" and not token[i + 1].isalnum()))
        for i, ch in enumerate(token)
    )


def test_gapped_words_are_found_as_the_character_definition_finds_them() -> None:
    tokens = ["g_____,", "h___-____", "snake_case", "I__’", "a_é", "a_\u0301", "x_²", "x_١", "___", "_", "a_あ", "a_ "]
    for token in tokens:
        words = 1 if _gapped_by_characters(token) or any(ch.isalnum() for ch in token) else 0
        assert is_gapfill_line(f"{token} {token}") is (_gapped_by_characters(token) and words > 0), token
    assert latin_letters("Tokyo 東京 café") == 8  # ASCII letters only


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("■ Vocabulary", "vocabulary"),
        ("■ Vocaburaly", "vocabulary"),
        ("■　ＶＯＣＡＢＵＬＡＲＹ", "vocabulary"),
        ("【語彙】", "vocabulary"),
        ("# 単語", "vocabulary"),
        ("◆重要表現", "vocabulary"),
        ("Vocabulary", "vocabulary"),
        ("■ 和訳", "translation"),
        ("【全訳】", "translation"),
        ("▼ 日本語訳:", "translation"),
        ("- 和訳: ~を利用する", None),
        ("#1 in Japan, the trend grows.", None),
        ("Vocabulary matters for learners.", None),
        ("# Vocabulary list", "vocabulary"),
        ("■ Vocablary", "vocabulary"),  # any "voca…" word on a marked line
        ("# vocabulary matters a lot to learners who read the news every week", None),
        ("■ Exercise", None),
    ],
)
def test_section_header_detection(line: str, kind: str | None) -> None:
    assert section_header(line) == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("和訳: ~を利用する", ("gloss", "~を利用する")),
        ("和訳：~を利用する", ("gloss", "~を利用する")),
        ("和訳 : ~を利用する", ("gloss", "~を利用する")),
        ("訳: 勢いを増す", ("gloss", "勢いを増す")),
        ("意味:", ("gloss", "")),
        ("【解説】支持を得ること。", ("explanation", "支持を得ること。")),
        ("[説明]: 支持を得ること。", ("explanation", "支持を得ること。")),
        ("ﾎﾟｲﾝﾄ: half-width katakana", ("explanation", "half-width katakana")),
        ("Note: not a label", None),
        ("和訳 ~を利用する", None),
        ("gain traction", None),
        ("例: tap into a market", None),
    ],
)
def test_field_labels(text: str, expected: tuple[str, str] | None) -> None:
    assert field_label(text) == expected


def test_translation_absent_is_a_warning_saying_usable() -> None:
    lesson = read(FIXTURES / "translation_absent.txt")
    assert lesson.translation is None
    assert len(lesson.warnings) == 1
    assert lesson.warnings[0].severity == "warning"
    assert "no translation" in lesson.warnings[0].message
    assert "still usable" in lesson.warnings[0].message


def test_trailer_advertisement() -> None:
    lesson = read(FIXTURES / "trailer_advertisement.txt")
    assert lesson.translation is not None
    assert len(lesson.translation.paragraphs) == 3
    assert lesson.trailer == (
        "ECOMでは、毎週これらの記事を、ディスカッション教材として使えます。",
        "興味がある方は体験レッスンをご活用ください。",
    )
    assert [w.line for w in lesson.warnings] == [19]


def test_trailer_patterns_come_from_settings(tmp_path: Path) -> None:
    path = FIXTURES / "basic_all_sections.txt"
    lesson = read_text_lesson(path, path.read_bytes(), Settings(trailer_patterns=("円安",)))
    assert lesson.trailer == (
        "多くの店主は、円安が決定的な要因だと話す。",
        "「こんなことになるとは思わなかった」と浅草でカフェを営む田中さんは言う。",
    )
    assert lesson.translation is not None and len(lesson.translation.paragraphs) == 1


def test_unknown_section_marks_are_warned_with_lines() -> None:
    lesson = read(FIXTURES / "unknown_section_mark_warned.txt")
    assert [(w.line, "■ Notes" in w.message or "■ Exercise" in w.message) for w in lesson.warnings] == [
        (7, True),
        (20, True),
    ]
    assert [e.term for e in lesson.vocabulary] == BASE_TERMS


def test_japanese_in_the_article_is_warned(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8").replace("Asakusa.\n", "Asakusa.\n語彙リスト\n")
    lesson = read_bytes(tmp_path, "lesson.txt", text.encode())
    assert [w.line for w in lesson.warnings] == [5]
    assert "Japanese text in the article" in lesson.warnings[0].message
    assert lesson.article[-1].text == "語彙リスト"  # kept, not dropped


def test_separator_lines_are_skipped_everywhere(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8")
    for marker in ("■ Vocabulary\n", "- gaining traction\n", "■ 和訳\n", "「こんなこと"):
        text = text.replace(marker, "------------\n" + marker, 1)
    text = text.replace("■ 和訳\n", "＝＝＝＝＝＝\n■■■■■■\n■ 和訳\n")
    lesson = read_bytes(tmp_path, "lesson.txt", text.encode())
    assert content_without_lines(lesson) == content_without_lines(read(BASE))
    assert lesson.warnings == ()


def test_translation_before_vocabulary(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8")
    head, rest = text.split("■ Vocabulary\n")
    vocabulary, translation = rest.split("■ 和訳\n")
    lesson = read_bytes(
        tmp_path, "lesson.txt", (head + "■ 和訳\n" + translation + "■ Vocabulary\n" + vocabulary).encode()
    )
    assert content_without_lines(lesson) == content_without_lines(read(BASE))


def test_a_japanese_word_in_an_english_line_is_fine(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8").replace("in Asakusa.", "in Asakusa (浅草).")
    assert read_bytes(tmp_path, "lesson.txt", text.encode()).warnings == ()


def test_unlabelled_line_after_term_is_taken_as_gloss_with_warning(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8").replace("- 和訳: ~を利用する", "~を利用する")
    lesson = read_bytes(tmp_path, "lesson.txt", text.encode())
    assert lesson.vocabulary[0].gloss == "~を利用する"
    assert [w.line for w in lesson.warnings] == [9]


def test_text_before_first_entry_is_warned(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8").replace("■ Vocabulary\n", "■ Vocabulary\n今週の表現です。\n")
    lesson = read_bytes(tmp_path, "lesson.txt", text.encode())
    assert [w.line for w in lesson.warnings] == [8]
    assert "belongs to no entry" in lesson.warnings[0].message


def test_second_gloss_label_is_warned_and_joined(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8").replace(
        "- 和訳: ~を利用する\n", "- 和訳: ~を利用する\n- 意味: ~を活用する\n"
    )
    lesson = read_bytes(tmp_path, "lesson.txt", text.encode())
    assert lesson.vocabulary[0].gloss == "~を利用する\n~を活用する"
    assert [w.line for w in lesson.warnings] == [10]


def test_text_after_translation_header_is_warned_not_dropped(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8").replace("■ 和訳\n", "■ 和訳: 東京のカフェ(別題)\n")
    lesson = read_bytes(tmp_path, "lesson.txt", text.encode())
    assert [w.line for w in lesson.warnings] == [14]
    assert "'東京のカフェ(別題)'" in lesson.warnings[0].message
    assert lesson.translation is not None and lesson.translation.title == "東京のカフェ、観光需要を取り込む"


@pytest.mark.parametrize("name", ["2026-12-05 週刊 レッスン.txt", ".hidden lesson.txt", "a b..c.txt"])
def test_unusual_file_names_give_the_stem_as_id(tmp_path: Path, name: str) -> None:
    lesson = read_bytes(tmp_path, name, BASE.read_bytes())
    assert lesson.id == Path(name).stem
    assert lesson.source == str(tmp_path / name)


# ------------------------------------------------------------------------------------------------ bytes


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("encoding_utf8_bom.txt", lambda text: b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("encoding_utf16_le_bom.txt", lambda text: text.encode("utf-16")),  # Python writes LE with a BOM
        ("encoding_utf16_be_bom.txt", lambda text: b"\xfe\xff" + text.encode("utf-16-be")),
        ("encoding_cp932.txt", lambda text: text.replace("é", "e").encode("cp932")),
        ("encoding_shift_jis.txt", lambda text: text.replace("é", "e").replace("~", "〜").encode("shift_jis")),
    ],
)
def test_encodings(tmp_path: Path, name: str, encode: Callable[[str], bytes]) -> None:
    text = BASE.read_text(encoding="utf-8")
    lesson = read_bytes(tmp_path, name, encode(text))
    expected = read_bytes(tmp_path, "expected.txt", encode(text).decode(_codec(name)).encode("utf-8"))
    assert content(lesson) == content(expected)
    assert lesson.vocabulary[1].gloss == "勢いを増す"
    assert lesson.translation is not None and lesson.translation.title == "東京のカフェ、観光需要を取り込む"


def _codec(name: str) -> str:
    return {
        "encoding_utf8_bom.txt": "utf-8-sig",
        "encoding_utf16_le_bom.txt": "utf-16",
        "encoding_utf16_be_bom.txt": "utf-16",
        "encoding_cp932.txt": "cp932",
        # Shift_JIS bytes are read as CP932 (its Windows superset), which maps 0x8160 to ～ rather than 〜.
        "encoding_shift_jis.txt": "cp932",
    }[name]


@pytest.mark.parametrize("codec", ["cp932", "utf-16", "utf-8-sig"])
def test_whole_sample_in_other_encodings_and_crlf(tmp_path: Path, sample: Lesson, codec: str) -> None:
    text = Path(sample.source).read_text(encoding="utf-8").replace("\n", "\r\n")
    lesson = read_bytes(tmp_path, f"encoding_sample_{codec}.txt", text.encode(codec))
    assert content(lesson) == content(sample)


@pytest.mark.parametrize(("name", "newline"), [("crlf_line_endings.txt", "\r\n"), ("cr_line_endings.txt", "\r")])
def test_line_endings(tmp_path: Path, name: str, newline: str) -> None:
    text = BASE.read_text(encoding="utf-8")
    lesson = read_bytes(tmp_path, name, text.replace("\n", newline).encode("utf-8"))
    assert content(lesson) == content(read(BASE))  # same texts and same line numbers


def test_mixed_line_endings_keep_line_numbers(tmp_path: Path) -> None:
    lines = BASE.read_text(encoding="utf-8").split("\n")
    data = "".join(line + ("\r\n", "\r", "\n")[i % 3] for i, line in enumerate(lines)).encode()
    assert content(read_bytes(tmp_path, "mixed.txt", data)) == content(read(BASE))


def test_stem_date_and_id(tmp_path: Path) -> None:
    lesson = read_bytes(tmp_path, "2026-12-05 café lesson.txt", BASE.read_bytes())
    assert (lesson.id, lesson.date) == ("2026-12-05 café lesson", "2026-12-05")


def test_stem_date_that_is_not_a_date_is_warned(tmp_path: Path) -> None:
    lesson = read_bytes(tmp_path, "2026-13-45-lesson.txt", BASE.read_bytes())
    assert lesson.date is None
    assert [(w.line, "not a real date" in w.message) for w in lesson.warnings] == [(None, True)]


# ------------------------------------------------------------------------------------------------ bad input

BAD_FIXTURES = [
    ("bad_empty.txt", None, "the file is empty"),
    ("bad_whitespace_only.txt", None, "the file is empty"),
    ("bad_only_title.txt", 1, "only a title"),
    ("bad_no_article.txt", 2, "no article"),
    ("bad_no_vocabulary.txt", None, "no vocabulary section"),
    ("bad_vocab_no_entries.txt", 7, "the vocabulary section has no entries"),
    ("bad_entry_without_gloss.txt", 8, "the vocabulary entry 'Tap into' has no gloss"),
    ("bad_duplicate_term.txt", 14, "the term 'tap into' appears twice in the vocabulary: lines 8 and 14"),
    ("bad_label_without_term.txt", 8, "label that belongs to no term"),
    ("bad_starts_with_header.txt", 1, "must start with its English title"),
]


@pytest.mark.parametrize(("name", "line", "message"), BAD_FIXTURES, ids=[name for name, _, _ in BAD_FIXTURES])
def test_bad_fixture(name: str, line: int | None, message: str) -> None:
    assert_refused(read, FIXTURES / name, line, message)


BAD_BYTES = [
    ("bad_binary_png.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", 3, "binary data"),
    ("bad_binary_control_chars.txt", b"Title\nText\x01\x02\x03 more\n", 2, "control character U+0001"),
    ("bad_utf16_without_bom.txt", "Title\nArticle".encode("utf-16-le"), 1, "byte-order mark"),
    ("bad_undecodable.txt", b"Title\nArticle \xff\xfe\xfd line\n", 2, "is not UTF-8"),
    ("bad_lone_cp932_lead_byte.txt", b"Title\n\x81", 2, "not CP932/Shift_JIS"),
    (
        "bad_utf8_with_a_stray_latin1_byte.txt",
        "Title\n和訳 caf\xe9 です\n".encode().replace(b"\xc3\xa9", b"\xe9"),
        2,
        "though the rest of the file is UTF-8",
    ),
    ("bad_utf8_bom_then_junk.txt", b"\xef\xbb\xbfTitle\n\xc3\x28", 2, "not valid UTF-8"),
    ("bad_utf16_bom_odd_length.txt", b"\xff\xfeT\x00i", None, "not valid UTF-16"),
]


@pytest.mark.parametrize(("name", "data", "line", "message"), BAD_BYTES, ids=[name for name, *_ in BAD_BYTES])
def test_bad_bytes(tmp_path: Path, name: str, data: bytes, line: int | None, message: str) -> None:
    with pytest.raises(LessonError) as caught:
        read_bytes(tmp_path, name, data)
    assert caught.value.line == line
    assert message in caught.value.detail


# ------------------------------------------------------------------------------------------------ bounded time

LONG = 200_000


@pytest.mark.parametrize(
    "long_line",
    [
        "word " * (LONG // 5),
        "a_ " * (LONG // 3),
        "_" * LONG,
        "■" * LONG,
        "- 和訳:" + "：" * LONG,
        "【" * LONG,
        "#" + " " * LONG + "x",
        "https://" + "a" * LONG,
        "a" * LONG,
    ],
    ids=["words", "gaps", "underscores", "marks", "colons", "brackets", "hash-spaces", "url", "one-word"],
)
@pytest.mark.parametrize("where", ["article", "vocabulary", "translation"])
def test_200000_character_line_finishes_quickly(tmp_path: Path, long_line: str, where: str) -> None:
    lines = BASE.read_text(encoding="utf-8").split("\n")
    at = {"article": 2, "vocabulary": 10, "translation": 16}[where]
    lines.insert(at, long_line)
    data = "\n".join(lines).encode("utf-8")
    started = time.process_time()
    with contextlib.suppress(LessonError):  # a clear refusal is as good as a reading; only the time matters here
        read_bytes(tmp_path, "long.txt", data)
    assert time.process_time() - started < 2.0


def test_ten_megabyte_file_is_refused_with_a_clear_limit() -> None:
    with pytest.raises(LessonError, match="lessons are limited to"):
        read_lesson(Path("big.txt"), b"a" * 10_000_000, Settings())


@pytest.mark.parametrize("kind", ["article", "vocabulary", "translation"])
def test_largest_allowed_file_reads_in_bounded_time(kind: str) -> None:
    filler = {
        "article": "Many owners say the weak yen is a crucial factor.\n",
        "vocabulary": "- term\n- 和訳: 訳\n- 解説:\n説明です。\n",
        "translation": "多くの店主は、円安が決定的な要因だと話す。\n",
    }[kind]
    head, vocabulary, translation = "Title\nArticle.\n", "■ Vocabulary\n- a\n- 和訳: b\n", "■ 和訳\nタイトル\n"
    parts = {"article": head, "vocabulary": head + vocabulary, "translation": head + vocabulary + translation}[kind]
    budget = MAX_LESSON_BYTES - len(parts.encode()) - 200
    data = (parts + filler * (budget // len(filler.encode()))).encode()
    assert len(data) <= MAX_LESSON_BYTES
    started = time.process_time()
    with contextlib.suppress(LessonError):  # duplicate "term" entries are an error; only the time matters here
        read_text_lesson(Path("big.txt"), data, Settings())
    assert time.process_time() - started < 5.0


# ------------------------------------------------------------------------------------------------ properties

LESSON_LINES = st.sampled_from(
    [
        "",
        "Title of a lesson",
        "An English sentence, with “quotes” and $1.5 prices.",
        "A_ t__ g_____ d_____.",
        "■ Vocabulary",
        "【語彙】",
        "■ 和訳",
        "# 全訳",
        "- Tap into",
        "・gain traction",
        "- 和訳: ~を利用する",
        "- 和訳:",
        "- 解説：説明です。",
        "- 解説:",
        "続きの行です。",
        "- ",
        "■ Exercise",
        "ECOMでは、毎週これらの記事を",
        "体験レッスン",
        "\ufeff",
        "\t\u3000",
    ]
)


PROPERTY_LESSON = Path("2026-11-28-prop.txt")  # the file name the property tests' bytes are read as


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(LESSON_LINES, st.text(max_size=40)), max_size=30), st.sampled_from(["\n", "\r\n", "\r"]))
def test_lesson_like_text_gives_a_lesson_or_a_lesson_error(lines: list[str], newline: str) -> None:
    assert_lesson_or_error(read_text_lesson, PROPERTY_LESSON, newline.join(lines).encode("utf-8"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_a_lesson_or_a_lesson_error(data: bytes) -> None:
    assert_lesson_or_error(read_text_lesson, PROPERTY_LESSON, data)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["utf-8", "utf-16", "cp932"]))
def test_arbitrary_text_in_any_encoding_gives_a_lesson_or_a_lesson_error(text: str, codec: str) -> None:
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    assert_lesson_or_error(read_text_lesson, PROPERTY_LESSON, data)


_HEADER_PIECES = st.sampled_from(
    [
        *("Vocabulary", "VOCAB", "vocaburaly", "Voca", "vo", "Tr", "translation", "Translation:", "Prices", "5G", "a"),
        *(
            "ｖｏｃａｂ",
            "Ｖo",
            "v\u0301o",
            "o\u0301",
            "語彙",
            "和訳",
            "■",
            "#",
            "=",
            "【",
            "】",
            "<",
            ">",
            ":",
            "：",
            "-",
        ),
        *("―", "━", "＊", "*", " ", "\t", "\u3000", "ﬁ", "İ", "ß"),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_HEADER_PIECES, max_size=6).map("".join))
def test_header_shortcut_and_rule_test_decide_as_the_whole_tests(line: str) -> None:
    """parse_header's shortcut for lines that start with a Latin letter or digit, and _is_rule asking about the
    first character first, decide every line as the whole procedures do."""
    assert parse_header(line) == _parsed_header(line)
    chars = set(line) - {" ", "\t", "\u3000"}
    rule = len(chars) == 1 and not line[0].isalnum() and (len(line) >= 3 or (len(line) == 2 and line[0] in "―━─═＝—"))
    assert _is_rule(line) == rule


def test_no_letter_or_digit_is_invisible() -> None:
    """is_invisible answers False for text that starts with a letter or digit without asking each character: right
    for every character Python calls alphanumeric."""
    import sys
    import unicodedata

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if char.isalnum():
            assert unicodedata.category(char) not in _INVISIBLE_CATEGORIES and not char.isspace(), hex(code)
    assert not is_invisible("a\u200b") and is_invisible("\u200b ") and is_invisible("")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ5\u0301\u0308\u20dd\u3099■□ ", max_size=5))
def test_unknown_marks_are_found_as_normalising_first_finds_them(line: str) -> None:
    text = unicodedata.normalize("NFKC", line).lstrip()
    assert unknown_marked(line) == (bool(text) and text[0] in _STRONG_MARKS)


_NO_CYCLES = """
import gc, sys
from dataclasses import replace
from pathlib import Path
from ankiexport.config import Settings
from ankiexport.errors import LessonError
from ankiexport.readers import load_lesson
paths = [Path(sys.argv[1]), *sorted(Path(sys.argv[2]).iterdir())]
def read_all():
    for path in paths:
        for gapfill in ("own", "generated"):
            try:
                load_lesson(path, replace(Settings(), gapfill=gapfill))
            except LessonError:
                pass
read_all()  # imports, tables and caches made once
gc.collect()
gc.disable()
read_all()
print(gc.collect())
"""


def test_reading_and_analysis_leave_no_cyclic_garbage() -> None:
    """read_lesson pauses the cyclic collector, which is right only while reading and analysing make no garbage
    that only it can free: none, for the sample and every fixture, good or bad, with either gap-fill source."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _NO_CYCLES, str(SAMPLE), str(FIXTURES)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "0"
