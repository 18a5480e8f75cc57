"""The YAML lesson form: schema checks with lines and keys, attacks refused, and the text → YAML → lesson round trip."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ankiexport.config import Settings
from ankiexport.errors import LessonError
from ankiexport.model import Lesson, Paragraph, Translation, VocabEntry
from ankiexport.readers.text import is_invisible, normalise_text, read_text_lesson
from ankiexport.readers.yaml_lesson import dump_yaml_lesson, read_yaml_lesson
from lesson_files import FIXTURES, SAMPLE
from reader_helpers import assert_lesson_or_error, assert_refused, content_without_lines


def read(path: Path) -> Lesson:
    return read_yaml_lesson(path, path.read_bytes(), Settings())


def read_text(text: str, name: str = "lesson.yaml") -> Lesson:
    return read_yaml_lesson(Path(name), text.encode("utf-8"), Settings())


# ------------------------------------------------------------------------------------------------ round trip


@pytest.fixture(scope="module")
def sample() -> Lesson:
    return read_text_lesson(SAMPLE, SAMPLE.read_bytes(), Settings())


def test_sample_round_trip(sample: Lesson) -> None:
    dumped = dump_yaml_lesson(sample)
    again = read_text(dumped, "other-name.yaml")  # no date in the name: the date must come from the YAML
    assert content_without_lines(again) == content_without_lines(sample)
    assert again.warnings == ()
    assert len(again.vocabulary) == 12
    assert again.trailer == sample.trailer


def test_dump_is_a_fixed_point(sample: Lesson) -> None:
    dumped = dump_yaml_lesson(sample)
    assert dump_yaml_lesson(read_text(dumped)) == dumped


def test_dump_is_readable(sample: Lesson) -> None:
    dumped = dump_yaml_lesson(sample)
    assert dumped.startswith("# ankiexport lesson")
    assert "AIトレーナーの台頭" in dumped  # Japanese as written, not \u escapes
    assert "explanation: |-\n      「空飛ぶロケット」" in dumped  # multi-line text as a block
    keys = [line.split(":")[0] for line in dumped.splitlines() if line and not line.startswith(("#", " "))]
    assert keys == ["title", "date", "article", "gapfill", "vocabulary", "translation", "trailer"]
    # every paragraph on one line, as in the text lesson
    assert f"  - {sample.article[1].text}\n" in dumped


def test_dump_quotes_values_yaml_would_misread() -> None:
    lesson = Lesson(
        id="x",
        source="x",
        title="2026",
        date=None,
        article=(Paragraph("no", 1), Paragraph("- a dash: and colon #not a comment", 2)),
        vocabulary=(VocabEntry("yes", "null", "true\n  indented: line", 3),),
        translation=Translation("", (), 4),
    )
    assert content_without_lines(read_text(dump_yaml_lesson(lesson))) == content_without_lines(lesson)


def test_canonical_fixture_and_its_lines() -> None:
    lesson = read(FIXTURES / "yaml_canonical.yaml")
    assert lesson.id == "yaml_canonical"
    assert lesson.date == "2026-12-05"
    assert lesson.title_line == 2
    assert [p.line for p in lesson.article] == [5, 6, 7]
    assert lesson.gapfill == ("S____ c____ i_ Tokyo a__ g______ t_______ w___ v_______ f___ a_____.",)
    assert [(e.term, e.gloss, e.explanation, e.line) for e in lesson.vocabulary] == [
        ("Tap into", "~を利用する", "資源や需要をうまく活用すること。\n市場や需要について使う。", 11),
        ("gaining traction", "勢いを増す", "", 16),
    ]
    assert lesson.translation == Translation(
        "東京のカフェ、観光需要を取り込む",
        ("東京の小さなカフェが海外からの訪問者の間で人気を集めている。", "多くの店主は、円安が決定的な要因だと話す。"),
        18,
    )
    assert lesson.warnings == ()


def test_date_comes_from_the_file_name_when_yaml_has_none(tmp_path: Path) -> None:
    text = (FIXTURES / "yaml_canonical.yaml").read_text(encoding="utf-8").replace("date: 2026-12-05\n", "")
    assert read_text(text, "2026-11-28-cafes.yaml").date == "2026-11-28"
    assert read_text(text, "cafes.yaml").date is None


def test_yaml_date_wins_over_file_name_with_a_warning() -> None:
    text = (FIXTURES / "yaml_canonical.yaml").read_text(encoding="utf-8")
    lesson = read_text(text, "2026-11-28-cafes.yaml")
    assert lesson.date == "2026-12-05"
    assert [(w.line, "differs" in w.message) for w in lesson.warnings] == [(3, True)]


def test_unknown_keys_are_warnings_naming_key_and_line() -> None:
    lesson = read(FIXTURES / "yaml_unknown_keys_warned.yaml")
    assert [(w.line, w.message.split(" ignored")[0]) for w in lesson.warnings] == [
        (2, "unknown key 'level'"),
        (8, "unknown key 'vocabulary[0].example'"),
        (13, "unknown key 'translation.notes'"),
    ]
    assert lesson.vocabulary[0].gloss == "勢いを増す"


def test_translation_absent_is_a_warning() -> None:
    lesson = read(FIXTURES / "yaml_translation_absent.yaml")
    assert lesson.translation is None
    assert [(w.line, "still usable" in w.message) for w in lesson.warnings] == [(None, True)]


# ------------------------------------------------------------------------------------------------ bad input

BAD = [
    ("bad_yaml_alias_bomb.yaml", 2, "anchors (&name) are not allowed"),
    ("bad_yaml_python_tag.yaml", 1, "unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    ("bad_yaml_list_at_top.yaml", 1, "the lesson must be a mapping"),
    ("bad_yaml_article_is_mapping.yaml", 2, "article: must be a list of text lines"),
    ("bad_yaml_gloss_is_number.yaml", 8, "vocabulary[1].gloss: must be text, not a number (20); put it in quotes"),
    ("bad_yaml_term_is_boolean.yaml", 5, "vocabulary[0].term: must be text, not a boolean (false)"),
    ("bad_yaml_entry_without_gloss.yaml", 5, "vocabulary[0]: the entry has no 'gloss'"),
    ("bad_yaml_duplicate_term.yaml", 7, "appears twice in the vocabulary: lines 5 and 7"),
    ("bad_yaml_invalid_date.yaml", 2, "date: must be a real date written YYYY-MM-DD, not '2026-02-30'"),
    # PyYAML builds the date after parsing and does not say where; yamlsafe would need to catch it to give a line.
    ("bad_yaml_impossible_timestamp.yaml", 2, "'2026-13-01' cannot be read (month must be in 1..12)"),
    ("bad_yaml_syntax_error.yaml", 4, "not valid YAML"),
    ("bad_yaml_vocabulary_empty.yaml", 4, "vocabulary: has no entries"),
    ("bad_yaml_missing_title.yaml", 1, "needs a 'title' key"),
    ("bad_yaml_missing_article.yaml", 1, "needs an 'article' key"),
    ("bad_yaml_only_comment.yaml", None, "the file is empty"),
]


@pytest.mark.parametrize(("name", "line", "message"), BAD, ids=[name for name, _, _ in BAD])
def test_bad_yaml_fixture(name: str, line: int | None, message: str) -> None:
    assert_refused(read, FIXTURES / name, line, message)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("title: [a, b]\narticle: [x]\nvocabulary: []\n", 1, "title: must be text, not a list"),
        ("title: T\narticle: [x, 3]\nvocabulary: []\n", 2, "article[1]: must be text, not a number"),
        ("title: T\narticle: [x]\nvocabulary: {term: a}\n", 3, "vocabulary: must be a list of entries"),
        ("title: T\narticle: [x]\nvocabulary: [just a string]\n", 3, "vocabulary[0]: it must be a mapping"),
        ("title: T\ndate: 20261128\narticle: [x]\nvocabulary: [{term: a, gloss: b}]\n", 2, "date: must be a date"),
        ("title: T\narticle: [x]\nvocabulary: [{term: a, gloss: b}]\ntranslation: [x]\n", 4, "translation: it must"),
        ("title: T\ndate: 2026-W48-6\narticle: [x]\nvocabulary: [{term: a, gloss: b}]\n", 2, "date: must be a real"),
        ("title: T\narticle: [x]\nvocabulary: [{term: a, gloss: b}]\ntrailer: {a: b}\n", 4, "trailer: must be a list"),
        ("title: T\narticle: [x]\nvocabulary: [{term: a, gloss: '  '}]\n", 3, "gloss: must not be empty"),
        ("title: T\ntitle: U\n", 2, "key 'title' appears twice"),
        ("title: !!binary aGVsbG8=\n", 1, "unsupported YAML tag"),
        ("title: T\nx: 0x_\n", 2, "not valid YAML"),
        ("[" * 5000, None, "nested too deeply"),
    ],
    ids=[
        "title-list",
        "article-number",
        "vocabulary-mapping",
        "entry-string",
        "date-number",
        "translation-list",
        "date-week-form",
        "trailer-mapping",
        "gloss-blank",
        "duplicate-key",
        "binary-tag",
        "bad-int",
        "deep-nesting",
    ],
)
def test_bad_yaml_text(text: str, line: int | None, message: str) -> None:
    with pytest.raises(LessonError) as caught:
        read_text(text)
    assert caught.value.line == line
    assert message in caught.value.detail


@pytest.mark.parametrize(
    ("value", "length"),
    [
        ("word " * 40_000, 199_999),
        ("'" + "a" * 200_000 + "'", 200_000),
        ('"' + "\\u3042" * 40_000 + '"', 40_000),  # 240,000 characters of escapes
        ("|\n    " + "あ" * 200_000, 200_000),
    ],
    ids=["plain", "single-quoted", "escapes", "block"],
)
def test_200000_character_value_reads_in_bounded_time(value: str, length: int) -> None:
    text = f"title: T\narticle:\n  - {value}\nvocabulary: [{{term: a, gloss: b}}]\n"
    started = time.process_time()
    lesson = read_text(text)
    assert time.process_time() - started < 5.0
    assert len(lesson.article[0].text) == length


def test_undecodable_yaml_is_a_lesson_error() -> None:
    with pytest.raises(LessonError, match="binary data"):
        read_yaml_lesson(Path("x.yaml"), b"title: \x00\x01", Settings())


# ------------------------------------------------------------------------------------------------ properties

LINE_TEXT = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufeff\x85"),
        min_size=1,
        max_size=30,
    )
    .map(lambda text: normalise_text(text.strip()))  # what readers give: NFC, something visible
    .filter(lambda text: not is_invisible(text))
)
MULTILINE = st.lists(LINE_TEXT, min_size=1, max_size=3).map("\n".join)


@st.composite
def lessons(draw: st.DrawFn) -> Lesson:
    terms = draw(st.lists(LINE_TEXT, min_size=1, max_size=4, unique_by=lambda t: " ".join(t.casefold().split())))
    has_translation = draw(st.booleans())
    return Lesson(
        id="prop",
        source="prop.yaml",
        title=draw(LINE_TEXT),
        date=draw(st.none() | st.dates().map(lambda d: d.isoformat()).filter(lambda d: len(d) == 10)),
        article=tuple(Paragraph(t, 0) for t in draw(st.lists(LINE_TEXT, min_size=1, max_size=3))),
        vocabulary=tuple(VocabEntry(t, draw(MULTILINE), draw(st.just("") | MULTILINE), 0) for t in terms),
        translation=(
            Translation(draw(LINE_TEXT), tuple(draw(st.lists(LINE_TEXT, max_size=3))), 0) if has_translation else None
        ),
        gapfill=tuple(draw(st.lists(LINE_TEXT, max_size=2))),
        trailer=tuple(draw(st.lists(LINE_TEXT, max_size=2))),
    )


PROPERTY_LESSON = Path("prop.yaml")  # the file name the property tests' bytes are read as


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lessons())
def test_round_trip_property(lesson: Lesson) -> None:
    assert content_without_lines(read_text(dump_yaml_lesson(lesson))) == content_without_lines(lesson)


YAMLISH = st.sampled_from(
    [
        "title: T",
        "title:",
        "article:",
        "  - para",
        "- para",
        "vocabulary:",
        "  - term: a",
        "    gloss: b",
        "    gloss: 20",
        "translation:",
        "  title: t",
        "  paragraphs: [a, b]",
        "date: 2026-11-28",
        "date: 2026-02-30",
        "x: &a [1]",
        "y: *a",
        "z: !!python/name:os.system",
        "w: {",
        "'",
        "---",
        "...",
        "? complex",
        "<<: {a: 1}",
        "trailer: [x]",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(YAMLISH, st.text(max_size=20)), max_size=15))
def test_yamlish_text_gives_a_lesson_or_a_lesson_error(lines: list[str]) -> None:
    assert_lesson_or_error(read_yaml_lesson, PROPERTY_LESSON, "\n".join(lines).encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_to_the_yaml_reader(data: bytes) -> None:
    assert_lesson_or_error(read_yaml_lesson, PROPERTY_LESSON, data)


def _containers(children: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)


YAML_DATA = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10), _containers)


@settings(max_examples=100, deadline=None)
@given(YAML_DATA)
def test_arbitrary_yaml_data_gives_a_lesson_or_a_lesson_error(data: object) -> None:
    assert_lesson_or_error(read_yaml_lesson, PROPERTY_LESSON, yaml.safe_dump(data, allow_unicode=True).encode("utf-8"))


ENGLISH = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=30)
JAPANESE = st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x30FA), min_size=1, max_size=20)
NOISE = st.sampled_from(
    ["", "- ＴＡＰ ｉｎｔｏ", "- yes", "- 解説:", "続き: の行", "■ 和訳", "体験レッスン", "■ Exercise"]
)


@st.composite
def text_lessons(draw: st.DrawFn) -> str:
    """A text lesson built like the real ones, with some arbitrary and some tricky lines inserted anywhere."""
    lines = [draw(ENGLISH), *draw(st.lists(ENGLISH, min_size=1, max_size=3))]
    lines += draw(st.lists(st.just("A_ t__ g_____ d_____."), max_size=2))
    lines.append(draw(st.sampled_from(["■ Vocabulary", "【語彙】", "# 単語"])))
    for term in draw(st.lists(ENGLISH, min_size=1, max_size=3)):
        lines += [f"- {term}", f"- 和訳: {draw(JAPANESE)}"]
        if draw(st.booleans()):
            lines += ["- 解説:", draw(JAPANESE), draw(ENGLISH)]
    if draw(st.booleans()):
        lines += ["■ 和訳", *draw(st.lists(JAPANESE, max_size=3))]
    for _ in range(draw(st.integers(0, 3))):
        lines.insert(draw(st.integers(1, len(lines))), draw(NOISE | LINE_TEXT))
    return "\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_lessons())
def test_every_readable_text_lesson_survives_the_round_trip(text: str) -> None:
    try:
        lesson = read_text_lesson(Path("2026-01-02-prop.txt"), text.encode("utf-8"), Settings())
    except LessonError:
        return
    assert content_without_lines(read_text(dump_yaml_lesson(lesson))) == content_without_lines(lesson)


ENTRY_SHAPED = st.dictionaries(st.sampled_from(["term", "gloss", "explanation", "extra"]), YAML_DATA, max_size=4)
SCHEMA_SHAPED = st.dictionaries(
    st.sampled_from(["title", "date", "article", "gapfill", "vocabulary", "translation", "trailer", "extra"]),
    YAML_DATA | st.lists(ENTRY_SHAPED, max_size=3) | st.lists(st.text(max_size=10), max_size=3) | st.dates(),
    max_size=8,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCHEMA_SHAPED)
def test_schema_shaped_yaml_gives_a_lesson_or_a_lesson_error(data: dict[str, object]) -> None:
    assert_lesson_or_error(read_yaml_lesson, PROPERTY_LESSON, yaml.safe_dump(data, allow_unicode=True).encode("utf-8"))
