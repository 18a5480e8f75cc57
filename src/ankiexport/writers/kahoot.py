"""Kahoot!'s quiz spreadsheet: one question per term (its Japanese gloss; which English words?), four answers."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from ..analysis.glosses import meanings as gloss_meanings
from ..analysis.glosses import senses
from ..config import KAHOOT_TIME_LIMITS as TIME_LIMITS
from ..errors import OutputError
from ..model import Lesson
from . import Output
from .determinism import revision_moment, seeded
from .quizlet import field

# Kahoot!'s import template states these limits in its column headings; its importer rejects longer text. Lengths
# are counted as the browser counts them (UTF-16 code units), so a character outside the BMP counts twice.
QUESTION_LIMIT = 120
ANSWER_LIMIT = 75
MAX_ANSWERS = 4
FIRST_ROW = 9  # the template's first question row: rows 1-7 are notes, row 8 the headings
HEADINGS = (
    "",
    f"Question - max {QUESTION_LIMIT} characters",
    *(f"Answer {n} - max {ANSWER_LIMIT} characters" for n in range(1, MAX_ANSWERS + 1)),
    "Time limit (sec) – " + ", ".join(map(str, TIME_LIMITS[:-1])) + f", or {TIME_LIMITS[-1]} secs",
    "Correct answer(s) - choose at least one",
)
_ASK_BEFORE, _ASK_AFTER = "「", "」を英語で言うと？"


@dataclass(frozen=True)
class Question:
    """One Kahoot! question about one vocabulary entry."""

    entry: int  # index into Lesson.vocabulary
    text: str  # 「<gloss>」を英語で言うと？
    answers: tuple[str, ...]  # 2 to 4 dictionary forms, one of them right
    correct: int  # 1-based position of the right answer, as the template wants it


def units(text: str) -> int:
    """Length as Kahoot! counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _ask(gloss: str) -> str:
    """The question for a gloss; when it is too long, its first meanings only, and a lone long meaning is cut."""
    room = QUESTION_LIMIT - units(_ASK_BEFORE + _ASK_AFTER)
    text = field(gloss)
    if units(text) > room:
        meanings = [field(m) for m in gloss_meanings(gloss)]
        text = meanings[0] if meanings else text
        for meaning in meanings[1:]:
            if units(text + "、" + meaning) > room:
                break
            text += "、" + meaning
    if units(text) > room:
        text = text[: room - 1]
        while units(text) > room - 1:  # characters outside the BMP count twice
            text = text[:-1]
        text = text.rstrip() + "…"
    return _ASK_BEFORE + text + _ASK_AFTER


def _answer(lesson: Lesson, entry: int) -> str:
    vocab = lesson.vocabulary[entry]
    return field(vocab.headword or vocab.term)


# Distractors are drawn from at most this many other terms: from all of them in a lesson of up to POOL + 1 terms,
# else from a seeded sample (each question weighed every other term: 4,000 terms took 53 s, 17,000 would be hours).
POOL = 100


@dataclass(frozen=True)
class _Term:
    """What choosing distractors asks of a term, worked out once per lesson."""

    answer: str
    folded: str  # the answer casefolded: two terms with one form cannot both be answers
    words: int
    fits: bool  # an answer Kahoot! accepts
    senses: frozenset[str]


def _terms(lesson: Lesson) -> list[_Term]:
    terms = []
    for entry, vocab in enumerate(lesson.vocabulary):
        answer = _answer(lesson, entry)
        fits = 0 < units(answer) <= ANSWER_LIMIT
        terms.append(_Term(answer, answer.casefold(), len(answer.split()), fits, frozenset(senses(vocab.gloss))))
    return terms


def _pool(lesson: Lesson, entry: int, count: int) -> list[int]:
    """The other entries ``entry``'s distractors are drawn from, in lesson order."""
    if count - 1 <= POOL:
        return [other for other in range(count) if other != entry]
    sample = seeded(lesson.id, "kahoot pool", entry).sample(range(count - 1), POOL)
    return sorted(other + (other >= entry) for other in sample)


def _distractors(lesson: Lesson, entry: int, terms: list[_Term]) -> list[int]:
    """Up to three other terms of the lesson: never one that shares a meaning or a form with the right answer
    (it would be a second right answer), preferring terms of the same word count (harder to rule out by shape)."""
    mine = terms[entry]
    candidates = [
        other
        for other in _pool(lesson, entry, len(terms))
        if terms[other].folded != mine.folded and terms[other].fits and not mine.senses & terms[other].senses
    ]
    seeded(lesson.id, "kahoot", entry).shuffle(candidates)
    candidates.sort(key=lambda other: abs(terms[other].words - mine.words))
    chosen: list[int] = []
    for other in candidates:  # two entries with one dictionary form (a typo'd duplicate) must not both appear
        if all(terms[other].folded != terms[c].folded for c in chosen):
            chosen.append(other)
            if len(chosen) == MAX_ANSWERS - 1:
                break
    return chosen


