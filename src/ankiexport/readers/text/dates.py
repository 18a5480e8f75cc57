"""The lesson date that a file name's ``YYYY-MM-DD`` prefix names."""

from __future__ import annotations

import datetime
import re

from ...model import Diagnostic

_STEM_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])")


def date_from_stem(stem: str) -> tuple[str | None, Diagnostic | None]:
    """The ISO date a ``YYYY-MM-DD`` file-name prefix names, or None (with a warning when it is no real date)."""
    match = _STEM_DATE.match(stem)
    if match is None:
        return None, None
    try:
        return datetime.date(*(int(part) for part in match.groups())).isoformat(), None
    except ValueError:
        return None, Diagnostic(
            None, f"the file name starts with {match.group()!r}, which is not a real date; the lesson has no date"
        )
