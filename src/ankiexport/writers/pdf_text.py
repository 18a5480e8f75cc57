"""Mixed English/Japanese text for the worksheet: per-script font runs, line breaking with kinsoku, and drawing."""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from itertools import chain, groupby
from typing import Any

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.rl_accel import fp_str as _reportlab_fp_str  # (what reportlab's own colour setters format with)
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as _reportlab_canvas
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

# JIS X 4051 line-start prohibited characters (行頭禁則), with the ASCII closers English text brings along.
NO_LINE_START = frozenset(
    "。、，．・：；？！ー）」』】〕〉》〗〙〟｝］’”ゝゞ々〻‐゠–〜～"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    ")]},.:;!?%"
)
# Line-end prohibited characters (行末禁則).
NO_LINE_END = frozenset("（「『【〔〈《〖〘〝｛［‘“([{")
# Missing in both fonts: print the conventional geta mark rather than an invisible box.
MISSING = "〓"
NBSP = "\xa0"


@dataclass(frozen=True)
class Style:
    """How a run of text looks: a Latin and a Japanese face at one size, optionally underlined or grey."""

    latin: str
    japanese: str
    size: float
    underline: bool = False
    grey: float = 0.0  # 0 is black; worksheets are printed in black and white, so only greys
    rgb: tuple[float, float, float] | None = None  # a colour instead of the grey (the teacher's answers only)

    @cached_property
    def words(self) -> _Words:
        """The style's pieces by run of text, shared by equal styles; kept on the style, because hashing a style for
        each span of a paragraph costs more than finding its pieces."""
        return _word_pieces(self)

    @cached_property
    def paint(self) -> tuple[tuple[float, float, float], tuple[str, str]]:
        """(the colour, its fill and stroke operators) as reportlab's setFillGray and setStrokeGray (or
        setFillColorRGB and setStrokeColorRGB) keep and write them: made once, where each call formatted them anew."""
        if self.rgb is not None:
            numbers = _reportlab_fp_str(self.rgb)
            return self.rgb, (f"{numbers} rg", f"{numbers} RG")
        grey = _reportlab_fp_str(self.grey)
        return (self.grey, self.grey, self.grey), (f"{grey} g", f"{grey} G")


@dataclass(frozen=True)
class Span:
    """A run of text in one style; ``\\n`` inside it is a hard line break."""

    text: str
    style: Style


@dataclass(frozen=True)
class Slot:
    """A drawn blank: one letter slot of a gap-fill word, or a longer answer line; never broken inside a word."""

    width: float
    style: Style
    gap: float = 0.0  # white space kept at the slot's right end, so adjacent slots show as separate letters
    extract: str = "_"  # what a text extractor finds there
    answer: str = ""  # what the teacher edition prints on it (never drawn on a canvas without teacher_only)
    answer_style: Style | None = None
    rule: bool = True  # draw the writing line (False: an answer place inside printed brackets)

    @cached_property
    def piece(self) -> Piece:
        """The slot as the line breaker's unit (made once: a gap-fill repeats its letter slots thousands of times)."""
        return Piece("", self.style.latin, self.width, self.style, slot=self, kind="slot")

    @cached_property
    def answer_place(self) -> tuple[float, tuple[tuple[tuple[str, float, str], float], ...]]:
        """(where the answer starts, from the slot's start; its runs of one face, each as ((face, size, text), width)):
        a letter centred on its slot, a longer answer just inside its line. Made once: a gap-fill draws its few dozen
        letter slots a million times."""
        style = self.answer_style
        assert style is not None
        runs, width = _answer_runs(self.answer, style)
        room = self.width - self.gap
        start = (room - width) / 2 if len(self.answer) == 1 or width >= room else 3
        return start, tuple(((font, style.size, text), advance) for font, text, advance in runs)


@dataclass(frozen=True)
class Slots:
    """A gap-fill word's consecutive letter slots: one piece for the line breaker, one writing line per letter."""

    slots: tuple[Slot, ...]

    @cached_property
    def piece(self) -> Piece:
        """The run as one unbreakable piece (made once per run of letters: a long article repeats its words)."""
        glyphs = tuple(slot.piece for slot in self.slots)
        first = glyphs[0]
        return Piece("", first.font, sum(map(_WIDTH, glyphs)), first.style, first.slot, "slot", glyphs)


Inline = Span | Slot | Slots


@dataclass(eq=False, slots=True)
class Piece:
    """A character, an English word, a slot or a run of letter slots, placed with its font and width; the unit the
    line breaker works on. A word or a slot run stands for its ``glyphs``, the one-character (one-slot) pieces a line
    is measured, cut and justified by; a single piece is its own only glyph."""

    text: str  # the characters ("" for a slot or slot run, "\n" for a hard break)
    font: str
    width: float  # the glyphs' widths added left to right, as the line breaker has always added them
    style: Style
    slot: Slot | None = None  # the (first) slot of a slot or slot run
    kind: str = "latin"  # latin, cjk, space, slot, newline
    glyphs: tuple[Piece, ...] = ()

    def __post_init__(self) -> None:
        if not self.glyphs:
            self.glyphs = (self,)


