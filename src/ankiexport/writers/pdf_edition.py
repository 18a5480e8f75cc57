"""Lay out and draw once, save several PDFs: the teacher edition's canvas records its pages for the student editions.

The teacher edition is the student pages with answers drawn in place, then the answer key. Its canvas brackets
every answer (and its own footer) as teacher-only drawing; each finished page is kept without those operators,
tagged with the student handout it belongs to. A student edition is then a fresh canvas that replays its pages'
operators verbatim, sharing the teacher document's font subsets, so nothing is measured, broken or encoded twice.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfgen.canvas import Canvas


@dataclass
class RecordedPage:
    """One drawn page as a student edition prints it: the shared operators, its handout and its outline entries."""

    ops: list[str]
    handout: str | None  # the student handout the page belongs to; None for the teacher-only pages
    lowest: float  # the lowest frame position any flowable reached: how full the page is
    bookmarks: list[tuple[str, str, int]] = field(default_factory=list)  # (key, title, level)


class EditionCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
    """A canvas that knows teacher-only drawing and records every page for replay.

    ``before_save`` runs when the document is complete (the page count known), before the file is written: it is
    where the student editions are made, while the shared font subsets are still open.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handout: str | None = None
        self.with_answers = False  # True on the teacher edition's canvas: only it draws answers
        self.lowest = float("inf")
        self.pages: list[RecordedPage] = []
        self.before_save: Callable[[EditionCanvas], None] | None = None
        self._spans: list[tuple[int, int]] = []
        self._bookmarks: list[tuple[str, str, int]] = []
        self._inside = False

    @contextlib.contextmanager
    def teacher_only(self) -> Iterator[None]:
        """Drawing inside this block appears in the teacher edition only (state saved and restored around it)."""
        if self._inside:
            yield
            return
        self._inside = True
        start = len(self._code)
        self.saveState()
        try:
            yield
        finally:
            self.restoreState()
            self._inside = False
            self._spans.append((start, len(self._code)))

    def add_bookmark(self, key: str, title: str, level: int) -> None:
        self.bookmarkPage(key)
        self.addOutlineEntry(title, key, level)
        self._bookmarks.append((key, title, level))

    def showPage(self) -> None:  # noqa: N802  # reportlab API
        code, ops, position = self._code, [], 0
        for start, end in self._spans:
            ops.extend(code[position:start])
            position = end
        ops.extend(code[position:])
        self.pages.append(RecordedPage(ops, self.handout, self.lowest, self._bookmarks))
        self._spans, self._bookmarks, self.lowest = [], [], float("inf")
        super().showPage()

    def save(self) -> None:
        if len(self._code):
            self.showPage()
        if self.before_save is not None:
            self.before_save(self)
        super().save()


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


def replay(
    source: EditionCanvas,
    handout: str,
    make_canvas: Callable[[io.BytesIO], Canvas],
    footer: Callable[[Canvas, int], None],
) -> tuple[bytes, int]:
    """The student edition ``handout``: its recorded pages on a new canvas, each with its own footer."""
    buffer = io.BytesIO()
    canvas = make_canvas(buffer)
    share_fonts(source, canvas)
    pages = [page for page in source.pages if page.handout == handout]
    for number, page in enumerate(pages, start=1):
        canvas._code.extend(page.ops)
        for key, title, level in page.bookmarks:
            canvas.bookmarkPage(key)
            canvas.addOutlineEntry(title, key, level)
        footer(canvas, number)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue(), len(pages)


def _remembered(function: Callable[..., Any], key: Callable[..., Any], size: int = 32) -> Callable[..., Any]:
    """``function`` with its last ``size`` results kept by ``key(*args)``: the editions of one lesson embed the
    same font subsets, so each is built and compressed once instead of once per file."""
    kept: dict[Any, Any] = {}

    def call(*args: Any) -> Any:
        found = key(*args)
        if found is None:
            return function(*args)
        if found not in kept:
            if len(kept) >= size:
                del kept[next(iter(kept))]
            kept[found] = function(*args)
        return kept[found]

    call.ankiexport_shared = True  # type: ignore[attr-defined]
    return call


def share_subsets() -> None:
    """Make reportlab build each font subset, and compress each large stream, once for every edition that holds it."""
    from reportlab.pdfbase import pdfdoc, ttfonts

    face = ttfonts.TTFontFace
    if not getattr(face.makeSubset, "ankiexport_shared", False):
        face.makeSubset = _remembered(face.makeSubset, lambda self, subset: (self.filename, tuple(subset)))
    zipper = pdfdoc.PDFZCompress
    if not getattr(zipper.encode, "ankiexport_shared", False):
        # Small streams (a page's text) differ from edition to edition: only large ones (font files) are kept.
        encode = zipper.encode
        zipper.encode = _remembered(encode, lambda text: text if len(text) > 8192 else None)
