"""What `ankiexport show` prints: a parsed lesson as readable text or as the JSON object scripts rely on."""

from __future__ import annotations

import json
from typing import Any

from .analysis.clozes import cloze_markup
from .analysis.gapfill import generate_gapfill
from .model import Lesson


def lesson_as_dict(lesson: Lesson) -> dict[str, Any]:
    """The `show --json` contract: title, date, sentences, vocabulary, clozes, gapfill, generated_gapfill,
    translation, trailer, warnings."""
    return {
        "id": lesson.id,
        "title": lesson.title,
        "date": lesson.date,
        "sentences": [sentence.text for sentence in lesson.sentences],
        "vocabulary": [
            {"term": e.term, "headword": e.headword, "gloss": e.gloss, "explanation": e.explanation, "line": e.line}
            for e in lesson.vocabulary
        ],
        "clozes": [
            {
                "text": cloze_markup(cloze, lesson.vocabulary),
                "sentence": cloze.sentence,
                "terms": [lesson.vocabulary[use.entry].term for use in cloze.uses],
            }
            for cloze in lesson.clozes
        ],
        "gapfill": list(lesson.gapfill),
        "generated_gapfill": generated_gapfill(lesson),
        "translation": (
            {"title": lesson.translation.title, "paragraphs": list(lesson.translation.paragraphs)}
            if lesson.translation is not None
            else None
        ),
        "trailer": list(lesson.trailer),
        "warnings": [{"line": w.line, "message": w.message, "severity": w.severity} for w in lesson.warnings],
    }


def generated_gapfill(lesson: Lesson) -> list[str]:
    """The gap-fill made from the article, one line per paragraph, as a worksheet prints it for a lesson without
    its own (names and acronyms whole, one underscore per missing letter)."""
    exercise = lesson.exercise
    if exercise is None or not exercise.generated:
        exercise = generate_gapfill(lesson.article, lesson.sentences or None)
    return [" ".join(token.shown for token in line) for line in exercise.paragraphs]


def lesson_as_json(lesson: Lesson) -> str:
    """`lesson_as_dict` as indented JSON with Japanese kept readable."""
    return json.dumps(lesson_as_dict(lesson), ensure_ascii=False, indent=2)


def lesson_as_text(lesson: Lesson) -> str:
    """A readable overview of the parsed lesson, for a teacher checking that the file was understood."""
    out: list[str] = [lesson.title, "=" * min(len(lesson.title), 78)]
    out.append(f"id: {lesson.id}    date: {lesson.date or '(none)'}")
    out.append("")
    out.append(f"Article: {len(lesson.article)} paragraphs, {len(lesson.sentences)} sentences")
    for number, sentence in enumerate(lesson.sentences, start=1):
        out.append(f"  {number:2}. {sentence.text}")
    out.append("")
    own = "the lesson's own" if lesson.gapfill else "generated from the article"
    if lesson.exercise is not None:
        out.append(f"Gap-fill: {len(lesson.exercise.paragraphs)} lines, {own}")
        out.append("")
    out.append(f"Vocabulary: {len(lesson.vocabulary)} entries")
    for entry in lesson.vocabulary:
        out.append(f"  - {entry.term}  (line {entry.line})")
        out.append(f"      和訳: {entry.gloss}")
        if entry.explanation:
            first, *rest = entry.explanation.splitlines()
            out.append(f"      解説: {first}")
            out.extend(f"            {line}" for line in rest)
    out.append("")
    out.append(f"Clozes: {len(lesson.clozes)}")
    for cloze in lesson.clozes:
        out.append(f"  * {cloze_markup(cloze, lesson.vocabulary)}")
    out.append("")
    if lesson.translation is None:
        out.append("Translation: (none)")
    else:
        out.append(f"Translation: {lesson.translation.title}")
        out.extend(f"  {paragraph}" for paragraph in lesson.translation.paragraphs)
    if lesson.trailer:
        out.append("")
        out.append("Trailer (not part of the lesson):")
        out.extend(f"  {line}" for line in lesson.trailer)
    if lesson.warnings:
        out.append("")
        out.append("Warnings:")
        out.extend(f"  line {w.line}: {w.severity}: {w.message}" for w in lesson.warnings)
    return "\n".join(out)
