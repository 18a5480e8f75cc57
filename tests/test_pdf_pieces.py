"""The worksheet text's bigger pieces (Latin words, a gap-fill word's letter slots) break and draw exactly as pieces
of one character (one slot) each would: the same lines, widths to the last bit, and the same PDF operators."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ankiexport.model import GapToken
from ankiexport.writers import pdf_text
from ankiexport.writers.pdf import prepare
from ankiexport.writers.pdf_edition import EditionCanvas
from ankiexport.writers.pdf_sheets import ANSWER_LETTER, BODY, LETTER_GAP, LETTER_PITCH, SMALL, _gap_inlines
from ankiexport.writers.pdf_text import (
    LABEL_ROOM,
    NO_LINE_END,
    NO_LINE_START,
    Inline,
    Line,
    Piece,
    RichText,
    Slot,
    Slots,
    Span,
    Style,
    _can_break,
    break_lines,
    label_line,
    shape,
)
from line_breaker_reference import break_lines as reference_break_lines

MIXED = (
    "Capitalizeは「資本化する」という意味ですが、capitalize on ~の形で「~を最大限に利用して利益を得る」"
    "ニュアンス。AI Trainers earn US$30+ an hour (dollar-denominated, naïve café résumé) “quoted” it’s 2026年!"
)
ENGLISH = (
    "The rise of the AI Trainer: Japanese remote workers tap into global demand, earning dollar-denominated "
    "salaries of 4,500 yen (about US$30) an hour; self-employed “co-workers” say it’s well-paid. Pneumonoultra"
    "microscopicsilicovolcanoconiosis\u00a0and\u200bzero-width characters, tabs\tand\r\nbreaks."
)
WIDTHS = [23.5, 40, 61, 83, 110, 137.25, 160, 199, 240, 301, 390, 480]
# At the sheets' sizes (multiples of half a point) glyph widths are short binary fractions, and any order of adding
# them gives the same sum; at a size like this one it does not, so only the glyph-by-glyph order keeps the bits.
ODD = Style(BODY.latin, BODY.japanese, 10.3)


def _lines(pieces: list[Piece], width: float) -> list[tuple[str, float, str]]:
    return [(line.text, line.width, "".join(p.text for p in line.after)) for line in break_lines(pieces, width)]


@pytest.fixture(autouse=True, scope="module")
def _fonts() -> None:
    prepare()


def test_word_pieces_are_latin_letters_only_and_never_hold_a_break() -> None:
    pieces = shape([Span(MIXED + ENGLISH, BODY)])
    words = [piece for piece in pieces if len(piece.glyphs) > 1]
    assert {
        "Capitalize",
        "dollar",
        "denominated",
        "naïve",
        "café",
        "résumé",
        "it",
        "Pneumonoultramicroscopicsilicovolcanoconiosis",
    } <= {piece.text for piece in words}
    assert len(pieces) < len(shape([Span(MIXED + ENGLISH, BODY)], words=False)) * 0.6
    for word in words:
        assert re.fullmatch(r"[^\W\d_]{2,}", word.text), word.text
        assert word.kind == "latin" and word.font == BODY.latin
        assert "".join(glyph.text for glyph in word.glyphs) == word.text
        for before, after in zip(word.glyphs, word.glyphs[1:], strict=False):
            assert not _can_break(before, after)
            assert before.text not in NO_LINE_END and after.text not in NO_LINE_START
    # What the breaking rules look at one by one stays a piece of its own.
    singles = {piece.text for piece in pieces if len(piece.glyphs) == 1}
    assert {"-", " ", "「", "」", "(", ")", "“", "”", "’", "、", "。", "2", "0", "\u00a0"} <= singles


@pytest.mark.parametrize("width", WIDTHS)
def test_lines_are_the_same_as_with_a_piece_per_character(width: float) -> None:
    for text in (MIXED, ENGLISH, MIXED + " " + ENGLISH):
        spans: list[Inline] = [Span(text, BODY), Span(" (label) ", SMALL), Span(text[::-1], ODD)]
        # Widths equal to the last bit: the same float additions, so the same breaks and the same positions.
        assert _lines(shape(spans), width) == _lines(shape(spans, words=False), width)


_WORDISH = st.text(alphabet="abcdeXYZéï'’-.,()「」、。日本 \u00a0\u200b0123", min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(_WORDISH, min_size=1, max_size=8), width=st.floats(min_value=8, max_value=300))
def test_any_text_breaks_the_same_as_with_a_piece_per_character(texts: list[str], width: float) -> None:
    styles = (BODY, ODD, SMALL)
    spans: list[Inline] = [Span(text, styles[number % 3]) for number, text in enumerate(texts)]
    assert _lines(shape(spans), width) == _lines(shape(spans, words=False), width)


def _line(line: Line) -> tuple[list[int], float, list[int]]:
    return [id(piece) for piece in line.pieces], line.width, [id(piece) for piece in line.after]


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(_WORDISH | st.from_regex(r"¶?[0-9]{1,6}|\([a-z]\)\u00a0", fullmatch=True), min_size=1, max_size=3)
)
def test_a_label_is_the_first_line_break_lines_gives(texts: list[str]) -> None:
    spans: list[Inline] = [Span(text, (SMALL, BODY)[number % 2]) for number, text in enumerate(texts)]
    assert _line(label_line(spans)) == _line(break_lines(shape(spans), LABEL_ROOM)[0])


@pytest.mark.parametrize("label", ["7", "¶43113", "(b)\u00a0", "12-3", "a b", "", "「1」", "x\n2", "x" * 3000])
def test_labels_the_sheets_print_are_their_first_line(label: str) -> None:
    spans: list[Inline] = [Span(label, SMALL)]
    assert _line(label_line(spans)) == _line(break_lines(shape(spans), LABEL_ROOM)[0])


_ANY_TEXT = st.text(alphabet="abcXYZé'’-.,:()「」、。ー日本 \n\t\u00a0\u200b0123?!%", max_size=30)
_INLINES = st.lists(
    st.one_of(
        st.builds(Span, _ANY_TEXT, st.sampled_from([BODY, ODD, SMALL])),
        st.builds(lambda count: Slots(tuple(_letters("abcde"[:count]))), st.integers(1, 5)),
        st.builds(lambda width: Slot(width, ODD), st.floats(3, 90)),
    ),
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(inlines=_INLINES, width=st.floats(5, 300), first=st.none() | st.floats(5, 300))
def test_lines_are_the_reference_breakers_to_the_bit(inlines: list[Inline], width: float, first: float | None) -> None:
    """The line breaker, whose units carry their widths, against the one that added them up from the glyphs."""
    pieces = shape(inlines)
    ours = [_line(line) for line in break_lines(pieces, width, first)]
    assert ours == [_line(line) for line in reference_break_lines(pieces, width, first)]


_KINSOKU_TEXT = st.lists(st.builds(Span, st.text(alphabet="ab 」、。「日", max_size=20), st.just(BODY)), max_size=8)


@settings(max_examples=200, deadline=None)
@given(inlines=_INLINES | _KINSOKU_TEXT, held=st.integers(1, 5), width=st.floats(5, 300))
@example(inlines=[Span("ab 」cd 、ef 」gh 。ij 」", BODY)], held=1, width=300.0)
def test_units_handed_on_as_made_break_as_the_reference(inlines: list[Inline], held: int, width: float) -> None:
    """Units go to the breaker as they are made, all but the last (kinsoku may join the next piece to it): with a
    few held at a time, every paragraph is cut into many handings, against the reference."""
    from ankiexport.writers import pdf_text

    pieces = shape(inlines)
    reference = [_line(line) for line in reference_break_lines(pieces, width)]
    kept = pdf_text.UNITS_HELD
    pdf_text.UNITS_HELD = held
    try:
        assert [_line(line) for line in break_lines(pieces, width)] == reference
    finally:
        pdf_text.UNITS_HELD = kept


def test_a_word_wider_than_the_line_is_cut_by_characters() -> None:
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    pieces = shape([Span(f"a {word} b", BODY)])
    assert any(piece.text == word for piece in pieces)
    lines = break_lines(pieces, 60)
    assert [line.text for line in lines] == [
        line.text for line in break_lines(shape([Span(f"a {word} b", BODY)], words=False), 60)
    ]
    assert len(lines) > 3 and "".join(line.text for line in lines).replace(" ", "") == f"a{word}b"
    assert all(line.width <= 60 for line in lines)
    glyphs = [glyph for line in lines[1:] for glyph in line.pieces[0].glyphs[:1]]
    for line, following in zip(lines[1:-1], glyphs[1:], strict=True):  # cut where the next letter would not fit
        assert len(line.pieces) > 1 and line.width + following.width > 60


def _canvas(teacher: bool) -> EditionCanvas:
    canvas = EditionCanvas(io.BytesIO())
    canvas.with_answers = teacher
    return canvas


def _drawn(inlines: list[Inline], width: float, *, words: bool, align: str = "left", teacher: bool = True) -> list[str]:
    """The operators a paragraph draws, laid out from word pieces or from a piece per character and slot."""
    canvas = _canvas(teacher)
    text = RichText(inlines, 14.0, align=align, indent=3.0)
    if not words:
        text._pieces = [glyph for piece in shape(inlines) for glyph in piece.glyphs]
        assert all(len(piece.glyphs) == 1 for piece in text._pieces)
    text.wrap(width, 1000)
    text.drawOn(canvas, 20, 30)
    return list(canvas._code)


@pytest.fixture
def exact_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Positions written with every bit (reportlab rounds them to six digits, which would hide a changed sum)."""
    monkeypatch.setattr(pdf_text, "fp_str", lambda *numbers: " ".join(repr(float(n)) for n in numbers))


