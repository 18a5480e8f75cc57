"""Stand-ins for the clock and the random generator in outputs, so that the same lesson always gives the same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections.abc import Sequence
from typing import TypeVar

from ..model import Lesson

T = TypeVar("T")
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)  # for a lesson with neither a revision time nor a date


def revision_moment(lesson: Lesson) -> dt.datetime:
    """When the lesson last changed (UTC): its revision time, else its date, else a fixed epoch. Never the clock."""
    if lesson.revised:
        return dt.datetime.fromtimestamp(lesson.revised, tz=dt.timezone.utc)
    if lesson.date:
        try:
            return dt.datetime.fromisoformat(lesson.date).replace(tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    return EPOCH


def seeded(*parts: object) -> random.Random:
    """A generator seeded from ``parts`` (lesson id, purpose, version...): never from time or ``hash()``, which
    Python salts per process, so every machine and every worker draws the same sequence."""
    text = "\x1f".join(str(part) for part in parts)
    return random.Random(int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:16], 16))


MAX_VERSIONS = 26  # A to Z


def version_labels(count: int) -> list[str]:
    """ "" for a single version (no letter is printed), else "A", "B", ... up to ``count``."""
    return [""] if count <= 1 else [chr(ord("A") + n) for n in range(min(count, MAX_VERSIONS))]


def version_index(version: str) -> int:
    """0 for the single version ("") and for A, 1 for B, ..."""
    return ord(version) - ord("A") if version else 0


def version_order(items: Sequence[T], seed: Sequence[object], index: int) -> tuple[T, ...]:
    """The ``index``-th version's seeded order of ``items``: unlike every earlier version's while there are orders
    left (two items have two orders; 26 versions of three items must repeat some)."""
    seen: list[tuple[T, ...]] = []
    for version in range(index + 1):
        order = list(items)
        for attempt in range(100):
            order = list(items)
            seeded(*seed, version, attempt).shuffle(order)
            if tuple(order) not in seen or len(seen) >= math.factorial(len(items)):
                break
        seen.append(tuple(order))
    return seen[-1]


def unaligned(glosses: Sequence[T], words: Sequence[T], rng: random.Random) -> tuple[T, ...]:
    """``glosses`` in their order if none sits beside its own word (gloss 4 answered by word d), else in a seeded
    order with as few such as it can find, so that a matching exercise's answers never run down the list."""
    best, best_aligned = list(glosses), len(glosses) + 1
    order = list(glosses)
    for attempt in range(50):
        if attempt:
            rng.shuffle(order)
        aligned = sum(1 for row, item in enumerate(order) if words.index(item) == row)
        if aligned < best_aligned:
            best, best_aligned = order[:], aligned
        if aligned == 0:
            break
    return tuple(best)
