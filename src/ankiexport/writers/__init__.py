"""Output writers: a plain mapping from format name to the writer that turns one analysed lesson into its files."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..cache import keep
from ..config import Settings
from ..model import Lesson

DECK_PARTS = "deck-parts"  # cache folder of each lesson's part of the combined deck, by input fingerprint
# Speech per lesson, in characters: the article MP3 and the deck's sentence audio are each made only up to this much
# text (a sample lesson's article is about 2,000): past it, a 1 MB lesson would be hours of synthesis and of audio.
AUDIO_TEXT_LIMIT = 20_000
# Headwords per lesson, in characters, that get their own clip: a term takes about 0.1 s to synthesise, so a lesson of
# 17,000 terms was half an hour of it. Past the bound the deck uses Anki's text-to-speech and the page has no player.
HEADWORD_AUDIO_LIMIT = 3_000


def fitting(texts: Sequence[str], limit: int) -> int:
    """How many of ``texts``, from the first, add up to at most ``limit`` characters (the speech bounds)."""
    total = 0
    for count, text in enumerate(texts):
        total += len(text)
        if total > limit:
            return count
    return len(texts)


def voiced_terms(lesson: Lesson) -> tuple[frozenset[int], int]:
    """(the vocabulary entries whose headwords get a clip, the entries' headword characters in all): in lesson
    order, as long as they add up to at most HEADWORD_AUDIO_LIMIT characters."""
    headwords = [entry.headword or entry.term for entry in lesson.vocabulary]
    return frozenset(range(fitting(headwords, HEADWORD_AUDIO_LIMIT))), sum(map(len, headwords))


def headword_audio_warnings(lesson: Lesson, settings: Settings) -> list[tuple[int | None, str]]:
    """Why some terms have no clip of their own: their headwords are over HEADWORD_AUDIO_LIMIT characters."""
    voiced, characters = voiced_terms(lesson)
    if len(voiced) == len(lesson.vocabulary) or not speaks(settings):
        return []
    message = (
        f"pronunciation audio for the first {len(voiced):,} of its {len(lesson.vocabulary):,} terms only: their "
        f"headwords have {characters:,} characters, over the {HEADWORD_AUDIO_LIMIT:,} the audio is made for (the "
        "other cards use Anki's text-to-speech, and the page has no player for them)"
    )
    return [(None, message)]


Audience = Literal["learner", "teacher"]  # teacher outputs are never published where learners download


@dataclass(frozen=True)
class Written:
    """What a path-writing helper reports about the file it wrote (kept for the writers' own tests)."""

    notes: int = 0  # Anki notes in the deck (0 for a worksheet)
    cards: int = 0  # Anki cards in the deck (0 for a worksheet)
    pages: int = 0  # worksheet pages (0 for a deck)


@dataclass(frozen=True)
class Output:
    """One finished file a writer or publisher returns; the build writes it (atomically) and records it."""

    name: str  # file name inside --out, e.g. "<stem>.pdf"; never a path
    data: bytes
    audience: Audience = "learner"
    notes: int = 0  # Anki notes in a deck
    cards: int = 0  # Anki cards in a deck
    pages: int = 0  # pages of a worksheet


@dataclass(frozen=True)
class WriteContext:
    """What a writer may know besides the lesson: settings, where its files are named, when the lesson changed."""

    settings: Settings
    stem: str  # safe file stem from the lesson id; outputs are named "<stem>.<ext>" or "<stem>-<edition>.<ext>"
    cache_dir: Path  # content-addressed cache under --out (e.g. synthesised audio); see ankiexport.cache
    revised: int = 0  # Unix time of the lesson's last change
    note_revised: Mapping[str, int] = field(default_factory=dict)  # note GUID -> Unix time its content last changed
    fingerprint: str = ""  # hash of everything the lesson's outputs depend on: a cache key ("" outside a build)
    # Stores a cache entry (path under cache_dir, bytes). A build's workers collect them instead, and the build
    # process writes them beside the lesson's files, so that no worker waits for the disk.
    keep: Callable[[Path, bytes], None] = keep


def _no_preparation(settings: Settings) -> None:
    """Writers without a per-process warm-up."""


@dataclass(frozen=True)
class Writer:
    """One output format: ``write(lesson, context)`` returns its files; the rest is optional."""

    write: Callable[[Lesson, WriteContext], Sequence[Output]]
    prepare: Callable[[Settings], None] = _no_preparation  # once per worker process: imports, fonts
    # For per-note revision times: a hash of what each note holds, by note id. The build compares these across
    # the lesson file's git versions; None for formats without notes.
    note_contents: Callable[[Lesson], Mapping[str, str]] | None = None
    # What the format leaves out of a lesson and why, as (source line or None, message) warnings for the build to
    # show beside the lesson's own; None for formats that never leave anything out.
    warnings: Callable[[Lesson, Settings], Sequence[tuple[int | None, str]]] | None = None

    def __call__(self, lesson: Lesson, context: WriteContext) -> Sequence[Output]:
        return self.write(lesson, context)


def speech_cache(cache_dir: Path, settings: Settings) -> Path | None:
    """The build's content cache for speech, or None when the build makes no audio."""
    from ..speech import off_by_environment

    return cache_dir if settings.audio and not off_by_environment() else None


def speaks(settings: Settings) -> bool:
    """True when this build makes audio: asked for, not turned off by the environment, and the extra installed."""
    from ..speech import available, off_by_environment

    return settings.audio and not off_by_environment() and available()


def _apkg(lesson: Lesson, context: WriteContext) -> Sequence[Output]:
    from .apkg import deck_bytes_and_part, part_path  # genanki is imported only by builds that write decks

    cache = speech_cache(context.cache_dir, context.settings)
    data, written, part = deck_bytes_and_part(lesson, context.settings, cache)
    if context.fingerprint:  # the combined deck is made from the parts of every lesson
        context.keep(part_path(context.cache_dir, context.fingerprint), part.to_json())
    return [Output(f"{context.stem}.apkg", data, "learner", notes=written.notes, cards=written.cards)]


def _apkg_warnings(lesson: Lesson, settings: Settings) -> Sequence[tuple[int | None, str]]:
    from .apkg import SENTENCE_AUDIO_LIMIT, voiced_sentences

    voiced, sentences, characters = voiced_sentences(lesson)
    if len(voiced) == sentences or not speaks(settings):
        return headword_audio_warnings(lesson, settings)
    message = (
        f"sentence audio in the deck for the first {len(voiced):,} of its {sentences:,} sentences only: they have "
        f"{characters:,} characters, over the {SENTENCE_AUDIO_LIMIT:,} the deck's audio is made for (the other "
        "cards use Anki's text-to-speech)"
    )
    return [(None, message), *headword_audio_warnings(lesson, settings)]


def _prepare_apkg(settings: Settings) -> None:
    from . import apkg  # noqa: F401  # pay genanki's import once per worker


def _apkg_notes(lesson: Lesson) -> Mapping[str, str]:
    from .apkg import note_contents

    return note_contents(lesson)


def _pdf(lesson: Lesson, context: WriteContext) -> Sequence[Output]:
    from .pdf import edition_outputs  # reportlab is imported only by builds that write worksheets
    from .pdf_versions import version_outputs

    return [
        *edition_outputs(lesson, context.settings, context.stem),
        *version_outputs(lesson, context.settings, context.stem),
    ]


def _prepare_pdf(settings: Settings) -> None:
    from .pdf import prepare

    prepare(settings)


def _html(lesson: Lesson, context: WriteContext) -> Sequence[Output]:
    from .site_page import lesson_page_outputs  # the site's page for the lesson (and its audio, when there is any)

    return lesson_page_outputs(lesson, context)


def _html_warnings(lesson: Lesson, settings: Settings) -> Sequence[tuple[int | None, str]]:
    from .site_page import audio_warnings

    return [*audio_warnings(lesson, settings), *headword_audio_warnings(lesson, settings)]


# Quizlet sets and Kahoot! quizzes are class material that holds its answers by design (the teacher runs them;
# learners do not study from the file): teacher outputs, never published where learners download.


def _quizlet(lesson: Lesson, context: WriteContext) -> Sequence[Output]:
    from .quizlet import quizlet_output

    return [quizlet_output([lesson], f"{context.stem}-quizlet.tsv")]


def _kahoot(lesson: Lesson, context: WriteContext) -> Sequence[Output]:
    from .kahoot import kahoot_outputs  # openpyxl is imported only by builds that write Kahoot! quizzes

    return kahoot_outputs(lesson, f"{context.stem}-kahoot.xlsx", context.settings.kahoot_time_limit)


def _kahoot_warnings(lesson: Lesson, settings: Settings) -> Sequence[tuple[int | None, str]]:
    from .kahoot import kahoot_warnings

    return kahoot_warnings(lesson)


WRITERS: dict[str, Writer] = {
    "apkg": Writer(_apkg, _prepare_apkg, _apkg_notes, _apkg_warnings),
    "pdf": Writer(_pdf, _prepare_pdf),
    "html": Writer(_html, warnings=_html_warnings),
    "quizlet": Writer(_quizlet),
    "kahoot": Writer(_kahoot, warnings=_kahoot_warnings),
}
