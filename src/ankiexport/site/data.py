"""What the site's pages are rendered from, besides the lesson itself: downloads, audio files, index entries."""

from __future__ import annotations

from dataclasses import dataclass

DECK = "apkg"
WORKSHEET = "pdf"


@dataclass(frozen=True)
class Download:
    """A learner file offered for download: a deck or a student worksheet, never a teacher edition."""

    file: str  # file name beside the page, e.g. "2026-11-28-ai-trainer.apkg"
    kind: str  # DECK or WORKSHEET
    size: int | None = None  # bytes, shown beside the link when known
    href: str | None = None  # where the link points when the file is published elsewhere (the release); else file


@dataclass(frozen=True)
class LessonAudio:
    """The lesson's audio files beside its page; absent ones (no speech engine installed) are None."""

    article: str | None = None  # the whole article read as one MP3
    terms: tuple[str | None, ...] = ()  # one clip per vocabulary entry, in lesson order


@dataclass(frozen=True)
class LessonSummary:
    """One lesson as the index page and the feed list it."""

    id: str  # the lesson id (file stem)
    page: str  # file name of its lesson page
    title: str  # English title
    title_ja: str  # Japanese title; "" when the lesson has none
    date: str | None  # ISO date
    # What only the analysed lesson knows; None for a lesson listed from its last good build while it now fails.
    revised: int | None  # Unix time of the lesson's last change (the feed's <updated>)
    terms: int | None  # vocabulary entries
    sentences: int | None  # article sentences
    downloads: tuple[Download, ...] = ()