def kahoot_questions(lesson: Lesson) -> list[Question]:
    """One question per term that can be asked (a right answer within the limit and at least one distractor).
    The right answer's position cycles through a seeded order of the four, so no position is the usual one."""
    rotation = list(range(MAX_ANSWERS))
    seeded(lesson.id, "kahoot positions").shuffle(rotation)
    terms = _terms(lesson)
    questions: list[Question] = []
    for entry, term in enumerate(terms):
        wrong = [terms[other].answer for other in _distractors(lesson, entry, terms)]
        if not wrong or not term.fits:
            continue
        position = rotation[len(questions) % MAX_ANSWERS] % (len(wrong) + 1)
        answers = (*wrong[:position], term.answer, *wrong[position:])
        questions.append(Question(entry, _ask(lesson.vocabulary[entry].gloss), answers, position + 1))
    return questions


def _sheet_rows(lesson: Lesson, questions: list[Question], time_limit: int) -> list[list[object]]:
    """Every row of the sheet, the template's notes and headings first."""
    notes: list[list[object]] = [
        [],
        ["", f"Kahoot! quiz: {field(lesson.title)}"[:200]],
        ["", "Import in Kahoot!: Create > Add question > Import spreadsheet (teacher material: it holds the answers)."],
        ["", f"Questions at most {QUESTION_LIMIT} characters, answers at most {ANSWER_LIMIT}; made by ankiexport."],
        [],
        [],
        [],
        list(HEADINGS),
    ]
    rows = [
        [
            number,
            question.text,
            *question.answers,
            *[""] * (MAX_ANSWERS - len(question.answers)),
            time_limit,
            question.correct,
        ]
        for number, question in enumerate(questions, start=1)
    ]
    return notes + rows


def kahoot_xlsx(lesson: Lesson, time_limit: int = 20, questions: list[Question] | None = None) -> bytes:
    """The workbook's bytes: identical for the same lesson (its revision time stands in for the clock)."""
    from openpyxl import Workbook  # imported only by builds that write Kahoot! quizzes
    from openpyxl.styles import Alignment, Font
    from openpyxl.writer.excel import ExcelWriter

    if time_limit not in TIME_LIMITS:
        raise OutputError(f"Kahoot! time limit must be one of {', '.join(map(str, TIME_LIMITS))}, not {time_limit}")
    questions = kahoot_questions(lesson) if questions is None else questions
    if not questions:
        raise OutputError(
            "no Kahoot! question can be made: a question needs two terms with different meanings", lesson.source
        )
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    for row in _sheet_rows(lesson, questions, time_limit):
        sheet.append(row)
    sheet["B2"].font = Font(bold=True, size=14)
    for cell in sheet[FIRST_ROW - 1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGH", (5, 60, 24, 24, 24, 24, 16, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    moment = revision_moment(lesson).replace(tzinfo=None)
    book.properties.creator = "ankiexport"
    book.properties.created = book.properties.modified = moment
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()  # not Workbook.save(): that stamps the clock into docProps/core.xml
    return _restamped(buffer.getvalue(), moment.timetuple()[:6])


def _restamped(data: bytes, when: tuple[int, int, int, int, int, int]) -> bytes:
    """The same zip with every member dated ``when`` (zipfile dates members written by name with the clock)."""
    when = max(when, (1980, 1, 1, 0, 0, 0))  # the zip format's epoch
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(member.filename))
    return out.getvalue()


def kahoot_outputs(lesson: Lesson, name: str, time_limit: int = 20) -> list[Output]:
    """The quiz as the build's teacher output ``name`` (``cards`` counts its questions); none for a lesson that
    cannot make one (``kahoot_warnings`` says why): its deck and worksheets are built all the same."""
    questions = kahoot_questions(lesson)
    if not questions:
        return []
    return [Output(name, kahoot_xlsx(lesson, time_limit, questions), "teacher", cards=len(questions))]


def kahoot_warnings(lesson: Lesson) -> list[tuple[int | None, str]]:
    """What the quiz leaves out: a term too long to be an answer, or the whole quiz when no question can be made."""
    asked = {question.entry for question in kahoot_questions(lesson)}
    warnings: list[tuple[int | None, str]] = []
    for entry, vocab in enumerate(lesson.vocabulary):
        if units(_answer(lesson, entry)) > ANSWER_LIMIT:
            warnings.append((vocab.line, f"not in the Kahoot! quiz: longer than its {ANSWER_LIMIT}-character answers"))
    if not asked:
        message = "no Kahoot! quiz: a question needs two terms with different meanings, and this lesson has not"
        warnings.append((None, message))
    return warnings
