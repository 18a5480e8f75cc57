"""Cloze notes: rendering a sentence's term uses as Anki cloze markup."""

from __future__ import annotations

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


def cloze_markup(
    cloze: Cloze,
    vocabulary: Sequence[VocabEntry],
    escape: Callable[[str], str] = _identity,
    hint: Callable[[VocabEntry], str] | None = None,
) -> str:
    """The sentence in Anki cloze syntax, ``{{c1::gaining::勢いを増す}} significant {{c1::traction}}``.

    ``escape`` is applied to every piece of lesson text (sentence pieces and hints) but not to the cloze syntax,
    so writers can make lesson text inert for their medium while the deletions stay ours.
    """
    hint = hint or (lambda entry: gloss_hint(entry.gloss))
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
            entry = vocabulary[cloze.uses[number - 1].entry]
            pieces.append(f"{{{{c{number}::{words}::{escape(hint(entry))}}}}}")
        position = end
    pieces.append(escape(cloze.sentence[position:]))
    return "".join(pieces)
