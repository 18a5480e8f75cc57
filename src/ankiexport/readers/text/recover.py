"""A translation whose header is missing, taken back from the last vocabulary entry it was read into."""

from __future__ import annotations

from .classify import JAPANESE, Line, japanese_letters
from .state import Parse
from .walk import add_translation_line


def _title_like(text: str) -> bool:
    """A short Japanese line that does not end a sentence: how a translation's title looks."""
    return len(text) <= 60 and JAPANESE.search(text) is not None and not text.endswith(("。", "！", "？", "」"))


def _orphan_start(state: Parse) -> int | None:
    """Where, in the last entry's unlabelled lines, Japanese text too long to be its explanation begins.

    A translation whose header is missing follows the last entry and would become its explanation. Such lines are
    told apart by size: at least two lines holding a third as many Japanese characters as the article has
    characters (a translation has about half). The split is at a title-like line when there is one, else after the
    field's own first line.
    """
    entry = state.entries[-1] if state.entries else None
    if entry is None or len(entry.tail) < 2:
        return None
    field_lines = entry.field_lines(state.open_field or "explanation")
    first = 0 if len(field_lines) > len(entry.tail) else 1  # the label line itself held the field's first text
    article = sum(len(paragraph.text) for paragraph in state.article)
    for start in [k for k in range(first, len(entry.tail)) if _title_like(entry.tail[k][1])] + [first]:
        rest = entry.tail[start:]
        japanese = sum(japanese_letters(text) for _, text in rest)
        if len(rest) >= 2 and japanese * 3 >= article:
            return start
    return None


def recover_translation(state: Parse) -> None:
    """Move Japanese paragraphs that belong to no entry from the last entry to the translation, with a warning."""
    start = _orphan_start(state)
    if start is None:
        return
    entry = state.entries[-1]
    rest = entry.tail[start:]
    field_lines = entry.field_lines(state.open_field or "explanation")
    del field_lines[len(field_lines) - len(rest) :]
    state.translation_line = rest[0][0]
    state.warn(
        rest[0][0],
        f"Japanese paragraphs after the last vocabulary entry ({entry.term!r}) belong to no entry: read as the "
        "translation, whose header is missing; put a header such as '■ 和訳' above this line",
    )
    for number, text in rest:
        add_translation_line(state, Line(number, text))
