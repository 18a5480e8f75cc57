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


def _expected(english: int, ratio: float) -> tuple[float, float]:
    """The Japanese length expected for ``english`` characters, and its spread (lengths vary about 30% around it)."""
    expected = english * ratio
    return expected, 0.3 * expected + 3


_ROOT_TWO = math.sqrt(2)


def _cost_around(japanese: int, expected: float, spread: float) -> float:
    """-log of how likely ``japanese`` characters translate English ones whose ``_expected`` Japanese length and
    spread are given: a normal error around the ratio (the alignment works those out once a row)."""
    return -math.log(max(math.erfc(abs((japanese - expected) / spread) / _ROOT_TWO), 1e-12))


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
    centres = [round(i * m / max(n, 1)) for i in range(n + 1)]
    band = _Band([max(0, c - half) for c in centres], [min(m, c + half) for c in centres])
    english_spans, japanese_spans = _spans(english), _spans(japanese)
    starts = ([*map(english.starts_paragraph, range(n + 1))], [*map(japanese.starts_paragraph, range(m + 1))])
    band.cost[0][0] = 0.0
    rows = band.rows()
    expected = [[_expected(length or 0, ratio) for length in spans] for spans in english_spans]
    for i in range(n + 1):
        # What each bead that fits on the English side from row i reaches: looked up once a row, not once a cell.
        beads = [
            (dj, log_prior, *expected[de][i], (de, dj), *rows[i + de], i + de < n)
            for de, dj, log_prior in _LOG_PRIORS
            if english_spans[de][i] is not None
        ]
        _relax_row(band, i, beads, japanese_spans, starts[0][i], starts[1], m)
    return _traced(band, n, m)


_Bead = tuple[int, float, float, float, tuple[int, int], list[float], list[tuple[int, int]], int, int, bool]


def _relax_row(
    band: _Band,
    i: int,
    beads: list[_Bead],
    japanese_spans: list[list[int | None]],
    start: bool,
    japanese_starts: list[bool],
    m: int,
) -> None:
    """Relax every bead from the reached cells of row ``i``, cell by cell, bead by bead (the order decides ties)."""
    row_costs, row_low = band.cost[i], band.low[i]
    for j in range(row_low, band.high[i] + 1):
        here = row_costs[j - row_low]
        if here == math.inf:
            continue  # not reached
        unsynced = _UNSYNCED if start != japanese_starts[j] else 0.0
        for dj, log_prior, expected, spread, step_taken, costs, backs, low, high, early in beads:
            japanese_length = japanese_spans[dj][j]
            if japanese_length is None or not low <= j + dj <= high:
                continue
            if step_taken[0] and dj:
                step = _cost_around(japanese_length, expected, spread)
            else:
                step = _EARLY_GAP if early and j + dj < m else 0.0
            total = here - log_prior + step + unsynced
            if total < costs[j + dj - low]:
                costs[j + dj - low], backs[j + dj - low] = total, step_taken


class _Band:
    """The alignment's cells near the diagonal: row i holds columns low[i]..high[i], in lists (a dictionary keyed
    by (i, j) cost more: a cell is asked for about ten times). Cells are relaxed in the same order as ever, so
    ties fall the same way."""

    def __init__(self, low: list[int], high: list[int]) -> None:
        self.low, self.high = low, high
        self.cost = [[math.inf] * (top - bottom + 1) for bottom, top in zip(low, high, strict=True)]
        self.back = [[(0, 0)] * (top - bottom + 1) for bottom, top in zip(low, high, strict=True)]

    def rows(self) -> list[tuple[list[float], list[tuple[int, int]], int, int]]:
        """Each row's costs and back steps, and its first and last column."""
        return list(zip(self.cost, self.back, self.low, self.high, strict=True))


def _traced(band: _Band, n: int, m: int) -> list[tuple[int, int, int, int]]:
    """The beads on the cheapest path to (n, m), first to last."""
    beads: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while (i, j) != (0, 0):
        step = band.back[i][j - band.low[i]]  # 1-0 and 0-1 beads make every cell of the band reachable
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


def _tied(sentence: Sentence, translation: str) -> Sentence:
    """The sentence with ``translation``: itself when it has it already (most of a lesson with none tied)."""
    return sentence if sentence.translation == translation else replace(sentence, translation=translation)


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
    result = tuple(map(_tied, sentences, (ties.get(number, "") for number in range(len(sentences)))))
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
