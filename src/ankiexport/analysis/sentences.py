"""Cutting article paragraphs into sentences (pysbd plus a few corrections), keeping each sentence's span."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from itertools import pairwise
from typing import Any

from ..model import Paragraph, Sentence

# Abbreviations that stand before a number ("approx. 3", "pp. 12"); pysbd sometimes ends a sentence on them.
_BEFORE_NUMBER = frozenset(
    {"no", "nos", "approx", "p", "pp", "vol", "ch", "fig", "art", "sec", "para", "ca", "est", "vs"}
)

# Reporting verbs for speech tags after a quoted question or exclamation ("“Really?” Ken asked.").
_REPORTING = (
    *("say", "ask", "add", "shout", "reply", "explain", "comment", "note", "tell", "write", "cry", "whisper"),
    *("answer", "exclaim", "insist", "continue", "recall", "agree", "admit", "warn", "argue", "claim", "respond"),
    *("laugh", "wonder"),
)

_CLOSING_QUOTE_END = re.compile(r"[!?][”\"’']\s*$")
_LEADING_OPENERS = " \t“\"‘'(["
_LAST_WORD = re.compile(r"([A-Za-z]+)\.\s*$")
# Where pysbd could end a sentence: a full stop, question or exclamation mark (and closing quotes) before more text.
_POSSIBLE_END = re.compile(r"[.!?…][”\"’')\]]*\s+\S")
# A full stop with no space after it between two ordinary words ("new.The"): a typo that hides a boundary.
_MISSING_SPACE = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])")
# pysbd keeps "the U.S. Then …" together unless the next word is on its short list; after a dotted initialism
# (U.S., U.K., a.m., p.m.) a capitalised function word can only start a new sentence.
_AFTER_INITIALISM = re.compile(r"(?<![\w.])(?:[A-Za-z]\.){2,}(?<!e\.g\.)(?<!i\.e\.)\s+(?=([A-Z][a-z]*)\b)")
_OPENERS = frozenset(
    {
        *("the", "a", "an", "this", "that", "these", "those", "it", "they", "he", "she", "we", "i", "you", "there"),
        *("then", "but", "however", "yet", "so", "still", "also", "meanwhile", "now", "today", "instead", "and"),
        *("many", "most", "some", "several", "few", "all", "both", "each", "every", "such", "what", "why", "how"),
        *("in", "on", "at", "for", "with", "as", "after", "before", "when", "while", "since", "although", "if"),
        *("moreover", "furthermore", "nevertheless", "nonetheless", "later", "soon", "our", "its", "their"),
    }
)


@cache
def _segmenter() -> Any:
    # Imported lazily: pysbd compiles many regexes on import, and lessons without articles never need it.
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


@cache
def _reporting_forms() -> frozenset[str]:
    from lemminflect import getAllInflections

    forms: set[str] = set()
    for verb in _REPORTING:
        forms.add(verb)
        for values in getAllInflections(verb, upos="VERB").values():
            forms.update(values)
    return frozenset(forms)


def _locate(paragraph: str, pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of pysbd's pieces in the paragraph, found in order (pysbd's own char spans misplace repeats)."""
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        core = piece.strip()
        if not core:
            continue
        start = paragraph.find(core, cursor)
        if start < 0:
            # pysbd changed the text (it should not with clean=False); match it word by word, spaces loose.
            pattern = r"\s+".join(re.escape(word) for word in core.split())
            found = re.compile(pattern).search(paragraph, cursor)
            if found is None:
                break
            start, end = found.span()
        else:
            end = start + len(core)
        spans.append((start, end))
        cursor = end
    rest = paragraph[cursor:].strip()
    if rest:
        # Whatever pysbd lost stays with the last sentence so that no article text disappears.
        end = len(paragraph.rstrip())
        if spans:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((len(paragraph) - len(paragraph.lstrip()), end))
    return spans


def _continues(previous: str, following: str) -> bool:
    """True when pysbd cut inside a sentence: ``following`` cannot start a sentence after ``previous``."""
    body = following.lstrip(_LEADING_OPENERS)
    if not body:
        return True
    if body[0].islower():
        return True
    last = _LAST_WORD.search(previous)
    if body[0].isdigit() and last is not None and last.group(1).lower() in _BEFORE_NUMBER:
        return True
    if _CLOSING_QUOTE_END.search(previous) and not following.lstrip().startswith(("“", '"', "‘", "'")):
        words = re.findall(r"[A-Za-z’'-]+", following)
        if len(words) <= 5 and following.rstrip().endswith("."):
            return any(word.lower() in _reporting_forms() for word in words[1:])
    return False


def split_spans(paragraph: str) -> list[tuple[int, int]]:
    """[start, end) spans of the sentences of one paragraph, in order, each stripped of outer whitespace."""
    return list(_split_spans(paragraph))


@lru_cache(maxsize=8192)
def _split_spans(paragraph: str) -> tuple[tuple[int, int], ...]:
    if not paragraph.strip():
        return ()
    if _POSSIBLE_END.search(paragraph) is None:
        # No full stop, question or exclamation mark before more text: pysbd (~0.5 ms a paragraph) has
        # nothing to decide, and most lesson paragraphs are single sentences.
        spans = [(len(paragraph) - len(paragraph.lstrip()), len(paragraph.rstrip()))]
    else:
        spans = _locate(paragraph, _segmenter().segment(paragraph))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and _continues(paragraph[merged[-1][0] : merged[-1][1]], paragraph[start:end]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    result: list[tuple[int, int]] = []
    for start, end in merged:
        inner = [m.start() for m in _MISSING_SPACE.finditer(paragraph, start, end)]
        inner += [m.end() for m in _AFTER_INITIALISM.finditer(paragraph, start, end) if m.group(1).lower() in _OPENERS]
        cuts = [start, *sorted(inner), end]
        for a, b in pairwise(cuts):
            text = paragraph[a:b]
            if text.strip():
                result.append((a + len(text) - len(text.lstrip()), b - len(text) + len(text.rstrip())))
    return tuple(result)


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph as written."""
    return [paragraph[start:end] for start, end in split_spans(paragraph)]


def article_sentences(article: Sequence[Paragraph]) -> tuple[Sentence, ...]:
    """Every sentence of the article in order, each pointing back at its paragraph and source line."""
    return tuple(
        Sentence(text=paragraph.text[start:end], paragraph=index, line=paragraph.line)
        for index, paragraph in enumerate(article)
        for start, end in split_spans(paragraph.text)
    )
