"""The PDF worksheet writer: a lesson's exercises (matching, sentence cloze, gap-fill), reading page and answer key."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.flowables import HRFlowable

from ..config import Settings
from ..errors import OutputError
from ..fonts import font_path
from ..model import Cloze, GapToken, Lesson
from . import Written
from .pdf_text import Inline, RichText, Slot, Span, Style
from .pdf_unicode import fix_to_unicode

# JIS B5, not reportlab's ISO B5 (176 x 250 mm): Japanese schools' B5 is the JIS size.
PAGE_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "b5": (182 * mm, 257 * mm), "letter": LETTER}
MARGINS: dict[str, tuple[float, float, float]] = {  # sides, top, bottom (the page number sits in the bottom one)
    "a4": (18 * mm, 16 * mm, 18 * mm),
    "b5": (15 * mm, 14 * mm, 16 * mm),
    "letter": (18 * mm, 16 * mm, 18 * mm),
}

# Four faces, no more: every face used adds its own embedded subset (15-110 KB each) to a 300 KiB budget, so
# emphasis is the bold sans (and Gothic for Japanese), never a fifth face.
SERIF, SANS_BOLD = "LiberationSerif", "LiberationSans-Bold"
MINCHO, GOTHIC = "IPAexMincho", "IPAexGothic"
FONT_FILES = {
    SERIF: "LiberationSerif-Regular.ttf",
    SANS_BOLD: "LiberationSans-Bold.ttf",
    MINCHO: "ipaexm.ttf",
    GOTHIC: "ipaexg.ttf",
}

SIZE = 10.5  # the usual Japanese body size
BODY = Style(SERIF, MINCHO, SIZE)
BOLD = Style(SANS_BOLD, GOTHIC, SIZE - 0.5)  # there is no bold Mincho; Gothic is the conventional emphasis
MARKED = Style(SERIF, MINCHO, SIZE, underline=True)  # bold would turn a key where most words are gapped black
INSTRUCTION = Style(SERIF, MINCHO, SIZE - 0.5)
NOTE = Style(SERIF, MINCHO, SIZE - 1, grey=0.25)
LABEL = Style(SANS_BOLD, GOTHIC, SIZE - 1)
SMALL = Style(SERIF, MINCHO, 8.5, grey=0.3)
HEADING = Style(SANS_BOLD, GOTHIC, 12.5)
SUBHEADING = Style(SANS_BOLD, GOTHIC, 9.5, grey=0.35)
TITLE = Style(SANS_BOLD, GOTHIC, 15)
NBSP = "\u00a0"
LETTER_SLOT = 10.0  # points per missing letter: room for a handwritten lower-case letter
LETTER_GAP = 2.6  # white between letter slots, so the count stays visible

_registered = False


def prepare(settings: Settings | None = None) -> None:
    """Register the bundled fonts with reportlab, once per process (parsing IPAex's 14 MB takes a while)."""
    global _registered
    if _registered:
        return
    fix_to_unicode()
    for name, filename in FONT_FILES.items():
        try:
            pdfmetrics.registerFont(TTFont(name, str(font_path(filename))))
        except OutputError:
            raise
        except Exception as exc:  # reportlab raises bare TTFError and friends for damaged fonts
            raise OutputError(f"cannot load the worksheet font {filename}: {exc}") from None
    _registered = True


def _headword(lesson: Lesson, entry: int) -> str:
    """The word-bank form of a term (the analysis's dictionary form; the term itself if none was set)."""
    vocab = lesson.vocabulary[entry]
    return vocab.headword or vocab.term


@dataclass
class _Layout:
    """Measurements that depend on the page size."""

    width: float  # text frame width
    page: tuple[float, float]


def _heading(
    number: int | None, english: str, japanese: str, key: str, *, space_before: float = 14, level: int = 0
) -> RichText:
    inlines: list[Inline] = []
    if number is not None:
        inlines.append(Span(f"{number}{NBSP}{NBSP}", HEADING))
    inlines += [Span(english, HEADING), Span(f"{NBSP}{NBSP}{NBSP}{japanese}", SUBHEADING)]
    title = f"{number}. {english}" if number is not None else english
    return RichText(
        inlines, 20, space_before=space_before, space_after=3, keep_with_next=True, bookmark=(key, title, level)
    )


def _instructions(english: str, japanese: str) -> list[RichText]:
    return [
        RichText([Span(english, INSTRUCTION)], 14, keep_with_next=True),
        RichText([Span(japanese, NOTE)], 14, space_after=6, keep_with_next=True),
    ]


def _seed(lesson: Lesson, purpose: str) -> random.Random:
    # Seeded from the lesson id, never from time or hash(): the same lesson gives the same worksheet everywhere.
    return random.Random(int(hashlib.sha256(f"{lesson.id}:{purpose}".encode()).hexdigest()[:16], 16))


def _matching_order(lesson: Lesson) -> list[int]:
    """The order of the glosses: a deterministic shuffle that leaves as few glosses beside their term as it can."""
    count = len(lesson.vocabulary)
    order = list(range(count))
    if count < 2:
        return order
    rng = _seed(lesson, "matching")
    best = order[:]
    best_fixed = count + 1
    for _ in range(50):
        rng.shuffle(order)
        fixed = sum(1 for i, j in enumerate(order) if i == j)
        if fixed < best_fixed:
            best, best_fixed = order[:], fixed
        if fixed == 0:
            break
    return best


def _letter(index: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def _cell(inlines: Sequence[Inline], leading: float = 15, **kw: Any) -> RichText:
    return RichText(inlines, leading, **kw)


def _table(rows: list[list[Any]], widths: list[float], *, box: bool = False, pad: float = 3) -> Table:
    # splitInRow: a row taller than a page (a pasted essay as a gloss) splits instead of failing the layout.
    table = Table(rows, colWidths=widths, hAlign="LEFT", splitInRow=1)
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
    table.setStyle(TableStyle(commands))
    return table


def _header(lesson: Lesson, settings: Settings, layout: _Layout) -> list[Any]:
    story: list[Any] = [
        _table(
            [
                [
                    _cell([Span(settings.course_name, SMALL)], 11),
                    _cell([Span(lesson.date or "", SMALL)], 11, align="right"),
                ]
            ],
            [layout.width * 0.7, layout.width * 0.3],
            pad=0,
        ),
        RichText([Span(lesson.title, TITLE)], 20, space_before=4, bookmark=("top", lesson.title or lesson.id, 0)),
    ]
    if lesson.translation is not None and lesson.translation.title:
        story.append(RichText([Span(lesson.translation.title, SUBHEADING)], 15, space_before=1))
    name_width = layout.width * 0.42
    rest = (layout.width - name_width) / 2
    label = LABEL
    story += [
        Spacer(1, 10),
        _table(
            [
                [
                    _cell([Span(f"Name 名前{NBSP}", label), Slot(name_width - 62, label)], 18),
                    _cell([Span(f"Date 日付{NBSP}", label), Slot(rest - 62, label)], 18),
                    _cell([Span(f"Score 得点{NBSP}", label), Slot(rest - 68, label)], 18),
                ]
            ],
            [name_width, rest, rest],
            pad=0,
        ),
        Spacer(1, 4),
        HRFlowable(width="100%", thickness=1.2, color=(0, 0, 0), spaceBefore=2, spaceAfter=2),
    ]
    return story


def _matching(lesson: Lesson, number: int, layout: _Layout, order: list[int]) -> list[Any]:
    story: list[Any] = [
        _heading(number, "Vocabulary matching", "語彙のマッチング", "matching"),
        *_instructions(
            "Match each word or phrase with its Japanese meaning. Write the letter in the brackets.",
            "それぞれの語句に合う日本語の意味を選び、記号を（　）に書きなさい。",
        ),
    ]
    rows = []
    for row, entry in enumerate(lesson.vocabulary):
        gloss = lesson.vocabulary[order[row]].gloss
        rows.append(
            [
                _cell([Span(f"{row + 1}.", LABEL)], align="right"),
                _cell([Span(f"({NBSP * 7})", BODY)]),
                _cell([Span(entry.headword or entry.term, BODY)]),
                _cell([Span(f"{_letter(row)}.", LABEL)], align="right"),
                _cell([Span(gloss, BODY)]),
            ]
        )
    term_width = layout.width * 0.32
    widths = [20.0, 40.0, term_width, 20.0, layout.width - 80 - term_width]
    table = _table(rows, widths)
    table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 3.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5)]))
    story.append(table)
    return story


