"""Tying article sentences to their Japanese translation: Japanese sentence splitting and length-based alignment."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..model import Diagnostic, Sentence, Translation

_ENDERS = "。！？!?．"
_CLOSERS = "」』）)】〉》”’\"'"
_OPENERS = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "〈": "〉", "《": "》"}


def _split(paragraph: str, nested: bool) -> list[str]:
    sentences: list[str] = []
    start = 0
    depth: list[str] = []
    i = 0
    while i < len(paragraph):
        char = paragraph[i]
        if nested and char in _OPENERS:
            depth.append(_OPENERS[char])
        elif nested and depth and char == depth[-1]:
            depth.pop()
        elif char in _ENDERS and not depth:
            end = i + 1
            while end < len(paragraph) and paragraph[end] in _ENDERS:
                end += 1
            # Closing brackets and quotes belong to the sentence they close: 「…利点です。」
            while end < len(paragraph) and paragraph[end] in _CLOSERS:
                end += 1
            piece = paragraph[start:end].strip()
            if piece:
                sentences.append(piece)
            start = i = end
            continue
        i += 1
    rest = paragraph[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def split_japanese(paragraph: str) -> list[str]:
    """The sentences of a Japanese paragraph, cut after 。！？ with closing 」』） kept attached.

    A full stop inside 「…」 ends a quoted sentence, not the one quoting it; if the brackets never balance, the
    paragraph is cut at every full stop instead.
    """
    nested = _split(paragraph, nested=True)
    opened = sum(paragraph.count(char) for char in _OPENERS)
    closed = sum(paragraph.count(char) for char in _OPENERS.values())
    return nested if opened == closed else _split(paragraph, nested=False)


# Gale and Church's bead kinds (English sentences, Japanese sentences) and their prior probabilities.
_BEADS: tuple[tuple[int, int, float], ...] = (
    (1, 1, 0.89),
    (1, 2, 0.0445),
    (2, 1, 0.0445),
    (1, 0, 0.005),
    (0, 1, 0.005),
)
_LOG_PRIORS = tuple((de, dj, math.log(prior)) for de, dj, prior in _BEADS)  # taken once, not at every step
_UNSYNCED = 1.5  # cost of a bead that starts a paragraph on one side only (translators mostly keep paragraphs)
_BAND = 30  # sentences either side of the diagonal the alignment may stray
_EARLY_GAP = 1.5  # extra cost of a sentence left over before the end
_RATIOS = (0.35, 0.9)  # Japanese characters per English character in a translation: about 0.4 to 0.6


def _length_cost(english: int, japanese: int, ratio: float) -> float:
    """-log of how likely ``japanese`` characters translate ``english`` ones: a normal error around the ratio."""
    expected = english * ratio
    delta = (japanese - expected) / (0.3 * expected + 3)  # lengths vary about 30% around what the ratio expects
    return -math.log(max(math.erfc(abs(delta) / math.sqrt(2)), 1e-12))


@dataclass(frozen=True)
class _Side:
    """One side's sentences: their lengths and, for each, the paragraph it belongs to."""

    lengths: tuple[int, ...]
    paragraph: tuple[int, ...]
    text: tuple[str, ...] = ()

    def texts(self, i: int, count: int) -> str:
        return "".join(self.text[i : i + count])

    def starts_paragraph(self, i: int) -> bool:
        return i == 0 or i == len(self.lengths) or self.paragraph[i] != self.paragraph[i - 1]

    def fits(self, i: int, count: int) -> bool:
        """True when ``count`` sentences from ``i`` exist and lie in one paragraph."""
        return i + count <= len(self.lengths) and (count < 2 or self.paragraph[i] == self.paragraph[i + 1])


def _spans(side: _Side) -> list[list[int | None]]:
    """For each bead size (0, 1, 2) and start, the characters of that many sentences, or None where they do not
    fit (past the end, or across a paragraph): what the alignment asks for each of its thousand-odd steps."""
    count = len(side.lengths)
    return [
        [sum(side.lengths[i : i + size]) if side.fits(i, size) else None for i in range(count + 1)] for size in range(3)
    ]


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


