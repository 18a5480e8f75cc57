"""Lay out and draw once, save several PDFs: the teacher edition's canvas makes the student editions as it goes."""

# The teacher edition is the student pages with answers drawn in place, then the answer key. Its canvas brackets
# every answer (and its own footer) as teacher-only drawing; as each page is finished, its operators without those
# brackets go to the student edition of the handout the page belongs to, a canvas of its own that shares the teacher
# document's font subsets, so nothing is measured, broken or encoded twice. Every page's content stream is compressed
# as soon as the page is finished, so a long lesson's editions never hold their drawn pages uncompressed.

from __future__ import annotations

import functools
import operator
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas


@dataclass
class RecordedPage:
    """What is kept of a drawn teacher page: its handout and how full it is (its operators went to its edition)."""

    handout: str | None  # the student handout the page belongs to; None for the teacher-only pages
    lowest: float  # the lowest frame position any flowable reached: how full the page is


class _CompressedStream(pdfdoc.PDFStream):  # type: ignore[misc]  # reportlab is untyped
    """A page's content, encoded when the page is finished: written as reportlab writes a compressed page stream
    (the same filters, the same bytes), but the document keeps a few kilobytes a page instead of the operators."""

    __Comment__ = "page stream"

    def __init__(self, content: str) -> None:
        filters = [pdfdoc.PDFBase85Encode, pdfdoc.PDFZCompress] if rl_config.useA85 else [pdfdoc.PDFZCompress]
        encoded: bytes | str = zlib.compress(content.encode("utf-8"))  # what PDFZCompress.encode does
        if rl_config.useA85:
            encoded = pdfdoc.PDFBase85Encode.encode(encoded)
        dictionary = pdfdoc.PDFDictionary()
        dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(f.pdfname) for f in filters])
        super().__init__(dictionary, encoded)


def _compress_last_page(canvas: Canvas) -> None:
    page = canvas._doc.Pages.pages[-1]
    if page.compression and page.stream and not page.Contents:
        page.Contents, page.stream = _CompressedStream(page.stream), None


class Sink:
    """The file reportlab writes a finished PDF to: it keeps the bytes it is given (a BytesIO would copy them twice
    more, 13 MB each for a long lesson's teacher edition, at the build's memory peak)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(data)
        return len(data)

    def getvalue(self) -> bytes:
        return self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)


class Edition:
    """A student edition being made: its canvas, its file and how many pages it has so far."""

    def __init__(self, canvas: Canvas, buffer: Sink) -> None:
        self.canvas = canvas
        self.buffer = buffer
        self.pages = 0


_STATE = tuple(Canvas.STATE_ATTRIBUTES)
_state_of = operator.itemgetter(*_STATE)


class EditionCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
    """A canvas that knows teacher-only drawing and compresses each page as it is finished.

    With ``student_canvas`` set (the teacher edition), each finished page also goes, without its teacher-only
    drawing, to the student edition of its handout, with that edition's own footer (``student_footer``).
    ``before_save`` runs when the document is complete (the page count known), before the file is written.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handout: str | None = None
        self.with_answers = False  # True on the teacher edition's canvas: only it draws answers
        self.lowest = float("inf")
        self.pages: list[RecordedPage] = []
        self.editions: dict[str, Edition] = {}  # the student editions by handout, in the order they start
        self.student_canvas: Callable[[Sink], Canvas] | None = None
        self.student_footer: Callable[[Canvas, int], None] = lambda canvas, number: None
        self.before_save: Callable[[EditionCanvas], None] | None = None
        self._spans: list[tuple[int, int]] = []
        self._bookmarks: list[tuple[str, str, int]] = []
        self._inside = False

    def teacher_only(self, changes: tuple[str, ...] = ()) -> _TeacherOnly:
        """Drawing inside this block appears in the teacher edition only (state saved and restored around it; given
        ``changes``, the only state attributes the drawing changes, just those are kept and put back, with the same
        operators, on a canvas that saves its state as reportlab's Canvas does)."""
        return _TeacherOnly(self, changes)

    # A worksheet saves and restores the graphics state for every paragraph and table cell it draws: a state kept as
    # a tuple of reportlab's state attributes (not a dict of them) is cheaper to take and to put back, the same state.
    def push_state_stack(self) -> None:
        state = self.__dict__
        self.state_stack.append(_state_of(state))
        state["_extgstate"] = state["_extgstate"].pushCopy()

    def pop_state_stack(self) -> None:
        self.__dict__.update(zip(_STATE, self.state_stack.pop(), strict=True))

    def add_bookmark(self, key: str, title: str, level: int) -> None:
        self.bookmarkPage(key)
        self.addOutlineEntry(title, key, level)
        self._bookmarks.append((key, title, level))

    def showPage(self) -> None:  # noqa: N802  # reportlab API
        self.pages.append(RecordedPage(self.handout, self.lowest))
        if self.handout is not None and self.student_canvas is not None:
            code, ops, position = self._code, [], 0
            for start, end in self._spans:
                ops.extend(code[position:start])
                position = end
            ops.extend(code[position:])
            self._student_page(self.handout, ops)
        self._spans, self._bookmarks, self.lowest = [], [], float("inf")
        super().showPage()
        _compress_last_page(self)

    def _student_page(self, handout: str, ops: list[str]) -> None:
        """The finished page, without its teacher-only drawing, as the next page of ``handout``'s edition."""
        edition = self.editions.get(handout)
        if edition is None:
            assert self.student_canvas is not None
            buffer = Sink()
            edition = self.editions[handout] = Edition(self.student_canvas(buffer), buffer)
        canvas = edition.canvas
        _link_fonts(self, canvas)  # its footer draws with the teacher's subsets
        canvas._code.extend(ops)
        for key, title, level in self._bookmarks:
            canvas.bookmarkPage(key)
            canvas.addOutlineEntry(title, key, level)
        edition.pages += 1
        self.student_footer(canvas, edition.pages)
        canvas.showPage()

    def save(self) -> None:
        if len(self._code):
            self.showPage()
        if self.before_save is not None:
            self.before_save(self)
        super().save()

    def finish_editions(self) -> list[tuple[str, bytes, int]]:
        """Save the student editions (while the shared font subsets are still open): (handout, bytes, pages)."""
        finished = []
        for handout, edition in self.editions.items():
            share_fonts(self, edition.canvas)
            edition.canvas.save()
            finished.append((handout, edition.buffer.getvalue(), edition.pages))
        return finished


