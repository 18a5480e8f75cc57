"""Quizlet's import text: one card per line, the term's dictionary form, a tab, and its Japanese gloss."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Lesson
from . import Output

# Quizlet's importer has no quoting or escape syntax: a tab ends the term and a line break ends the card, wherever
# they stand. So neither may survive inside a field; every other character (including U+3000) is kept as written.
_BREAKS = re.compile(r"[ \u00a0]*(?:[\t\n\r\v\f\x1c-\x1e\x85\u2028\u2029][ \u00a0]*)+")


def field(text: str) -> str:
    """``text`` as one Quizlet field: tabs and line breaks (a gloss's continuation lines) become one space."""
    return _BREAKS.sub(" ", text).strip()


def quizlet_cards(lessons: Sequence[Lesson]) -> list[tuple[str, str]]:
    """(term, definition) per card, in lesson order. A term taught in several lessons is one card whose definition
    lists each distinct gloss once, so a set of all lessons never asks the same word twice."""
    cards: dict[str, tuple[str, list[str]]] = {}
    for lesson in lessons:
        for entry in lesson.vocabulary:
            term = field(entry.headword or entry.term)
            gloss = field(entry.gloss)
            if not term or not gloss:
                continue
            _, glosses = cards.setdefault(term.casefold(), (term, []))
            if gloss not in glosses:
                glosses.append(gloss)
    return [(term, " / ".join(glosses)) for term, glosses in cards.values()]


def quizlet_text(lessons: Sequence[Lesson]) -> bytes:
    """The import text for ``lessons`` (one lesson, or all for the combined set): UTF-8, no BOM, LF line ends."""
    return "".join(f"{term}\t{definition}\n" for term, definition in quizlet_cards(lessons)).encode("utf-8")


def quizlet_output(lessons: Sequence[Lesson], name: str) -> Output:
    """The import text for ``lessons`` as the build's teacher output ``name``; ``cards`` counts its lines."""
    data = quizlet_text(lessons)
    return Output(name, data, "teacher", cards=data.count(b"\n"))