def _regions(beads: Sequence[tuple[int, int, int, int]], english: _Side, japanese: _Side) -> list[list[int]]:
    """Bead indices grouped between the points where both sides start a paragraph together."""
    regions: list[list[int]] = [[]]
    for number, (i, _, j, _) in enumerate(beads):
        if regions[-1] and english.starts_paragraph(i) and japanese.starts_paragraph(j):
            regions.append([])
        regions[-1].append(number)
    return regions


def _plausible(english: int, japanese: int, ratio: float) -> bool:
    """True when the lengths fit a translation (Gale-Church's idea, loosely): within half to twice the usual."""
    expected = english * ratio
    return expected / 2 - 3 <= japanese <= expected * 2 + 3


def _ties(beads: Sequence[tuple[int, int, int, int]], english: _Side, japanese: _Side, ratio: float) -> dict[int, str]:
    """English sentence -> Japanese text for the regions that hold only plausible pairs and nothing left over."""
    ties: dict[int, tuple[int, int]] = {}
    for region in _regions(beads, english, japanese):
        chosen = [beads[number] for number in region]
        if any(de == 0 or dj == 0 for _, de, _, dj in chosen):
            break  # past a sentence left over, where the rest belongs is only as sure as the lengths are
        if all(
            _plausible(sum(english.lengths[i : i + de]), sum(japanese.lengths[j : j + dj]), ratio)
            for i, de, j, dj in chosen
        ):
            ties.update((number, (j, dj)) for i, de, j, dj in chosen for number in range(i, i + de))
    return {number: japanese.texts(j, dj) for number, (j, dj) in ties.items()}


def tie_translations(
    sentences: Sequence[Sentence], translation: Translation | None
) -> tuple[tuple[Sentence, ...], tuple[Diagnostic, ...]]:
    """The sentences with ``translation`` set wherever an alignment leaves no doubt; a warning when none is tied.

    Sentences are aligned by length after Gale and Church (1993): dynamic programming over beads of one English
    sentence to one Japanese, one to two (a translator split the sentence), two to one (merged), or one to none,
    never across a paragraph on either side, and cheaper where both sides start paragraphs together. The result
    is kept per region between such common paragraph starts: a region with a pair whose lengths do not fit a
    translation is left untied, and so is everything from a sentence left over on either side on (counts that
    differ without a split or merge to explain them): untied rather than tied wrongly. A
    two-to-one pair gives both English sentences the Japanese sentence; a one-to-two pair gives the English
    sentence both Japanese ones.
    """
    result = tuple(sentences)
    if translation is None or not sentences or not translation.paragraphs:
        return result, ()
    japanese_paragraphs = [split_japanese(paragraph) for paragraph in translation.paragraphs]
    japanese_text = [text for paragraph in japanese_paragraphs for text in paragraph]
    english = _Side(tuple(len(s.text) for s in sentences), tuple(s.paragraph for s in sentences))
    japanese = _Side(
        tuple(len(text) for text in japanese_text),
        tuple(number for number, paragraph in enumerate(japanese_paragraphs) for _ in paragraph),
        tuple(japanese_text),
    )
    ratio = min(max(sum(japanese.lengths) / max(sum(english.lengths), 1), _RATIOS[0]), _RATIOS[1])
    ties = _ties(_align(english, japanese, ratio), english, japanese, ratio)
    result = tuple(replace(sentence, translation=ties.get(number, "")) for number, sentence in enumerate(sentences))
    if ties:
        return result, ()
    paragraphs = len({s.paragraph for s in sentences})
    warning = Diagnostic(
        line=translation.line,
        message=f"the translation's {len(japanese_text)} sentence(s) in {len([p for p in japanese_paragraphs if p])} "
        f"paragraph(s) could not be tied to the article's {len(sentences)} sentence(s) in {paragraphs} "
        "paragraph(s); cards show no sentence translation",
    )
    return result, (warning,)
