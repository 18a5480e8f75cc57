"""The section state machine: each classified line of a text lesson moves the walk or goes to its section."""

from __future__ import annotations

from collections.abc import Callable

from ...errors import LessonError
from ...model import Paragraph
from .classify import (
    HEADER_EXAMPLES,
    JAPANESE,
    LABEL_NAMES,
    TRANSLATION_EXAMPLES,
    FieldKind,
    Line,
    SectionKind,
    field_label,
    is_gapfill_line,
    japanese_letters,
    latin_letters,
    meaningful_extra,
    starts_like_term,
    unbullet,
    unbulleted_term,
    unknown_marked,
)
from .state import Entry, Parse, Section
from .trailer import rule_in_translation, trailer_start


def step(state: Parse, line: Line) -> None:
    """One line of the walk: rules and headers act on the walk itself; any other line goes to its section."""
    if line.rule:
        if state.section == "translation":
            rule_in_translation(state, line.number)
    elif state.section == "title":
        _title_line(state, line)
    elif line.header is not None:
        _header_line(state, line, *line.header)
    elif unknown_marked(line.text) and not (state.section == "translation" and state.trailer_line):
        state.warn(
            line.number,
            f"{line.text[:40]!r} starts with a section mark but names no known section "
            f"(vocabulary: {HEADER_EXAMPLES}; translation: {TRANSLATION_EXAMPLES}); ignored",
        )
    else:
        _SECTION_LINES[state.section](state, line)


def _title_line(state: Parse, line: Line) -> None:
    """The first line is the English title; the article follows it."""
    if line.header is not None:
        raise LessonError(
            f"the lesson starts with a section header ({line.text!r}); it must start with its English title",
            state.path,
            line.number,
        )
    state.title, state.title_line = line.text, line.number
    state.section = "article"


def _header_line(state: Parse, line: Line, section: SectionKind, extra: str) -> None:
    """A section header: the walk moves to that section (a second header of a section joins the first)."""
    number = line.number
    # Words after a vocabulary header are a label ("Vocabulary list"); after 和訳 they may be the title.
    ignored = meaningful_extra(extra) if section == "translation" else ""
    if ignored:
        state.warn(
            number,
            f"text after the translation header ({ignored[:40]!r}) is ignored; "
            "put the Japanese title on the line below the header",
        )
    if section in state.headers:
        state.warn(
            number,
            f"a second {section} header (the first is on line {state.headers[section]}); its lines join that section",
        )
    else:
        state.headers[section] = number
    if section == "vocabulary":
        state.vocab_line = state.vocab_line or number
        state.current, state.open_field = None, None
    else:
        state.translation_line = state.translation_line or number
        if state.trailer_line:
            state.warn(number, "a translation header after the trailer; its lines are kept in the trailer")
    state.section = section


def _article_line(state: Parse, line: Line) -> None:
    """An article paragraph, or a line of the lesson's own gap-fill exercise."""
    number, text = line.number, line.text
    if is_gapfill_line(text):
        if not state.gapfill:
            state.gapfill_line = number
        state.gapfill.append(text)
        state.gapfill_numbers.append(number)
        return
    if state.gapfill and not state.warned_after_gapfill:
        state.warned_after_gapfill = True
        state.warn(
            number,
            f"article text after the gap-fill block (which starts at line {state.gapfill_line}); "
            "kept in the article: check that it is not part of the exercise",
        )
    # A Japanese word in parentheses is fine in an English article; a mostly Japanese line means a missing header.
    japanese = japanese_letters(text)
    if japanese and japanese >= latin_letters(text):
        state.warn(number, "Japanese text in the article (a section header missing?); kept as an article paragraph")
    state.article.append(Paragraph(text, number))


def _vocabulary_line(state: Parse, line: Line) -> None:
    """A line of the vocabulary: a new entry's term, a 和訳/解説 label, or more text of the open field."""
    body = unbullet(line.text)
    label = field_label(body if body is not None else line.text)
    if body is None and label is None and (state.current is None or state.current.gloss):
        term = unbulleted_term(line.text, line.following)
        if term is not None:
            _new_entry(state, line.number, term)
            return
    if label is not None:
        _label(state, line.number, *label)
    elif body is not None and (starts_like_term(body) or state.current is None or state.open_field is None):
        if body:
            _new_entry(state, line.number, body)
        else:
            state.warn(line.number, "an empty bullet line; ignored")
    else:
        _field_text(state, line.number, line.text)


def _new_entry(state: Parse, number: int, term: str) -> None:
    state.current = Entry(term, number)
    state.entries.append(state.current)
    state.open_field = None


def _label(state: Parse, number: int, kind: FieldKind, value: str) -> None:
    """A 和訳 or 解説 label opens that field of the current entry; text after it is the field's first line."""
    current = state.current
    if current is None:
        raise LessonError(
            f"a {LABEL_NAMES[kind]} label that belongs to no term; start each entry with a bullet line "
            "holding the term, e.g. '- gain traction'",
            state.path,
            number,
        )
    if kind in current.labels:
        state.warn(
            number,
            f"a second {LABEL_NAMES[kind]} label for {current.term!r} (the first is on line "
            f"{current.labels[kind]}); its text is added to the first{_lost_term_hint(current)}",
        )
    else:
        current.labels[kind] = number
    state.open_field = kind
    current.tail.clear()
    if value:
        current.field_lines(kind).append(value)


def _field_text(state: Parse, number: int, text: str) -> None:
    """A line without a bullet (or a bullet starting in Japanese inside a field, e.g. a list in an explanation)
    continues the open field, kept as written."""
    current = state.current
    if current is None:
        state.warn(number, "text before the first vocabulary entry belongs to no entry; ignored")
        return
    if state.open_field is None:
        state.warn(
            number,
            f"a line with no 和訳/解説 label after the term {current.term!r}; taken as its gloss (和訳)",
        )
        current.labels["gloss"] = number
        state.open_field = "gloss"
    current.field_lines(state.open_field).append(text)
    current.tail.append((number, text))


def _lost_term_hint(entry: Entry) -> str:
    """When a second label follows an unlabelled English line, that line was most likely a term nobody marked."""
    english = [(number, text) for number, text in entry.tail if JAPANESE.search(text) is None]
    if not english:
        return ""
    number, text = english[-1]
    return f"; line {number} ({text[:40]!r}) was read as part of it: if it is a term, start it with '- '"


def add_translation_line(state: Parse, line: Line) -> None:
    """The translation's title, then its paragraphs, until a line shows that the trailer (advertising) began."""
    if state.trailer_line:
        state.trailer.append(line.text)
    elif not state.translation_title and not state.translation_paragraphs:
        state.translation_title = line.text
    else:
        start = trailer_start(state, line.number, line.text)
        if start is None:
            state.translation_paragraphs.append(line.text)
        else:
            state.trailer_line, state.trailer_reason = start
            state.trailer.append(line.text)


_SECTION_LINES: dict[Section, Callable[[Parse, Line], None]] = {
    "article": _article_line,
    "vocabulary": _vocabulary_line,
    "translation": add_translation_line,
}