@pytest.mark.parametrize("width", [97.0, 151.5, 233.0])
@pytest.mark.usefixtures("exact_numbers")
def test_justified_lines_spread_their_slack_per_glyph(width: float) -> None:
    inlines: list[Inline] = [Span(MIXED, BODY), Span(ENGLISH, BODY), Span(ENGLISH.upper() + MIXED, ODD)]
    ours = _drawn(inlines, width, words=True, align="justify")
    assert ours == _drawn(inlines, width, words=False, align="justify")
    spaced = [float(value) for op in ours for value in re.findall(r" (-?[\d.]+) Tc ", op)]
    assert len([value for value in spaced if value]) > 3  # justified lines were drawn, with character spacing
    for align in ("left", "center", "right"):
        assert _drawn(inlines, width, words=True, align=align) == _drawn(inlines, width, words=False, align=align)


def _letters(answer: str) -> list[Slot]:
    return [Slot(LETTER_PITCH, BODY, gap=LETTER_GAP, answer=letter, answer_style=ANSWER_LETTER) for letter in answer]


def _runs_and_singles() -> tuple[list[Inline], list[Inline]]:
    """ "P_____  r___" with each word's missing letters as one run of slots, and as slots one by one."""
    runs: list[Inline] = [Span("P", BODY), Slots(tuple(_letters("rices"))), Span("  r", BODY)]
    singles: list[Inline] = [Span("P", BODY), *_letters("rices"), Span("  r", BODY), *_letters("ose")]
    return [*runs, Slots(tuple(_letters("ose")))], singles


