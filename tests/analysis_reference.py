"""The analysis as it was before it was made faster, kept verbatim to compare the fast code with on random cases:
the first-letter gap-fill's names and chunks, the translation alignment's dynamic programme, a sentence's cloze."""

# ruff: noqa
from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

from ankiexport.analysis.align import _BAND, _LOG_PRIORS, _EARLY_GAP, _UNSYNCED, _Side, _spans
from ankiexport.analysis.gapfill import _JOINERS, _LETTERS, _is_acronym, _sentence_starts, _starts_sentence
from ankiexport.analysis.inflection import is_known_word
from ankiexport.analysis.sentences import FUNCTION_WORDS, split_spans
from ankiexport.analysis.matching import find_matches, possessive_base, tokenize
from ankiexport.analysis.terms import _Candidate, _choose, _uses
from ankiexport.model import Cloze, Paragraph, Sentence


def _length_cost(english: int, japanese: int, ratio: float) -> float:
    """-log of how likely ``japanese`` characters translate ``english`` ones: a normal error around the ratio."""
    expected = english * ratio
    delta = (japanese - expected) / (0.3 * expected + 3)  # lengths vary about 30% around what the ratio expects
    return -math.log(max(math.erfc(abs(delta) / math.sqrt(2)), 1e-12))


def _proper_nouns(article: Sequence[Paragraph], sentences: Sequence[Sentence] | None = None) -> frozenset[str]:
    """As gapfill._proper_nouns, with the old _names_in."""
    known = _sentence_starts(article, sentences) if sentences is not None else {}
    starts = [known.get(index) or [start for start, _ in split_spans(p.text)] or [0] for index, p in enumerate(article)]
    return frozenset(word for paragraph, first in zip(article, starts) for word in _names_in(paragraph.text, first))


def _names_in(text: str, starts: Sequence[int]) -> Iterator[str]:
    """The names among one paragraph's words, its sentences starting at ``starts`` (as ``_proper_nouns`` says)."""
    words = list(_LETTERS.finditer(text))
    initial = [_starts_sentence(text, words, position, starts) for position in range(len(words))]
    for position, match in enumerate(words):
        word = match.group()
        if initial[position] or not word[0].isupper() or _is_acronym(word) or word.lower() in FUNCTION_WORDS:
            continue
        unknown = not word[1:].islower() or not is_known_word(word)
        if unknown or not any(_title_neighbour(text, words, initial, position, step) for step in (-1, 1)):
            yield word


def _title_neighbour(
    text: str, words: Sequence[re.Match[str]], initial: Sequence[bool], position: int, step: int
) -> bool:
    """True when the word ``step`` away is a capitalised known word or an acronym joined to the word at
    ``position``: the two are a title of common nouns ("AI Trainer", "Prime Minister"), not a name."""
    other = position + step
    if not 0 <= other < len(words):
        return False
    word = words[other].group()
    acronym = _is_acronym(word)
    between = text[words[min(other, position)].end() : words[max(other, position)].start()]
    return (
        (not initial[other] or acronym)
        and word[0].isupper()
        and (is_known_word(word) or acronym)
        and not between.strip(_JOINERS)
    )


def _gap_part(word: str, first: bool, names: frozenset[str]) -> str:
    if _is_acronym(word) or word in names or (len(word) > 1 and not word[1:].islower() and not word.isupper()):
        return word
    return (word[0] if first else "_") + "_" * (len(word) - 1)


def gap_chunk(chunk: str, names: frozenset[str] = frozenset()) -> str:
    """One whitespace chunk as the exercise shows it: ``gaining,`` -> ``g______,``, ``high-quality`` ->
    ``h___-_______``; punctuation, digits, prices, acronyms and the given proper nouns stay."""
    out: list[str] = []
    position = 0
    previous_start = 0
    for match in _LETTERS.finditer(chunk):
        start, end = match.span()
        between = chunk[position:start]
        out.append(between)
        if (start > 0 and chunk[start - 1].isdigit()) or (end < len(chunk) and chunk[end].isdigit()):
            out.append(match.group())  # part of a number or code (5G, 30th, COVID-19): not a word to learn
        else:
            # A part joined to the previous one by a hyphen or apostrophe belongs to the same word: no new cue.
            joined = position > 0 and between in ("-", "'", "’")
            if joined and between != "-" and out[-2] == chunk[previous_start:position]:
                out.append(match.group())  # the clitic of a word left whole stays too: Japan's, not Japan'_
            else:
                out.append(_gap_part(match.group(), not joined, names))
        previous_start = start
        position = end
    out.append(chunk[position:])
    return "".join(out)


