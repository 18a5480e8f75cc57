"""The first-letter gap-fill: generated from the article, or the lesson's own block aligned to the article's words."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from difflib import SequenceMatcher

from ..model import Diagnostic, GapFill, GapToken, Paragraph, Sentence
from .inflection import is_known_word
from .sentences import FUNCTION_WORDS, split_spans

_LETTERS = re.compile(r"[^\W\d_]+")
_FIRST_ALNUM = re.compile(r"[^\W_]")
_OPENERS = "“\"‘'([ "
_JOINERS = " -“”\"‘’'"  # what may stand between two words of one capitalised run ("AI Trainer", “AI Trainer”)


def _is_acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


def _proper_nouns(article: Sequence[Paragraph], sentences: Sequence[Sentence] | None = None) -> frozenset[str]:
    """Capitalised words used mid-sentence as names (Japan, Tokyo, China, Apple): kept whole everywhere.

    A name is a capitalised word the English lexicon lacks, or a known word standing alone (China, Apple). Known
    words inside a run of capitalised words or next to an acronym make a title of common nouns ("AI Trainer",
    "Prime Minister") and are gapped, as the sample does. At a sentence start capitals say nothing, so a word
    there counts as a name only if it also appears mid-sentence.
    """
    known = _sentence_starts(article, sentences) if sentences is not None else {}
    names: set[str] = set()
    for index, paragraph in enumerate(article):
        starts = known.get(index) or [start for start, _ in split_spans(paragraph.text)] or [0]
        names.update(_names_in(paragraph.text, starts))
    return frozenset(names)


def _sentence_starts(article: Sequence[Paragraph], sentences: Sequence[Sentence]) -> dict[int, list[int]]:
    """Paragraph index -> where each of its sentences, already cut, starts (they are in order: found from there)."""
    known: dict[int, list[int]] = {}
    for sentence in sentences:
        text = article[sentence.paragraph].text
        starts_here = known.setdefault(sentence.paragraph, [])
        starts_here.append(text.find(sentence.text, starts_here[-1] + 1 if starts_here else 0))
    return known


def _names_in(text: str, starts: Sequence[int]) -> Iterator[str]:
    """The names among one paragraph's words, its sentences starting at ``starts`` (as ``_proper_nouns`` says)."""
    words = list(_LETTERS.finditer(text))
    # Whether a word starts a sentence matters only for capitalised words (the names asked about, and the title
    # words beside them), most words are not: asked only for those.
    initial = {
        position: _starts_sentence(text, words, position, starts)
        for position, match in enumerate(words)
        if match.group()[0].isupper()
    }
    for position in initial:
        word = words[position].group()
        if initial[position] or _is_acronym(word) or word.lower() in FUNCTION_WORDS:
            continue
        unknown = not word[1:].islower() or not is_known_word(word)
        if unknown or not any(_title_neighbour(text, words, initial, position, step) for step in (-1, 1)):
            yield word


def _title_neighbour(
    text: str, words: Sequence[re.Match[str]], initial: dict[int, bool], position: int, step: int
) -> bool:
    """True when the word ``step`` away is a capitalised known word or an acronym joined to the word at
    ``position``: the two are a title of common nouns ("AI Trainer", "Prime Minister"), not a name.
    ``initial`` says for each capitalised word whether it starts a sentence."""
    other = position + step
    if other not in initial:
        return False  # past either end, or not capitalised
    word = words[other].group()
    acronym = _is_acronym(word)
    between = text[words[min(other, position)].end() : words[max(other, position)].start()]
    return (not initial[other] or acronym) and (is_known_word(word) or acronym) and not between.strip(_JOINERS)


# A quoted sentence starts after an opening quote ("said: “It is great.”"), and a sentence after a lower-case word
# and a full stop, whatever the splitter decided ("…,” she said. But now …").
_OPENING_QUOTE = re.compile(r"(?:^|\s)[“\"‘]+$")
_CLEAR_STOP = re.compile(r"^[.!?][”\"’')\]]*\s+[“\"‘(\[]*$")


def _starts_sentence(text: str, words: Sequence[re.Match[str]], position: int, starts: Sequence[int]) -> bool:
    """True when ``words[position]`` begins a sentence (or a quoted one), where a capital says nothing of names."""
    match = words[position]
    start = starts[max(bisect_right(starts, match.start()) - 1, 0)]
    previous = words[position - 1] if position else None
    if previous is None or previous.end() <= start:
        return not text[start : match.start()].strip(_OPENERS)  # only openers between the sentence start and it
    between = text[previous.end() : match.start()]
    if _OPENING_QUOTE.search(between):
        return True
    word = previous.group()
    return bool(_CLEAR_STOP.match(between)) and len(word) >= 2 and word.islower()


