"""The lesson page writer: the learners' page for one lesson, its audio, and links to its learner files."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from ..config import Settings
from ..model import Lesson
from ..site import Download, LessonAudio, render_lesson_page
from . import AUDIO_TEXT_LIMIT, Output, WriteContext, speaks, speech_cache, voiced_terms

# What a lesson page offers for download: learner files only. The pdf format's student editions are the
# worksheet "<stem>.pdf" and, when the lesson has a gap-fill, "<stem>-gapfill.pdf"; teacher editions and the reading
# handout are never linked from the site.
LEARNER_DOWNLOADS = (("apkg", ""), ("pdf", ""), ("gapfill", "-gapfill"))  # (kind, file suffix)
_EXTENSION = {"apkg": "apkg", "pdf": "pdf", "gapfill": "pdf"}
# The article MP3 is made only for articles up to this many characters (a sample lesson's is about 2,000): past it,
# a 1 MB article would be hours of audio, hundreds of MB on Pages, and minutes of synthesis for one page.
ARTICLE_AUDIO_LIMIT = AUDIO_TEXT_LIMIT


def article_characters(lesson: Lesson) -> int:
    """The length of what the article MP3 would read: the article's sentences."""
    return sum(len(sentence.text) for sentence in lesson.sentences)


def audio_warnings(lesson: Lesson, settings: Settings) -> list[tuple[int | None, str]]:
    """Why the page has no article audio when it would otherwise have one: the article is over the limit."""
    length = article_characters(lesson)
    if length <= ARTICLE_AUDIO_LIMIT or not speaks(settings):
        return []
    message = (
        f"no article audio on the learners' page: the article has {length:,} characters, over the "
        f"{ARTICLE_AUDIO_LIMIT:,} its audio is made for (the term clips are kept)"
    )
    return [(None, message)]


def download(file: str, kind: str, settings: Settings, size: int | None = None) -> Download:
    """A learner file as the site links it: decks from ``deck_url`` when it is set (they are published only with
    the release, see README), everything else beside the pages."""
    elsewhere = settings.deck_url + quote(file) if kind == "apkg" and settings.deck_url else None
    return Download(file, kind, size, elsewhere)


def learner_file(stem: str, kind: str) -> str:
    """The file name of a lesson's learner download of ``kind``."""
    suffix = dict(LEARNER_DOWNLOADS)[kind]
    return f"{stem}{suffix}.{_EXTENSION[kind]}"


def lesson_downloads(lesson: Lesson, stem: str, settings: Settings) -> tuple[Download, ...]:
    """The lesson's learner files this build writes, in the order the page lists them."""
    kinds = []
    if "apkg" in settings.formats:
        kinds.append("apkg")
    if "pdf" in settings.formats:
        from .pdf import has_gapfill_handout

        kinds += ["pdf", "gapfill"] if has_gapfill_handout(lesson) else ["pdf"]
    return tuple(download(learner_file(stem, kind), kind, settings) for kind in kinds)


def _audio(lesson: Lesson, context: WriteContext) -> tuple[list[Output], LessonAudio]:
    """The whole article as ``<stem>-article.mp3`` and one ``<stem>-term-NN.mp3`` per vocabulary entry."""
    from .. import speech as speech_module

    folder = speech_cache(context.cache_dir, context.settings)
    if folder is None or not speech_module.available() or not lesson.sentences:
        return [], LessonAudio()  # no players: the page is complete without them
    from ..speech.article import article_mp3

    speech = speech_module.SpeechCache(folder)
    paragraphs: dict[int, list[str]] = {}
    for sentence in lesson.sentences:
        paragraphs.setdefault(sentence.paragraph, []).append(sentence.text)
    outputs: list[Output] = []
    if article_characters(lesson) <= ARTICLE_AUDIO_LIMIT:  # past it, audio_warnings says why there is none
        outputs.append(Output(f"{context.stem}-article.mp3", article_mp3(list(paragraphs.values()), speech)))
    article = outputs[0].name if outputs else None
    clips: list[str | None] = []
    terms = voiced_terms(lesson)[0]
    for number, entry in enumerate(lesson.vocabulary, 1):
        headword = entry.headword or entry.term
        if not any(char.isalpha() for char in headword) or number - 1 not in terms:
            clips.append(None)
            continue
        outputs.append(Output(f"{context.stem}-term-{number:02d}.mp3", speech.mp3(headword)))
        clips.append(outputs[-1].name)
    return outputs, LessonAudio(article, tuple(clips))


def lesson_page_outputs(lesson: Lesson, context: WriteContext) -> Sequence[Output]:
    """``<stem>.html`` and, with the audio extra, its MP3s."""
    from ..speech import ipa

    settings = context.settings
    audio_outputs, audio = _audio(lesson, context)
    page = render_lesson_page(
        lesson,
        course=settings.course_name,
        downloads=lesson_downloads(lesson, context.stem, settings),
        audio=audio,
        ipa=[ipa(entry.headword or entry.term) for entry in lesson.vocabulary],
    )
    return [Output(f"{context.stem}.html", page, "learner"), *audio_outputs]
