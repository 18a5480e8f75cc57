"""Stand-ins for the clock and the random generator in outputs, so that the same lesson always gives the same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from ..model import Lesson

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
