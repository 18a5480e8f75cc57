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
FUNCTION_WORDS = frozenset(  # words that start sentences and are never names (But, Now, That, It)
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


# After an abbreviation ("9:05 a.m. Sunday", "the U.S. July figures") these name a time, not a new sentence.
_DAYS_MONTHS = frozenset(
    {
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february"),
        *("march", "april", "june", "july", "august", "september", "october", "november", "december"),
    }
)
_ENDS_IN_ABBREVIATION = re.compile(r"(?<![\w.])(?:[A-Za-z]\.){2,}\s*$")
_FIRST_WORD = re.compile(r"([A-Za-z]+)(\.?\s*\d)?")


def _after_abbreviation(previous: str, body: str) -> bool:
    """True when ``previous`` ends in an abbreviation and ``body`` goes on with a day, month or time zone."""
    if _ENDS_IN_ABBREVIATION.search(previous) is None:
        return False
    first = _FIRST_WORD.match(body)
    if first is None:
        return False
    word = first.group(1)
    # "May" is a month only before a number ("May 5"); JST, GMT, UTC are zones, but "It" or "A" start sentences.
    return (
        word.lower() in _DAYS_MONTHS
        or (word == "May" and first.group(2) is not None)
        or (3 <= len(word) <= 4 and word.isupper() and word.endswith("T"))
    )


def _continues(previous: str, following: str) -> bool:
    """True when pysbd cut inside a sentence: ``following`` cannot start a sentence after ``previous``."""
    body = following.lstrip(_LEADING_OPENERS)
    if not body:
        return True
    if body[0].islower() or _after_abbreviation(previous, body):
        return True
    last = _LAST_WORD.search(previous)
    if body[0].isdigit() and last is not None and last.group(1).lower() in _BEFORE_NUMBER:
        return True
    if _CLOSING_QUOTE_END.search(previous) and not following.lstrip().startswith(("“", '"', "‘", "'")):
        words = re.findall(r"[A-Za-z’'-]+", following)
        if len(words) <= 5 and following.rstrip().endswith("."):
            return any(word.lower() in _reporting_forms() for word in words[1:])
    return False


def split_spans(paragraph: str, careful: bool = True) -> list[tuple[int, int]]:
    """[start, end) spans of the sentences of one paragraph, in order, each stripped of outer whitespace.

    ``careful`` asks pysbd about the doubtful boundaries; without it only this module's rules decide (what a lesson
    beyond its pysbd budget gets, see ``article_sentences``).
    """
    return list(_split_spans(paragraph, careful))


# A boundary no one doubts: a lower-case word of three or more letters (not an abbreviation) ends with . ! or ?,
# and a capital (or an opening quote) follows. Cutting there first leaves pysbd only the doubtful pieces.
_CLEAR_END = re.compile(r"(?<=[a-z]{3}[.!?])[”\"’')\]]*\s+(?=[“\"‘'(\[]?[A-Z])")
_LOWER_ABBREVIATIONS = frozenset(
    {*_BEFORE_NUMBER, "etc", "approx", "dept", "govt", "incl", "misc", "ibid", "viz", "corp", "inc", "ltd", "bros"}
)
# What pysbd is given in one call (it is superlinear on runs of abbreviations: "U.S. " * 20,000 took 4.3 s) and in
# one lesson (about 40 µs a character): beyond these, the rules below decide alone. A real lesson's doubtful
# pieces are a few hundred characters; 1 MB of "U.S. " costs at most ~1 s of pysbd.
MAX_PYSBD_PIECE = 2_000
PYSBD_BUDGET = 20_000


def _clear_pieces(paragraph: str) -> list[tuple[int, int]]:
    """The paragraph cut at the boundaries no one doubts (``_CLEAR_END``)."""
    cuts = [0]
    for match in _CLEAR_END.finditer(paragraph):
        word = re.search(r"([a-z]+)[.!?]$", paragraph[max(0, match.start() - 20) : match.start()])
        if word is None or word.group(1) not in _LOWER_ABBREVIATIONS:
            cuts.append(match.end())
    return [(a, b) for a, b in pairwise([*cuts, len(paragraph)]) if paragraph[a:b].strip()]


# Without pysbd: a sentence ends at . ! ? … (and closing quotes) before white space, unless the word before is an
# abbreviation: a single letter or dotted initialism (U.S., a.m.), a title (Mr., Dr.), or one that precedes numbers.
_RULE_END = re.compile(r"[.!?…][”\"’')\]]*(?=\s+\S)")
_TITLES = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "gov", "sen", "rep", "capt", "lt", "col"}
)


