"""Sentence splitting of the article and the ties between English sentences and the Japanese translation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis_reference as reference
from analysis_helpers import make_lesson
from ankiexport.analysis import analyse
from ankiexport.analysis.align import _align, _Side, split_japanese
from ankiexport.analysis.sentences import (
    _POSSIBLE_END,
    MAX_PYSBD_PIECE,
    _clear_pieces,
    _cut_spans,
    _doubtful,
    _split_spans,
    split_sentences,
    split_spans,
)
from ankiexport.config import Settings
from ankiexport.model import Lesson
from ankiexport.readers import load_lesson
from lesson_files import FIXTURES


def tie_warnings(lesson: Lesson) -> list[str]:
    return [w.message for w in lesson.warnings if "could not be tied" in w.message]


# ------------------------------------------------------------------------------------------------ splitting


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "Dr. Smith met Mr. Jones in the U.S. on Monday. They talked.",
            ["Dr. Smith met Mr. Jones in the U.S. on Monday.", "They talked."],
        ),
        (
            "She studied at Tokyo Univ. for two years. Then she left.",
            ["She studied at Tokyo Univ. for two years.", "Then she left."],
        ),
        (
            "The meeting starts at 9 a.m. every day. It ends late.",
            ["The meeting starts at 9 a.m. every day.", "It ends late."],
        ),
        (
            "The company raised $1.5 billion. Investors cheered.",
            ["The company raised $1.5 billion.", "Investors cheered."],
        ),
        ('"It is great," said the CEO. "We are happy."', ['"It is great," said the CEO.', '"We are happy."']),
        (
            "“It’s a chance,” one trainer in Tokyo commented. “I agree.”",
            ["“It’s a chance,” one trainer in Tokyo commented.", "“I agree.”"],
        ),
        ("“Is it true?” she asked. “Yes,” he said.", ["“Is it true?” she asked.", "“Yes,” he said."]),
        # corrections of pysbd:
        ("“It’s great!” Tom said. He smiled.", ["“It’s great!” Tom said.", "He smiled."]),
        ("It costs approx. 3 dollars. OK.", ["It costs approx. 3 dollars.", "OK."]),
        ("He is 5 ft. 3 in. tall. Ok.", ["He is 5 ft. 3 in. tall.", "Ok."]),
        ("The role is new.The pay is good.", ["The role is new.", "The pay is good."]),
        (
            "“Go!” Tom left the room quickly and slowly. Bye.",
            ["“Go!”", "Tom left the room quickly and slowly.", "Bye."],
        ),
        ("She moved to the U.S. Then things changed.", ["She moved to the U.S.", "Then things changed."]),
        ("She moved to the U.S. Many things changed.", ["She moved to the U.S.", "Many things changed."]),
        ("The U.S. Government acted.", ["The U.S. Government acted."]),
        ("Use e.g. This one.", ["Use e.g. This one."]),
        ("A paragraph without a full stop", ["A paragraph without a full stop"]),
        ("   ", []),
    ],
)
def test_split_sentences(paragraph: str, expected: list[str]) -> None:
    assert split_sentences(paragraph) == expected


def test_spans_index_the_paragraph_even_for_repeated_sentences() -> None:
    paragraph = "It works. It works.  It works."
    spans = split_spans(paragraph)
    assert spans == [(0, 9), (10, 19), (21, 30)]


_WORDS = st.sampled_from(
    ["Dr.", "Mr.", "U.S.", "a.m.", "$1.5", "“Yes,”", "said", "the", "yen", "fell.", "Japan", "It’s"]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=25), st.sampled_from([" ", "  ", " \t"]))
def test_sentences_are_ordered_disjoint_substrings_covering_the_text(words: list[str], space: str) -> None:
    paragraph = space.join(words)
    spans = split_spans(paragraph)
    position = 0
    for start, end in spans:
        assert start >= position
        assert paragraph[position:start].strip() == ""
        assert paragraph[start:end] == paragraph[start:end].strip() != ""
        position = end
    assert paragraph[position:].strip() == ""


_PIECES = st.sampled_from(
    [
        *("Dr.", "Mr.", "U.S.", "a.m.", "$1.5", "“Yes,”", "said", "the", "yen", "fell.", "Japan", "It’s", "new.The"),
        *("Then", "rose", "5", "points.", "!", "?", "…", ".", "”", "(", ")", "e.g.", "A.", "b"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_PIECES, st.sampled_from(["", " ", " ", "  ", "\t", "\u3000"])), max_size=20),
    st.booleans(),
)
def test_one_sentence_paragraphs_are_found_as_the_whole_procedure_finds_them(
    pieces: list[tuple[str, str]], careful: bool
) -> None:
    """The shortcut for paragraphs where nothing could end a sentence (and _doubtful's) changes no span."""
    paragraph = "".join(piece + space for piece, space in pieces)
    if paragraph.strip():
        assert _split_spans.__wrapped__(paragraph, careful) == _cut_spans(paragraph, careful)
    pieces_asked = [(a, b) for a, b in _clear_pieces(paragraph) if b - a <= MAX_PYSBD_PIECE]
    assert _doubtful(paragraph) == sum(b - a for a, b in pieces_asked if _POSSIBLE_END.search(paragraph, a, b))


def test_sample_has_13_sentences(sample: Lesson) -> None:
    assert len(sample.article) == 13
    assert len(sample.sentences) == 13
    assert [s.paragraph for s in sample.sentences] == list(range(13))
    for sentence in sample.sentences:
        assert sentence.text in sample.article[sentence.paragraph].text
        assert sentence.line == sample.article[sentence.paragraph].line
    assert sample.sentences[9].text.startswith("“It’s an opportunity")
    assert sample.sentences[9].text.endswith("one freelance AI Trainer in Tokyo commented.")


def test_abbreviations_and_quotes_fixture() -> None:
    lesson = load_lesson(FIXTURES / "sentences_abbreviations_quotes.txt", Settings())
    assert [s.text for s in lesson.sentences] == [
        "Dr. Sato met Mr. Brown in the U.S. on Monday.",
        "They discussed AI training.",
        "She studied at Tokyo Univ. for two years.",
        "The meeting began at 9 a.m. and ended at noon.",
        "The startup raised $1.5 million last year.",
        "Investors were pleased.",
        "“It’s a great chance,” said Mr. Brown.",
        "“We will hire more trainers.”",
        '"We are ready," said the CEO.',
        "Everyone agreed.",
        "“Really?” Ken asked.",
        "Nobody answered.",
    ]
    assert [s.translation for s in lesson.sentences][6:8] == [
        "「素晴らしいチャンスです」とブラウン氏は言った。",
        "「もっと多くのトレーナーを雇います。」",
    ]
    assert all(s.translation for s in lesson.sentences)


# ------------------------------------------------------------------------------------------------ Japanese


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("円が下落した。ドルは上がった！本当？", ["円が下落した。", "ドルは上がった！", "本当？"]),
        (
            "「チャンスです」と彼は言った。「在宅で働けるのは利点です。」",
            ["「チャンスです」と彼は言った。", "「在宅で働けるのは利点です。」"],
        ),
        ("「はい。そうです。」と彼は答えた。次へ。", ["「はい。そうです。」と彼は答えた。", "次へ。"]),
        ("ヘッジ(リスク回避策)であり、動きなのです。", ["ヘッジ(リスク回避策)であり、動きなのです。"]),
        ("閉じない「引用。次の文。", ["閉じない「引用。", "次の文。"]),
        ("終わりのない文", ["終わりのない文"]),
        ("本当？！ええ。", ["本当？！", "ええ。"]),
    ],
)
def test_split_japanese(paragraph: str, expected: list[str]) -> None:
    assert split_japanese(paragraph) == expected


