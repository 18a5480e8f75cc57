"""The site's front page: every lesson newest first, the all-lessons deck, and how to import a deck into Anki."""

from __future__ import annotations

from collections.abc import Sequence

from .data import Download, LessonSummary
from .html import page, text
from .lesson_page import download_list, href

FEED_NAME = "feed.xml"

_HOW_TO_IMPORT = """
<section class="how" aria-labelledby="import"><h2 id="import">Anki への取り込み方 <span lang="en">Importing a deck
</span></h2>
<h3>AnkiDroid <span lang="en">(Android)</span></h3>
<ol><li>デッキ (.apkg) をタップしてダウンロードします。</li>
<li>ダウンロードしたファイルを開き、AnkiDroid を選ぶと取り込まれます。</li></ol>
<p lang="en">Tap the deck to download it, open the downloaded file and choose AnkiDroid.</p>
<h3>AnkiMobile <span lang="en">(iPhone, iPad)</span></h3>
<ol><li>デッキをタップしてダウンロードします。</li>
<li>「ファイル」アプリでファイルを開き、共有ボタンから AnkiMobile を選びます。</li></ol>
<p lang="en">Download the deck, open it in the Files app, tap Share and choose AnkiMobile.</p>
<h3>パソコン <span lang="en">(Anki for Windows, Mac, Linux)</span></h3>
<ol><li>デッキをダウンロードし、ダブルクリックするか、Anki の「ファイル」›「読み込む」で選びます。</li></ol>
<p lang="en">Download the deck and double-click it, or choose it with File › Import in Anki.</p>
<h3>更新されたデッキ <span lang="en">Updated decks</span></h3>
<p>同じデッキの新しい版を読み込んでも、これまでの学習履歴はそのまま残ります。</p>
<p lang="en">Importing a new version of a deck you already have keeps your review history.</p>
</section>
"""


def _lesson(summary: LessonSummary) -> str:
    when = f'<time datetime="{text(summary.date)}">{text(summary.date)}</time>' if summary.date else ""
    japanese = f'<p class="sub">{text(summary.title_ja)}</p>' if summary.title_ja else ""
    counts = ""
    if summary.terms is not None and summary.sentences is not None:
        counts = (
            f'<p class="counts">語彙 {summary.terms} 語 · 本文 {summary.sentences} 文 '
            f'<span lang="en">({summary.terms} terms, {summary.sentences} sentences)</span></p>'
        )
    linked = f'<a href="{href(summary.page)}">{text(summary.title)}</a>' if summary.page else text(summary.title)
    title = f'<h3 lang="en">{linked}</h3>'
    return f"<li>{when}{title}{japanese}{counts}{download_list(summary.downloads)}</li>"


def _combined(combined: Download | None, notes: int, cards: int) -> str:
    if combined is None:
        return ""
    return (
        '<section aria-labelledby="all">'
        '<h2 id="all">全レッスンのデッキ <span lang="en">All lessons in one deck</span></h2>'
        f"<p>すべてのレッスンを一つにまとめた Anki デッキです ({notes} ノート, {cards} カード)。 "
        f'<span lang="en">Every lesson in one Anki deck ({notes} notes, {cards} cards).</span></p>'
        f"{download_list([combined])}</section>"
    )


def render_index(
    lessons: Sequence[LessonSummary],
    *,
    course: str,
    combined: Download | None = None,
    combined_counts: tuple[int, int] = (0, 0),
) -> bytes:
    """The front page as UTF-8 bytes; ``lessons`` come newest first."""
    items = (
        "\n".join(_lesson(summary) for summary in lessons)
        or '<li>まだレッスンはありません。 <span lang="en">No lessons yet.</span></li>'
    )
    body = "\n".join(
        [
            f"<header><h1>{text(course)}</h1>",
            "<p>毎週の英語ニュース教材: 記事、音声、単語、Anki デッキ、ワークシート。</p>",
            '<p lang="en">Weekly English news lessons: the article, its audio, vocabulary, Anki decks and worksheets.'
            "</p></header>",
            '<section aria-labelledby="lessons"><h2 id="lessons">レッスン <span lang="en">Lessons</span></h2>',
            f'<ol class="lessons">{items}</ol></section>',
            _combined(combined, *combined_counts),
            _HOW_TO_IMPORT,
            f'<footer><p>新しいレッスンは <a href="{FEED_NAME}">フィード (Atom)</a> でも受け取れます。 '
            f'<span lang="en">New lessons also arrive by <a href="{FEED_NAME}">feed (Atom)</a>.</span></p></footer>',
        ]
    )
    head = f'<link rel="alternate" type="application/atom+xml" href="{FEED_NAME}" title="{text(course)}">\n'
    return page(title=text(course), body=body, media=False, head=head)
