"""A lesson's page: titles, the article sentence by sentence with its translation on tap, vocabulary, downloads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote

from ..analysis.lines import join_lines
from ..model import Lesson, VocabEntry
from .data import DECK, Download, LessonAudio
from .html import page_of_parts, size_label, text

# Labels are bilingual: learners read Japanese; the English makes the page usable for their teachers too.
DOWNLOAD_LABELS = {
    DECK: ("Anki デッキ", "Anki deck (.apkg)"),
    "pdf": ("ワークシート", "Worksheet (PDF)"),
    "gapfill": ("穴埋めワークシート", "Gap-fill worksheet (PDF)"),
}


def href(file: str) -> str:
    """A link to a file beside the page: percent-encoded so that no file name can break out of the attribute."""
    return text(quote(file))


def _marked(sentence: str, spans: Iterable[tuple[int, int]]) -> str:
    """The sentence escaped, with the vocabulary terms it uses in ``<mark>``."""
    parts, at = [], 0
    for start, end in sorted(spans):
        if start < at:  # overlapping uses of two terms: the first one marked wins
            continue
        parts.append(text(sentence[at:start]) + "<mark>" + text(sentence[start:end]) + "</mark>")
        at = end
    return "".join(parts) + text(sentence[at:])


def _term_spans(lesson: Lesson) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = {}
    for cloze in lesson.clozes:
        if cloze.index is not None:
            spans.setdefault(cloze.index, []).extend(span for use in cloze.uses for span in use.spans)
    return spans


def _article(lesson: Lesson) -> list[str]:
    """Paragraphs of sentences, as parts; a sentence with a translation is a ``<details>`` that shows it when
    tapped."""
    spans = _term_spans(lesson)
    paragraphs: dict[int, list[str]] = {}
    for index, sentence in enumerate(lesson.sentences):
        english = _marked(sentence.text, spans.get(index, ()))
        if sentence.translation:
            item = (
                f'<details class="s"><summary lang="en">{english}</summary>'
                f'<p lang="ja">{text(sentence.translation)}</p></details>'
            )
        else:
            item = f'<p class="s" lang="en">{english}</p>'
        paragraphs.setdefault(sentence.paragraph, []).append(item)
    parts: list[str] = []
    for _, items in sorted(paragraphs.items()):
        parts += ["\n", '<div class="para">', *items, "</div>"]
    return parts[1:]


def _full_translation(lesson: Lesson) -> list[str]:
    if lesson.translation is None or not lesson.translation.paragraphs:
        return []
    body = [f"<p>{text(paragraph)}</p>" for paragraph in lesson.translation.paragraphs]
    opening = '<details class="full" lang="ja"><summary>全文の和訳を表示 (full translation)</summary>'
    return [opening, *body, "</details>"]


def _prose(value: str) -> str:
    """Gloss or explanation text: hard breaks inside sentences joined by script, the meant ones kept as ``<br>``."""
    return "<br>".join(text(line) for line in join_lines(value).split("\n"))


def _term(entry: VocabEntry, clip: str | None, ipa: str) -> str:
    headword = entry.headword or entry.term
    lines = [f'<div class="head"><h3 lang="en">{text(headword)}</h3>']
    if ipa:
        lines.append(f'<span class="ipa" lang="en-fonipa">/{text(ipa)}/</span>')
    if clip:  # beside the headword: a narrow native player shows as a play button
        label = text(f"Pronunciation of {headword}")
        lines.append(f'<audio controls preload="none" src="{href(clip)}" aria-label="{label}"></audio>')
    lines.append("</div>")
    if entry.term.casefold() != headword.casefold():
        lines.append(f'<p class="form">記事では <span lang="en">{text(entry.term)}</span></p>')
    lines.append(f'<p class="gloss">{_prose(entry.gloss)}</p>')
    if entry.explanation:
        lines.append(f'<p class="expl">{_prose(entry.explanation)}</p>')
    return "<li>" + "".join(lines) + "</li>"


def download_list(downloads: Sequence[Download]) -> str:
    """Download links with their sizes; a link to a file beside the page unless the download says otherwise."""
    items = []
    for download in downloads:
        japanese, english = DOWNLOAD_LABELS.get(download.kind, (download.kind, download.kind))
        size = f' <span class="size">{size_label(download.size)}</span>' if download.size is not None else ""
        target = href(download.file) if download.href is None else text(download.href)
        items.append(
            f'<li><a href="{target}" download><span>{text(japanese)} <span lang="en">{text(english)}</span></span>'
            f"{size}</a></li>"
        )
    return '<ul class="downloads">' + "".join(items) + "</ul>" if items else ""


def render_lesson_page(
    lesson: Lesson,
    *,
    course: str,
    downloads: Sequence[Download] = (),
    audio: LessonAudio | None = None,
    ipa: Sequence[str] = (),
    index: str = "index.html",
) -> bytes:
    """The page as UTF-8 bytes: same lesson and files, same bytes. Built as a list of parts joined and encoded once:
    a lesson near the size limit makes a page of megabytes, held as few whole copies as possible."""
    audio = audio or LessonAudio()
    clips = list(audio.terms) + [None] * (len(lesson.vocabulary) - len(audio.terms))
    body = _lines_of_parts(
        [_header(lesson, course, index)],
        _article_section(lesson, audio.article),
        _vocabulary_section(lesson, clips, ipa),
        [_downloads_section(downloads)],
    )
    media = bool(audio.article or any(clips))
    return page_of_parts(title=text(f"{lesson.title} · {course}"), parts=body, media=media)


def _lines(*parts: str) -> str:
    """The parts that say something, one a line."""
    return "\n".join(part for part in parts if part)


def _lines_of_parts(*groups: list[str]) -> list[str]:
    """:func:`_lines` of groups of parts, without joining them: the groups that say something, one a line."""
    parts: list[str] = []
    for group in groups:
        if any(group):
            parts += ["\n", *group]
    return parts[1:]


def _header(lesson: Lesson, course: str, index: str) -> str:
    """The way back to the index, then the English title, the Japanese one (the translation's) and the date."""
    japanese_title = lesson.translation.title if lesson.translation else ""
    return _lines(
        f'<p class="crumbs"><a href="{href(index)}">← {text(course)}</a></p>',
        "<header>",
        f'<h1 lang="en">{text(lesson.title)}</h1>',
        f'<p class="sub">{text(japanese_title)}</p>' if japanese_title else "",
        f'<p class="muted"><time datetime="{text(lesson.date)}">{text(lesson.date)}</time></p>' if lesson.date else "",
        "</header>",
    )


def _article_section(lesson: Lesson, recording: str | None) -> list[str]:
    """The article read aloud, its sentences with their translations on tap, and the whole translation."""
    player = (
        f'<audio controls preload="metadata" src="{href(recording)}" aria-label="The whole article read aloud"></audio>'
        if recording
        else ""
    )
    return _lines_of_parts(
        ['<section aria-labelledby="article"><h2 id="article">本文 <span lang="en">Article</span></h2>'],
        [player],
        ['<p class="muted no-print">文をタップすると和訳が表示されます。</p>'],
        _article(lesson),
        _full_translation(lesson),
        ["</section>"],
    )


def _vocabulary_section(lesson: Lesson, clips: Sequence[str | None], ipa: Sequence[str]) -> list[str]:
    """Each term with its pronunciation, gloss and explanation; nothing for a lesson without vocabulary."""
    if not lesson.vocabulary:
        return []
    readings = list(ipa) + [""] * (len(lesson.vocabulary) - len(ipa))
    parts = [
        '<section aria-labelledby="vocabulary"><h2 id="vocabulary">語彙 <span lang="en">Vocabulary</span></h2>'
        '<ol class="vocab">'
    ]
    for number, (entry, clip, reading) in enumerate(zip(lesson.vocabulary, clips, readings, strict=False)):
        parts += ["\n", _term(entry, clip, reading)] if number else [_term(entry, clip, reading)]
    return [*parts, "</ol></section>"]


def _downloads_section(downloads: Sequence[Download]) -> str:
    """The learner's files (deck, student worksheets); nothing when none is offered."""
    if not downloads:
        return ""
    return (
        '<section class="no-print" aria-labelledby="downloads">'
        '<h2 id="downloads">ダウンロード <span lang="en">Downloads</span></h2>'
        f"{download_list(downloads)}</section>"
    )