# ------------------------------------------------------------------------------------------------ ties


def test_sample_ties_all_13_sentences(sample: Lesson) -> None:
    assert sample.translation is not None
    japanese = [s for p in sample.translation.paragraphs for s in split_japanese(p)]
    assert len(japanese) == 13
    assert [s.translation for s in sample.sentences] == japanese
    assert sample.sentences[0].translation.startswith("人工知能(AI)スペシャリストに対する")
    assert (
        sample.sentences[10].translation
        == "「在宅で働き、より強い通貨で安定した収入を得られることは、現在の経済情勢において大きな利点です。」"
    )
    assert sample.sentences[12].translation.endswith("戦略的な動きなのです。")
    assert tie_warnings(sample) == []


def test_merged_paragraphs_tie() -> None:
    lesson = load_lesson(FIXTURES / "translation_merged_paragraphs.txt", Settings())
    assert [s.translation for s in lesson.sentences] == [
        "京都のカフェは忙しい。",
        "観光客は抹茶が大好きだ。",
        "店主たちは値上げするだろうと言う。",
        "二号店を開く予定の人もいる。",
    ]


def test_counts_that_differ_tie_through_merges_and_splits() -> None:
    # 3 English sentences, 5 Japanese: the first English sentence was translated as two, the last as two (one an
    # addition of the translator's); length-based alignment ties each English sentence to its Japanese ones.
    lesson = load_lesson(FIXTURES / "translation_counts_differ.txt", Settings())
    assert [s.translation for s in lesson.sentences] == [
        "京都のカフェは忙しい。観光客は抹茶が大好きだ。",
        "店主たちは値上げするだろうと言う。",
        "二号店を開く予定の人もいる。そして新しい店員を雇う。",
    ]
    assert tie_warnings(lesson) == []


