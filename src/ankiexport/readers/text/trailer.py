"""Where a text lesson's translation ends and the school's advertising (the trailer) begins."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from ...config import DEFAULT_TRAILER_PATTERNS
from ...errors import ConfigError, LessonError
from .classify import japanese_letters, latin_letters
from .state import Parse

# A trailer pattern gets this long on one line (the regex module's timeout). Patterns the settings refuse aside
# (a repeat in a repeat), only a pathological one comes near it, and it is then an error, never a silent guess.
PATTERN_SECONDS = 1.0


@lru_cache(maxsize=16)
def compile_patterns(patterns: tuple[str, ...]) -> tuple[Any, ...]:
    import regex  # same syntax as re for trailer patterns, plus a timeout

    try:
        return tuple(regex.compile(pattern) for pattern in patterns)
    except regex.error as exc:
        raise ConfigError(f"a trailer pattern is not a regular expression: {exc}") from None


def _matches(pattern: Any, text: str, state: Parse, number: int) -> bool:
    """True when the trailer pattern matches; an error naming the pattern and line when it takes too long."""
    # The default patterns are plain and linear: only the school's own ones need the bound (a wall-clock one, which
    # a loaded machine could otherwise trip on a sane pattern).
    timeout = None if pattern.pattern in DEFAULT_TRAILER_PATTERNS else PATTERN_SECONDS
    try:
        return pattern.search(text, timeout=timeout) is not None
    except TimeoutError:
        raise LessonError(
            f"the trailer pattern {pattern.pattern!r} took over {PATTERN_SECONDS} s on this line (catastrophic "
            "backtracking); simplify it in ankiexport.yaml",
            state.path,
            number,
        ) from None


def trailer_start(state: Parse, number: int, text: str) -> tuple[int, str] | None:
    """Where the trailer starts and why, when this line after the translation's title is its first line."""
    rule, state.pending_rule = state.pending_rule, 0
    if rule and not _japanese_prose(text):
        return rule, "they follow a rule line after the translation"
    normalised = unicodedata.normalize("NFKC", text)
    if any(_matches(pattern, normalised, state, number) for pattern in state.patterns):
        return number, "they match a trailer pattern"
    names = [name for name in state.school_names if name in normalised.casefold()]
    if names:
        return number, f"the line names {names[0]!r} (author/course_name)"
    if state.translation_paragraphs and _english_line(text):
        return number, "an English line after the translation (a school's name?)"
    return None


def _english_line(text: str) -> bool:
    """A line of Latin letters with hardly any Japanese: never a translation paragraph, often a school's name."""
    latin = latin_letters(text)
    return latin >= 3 and japanese_letters(text) * 4 < latin


def rule_in_translation(state: Parse, number: int) -> None:
    """A rule line (――, ━━, -----) after the translation's paragraphs: the trailer starts there unless Japanese
    prose follows (a rule between two paragraphs of the translation)."""
    if state.translation_paragraphs and not state.trailer_line:
        state.pending_rule = state.pending_rule or number


def _japanese_prose(text: str) -> bool:
    """A translation paragraph: mostly Japanese, and a sentence or longer (not a school name or a slogan)."""
    return japanese_letters(text) > latin_letters(text) and (len(text) >= 30 or text.count("。") >= 2)