def _rule_spans(text: str, offset: int) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (shifted by ``offset``) by rules alone; linear in the length."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _RULE_END.finditer(text):
        before = re.search(r"(?:[A-Za-z]\.)+$|([A-Za-z]+)\.$", text[max(start, match.start() - 30) : match.start() + 1])
        if text[match.start()] == "." and before is not None:
            word = before.group(1)
            if word is None or len(word) == 1 or word.lower() in _TITLES or word.lower() in _LOWER_ABBREVIATIONS:
                continue
        spans.append((offset + start, offset + match.end()))
        start = match.end()
    spans.append((offset + start, offset + len(text)))
    return spans


def _piece_spans(paragraph: str, start: int, end: int, careful: bool) -> list[tuple[int, int]]:
    piece = paragraph[start:end]
    if _POSSIBLE_END.search(piece) is None:
        # No full stop, question or exclamation mark before more text: nothing to decide (most pieces are one
        # sentence, and pysbd costs ~0.5 ms a call).
        return [(start, end)]
    if careful and len(piece) <= MAX_PYSBD_PIECE:
        return [(a + start, b + start) for a, b in _locate(piece, _segmenter().segment(piece))]
    return _rule_spans(piece, start)


@lru_cache(maxsize=8192)
def _split_spans(paragraph: str, careful: bool = True) -> tuple[tuple[int, int], ...]:
    if not paragraph.strip():
        return ()
    if _POSSIBLE_END.search(paragraph) is None and _MISSING_SPACE.search(paragraph) is None:
        # Nothing could end a sentence inside (each of _cut_spans's cuts needs one of these): the paragraph is one
        # sentence, as _cut_spans would find at more cost (most short paragraphs are).
        return ((len(paragraph) - len(paragraph.lstrip()), len(paragraph.rstrip())),)
    return _cut_spans(paragraph, careful)


def _cut_spans(paragraph: str, careful: bool) -> tuple[tuple[int, int], ...]:
    """The paragraph's sentence spans: cut where no one doubts, pysbd (``careful``) or the rules deciding the
    rest, pieces that continue a sentence merged, and missing spaces and initialisms before function words cut."""
    spans = [span for a, b in _clear_pieces(paragraph) for span in _piece_spans(paragraph, a, b, careful)]
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if not paragraph[start:end].strip():
            continue
        if merged and _continues(paragraph[merged[-1][0] : merged[-1][1]], paragraph[start:end]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    result: list[tuple[int, int]] = []
    for start, end in merged:
        inner = [m.start() for m in _MISSING_SPACE.finditer(paragraph, start, end)]
        inner += [
            m.end() for m in _AFTER_INITIALISM.finditer(paragraph, start, end) if m.group(1).lower() in FUNCTION_WORDS
        ]
        cuts = [start, *sorted(inner), end]
        for a, b in pairwise(cuts):
            text = paragraph[a:b]
            if text.strip():
                result.append((a + len(text) - len(text.lstrip()), b - len(text) + len(text.rstrip())))
    return tuple(result)


def _doubtful(paragraph: str) -> int:
    """How many characters of the paragraph pysbd would be asked about (pieces with a possible end inside)."""
    if _POSSIBLE_END.search(paragraph) is None:
        return 0  # none in the whole paragraph, none in a piece of it (the pattern looks at nothing around it)
    return sum(
        b - a
        for a, b in _clear_pieces(paragraph)
        if b - a <= MAX_PYSBD_PIECE and _POSSIBLE_END.search(paragraph, a, b) is not None
    )


def split_sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph as written."""
    return [paragraph[start:end] for start, end in split_spans(paragraph)]


def article_sentences(article: Sequence[Paragraph]) -> tuple[Sentence, ...]:
    """Every sentence of the article in order, each pointing back at its paragraph and source line.

    pysbd decides doubtful boundaries until the lesson has used ``PYSBD_BUDGET`` characters of it; later paragraphs
    are split by the rules alone, so that no lesson under the size limit costs more than about a second of pysbd.
    """
    sentences: list[Sentence] = []
    budget = PYSBD_BUDGET
    for index, paragraph in enumerate(article):
        doubtful = _doubtful(paragraph.text)
        careful = doubtful <= budget
        budget -= doubtful if careful else 0
        sentences.extend(
            Sentence(text=paragraph.text[start:end], paragraph=index, line=paragraph.line)
            for start, end in _split_spans(paragraph.text, careful)
        )
    return tuple(sentences)
