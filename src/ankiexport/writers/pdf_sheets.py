"""The worksheet's sections as flowables: header, matching, sentence cloze, gap-fill, answer key, reading handout."""

# Every answer is a Slot's ``answer``: the one layout serves both editions, and only the teacher edition's canvas
# draws answers. Shuffles are seeded from the lesson id and the version, never from time or hash().

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from ..config import Settings
from ..model import Cloze, GapToken, Lesson
from .determinism import seeded, unaligned, version_index, version_order
from .pdf_story import Lazy, flowables
from .pdf_text import Inline, RichText, Slot, Slots, Span, Style, shape

SERIF, SANS_BOLD = "LiberationSerif", "LiberationSans-Bold"
MINCHO, GOTHIC = "IPAexMincho", "IPAexGothic"
SIZE = 10.5  # the usual Japanese body size
BODY = Style(SERIF, MINCHO, SIZE)
BOLD = Style(SANS_BOLD, GOTHIC, SIZE - 0.5)  # there is no bold Mincho; Gothic is the conventional emphasis
INSTRUCTION = Style(SERIF, MINCHO, SIZE - 0.5)
NOTE = Style(SERIF, MINCHO, SIZE - 1, grey=0.25)
LABEL = Style(SANS_BOLD, GOTHIC, SIZE - 1)
SMALL = Style(SERIF, MINCHO, 8.5, grey=0.3)
KEY = Style(SERIF, MINCHO, 8.5)
HEADING = Style(SANS_BOLD, GOTHIC, 12.5)
SUBHEADING = Style(SANS_BOLD, GOTHIC, 9.5, grey=0.35)
TITLE = Style(SANS_BOLD, GOTHIC, 15)
# The teacher's answers: the bold sans in dark red, unlike anything printed for students (grey in black and white).
RED = (0.75, 0.05, 0.05)
ANSWER = Style(SANS_BOLD, GOTHIC, SIZE - 0.5, rgb=RED)
ANSWER_LETTER = Style(SANS_BOLD, GOTHIC, SIZE - 1, rgb=RED)
NBSP = "\u00a0"
MM = 72 / 25.4
LETTER_PITCH = 3.6 * MM  # one missing letter, slot to slot: at least 3.5 mm for handwriting
LETTER_GAP = 2.6  # white between letter slots, so the count stays visible
GAP_LEADING = 8.8 * MM  # gap-fill lines: at least 8 mm apart for handwriting
POINTS = {"matching": 1, "cloze": 2, "gapfill": 1}  # per item; the header adds them up


@dataclass(frozen=True)
class Sheet:
    """What every section needs: the lesson, the settings, the frame, and the version it is shuffled for."""

    lesson: Lesson
    settings: Settings
    width: float  # text frame width
    height: float  # text frame height
    version: str = ""  # "" for the plain edition; "A", "B", ... for per-student versions (seeds and header label)
    density: int = 0  # 0 as designed; 1 and 2 set writing lines and spaces a little closer, to avoid a short page

    def pick(self, *choices: float) -> float:
        """The measurement for this density, from the roomiest to the densest."""
        return choices[min(self.density, len(choices) - 1)]


# --------------------------------------------------------------------------------------------------- building blocks


def cell(inlines: Sequence[Inline], leading: float = 15, **kw: Any) -> RichText:
    return RichText(inlines, leading, **kw)


class Grid(Table):  # type: ignore[misc]  # reportlab is untyped
    """A reportlab Table whose size is worked out once: reportlab works it out again at every wrap and split (a
    section's grid is measured three or four times), but with fixed column widths and no spanned cells neither the
    width nor the height offered changes it. A style command changes the padding: the size is worked out again."""

    _sized = False

    def _calc(self, availWidth: float, availHeight: float) -> None:  # noqa: N803  # reportlab API
        if self._sized:
            return
        super()._calc(availWidth, availHeight)
        # (reportlab's long-table shortcut stops measuring rows at the height offered only when cells span rows)
        self._sized = not self._spanCmds and all(type(width) in (int, float) for width in self._argW)

    def _addCommand(self, command: Any) -> None:  # noqa: N802  # reportlab API
        self._sized = False
        super()._addCommand(command)


