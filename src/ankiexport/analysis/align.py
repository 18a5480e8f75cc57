"""Tying article sentences to their Japanese translation: Japanese sentence splitting and count-based alignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import accumulate

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


def _breaks(counts: Sequence[int]) -> set[int]:
    return set(accumulate(counts))


def tie_translations(
    sentences: Sequence[Sentence], translation: Translation | None
) -> tuple[tuple[Sentence, ...], tuple[Diagnostic, ...]]:
    """The sentences with ``translation`` set wherever the counts leave no doubt; a warning when none could be tied.

    Two ties are trusted: equal paragraph counts, tied paragraph by paragraph where their sentence counts agree;
    or equal sentence totals where every paragraph break of one side is also a break of the other (translators
    merge paragraphs but keep sentences). Anything else is left untied rather than tied wrongly.
    """
    result = tuple(sentences)
    if translation is None or not sentences or not translation.paragraphs:
        return result, ()
    japanese = [split_japanese(paragraph) for paragraph in translation.paragraphs]
    english: dict[int, list[int]] = {}
    for number, sentence in enumerate(sentences):
        english.setdefault(sentence.paragraph, []).append(number)
    groups = [english[key] for key in sorted(english)]
    ties: dict[int, str] = {}
    if len(groups) == len(japanese):
        for numbers, translated in zip(groups, japanese, strict=True):
            if len(numbers) == len(translated):
                ties.update(zip(numbers, translated, strict=True))
    flat = [sentence for paragraph in japanese for sentence in paragraph]
    if not ties and len(flat) == len(sentences):
        ours = _breaks([len(numbers) for numbers in groups])
        theirs = _breaks([len(paragraph) for paragraph in japanese])
        if ours <= theirs or theirs <= ours:
            ties = dict(enumerate(flat))
    result = tuple(replace(sentence, translation=ties.get(number, "")) for number, sentence in enumerate(sentences))
    if ties:
        return result, ()
    warning = Diagnostic(
        line=translation.line,
        message=f"the translation's {len(flat)} sentence(s) in {len(japanese)} paragraph(s) could not be tied to "
        f"the article's {len(sentences)} sentence(s) in {len(groups)} paragraph(s); cards show no sentence "
        "translation",
    )
    return result, (warning,)
