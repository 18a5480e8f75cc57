"""PDF worksheet writer: read back with pypdf (pages, fonts, text, outline, metadata) and the line breaker."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
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
from ankiexport.writers.pdf import BODY, MINCHO, SERIF, prepare, write_pdf
from ankiexport.writers.pdf_text import NO_LINE_END, NO_LINE_START, Span, font_for, wrap_text

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


def write(tmp_path: Path, lesson: Lesson | None = None, name: str = "w.pdf", **settings: Any) -> Path:
    path = tmp_path / name
    written = write_pdf(lesson or make_lesson(), path, Settings(**settings))
    assert written.pages == len(PdfReader(path).pages)
    return path


def texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


# ------------------------------------------------------------------------------------------------- pages


@pytest.mark.parametrize("size", ["a4", "b5", "letter"])
def test_page_size_per_option(tmp_path: Path, size: str) -> None:
    reader = PdfReader(write(tmp_path, page_size=size, reading_page=True))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(SIZES[size], abs=0.5)


def test_writer_is_registered(tmp_path: Path) -> None:
    context = WriteContext(Settings(), "x", tmp_path / "cache")
    [output] = WRITERS["pdf"](make_lesson(), context)
    assert output.name == "x.pdf" and output.audience == "learner"
    assert output.pages >= 2 and output.data.startswith(b"%PDF-")


def test_answer_key_is_its_own_page_starting_with_heading(tmp_path: Path) -> None:
    pages = texts(write(tmp_path, reading_page=True))
    starts = [i for i, text in enumerate(pages) if text.lstrip().startswith("Answer Key")]
    assert len(starts) == 1 and starts[0] > 0
    key = starts[0]
    assert "解答" in pages[key][:30]  # the Japanese subtitle beside the heading
    assert all("Answer Key" not in text for text in pages[:key])
    assert key == len(pages) - 1  # the key comes last, after the reading page


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


def test_every_font_is_embedded_as_a_subset(tmp_path: Path) -> None:
    reader = PdfReader(write(tmp_path, reading_page=True))
    fonts: dict[str, Any] = {}
    seen: set[int] = set()
    for page in reader.pages:
        for font in _font_dicts(page.get("/Resources"), seen):
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
        for face in descendants:
            descriptor = face.get("/FontDescriptor")
            assert descriptor is not None, f"{name} has no descriptor (a standard, unembedded font)"
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{name} not embedded"
        assert re.match(r"/[A-Z]{6}\+", name), f"{name} is not a subset"
    families = {name.split("+", 1)[1] for name in fonts}
    assert {"IPAexMincho", "IPAexGothic", "LiberationSerif"} <= families
    assert not any("Helvetica" in name for name in fonts)


def test_pdffonts_lists_no_unembedded_font(tmp_path: Path) -> None:
    pdffonts = system_tools.require("pdffonts", "poppler-utils")
    output = subprocess.run(
        [pdffonts, str(write(tmp_path, reading_page=True))], capture_output=True, text=True, check=True
    ).stdout
    rows = output.splitlines()[2:]
    assert rows
    for row in rows:
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row


# -------------------------------------------------------------------------------------------- contents


def test_japanese_extracts_as_unicode(tmp_path: Path) -> None:
    text = re.sub(r"\s", "", "".join(texts(write(tmp_path, reading_page=True))))
    for japanese in ("語彙のマッチング", "急騰する", "勢いを増す", "解答", "AIトレーナーの台頭", "新しい職種"):
        assert japanese in text


def test_header_has_course_title_date_and_lines(tmp_path: Path) -> None:
    first = texts(write(tmp_path, course_name="Kanda English Club"))[0]
    for piece in ("Kanda English Club", "Rise of the AI Trainer", "2026-11-28", "Name", "Date", "Score"):
        assert piece in first


def test_exercises_have_their_content(tmp_path: Path) -> None:
    pages = texts(write(tmp_path))
    key_at = next(i for i, t in enumerate(pages) if t.lstrip().startswith("Answer Key"))
    worksheet, key = " ".join(pages[:key_at]), " ".join(pages[key_at:])
    flat = re.sub(r"\s+", " ", worksheet)
    # 1. matching: every term (dictionary form) and every gloss, lettered
    for term in ("skyrocket", "gain traction", "crucial"):
        assert term in flat
    for gloss in ("急騰する、急上昇する", "勢いを増す、人気を得る", "極めて重要な"):
        assert gloss in flat
    # 2. cloze: numbered blanks in place of the terms, the rest of the sentence kept
    assert "(1)" in flat and "(2)" in flat and "(3)" in flat
    assert "As the global demand for AI specialists" in flat
    assert "skyrockets" not in flat and "gaining" not in flat
    # 3. gap-fill: first letters and ungapped words, not the answers
    assert "Japan." in flat and "specialists" not in flat.split("(1)")[-1].split("3")[-1]
    # answer key: matching letters, inflected cloze answers with their dictionary forms, full gap-fill text
    assert "skyrockets" in key and "gaining … traction" in key and "← gain traction" in key
    assert "As the global demand for AI specialists skyrockets" in re.sub(r"\s+", " ", key)


def test_matching_is_shuffled_deterministically(tmp_path: Path) -> None:
    lesson = make_lesson()
    one = texts(write(tmp_path, lesson, "a.pdf"))[0]
    two = texts(write(tmp_path, lesson, "b.pdf"))[0]
    assert one == two
    order = [one.index(g) for g in ("急騰する", "勢いを増す", "極めて重要な", "変な")]
    assert order != sorted(order)  # not in lesson order


def test_lesson_text_is_never_markup(tmp_path: Path) -> None:
    flat = re.sub(r"\s+", " ", " ".join(texts(write(tmp_path, reading_page=True))))
    assert NASTY in flat  # the reading page prints the article verbatim
    assert "“Quotes” & <b>markup</b>" in flat
    assert "<i>odd</i> & term" in flat and "変な<b>語</b>" in re.sub(r"\s", "", flat)


def test_malformed_clozes_are_left_out(tmp_path: Path) -> None:
    good = make_lesson().clozes[1]
    bad = (
        Cloze("Out of range.", 0, (TermUse(0, ((5, 99),)),), "a"),
        Cloze("Overlapping spans.", 0, (TermUse(0, ((0, 8),)), TermUse(1, ((4, 10),))), "b"),
        Cloze("No spans.", 0, (TermUse(0, ()),), "c"),
        Cloze("Unknown term.", 0, (TermUse(9, ((0, 7),)),), "d"),
    )
    flat = " ".join(texts(write(tmp_path, make_lesson(clozes=(*bad, good)))))
    assert "It is" in flat and "work." in flat
    for cloze in bad:
        assert cloze.sentence.split()[-1] not in flat


def test_missing_sections_still_make_a_worksheet(tmp_path: Path) -> None:
    lesson = make_lesson(clozes=(), exercise=None, translation=None)
    pages = texts(write(tmp_path, lesson, reading_page=True))
    assert "1 Vocabulary matching" in re.sub(r"\s+", " ", pages[0])
    assert "Sentence cloze" not in " ".join(pages) and pages[-1].lstrip().startswith("Answer Key")
    empty = make_lesson(vocabulary=(), clozes=(), exercise=None, article=(), translation=None)
    assert "no vocabulary" in texts(write(tmp_path, empty, "e.pdf"))[0]


def test_oversized_fields_split_across_pages(tmp_path: Path) -> None:
    lesson = make_lesson()
    essay = "日本語の長い文章が続きます。" * 150  # a gloss taller than a page: its table row must split
    words = "unprecedented words keep going " * 400
    huge = make_lesson(
        vocabulary=(VocabEntry("x", essay, "", 3), VocabEntry("y" * 3000, "短い", "", 4), *lesson.vocabulary[2:]),
        clozes=(Cloze(words, 0, (TermUse(0, ((0, 13),)),), "k"),),
        title=words[:3000],
    )
    pages = texts(write(tmp_path, huge, reading_page=True))
    assert len(pages) > 4
    assert "".join(pages).count("続") == 150  # no line lost where the row splits (footers cut sentences)


# ---------------------------------------------------------------------------------- pdf-level properties


def test_outline_and_metadata(tmp_path: Path) -> None:
    reader = PdfReader(write(tmp_path, author="Sakura School", reading_page=True))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Answer Key 解答" in titles and "1. Vocabulary matching" in titles and "Reading" in titles
    assert "3. Complete the article" in titles
    nested = next(item for item in reader.outline if isinstance(item, list))
    assert nested[0].title == "1. Vocabulary matching"  # the key's sections sit under "Answer Key"
    info = reader.metadata
    assert info is not None
    assert info.title == make_lesson().title and info.author == "Sakura School"
    assert "English News Reading" in (info.subject or "")
    assert str(reader.trailer["/Root"]["/Lang"]) == "ja"
    assert str(info["/CreationDate"]).startswith("D:20251128")  # from lesson.revised, not the clock


def test_page_numbers(tmp_path: Path) -> None:
    pages = texts(write(tmp_path, reading_page=True))
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"{number}/{total}" in text.replace(" ", "") or f"{number}\n/" in text


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = write(tmp_path, name="one.pdf", reading_page=True).read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    second = write(tmp_path, name="two.pdf", reading_page=True).read_bytes()
    assert first == second
    assert b"/ID" in first


def test_identical_across_processes(tmp_path: Path, sample_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from ankiexport.config import Settings;"
        "from ankiexport.readers import load_lesson; from ankiexport.writers.pdf import write_pdf;"
        "write_pdf(load_lesson(Path(sys.argv[1]), Settings()), Path(sys.argv[2]), Settings(reading_page=True))"
    )
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"{seed}.pdf"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(sample_path), str(out)], check=True, env=env)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_sample_lesson_on_every_page_size(tmp_path: Path, sample_path: Path) -> None:
    lesson = load_lesson(sample_path, Settings())
    for size in ("a4", "b5", "letter"):
        path = write(tmp_path, lesson, f"{size}.pdf", page_size=size, reading_page=True)
        assert path.stat().st_size <= 300 * 1024, f"{size}: {path.stat().st_size} bytes"
        text = "".join(texts(path))
        assert "Answer Key" in text and "急騰する" in text
        if lesson.clozes:
            assert "Sentence cloze" in text


FIXTURES = sorted((Path(__file__).parent / "lessons").glob("*.*"))


@pytest.mark.parametrize("path", [p for p in FIXTURES if not p.name.startswith("bad_")], ids=lambda p: p.name)
def test_fixture_lessons_render(tmp_path: Path, path: Path) -> None:
    try:
        lesson = load_lesson(path, Settings())
    except AnkiexportError:
        pytest.skip("not a buildable lesson")
    pdf = write(tmp_path, lesson, reading_page=True)
    pages = texts(pdf)
    assert pdf.stat().st_size <= 300 * 1024
    if lesson.vocabulary or lesson.clozes or lesson.exercise:
        assert pages[-1].lstrip().startswith("Answer Key")
    for entry in lesson.vocabulary:
        assert re.sub(r"\s", "", entry.gloss)[:6] in re.sub(r"\s", "", pages[0] + (pages[1] if len(pages) > 1 else ""))


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