def table(rows: list[list[Any]], widths: list[float], *, box: bool = False, pad: float = 3) -> Table:
    # splitInRow: a row taller than a page (a pasted essay as a gloss) splits instead of failing the layout.
    result = Grid(rows, colWidths=widths, hAlign="LEFT", splitInRow=1)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), SERIF),  # a cell's default Helvetica would be an unembedded font
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if box:
        commands.append(("BOX", (0, 0), (-1, -1), 0.7, (0, 0, 0)))
    result.setStyle(TableStyle(commands))
    return result


# Rows of one table at most. reportlab splits a table over pages by making it again from the rows left at each page,
# so a table of n rows cost n * n: a lesson of 17,000 vocabulary entries took 94 s to lay out. Longer ones are made as
# several tables, one after another: with no space between them, they print as the one table did, and a heading kept
# with the next flowable is kept with the first of them, not with a table longer than the rest of its page.
GRID_ROWS = 25
# A box around several tables is drawn as lines: sides on each, the top on the first and the bottom on the last.
_BOX_EDGES = (
    ("LINEBEFORE", (0, 0), (0, -1), 0.7, (0, 0, 0)),
    ("LINEAFTER", (-1, 0), (-1, -1), 0.7, (0, 0, 0)),
    ("LINEABOVE", (0, 0), (-1, 0), 0.7, (0, 0, 0)),
    ("LINEBELOW", (0, -1), (-1, -1), 0.7, (0, 0, 0)),
)


def tables(
    rows: Sequence[list[Any]],
    widths: list[float],
    *,
    box: bool = False,
    pad: float = 3,
    style: Sequence[Any] = (),
    last: Mapping[str, Any] | None = None,
) -> list[Any]:
    """``table`` for as many rows as a lesson may have, styled by the commands ``style``, with the attributes
    ``last`` (keepWithNext, spaceAfter) on its last table: one table up to GRID_ROWS rows; else a ``Lazy`` run of
    one table for every GRID_ROWS, each styled on the rows of ``style``'s that it holds (first, last, all), and
    made, its cells too when ``rows`` is a ``Lazy``, only as the layout reaches it (a lesson of 17,000 terms held
    a hundred thousand cells at once)."""
    if len(rows) <= GRID_ROWS:
        grid = table(list(rows), widths, box=box, pad=pad)
        if style:
            grid.setStyle(TableStyle(list(style)))
        grid.__dict__.update(last or {})
        return [grid]
    commands = [*style, *(_BOX_EDGES if box else ())]

    def run(start: int) -> Table:
        stop = min(start + GRID_ROWS, len(rows))
        grid = table(list(rows[start:stop]), widths, pad=pad)
        mapped = [command for command in (_rows_of(c, start, stop, len(rows)) for c in commands) if command]
        if mapped:
            grid.setStyle(TableStyle(mapped))
        if stop == len(rows):
            grid.__dict__.update(last or {})
        return grid

    return [Lazy(range(0, len(rows), GRID_ROWS), run)]


def _rows_of(command: Any, start: int, stop: int, total: int) -> Any:
    """``command`` for the table of rows ``start`` to ``stop`` (excluded) of ``total``; None when it has none of
    the rows the command styles."""
    name, (first_column, first_row), (last_column, last_row), *rest = command
    first_row, last_row = (row + total if row < 0 else row for row in (first_row, last_row))
    first_row, last_row = max(first_row, start), min(last_row, stop - 1)
    if first_row > last_row:
        return None
    return (name, (first_column, first_row - start), (last_column, last_row - start), *rest)


def heading(
    number: int | None, english: str, japanese: str, key: str, *, points: str = "", space: float = 12
) -> RichText:
    inlines: list[Inline] = []
    if number is not None:
        inlines.append(Span(f"{number}{NBSP}{NBSP}", HEADING))
    inlines += [Span(english, HEADING), Span(f"{NBSP}{NBSP}{NBSP}{japanese}", SUBHEADING)]
    if points:
        inlines.append(Span(f"{NBSP}{NBSP}{NBSP}({points})", NOTE))
    title = f"{number}. {english}" if number is not None else english
    return RichText(inlines, 20, space_before=space, space_after=3, keep_with_next=True, bookmark=(key, title, 0))


