"""Which items a cumulative review test asks: terms drawn across lessons in proportion, each asked once, never shown."""

# Pure: lessons and options in, a ``Selection`` out; the same lessons and options give the same test on every machine.
# Three kinds of item: vocabulary matching (a gloss, matched against dictionary forms), sentence cloze (an article
# sentence with the term blanked) and recall (the gloss, write the English with a first-letter hint). A term is used
# by at most one item, and a term printed in the clear anywhere on the test (in a cloze sentence, among the matching
# words or in the word bank) is never asked elsewhere, so no item gives another away.

from __future__ import annotations

import collections
import itertools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from ..analysis.glosses import senses
from ..model import Cloze, Lesson, TermUse
from ..writers.determinism import seeded, unaligned, version_index, version_order

T = TypeVar("T")
SPARE_CHOICES = 2  # extra words in the matching list and the word bank: the last answer is never had by elimination


@dataclass(frozen=True, order=True)
class Term:
    """One vocabulary entry of one lesson of the test."""

    lesson: int  # index into Selection.lessons
    entry: int  # index into that lesson's vocabulary


@dataclass(frozen=True)
class ClozeItem:
    """A sentence from a lesson's article with one term blanked (all its words, in one or more blanks)."""

    term: Term
    sentence: str
    spans: tuple[tuple[int, int], ...]  # [start, end) of the term's words in the sentence; one blank each run

    @property
    def answer(self) -> str:
        """The words as the sentence has them (inflected): what the student writes."""
        return " … ".join(self.sentence[start:end] for start, end in _runs(self.sentence, self.spans))


@dataclass(frozen=True)
class Selection:
    """The items of a review test, before any version orders them."""

    lessons: tuple[Lesson, ...]  # oldest first
    matching: tuple[Term, ...]  # glosses asked
    spare_words: tuple[Term, ...]  # words in the matching list that answer no gloss
    cloze: tuple[ClozeItem, ...]
    spare_bank: tuple[Term, ...]  # words in the word bank that fill no blank
    recall: tuple[Term, ...]  # glosses whose English the student writes from a first-letter hint
    taught: tuple[tuple[str, tuple[int, ...]], ...] = ()  # each term's key and every lesson that teaches it

    def lessons_of(self, term: Term) -> tuple[int, ...]:
        """Every lesson of the test that teaches ``term`` (its own lesson first)."""
        others = dict(self.taught).get(_key(self.lessons[term.lesson], term.entry), ())
        return (term.lesson, *(n for n in others if n != term.lesson))

    def items(self) -> int:
        return len(self.matching) + len(self.cloze) + len(self.recall)

    def asked(self) -> list[Term]:
        return [*self.matching, *(item.term for item in self.cloze), *self.recall]

    def headword(self, term: Term) -> str:
        entry = self.lessons[term.lesson].vocabulary[term.entry]
        return entry.headword or entry.term

    def gloss(self, term: Term) -> str:
        return self.lessons[term.lesson].vocabulary[term.entry].gloss


class SelectionError(ValueError):
    """Options that no test can satisfy (fewer items than lessons, lessons without vocabulary)."""