def gap_chunk(chunk: str, names: frozenset[str] = frozenset()) -> str:
    """One whitespace chunk as the exercise shows it: ``gaining,`` -> ``g______,``, ``high-quality`` ->
    ``h___-_______``; punctuation, digits, prices, acronyms and the given proper nouns stay."""
    return _gapped(chunk, names)


_CLITIC_JOINS = ("'", "’")


def _gapped(text: str, names: frozenset[str]) -> str:
    """``text`` with each of its chunks gapped as ``gap_chunk`` says: the same length, its whitespace where it was,
    so a paragraph is gapped in one pass and split after (a letter run never spans whitespace, and what decides its
    fate, the characters next to it, lies in its chunk)."""
    out: list[str] = []
    position = 0
    kept = False  # the previous letter run is shown as written
    for match in _LETTERS.finditer(text):
        start, end = match.span()
        word = match.group()
        between = text[position:start]
        if (start and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit()):
            shown = word  # part of a number or code (5G, 30th, COVID-19): not a word to learn
        elif kept and position and between in _CLITIC_JOINS:
            shown = word  # the clitic of a word left whole stays too: Japan's, not Japan'_
        elif word in names or (len(word) > 1 and not word[1:].islower()):
            shown = word  # a name, an acronym (USD) or a mixed-case word (iPhone)
        elif position and (between == "-" or between in _CLITIC_JOINS):
            shown = "_" * len(word)  # joined to the previous part by a hyphen or apostrophe: the same word, no cue
        else:
            shown = word[0] + "_" * (len(word) - 1)
        kept = shown == word
        out.append(between)
        out.append(shown)
        position = end
    out.append(text[position:])
    return "".join(out)


def generate_gapfill(article: Sequence[Paragraph], sentences: Sequence[Sentence] | None = None) -> GapFill:
    """The exercise for a lesson without one: one line per paragraph, every chunk gapped by ``gap_chunk``.

    ``sentences`` (the article's, when already cut) only saves splitting the paragraphs again.
    """
    names = _proper_nouns(article, sentences)
    return GapFill(
        paragraphs=tuple(
            tuple(map(GapToken, _gapped(paragraph.text, names).split(), paragraph.text.split()))
            for paragraph in article
            if paragraph.text.strip()
        ),
        generated=True,
    )


def _shape(chunk: str) -> tuple[str, int]:
    """What a gapped chunk and its article word share: the first letter or digit and the number of letters."""
    first = _FIRST_ALNUM.search(chunk)
    return (first.group().lower() if first else "", chunk.count("_") + sum(map(str.isalpha, chunk)))


def _fits(shown: str, word: str) -> bool:
    """True when ``word`` is exactly what ``shown`` gaps: each underscore one letter, everything else as written.

    A letter is what ``[^\\W\\d_]`` matches (a word character, not a digit or underscore), tested per character:
    building and matching that pattern for every chunk cost a sample lesson about a millisecond.
    """
    if len(shown) != len(word):
        return False
    for cue, char in zip(shown, word, strict=True):
        if cue == "_":
            if not char.isalnum() or char.isdecimal():
                return False
        elif cue != char:
            return False
    return True


def _same_cue(shown: str, word: str) -> bool:
    """True when the chunk's first letter or digit is the word's, case included (t____ is not Tokyo)."""
    cue, first = _FIRST_ALNUM.search(shown), _FIRST_ALNUM.search(word)
    return (cue.group() if cue else "") == (first.group() if first else "")


def _pairs(shown: Sequence[str], words: Sequence[str]) -> tuple[dict[int, int], set[int]]:
    """Exercise chunk index -> article chunk index, for every chunk that can be placed with confidence; and the
    chunks that already gap their word as written (``recount`` would return them unchanged).

    A chunk pairs with the article word in its place when it gaps that word exactly; inside a long run of
    agreeing chunks (or a run of equal length between two such runs) a quirk is forgiven if the first letter
    agrees: the sample writes "I__’" for "It’s" and "d____-" for "dollar-".
    """
    matcher = SequenceMatcher(None, *_shape_numbers(shown, words), autojunk=False)
    pairs: dict[int, int] = {}
    as_written: set[int] = set()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        trusted = (tag == "equal" and i2 - i1 >= 3) or (tag == "replace" and i2 - i1 == j2 - j1)
        if tag not in ("equal", "replace") or i2 - i1 != j2 - j1:
            continue
        for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
            if _gapped_as_written(shown[i], words[j]):  # a chunk that gaps its word as written also fits it
                as_written.add(i)
                pairs[i] = j
            elif _fits(shown[i], words[j]) or (trusted and _same_cue(shown[i], words[j])):
                pairs[i] = j
    return pairs, as_written


