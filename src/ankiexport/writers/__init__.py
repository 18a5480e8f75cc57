"""Output writers: a plain mapping from format name to the function that writes one lesson in that format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..model import Lesson


@dataclass(frozen=True)
class Written:
    """What a writer reports about the file it wrote, for the manifest and the build log."""

    notes: int = 0  # Anki notes in the deck (0 for a worksheet)
    cards: int = 0  # Anki cards in the deck (0 for a worksheet)
    pages: int = 0  # worksheet pages (0 for a deck)


# Every writer: (lesson, destination path, settings) -> Written. The caller owns atomicity: it passes a temporary
# path in the destination folder and renames it into place; a writer only writes the bytes to the path it is given.
Writer = Callable[[Lesson, Path, Settings], Written]


def _write_apkg(lesson: Lesson, path: Path, settings: Settings) -> Written:
    from .apkg import write_apkg  # genanki is imported only by builds that write decks

    return write_apkg(lesson, path, settings)


def _write_pdf(lesson: Lesson, path: Path, settings: Settings) -> Written:
    from .pdf import write_pdf  # reportlab is imported only by builds that write worksheets

    return write_pdf(lesson, path, settings)


WRITERS: dict[str, Writer] = {
    "apkg": _write_apkg,
    "pdf": _write_pdf,
}
