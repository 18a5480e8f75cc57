"""Prose lines as their author meant them: a hard line break inside a sentence joins by script, others stay."""

from __future__ import annotations

import unicodedata

# A line ending in one of these ends a sentence (or a quotation or bracket closing one): the break after it is meant.
_SENTENCE_ENDS = frozenset("。．！？!?.…」』）)】")
# A line starting with one of these starts a list item: the break before it is meant.
_ITEM_STARTS = frozenset("・•*-－※→")


def _wide(char: str) -> bool:
    """True for Japanese script and full-width forms, which are written without spaces between words."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _separator(before: str, after: str) -> str:
    """What a hard break between two non-empty lines stands for."""
    numbered = after[0].isdigit() and after[1:2] in (".", ")")
    if before[-1] in _SENTENCE_ENDS or after[0] in _ITEM_STARTS or numbered:
        return "\n"
    if _wide(before[-1]) or _wide(after[0]):
        return ""  # 対義語は⏎appreciating: Japanese sets Latin words in its text without spaces
    return " "  # increase⏎dramatically: a space between Latin words


def join_lines(text: str) -> str:
    """``text`` with hard breaks inside sentences removed: a space between Latin words, nothing next to Japanese.

    Breaks after a sentence end, before a list item and blank lines (paragraphs) are kept, as one line break.
    """
    out = ""
    for line in (line.strip() for line in text.split("\n")):
        if not line:
            out = out if out.endswith("\n") or not out else out + "\n"
        elif not out or out.endswith("\n"):
            out += line
        else:
            out += _separator(out, line) + line
    return out.rstrip("\n")