@dataclass
class Line:
    """A finished line: its pieces (inner spaces kept, edge spaces dropped) and its width."""

    pieces: list[Piece] = field(default_factory=list)
    width: float = 0.0
    after: list[Piece] = field(default_factory=list)  # what ended it: the dropped spaces, or a hard break

    @property
    def text(self) -> str:
        return "".join(p.slot.extract if p.slot else p.text for p in _glyphs(self.pieces))


_WIDTH = operator.attrgetter("width")
_GLYPHS = operator.attrgetter("glyphs")
_flat = chain.from_iterable
_KIND = operator.attrgetter("kind")
# Widths of several pieces are added glyph by glyph, left to right (sum(map(_WIDTH, _flat(map(_GLYPHS, pieces))))):
# the same float additions, so the same last bits, breaks and positions, as when every character was a piece of its
# own; one piece's own width was added glyph by glyph from zero too, so it is taken as it is.


def _glyphs(pieces: Iterable[Piece]) -> Iterable[Piece]:
    """The one-character (one-slot) pieces of ``pieces``, in order."""
    return chain.from_iterable(map(_GLYPHS, pieces))


@cache
def _cmap(font: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(font).face.charToGlyph)


@cache
def _width(char: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(char, font, size))


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK punctuation, kana, ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x2FFFF
    )


def font_for(char: str, style: Style) -> str:
    """The face that draws ``char``: Latin whenever it has the glyph (IPAex quotes are one em wide), else Japanese."""
    if not _is_cjk(char) and ord(char) in _cmap(style.latin):
        return style.latin
    return style.japanese


def _clean(char: str) -> str:
    if char == "\t":
        return " "
    if char in "\r\v\f\u2028\u2029":
        return "\n"
    if unicodedata.category(char) in ("Cc", "Cf") and char != "\n":
        return ""  # zero-width and control characters carry no ink and would print as boxes
    return char


def _piece(raw: str, style: Style) -> Piece | None:
    """The piece one input character makes in ``style``; None for what draws nothing."""
    char = _clean(raw)
    if not char:
        return None
    if char == "\n":
        return Piece("\n", style.latin, 0.0, style, kind="newline")
    font = font_for(char, style)
    if font == style.japanese and ord(char) not in _cmap(style.japanese):
        char = MISSING
    kind = "space" if char == " " else "cjk" if font == style.japanese or _is_cjk(char) else "latin"
    return Piece(char, font, _width(char, font, style.size), style, kind=kind)


class _Pieces(dict[str, "Piece | None"]):
    """One style's pieces by input character, made on first use: worksheets repeat a few hundred distinct
    characters thousands of times, so each is shaped once per style and its piece shared (pieces are never changed)."""

    def __init__(self, style: Style) -> None:
        super().__init__()
        self.style = style

    def __missing__(self, raw: str) -> Piece | None:
        made = self[raw] = _piece(raw, self.style)
        return made


# What may be one word piece: Latin letters, between which no line may ever break and which no breaking rule looks
# at one by one (no letter is a kinsoku character or the hyphen; spaces, digits, punctuation and Japanese stay pieces
# of their own). Splitting on it (a group) gives the text's other runs and its words, alternately.
_WORD = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]{2,}")  # (not × or ÷)
_WORDS = re.compile(f"({_WORD.pattern})").split
_WORDS_KEPT = 1024  # words kept per style: a long lesson has many distinct words, each a few hundred bytes
# Other runs are kept only when they recur (a space, a letter, ", "): longer ones (numbers, Japanese) rarely do, and
# keeping each would cost more allocations than it saves.
_KEPT_RUN = 2


class _Words(dict[str, tuple[Piece, ...]]):
    """One style's pieces by run of text (a word, or the characters between words), made on first use and shared;
    bounded, because a long lesson has many distinct words."""

    def __init__(self, style: Style) -> None:
        super().__init__()
        self.chars = _pieces(style)

    def __missing__(self, run: str) -> tuple[Piece, ...]:
        parts = _WORDS(run)
        if len(parts) == 3 and not parts[0] and not parts[2]:  # the run is one word
            made = self._word(run)
        else:
            if len(parts) == 1:  # no word inside: a piece per character (None: what draws nothing)
                made = tuple(filter(None, map(self.chars.__getitem__, run)))
            else:
                made = tuple(chain.from_iterable(map(self.__getitem__, parts)))
            if len(run) > _KEPT_RUN:
                return made
        if len(self) >= _WORDS_KEPT:
            self.clear()
        self[run] = made
        return made

    def _word(self, word: str) -> tuple[Piece, ...]:
        """One piece where every character is drawn as itself in the Latin face, else a piece per character."""
        glyphs = tuple(filter(None, map(self.chars.__getitem__, word)))
        if len(glyphs) == len(word) and set(map(_KIND, glyphs)) == {"latin"}:
            first = glyphs[0]
            return (Piece(word, first.font, sum(map(_WIDTH, glyphs)), first.style, glyphs=glyphs),)
        return glyphs


