"""Analysis: pure functions that fill a read Lesson's sentences, clozes, gap-fill exercise and translation ties."""

from __future__ import annotations

from dataclasses import replace

from ..model import Lesson, VocabEntry
from ..speech.ipa import ipa
from .align import tie_translations
from .gapfill import align_gapfill, generate_gapfill
from .inflection import headword
from .sentences import article_sentences
from .terms import build_clozes


def analyse(lesson: Lesson, gapfill: str = "own") -> Lesson:
    """The lesson with every analysis field filled in and the analysis's warnings appended.

    ``gapfill`` is the exercise's source: "own" (the lesson's block when it has one, recounted against the
    article) or "generated" (always made from the article).
    """
    sentences, tie_warnings = tie_translations(article_sentences(lesson.article), lesson.translation)
    clozes, term_warnings = build_clozes(lesson.title, sentences, lesson.vocabulary)
    if lesson.gapfill and gapfill == "own":
        exercise, gap_warnings = align_gapfill(lesson.gapfill, lesson.article, lesson.gapfill_lines)
    elif lesson.article:
        exercise, gap_warnings = generate_gapfill(lesson.article, sentences), ()
    else:
        exercise, gap_warnings = None, ()
    return replace(
        lesson,
        vocabulary=tuple(_dictionary_form(entry) for entry in lesson.vocabulary),
        sentences=sentences,
        clozes=clozes,
        exercise=exercise,
        warnings=(*lesson.warnings, *term_warnings, *gap_warnings, *tie_warnings),
    )


def _dictionary_form(entry: VocabEntry) -> VocabEntry:
    """The entry with its headword (dictionary form) and the headword's pronunciation."""
    word = headword(entry.term)
    return replace(entry, headword=word, ipa=ipa(word))
