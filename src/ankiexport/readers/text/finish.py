"""The final checks on what the walk over a text lesson collected, and the Lesson built from it."""

from __future__ import annotations

from pathlib import Path

from ...errors import LessonError
from ...model import Lesson, Translation, VocabEntry, term_identity
from .classify import HEADER_EXAMPLES, TRANSLATION_EXAMPLES
from .dates import date_from_stem
from .state import Entry, Parse


def finish_lesson(path: Path, state: Parse) -> Lesson:
    """Check that what was collected is a usable lesson and build the Lesson."""
    _check_sections(state)
    vocabulary = _vocabulary(state)
    translation = _translation(state)
    if state.trailer:
        state.warn(
            state.trailer_line,
            f"{len(state.trailer)} line(s) from here on look like an advertisement, not translation "
            f"({state.trailer_reason}); kept apart as the trailer and left out of the translation",
        )
    stem_date, date_warning = date_from_stem(path.stem)
    if date_warning is not None:
        state.warnings.append(date_warning)
    return Lesson(
        id=path.stem,
        source=state.path,
        title=state.title,
        date=stem_date,
        article=tuple(state.article),
        vocabulary=vocabulary,
        translation=translation,
        gapfill=tuple(state.gapfill),
        gapfill_lines=tuple(state.gapfill_numbers),
        trailer=tuple(state.trailer),
        warnings=tuple(sorted(state.warnings, key=lambda d: -1 if d.line is None else d.line)),
        title_line=state.title_line,
    )


def _check_sections(state: Parse) -> None:
    """A LessonError unless the lesson has its article and a vocabulary with entries."""
    source = state.path
    if not state.article and not state.gapfill and not state.vocab_line and not state.translation_line:
        raise LessonError(
            "the lesson has only a title: no article, vocabulary or translation follows it", source, state.title_line
        )
    if not state.article:
        first_section = min((n for n in (state.vocab_line, state.translation_line) if n), default=None)
        what = "only a gap-fill exercise" if state.gapfill else "nothing"
        raise LessonError(
            f"no article: {what} between the title (line {state.title_line}) and the next section; the English "
            "article lines must follow the title",
            source,
            first_section or state.title_line,
        )
    if not state.vocab_line:
        raise LessonError(
            f"no vocabulary section: expected a header such as {HEADER_EXAMPLES} after the article", source
        )
    if not state.entries:
        raise LessonError(
            "the vocabulary section has no entries; write each as a bullet line with the term, then '- 和訳: …' "
            "and '- 解説: …'",
            source,
            state.vocab_line,
        )


def _vocabulary(state: Parse) -> tuple[VocabEntry, ...]:
    """The entries as the model holds them; a LessonError for an entry without a gloss or a term given twice."""
    first_use: dict[str, Entry] = {}
    vocabulary: list[VocabEntry] = []
    for entry in state.entries:
        gloss = "\n".join(entry.gloss)
        if not gloss:
            raise LessonError(
                f"the vocabulary entry {entry.term!r} has no gloss (a '- 和訳: …' line)", state.path, entry.line
            )
        key = term_identity(entry.term)
        if key in first_use:
            raise LessonError(
                f"the term {entry.term!r} appears twice in the vocabulary: "
                f"lines {first_use[key].line} and {entry.line}",
                state.path,
                entry.line,
            )
        first_use[key] = entry
        vocabulary.append(VocabEntry(entry.term, gloss, "\n".join(entry.explanation), entry.line))
    return tuple(vocabulary)


def _translation(state: Parse) -> Translation | None:
    """The translation, or None with a warning: a lesson without one is still usable."""
    if not state.translation_line:
        state.warn(
            None,
            f"no translation section (a header such as {TRANSLATION_EXAMPLES}); the lesson is still usable: "
            "cards and worksheets are made without the Japanese translation",
        )
        return None
    if not state.translation_title:
        state.warn(state.translation_line, "the translation section is empty")
    elif not state.translation_paragraphs:
        state.warn(state.translation_line, "the translation has a title but no paragraphs")
    return Translation(state.translation_title, tuple(state.translation_paragraphs), state.translation_line)
