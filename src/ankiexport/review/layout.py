"""The review test's pages: header, matching, sentence cloze and recall, as a student and a teacher edition."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate, Spacer, Table
from reportlab.platypus.doctemplate import LayoutError

from ..config import Settings
from ..errors import OutputError
from ..writers.determinism import revision_moment
from ..writers.pdf import MARGINS, PAGE_SIZES, prepare
from ..writers.pdf_sheets import (
    BODY,
    GOTHIC,
    HEADING,
    LABEL,
    LETTER_GAP,
    LETTER_PITCH,
    NBSP,
    NOTE,
    RED,
    SANS_BOLD,
    SERIF,
    SIZE,
    SMALL,
    SUBHEADING,
    TITLE,
    cell,
    instructions,
    letter,
    rule,
    table,
)
from ..writers.pdf_text import Inline, RichText, Slot, Span, Style
from .select import Arrangement, ClozeItem, Selection, Term, blanks

# The teacher's answers as the worksheets' teacher edition prints them: bold sans in dark red, underlined.
ANSWER = Style(SANS_BOLD, GOTHIC, SIZE - 0.5, underline=True, rgb=RED)
LESSON_TAG = Style(SANS_BOLD, GOTHIC, 7.5, grey=0.4)
POINTS = {"matching": 1, "cloze": 2, "recall": 2}  # per item; the header adds them up


@dataclass(frozen=True)
class Editions:
    """One version of the test: the student edition (no answer anywhere) and the teacher edition."""

    student: bytes
    teacher: bytes
    student_pages: int
    teacher_pages: int


@dataclass(frozen=True)
class _Page:
    """What every part of the layout needs to know."""

    selection: Selection
    arrangement: Arrangement
    settings: Settings
    width: float
    teacher: bool

    def tag(self, term: Term) -> list[Inline]:
        """The teacher edition names each item's lessons (L1, L2, ... as listed in its header; L2·L5 for a term both
        teach)."""
        if not self.teacher:
            return []
        return [Span(f"{NBSP}{NBSP}" + "·".join(f"L{n + 1}" for n in self.selection.lessons_of(term)), LESSON_TAG)]

    def blank(self, width: float, answer: str) -> Inline:
        """A line to write on; in the teacher edition, the answer in its place."""
        return Span(f"{NBSP}{answer}{NBSP}", ANSWER) if self.teacher else Slot(width, BODY)


def _heading(number: int, english: str, japanese: str, points: str) -> RichText:
    inlines: list[Inline] = [
        Span(f"{number}{NBSP}{NBSP}{english}", HEADING),
        Span(f"{NBSP}{NBSP}{NBSP}{japanese}", SUBHEADING),
        Span(f"{NBSP}{NBSP}{NBSP}({points})", NOTE),
    ]
    return RichText(inlines, 20, space_before=12, space_after=3, keep_with_next=True)


def _points(kind: str, count: int) -> str:
    each = POINTS[kind]
    return f"{each} point{'s' if each > 1 else ''} each, {each * count} in all"


def total_points(arrangement: Arrangement) -> int:
    return (
        POINTS["matching"] * len(arrangement.matching)
        + POINTS["cloze"] * len(arrangement.cloze)
        + POINTS["recall"] * len(arrangement.recall)
    )


# --------------------------------------------------------------------------------------------------- header


def _header(page: _Page) -> list[Any]:
    lessons = page.selection.lessons
    dates = [lesson.date for lesson in lessons if lesson.date]
    span = f"{dates[0]} – {dates[-1]}" if dates and dates[0] != dates[-1] else (dates[0] if dates else "")
    version = f"Version {page.arrangement.version}{NBSP}{NBSP}·{NBSP}{NBSP}" if page.arrangement.version else ""
    mark = (
        [Span(f"Teacher's edition 教師用{NBSP}{NBSP}", Style(SANS_BOLD, GOTHIC, 8.5, rgb=RED))] if page.teacher else []
    )
    top = [
        cell([Span(page.settings.course_name, SMALL)], 11),
        cell([*mark, Span(version + span, SMALL)], 11, align="right"),
    ]
    count = f"{len(lessons)} lesson{'s' if len(lessons) > 1 else ''}"
    story: list[Any] = [
        table([top], [page.width * 0.35, page.width * 0.65], pad=0),
        RichText([Span("Review Test", TITLE), Span(f"{NBSP}{NBSP}{NBSP}復習テスト", SUBHEADING)], 20, space_before=4),
        RichText([Span(f"{count}, {span}" if span else count, SUBHEADING)], 15, space_before=1),
    ]
    if page.teacher:
        story += [_legend(page)]
    return [*story, *_fields(page.width, total_points(page.arrangement))]


def _legend(page: _Page) -> Table:
    rows = [
        [cell([Span(f"L{n}", LABEL)], 13), cell([Span(f"{lesson.date or ''}{NBSP}{NBSP}{lesson.title}", SMALL)], 13)]
        for n, lesson in enumerate(page.selection.lessons, start=1)
    ]
    legend = table(rows, [24.0, page.width - 24], pad=1)
    legend.spaceBefore = 4
    return legend


def _fields(width: float, total: int) -> list[Any]:
    fields = [("組", 0.12, ""), ("番号", 0.14, ""), ("名前 Name", 0.46, ""), ("得点", 0.28, f"{NBSP}/{NBSP}{total}")]
    cells = []
    for text, share, after in fields:
        used = (len(text) + len(after)) * LABEL.size * 0.8 + 20
        cells.append(cell([Span(text + NBSP, LABEL), Slot(max(width * share - used, 20), LABEL), Span(after, LABEL)]))
    return [Spacer(1, 8), table([cells], [width * share for _, share, _ in fields], pad=0), Spacer(1, 4), rule()]


# --------------------------------------------------------------------------------------------------- sections


def _matching(page: _Page, number: int) -> list[Any]:
    arrangement, selection = page.arrangement, page.selection
    spare = len(arrangement.words) - len(arrangement.matching)
    story: list[Any] = [
        _heading(number, "Vocabulary matching", "語彙のマッチング", _points("matching", len(arrangement.matching))),
        *instructions(
            "Which word or phrase has each Japanese meaning? Write its letter in the brackets."
            + (f" {spare} words are not used." if spare > 1 else " One word is not used." if spare else ""),
            "それぞれの日本語の意味を表す語句を選び、記号を（　）に書きなさい。"
            + (f"使わない語が{spare}つあります。" if spare else ""),
        ),
    ]
    rows = []
    for row in range(max(len(arrangement.matching), len(arrangement.words))):
        left: list[Any] = [cell([]), cell([]), cell([])]
        if row < len(arrangement.matching):
            term = arrangement.matching[row]
            answer = letter(arrangement.words.index(term))
            bracket: list[Inline] = [Span("(", BODY), page.blank(22, answer), Span(")", BODY)]
            gloss = [Span(selection.gloss(term), BODY), *page.tag(term)]
            left = [cell([Span(f"{row + 1}.", LABEL)], align="right"), cell(bracket), cell(gloss)]
        right: list[Any] = [cell([]), cell([])]
        if row < len(arrangement.words):
            word = selection.headword(arrangement.words[row])
            right = [cell([Span(f"{letter(row)}.", LABEL)], align="right"), cell([Span(word, BODY)])]
        rows.append(left + right)
    term_width = page.width * 0.3
    story.append(table(rows, [22.0, 40.0, page.width - 106 - term_width, 24.0, term_width + 20]))
    return story


def _blank_width(answer: str) -> float:
    from reportlab.pdfbase import pdfmetrics

    return float(min(max(64.0, pdfmetrics.stringWidth(answer, SERIF, SIZE) * 1.3 + 14), 240.0))


def _sentence(page: _Page, item: ClozeItem) -> list[Inline]:
    inlines: list[Inline] = []
    position = 0
    for start, end in blanks(item):
        inlines.append(Span(item.sentence[position:start], BODY))
        inlines.append(page.blank(_blank_width(item.sentence[start:end]), item.sentence[start:end]))
        position = end
    inlines.append(Span(item.sentence[position:], BODY))
    return inlines + page.tag(item.term)


def _cloze(page: _Page, number: int) -> list[Any]:
    arrangement, selection = page.arrangement, page.selection
    spare = len(arrangement.bank) > len(arrangement.cloze)
    story: list[Any] = [
        _heading(number, "Sentence cloze", "文の穴埋め", _points("cloze", len(arrangement.cloze))),
        *instructions(
            "Fill in the blanks of each sentence with a word or phrase from the box, changing its form if the "
            "sentence needs it. A phrase may be split over two blanks."
            + (" Some words in the box are not used." if spare else ""),
            "枠内から適切な語句を選び、必要なら形を変えて空所に書き入れなさい。2つの空所で1つの語句になる文もあります。"
            + ("使わない語句もあります。" if spare else ""),
        ),
    ]
    columns = 3 if page.width > 430 else 2
    cells = [cell([Span(selection.headword(term).replace(" ", NBSP), BODY)]) for term in arrangement.bank]
    cells += [cell([]) for _ in range(-len(cells) % columns)]
    bank = table(
        [cells[i : i + columns] for i in range(0, len(cells), columns)],
        [(page.width - 2) / columns] * columns,
        box=True,
        pad=8,
    )
    bank.keepWithNext = True  # a word bank alone at a page foot, its sentences overleaf, is useless
    story += [bank, Spacer(1, 8)]
    for row, item in enumerate(arrangement.cloze, start=1):
        label = [Span(f"{row}.", LABEL)]
        story.append(RichText(_sentence(page, item), SIZE * 2.3, label=label, indent=20, space_after=2))
    return story


def hint(word: str) -> list[tuple[str, bool]]:
    """The first-letter hint of a dictionary form: (character, shown) per character. Each word's first letter and
    every non-letter (space, hyphen, apostrophe) is shown; every other letter is one slot."""
    result = []
    for index, char in enumerate(word):
        first = index == 0 or not word[index - 1].isalpha()
        result.append((char, first or not char.isalpha()))
    return result


def _hint_inlines(page: _Page, term: Term) -> list[Inline]:
    word = page.selection.headword(term)
    if page.teacher:
        return [Span(word, ANSWER), *page.tag(term)]
    inlines: list[Inline] = []
    for char, shown in hint(word):
        if shown:
            inlines.append(Span(NBSP * 2 if char == " " else char, BODY))
        else:
            inlines.append(Slot(LETTER_PITCH, BODY, gap=LETTER_GAP))
    return inlines


def _recall(page: _Page, number: int) -> list[Any]:
    arrangement, selection = page.arrangement, page.selection
    story: list[Any] = [
        _heading(number, "English from Japanese", "和文から英語へ", _points("recall", len(arrangement.recall))),
        *instructions(
            "Write the English word or phrase (its dictionary form) for each meaning. The first letter of each "
            "word is given, and each line stands for one missing letter.",
            "日本語の意味を表す英語の語句を原形で書きなさい。各語の最初の文字が示してあり、下線1本が1文字です。",
        ),
    ]
    rows = [
        [
            cell([Span(f"{row}.", LABEL)], 24, align="right"),
            cell([Span(selection.gloss(term), BODY)], 24),
            cell(_hint_inlines(page, term), 24),
        ]
        for row, term in enumerate(arrangement.recall, start=1)
    ]
    half = (page.width - 22) / 2
    story.append(table(rows, [22.0, half, half]))
    return story


def _key_lines(page: _Page, numbers: dict[str, int]) -> list[list[Inline]]:
    """One line per item: its number (section-row), its answer, and its lesson."""
    arrangement, selection = page.arrangement, page.selection
    lines: list[list[Inline]] = []
    for row, term in enumerate(arrangement.matching, start=1):
        answer = [Span(letter(arrangement.words.index(term)), ANSWER), Span(f"{NBSP}{selection.headword(term)}", BODY)]
        lines.append([Span(f"{numbers['matching']}-{row}{NBSP}", LABEL), *answer, *page.tag(term)])
    for row, item in enumerate(arrangement.cloze, start=1):
        base = selection.headword(item.term)
        note = [Span(f"{NBSP}← {base}", NOTE)] if base.casefold() != item.answer.casefold() else []
        answer = [Span(item.answer, ANSWER), *note]
        lines.append([Span(f"{numbers['cloze']}-{row}{NBSP}", LABEL), *answer, *page.tag(item.term)])
    for row, term in enumerate(arrangement.recall, start=1):
        answer = [Span(selection.headword(term), ANSWER)]
        lines.append([Span(f"{numbers['recall']}-{row}{NBSP}", LABEL), *answer, *page.tag(term)])
    return lines


def _key(page: _Page, numbers: dict[str, int]) -> list[Any]:
    """The teacher's compact key: every item's answer and lesson, in two columns."""
    cells = [cell(line) for line in _key_lines(page, numbers)]
    cells += [cell([]) for _ in range(len(cells) % 2)]
    half = len(cells) // 2
    return [
        PageBreak(),
        RichText([Span("Answer Key", TITLE), Span(f"{NBSP}{NBSP}{NBSP}解答", SUBHEADING)], 22),
        table([[cells[i], cells[half + i]] for i in range(half)], [page.width / 2] * 2),
    ]


def _story(page: _Page) -> list[Any]:
    story = _header(page)
    numbers: dict[str, int] = {}
    for kind, section in (("matching", _matching), ("cloze", _cloze), ("recall", _recall)):
        if getattr(page.arrangement, kind):
            numbers[kind] = len(numbers) + 1
            story += section(page, numbers[kind])
    if page.teacher:
        story += _key(page, numbers)
    return story


def _pdf_date(selection: Selection) -> str:
    """The newest lesson's revision time (or date): the test changes when a lesson does, never with the clock."""
    moment = max(revision_moment(lesson) for lesson in selection.lessons)
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def _canvas_maker(page: _Page) -> Any:
    """Canvases dated by the lessons and identified by the test, never by reportlab's clock: same test, same bytes."""
    from reportlab.pdfgen.canvas import Canvas

    date = _pdf_date(page.selection)
    ids = [lesson.id for lesson in page.selection.lessons]
    identity = "\n".join([*ids, page.arrangement.version, str(page.teacher), date])

    def make(*args: Any, **kwargs: Any) -> Any:
        canvas = Canvas(*args, **kwargs)
        canvas.setDateFormatter(lambda *_: date)
        canvas._doc.signature = hashlib.md5(identity.encode(), usedforsecurity=False)  # the file /ID
        return canvas

    return make