@pytest.mark.usefixtures("exact_numbers")
def test_a_slot_run_draws_as_its_slots_one_by_one() -> None:
    runs, singles = _runs_and_singles()
    assert len(shape(runs)) == 6 and len(shape(singles)) == 12
    for teacher in (True, False):
        for align in ("left", "justify"):
            assert _drawn(runs * 6, 200, words=True, align=align, teacher=teacher) == _drawn(
                singles * 6, 200, words=False, align=align, teacher=teacher
            )


def test_a_slot_run_draws_one_line_and_one_answer_per_letter() -> None:
    runs, _ = _runs_and_singles()
    teacher, student = _drawn(runs, 300, words=True), _drawn(runs, 300, words=True, teacher=False)
    rules = next(op for op in teacher if op.startswith("n "))
    assert rules.count(" m ") == 8 and rules.count(" l") == 8  # a writing line per missing letter
    answers = [op for op in teacher if op.startswith("BT 1 0 0 1 0 ")]  # the teacher-only answers' text object
    assert len(answers) == 1 and "".join(re.findall(r"\((.)\) Tj", answers[0])) == "ricesose"  # one per slot
    assert answers[0].count(" Tm ") == 9  # the object's start, then each letter centred on its own slot
    assert [op for op in student if op.startswith("n ")] == [rules]  # students get the lines, and no letter
    assert not [op for op in student if op.startswith("BT 1 0 0 1 0 ")]


def test_writing_lines_of_two_greys_are_two_paths_each_with_all_its_lines() -> None:
    grey = Style(BODY.latin, BODY.japanese, BODY.size, grey=0.5)
    inlines: list[Inline] = [Slots(tuple(_letters("abc"))), Span(" x ", BODY), Slot(30, grey), Slot(20, BODY)]
    code = _drawn(inlines, 300, words=True, teacher=False)
    paths = [op for op in code if op.startswith("n ")]
    assert [path.count(" m ") for path in paths] == [4, 1]
    assert code[code.index(paths[1]) - 3 : code.index(paths[1])] == ["S", ".5 g", ".5 G"]  # the second in its grey


def test_the_gap_fill_gives_a_word_its_letter_slots_as_one_run() -> None:
    tokens = [
        GapToken("P_____", "Prices"),
        GapToken("r___", "rose"),
        GapToken("d_____-___________,", "dollar-denominated,"),
    ]
    inlines = _gap_inlines(tokens)
    runs = [item for item in inlines if isinstance(item, Slots)]
    assert [len(run.slots) for run in runs] == [5, 3, 5, 11]
    assert "".join(slot.answer for run in runs for slot in run.slots) == "ricesoseollardenominated"
    assert all(slot.width == LETTER_PITCH for run in runs for slot in run.slots)
    line: Line = break_lines(shape(inlines), 1000)[0]
    assert line.text == "P_____  r___  d_____-___________,"


