"""What the walk over a text lesson's lines has collected so far, and the section it is in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ...model import Diagnostic, Paragraph
from .classify import FieldKind, SectionKind

Section = Literal["title", "article", "vocabulary", "translation"]


@dataclass
class Entry:
    term: str
    line: int
    gloss: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    labels: dict[FieldKind, int] = field(default_factory=dict)  # field -> line of its (first) label
    tail: list[tuple[int, str]] = field(default_factory=list)  # unlabelled lines added since the last label

    def field_lines(self, kind: FieldKind) -> list[str]:
        """The lines of the field a label of this kind opens (the list itself, to add to or cut)."""
        return self.gloss if kind == "gloss" else self.explanation


@dataclass
class Parse:
    """Everything collected while walking the lines once, and the section the walk is in."""

    path: str
    patterns: tuple[Any, ...] = ()  # the trailer patterns, compiled
    school_names: tuple[str, ...] = ()  # the author and course name, casefolded: a line naming them is advertising
    section: Section = "title"
    headers: dict[SectionKind, int] = field(default_factory=dict)  # section -> line of its (first) header
    warnings: list[Diagnostic] = field(default_factory=list)
    title: str = ""
    title_line: int = 0
    article: list[Paragraph] = field(default_factory=list)
    gapfill: list[str] = field(default_factory=list)
    gapfill_line: int = 0
    gapfill_numbers: list[int] = field(default_factory=list)
    warned_after_gapfill: bool = False
    vocab_line: int = 0
    entries: list[Entry] = field(default_factory=list)
    current: Entry | None = None
    open_field: FieldKind | None = None
    translation_line: int = 0
    translation_title: str = ""
    translation_paragraphs: list[str] = field(default_factory=list)
    trailer: list[str] = field(default_factory=list)
    trailer_line: int = 0  # where the trailer starts (a rule line, or its first line); 0 while there is none
    trailer_reason: str = ""
    pending_rule: int = 0  # a rule line after translation paragraphs, until the next line shows what it sets off

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append(Diagnostic(line, message))
