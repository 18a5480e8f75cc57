"""Hand-built lessons for the analysis tests: a Lesson from a title, paragraphs and (term, gloss) pairs."""

from __future__ import annotations

from collections.abc import Sequence

from ankiexport.model import Lesson, Paragraph, Translation, VocabEntry


def make_lesson(
    title: str,
    paragraphs: Sequence[str],
    terms: Sequence[tuple[str, str]] = (),
    translation: Sequence[str] | None = None,
    gapfill: Sequence[str] = (),
) -> Lesson:
    """A lesson as a reader would give it (analysis fields empty); lines numbered as in a text lesson."""
    article = tuple(Paragraph(text, line) for line, text in enumerate(paragraphs, start=2))
    first_entry = 2 + len(paragraphs) + len(gapfill) + 1
    vocabulary = tuple(
        VocabEntry(term=term, gloss=gloss, explanation="", line=first_entry + 2 * number)
        for number, (term, gloss) in enumerate(terms)
    )
    return Lesson(
        id="hand-built",
        source="hand-built.txt",
        title=title,
        date=None,
        article=article,
        vocabulary=vocabulary,
        translation=None
        if translation is None
        else Translation(title="", paragraphs=tuple(translation), line=first_entry + 2 * len(terms)),
        gapfill=tuple(gapfill),
    )
