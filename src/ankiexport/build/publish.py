"""Combined outputs made from every lesson's record (and, when asked for, every analysed lesson): a plain registry."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..config import Settings
from ..model import Lesson
from ..site import LessonSummary, render_feed, render_index
from ..writers import Output
from .state import Artifact, LessonRecord, PublishedRecord

if TYPE_CHECKING:
    from ..writers.apkg import DeckPart

COMBINED_STEM = "all-lessons"
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.html"
FEED_NAME = "feed.xml"


@dataclass(frozen=True)
class Publication:
    """What a publisher receives."""

    settings: Settings
    records: tuple[LessonRecord, ...]  # every lesson built into --out, newest first (date, then id)
    lessons: Mapping[str, Lesson]  # analysed lessons by id; every lesson that reads when the publisher needs them
    published: Mapping[str, PublishedRecord]  # what the publishers before this one wrote in this build
    cache_dir: Path  # content-addressed cache under --out
    fingerprints: Mapping[str, str] = field(default_factory=dict)  # lesson id -> input fingerprint: a cache key


def _never(settings: Settings) -> bool:
    return False


@dataclass(frozen=True)
class Publisher:
    """One combined output: ``publish(publication)`` returns its files, written only when their bytes change."""

    label: str  # for the summary: "updated combined deck, manifest"
    publish: Callable[[Publication], Sequence[Output]]
    # True: the publisher needs every analysed lesson, so it runs only when a lesson (or the code) changed and the
    # build reads unchanged lessons for it; False: it works from the records and runs on every build.
    needs_lessons: Callable[[Settings], bool] = _never
    reserved: tuple[str, ...] = ()  # lesson ids (file stems) that would collide with its files
    from_parts: bool = False  # works from what each lesson's writer kept, reading a lesson only where that is missing


def newest_first(records: Sequence[LessonRecord]) -> tuple[LessonRecord, ...]:
    """Lessons newest first (by date, then id), the order of the index page and the manifest."""
    return tuple(sorted(records, key=lambda r: (r.date or "", r.id), reverse=True))


def _combined_deck(publication: Publication) -> Sequence[Output]:
    """The deck with every lesson as a subdeck, made from each lesson's part (kept when its deck was written)."""
    if "apkg" not in publication.settings.formats or not publication.lessons:
        return []
    from ..writers import speech_cache
    from ..writers.apkg import combined_from_parts

    parts = [part for part in map(lambda i: _deck_part(publication, i), publication.lessons) if part is not None]
    cache = speech_cache(publication.cache_dir, publication.settings)
    data, written = combined_from_parts(parts, publication.settings, cache)
    return [Output(f"{COMBINED_STEM}.apkg", data, "learner", notes=written.notes, cards=written.cards)]


def _deck_part(publication: Publication, lesson_id: str) -> DeckPart | None:
    from ..writers import speech_cache
    from ..writers.apkg import deck_part, load_part, store_part

    key = publication.fingerprints.get(lesson_id, "")
    part = load_part(publication.cache_dir, key) if key else None
    if part is None:
        try:
            lesson = publication.lessons[lesson_id]
        except KeyError:
            return None  # neither kept nor read: the lesson failed this build
        part = deck_part(lesson, publication.settings, speech_cache(publication.cache_dir, publication.settings))
        if key:
            store_part(publication.cache_dir, key, part)
    return part


def _wants_decks(settings: Settings) -> bool:
    return "apkg" in settings.formats


def _combined_quizlet(publication: Publication) -> Sequence[Output]:
    """Every lesson's terms in one Quizlet set (a term taught twice is one card); oldest lesson first."""
    if "quizlet" not in publication.settings.formats or not publication.lessons:
        return []
    from ..writers.quizlet import quizlet_output

    lessons = sorted(publication.lessons.values(), key=lambda lesson: (lesson.date or "", lesson.id))
    return [quizlet_output(lessons, f"{COMBINED_STEM}-quizlet.tsv")]


def _wants_quizlet(settings: Settings) -> bool:
    return "quizlet" in settings.formats