def test_a_line_of_writing_lines_and_its_answers_are_each_formatted_in_one_call() -> None:
    """The forms a line's one-style path and its answers' text object are written in: reportlab's operators for
    each line and each answer, in order (the numbers and show operators are given already formatted)."""
    assert pdf_text._path("y", ["a", "b"]) == "n a y m b y l"
    assert pdf_text._path("y", list("abcdef")) == "n a y m b y l c y m d y l e y m f y l"
    answers = pdf_text._text_object("0", "y", ["x1", "x2"], ["/F1 9 Tf (a) Tj", "/F1 9 Tf ({) Tj"])
    assert answers == "BT 1 0 0 1 0 y Tm 1 0 0 1 x1 y Tm /F1 9 Tf (a) Tj 1 0 0 1 x2 y Tm /F1 9 Tf ({) Tj ET"
    assert pdf_text._text_object("0", "y", ["x1"], ["(b) Tj"]) == "BT 1 0 0 1 0 y Tm 1 0 0 1 x1 y Tm (b) Tj ET"


def _drawn_on(draw_on: Any, align: str, room: float, boundary: bool) -> tuple[list[str], object, int, list[object]]:
    canvas = _canvas(True)
    canvas.translate(3.5, 2.25)
    canvas.scale(1.1, 0.9)  # a matrix that is not the identity, so its arithmetic shows
    canvas.rotate(10)
    canvas.setFillColorRGB(0.2, 0.4, 0.6)  # and colours and a line width a paragraph's drawing does not leave
    canvas.setStrokeGray(0.7)
    canvas.setLineWidth(2)
    grey = Style(BODY.latin, BODY.japanese, 9.0, underline=True, grey=0.3)
    inlines: list[Inline] = [Span(ENGLISH, BODY), Span(" a note ", grey), Slots(tuple(_letters("rices")))]
    inlines += [Span("x", BODY), Slot(30, grey, answer="long answer", answer_style=ANSWER_LETTER), Span(MIXED, BODY)]
    text = RichText(inlines, 14.0, align=align, indent=2.0, label=[Span("12", SMALL)])
    text.hAlign = "CENTER" if room else "LEFT"
    text._showBoundary = boundary
    text.wrap(200, 1000)
    inside: list[object] = []  # the matrix while the paragraph draws (the state is restored after it)

    def draw() -> None:
        inside.append(text.canv._currentMatrix)
        RichText.draw(text)

    text.draw = draw  # type: ignore[method-assign]
    for x, y in ((20.125, 30.7), (1 / 3, 2 / 3)):
        draw_on(text, canvas, x, y, room)
    assert not hasattr(text, "canv") and len(inside) == 2
    state = {name: canvas.__dict__[name] for name in canvas.STATE_ATTRIBUTES if name != "_extgstate"}
    state["_extgstate"] = vars(canvas._extgstate)  # (an object without equality of its own)
    return list(canvas._code), state, len(canvas.state_stack), inside


@pytest.mark.parametrize("align", ["left", "justify", "center"])
def test_a_paragraph_is_drawn_on_the_canvas_as_reportlab_draws_a_flowable_on(align: str) -> None:
    """RichText.drawOn writes what Flowable.drawOn writes and leaves the canvas in the same state, its matrix
    included, with room to align it in or none, and with its boundary shown (then reportlab draws it)."""
    from reportlab.platypus import Flowable

    for room in (0, 12.5):
        for boundary in (False, True):
            ours = _drawn_on(RichText.drawOn, align, room, boundary)
            assert ours == _drawn_on(Flowable.drawOn, align, room, boundary)
            assert any(op.endswith(" cm") for op in ours[0])
            assert {".3 g", ".75 .05 .05 rg", ".6 w", ".5 w", "q"} <= set(ours[0])  # colours, lines, answers


def _answered(canvas: EditionCanvas) -> tuple[list[str], object, list[tuple[int, int]]]:
    canvas.setFillColorRGB(0.2, 0.4, 0.6)  # colours the answers' red must not outlive
    canvas.setStrokeGray(0.7)
    line = break_lines(shape([Span("P", SMALL), Slots(tuple(_letters("rices"))), Span(" r", SMALL)]), 300)[0]
    pdf_text._draw_line(canvas, line, 20.0, 30.0)
    state = {name: canvas.__dict__[name] for name in canvas.STATE_ATTRIBUTES if name != "_extgstate"}
    return list(canvas._code), state, list(canvas._spans)


def test_answers_are_teacher_only_keeping_just_the_colours_they_change(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line's answers, in a teacher-only block that keeps and puts back only the colours: the same operators,
    teacher-only spans and state as in a block that saves the whole state."""
    ours = _answered(_canvas(True))
    monkeypatch.setattr(pdf_text, "_COLOURS", ())
    assert ours == _answered(_canvas(True))
    assert ".75 .05 .05 rg" in ours[0] and len(ours[2]) == 1