def _blank_groups(cloze: Cloze) -> list[tuple[int, int, int]]:
    """(start, end, use number) per blank; a term's words separated only by spaces make one blank."""
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


def _cloze_blanks(lesson: Lesson) -> list[tuple[Cloze, list[tuple[int, int, int]], int]]:
    """Each cloze with its blanks and the number of its first blank (numbering runs through the exercise)."""
    result = []
    first = 1
    for cloze in lesson.clozes:
        if not _well_formed(cloze, len(lesson.vocabulary)):
            continue  # a blank in the wrong place would teach the wrong answer; better one sentence fewer
        groups = _blank_groups(cloze)
        result.append((cloze, groups, first))
        first += len(cloze.uses)
    return result


def _blank_width(answer: str, layout: _Layout) -> float:
    measured = pdfmetrics.stringWidth(answer, SERIF, SIZE)
    return float(min(max(64.0, measured * 1.3 + 14), layout.width * 0.6))


def _cloze(lesson: Lesson, number: int, layout: _Layout) -> list[Any]:
    blanks = _cloze_blanks(lesson)
    bank = sorted(
        {_headword(lesson, use.entry) for cloze, _, _ in blanks for use in cloze.uses},
        key=str.lower,
    )
    story: list[Any] = [
        _heading(number, "Sentence cloze", "文の穴埋め", "cloze"),
        *_instructions(
            "Fill in each numbered blank with a word or phrase from the box. Change its form if the sentence needs it.",
            "枠内から適切な語句を選び、必要なら形を変えて、番号の付いた空所に書き入れなさい。",
        ),
    ]
    columns = 3 if layout.width > 430 else 2
    cells = [_cell([Span(term.replace(" ", NBSP), BODY)], 15) for term in bank]
    while len(cells) % columns:
        cells.append(_cell([Span("", BODY)], 15))
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    bank_table = _table(rows, [(layout.width - 2) / columns] * columns, box=True, pad=8)
    bank_table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 6)]))
    bank_table.keepWithNext = True  # a word bank alone at a page foot, its sentences overleaf, is useless
    story += [bank_table, Spacer(1, 8)]
    for item, (cloze, groups, first) in enumerate(blanks, start=1):
        inlines: list[Inline] = []
        position = 0
        for start, end, use in groups:
            inlines.append(Span(cloze.sentence[position:start], BODY))
            inlines.append(Span(f"({first + use}){NBSP}", LABEL))
            inlines.append(Slot(_blank_width(cloze.sentence[start:end], layout), BODY))
            position = end
        inlines.append(Span(cloze.sentence[position:], BODY))
        story.append(RichText(inlines, SIZE * 2.3, label=[Span(f"{item}.", LABEL)], indent=20, space_after=2))
    return story


