"""Tying article sentences to their Japanese translation: Japanese sentence splitting and count-based alignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

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


def _groups(english: Sequence[int], japanese: Sequence[int]) -> list[tuple[range, range]]:
    """Runs of paragraphs (English indices, Japanese indices) that end together at a common sentence count.

    Only runs where one side is a single paragraph are returned: the other side merely split or merged it. A run
    with several paragraphs on both sides means the boundaries cross, and an unclosed run means the counts differ:
    neither can be tied by position.
    """
    groups: list[tuple[range, range]] = []
    i = j = 0
    while i < len(english) and j < len(japanese):
        start_i, start_j = i, j
        total_e, total_j = english[i], japanese[j]
        i, j = i + 1, j + 1
        while total_e != total_j:
            if total_e < total_j:
                if i == len(english):
                    return groups
                total_e, i = total_e + english[i], i + 1
            else:
                if j == len(japanese):
                    return groups
                total_j, j = total_j + japanese[j], j + 1
        if i - start_i == 1 or j - start_j == 1:
            groups.append((range(start_i, i), range(start_j, j)))
    return groups


def _plausible(english: str, japanese: str, ratio: float) -> bool:
    """True when the lengths fit a translation (Gale-Church's idea, loosely): within half to twice the usual."""
    expected = len(english) * ratio
    return expected / 2 - 3 <= len(japanese) <= expected * 2 + 3


def tie_translations(
    sentences: Sequence[Sentence], translation: Translation | None
) -> tuple[tuple[Sentence, ...], tuple[Diagnostic, ...]]:
    """The sentences with ``translation`` set wherever the counts leave no doubt; a warning when none could be tied.

    Paragraphs are grouped where both sides reach the same sentence count at a paragraph end with one side a single
    paragraph (the translator merged or split paragraphs but kept sentences); within a group sentences tie in
    order. When the totals differ, only a paragraph tied to the paragraph in the same place counts, up to where
    the counts part (a translator's note added at the end does not spoil the rest). A group is dropped when any
    pair's lengths do not fit a translation (a sentence split in two, another merged). Anything else is left
    untied rather than tied wrongly.
    """
    result = tuple(sentences)
    if translation is None or not sentences or not translation.paragraphs:
        return result, ()
    japanese = [split_japanese(paragraph) for paragraph in translation.paragraphs]
    japanese = [paragraph for paragraph in japanese if paragraph]
    by_paragraph: dict[int, list[int]] = {}
    for number, sentence in enumerate(sentences):
        by_paragraph.setdefault(sentence.paragraph, []).append(number)
    english = [by_paragraph[key] for key in sorted(by_paragraph)]
    ratio = sum(len(s) for p in japanese for s in p) / max(sum(len(s.text) for s in sentences), 1)
    ties: dict[int, str] = {}
    english_counts, japanese_counts = [len(p) for p in english], [len(p) for p in japanese]
    same_total = sum(english_counts) == sum(japanese_counts)
    for english_run, japanese_run in _groups(english_counts, japanese_counts):
        # With a sentence gained or lost somewhere, only paragraph-for-paragraph runs in the same place are safe.
        if not same_total and not (len(english_run) == 1 and english_run == japanese_run):
            continue
        numbers = [number for i in english_run for number in english[i]]
        translated = [text for j in japanese_run for text in japanese[j]]
        pairs = list(zip(numbers, translated, strict=True))
        if all(_plausible(sentences[number].text, text, ratio) for number, text in pairs):
            ties.update(pairs)
    result = tuple(replace(sentence, translation=ties.get(number, "")) for number, sentence in enumerate(sentences))
    if ties:
        return result, ()
    flat = sum(len(paragraph) for paragraph in japanese)
    warning = Diagnostic(
        line=translation.line,
        message=f"the translation's {flat} sentence(s) in {len(japanese)} paragraph(s) could not be tied to "
        f"the article's {len(sentences)} sentence(s) in {len(english)} paragraph(s); cards show no sentence "
        "translation",
    )
    return result, (warning,)