def instructions(english: str, japanese: str) -> list[RichText]:
    return [
        RichText([Span(english, INSTRUCTION)], 14, keep_with_next=True),
        RichText([Span(japanese, NOTE)], 14, space_after=6, keep_with_next=True),
    ]


def letter(index: int) -> str:
    """a, b, … z, aa, ab, … zz, aaa, …: as many letters as the vocabulary needs (bijective base 26)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
    return letters


def label_width(labels: Iterable[str], least: float) -> float:
    """Room for the widest label in the LABEL style with the cell padding (3 + 3), at least ``least``: numbers past
    99 and letters past z never wrap ("23" above "3.")."""
    widest = max((pdfmetrics.stringWidth(text, LABEL.latin, LABEL.size) for text in labels), default=0.0)
    return max(least, widest + 6.5)


def hanging(last: str, style: Style, least: float) -> float:
    """The indent of numbered paragraphs whose widest label is ``last`` (the highest number: the faces' digits share
    one width), at least ``least``: a long lesson's "¶43113" would otherwise print over its first words."""
    return max(least, _width(last, style) + 5.0)


def headword(lesson: Lesson, entry: int) -> str:
    """The word-bank form of a term (the analysis's dictionary form; the term itself if none was set)."""
    vocab = lesson.vocabulary[entry]
    return vocab.headword or vocab.term


def _width(text: str, style: Style) -> float:
    return sum(piece.width for piece in shape([Span(text, style)], words=False))


def answer_line(width: float, answer: str, style: Style = BODY) -> Slot:
    return Slot(width, style, answer=answer, answer_style=ANSWER)


def rule() -> HRFlowable:
    return HRFlowable(width="100%", thickness=1.2, color=(0, 0, 0), spaceBefore=2, spaceAfter=2)