def _runs(sentence: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans merged where only spaces separate them: "gain … traction" is two blanks, "tap into" one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and not sentence[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def blanks(item: ClozeItem) -> list[tuple[int, int]]:
    """The item's blanks as [start, end) spans of its sentence, in order."""
    return _runs(item.sentence, item.spans)


def apportion(total: int, sizes: Sequence[int], minimum: int = 1) -> list[int]:
    """``total`` split over ``sizes`` in proportion (largest remainder), each at least ``minimum`` and at most its
    size. Assumes ``minimum * len(sizes) <= total <= sum(sizes)``."""
    shares = [min(minimum, size) for size in sizes]
    weight = sum(sizes)
    while sum(shares) < total:
        # The lesson furthest below its proportional share (ties: the earlier lesson) gets the next item.
        room = [i for i, size in enumerate(sizes) if shares[i] < size]
        if not room:
            break
        best = max(room, key=lambda i: (total * sizes[i] / weight - shares[i], -i))
        shares[best] += 1
    return shares


def _key(lesson: Lesson, entry: int) -> str:
    vocab = lesson.vocabulary[entry]
    return unicodedata.normalize("NFKC", vocab.headword or vocab.term).casefold()


def teachers(lessons: Sequence[Lesson]) -> dict[str, tuple[int, ...]]:
    """Each distinct term (dictionary form) and the lessons that teach it, oldest first."""
    found: dict[str, list[int]] = {}
    for index, lesson in enumerate(lessons):
        for entry in range(len(lesson.vocabulary)):
            lessons_of = found.setdefault(_key(lesson, entry), [])
            if index not in lessons_of:
                lessons_of.append(index)
    return {key: tuple(indices) for key, indices in found.items() if key}


def _pools(lessons: Sequence[Lesson]) -> list[list[Term]]:
    """Each lesson's own terms, in a seeded order. A term several lessons teach is asked once, for the one that
    teaches the fewest terms (the oldest among equals): so the most lessons keep a term of their own."""
    taught = teachers(lessons)
    sizes = [sum(1 for indices in taught.values() if n in indices) for n in range(len(lessons))]
    owner = {key: min(indices, key=lambda n: (sizes[n], n)) for key, indices in taught.items()}
    pools = []
    for index, lesson in enumerate(lessons):
        pool, seen = [], set()
        for entry in range(len(lesson.vocabulary)):
            key = _key(lesson, entry)
            if key and owner.get(key) == index and key not in seen:
                seen.add(key)
                pool.append(Term(index, entry))
        seeded(lesson.id, "review pool").shuffle(pool)
        pools.append(pool)
    return pools


def shared_only(lessons: Sequence[Lesson]) -> list[Lesson]:
    """Lessons every term of which another chosen lesson asks for: covered only through those lessons."""
    return [lesson for lesson, pool in zip(lessons, _pools(lessons), strict=True) if not pool]


def _usable(cloze: Cloze, terms: int) -> bool:
    spans = sorted(span for use in cloze.uses for span in use.spans)
    if cloze.index is None or not spans:  # the title: its words are printed in the lesson's own handouts
        return False
    if any(not use.spans or not 0 <= use.entry < terms for use in cloze.uses):
        return False
    if any(not 0 <= start < end <= len(cloze.sentence) for start, end in spans):
        return False
    return all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def _pattern(text: str) -> re.Pattern[str] | None:
    """A loose pattern for a term's words in running text: each word's last letter may change and endings follow
    (refine: refining; boundary: boundaries; skyrocket: skyrockets)."""
    words = re.findall(r"\w+", text)
    if not words:
        return None
    stems = [re.escape(w[:-1] if len(w) > 3 else w) + r"\w*" for w in words]
    return re.compile(r"\b" + r"\W+".join(stems), re.IGNORECASE)


def _mentioned(text: str, lessons: Sequence[Lesson], pools: Sequence[Sequence[Term]]) -> set[Term]:
    """Terms of the test whose words ``text`` prints (loosely: better a term too many than one given away)."""
    found = set()
    for term in (term for pool in pools for term in pool):
        vocab = lessons[term.lesson].vocabulary[term.entry]
        patterns = (_pattern(text) for text in {vocab.term, vocab.headword} if text)
        if any(pattern is not None and pattern.search(text) for pattern in patterns):
            found.add(term)
    return found


def _shown(cloze: Cloze, blanked: TermUse) -> str:
    """The sentence as printed with ``blanked``'s words taken out."""
    text = cloze.sentence
    for start, end in sorted(blanked.spans, reverse=True):
        text = text[:start] + " ___ " + text[end:]
    return text


@dataclass
class _Draw:
    """The terms still free while a test is drawn."""

    lessons: Sequence[Lesson]
    pools: list[list[Term]]
    taken: set[Term]  # asked, or printed in the clear

    def free(self, lesson: int) -> list[Term]:
        return [term for term in self.pools[lesson] if term not in self.taken]


def _cloze_for(draw: _Draw, lesson: int, wanted: int, quota: int) -> list[ClozeItem]:
    """Up to ``wanted`` clozes from one lesson, one term blanked per sentence: the sentences that show the fewest
    other terms first, never one that prints a term of another lesson or a term already used, nor one that shows
    so many of its lesson's terms that too few are left for the lesson's quota."""
    source = draw.lessons[lesson]
    order = [c for c in source.clozes if _usable(c, len(source.vocabulary))]
    seeded(source.id, "review clozes").shuffle(order)
    order.sort(key=lambda c: len(c.uses))
    chosen: list[ClozeItem] = []
    for cloze in order:
        if len(chosen) == wanted:
            break
        free = draw.free(lesson)
        for use in (u for u in cloze.uses if Term(lesson, u.entry) in free):
            term = Term(lesson, use.entry)
            shown = _mentioned(_shown(cloze, use), draw.lessons, draw.pools) - {term}
            shown |= {Term(lesson, u.entry) for u in cloze.uses if u is not use}
            if any(t.lesson != lesson or t in draw.taken for t in shown):
                continue
            if len(free) - 1 - len(shown) < quota - len(chosen) - 1:
                continue
            chosen.append(ClozeItem(term, cloze.sentence, use.spans))
            draw.taken |= shown | {term}
            break
    return chosen


def _rest(draw: _Draw, lesson: int, count: int, matching: list[Term], room: int) -> tuple[list[Term], list[Term]]:
    """``count`` more terms of one lesson: up to ``room`` into matching (no two glosses of one meaning there),
    the others recall."""
    into_matching: list[Term] = []
    recall: list[Term] = []
    for term in draw.free(lesson)[:count]:
        gloss = senses(draw.lessons[lesson].vocabulary[term.entry].gloss)
        clash = any(gloss & senses(draw.lessons[t.lesson].vocabulary[t.entry].gloss) for t in matching + into_matching)
        (recall if clash or len(into_matching) >= room else into_matching).append(term)
    draw.taken |= set(into_matching) | set(recall)
    return into_matching, recall


def _spares(draw: _Draw, avoid: Sequence[Term], count: int, purpose: str) -> list[Term]:
    """Unused terms to print beside the answers (never asked, never a near-synonym of an asked gloss)."""
    asked = set().union(*(senses(draw.lessons[t.lesson].vocabulary[t.entry].gloss) for t in avoid)) if avoid else set()
    free = [t for pool in draw.pools for t in pool if t not in draw.taken]
    seeded(*(lesson.id for lesson in draw.lessons), purpose).shuffle(free)
    chosen = [t for t in free if not senses(draw.lessons[t.lesson].vocabulary[t.entry].gloss) & asked][:count]
    draw.taken |= set(chosen)
    return chosen


def available(lessons: Sequence[Lesson]) -> int:
    """How many items the lessons can give at most (each distinct term once)."""
    return sum(len(pool) for pool in _pools(lessons))


def select(lessons: Sequence[Lesson], items: int) -> Selection:
    """The test's items: ``items`` of them (at most ``available(lessons)``), every lesson with terms of its own at
    least one, in proportion to each lesson's terms; about a third each of cloze and recall, the rest matching."""
    pools = _pools(lessons)
    own = sum(1 for pool in pools if pool)
    if items < own:
        raise SelectionError(f"{items} items cannot cover {own} lessons; ask for at least {own}")
    items = min(items, sum(len(pool) for pool in pools))
    quotas = apportion(items, [len(pool) for pool in pools])
    draw = _Draw(lessons, pools, set())
    cloze_share = apportion(round(items / 3), quotas, minimum=0)
    cloze = [c for i in range(len(lessons)) for c in _cloze_for(draw, i, cloze_share[i], quotas[i])]
    done = collections.Counter(c.term.lesson for c in cloze)
    remaining = [quotas[i] - done.get(i, 0) for i in range(len(lessons))]
    matching_total = items - len(cloze) - round(items / 3)
    matching_share = apportion(max(matching_total, 0), remaining, minimum=0)
    matching: list[Term] = []
    recall: list[Term] = []
    for i in range(len(lessons)):
        more_matching, more_recall = _rest(draw, i, remaining[i], matching, matching_share[i])
        matching += more_matching
        recall += more_recall
    if len(matching) == 1:  # one gloss and its word is no exercise
        recall, matching = recall + matching, []
    spare_words = _spares(draw, matching, SPARE_CHOICES, "review spare words") if matching else []
    spare_bank = _spares(draw, [c.term for c in cloze], SPARE_CHOICES, "review spare bank") if cloze else []
    return Selection(
        tuple(lessons),
        tuple(matching),
        tuple(spare_words),
        tuple(cloze),
        tuple(spare_bank),
        tuple(recall),
        tuple(teachers(lessons).items()),
    )


@dataclass(frozen=True)
class Arrangement:
    """One version's order of everything printed."""

    version: str  # "" for a single version, else "A", "B", ...
    matching: tuple[Term, ...]  # glosses, numbered
    words: tuple[Term, ...]  # the lettered word list: the matching answers and the spare words
    cloze: tuple[ClozeItem, ...]
    bank: tuple[Term, ...]  # the word bank: the cloze answers' dictionary forms and the spare words
    recall: tuple[Term, ...]


def arrange(selection: Selection, version: str) -> Arrangement:
    """The order of one version, seeded from the lessons and the version: the lessons' items interleaved, and each
    list in an order no earlier version has (where the list is long enough to allow it). The single version lists
    words alphabetically; lettered versions shuffle them too, so neighbours' letters differ."""
    ids = [lesson.id for lesson in selection.lessons]
    index = version_index(version)

    def ordered(items: Sequence[T], purpose: str) -> tuple[T, ...]:
        return version_order(items, [*ids, purpose], index)

    def listed(terms: Sequence[Term], purpose: str) -> tuple[Term, ...]:
        if version:
            return ordered(terms, purpose)
        return tuple(sorted(terms, key=lambda t: (selection.headword(t).casefold(), t)))

    words = listed([*selection.matching, *selection.spare_words], "words")
    return Arrangement(
        version,
        unaligned(ordered(selection.matching, "glosses"), words, seeded(*ids, "glosses", version)),
        words,
        ordered(selection.cloze, "cloze"),
        listed([*(item.term for item in selection.cloze), *selection.spare_bank], "bank"),
        ordered(selection.recall, "recall"),
    )