def _gap_inlines(tokens: Sequence[GapToken], *, answers: bool) -> list[Inline]:
    inlines: list[Inline] = []
    for index, token in enumerate(tokens):
        if index:
            # Two spaces: one space is hardly wider than the white between letter slots, and words would run on.
            inlines.append(Span(" " if answers else "  ", BODY))
        if answers:
            inlines.append(Span(token.answer, MARKED if token.shown != token.answer else BODY))
            continue
        text = ""
        for char in token.shown:
            if char == "_":
                if text:
                    inlines.append(Span(text, BODY))
                    text = ""
                inlines.append(Slot(LETTER_SLOT, BODY, gap=LETTER_GAP))
            else:
                text += char
        if text:
            inlines.append(Span(text, BODY))
    return inlines


def _gapfill(lesson: Lesson, number: int) -> list[Any]:
    assert lesson.exercise is not None
    story: list[Any] = [
        _heading(number, "Complete the article", "語の補充", "gapfill"),
        *_instructions(
            "Complete each word. The first letter is given, and each line stands for one missing letter.",
            "最初の文字をヒントに単語を完成させなさい。下線1本が1文字です。",
        ),
    ]
    for tokens in lesson.exercise.paragraphs:
        story.append(RichText(_gap_inlines(tokens, answers=False), SIZE * 2.4, space_after=7))
    return story