_PIECES: dict[Style, _Pieces] = {}
_WORD_PIECES: dict[Style, _Words] = {}


def _pieces(style: Style) -> _Pieces:
    table = _PIECES.get(style)
    if table is None:
        table = _PIECES[style] = _Pieces(style)
    return table


def shape(inlines: Iterable[Inline], words: bool = True) -> list[Piece]:
    """Pieces for a sequence of spans and slots, each character in the face of its script, measured; runs of Latin
    letters as word pieces unless ``words`` is false (then one piece per character)."""
    pieces: list[Piece] = []
    for item in inlines:
        if not isinstance(item, Span):
            pieces.append(item.piece)
            continue
        text = item.text if "\r" not in item.text else item.text.replace("\r\n", "\n")
        if not words:
            pieces += filter(None, map(_pieces(item.style).__getitem__, text))
            continue
        table = item.style.words
        found = table.get(text)  # a kept run (a word, a space, a gap-fill's given letter), whole
        if found is not None:
            pieces += found
        elif len(text) <= _KEPT_RUN:
            pieces += table[text]  # (made, and kept)
        else:  # word by word; a text without a word (a number) is a piece per character, as its table would make it
            parts = _WORDS(text)
            pieces += (
                _flat(map(table.__getitem__, parts))
                if len(parts) > 1
                else filter(None, map(table.chars.__getitem__, text))
            )
    return pieces


def _word_pieces(style: Style) -> _Words:
    table = _WORD_PIECES.get(style)
    if table is None:
        table = _WORD_PIECES[style] = _Words(style)
    return table


def _can_break(before: Piece, after: Piece) -> bool:
    """May a line end between two adjacent non-space pieces?"""
    if after.text in NO_LINE_START or before.text in NO_LINE_END:
        return False
    if before.kind == "cjk" or after.kind == "cjk":
        return True  # Japanese breaks between any two characters, and where it meets English
    # English breaks only at spaces, and after a hyphen inside a compound ("dollar-|denominated"); a word piece
    # after the hyphen is asked about its first letter.
    return before.text == "-" and after.kind == "latin" and after.text[:1].isalpha()


Unit = tuple[list[Piece], float, list[Piece], float, "Piece | None"]
# (spaces before, their width, unbreakable pieces, their width, hard break after or None): each width added glyph by
# glyph from zero, left to right, as the pieces arrive (a unit's width is needed once, and adding it up again from its
# pieces' glyphs cost more than the rest of placing it).


def _holds_across(units: list[Unit], spaces: list[Piece], piece: Piece) -> bool:
    """Kinsoku holds across a space too ("word 」"): the space joins the unit before it instead of breaking it."""
    if not spaces or not units or units[-1][4] is not None or not units[-1][2]:
        return False
    return piece.text in NO_LINE_START or units[-1][2][-1].text in NO_LINE_END


UNITS_HELD = 64  # units made and not yet handed to the line breaker, at most


def _clusters(pieces: Sequence[Piece]) -> Iterator[Unit]:
    """The line breaker's units, in order, handed on as they are made: a paragraph of 21,000 sentences made 300,000
    of them, 50 MB held at once while it was broken into lines."""
    units: list[Unit] = []
    spaces: list[Piece] = []
    current: list[Piece] = []
    gap = used = 0.0  # (0.0 + x is x: the same sums as from the integer zero)
    for piece in pieces:
        if len(units) > UNITS_HELD:  # all but the last: kinsoku may yet join the next piece to it
            yield from units[:-1]
            del units[:-1]
        kind = piece.kind
        if kind == "newline":
            units.append((spaces, gap, current, used, piece))
            spaces, gap, current, used = [], 0.0, [], 0.0
        elif kind == "space":
            if current:
                units.append((spaces, gap, current, used, None))
                spaces, gap, current, used = [], 0.0, [], 0.0
            spaces.append(piece)
            gap += piece.width  # (a space is one glyph)
        elif current and (
            # the common case, which _can_break always refuses, tested inline: no Japanese, and no hyphen before
            ((last := current[-1]).kind != "cjk" and kind != "cjk" and last.text != "-") or not _can_break(last, piece)
        ):
            current.append(piece)
            used = used + piece.width if piece.glyphs[0] is piece else sum(map(_WIDTH, piece.glyphs), used)
        elif not current and _holds_across(units, spaces, piece):
            before, before_gap, held, used, _ = units.pop()
            used = sum(map(_WIDTH, _glyphs([*spaces, piece])), used)
            current = [*held, *spaces, piece]
            spaces, gap = before, before_gap
        else:
            if current:
                units.append((spaces, gap, current, used, None))
                spaces, gap = [], 0.0
            current, used = [piece], piece.width  # (a piece's own width is its glyphs' sum from zero)
    if current or not units:
        units.append((spaces, gap, current, used, None))
    yield from units


def _split_long(pieces: list[Piece], width: float) -> list[list[Piece]]:
    """Cut a unit wider than the line by characters: better a broken word than text outside the margin."""
    chunks: list[list[Piece]] = [[]]
    used = 0.0
    for piece in _glyphs(pieces):
        if chunks[-1] and used + piece.width > width:
            chunks.append([])
            used = 0.0
        chunks[-1].append(piece)
        used += piece.width
    return chunks