def _shape_numbers(shown: Sequence[str], words: Sequence[str]) -> tuple[list[int], list[int]]:
    """Each chunk's ``_shape`` as a number, equal numbers for equal shapes: the matcher hashes and compares them
    thousands of times (tuples cost more), and an article repeats its words (each shaped once)."""
    numbers: dict[tuple[str, int], int] = {}
    known: dict[str, int] = {}

    def number(chunk: str) -> int:
        found = known.get(chunk)
        if found is None:
            found = known[chunk] = numbers.setdefault(_shape(chunk), len(numbers))
        return found

    return [number(chunk) for chunk in shown], [number(word) for word in words]


def _gapped_as_written(chunk: str, word: str) -> bool:
    """True when ``chunk`` already is ``word`` as ``recount`` writes it: a slot for each letter it hides, every
    other character the word's own (most chunks of a lesson's own gap-fill)."""
    if len(chunk) != len(word):
        return False
    for cue, char in zip(chunk, word, strict=True):
        if cue == "_":
            if not char.isalpha():
                return False
        elif cue != char:
            return False
    return True


def recount(chunk: str, word: str) -> str:
    """``word`` gapped as ``chunk`` gaps it: the chunk decides which letters are cues, the word how many slots.

    The k-th letter of the word is shown when the chunk shows a letter in its k-th letter place (the word's own
    letter, so a miswritten cue is never printed); every other letter is one slot; everything else is the word's.
    """
    if _gapped_as_written(chunk, word):
        return chunk
    places = [char for char in chunk if char == "_" or char.isalpha()]
    out: list[str] = []
    k = 0
    for char in word:
        if not char.isalpha():
            out.append(char)
            continue
        out.append(char if k < len(places) and places[k] != "_" else "_")
        k += 1
    return "".join(out)


def _recount_message(chunk: str, shown: str, word: str) -> str:
    bare = word.strip(_OPENERS + "”’\"'.,;:!?)]")
    written, needed = chunk.count("_"), shown.count("_")
    if written != needed:
        return f"gap-fill: {bare}: {written} blanks, the word has {needed} missing letters; printed as {shown}"
    return f"gap-fill: {bare}: written {chunk}, the word's letters are {shown}; printed as {shown}"


def align_gapfill(
    lines: Sequence[str], article: Sequence[Paragraph], source_lines: Sequence[int] = ()
) -> tuple[GapFill, tuple[Diagnostic, ...]]:
    """The lesson's own exercise, each chunk's answer and letter count taken from the article word in its place.

    ``source_lines`` are the file lines of ``lines``, so a warning can point at the first unmatched word's line.
    """
    shown_lines = [line.split() for line in lines]
    flat = [(number, chunk) for number, chunks in enumerate(shown_lines) for chunk in chunks]
    words = [chunk for paragraph in article for chunk in paragraph.text.split()]
    pairs, as_written = _pairs([chunk for _, chunk in flat], words)
    tokens: list[list[GapToken]] = [[] for _ in shown_lines]
    # Messages name file lines when the reader gave them, else lines counted within the block.
    located = len(source_lines) == len(lines)
    lost: list[tuple[int, str]] = []
    recounted: list[Diagnostic] = []
    for index, (number, chunk) in enumerate(flat):
        place = source_lines[number] if located else number + 1
        if "_" not in chunk:  # a chunk without blanks asks nothing: it is its own answer
            tokens[number].append(GapToken(shown=chunk, answer=chunk))
        elif index not in pairs:
            lost.append((place, chunk))
            tokens[number].append(GapToken(shown=chunk, answer=chunk))
        else:
            answer = words[pairs[index]]
            shown = chunk if index in as_written else recount(chunk, answer)
            if shown != chunk:
                recounted.append(Diagnostic(place if located else None, _recount_message(chunk, shown, answer)))
            tokens[number].append(GapToken(shown=shown, answer=answer))
    warnings = (*recounted, *_lost_warning(lost, located))
    return GapFill(paragraphs=tuple(tuple(line) for line in tokens), generated=False), warnings


def _lost_warning(lost: list[tuple[int, str]], located: bool) -> tuple[Diagnostic, ...]:
    if not lost:
        return ()
    listed = ", ".join(f"line {number} {chunk!r}" for number, chunk in lost[:5])
    more = f" and {len(lost) - 5} more" if len(lost) > 5 else ""
    where = "" if located else " of the gap-fill block"
    message = (
        f"gap-fill: {len(lost)} gapped word(s) could not be matched to the article "
        f"({listed}{more}{where}); the answer key shows them as gapped"
    )
    return (Diagnostic(line=lost[0][0] if located else None, message=message),)


def agreement(ours: Iterable[GapToken], theirs: Iterable[GapToken]) -> float:
    """Share of ``theirs`` chunks that ``ours`` shows identically, after aligning the two chunk sequences."""
    a = [token.shown for token in ours]
    b = [token.shown for token in theirs]
    if not b:
        return 1.0 if not a else 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    return same / max(len(a), len(b))