def _document(page: _Page, buffer: io.BytesIO) -> BaseDocTemplate:
    """The page template: the frame inside the margins, and the page number below it."""
    page_size = PAGE_SIZES[page.settings.page_size]
    side, top, bottom = MARGINS[page.settings.page_size]
    edition = "teacher edition, with answers" if page.teacher else "student edition"

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(SERIF, 8.5)
        canvas.setFillGray(0.3)
        canvas.drawCentredString(page_size[0] / 2, bottom / 2, str(doc.page))
        canvas.restoreState()

    doc = BaseDocTemplate(
        buffer,
        pagesize=page_size,
        title="Review Test",
        author=page.settings.author,
        subject=f"{page.settings.course_name}: review test ({edition})",
        creator="ankiexport",
        keywords="",
        lang="ja",
        invariant=1,
        pageCompression=1,
        initialFontName=SERIF,  # else every page starts in Helvetica, which is never embedded
        initialFontSize=SIZE,
    )
    frame = Frame(side, bottom, page.width, page_size[1] - top - bottom, 0, 0, 0, 0, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPageEnd=footer)])
    return doc


def _render(page: _Page) -> tuple[bytes, int]:
    """One edition's bytes and page count."""
    buffer = io.BytesIO()
    doc = _document(page, buffer)
    try:
        doc.build(_story(page), canvasmaker=_canvas_maker(page))
    except LayoutError as exc:
        raise OutputError(f"the review test cannot be laid out: {str(exc)[:200]}") from None
    return buffer.getvalue(), doc.page


def render_review(selection: Selection, settings: Settings, version: str) -> Editions:
    """Both editions of one version of the test."""
    from .select import arrange

    prepare(settings)
    side = MARGINS[settings.page_size][0]
    width = PAGE_SIZES[settings.page_size][0] - 2 * side
    arrangement = arrange(selection, version)
    student, student_pages = _render(_Page(selection, arrangement, settings, width, teacher=False))
    teacher, teacher_pages = _render(_Page(selection, arrangement, settings, width, teacher=True))
    return Editions(student, teacher, student_pages, teacher_pages)
