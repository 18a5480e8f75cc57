"""The published index page: every lesson, newest first, with links to its deck and worksheet."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import quote

from .build.state import Artifact, LessonRecord, PublishedRecord
from .config import Settings

_STYLE = """
:root { color-scheme: light dark; --fg: #1d232a; --muted: #5b6570; --line: #d8dde3; --accent: #1f5fbf; --bg: #fff; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e9ed; --muted: #9aa4ae; --line: #333a42; --accent: #7fb0ff; --bg: #15191e; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Yu Gothic UI", "Noto Sans JP", sans-serif; }
main { max-width: 46rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.lead { color: var(--muted); margin: 0 0 2rem; }
.all { border: 1px solid var(--line); border-radius: .5rem; padding: .9rem 1rem; margin-bottom: 2rem; }
ol { list-style: none; margin: 0; padding: 0; }
li { border-top: 1px solid var(--line); padding: 1rem 0; }
li:last-child { border-bottom: 1px solid var(--line); }
time { color: var(--muted); font-variant-numeric: tabular-nums; font-size: .9rem; }
.title { display: block; font-weight: 600; margin: .15rem 0 .4rem; }
a { color: var(--accent); text-decoration: none; margin-right: 1.25rem; }
a:hover, a:focus { text-decoration: underline; }
.meta { color: var(--muted); font-size: .85rem; margin-left: .35rem; }
footer { color: var(--muted); font-size: .8rem; margin-top: 2.5rem; }
"""

_KIND = {"apkg": "Anki deck", "pdf": "Worksheet (PDF)"}


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _link(artifact: Artifact) -> str:
    label = _KIND.get(artifact.format, artifact.format)
    href = quote(artifact.file)
    return f'<a href="{escape(href)}" download>{escape(label)}</a><span class="meta">{_size(artifact.size)}</span>'


def _item(record: LessonRecord) -> str:
    date = record.date
    when = f'<time datetime="{escape(date)}">{escape(date)}</time>' if date else ""
    learners = [a for a in record.artifacts if a.audience == "learner"]  # teacher files are never linked here
    links = " ".join(_link(a) for a in sorted(learners, key=lambda a: a.format))
    return f'<li>{when}<span class="title">{escape(record.title)}</span>{links}</li>'


def _everything(combined: PublishedRecord | None) -> str:
    if combined is None or not combined.artifacts:
        return ""
    deck = combined.artifacts[0]
    return (
        '<p class="all"><strong>All lessons in one deck:</strong> '
        f"{_link(deck)} "
        f'<span class="meta">· {deck.notes} notes, {deck.cards} cards</span></p>'
    )


def render_index(records: Sequence[LessonRecord], settings: Settings, combined: PublishedRecord | None = None) -> str:
    """The whole HTML page; ``records`` come newest first."""
    course = escape(settings.course_name)
    items = [_item(record) for record in records]
    everything = _everything(combined)
    body = "\n".join(items) if items else "<li>No lessons yet.</li>"
    return f"""<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{course}</title>
<style>{_STYLE}</style>
</head>
<body>
<main>
<h1>{course}</h1>
<p class="lead">Weekly lessons: Anki decks for review and printable worksheets. 毎週のレッスン教材</p>
{everything}
<ol>
{body}
</ol>
<footer>Import a deck into Anki (File › Import, or open it on AnkiDroid / AnkiMobile). Re-importing an updated deck
keeps your review history.</footer>
</main>
</body>
</html>
"""