class _TeacherOnly:
    """``EditionCanvas.teacher_only``'s block: a class, not a generator (one a line of answers), the same brackets."""

    __slots__ = ("canvas", "changes", "kept", "outer", "start")

    def __init__(self, canvas: EditionCanvas, changes: tuple[str, ...]) -> None:
        self.canvas = canvas
        self.outer = False
        self.start = 0
        kind: Any = type(canvas)
        self.changes = changes if changes and _saves_plainly(kind) else ()
        self.kept: tuple[Any, ...] = ()

    def __enter__(self) -> None:
        canvas = self.canvas
        self.outer = not canvas._inside
        if self.outer:
            canvas._inside = True
            self.start = len(canvas._code)
            if self.changes:  # saveState's operator; of the state, what the block's drawing will change
                self.kept = tuple(map(canvas.__dict__.__getitem__, self.changes))
                canvas._code.append("q")
            else:
                canvas.saveState()

    def __exit__(self, *exception: object) -> None:
        if self.outer:
            canvas = self.canvas
            if self.changes:
                canvas._code.append("Q")
                canvas.__dict__.update(zip(self.changes, self.kept, strict=True))
            else:
                canvas.restoreState()
            canvas._inside = False
            canvas._spans.append((self.start, len(canvas._code)))


@functools.cache
def _saves_plainly(kind: Any) -> bool:
    """Does a canvas of ``kind`` save and restore its state as reportlab's Canvas does?"""
    return all(getattr(kind, name) is getattr(Canvas, name) for name in ("saveState", "restoreState"))


def _link_fonts(source: Canvas, target: Canvas) -> None:
    """Let ``target`` draw with the subsets of every font ``source`` has used so far (its codes, not new ones)."""
    for font in source._doc.delayedFonts:
        font.state[target._doc] = font.state[source._doc]


def share_fonts(source: Canvas, target: Canvas) -> None:
    """Give ``target``'s document the font subsets ``source``'s pages were encoded with (the same state objects)."""
    source_doc, target_doc = source._doc, target._doc
    dynamic = {font.fontName: font for font in source_doc.delayedFonts}
    for name, internal in source_doc.fontMapping.items():
        font = dynamic.get(name)
        if font is None:  # a standard font: registering it in the same order gives it the same internal name
            assert target_doc.getInternalFontName(name) == internal, name
            continue
        font.state[target_doc] = font.state[source_doc]
        target_doc.fontMapping[name] = internal
        target_doc.delayedFonts.append(font)
