"""The PDF worksheet writer: a lesson's editions (student handouts, the teacher edition, the reading handout)."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate
from reportlab.platypus.doctemplate import LayoutError, _addGeneratedContent
from reportlab.platypus.frames import _FUZZ

from ..config import Settings
from ..errors import OutputError, os_reason
from ..fonts import font_path
from ..model import Lesson
from . import Output, Written
from . import pdf_sheets as sheets
from .determinism import revision_moment
from .pdf_edition import EditionCanvas, RecordedPage, Sink
from .pdf_reading import reading_story
from .pdf_save import share_subsets
from .pdf_sheets import GOTHIC, MINCHO, NOTE, SANS_BOLD, SERIF, SIZE, Sheet
from .pdf_story import Story
from .pdf_text import RichText, Span
from .pdf_unicode import fix_to_unicode

__all__ = [  # the review test (ankiexport.review) lays out its pages with the same paper, faces and size
    "GOTHIC",
    "MARGINS",
    "MINCHO",
    "PAGE_SIZES",
    "SANS_BOLD",
    "SERIF",
    "SIZE",
    "Editions",
    "edition_outputs",
    "prepare",
    "render_editions",
    "write_pdf",
]

# JIS B5, not reportlab's ISO B5 (176 x 250 mm): Japanese schools' B5 is the JIS size.
PAGE_SIZES: dict[str, tuple[float, float]] = {"a4": A4, "b5": (182 * mm, 257 * mm), "letter": LETTER}
MARGINS: dict[str, tuple[float, float, float]] = {  # sides, top, bottom (the page number sits in the bottom one)
    "a4": (18 * mm, 16 * mm, 18 * mm),
    "b5": (15 * mm, 14 * mm, 16 * mm),
    "letter": (18 * mm, 16 * mm, 18 * mm),
}

# Four faces, no more: every face used adds its own embedded subset (15-110 KB each) to a 300 KiB budget, so
# emphasis is the bold sans (and Gothic for Japanese), never a fifth face.
FONT_FILES = {
    SERIF: "LiberationSerif-Regular.ttf",
    SANS_BOLD: "LiberationSans-Bold.ttf",
    MINCHO: "ipaexm.ttf",
    GOTHIC: "ipaexg.ttf",
}

BODY = sheets.BODY
_registered = False


def prepare(settings: Settings | None = None) -> None:
    """Register the bundled fonts with reportlab, once per process (parsing IPAex's 14 MB takes a while)."""
    global _registered
    if _registered:
        return
    fix_to_unicode()
    share_subsets()
    for name, filename in FONT_FILES.items():
        try:
            pdfmetrics.registerFont(TTFont(name, str(font_path(filename))))
        except OutputError:
            raise
        except Exception as exc:  # reportlab raises bare TTFError and friends for damaged fonts
            raise OutputError(f"cannot load the worksheet font {filename}: {exc}") from None
    _registered = True


@dataclass(frozen=True)
class Editions:
    """A lesson's PDFs. ``handouts`` are the student editions in order (name suffix, bytes, pages): the worksheet
    ("") and, when the lesson has one, the gap-fill ("-gapfill"), which cannot share a handout with the cloze: the
    cloze prints the article's sentences. ``teacher`` is every student page with its answers, then the key."""

    handouts: tuple[tuple[str, bytes, int], ...]
    teacher: bytes
    teacher_pages: int
    reading: bytes | None = None
    reading_pages: int = 0


def has_gapfill_handout(lesson: Lesson) -> bool:
    """True when the lesson's student editions include the gap-fill handout (``<stem>-gapfill.pdf``)."""
    # (the first gapped word answers it: sheets.gapped_words would list a long lesson's every one first)
    exercise = lesson.exercise
    return exercise is not None and any("_" in token.shown for tokens in exercise.paragraphs for token in tokens)


def _teacher_story(sheet: Sheet) -> list[Any]:
    """Every handout in order, each marked for the student editions, then the teacher-only answer key."""
    lesson = sheet.lesson
    numbers: dict[str, int] = {}
    plan = sheets.plan_matching(sheet)
    items = sheets.plan_cloze(sheet)
    body: list[Any] = []
    if len(plan.items):
        numbers["matching"] = len(numbers) + 1
        body += sheets.matching(sheet, numbers["matching"], plan)
    if items:
        numbers["cloze"] = len(numbers) + 1
        body += sheets.cloze(sheet, numbers["cloze"], items)
    total = sheets.POINTS["matching"] * len(plan.items) + sheets.POINTS["cloze"] * len(sheets._terms(items))
    story: list[Any] = [sheets.HandoutStart(""), *sheets.header(sheet, lesson.title, "", total), *body]
    if not body:
        story.append(RichText([Span("This lesson has no vocabulary to make exercises from.", NOTE)], 16))
    if has_gapfill_handout(lesson):
        numbers["gapfill"] = len(numbers) + 1
        # The English title repeats the article's phrases, so the gap-fill handout is headed by the Japanese one.
        subtitle = lesson.translation.title if lesson.translation is not None else ""
        count = len(sheets._flat(lesson))
        story += [PageBreak(), sheets.HandoutStart("-gapfill"), *sheets.header(sheet, "", subtitle, count)]
        story += sheets.gapfill(sheet, None)  # a handout of its own: no section number
    if numbers:
        story += [PageBreak(), sheets.HandoutStart(None), *sheets.answer_key(sheet, numbers, plan, items)]
    return story


def _pdf_date(lesson: Lesson) -> str:
    """The creation date written into the PDF: when the lesson last changed, never the clock."""
    return revision_moment(lesson).strftime("D:%Y%m%d%H%M%S+00'00'")


class _Document(BaseDocTemplate):  # type: ignore[misc]  # reportlab is untyped
    # Called with each finished handout's last page, as soon as the next handout starts (a short page found
    # early spares drawing the rest of a layout that will be redone).
    check: Callable[[Any, int], None] | None = None

    def handle_flowable(self, flowables: Any) -> None:
        """reportlab's ``handle_flowable``, but a paragraph that fits where the frame stands is placed and drawn at
        once, as reportlab places and draws it (a long lesson has a hundred thousand; the general steps cost more than
        laying one out). Anything else, and a paragraph that does not fit, goes through reportlab itself."""
        flowable = flowables[0]
        # reportlab's break-before step finds nothing to do on a RichText (it has no page or frame break before, and
        # no style), and its keep-with-next step only what keepWithNext asks for.
        if type(flowable) is not RichText or flowable.keepWithNext or not _placed(self.frame, flowable, self.canv):
            super().handle_flowable(flowables)
            return
        del flowables[0]
        self._curPageFlowableCount += 1
        self.afterFlowable(flowable)
        _addGeneratedContent(flowables, self.frame)

    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802  # reportlab API
        if self.frame is not None:
            self.canv.lowest = min(self.canv.lowest, self.frame._y)
        if isinstance(flowable, sheets.HandoutStart):
            if self.check is not None and self.canv.pages:
                self.check(self.canv.pages[-1], len(self.canv.pages))
            self.canv.handout = flowable.handout
        bookmark = getattr(flowable, "bookmark", None)
        if bookmark is not None:
            self.canv.add_bookmark(*bookmark)


def _placed(frame: Frame, flowable: RichText, canvas: Any) -> bool:
    """``frame.add(flowable, canvas)`` when it fits (the same arithmetic, the same drawing), for a flowable without
    reportlab's frame actions, zero size or space transfer; False, having drawn nothing, when it does not fit (or the
    frame has backgrounds or debugging on: reportlab then does it all)."""
    if frame._debug or getattr(frame, "_frameBGs", None):
        return False
    y = frame._y
    bottom = frame._y1p
    space: float = 0
    available = frame._getAvailableWidth()
    if not frame._atTop:
        space = flowable.spaceBefore
        if frame._oASpace:
            space = max(space - frame._prevASpace, 0)
    height = y - bottom - space
    if not height > 0:
        return False
    width, height = flowable.wrap(available, height)
    height += space
    y -= height
    if y < bottom - _FUZZ:
        return False
    after = flowable.spaceAfter
    flowable.drawOn(canvas, frame._x + frame._leftExtraIndent, y, _sW=available - width)
    y -= after
    if frame._oASpace:
        frame._prevASpace = after
    if y != frame._y:
        frame._atTop = 0
    frame._y = y
    return True


class _Canvas(EditionCanvas):
    """Defines the page-total form at the end, when the total is known (every footer already refers to it)."""

    def save(self) -> None:
        if len(self._code):
            self.showPage()
        self.beginForm("pageTotal")
        self.setFont(SERIF, 8.5)
        self.setFillGray(0.3)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()


def _draw_footer(canvas: Any, page: tuple[float, float], bottom: float, number: int) -> None:
    canvas.saveState()
    y = bottom / 2
    canvas.setFont(SERIF, 8.5)
    canvas.setFillGray(0.3)
    middle = page[0] / 2
    canvas.drawRightString(middle - 4, y, str(number))
    canvas.drawCentredString(middle, y, "/")
    canvas.translate(middle + 4, y)
    canvas.doForm("pageTotal")
    canvas.restoreState()


@dataclass(frozen=True)
class _Paper:
    page: tuple[float, float]
    side: float
    top: float
    bottom: float

    @property
    def width(self) -> float:
        return self.page[0] - 2 * self.side

    @property
    def height(self) -> float:
        return self.page[1] - self.top - self.bottom


def _paper(settings: Settings, lesson: Lesson) -> _Paper:
    page = PAGE_SIZES.get(settings.page_size)
    if page is None:
        raise OutputError(f"unknown page size {settings.page_size!r}", lesson.source)
    return _Paper(page, *MARGINS[settings.page_size])


def _canvas_maker(lesson: Lesson, settings: Settings, paper: _Paper, subject: str) -> Callable[..., _Canvas]:
    date = _pdf_date(lesson)

    def make(target: Any, **kwargs: Any) -> _Canvas:
        kwargs.update(pagesize=paper.page, invariant=1, pageCompression=1, lang="ja")
        kwargs.update(initialFontName=SERIF, initialFontSize=SIZE)  # else Helvetica, which is never embedded
        canvas = _Canvas(target, **kwargs)
        canvas.setDateFormatter(lambda *_: date)
        # reportlab seeds the file /ID with its clock (or SOURCE_DATE_EPOCH, which the build may set for other
        # reasons); seed it with the lesson's own date so the same lesson always gives the same bytes.
        canvas._doc.signature = hashlib.md5(b"ankiexport worksheet " + date.encode(), usedforsecurity=False)
        canvas.setTitle(lesson.title)
        canvas.setAuthor(settings.author)
        canvas.setSubject(f"{settings.course_name}: {subject}")
        canvas.setCreator("ankiexport")
        return canvas

    make.author = settings.author  # type: ignore[attr-defined]
    make.subject = f"{settings.course_name}: {subject}"  # type: ignore[attr-defined]
    return make


def _build(
    story: list[Any],
    lesson: Lesson,
    paper: _Paper,
    make: Callable[..., _Canvas],
    footer: Any,
    check: Callable[[Any, int], None] | None = None,
) -> bytes:
    buffer = Sink()
    doc = _Document(
        buffer,
        title=lesson.title,  # the document template sets these on its canvas, over what the maker set
        author=make.author,  # type: ignore[attr-defined]
        subject=make.subject,  # type: ignore[attr-defined]
        creator="ankiexport",
        pagesize=paper.page,
        leftMargin=paper.side,
        rightMargin=paper.side,
        topMargin=paper.top,
        bottomMargin=paper.bottom,
    )
    frame = _Frame(paper.side, paper.bottom, paper.width, paper.height, 0, 0, 0, 0, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPageEnd=footer)])
    doc.check = check
    try:
        doc.build(Story(story), canvasmaker=make)
    except LayoutError as exc:
        raise OutputError(f"the worksheet cannot be laid out: {str(exc)[:200]}", lesson.source) from None
    return buffer.getvalue()