def break_lines(pieces: Sequence[Piece], width: float, first_width: float | None = None) -> list[Line]:
    """Greedy line breaking: English words kept whole, Japanese kinsoku respected, spaces at line edges dropped."""
    line = Line()
    lines = [line]
    room = width if first_width is None else first_width  # the line being filled: the first has its own
    for spaces, space, unit, unit_width, hard in _clusters(pieces):
        if unit:
            if line.pieces and line.width + space + unit_width > room + 1e-6:
                line = Line()
                lines.append(line)
                room = width
            if not line.pieces:
                if spaces and len(lines) > 1:
                    lines[-2].after = spaces
                spaces, space = [], 0  # spaces at a line start are dropped
            if unit_width > room + 1e-6:
                line = _place_long(lines, spaces, unit, room)
                room = width if len(lines) > 1 else room
            else:  # (adding no space adds nothing: x + 0 is x)
                if spaces:
                    line.pieces += spaces
                    line.width += space
                line.pieces += unit
                line.width += unit_width
        if hard is not None:
            line.after = [hard]
            line = Line()
            lines.append(line)
            room = width
    return lines


def _place_long(lines: list[Line], spaces: list[Piece], unit: list[Piece], room: float) -> Line:
    """Put a unit wider than the line, cut by characters, on the last line and new ones after it; the last line."""
    line = lines[-1]
    for number, chunk in enumerate(_split_long(unit, room)):
        if number:
            line = Line()
            lines.append(line)
        line.pieces += spaces
        line.width += sum(map(_WIDTH, spaces)) if spaces else 0
        spaces = []
        line.pieces += chunk
        line.width += sum(map(_WIDTH, chunk))
    return line


def label_line(inlines: Iterable[Inline]) -> Line:
    """A paragraph label's one line, ``break_lines(shape(inlines), LABEL_ROOM)[0]``. A label of Latin pieces without a
    space, a hyphen or a hard break ("12", "¶431") is one unbreakable unit that ``break_lines`` would put on the line
    whole, so it is put there at once (a long lesson has tens of thousands of labels)."""
    pieces = shape(inlines)
    if pieces and all(piece.kind == "latin" and piece.text != "-" for piece in pieces):
        width = sum(map(_WIDTH, _glyphs(pieces)))
        if width <= LABEL_ROOM:
            return Line(pieces, width)
    return break_lines(pieces, LABEL_ROOM)[0]


LABEL_ROOM = 10_000.0  # a label is never broken


def wrap_text(inlines: Iterable[Inline], width: float) -> list[str]:
    """The lines ``inlines`` break into at ``width`` points, as text (for tests and measuring)."""
    return [line.text for line in break_lines(shape(inlines), width)]


# Consecutive pieces in one face and style draw as one run (a slot's pieces are drawn one by one whatever their key).
_RUN_KEY = operator.attrgetter("font", "style", "slot")