def _align(english: _Side, japanese: _Side, ratio: float) -> list[tuple[int, int, int, int]]:
    """The cheapest bead sequence as (english start, count, japanese start, count), by dynamic programming.

    A sentence left over costs a little more before the end: where lengths cannot tell where it belongs, it is
    put last (a translator's added note mostly is), so that the sentences before it still tie.
    """
    n, m = len(english.lengths), len(japanese.lengths)
    # Only cells near the diagonal from (0, 0) to (n, m): linear in the lesson's length, however long it is.
    half = _BAND + math.ceil(max(m / max(n, 1), n / max(m, 1)))  # wide enough to step from row to row
    band = [range(max(0, c - half), min(m, c + half) + 1) for c in (round(i * m / max(n, 1)) for i in range(n + 1))]
    spans = (_spans(english), _spans(japanese))
    starts = ([*map(english.starts_paragraph, range(n + 1))], [*map(japanese.starts_paragraph, range(m + 1))])
    cost: dict[tuple[int, int], float] = {(0, 0): 0.0}
    back: dict[tuple[int, int], tuple[int, int]] = {}
    for i in range(n + 1):
        for j in band[i]:
            here = cost.get((i, j))
            if here is None:
                continue
            unsynced = _UNSYNCED if starts[0][i] != starts[1][j] else 0.0
            for de, dj, log_prior in _LOG_PRIORS:
                english_length, japanese_length = spans[0][de][i], spans[1][dj][j]
                if english_length is None or japanese_length is None or j + dj not in band[i + de]:
                    continue
                if de and dj:
                    step = _length_cost(english_length, japanese_length, ratio)
                else:
                    step = _EARLY_GAP if i + de < n and j + dj < m else 0.0
                total = here - log_prior + step + unsynced
                if total < cost.get((i + de, j + dj), math.inf):
                    cost[i + de, j + dj], back[i + de, j + dj] = total, (de, dj)
    return _traced(back, n, m)


def _traced(back: dict[tuple[int, int], tuple[int, int]], n: int, m: int) -> list[tuple[int, int, int, int]]:
    """The beads on the cheapest path to (n, m), first to last."""
    beads: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while (i, j) != (0, 0):
        step = back[i, j]  # 1-0 and 0-1 beads make every cell of the band reachable
        i, j = i - step[0], j - step[1]
        beads.append((i, step[0], j, step[1]))
    return beads[::-1]


def _cloze_for(
    sentence: str, index: int | None, heads: dict[str, list[tuple[int, str]]], seen: set[int]
) -> Cloze | None:
    """The sentence's cloze (key still empty) or None; ``seen`` collects every entry found, kept or not."""
    tokens = tokenize(sentence)
    words = {token.text for token in tokens}
    words |= {base for base in map(possessive_base, words) if base is not None}
    entries = sorted({entry for word in words for entry in heads.get(word, ())})
    candidates = [_Candidate(entry, match) for entry, term in entries for match in find_matches(term, sentence, tokens)]
    if not candidates:
        return None
    seen.update(candidate.entry for candidate in candidates)
    return Cloze(sentence=sentence, index=index, uses=_uses(_choose(candidates)), key="")


def confusable(vocabulary: Sequence[Any]) -> frozenset[int]:
    """As clozes.confusable, every pair of entries compared."""
    from ankiexport.analysis.clozes import _meaning_marks, gloss_hint

    hints = [gloss_hint(entry.gloss) for entry in vocabulary]
    glosses = [_meaning_marks(entry.gloss) for entry in vocabulary]  # once each, not once per pair
    found: set[int] = set()
    for index, hint in enumerate(hints):
        marks = _meaning_marks(hint)
        for other in range(len(vocabulary)):
            if other != index and (hint == hints[other] or marks & glosses[other]):
                found.add(index)
    return frozenset(found)
