"""What a Japanese gloss says: its separate meanings, and the senses that tell near-synonyms apart."""

from __future__ import annotations

import re
import unicodedata

_MEANINGS = re.compile(r"[、,，;；/／\n]+")  # how glosses list meanings: 急騰する、急上昇する
_COMPOUND = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々]{2,}")  # two or more kanji in a row


def meanings(gloss: str) -> list[str]:
    """The gloss's meanings in order, as written: 「勢いを増す、人気を得る」 -> 勢いを増す, 人気を得る."""
    return [m.strip() for m in _MEANINGS.split(gloss) if m.strip()]


def senses(gloss: str) -> set[str]:
    """What a gloss means, for telling near-synonyms apart: each meaning (NFKC, without ~ and case) and each kanji
    compound in it. 「~を利用する」 and 「~をうまく利用する」 share 利用: a student choosing either would be right,
    so two terms whose senses meet are never offered against each other."""
    text = unicodedata.normalize("NFKC", gloss)
    found = {m.strip("~〜 ").casefold() for m in _MEANINGS.split(text) if m.strip("~〜 ")}
    return found | set(_COMPOUND.findall(text))