class HandoutStart(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Marks where a student handout begins (None: the teacher-only part); it takes no room and draws nothing."""

    def __init__(self, handout: str | None) -> None:
        super().__init__()
        self.handout = handout

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803  # reportlab API
        return 0.0, 0.0

    def draw(self) -> None:
        pass


class KeepSection(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Moves the section after it to the next page when it does not fit and the part that would fit is under a
    third of a page (a heading, instructions and two lines at a page foot help nobody)."""

    def __init__(self, content: Sequence[Any], page_height: float) -> None:
        super().__init__()
        self.content = list(content)
        self.threshold = page_height / 3

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803  # reportlab API
        if availHeight >= self.threshold:
            return 0.0, 0.0
        needed = 0.0
        for flowable in flowables(self.content):
            needed += flowable.wrap(availWidth, availHeight)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
            if needed > availHeight:
                frame = self._doctemplateAttr("frame")
                if frame:
                    from reportlab.platypus.doctemplate import FrameBreak

                    frame.add_generated_content(FrameBreak)
                break
        return 0.0, 0.0

    def draw(self) -> None:
        pass


def section(content: list[Any], sheet: Sheet) -> list[Any]:
    return [KeepSection(content, sheet.height), *content]


# --------------------------------------------------------------------------------------------------- header


def header(sheet: Sheet, title: str, subtitle: str, total: int, *, fields: bool = True) -> list[Any]:
    """Course, date and version; the title; the 組・番号・名前 fields and the score out of ``total``."""
    lesson, width = sheet.lesson, sheet.width
    version = f"Version {sheet.version}{NBSP}{NBSP}·{NBSP}{NBSP}" if sheet.version else ""
    mark = f"Teacher's edition 教師用{NBSP}{NBSP}"
    teacher = Slot(_width(mark, ANSWER), SMALL, rule=False, answer=mark, answer_style=ANSWER)
    top = [
        cell([Span(sheet.settings.course_name, SMALL)], 11),
        cell([teacher, Span(version + (lesson.date or ""), SMALL)], 11, align="right"),
    ]
    story: list[Any] = [table([top], [width * 0.55, width * 0.45], pad=0)]
    if title:
        story.append(RichText([Span(title, TITLE)], 20, space_before=4))
    if subtitle:
        story.append(RichText([Span(subtitle, SUBHEADING)], 15, space_before=1))
    if not fields:
        return [*story, Spacer(1, 4), rule()]
    return [*story, *_fields(width, total)]


def _fields(width: float, total: int) -> list[Any]:
    fields = [
        (f"組{NBSP}", 0.12, ""),
        (f"番号{NBSP}", 0.14, ""),
        (f"名前 Name{NBSP}", 0.46, ""),
        (f"得点{NBSP}", 0.28, f"{NBSP}/{NBSP}{total}"),
    ]
    label_width = [pdfmetrics.stringWidth(text, SANS_BOLD, LABEL.size) + 12 for text, _, _ in fields]
    cells = []
    for (text, share, after), used in zip(fields, label_width, strict=True):
        room = width * share - used - pdfmetrics.stringWidth(after, SANS_BOLD, LABEL.size) - 8
        cells.append(cell([Span(text, LABEL), Slot(max(room, 20), LABEL), Span(after, LABEL)], 18))
    return [Spacer(1, 8), table([cells], [width * share for _, share, _ in fields], pad=0), Spacer(1, 4), rule()]


# --------------------------------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Matching:
    """Japanese meanings to match (numbered) against more English words than meanings (lettered)."""

    items: tuple[int, ...]  # vocabulary entries whose glosses are asked, in printed order
    choices: tuple[int, ...]  # vocabulary entries in the word list, in printed (lettered) order

    def answer(self, item: int) -> str:
        return letter(self._lettered[self.items[item]])

    @functools.cached_property
    def _lettered(self) -> dict[int, int]:
        """Each word's place in the word list (looked up for every meaning: a search each was n * n)."""
        return {entry: place for place, entry in enumerate(self.choices)}


def plan_matching(sheet: Sheet) -> Matching:
    """Leave one or two words unused so the last meaning cannot be had by elimination."""
    count = len(sheet.lesson.vocabulary)
    unused = 2 if count >= 6 else 1 if count >= 3 else 0
    lesson_id = sheet.lesson.id
    rng = seeded(lesson_id, "matching", "")  # which words are asked: the same for every version
    asked = sorted(rng.sample(range(count), count - unused))
    rng.shuffle(asked)
    choices = sorted(range(count), key=lambda e: (headword(sheet.lesson, e).lower(), e))
    if sheet.version:  # each version: its own order of the words and of the meanings, none beside its own word
        index = version_index(sheet.version)
        choices = list(version_order(choices, [lesson_id, "matching words"], index))
        order = version_order(asked, [lesson_id, "matching meanings"], index)
        asked = list(unaligned(order, choices, seeded(lesson_id, "matching meanings", sheet.version)))
    return Matching(tuple(asked), tuple(choices))


def matching(sheet: Sheet, number: int, plan: Matching) -> list[Any]:
    """The matching exercise: its heading, what to do, and the grid of meanings beside words."""
    story: list[Any] = [
        heading(
            number,
            "Vocabulary matching",
            "語彙のマッチング",
            "matching",
            points=_points("matching", plan.items),
            space=sheet.pick(12, 9, 6),
        ),
        *_matching_instructions(len(plan.choices) - len(plan.items)),
        *_matching_grid(sheet, plan),
    ]
    return section(story, sheet)


def _matching_instructions(unused: int) -> list[RichText]:
    """What to do, and how many words are left over: a student who knows it does not hunt for a use of each."""
    spare = f" {unused} words are not used." if unused > 1 else " One word is not used." if unused else ""
    spare_ja = f"使わない語が{unused}つあります。" if unused else ""
    return instructions(
        "Which word or phrase has each Japanese meaning? Write its letter in the brackets." + spare,
        "それぞれの日本語の意味を表す語句を選び、記号を（　）に書きなさい。" + spare_ja,
    )


def _matching_grid(sheet: Sheet, plan: Matching) -> list[Any]:
    """One row per meaning (number, bracket, gloss) beside one word (letter, headword); the words outnumber them."""
    rows = Lazy(
        range(max(len(plan.items), len(plan.choices))),
        lambda row: _meaning_cells(sheet.lesson, plan, row) + _word_cells(sheet.lesson, plan, row),
    )
    term_width = sheet.width * 0.3
    numbers = label_width((f"{n + 1}." for n in range(len(plan.items))), 20.0)
    letters = label_width((f"{letter(n)}." for n in range(len(plan.choices))), 24.0)
    widths = [numbers, 36.0, sheet.width - 36 - numbers - letters - term_width - 20, letters, term_width + 20]
    pad = sheet.pick(3.5, 2.5, 1.8)
    return tables(rows, widths, style=[("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad)])


def _meaning_cells(lesson: Lesson, plan: Matching, row: int) -> list[Any]:
    """The row's Japanese meaning with its number and the bracket the letter goes in (the answer, for teachers)."""
    if row >= len(plan.items):
        return [cell([]), cell([]), cell([])]
    place = Slot(22, BODY, rule=False, answer=plan.answer(row), answer_style=ANSWER)
    bracket: list[Inline] = [Span("(", BODY), place, Span(")", BODY)]
    return [
        cell([Span(f"{row + 1}.", LABEL)], align="right"),
        cell(bracket),
        cell([Span(lesson.vocabulary[plan.items[row]].gloss, BODY)]),
    ]


def _word_cells(lesson: Lesson, plan: Matching, row: int) -> list[Any]:
    """The row's lettered English word, in its dictionary form."""
    if row >= len(plan.choices):
        return [cell([]), cell([])]
    return [
        cell([Span(f"{letter(row)}.", LABEL)], align="right"),
        cell([Span(headword(lesson, plan.choices[row]), BODY)]),
    ]


def _points(kind: str, items: Sequence[Any]) -> str:
    each = POINTS[kind]
    return f"{each} point{'s' if each > 1 else ''} each, {each * len(items)} in all"


# --------------------------------------------------------------------------------------------------- cloze


@dataclass(frozen=True)
class Blank:
    """One blank of a cloze item: where it is in the sentence and its label (3, or 3a and 3b for a split term)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class ClozeItem:
    cloze: Cloze
    blanks: tuple[Blank, ...]
    answers: tuple[tuple[str, str, int], ...]  # (label, the sentence's words, vocabulary entry) per blank


def _groups(cloze: Cloze) -> list[tuple[int, int, int]]:
    """(start, end, use) per blank; a term's words separated only by spaces make one blank."""
    marks = sorted((start, end, n) for n, use in enumerate(cloze.uses) for start, end in use.spans)
    merged: list[tuple[int, int, int]] = []
    for start, end, n in marks:
        if merged and merged[-1][2] == n and not cloze.sentence[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], end, n)
        else:
            merged.append((start, end, n))
    return merged


def _well_formed(cloze: Cloze, terms: int) -> bool:
    spans = sorted(span for use in cloze.uses for span in use.spans)
    if not spans or any(not use.spans or not 0 <= use.entry < terms for use in cloze.uses):
        return False
    if any(not 0 <= start < end <= len(cloze.sentence) for start, end in spans):
        return False
    return all(previous[1] <= following[0] for previous, following in itertools.pairwise(spans))


def plan_cloze(sheet: Sheet) -> list[ClozeItem]:
    """The cloze items: article sentences only (the header prints the title), numbered through the exercise."""
    lesson = sheet.lesson
    chosen = [
        cloze for cloze in lesson.clozes if cloze.index is not None and _well_formed(cloze, len(lesson.vocabulary))
    ]
    if sheet.version:
        chosen = list(version_order(chosen, [lesson.id, "cloze"], version_index(sheet.version)))
    items, number = [], 1
    for cloze in chosen:
        groups = _groups(cloze)
        blanks, answers = [], []
        for n, use in enumerate(cloze.uses):
            mine = [(s, e) for s, e, g in groups if g == n]
            for part, (start, end) in enumerate(mine):
                label = f"{number + n}{letter(part) if len(mine) > 1 else ''}"
                blanks.append(Blank(start, end, label))
                answers.append((label, cloze.sentence[start:end], use.entry))
        number += len(cloze.uses)
        items.append(ClozeItem(cloze, tuple(sorted(blanks, key=lambda b: b.start)), tuple(answers)))
    return items


def _blank_width(answer: str, width: float) -> float:
    measured = pdfmetrics.stringWidth(answer, SERIF, SIZE)
    return float(min(max(64.0, measured * 1.3 + 14), width * 0.6))


def cloze(sheet: Sheet, number: int, items: list[ClozeItem]) -> list[Any]:
    lesson = sheet.lesson
    bank = sorted({headword(lesson, entry) for item in items for _, _, entry in item.answers}, key=str.lower)
    if sheet.version:
        bank = list(version_order(bank, [lesson.id, "bank"], version_index(sheet.version)))
    split = any(label[-1].isalpha() for item in items for label, _, _ in item.answers)
    story: list[Any] = [
        heading(
            number,
            "Sentence cloze",
            "文の穴埋め",
            "cloze",
            points=_points("cloze", _terms(items)),
            space=sheet.pick(12, 9, 6),
        ),
        *instructions(
            "Fill in each numbered blank with a word or phrase from the box, in the form the sentence needs."
            + (" A phrase split by other words fills two blanks, such as 3a and 3b." if split else ""),
            "枠内から適切な語句を選び、文に合う形にして、番号の付いた空所に書き入れなさい。"
            + ("語句が離れて現れるときは、3a・3b のように二つの空所に分けて書きます。" if split else ""),
        ),
        *_bank(bank, sheet.width),
    ]
    story.append(_cloze_sentences(sheet, items))
    return section(story, sheet)


def _cloze_sentences(sheet: Sheet, items: list[ClozeItem]) -> Lazy[tuple[int, ClozeItem]]:
    """The numbered sentences with their blanks, made as the layout reaches them."""
    leading = SIZE * sheet.pick(2.3, 2.1, 1.95)

    def sentence(numbered: tuple[int, ClozeItem]) -> RichText:
        index, item = numbered
        inlines: list[Inline] = []
        position = 0
        for blank in item.blanks:
            answer = item.cloze.sentence[blank.start : blank.end]
            inlines.append(Span(item.cloze.sentence[position : blank.start], BODY))
            inlines.append(Span(f"({blank.label}){NBSP}", LABEL))
            inlines.append(answer_line(_blank_width(answer, sheet.width), answer))
            position = blank.end
        inlines.append(Span(item.cloze.sentence[position:], BODY))
        return RichText(inlines, leading, label=[Span(f"{index}.", LABEL)], indent=indent, space_after=2)

    indent = hanging(f"{len(items)}.", LABEL, 20.0)
    return Lazy(list(enumerate(items, start=1)), sentence)


def _terms(items: list[ClozeItem]) -> list[str]:
    """One scored item per term use (3a and 3b together are one)."""
    return [label for item in items for label, _, _ in item.answers if not label.endswith("b")]


def _bank(bank: list[str], width: float) -> list[Any]:
    columns = 3 if width > 430 else 2
    cells = [cell([Span(term.replace(" ", NBSP), BODY)], 15) for term in bank]
    while len(cells) % columns:
        cells.append(cell([Span("", BODY)], 15))
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    padding = [("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 6)]
    # kept with the next: a word bank alone at a page foot, its sentences overleaf, is useless
    last = {"keepWithNext": True, "spaceAfter": 8}
    return tables(rows, [(width - 2) / columns] * columns, box=True, pad=8, style=padding, last=last)


# --------------------------------------------------------------------------------------------------- gap-fill


@functools.cache
def _letter_slot(answer: str) -> Slot:
    """One missing letter's slot (one per answer letter, shared: a long article has a million of them)."""
    return Slot(LETTER_PITCH, BODY, gap=LETTER_GAP, answer=answer, answer_style=ANSWER_LETTER)


@functools.lru_cache(maxsize=1024)
def _letter_run(answer: str, count: int) -> Slots:
    """A word's ``count`` consecutive missing letters (``answer`` their letters, or "" when unknown) as one run of
    slots, so that layout and drawing handle the word at once; shared, as a long article repeats its words."""
    return Slots(tuple(_letter_slot(answer[n] if answer else "") for n in range(count)))


_GAP_RUNS = re.compile(r"_+|[^_]+")
# Two spaces between words: one space is hardly wider than the white between letter slots, and words would run on.
_WORD_SPACE = Span("  ", BODY)


def _gap_inlines(tokens: Sequence[GapToken]) -> list[Inline]:
    inlines: list[Inline] = []
    for index, token in enumerate(tokens):
        if index:
            inlines.append(_WORD_SPACE)
        inlines += _gap_word(token.shown, token.answer)
    return inlines


@functools.lru_cache(maxsize=2048)
def _gap_word(shown: str, answer: str) -> tuple[Inline, ...]:
    """A gap-fill word's given letters and runs of missing letters (made once per word: an article repeats many)."""
    letters = answer if len(answer) == len(shown) else ""
    inlines: list[Inline] = []
    for run in _GAP_RUNS.finditer(shown):
        if run[0][0] != "_":
            inlines.append(Span(run[0], BODY))
        else:
            inlines.append(_letter_run(letters[run.start() : run.end()], run.end() - run.start()))
    return tuple(inlines)


def gapped_words(lesson: Lesson) -> list[list[str]]:
    """Per paragraph, the article words the gap-fill asks for (its answers, in order)."""
    assert lesson.exercise is not None
    return [[t.answer for t in tokens if "_" in t.shown] for tokens in lesson.exercise.paragraphs]


def gapfill(sheet: Sheet, number: int | None) -> list[Any]:
    lesson = sheet.lesson
    assert lesson.exercise is not None
    story: list[Any] = [
        heading(number, "Complete the article", "語の補充", "gapfill", points=_points("gapfill", _flat(lesson))),
        *instructions(
            "Complete each word. The first letter is given, and each line stands for one missing letter.",
            "最初の文字をヒントに単語を完成させなさい。下線1本が1文字です。",
        ),
    ]
    leading = sheet.pick(GAP_LEADING, 8.4 * MM, 8.1 * MM)

    def paragraph(numbered: tuple[int, Sequence[GapToken]]) -> RichText:
        index, tokens = numbered
        return RichText(_gap_inlines(tokens), leading, label=[Span(str(index), SMALL)], indent=indent, space_after=4)

    paragraphs = [(index, tokens) for index, tokens in enumerate(lesson.exercise.paragraphs, start=1) if tokens]
    indent = hanging(str(paragraphs[-1][0]) if paragraphs else "", SMALL, 14.0)
    story.append(Lazy(paragraphs, paragraph))  # made as the layout reaches them
    return story


def _flat(lesson: Lesson) -> list[str]:
    return [word for words in gapped_words(lesson) for word in words]


# --------------------------------------------------------------------------------------------------- answer key


def answer_key(sheet: Sheet, numbers: dict[str, int], plan: Matching, items: list[ClozeItem]) -> list[Any]:
    """The teacher's key: matching letters, cloze answers as the sentence has them, the gap-filled words only."""
    width = sheet.width
    wide = width > 430
    story: list[Any] = [
        RichText(
            [Span("Answer Key", TITLE), Span(f"{NBSP}{NBSP}{NBSP}解答", Style(SANS_BOLD, GOTHIC, 12, grey=0.35))],
            22,
            bookmark=("answers", "Answer Key 解答", 0),
        ),
        rule(),
    ]
    if "matching" in numbers:
        story.append(_key_heading(numbers["matching"], "Vocabulary matching", "語彙のマッチング", "key-matching"))
        story += _columns(
            Lazy(range(len(plan.items)), functools.partial(_matching_key_cell, plan)), 6 if wide else 4, width
        )
    if "cloze" in numbers:
        story.append(_key_heading(numbers["cloze"], "Sentence cloze", "文の穴埋め", "key-cloze"))
        answers = [answer for item in items for answer in item.answers]
        story += _columns(Lazy(answers, functools.partial(_cloze_key_cell, sheet.lesson)), 3 if wide else 2, width)
    if "gapfill" in numbers:
        story.append(_key_heading(None, "Complete the article", "語の補充（別紙）", "key-gapfill"))
        story += _gap_key(sheet.lesson)
    return story


def _key_heading(number: int | None, english: str, japanese: str, key: str) -> RichText:
    title = f"{number}. {english}" if number else english
    inlines: list[Inline] = [Span(title.replace(". ", NBSP * 2, 1), LABEL), Span(f"{NBSP}{NBSP}{japanese}", NOTE)]
    bookmark = (key, title, 1)
    return RichText(inlines, 15, space_before=7, space_after=2, keep_with_next=True, bookmark=bookmark)


def _matching_key_cell(plan: Matching, row: int) -> RichText:
    return cell([Span(f"{row + 1}.{NBSP}", LABEL), Span(plan.answer(row), BOLD)], 13)


def _cloze_key_cell(lesson: Lesson, answer: tuple[str, str, int]) -> RichText:
    """A cloze answer as the sentence has it, and its dictionary form where that differs."""
    label, words, entry = answer
    base = headword(lesson, entry)
    inlines: list[Inline] = [Span(f"({label}){NBSP}", LABEL), Span(words, BOLD)]
    if (base.lower() != words.lower() and not label[-1].isalpha()) or label.endswith("a"):
        inlines.append(Span(f"{NBSP}← {base}", NOTE))
    return cell(inlines, 13)


def _columns(cells: Sequence[RichText], columns: int, width: float) -> list[Any]:
    """Cells down the columns, like a printed key: 1-4 in the first column, not across. A key longer than GRID_ROWS
    rows goes down the columns a block of GRID_ROWS rows at a time, so that it reads on page by page; the blocks
    (and their cells, when ``cells`` is a ``Lazy``) are made as the layout reaches them."""
    padding = [("TOPPADDING", (0, 0), (-1, -1), 0.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)]
    size = GRID_ROWS * columns

    def block(start: int) -> Table:
        made = list(cells[start : start + size])
        rows = max(1, -(-len(made) // columns))
        made += [cell([]) for _ in range(rows * columns - len(made))]
        grid = [[made[c * rows + r] for c in range(columns)] for r in range(rows)]
        (result,) = tables(grid, [width / columns] * columns, pad=2, style=padding)
        return result

    return [block(0)] if len(cells) <= size else [Lazy(range(0, len(cells), size), block)]


# Gapped words of one key paragraph at most: a longer paragraph's key goes on in paragraphs of this many, each on a
# new line, so that no one paragraph holds an article's worth of words (one 840 KB paragraph: 147,000 words, 32 MB
# of text spans in one paragraph). An article paragraph has a few dozen.
KEY_WORDS = 400


def _gap_key(lesson: Lesson) -> list[Any]:
    """The gapped words, numbered through the exercise and grouped by its numbered paragraphs."""
    # (paragraph, its words, the number of its first word, whether the paragraph's key ends here)
    numbered: list[tuple[int, list[str], int, bool]] = []
    number = 1
    for paragraph, words in enumerate(gapped_words(lesson), start=1):
        for start in range(0, len(words), KEY_WORDS):
            part = words[start : start + KEY_WORDS]
            numbered.append((paragraph, part, number, start + KEY_WORDS >= len(words)))
            number += len(part)

    def key(entry: tuple[int, list[str], int, bool]) -> RichText:
        paragraph, words, first, last = entry
        inlines: list[Inline] = []
        for number, word in enumerate(words, start=first):
            inlines += [Span(f"{number}{NBSP}", SMALL), Span(word.strip(_PUNCTUATION) or word, KEY), _KEY_SPACE]
        label = [Span(f"¶{paragraph}", LABEL)] if first == numbered_from[paragraph] else []
        return RichText(inlines, 11.5, label=label, indent=indent, space_after=2 if last else 0)

    numbered_from = {paragraph: first for paragraph, _, first, _ in reversed(numbered)}
    indent = hanging(f"¶{numbered[-1][0]}" if numbered else "", LABEL, 24.0)

    return [Lazy(numbered, key)]  # made as the layout reaches them


_PUNCTUATION = "“”\"‘’'.,;:!?()[]"
_KEY_SPACE = Span("  ", KEY)  # between a key's words (one span shared by all: the key has one a gapped word)
