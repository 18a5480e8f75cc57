"""Cloze notes: rendering a sentence's term uses as Anki cloze markup."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from ..model import Cloze, VocabEntry


def _identity(text: str) -> str:
    return text


def gloss_hint(gloss: str) -> str:
    """The short hint shown in a cloze: the gloss's first alternative (``~を利用する`` of ``~を利用する、~に入り込む``).

    The ~ stays: "~を利用する" tells a learner an object follows, where a bare "を利用する" reads as a fragment.
    """
    first = gloss.replace("\n", "、")
    for separator in ("、", "，", ",", "；", ";", "／", "/"):
        first = first.split(separator)[0]
    return first.strip() or gloss.strip()


def _meaning_marks(text: str) -> set[str]:
    """The kanji pairs and katakana words of a gloss: two glosses that share one (利用, ドル) are likely near-synonyms.

    Pairs, not single kanji: 地理的 and 理解 share 理 but not a word.
    """
    marks: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff々]{2,}", text):
        marks.update(run[start : start + 2] for start in range(len(run) - 1))
    marks.update(re.findall(r"[\u30a1-\u30fa\u30fc]{2,}", text))
    return marks


def confusable(vocabulary: Sequence[VocabEntry]) -> frozenset[int]:
    """Entries whose cloze hint would fit another term of the lesson too (``~を利用する``: tap into and
    capitalize on): same hint, or a kanji or katakana word of the hint appears in the other term's gloss."""
    hints = [gloss_hint(entry.gloss) for entry in vocabulary]
    # Who holds each hint and each mark, so that an entry asks once per mark, not once per other entry (pairs were
    # n * n: 9 s for a lesson of 4,000 terms).
    hinted = Counter(hints)
    holders: dict[str, list[int]] = {}
    for other, entry in enumerate(vocabulary):
        for mark in _meaning_marks(entry.gloss):
            holders.setdefault(mark, []).append(other)
    found = {
        index
        for index, hint in enumerate(hints)
        if hinted[hint] > 1 or any(holders.get(mark, [index]) != [index] for mark in _meaning_marks(hint))
    }
    return frozenset(found)


def cloze_hints(vocabulary: Sequence[VocabEntry]) -> Callable[[int, str], str]:
    """The hint of each deletion, from the entry index and the words it hides: the gloss's first alternative, plus
    the first letter of the hidden words where a near-synonym of the lesson would fit too (``~を利用する · t…``)."""
    letters = confusable(vocabulary)

    def hint(entry: int, words: str) -> str:
        text = gloss_hint(vocabulary[entry].gloss)
        return f"{text} · {words[:1]}…" if entry in letters and words else text

    return hint


def cloze_markup(
    cloze: Cloze,
    vocabulary: Sequence[VocabEntry],
    escape: Callable[[str], str] = _identity,
    hint: Callable[[int, str], str] | None = None,
) -> str:
    """The sentence in Anki cloze syntax, ``{{c1::gaining::勢いを増す}} significant {{c1::traction}}``.

    ``escape`` is applied to every piece of lesson text (sentence pieces and hints) but not to the cloze syntax,
    so writers can make lesson text inert for their medium while the deletions stay ours. ``hint`` (entry index,
    hidden words) -> hint text defaults to ``cloze_hints``.
    """
    hint = hint or cloze_hints(vocabulary)
    marks: list[tuple[int, int, int]] = []  # (start, end, cloze number)
    for number, use in enumerate(cloze.uses, start=1):
        for start, end in use.spans:
            marks.append((start, end, number))
    marks.sort()
    pieces: list[str] = []
    position = 0
    hinted: set[int] = set()
    for start, end, number in marks:
        pieces.append(escape(cloze.sentence[position:start]))
        words = escape(cloze.sentence[start:end])
        if number in hinted:
            pieces.append(f"{{{{c{number}::{words}}}}}")
        else:
            hinted.add(number)
            entry = cloze.uses[number - 1].entry
            pieces.append(f"{{{{c{number}::{words}::{escape(hint(entry, cloze.sentence[start:end]))}}}}}")
        position = end
    pieces.append(escape(cloze.sentence[position:]))
    return "".join(pieces)