class RichText(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A paragraph of mixed-script text laid out by ``break_lines``, with an optional hanging label.

    Lesson text goes straight to ``drawString``: no reportlab paragraph markup is ever parsed, so ``<b>``, ``&``
    or ``<font name=x>`` in a lesson print as themselves.
    """

    # What reportlab's Flowable.__init__ sets on each flowable, as class defaults (a test checks they are its own): a
    # long lesson makes a hundred thousand paragraphs, and each would set them all again.
    width: float = 0
    height: float = 0
    wrapped = 0
    hAlign, vAlign = "LEFT", "BOTTOM"  # noqa: N815  # reportlab API
    _traceInfo = _showBoundary = encoding = None  # noqa: N815  # reportlab API
    # The layout, set as it is made (class defaults likewise).
    _lines: list[Line] | None = None
    _pieces: list[Piece] | None = None  # the pieces to lay out, when not shape(inlines)
    _part: list[Line] | None = None  # a split-off part's own lines, when it is one
    _label_line: Line | None = None
    _laid_width = -1.0

    def __init__(
        self,
        inlines: Sequence[Inline],
        leading: float,
        *,
        label: Sequence[Inline] = (),
        indent: float = 0.0,
        align: str = "left",
        space_before: float = 0.0,
        space_after: float = 0.0,
        keep_with_next: bool = False,
        bookmark: tuple[str, str, int] | None = None,
    ) -> None:
        self.inlines = tuple(inlines)
        self.label = tuple(label)
        self.leading = leading
        self.indent = indent
        self.align = align
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.keepWithNext = keep_with_next
        self.bookmark = bookmark  # (key, title, level) for the PDF outline

    def _layout(self, width: float) -> list[Line]:
        if self._lines is None or abs(self._laid_width - width) > 1e-6:
            pieces = self._pieces if self._pieces is not None else self._own_pieces()
            self._lines = break_lines(pieces, max(width - self.indent, 1.0))
            self._laid_width = width
            if self.label and self._label_line is None:  # (a label does not depend on the width)
                self._label_line = label_line(self.label)
        return self._lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803  # reportlab API
        lines = self._layout(availWidth)
        self.width = availWidth
        self.height = self.leading * len(lines)
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803  # reportlab API
        # A table splits a cell with its column width and height, padding included, after wrapping it with the
        # padding taken off: keep the wrapped width, and leave the padding's few points of height unused.
        lines = self._layout(self._laid_width if self._laid_width > 0 else availWidth)
        fit = int((availHeight - 8) // self.leading)
        # Widows and orphans: never leave a single line of a paragraph alone on either page.
        if len(lines) < 4 or fit < 2:
            return []
        fit = min(fit, len(lines) - 2)
        first, rest = self._clone(lines[:fit]), self._clone(lines[fit:])
        first.spaceAfter = 0.0
        rest.spaceBefore = 0.0
        rest.label = ()
        rest.bookmark = None
        return [first, rest]

    def _clone(self, lines: list[Line]) -> RichText:
        other = RichText(
            self.inlines,
            self.leading,
            label=self.label,
            indent=self.indent,
            align=self.align,
            space_before=self.spaceBefore,
            space_after=self.spaceAfter,
            bookmark=self.bookmark,
        )
        other._lines = lines
        other._part = lines
        other._label_line = self._label_line
        other._laid_width = self._laid_width
        return other

    def _own_pieces(self) -> list[Piece]:
        # A table may lay a part out again at another width: it must re-break its own text, not the whole. Its
        # pieces are gathered only then: gathering them at every split cost a paragraph running over N pages N
        # times its length (a one-paragraph 840 KB article: 1,600 splits, 13 of its 20 s).
        if self._part is None:
            return shape(self.inlines)
        return [piece for line in self._part for piece in (*line.pieces, *line.after)]

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803  # reportlab API
        """``Flowable.drawOn``, the same operators and canvas state, without its general cases (a long lesson draws a
        hundred thousand paragraphs): right after the state is saved the translation is never merged into an earlier
        one, so it is written as ``translate`` writes it there; and of the state, only what drawing a paragraph
        changes is kept and put back (what restoreState would put back differs from the rest in nothing else)."""
        if getattr(self, "_showBoundary", None) or not _plain_state(canvas):
            Flowable.drawOn(self, canvas, x, y, _sW)
            return
        if _sW:
            x = self._hAlignAdjust(x, _sW)
        state, code = canvas.__dict__, canvas._code
        kept = _DRAWN_STATE(state)
        code.append("q")
        a0, b0, c0, d0, e0, f0 = state["_currentMatrix"]  # (canvas.transform(1, 0, 0, 1, x, y)'s own arithmetic)
        state["_currentMatrix"] = (
            a0 * 1 + c0 * 0,
            b0 * 1 + d0 * 0,
            a0 * 0 + c0 * 1,
            b0 * 0 + d0 * 1,
            a0 * x + c0 * y + e0,
            b0 * x + d0 * y + f0,
        )
        code.append(f"1 0 0 1 {_reportlab_fp_str(x, y)} cm")
        self.canv = canvas
        self.draw()
        del self.canv
        code.append("Q")
        state.update(zip(_DRAWN, kept, strict=True))

    def draw(self) -> None:
        canvas = self.canv
        lines = self._lines or []
        # From the leading alone, so that cells of one table row share a baseline whatever their sizes; with a
        # writing leading (2x and more) this leaves the room for handwriting above the text, where it belongs.
        baseline = self.height - self.leading * 0.75
        if self._label_line is not None and self.label:
            _draw_line(canvas, self._label_line, 0.0, baseline)
        if self.align in ("center", "right", "justify"):
            self._draw_aligned(canvas, lines, baseline)
            return
        x, leading = self.indent + 0.0, self.leading  # (flush left: every line at the indent, none spread)
        for line in lines:
            _draw_line(canvas, line, x, baseline)
            baseline -= leading

    def _draw_aligned(self, canvas: Any, lines: list[Line], baseline: float) -> None:
        room = self.width - self.indent
        for number, line in enumerate(lines):
            slack = room - line.width
            offset = {"center": slack / 2, "right": slack}.get(self.align, 0.0)
            spacing = 0.0
            ended_by_wrap = number < len(lines) - 1 and not (line.after and line.after[0].kind == "newline")
            # Japanese is set flush on both sides; kinsoku leaves at most an em or so over, which spread between
            # ~40 characters is invisible. A line with more slack than that (a long word pushed over) stays ragged.
            # Character spacing (Tc) applies per glyph, so the slack is shared between glyphs, not pieces.
            if self.align == "justify" and ended_by_wrap and line.pieces:
                glyphs = sum(map(len, map(_GLYPHS, line.pieces)))
                if glyphs > 1 and 0 < slack < 1.6 * line.pieces[0].style.size:
                    spacing = slack / (glyphs - 1)
            _draw_line(canvas, line, self.indent + offset, baseline, spacing)
            baseline -= self.leading


# The canvas state drawing a paragraph changes: the matrix (its translation), the colours, the writing lines' width.
# (Answers are drawn inside a teacher-only block, which saves and restores the whole state itself.)
_DRAWN = ("_currentMatrix", "_fillColorObj", "_strokeColorObj", "_lineWidth")
_DRAWN_STATE = operator.itemgetter(*_DRAWN)
_COLOURS = ("_fillColorObj", "_strokeColorObj")  # what drawing a line's answers changes of the state


def _plain_state(canvas: Any) -> bool:
    """Does ``canvas`` save and restore its state as reportlab's Canvas does, tracking its matrix?"""
    return bool(_reportlab_canvas.ENABLE_TRACKING) and _plain_kind(canvas.__class__)


@cache
def _plain_kind(kind: type) -> bool:
    methods = ("saveState", "restoreState", "transform")
    return all(getattr(kind, name) is getattr(Canvas, name) for name in methods)


class _Kept:
    """What one canvas keeps: its encoded runs, and its fonts' subset names and code tables (a subset font's codes,
    once given, never change in a document)."""

    def __init__(self) -> None:
        self.encoded: dict[tuple[str, float, str], str] = {}
        self.names: dict[tuple[str, int], str] = {}
        self.states: dict[str, Any] = {}
        # By (font, size), once its first subset is named: that subset's codes and what precedes a run of them.
        self.firsts: dict[tuple[str, float], tuple[dict[int, int], str]] = {}


def _kept(canvas: Any) -> _Kept:
    kept: _Kept | None = getattr(canvas, "_ankiexport_kept", None)
    if kept is None:
        kept = canvas._ankiexport_kept = _Kept()
    return kept


def _encoded(canvas: Any, font: str, size: float, text: str) -> str:
    """``text``'s show operators in ``font`` at ``size`` (with its font selection), exactly as a fresh reportlab text
    object writes them; kept per canvas."""
    kept = _kept(canvas)
    key = (font, size, text)
    found = kept.encoded.get(key)
    if found is None:
        found = _format(canvas, kept, font, size, text)
        if len(kept.encoded) >= _ENCODED_KEPT:  # a long lesson's distinct runs would otherwise all stay in memory
            kept.encoded.clear()
        kept.encoded[key] = found
    return found


_ENCODED_KEPT = 4096


def _format(canvas: Any, kept: _Kept, name: str, size: float, text: str) -> str:
    """What reportlab's ``PDFTextObject._formatText`` writes for a subset (TrueType) font just set at ``size`` with
    its default leading, without making the text object; other fonts go through reportlab itself. A run whose every
    character has a code in the font's first subset, once that subset is named, is one chunk written at once."""
    first = kept.firsts.get((name, size))
    if first is not None and text:
        codes, selected = first
        escape = escapePDF if type(canvas)._escape is Canvas._escape else canvas._escape  # (Canvas's calls escapePDF)
        try:  # (as _split: a no-break space is shown as a space; a code past the first subset is no byte)
            return f"{selected}({escape(bytes(map(codes.__getitem__, map(ord, text.replace(NBSP, ' ')))))}) Tj"
        except (KeyError, ValueError):
            pass
    return _format_chunks(canvas, kept, name, size, text)


def _format_chunks(canvas: Any, kept: _Kept, name: str, size: float, text: str) -> str:
    """``_format`` chunk by chunk: what reportlab writes for each subset's chunk of ``text``."""
    font = pdfmetrics.getFont(name)
    if not font._dynamicFont:  # (plain str is never shaped: reportlab shapes only its ShapedStr)
        writer = canvas.beginText(0, 0)
        writer.setFont(name, size)
        return str(writer._formatText(text))
    doc, escape, names = canvas._doc, canvas._escape, kept.names
    selection = _selection(size)
    parts: list[str] = []
    current = -1
    for subset, chunk in _split(kept, font, text, doc):
        if subset != current:
            internal = names.get((name, subset))
            if internal is None:  # the first call also registers the subset with the document
                internal = names[name, subset] = font.getSubsetInternalName(subset, doc)
            state = kept.states.get(font.fontName) if subset == 0 else None
            if state is not None:
                kept.firsts[name, size] = (state.assignments, f"{internal} {selection} ")
            parts.append(f"{internal} {selection}")
            current = subset
        parts.append(f"({escape(chunk)}) Tj")
    return " ".join(parts)


@cache
def _selection(size: float) -> str:
    """A subset font's size and default leading operators (a worksheet uses a handful of sizes)."""
    return f"{fp_str(size)} Tf {fp_str(size * 1.2)} TL"


def _split(kept: _Kept, font: Any, text: str, doc: Any) -> list[tuple[int, bytes]]:
    """``font.splitString(text, doc)``: the same chunks, without its per-character loop when every character already
    has a code in the first subset (then splitString would assign nothing, so nothing is left undone)."""
    states = kept.states
    state = states.get(font.fontName)
    if state is None:
        state = font.state.get(doc)  # (a weak dictionary: looked up once per canvas once it exists)
        if state is not None:
            states[font.fontName] = state
    if state is not None and text:
        try:  # splitString shows a no-break space as a space; a code past the first subset is no byte
            return [(0, bytes(map(state.assignments.__getitem__, map(ord, text.replace(NBSP, " ")))))]
        except (KeyError, ValueError):
            pass
    return font.splitString(text, doc)  # type: ignore[no-any-return]


def _draw_line(canvas: Any, line: Line, x: float, y: float, spacing: float = 0.0) -> None:
    """Text run by run; the slots' writing lines as one path, and their answers (teacher edition only) at the end.

    Each run is one text object, written as reportlab's ``beginText``/``setFont``/``textOut``/``drawText`` would
    write it (the same bytes), without building the object: a 1 MB lesson draws a million runs and answers."""
    colour: Style | None = None
    marks: _Marks | None = None  # (made at the line's first slot: most lines have none)
    code = canvas._code
    encoded = _kept(canvas).encoded
    starts: list[float] = []
    places: list[int] = []  # each text run's place in the code, where its show operators wait for their position
    for (font, style, slot), group in groupby(line.pieces, _RUN_KEY):
        if slot is not None:
            if marks is None:
                marks = _Marks()
            for piece in group:
                x, colour = _place_slots(canvas, piece, x, y, spacing, marks, colour)
            continue
        run = list(group)  # (spaces are drawn too: text extraction and copy-paste need them between the words)
        # Measured glyph by glyph (the same float additions as ever); Tc widens every glyph, spaces included.
        if len(run) == 1:
            text, width = run[0].text, run[0].width
        else:
            text, width = "".join([p.text for p in run]), sum(map(_WIDTH, _flat(map(_GLYPHS, run))))
        if spacing:  # (adding no spacing adds nothing: x + 0.0 is x)
            width += spacing * len(text)
        if style is not colour:
            colour = _colour(canvas, style, colour)
        places.append(len(code))
        code.append(encoded.get((font, style.size, text)) or _encoded(canvas, font, style.size, text))
        starts.append(x)
        if style.underline and any(p.kind != "space" for p in run):
            _underline(canvas, x, y, width, spacing)
        x += width
    if starts:
        _write_runs(code, starts, places, y, spacing)
    if marks is not None or (colour is not None and (colour.rgb is not None or colour.grey)):
        _end_line(canvas, marks, colour, y)


def _end_line(canvas: Any, marks: _Marks | None, colour: Style | None, y: float) -> None:
    """A text line's writing lines, the colour back to black, and its answers (teacher edition only)."""
    if marks is not None and marks.styles:
        colour = _draw_rules(canvas, marks, y - 1.5, colour)
    if colour is not None and (colour.rgb is not None or colour.grey):
        _black(canvas)
    if marks is not None and marks.answers and getattr(canvas, "with_answers", False):
        _draw_answers(canvas, marks.answers, y + 0.5)


def _write_runs(code: list[str], starts: list[float], places: list[int], y: float, spacing: float) -> None:
    """Each text run's text object around its show operators, in its place. The line's numbers go through one
    ``fp_str`` call, which formats each as a call of its own would and joins them with spaces: a call costs more
    than formatting a number."""
    at_y, *numbers = fp_str(y, *starts).split(" ")
    # Character spacing is graphics state: it would outlive the text object and spread the next, so it is reset.
    spread, end = (f"{fp_str(spacing)} Tc ", " 0 Tc ET") if spacing else ("", " ET")
    for index, number in zip(places, numbers, strict=True):
        code[index] = f"BT 1 0 0 1 {number} {at_y} Tm {spread}{code[index]}{end}"


class _Marks:
    """What a text line's slots leave to draw after its text: its writing lines (where each starts and ends, in one
    list as ``fp_str`` will take them, and each one's style) and its answers (each slot and where it starts)."""

    __slots__ = ("answers", "ends", "styles")

    def __init__(self) -> None:
        self.ends: list[float] = []
        self.styles: list[Style] = []
        self.answers: list[tuple[Slot, float]] = []


def _underline(canvas: Any, x: float, y: float, width: float, spacing: float) -> None:
    """A run's underline, to its last glyph's end (its width without the last glyph's spacing)."""
    canvas.setLineWidth(0.5)
    canvas.line(x, y - 2.2, x + width - spacing, y - 2.2)


def _place_slots(
    canvas: Any,
    piece: Piece,
    x: float,
    y: float,
    spacing: float,
    marks: _Marks,
    colour: Style | None,
) -> tuple[float, Style | None]:
    """Note a slot's (or a slot run's every slot's) writing line and answer at its place; where the next run starts,
    and the colour in effect. Each slot advances by its width and one glyph's spacing, as a run of its own did."""
    ends, styles, answers = marks.ends, marks.styles, marks.answers
    for glyph in piece.glyphs:
        slot = glyph.slot
        assert slot is not None
        style = glyph.style
        width = slot.width
        if slot.rule:
            ends += (x, x + width - slot.gap)
            styles.append(style)
        if slot.answer and slot.answer_style is not None:
            answers.append((slot, x))
        if style.underline:
            colour = _colour(canvas, style, colour)
            _underline(canvas, x, y, width + spacing, spacing)
        x += width + spacing
    return x, colour


def _colour(canvas: Any, style: Style, current: Style | None) -> Style:
    """Set ``style``'s colour unless the canvas has it already; the style now in effect."""
    if current is style or (current is not None and current.rgb == style.rgb and current.grey == style.grey):
        return current
    if canvas._enforceColorSpace is not None:  # (never on a worksheet's canvas) reportlab checks the colour
        if style.rgb is not None:
            canvas.setFillColorRGB(*style.rgb)
            canvas.setStrokeColorRGB(*style.rgb)
        else:
            canvas.setFillGray(style.grey)
            canvas.setStrokeGray(style.grey)
        return style
    colour, operators = style.paint
    canvas._fillColorObj = canvas._strokeColorObj = colour
    canvas._code += operators
    return style


def _black(canvas: Any) -> None:
    """``canvas.setFillGray(0)`` and ``canvas.setStrokeGray(0)``: the same state and operators."""
    canvas._fillColorObj = canvas._strokeColorObj = _BLACK
    canvas._code += _BLACK_OPERATORS


_BLACK = (0, 0, 0)
_BLACK_OPERATORS = ("0 g", "0 G")
# reportlab's canvas.setLineWidth(0.6), the writing lines' width: the same state and operator.
_RULE_WIDTH, _RULE_WIDTH_OPERATOR = 0.6, ".6 w"


def _draw_rules(canvas: Any, rules: _Marks, y: float, colour: Style | None) -> Style | None:
    """Every writing line of a text line in one path per colour (a gap-fill line has dozens of letter slots), its
    numbers formatted in one ``fp_str`` call."""
    canvas._lineWidth = _RULE_WIDTH
    code = canvas._code
    code.append(_RULE_WIDTH_OPERATOR)
    numbers = fp_str(y, *rules.ends).split(" ")
    styles = rules.styles
    if styles.count(styles[0]) == len(styles):  # one style, the common case: the path in one formatting call
        if styles[0] is not colour:
            colour = _colour(canvas, styles[0], colour)
        code.append(_path(numbers[0], numbers[1:]))
        code.append("S")
        return colour
    at_y = numbers[0]
    lines = list(zip(styles, numbers[1::2], numbers[2::2], strict=True))
    for grey in dict.fromkeys(style.grey for style in styles):
        path = ["n"]  # reportlab's beginPath/moveTo/lineTo/drawPath operators, written directly
        for style, start, end in lines:
            if style.grey == grey:
                if style is not colour:
                    colour = _colour(canvas, style, colour)
                path.append(f"{start} {at_y} m {end} {at_y} l")
        code.append(" ".join(path))
        code.append("S")
    return colour


def _path(at_y: str, numbers: list[str]) -> str:
    """The path of writing lines at ``at_y`` from (start, end, start, end, ...), all formatted: what the loop over
    several greys writes for one, in a few string joins."""
    lines = map(f" {at_y} m ".join, zip(numbers[0::2], numbers[1::2], strict=True))
    return f"n {f' {at_y} l '.join(lines)} {at_y} l"


@cache
def _answer_runs(answer: str, style: Style) -> tuple[tuple[tuple[str, str, float], ...], float]:
    """((face, text, width) per run of one face, total width) of an answer: shaped once per answer and style."""
    runs: list[tuple[str, str, float]] = []
    for piece in shape([Span(answer, style)], words=False):
        if runs and runs[-1][0] == piece.font:
            runs[-1] = (piece.font, runs[-1][1] + piece.text, runs[-1][2] + piece.width)
        else:
            runs.append((piece.font, piece.text, piece.width))
    return tuple(runs), sum(width for _, _, width in runs)


def _draw_answers(canvas: Any, answers: list[tuple[Slot, float]], y: float) -> None:
    """The answers on their slots, in one text object, as teacher-only drawing (the operators of one reportlab text
    object, written directly; its numbers formatted in one ``fp_str`` call)."""
    encoded = _kept(canvas).encoded
    with canvas.teacher_only(_COLOURS):
        colour: Style | None = None
        starts: list[float] = []
        shown: list[str] = []
        for slot, x in answers:
            style = slot.answer_style
            assert style is not None
            if style is not colour:
                colour = _colour(canvas, style, colour)
            offset, runs = slot.answer_place
            start = x + offset
            for key, advance in runs:
                starts.append(start)
                shown.append(encoded.get(key) or _encoded(canvas, *key))
                start += advance
        zero, at_y, *numbers = fp_str(0, y, *starts).split(" ")
        canvas._code.append(_text_object(zero, at_y, numbers, shown))


def _text_object(zero: str, at_y: str, numbers: list[str], shown: list[str]) -> str:
    """One text object showing each run at its x (``numbers``) on ``at_y``, all formatted, in a few string joins."""
    runs = " 1 0 0 1 ".join(map(f" {at_y} Tm ".join, zip(numbers, shown, strict=True)))
    return f"BT 1 0 0 1 {zero} {at_y} Tm 1 0 0 1 {runs} ET"