def _manifest_artifact(record: LessonRecord, artifact: Artifact) -> dict[str, Any]:
    return {
        "file": artifact.file,
        "format": artifact.format,
        "audience": artifact.audience,
        "lesson": record.id,
        "title": record.title,
        "date": record.date,
        "notes": artifact.notes,
        "cards": artifact.cards,
        "pages": artifact.pages,
        "size": artifact.size,
        "sha256": artifact.sha256,
    }


def _manifest_combined(record: PublishedRecord | None) -> dict[str, Any] | None:
    if record is None or not record.artifacts:
        return None
    deck = record.artifacts[0]
    keys = ("file", "format", "audience", "notes", "cards", "size", "sha256")
    return {**{key: getattr(deck, key) for key in keys}, "lessons": record.lessons}


def _manifest(publication: Publication) -> Sequence[Output]:
    """manifest.json: every lesson and artifact with counts, size and sha256, for the publishing job."""
    records = publication.records
    manifest = {
        "generator": f"ankiexport {__version__}",
        "deck_name": publication.settings.deck_name,
        "lessons": [{"id": r.id, "title": r.title, "date": r.date} for r in records],
        "artifacts": [_manifest_artifact(r, a) for r in records for a in r.artifacts],
        "combined": _manifest_combined(publication.published.get("combined")),
    }
    quizlet = _manifest_combined(publication.published.get("combined_quizlet"))
    if quizlet is not None:  # only when asked for, so that the manifest of decks and worksheets keeps its shape
        manifest["combined_quizlet"] = quizlet
    data = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
    return [Output(MANIFEST_NAME, data, "learner")]


def _site_summary(record: LessonRecord, detailed: bool, settings: Settings) -> LessonSummary:
    """A lesson as the index and the feed list it, from its record (with counts when the site has lesson pages)."""
    from ..writers.site_page import LEARNER_DOWNLOADS, download, learner_file
    from .sources import safe_stem

    stem = safe_stem(record.id)
    files = {a.file: a for a in record.artifacts if a.audience == "learner"}  # teacher files are never linked
    names = {kind: learner_file(stem, kind) for kind, _ in LEARNER_DOWNLOADS}
    downloads = tuple(download(name, kind, settings, files[name].size) for kind, name in names.items() if name in files)
    return LessonSummary(
        id=record.id,
        page=f"{stem}.html" if f"{stem}.html" in files else "",
        title=record.title,
        title_ja=record.title_ja if detailed else "",
        date=record.date,
        revised=record.revised if detailed else None,
        terms=record.terms if detailed else None,
        sentences=record.sentences if detailed else None,
        downloads=downloads,
    )


def _site(publication: Publication) -> Sequence[Output]:
    """index.html and feed.xml: the lessons newest first, linking their pages and downloads, for GitHub Pages."""
    from ..writers.site_page import download

    settings = publication.settings
    detailed = _wants_pages(settings)
    summaries = [_site_summary(record, detailed, settings) for record in publication.records]
    combined = publication.published.get("combined")
    deck = combined.artifacts[0] if combined and combined.artifacts else None
    index = render_index(
        summaries,
        course=settings.course_name,
        combined=download(deck.file, "apkg", settings, deck.size) if deck else None,
        combined_counts=(deck.notes, deck.cards) if deck else (0, 0),
    )
    feed = render_feed(summaries, course=settings.course_name, author=settings.author)
    return [Output(INDEX_NAME, index, "learner"), Output(FEED_NAME, feed, "learner")]


def _wants_pages(settings: Settings) -> bool:
    return "html" in settings.formats


# In order: a publisher sees what the ones before it wrote (the manifest and index list the combined deck).
PUBLISHERS: dict[str, Publisher] = {
    "combined": Publisher("combined deck", _combined_deck, _wants_decks, reserved=(COMBINED_STEM,), from_parts=True),
    "combined_quizlet": Publisher("combined Quizlet set", _combined_quizlet, _wants_quizlet),
    "manifest": Publisher("manifest", _manifest, reserved=("manifest",)),
    # The records carry what the index and feed show of each lesson (Japanese title, counts, revision time).
    "index": Publisher("index", _site, reserved=("index", "feed")),
}


def reads_lessons(settings: Settings) -> bool:
    """True when a publisher of this build reads every analysed lesson (not only what their writers kept)."""
    return any(publisher.needs_lessons(settings) and not publisher.from_parts for publisher in PUBLISHERS.values())