def _reading(lesson: Lesson) -> list[Any]:
    story: list[Any] = [
        PageBreak(),
        _heading(None, "Reading", "本文と和訳", "reading", space_before=0),
        RichText([Span("Read the article aloud.", INSTRUCTION)], 14, keep_with_next=True),
        RichText([Span("記事を音読しましょう。", NOTE)], 14, space_after=6, keep_with_next=True),
    ]
    reading = Style(SERIF, MINCHO, 11.5)
    for paragraph in lesson.article:
        story.append(RichText([Span(paragraph.text, reading)], 19, space_after=5))
    if lesson.translation is not None:
        story.append(Spacer(1, 8))
        if lesson.translation.title:
            story.append(RichText([Span(lesson.translation.title, BOLD)], 17, space_after=4, keep_with_next=True))
        for text in lesson.translation.paragraphs:
            story.append(RichText([Span("\u3000" + text, BODY)], 18.5, space_after=4, align="justify"))
    return story


def _answer_key(lesson: Lesson, numbers: dict[str, int], layout: _Layout, order: list[int]) -> list[Any]:
    story: list[Any] = [
        PageBreak(),
        RichText(
            [Span("Answer Key", TITLE), Span(f"{NBSP}{NBSP}{NBSP}解答", Style(SANS_BOLD, GOTHIC, 12, grey=0.35))],
            22,
            bookmark=("answers", "Answer Key 解答", 0),
        ),
        HRFlowable(width="100%", thickness=1.2, color=(0, 0, 0), spaceBefore=2, spaceAfter=4),
    ]
    if "matching" in numbers:
        story.append(_heading(numbers["matching"], "Vocabulary matching", "語彙のマッチング", "key-matching", level=1))
        position = {entry: row for row, entry in enumerate(order)}
        columns = 4 if layout.width > 430 else 3
        cells = [
            _cell([Span(f"{row + 1}.{NBSP}{NBSP}", LABEL), Span(_letter(position[row]), BOLD)])
            for row in range(len(lesson.vocabulary))
        ]
        while len(cells) % columns:
            cells.append(_cell([]))
        rows = max(1, len(cells) // columns)
        # Down the columns, like a printed key: 1-4 in the first column, not across.
        grid = [[cells[c * rows + r] for c in range(columns)] for r in range(rows)]
        story.append(_table(grid, [layout.width / columns] * columns))
    if "cloze" in numbers:
        story.append(_heading(numbers["cloze"], "Sentence cloze", "文の穴埋め", "key-cloze", level=1))
        items: list[RichText] = []
        for cloze, groups, first in _cloze_blanks(lesson):
            for n, use in enumerate(cloze.uses):
                words = [cloze.sentence[s:e] for s, e, g in groups if g == n]
                answer = " … ".join(words)
                base = _headword(lesson, use.entry)
                inlines: list[Inline] = [Span(f"({first + n}){NBSP}", LABEL), Span(answer, BOLD)]
                if base.lower() != answer.lower():
                    inlines.append(Span(f"{NBSP}{NBSP}← {base}", NOTE))
                items.append(_cell(inlines))
        half = (len(items) + 1) // 2
        left, right = items[:half], items[half:]
        while len(right) < len(left):
            right.append(_cell([]))
        story.append(_table([list(pair) for pair in zip(left, right, strict=True)], [layout.width / 2] * 2))
    if "gapfill" in numbers and lesson.exercise is not None:
        story.append(_heading(numbers["gapfill"], "Complete the article", "語の補充", "key-gapfill", level=1))
        story.append(RichText([Span("Filled-in words are underlined.", NOTE)], 13, space_after=4, keep_with_next=True))
        for tokens in lesson.exercise.paragraphs:
            story.append(RichText(_gap_inlines(tokens, answers=True), SIZE * 1.65, space_after=3))
    return story


def _story(lesson: Lesson, settings: Settings, layout: _Layout) -> list[Any]:
    story = _header(lesson, settings, layout)
    numbers: dict[str, int] = {}
    order = _matching_order(lesson)
    if lesson.vocabulary:
        numbers["matching"] = len(numbers) + 1
        story += _matching(lesson, numbers["matching"], layout, order)
    if _cloze_blanks(lesson):
        numbers["cloze"] = len(numbers) + 1
        story += _cloze(lesson, numbers["cloze"], layout)
    if lesson.exercise is not None and any(lesson.exercise.paragraphs):
        numbers["gapfill"] = len(numbers) + 1
        story += _gapfill(lesson, numbers["gapfill"])
    if not numbers:
        story.append(RichText([Span("This lesson has no vocabulary or article to make exercises from.", NOTE)], 16))
    if settings.reading_page and (lesson.article or lesson.translation):
        story += _reading(lesson)
    if numbers:
        story += _answer_key(lesson, numbers, layout, order)
    return story


def _pdf_date(lesson: Lesson) -> str:
    """The creation date written into the PDF: the lesson's revision time, else its date, else a fixed epoch."""
    if lesson.revised:
        moment = dt.datetime.fromtimestamp(lesson.revised, tz=dt.timezone.utc)
    elif lesson.date:
        try:
            moment = dt.datetime.fromisoformat(lesson.date).replace(tzinfo=dt.timezone.utc)
        except ValueError:
            moment = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    else:
        moment = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


class _Document(BaseDocTemplate):  # type: ignore[misc]  # reportlab is untyped
    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802  # reportlab API
        bookmark = getattr(flowable, "bookmark", None)
        if bookmark is not None:
            key, title, level = bookmark
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level)


