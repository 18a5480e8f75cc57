"""The reading handout: the article and its translation, each kept together where it fits, and the vocabulary study
page (dictionary form, 和訳, 解説, and IPA once the lesson model carries it)."""

from __future__ import annotations

from functools import partial
from typing import Any

from reportlab.platypus import CondPageBreak, KeepTogether, Spacer

from ..analysis.lines import join_lines
from .pdf_sheets import (
    BOLD,
    GOTHIC,
    INSTRUCTION,
    MINCHO,
    NOTE,
    SANS_BOLD,
    SERIF,
    Sheet,
    cell,
    header,
    heading,
    headword,
    tables,
)
from .pdf_story import Lazy, flowables
from .pdf_text import RichText, Span, Style

TERM = Style(SANS_BOLD, GOTHIC, 10)


# Sizes to try, roomiest first: (body size, leading) for the article, the translation and the study page.
ARTICLE_SIZES = ((11.5, 19.0), (10.5, 17.0), (10.0, 15.5))
STUDY_SIZES = ((9.0, 13.5), (8.5, 12.5), (8.0, 11.5))


def _height(parts: list[Any], width: float, room: float = float("inf")) -> float:
    """Their total height, measured only until it passes ``room`` (a long article is not laid out per size)."""
    return _measured(parts, width, room)[1]


def _measured(parts: list[Any], width: float, room: float) -> tuple[list[Any], float]:
    """The flowables made while measuring ``parts`` and their height, only until it passes ``room``."""
    made: list[Any] = []
    total = 0.0
    for flowable in flowables(parts):
        made.append(flowable)
        total += flowable.wrap(width, 1e6)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
        if total > room:
            break
    return made, total


def _kept(parts: list[Any], sheet: Sheet) -> list[Any]:
    """The flowables kept together when they fit on a page; else flowing on from where they start (kept together,
    a text longer than a page would only leave the page it should start on empty). Those measured here are the ones
    kept, so their layout is reused."""
    made, height = _measured(parts, sheet.width, sheet.height)
    return [KeepTogether(made)] if height <= sheet.height else parts


def _paragraph(text: str, style: Style, leading: float) -> RichText:
    return RichText([Span("\u3000" + text, style)], leading, space_after=3, align="justify")


def _fitting(make: Any, sizes: tuple[tuple[float, float], ...], width: float, room: float) -> list[Any]:
    """The flowables ``make(size, leading)`` gives at the roomiest size that fits ``room``, else the densest."""
    for size, leading in sizes:
        made, height = _measured(make(size, leading), width, room)
        if height <= room:
            return made  # all of them, laid out: kept as they are
    return list(make(*sizes[-1]))


def reading_story(sheet: Sheet, study: bool) -> list[Any]:
    """Header, the article and then the translation, each kept together where it fits; the study page after."""
    lesson = sheet.lesson
    translation = lesson.translation
    subtitle = translation.title if translation is not None else ""
    story: list[Any] = [
        *header(sheet, lesson.title, subtitle, 0, fields=False),
        heading(None, "Reading", "本文と和訳", "reading"),
        RichText([Span("Read the article aloud, then discuss it.", INSTRUCTION)], 14, keep_with_next=True),
        RichText([Span("記事を音読し、内容について話し合いましょう。", NOTE)], 14, space_after=6),
    ]
    room = sheet.height - _height(story, sheet.width)

    def article(size: float, leading: float) -> list[Any]:
        style = Style(SERIF, MINCHO, size)
        return [Lazy(lesson.article, lambda p: RichText([Span(p.text, style)], leading, space_after=4))]

    def japanese(size: float, leading: float) -> list[Any]:
        assert translation is not None
        parts: list[Any] = [Spacer(1, 6)]
        if translation.title:
            parts.append(RichText([Span(translation.title, BOLD)], leading, space_after=3, keep_with_next=True))
        style = Style(SERIF, MINCHO, size - 1)
        paragraph = partial(_paragraph, style=style, leading=leading)
        return [*parts, Lazy(translation.paragraphs, paragraph)]

    if lesson.article:
        story += _kept(_fitting(article, ARTICLE_SIZES, sheet.width, room), sheet)
    if translation is not None and translation.paragraphs:
        story += _kept(_fitting(japanese, ARTICLE_SIZES, sheet.width, sheet.height), sheet)
    if study and lesson.vocabulary:
        story += _on_one_page(study_page(sheet), sheet)
    return story


def _on_one_page(parts: list[Any], sheet: Sheet) -> list[Any]:
    """``parts`` kept together: on the next page only when they do not fit here. Parts longer than a page (a run of
    tables made as the layout reaches them) start a page, unless this one has only just begun, as KeepTogether
    would start them."""
    if any(isinstance(part, Lazy) for part in parts):
        return [CondPageBreak(sheet.height), *parts]
    return [KeepTogether(parts)]


def study_page(sheet: Sheet) -> list[Any]:
    """Each term in dictionary form with its gloss and explanation, as the school's own handout has them."""
    title = heading(None, "Vocabulary", "語彙と解説", "vocabulary", space=0)
    room = sheet.height - _height([title], sheet.width)
    return [
        title,
        *_fitting(lambda size, leading: _study_table(sheet, size, leading), STUDY_SIZES, sheet.width, room),
    ]


def _study_table(sheet: Sheet, size: float, leading: float) -> list[Any]:
    lesson = sheet.lesson
    small = Style(SERIF, MINCHO, size)
    from ..speech.ipa import ipa as pronounce  # the decks' IPA (CMU dictionary), so sheet and cards agree

    ipa = [pronounce(headword(lesson, index)) for index in range(len(lesson.vocabulary))]

    def row(index: int) -> list[Any]:
        entry = lesson.vocabulary[index]
        term: list[Any] = [Span(headword(lesson, index), TERM)]
        if ipa[index]:
            term.append(Span(f"\n/{ipa[index]}/", small))
        return [
            cell(term, 14),
            cell([Span(entry.gloss, Style(SERIF, MINCHO, size + 1))], leading + 1.5),
            cell([Span(join_lines(entry.explanation) or "—", small)], leading, align="justify"),
        ]

    rows = Lazy(range(len(lesson.vocabulary)), row)
    first, second = sheet.width * 0.26, sheet.width * 0.24
    pad = leading / 3.4
    lines = ("LINEBELOW", (0, 0), (-1, -1), 0.4, (0.6, 0.6, 0.6))
    padding = [("TOPPADDING", (0, 0), (-1, -1), pad), ("BOTTOMPADDING", (0, 0), (-1, -1), pad + 1)]
    return tables(rows, [first, second, sheet.width - first - second], pad=4, style=[lines, *padding])
