"""The Atom feed (RFC 4287) of the newest lessons, so that feed readers show each week's lesson."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

from .. import __version__
from .data import LessonSummary

FEED_ENTRIES = 20  # a feed carries the latest weeks; the index lists everything

# Characters XML 1.0 cannot carry at all, even escaped; lesson text is data and may contain them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(value: str) -> str:
    """Lesson text as XML character data: markup escaped, characters XML forbids dropped."""
    return _escape(_NOT_XML.sub("", value))


def stable_id(course: str, key: str = "") -> str:
    """A ``urn:uuid`` that depends only on the course and the lesson id, so rebuilds never re-announce a lesson."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"ankiexport:{course}:{key}"))


def _time(unix: int) -> str:
    return datetime.fromtimestamp(unix, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(summary: LessonSummary, revised: int, course: str) -> str:
    lines = [
        "<entry>",
        f'<title xml:lang="en">{escape(summary.title)}</title>',
        f"<id>{stable_id(course, summary.id)}</id>",
        f"<updated>{_time(revised)}</updated>",
    ]
    if summary.date:
        lines.append(f"<published>{escape(summary.date)}T00:00:00Z</published>")
    lines.append(f'<link rel="alternate" type="text/html" href={quoteattr(summary.page)}/>')
    about = [summary.title_ja] if summary.title_ja else []
    if summary.terms is not None and summary.sentences is not None:
        about.append(f"語彙 {summary.terms} 語 · 本文 {summary.sentences} 文")
    if about:
        lines.append(f"<summary>{escape(' · '.join(about))}</summary>")
    lines.append("</entry>")
    return "\n".join(lines)


def render_feed(lessons: Sequence[LessonSummary], *, course: str, author: str = "", index: str = "index.html") -> bytes:
    """The feed as UTF-8 bytes; ``lessons`` come newest first. Links are relative to the feed's own address.

    A lesson whose revision time is unknown (it failed to build this time) is left out rather than misdated.
    """
    latest = [(summary, summary.revised) for summary in lessons if summary.revised is not None][:FEED_ENTRIES]
    updated = max((revised for _, revised in latest), default=0)
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">',
        f"<title>{escape(course)}</title>",
        f"<id>{stable_id(course)}</id>",
        f"<updated>{_time(updated)}</updated>",
        f"<author><name>{escape(author or course)}</name></author>",
        '<link rel="self" type="application/atom+xml" href="feed.xml"/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(index)}/>',
        f'<generator version="{escape(__version__)}">ankiexport</generator>',
    ]
    entries = [_entry(summary, revised, course) for summary, revised in latest]
    return ("\n".join([*head, *entries, "</feed>"]) + "\n").encode("utf-8")