class _Canvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
    """Defines the page-total form at the end, when the total is known (every footer already refers to it)."""

    def save(self) -> None:
        self.beginForm("pageTotal")
        self.setFont(SERIF, 8.5)
        self.setFillGray(0.3)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()


def _footer(layout: _Layout, bottom: float) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        y = bottom / 2
        canvas.setFont(SERIF, 8.5)
        canvas.setFillGray(0.3)
        canvas.setStrokeGray(0.3)
        middle = layout.page[0] / 2
        canvas.drawRightString(middle - 4, y, str(doc.page))
        canvas.drawCentredString(middle, y, "/")
        canvas.translate(middle + 4, y)
        canvas.doForm("pageTotal")
        canvas.restoreState()

    return draw


def write_pdf(lesson: Lesson, path: Path | BinaryIO, settings: Settings) -> Written:
    """Write ``lesson``'s worksheet to ``path`` (a file or a binary stream) and report its page count."""
    prepare(settings)
    page = PAGE_SIZES.get(settings.page_size)
    if page is None:
        raise OutputError(f"unknown page size {settings.page_size!r}", lesson.source)
    side, top, bottom = MARGINS[settings.page_size]
    layout = _Layout(width=page[0] - 2 * side, page=page)
    date = _pdf_date(lesson)

    def make_canvas(*args: Any, **kwargs: Any) -> _Canvas:
        canvas = _Canvas(*args, **kwargs)
        canvas.setDateFormatter(lambda *_: date)
        # reportlab seeds the file /ID with its clock (or SOURCE_DATE_EPOCH, which the build may set for other
        # reasons); seed it with the lesson's own date so the same lesson always gives the same bytes.
        canvas._doc.signature = hashlib.md5(b"ankiexport worksheet " + date.encode(), usedforsecurity=False)
        return canvas

    doc = _Document(
        str(path) if isinstance(path, Path) else path,
        pagesize=page,
        leftMargin=side,
        rightMargin=side,
        topMargin=top,
        bottomMargin=bottom,
        title=lesson.title,
        author=settings.author,
        subject=f"{settings.course_name}: worksheet and answer key",
        creator="ankiexport",
        keywords="",
        lang="ja",
        invariant=1,
        pageCompression=1,
        initialFontName=SERIF,  # the canvas would otherwise start every page in Helvetica, which is never embedded
        initialFontSize=SIZE,
    )
    frame = Frame(side, bottom, layout.width, page[1] - top - bottom, 0, 0, 0, 0, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPageEnd=_footer(layout, bottom))])
    try:
        doc.build(_story(lesson, settings, layout), canvasmaker=make_canvas)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}", lesson.source) from None
    except LayoutError as exc:
        raise OutputError(f"the worksheet cannot be laid out: {str(exc)[:200]}", lesson.source) from None
    return Written(pages=doc.page)