def test_lengths_that_fit_nowhere_tie_nothing_and_warn() -> None:
    lesson = analyse(
        make_lesson(
            "T",
            ["The yen fell sharply against the dollar this week, and exporters across Japan were very happy."] * 3,
            translation=["円安。", "輸出。", "喜び。"],
        )
    )
    assert [s.translation for s in lesson.sentences] == ["", "", ""]
    (message,) = tie_warnings(lesson)
    assert "3 sentence(s) in 3 paragraph(s) could not be tied" in message


def test_only_runs_that_close_together_tie() -> None:
    lesson = analyse(
        make_lesson(
            "T",
            ["The yen fell sharply. Exporters were happy.", "Importers were not.", "Prices rose in shops everywhere."],
            translation=[
                "円が急落した。",
                "輸出業者は喜んだ。輸入業者は喜ばなかった。",
                "あらゆる店で物価が上がった。",
            ],
        )
    )
    # English [2, 1, 1] against Japanese [1, 2, 1]: the paragraphs cross, but sentence by sentence they pair up.
    assert [s.translation for s in lesson.sentences] == [
        "円が急落した。",
        "輸出業者は喜んだ。",
        "輸入業者は喜ばなかった。",
        "あらゆる店で物価が上がった。",
    ]
    assert tie_warnings(lesson) == []


def test_a_sentence_translated_as_two_gets_both() -> None:
    lesson = analyse(
        make_lesson(
            "T",
            ["The yen fell sharply against the dollar this week, and exporters were very happy.", "Prices rose."],
            translation=["今週、円はドルに対して急落した。輸出業者はとても喜んだ。", "物価が上がった。"],
        )
    )
    assert [s.translation for s in lesson.sentences] == [
        "今週、円はドルに対して急落した。輸出業者はとても喜んだ。",
        "物価が上がった。",
    ]


def test_lengths_veto_a_split_balanced_by_a_merge() -> None:
    lesson = analyse(
        make_lesson(
            "T",
            [
                "The yen fell sharply against the dollar this week, and exporters across Japan were happy. "
                "Importers were not."
            ],
            translation=["今週、円はドルに対して急落した。日本中の輸出業者は喜んだが、輸入業者は違った。"],
        )
    )
    assert [s.translation for s in lesson.sentences] == ["", ""]


def test_an_extra_paragraph_at_the_end_spoils_nothing_before_it() -> None:
    lesson = analyse(
        make_lesson(
            "T",
            ["Cafés are busy.", "Tourists love matcha."],
            translation=["カフェは忙しい。", "観光客は抹茶が大好きだ。", "もう一度読みましょう。"],
        )
    )
    assert [s.translation for s in lesson.sentences] == ["カフェは忙しい。", "観光客は抹茶が大好きだ。"]


def test_no_translation_no_warning() -> None:
    lesson = analyse(make_lesson("T", ["One sentence."]))
    assert lesson.sentences[0].translation == ""
    assert tie_warnings(lesson) == []


def test_an_added_sentence_joins_its_neighbour_and_nothing_is_lost() -> None:
    lesson = analyse(
        make_lesson(
            "T",
            ["The yen fell sharply this week.", "Exporters cheered. Importers did not.", "Prices rose in shops."],
            translation=[
                "今週、円が急落した。",
                "輸出業者は喜んだ。輸入業者は違った。彼らは困った。",
                "店の物価が上がった。",
            ],
        )
    )
    assert [s.translation for s in lesson.sentences] == [
        "今週、円が急落した。",
        "輸出業者は喜んだ。",
        "輸入業者は違った。彼らは困った。",
        "店の物価が上がった。",
    ]


def _side(draw: st.DrawFn, size: int) -> _Side:
    # Few distinct lengths and paragraphs, so that costs tie often: ties must fall as they did.
    lengths = draw(st.lists(st.sampled_from([0, 1, 2, 4, 8, 20, 40]), min_size=size, max_size=size))
    breaks = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    paragraphs = [sum(breaks[: i + 1]) for i in range(size)]
    return _Side(tuple(lengths), tuple(paragraphs))


@st.composite
def _sides(draw: st.DrawFn) -> tuple[_Side, _Side, float]:
    english = _side(draw, draw(st.integers(1, 70)))
    japanese = _side(draw, draw(st.integers(1, 70)))
    return english, japanese, draw(st.sampled_from([0.35, 0.5, 0.9]))


@settings(max_examples=150, deadline=None)
@given(_sides())
def test_alignment_is_what_the_dictionary_programme_found(sides: tuple[_Side, _Side, float]) -> None:
    """The band held in lists, a row's beads looked up once, finds the same beads as the code it replaced."""
    english, japanese, ratio = sides
    assert _align(english, japanese, ratio) == reference._align(english, japanese, ratio)
