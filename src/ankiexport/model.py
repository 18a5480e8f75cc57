"""The lesson model: the one set of frozen dataclasses that every reader produces and every writer consumes."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

Severity = Literal["warning", "error"]


@dataclass(frozen=True)
class Diagnostic:
    """Something a reader or the analysis wants the user to know about one place in a lesson file."""

    line: int | None  # 1-based line in the source file; None when it concerns the whole file
    message: str  # what is wrong, without the path (the caller prefixes ``path:line:``)
    severity: Severity = "warning"  # "error" only for problems that make the lesson unusable


@dataclass(frozen=True)
class Paragraph:
    """One article paragraph: a line of the text lesson, or one item of ``article`` in YAML."""

    text: str  # the paragraph as written, outer whitespace stripped
    line: int  # 1-based source line it starts on


@dataclass(frozen=True)
class Sentence:
    """One sentence of the article, cut from a paragraph by the analysis."""

    text: str  # the sentence as written (a substring of its paragraph)
    paragraph: int  # index into Lesson.article
    line: int  # source line of that paragraph, for messages
    translation: str = ""  # Japanese sentence(s) tied to it by the analysis; "" when none can be tied


def term_identity(term: str) -> str:
    """What two spellings of one term share (width, case and spacing folded: "Tap  into" is "tap into")."""
    # One identity for both uses: a lesson may not give a term twice by it, and a deck's note keeps it, so that such
    # a fix of a term's spelling updates the note instead of making a new one.
    return " ".join(unicodedata.normalize("NFKC", term).casefold().split())


@dataclass(frozen=True)
class VocabEntry:
    """One vocabulary item: the term in dictionary form and its Japanese gloss and explanation."""

    term: str  # the term exactly as the lesson writes it, e.g. "gain traction", "Tap into"
    gloss: str  # Japanese gloss (和訳); continuation lines joined with "\n"
    explanation: str  # explanation (解説); "" when the lesson gives none; lines joined with "\n"
    line: int  # 1-based source line of the term's bullet
    headword: str = ""  # dictionary form for word banks ("capitalize on" for "Capitalizing on"); set by analysis
    ipa: str = ""  # the headword in IPA, General American ("ˈkæpətəˌlaɪz ɑːn"); "" when unknown; set by analysis


@dataclass(frozen=True)
class TermUse:
    """Where one vocabulary term is realised inside one cloze sentence."""

    entry: int  # index into Lesson.vocabulary
    spans: tuple[tuple[int, int], ...]  # [start, end) character offsets of its words in the sentence, in order


@dataclass(frozen=True)
class Cloze:
    """A sentence-level cloze: one sentence with every vocabulary term found in it marked."""

    sentence: str  # the plain sentence text the spans index into
    index: int | None  # index into Lesson.sentences; None when the sentence is the lesson title
    uses: tuple[TermUse, ...]  # one per term, in cloze-number order (uses[0] is c1)
    key: str  # stable identity (terms + occurrence), used for note GUIDs; survives typo fixes in the sentence


@dataclass(frozen=True)
class GapToken:
    """One whitespace-separated chunk of the first-letter gap-fill exercise."""

    shown: str  # what the exercise prints, e.g. "g______," or "Japan"
    answer: str  # the article's word in that place, e.g. "gaining,"; equal to shown when nothing is gapped


@dataclass(frozen=True)
class GapFill:
    """The first-letter gap-fill exercise, aligned with the article's words so it has an answer key."""

    paragraphs: tuple[tuple[GapToken, ...], ...]  # tokens per exercise line, in order
    generated: bool  # True when made from the article, False when it is the lesson's own block


@dataclass(frozen=True)
class Translation:
    """The Japanese translation section."""

    title: str  # the Japanese title (the section's first line); "" when missing
    paragraphs: tuple[str, ...]  # Japanese paragraphs in order, trailer excluded
    line: int  # 1-based source line of the section header (or of `translation:` in YAML)


@dataclass(frozen=True)
class Lesson:
    """A whole weekly lesson, as read and then filled in by the analysis."""

    id: str  # the file stem; names output files and keys deck ids and note GUIDs
    source: str  # path of the file it was read from, for messages
    title: str  # the English title (first non-empty line)
    date: str | None  # ISO date YYYY-MM-DD from the stem prefix or YAML `date`; None when unknown
    article: tuple[Paragraph, ...]  # the English article, paragraph by paragraph
    vocabulary: tuple[VocabEntry, ...]  # vocabulary entries in lesson order
    translation: Translation | None  # None when the lesson has no translation section
    gapfill: tuple[str, ...] = ()  # the lesson's own gap-fill lines as written; () when it has none
    gapfill_lines: tuple[int, ...] = ()  # 1-based source line of each own gap-fill line, for messages
    trailer: tuple[str, ...] = ()  # lines after the translation that belong to no lesson (advertisements)
    warnings: tuple[Diagnostic, ...] = ()  # everything the reader and analysis could not place cleanly
    title_line: int = 1  # 1-based source line of the title
    sentences: tuple[Sentence, ...] = ()  # article sentences in order; filled by the analysis
    clozes: tuple[Cloze, ...] = ()  # one per sentence that uses a vocabulary term; filled by the analysis
    exercise: GapFill | None = None  # the gap-fill the worksheet uses (own or generated); filled by the analysis
    revised: int = 0  # Unix time of the lesson's last change (set by the build); drives Anki note mod times
    note_revised: tuple[tuple[str, int], ...] = ()  # (note GUID, Unix time its content last changed); set by the build
