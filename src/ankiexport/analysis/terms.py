"""Sentence clozes: where each vocabulary term is used (article first, the title as fallback) and the notes made."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Cloze, Diagnostic, Sentence, TermUse, VocabEntry
from .matching import Match, find_matches, normalise_term, possessive_base, term_heads, tokenize, words_of


@dataclass(frozen=True)
class _Candidate:
    entry: int
    match: Match


def _choose(candidates: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates: a longer term wins over one inside it ("nuanced understanding" over "nuanced")."""
    taken: set[int] = set()
    chosen: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (-c.match.size, c.match.tokens[0][0], c.entry)):
        cells = {i for start, end in candidate.match.tokens for i in range(start, end)}
        if cells & taken:
            continue
        taken |= cells
        chosen.append(candidate)
    return chosen


def _uses(chosen: list[_Candidate]) -> tuple[TermUse, ...]:
    """One TermUse per entry (all its occurrences in the sentence together), numbered by first appearance."""
    spans: dict[int, list[tuple[int, int]]] = {}
    for candidate in chosen:
        spans.setdefault(candidate.entry, []).extend(candidate.match.spans)
    ordered = sorted(spans.items(), key=lambda item: (min(item[1]), item[0]))
    return tuple(TermUse(entry=entry, spans=tuple(sorted(found))) for entry, found in ordered)


def _by_head(entries: Sequence[tuple[int, str]]) -> dict[str, list[tuple[int, str]]]:
    """Entries by every token a match can start with: a sentence is matched only against terms it may hold."""
    index: dict[str, list[tuple[int, str]]] = {}
    for entry in entries:
        for head in term_heads(entry[1]):
            index.setdefault(head, []).append(entry)
    return index


def _cloze_for(
    sentence: str, index: int | None, heads: dict[str, list[tuple[int, str]]], seen: set[int]
) -> Cloze | None:
    """The sentence's cloze (key still empty) or None; ``seen`` collects every entry found, kept or not."""
    words = words_of(sentence)
    if "'" in sentence or "’" in sentence:  # else no word is a possessive
        words |= {base for base in map(possessive_base, words) if base is not None}
    found = words & heads.keys()
    if not found:
        return None  # most sentences hold no term's first word: their tokens are not needed
    entries = sorted({entry for word in found for entry in heads[word]})
    tokens = tokenize(sentence)
    candidates = [_Candidate(entry, match) for entry, term in entries for match in find_matches(term, sentence, tokens)]
    if not candidates:
        return None
    seen.update(candidate.entry for candidate in candidates)
    return Cloze(sentence=sentence, index=index, uses=_uses(_choose(candidates)), key="")


def build_clozes(
    title: str, sentences: Sequence[Sentence], vocabulary: Sequence[VocabEntry]
) -> tuple[tuple[Cloze, ...], tuple[Diagnostic, ...]]:
    """The lesson's cloze notes in reading order (title first) and a warning for every term found nowhere."""
    entries = [(number, entry.term) for number, entry in enumerate(vocabulary) if entry.term.strip()]
    body: list[Cloze] = []
    seen: set[int] = set()
    heads = _by_head(entries)
    for index, sentence in enumerate(sentences):
        cloze = _cloze_for(sentence.text, index, heads, seen)
        if cloze is not None:
            body.append(cloze)
    used = {use.entry for cloze in body for use in cloze.uses}
    missing = [(number, term) for number, term in entries if number not in used]
    clozes: list[Cloze] = []
    if missing and title.strip():
        heading = _cloze_for(title, None, _by_head(missing), seen)
        if heading is not None:
            clozes.append(heading)
            used |= {use.entry for use in heading.uses}
    clozes.extend(body)
    warnings = tuple(
        Diagnostic(line=vocabulary[number].line, message=_not_used(term, inside_another=number in seen))
        for number, term in entries
        if number not in used
    )
    return _keyed(clozes, vocabulary), warnings


def _not_used(term: str, inside_another: bool) -> str:
    if inside_another:
        return f"vocabulary term {term!r} is only used inside another term's words; its card gets no example sentence"
    return f"vocabulary term {term!r} is not used in the article or the title; its card gets no example sentence"


def _keyed(clozes: Sequence[Cloze], vocabulary: Sequence[VocabEntry]) -> tuple[Cloze, ...]:
    """The clozes with keys made of their terms and occurrence, so editing a sentence keeps its notes' identity."""
    seen: Counter[str] = Counter()
    out: list[Cloze] = []
    for cloze in clozes:
        terms = "|".join(normalise_term(vocabulary[use.entry].term) for use in cloze.uses)
        seen[terms] += 1
        out.append(Cloze(cloze.sentence, cloze.index, cloze.uses, f"{terms}#{seen[terms]}"))
    return tuple(out)