_ATOMS = (int, float, str, bool, type(None))


class _Frame(Frame):  # type: ignore[misc]  # reportlab is untyped
    """reportlab's frame, copied faster: platypus deep-copies the frame each time it measures a kept-together run
    (a dozen times a lesson); numbers and names are copied as deepcopy copies them, as themselves."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Frame:
        copied = self.__class__.__new__(self.__class__)
        memo[id(self)] = copied
        copied.__dict__.update(
            (name, value if type(value) in _ATOMS else copy.deepcopy(value, memo))
            for name, value in self.__dict__.items()
        )
        return copied


class _ShortPageError(Exception):
    """A page of the layout is under a quarter full: lay the lesson out again, a little denser."""


MIN_FILL = 0.25  # no page of a handout less than a quarter full
DENSITIES = 3  # how many ever denser layouts to try before accepting a short page
# A short page found after this many pages is accepted: a denser layout moves a long handout's end by a chance amount,
# and each retry is a whole layout (a 1 MB lesson's took three, ~70 s each). So a retried layout never gets further
# than this: every lesson is laid out once in full plus at most (DENSITIES - 1) times RETRY_PAGES pages.
RETRY_PAGES = 12


def render_editions(lesson: Lesson, settings: Settings, version: str = "") -> Editions:
    """Every PDF of ``lesson``: laid out and drawn once for the teacher edition, whose pages go to the student
    editions without the answers as they are finished. ``version`` ("A", "B", ...) reshuffles the exercises and
    labels the header."""
    prepare(settings)
    paper = _paper(settings, lesson)
    for density in range(DENSITIES):
        sheet = Sheet(lesson, settings, paper.width, paper.height, version, density)
        try:
            handouts, teacher, pages = _worksheets(sheet, paper, last=density == DENSITIES - 1)
        except _ShortPageError:
            continue
        break
    reading, reading_pages = None, 0
    if settings.reading_page and (lesson.article or lesson.translation):
        counted: list[int] = []

        def reading_footer(canvas: Any, doc: Any) -> None:
            _draw_footer(canvas, paper.page, paper.bottom, doc.page)
            counted.append(doc.page)

        make_reading = _canvas_maker(lesson, settings, paper, "reading handout")
        reading = _build(reading_story(sheet, settings.vocabulary_page), lesson, paper, make_reading, reading_footer)
        reading_pages = len(counted)
    return Editions(handouts, teacher, pages, reading, reading_pages)


def _worksheets(sheet: Sheet, paper: _Paper, last: bool) -> tuple[tuple[tuple[str, bytes, int], ...], bytes, int]:
    """The student handouts and the teacher edition, from one layout; _ShortPageError when a page comes out short."""
    lesson, settings = sheet.lesson, sheet.settings
    handouts: list[tuple[str, bytes, int]] = []
    drawn: list[int] = []

    def teacher_footer(canvas: Any, doc: Any) -> None:
        with canvas.teacher_only():
            _draw_footer(canvas, paper.page, paper.bottom, doc.page)

    def student_footer(canvas: Any, number: int) -> None:
        _draw_footer(canvas, paper.page, paper.bottom, number)

    def check(page: RecordedPage, pages: int) -> None:
        if not last and pages <= RETRY_PAGES and (paper.bottom + paper.height - page.lowest) / paper.height < MIN_FILL:
            raise _ShortPageError

    def finish_students(teacher: EditionCanvas) -> None:
        for page in teacher.pages:
            check(page, len(teacher.pages))
        drawn.append(len(teacher.pages))
        handouts.extend(teacher.finish_editions())

    make_teacher = _canvas_maker(lesson, settings, paper, "worksheet (teacher edition, with answers)")
    make_student = _canvas_maker(lesson, settings, paper, "worksheet (student edition)")

    def make(*args: Any, **kwargs: Any) -> _Canvas:
        canvas = make_teacher(*args, **kwargs)
        canvas.before_save = finish_students
        canvas.with_answers = True
        canvas.student_canvas, canvas.student_footer = make_student, student_footer
        return canvas

    make.author, make.subject = make_teacher.author, make_teacher.subject  # type: ignore[attr-defined]
    teacher = _build(_teacher_story(sheet), lesson, paper, make, teacher_footer, check)
    return tuple(handouts), teacher, drawn[0]


def edition_outputs(lesson: Lesson, settings: Settings, stem: str) -> list[Output]:
    """The pdf format's files: the student handouts for learners; the teacher edition and reading handout for
    teachers only (the reading handout prints the article whole, so it would give the gap-fill away)."""
    editions = render_editions(lesson, settings)
    outputs = [Output(f"{stem}{suffix}.pdf", data, "learner", pages=pages) for suffix, data, pages in editions.handouts]
    outputs.append(Output(f"{stem}-teacher.pdf", editions.teacher, "teacher", pages=editions.teacher_pages))
    if editions.reading is not None:
        outputs.append(Output(f"{stem}-reading.pdf", editions.reading, "teacher", pages=editions.reading_pages))
    return outputs


def write_pdf(lesson: Lesson, path: Path | BinaryIO, settings: Settings) -> Written:
    """Write ``lesson``'s student worksheet (its first handout) to ``path`` (a file or a binary stream)."""
    _, data, pages = render_editions(lesson, settings).handouts[0]
    try:
        if isinstance(path, Path):
            path.write_bytes(data)
        else:
            path.write(data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {os_reason(exc)}", lesson.source) from None
    return Written(pages=pages)
