"""The site's pages and feed as documents: structure, escaping, policy, learner-only downloads, stable bytes."""

# The browser tests (test_site_browser.py) check how the pages behave; these read what they say.

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ankiexport.config import Settings
from ankiexport.model import Lesson
from ankiexport.readers import load_lesson
from ankiexport.site import Download, LessonAudio, LessonSummary, render_feed, render_index, render_lesson_page
from ankiexport.site.feed import FEED_ENTRIES
from ankiexport.site.html import STYLE
from ankiexport.writers.site_page import lesson_downloads
from lesson_files import SAMPLE

ATOM = "{http://www.w3.org/2005/Atom}"


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each element kind."""

    def __init__(self, page: bytes) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.style = ""
        self._in_style = False
        self.feed(page.decode("utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.style += data

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


def lesson_page(lesson: Lesson, **kwargs: object) -> bytes:
    return render_lesson_page(lesson, course="English News Reading", **kwargs)  # type: ignore[arg-type]


def test_every_sentence_with_its_translation_behind_a_tap(sample: Lesson) -> None:
    page = lesson_page(sample).decode("utf-8")
    translated = [s for s in sample.sentences if s.translation]
    assert len(translated) >= len(sample.sentences) - 2  # the sample's sentences almost all have one
    assert page.count('<details class="s">') == len(translated)
    for sentence in translated:
        assert f'<p lang="ja">{sentence.translation}</p>' in page
    # The English sentence is the summary (what a learner taps), its vocabulary marked.
    assert "<mark>skyrockets</mark>" in page and "<mark>Capitalizing on</mark>" in page
    assert "<script" not in page


def test_titles_date_vocabulary_and_lang_per_element(sample: Lesson) -> None:
    page = lesson_page(sample, ipa=["ˈtæp ˈɪntu"])
    elements = Elements(page)
    text = page.decode("utf-8")
    assert elements.all("html") == [{"lang": "ja"}]
    assert '<h1 lang="en">Rise of the AI Trainer' in text
    assert f'<p class="sub">{sample.translation.title}</p>' in text  # type: ignore[union-attr]
    assert '<time datetime="2026-11-28">2026-11-28</time>' in text
    headwords = [e.headword or e.term for e in sample.vocabulary]
    assert [h for h in headwords if f'<h3 lang="en">{h}</h3>' not in text] == []
    assert "capitalize on" in headwords and '記事では <span lang="en">Capitalizing on</span>' in text
    assert '<span class="ipa" lang="en-fonipa">/ˈtæp ˈɪntu/</span>' in text
    # An explanation's hard line break inside a sentence is joined (Japanese: nothing; between Latin words: space).
    assert "対義語はappreciating(価値が上がっている)です。" in text
    assert "\n" not in "".join(re.findall(r'<p class="expl">(.*?)</p>', text, re.S))


def test_downloads_are_the_learner_files_only(sample: Lesson) -> None:
    downloads = lesson_downloads(sample, "2026-11-28-ai-trainer", Settings())
    files = ["2026-11-28-ai-trainer.apkg", "2026-11-28-ai-trainer.pdf", "2026-11-28-ai-trainer-gapfill.pdf"]
    assert [d.file for d in downloads] == files  # the deck and both student handouts
    page = lesson_page(sample, downloads=downloads).decode("utf-8")
    links = [a["href"] for a in Elements(page.encode()).all("a")]
    assert links == ["index.html", *files]
    assert "teacher" not in page and "reading" not in page
    only_deck = lesson_downloads(sample, "x", dataclasses.replace(Settings(), formats=("apkg", "html")))
    assert [d.file for d in only_deck] == ["x.apkg"]
    no_gapfill = dataclasses.replace(sample, exercise=None)
    assert [d.kind for d in lesson_downloads(no_gapfill, "x", Settings())] == ["apkg", "pdf"]


def _policy(page: bytes) -> dict[str, list[str]]:
    meta = [m for m in Elements(page).all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert len(meta) == 1
    return {part.split()[0]: part.split()[1:] for part in meta[0]["content"].split(";")}


def test_policy_allows_only_what_the_page_uses(sample: Lesson) -> None:
    silent = _policy(lesson_page(sample))
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    assert silent == {
        "default-src": ["'none'"],
        "style-src": [f"'sha256-{digest}'"],
        "img-src": ["data:"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
    }
    assert Elements(lesson_page(sample)).style == STYLE  # the hash is of the stylesheet the page carries
    audio = LessonAudio(article="a.mp3", terms=("t1.mp3",))
    assert _policy(lesson_page(sample, audio=audio))["media-src"] == ["'self'"]
    assert "media-src" not in _policy(render_index([], course="c"))


def test_audio_players_when_there_is_audio(sample: Lesson) -> None:
    assert b"<audio" not in lesson_page(sample)
    clips = tuple(f"{sample.id}-term-{i:02d}.mp3" for i in range(1, len(sample.vocabulary) + 1))
    page = Elements(lesson_page(sample, audio=LessonAudio(article=f"{sample.id}.mp3", terms=clips)))
    players = page.all("audio")
    assert [p["src"] for p in players] == [f"{sample.id}.mp3", *clips]
    assert all("controls" in p and p["aria-label"] for p in players)
    assert players[1]["aria-label"] == "Pronunciation of tap into"


def test_lesson_text_is_escaped_everywhere(sample: Lesson) -> None:
    hostile = '<script>alert("x")</script> & "quoted" \'single\' <img src=x onerror=y>'
    lesson = dataclasses.replace(
        sample,
        title=hostile,
        sentences=tuple(dataclasses.replace(s, text=hostile, translation=hostile) for s in sample.sentences),
        vocabulary=tuple(
            dataclasses.replace(e, term=hostile, headword=hostile, gloss=hostile, explanation=hostile)
            for e in sample.vocabulary
        ),
        clozes=(),
    )
    page = lesson_page(lesson, downloads=[Download('a"><script>.apkg', "apkg", 10)]).decode("utf-8")
    assert "<script" not in page and "<img" not in page and "onerror=y>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quoted&quot; &#x27;single&#x27;" in page
    assert 'href="a%22%3E%3Cscript%3E.apkg"' in page


def test_same_lesson_same_bytes(sample: Lesson) -> None:
    assert lesson_page(sample) == lesson_page(load_lesson(SAMPLE, Settings()))


def test_nothing_external(sample: Lesson) -> None:
    """Self-contained: every address is relative to the page (or the empty icon), nothing fetched from elsewhere."""
    pages = [
        lesson_page(sample, downloads=lesson_downloads(sample, sample.id, Settings()), audio=LessonAudio("a.mp3")),
        render_index([_summary(1)], course="c"),
    ]
    for page in pages:
        addresses = re.findall(rb'(?:href|src)="([^"]*)"', page)
        assert addresses and [a for a in addresses if b":" in a and a != b"data:,"] == []
        assert b"@import" not in page and b"url(" not in page and b"<script" not in page


def _summary(n: int, **changes: object) -> LessonSummary:
    summary = LessonSummary(
        id=f"2026-01-{n:02d}-lesson",
        page=f"2026-01-{n:02d}-lesson.html",
        title=f"Lesson {n}",
        title_ja=f"レッスン{n}",
        date=f"2026-01-{n:02d}",
        revised=1767225600 + n * 86400,
        terms=12,
        sentences=13,
        downloads=(Download(f"2026-01-{n:02d}-lesson.apkg", "apkg", 220_000),),
    )
    return dataclasses.replace(summary, **changes)  # type: ignore[arg-type]


def test_index_lists_lessons_as_given_with_japanese_titles_counts_and_import_help() -> None:
    lessons = [_summary(n) for n in (3, 2, 1)]
    page = render_index(lessons, course="Course", combined=Download("all-lessons.apkg", "apkg", 5_000_000))
    text = page.decode("utf-8")
    positions = [text.index(f'href="2026-01-{n:02d}-lesson.html"') for n in (3, 2, 1)]
    assert positions == sorted(positions)
    assert "レッスン3" in text and "語彙 12 語 · 本文 13 文" in text and '<span class="size">215 KB</span>' in text
    assert '<a href="all-lessons.apkg" download>' in text and "4.8 MB" in text
    for client in ("AnkiDroid", "AnkiMobile", "Windows, Mac, Linux"):
        assert client in text
    assert '<p lang="en">Importing a new version of a deck you already have keeps your review history.</p>' in text
    elsewhere = render_index(lessons, course="C", combined=Download("all-lessons.apkg", "apkg", 1, href="https://r/a"))
    assert b'<a href="https://r/a" download>' in elsewhere  # the combined deck published only with the release


def test_feed_is_atom_with_stable_ids_newest_first_and_limited() -> None:
    lessons = [_summary(n) for n in range(FEED_ENTRIES + 5, 0, -1)]
    data = render_feed(lessons, course="Course", author="School")
    assert data == render_feed(lessons, course="Course", author="School")
    root = ET.fromstring(data)
    assert root.tag == f"{ATOM}feed"
    for element in [root, *root.findall(f"{ATOM}entry")]:  # RFC 4287 §4.1.1, §4.1.2: required children
        for child in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{child}")) == 1, (element.tag, child)
        for stamp in element.findall(f"{ATOM}updated") + element.findall(f"{ATOM}published"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp.text or "")
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "School"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == FEED_ENTRIES
    assert [e.findtext(f"{ATOM}title") for e in entries[:2]] == [
        f"Lesson {FEED_ENTRIES + 5}",
        f"Lesson {FEED_ENTRIES + 4}",
    ]
    assert entries[0].find(f"{ATOM}link").attrib == {  # type: ignore[union-attr]
        "rel": "alternate",
        "type": "text/html",
        "href": f"2026-01-{FEED_ENTRIES + 5:02d}-lesson.html",
    }
    assert root.findtext(f"{ATOM}updated") == max(e.findtext(f"{ATOM}updated") or "" for e in entries)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all((i or "").startswith("urn:uuid:") for i in ids)
    # A lesson keeps its id when it is revised, and when other lessons come and go.
    revised = render_feed([dataclasses.replace(lessons[0], revised=1900000000, title="Fixed")], course="Course")
    assert ET.fromstring(revised).findtext(f"{ATOM}entry/{ATOM}id") == ids[0]


def test_feed_escapes_lesson_text_and_drops_what_xml_cannot_carry() -> None:
    hostile = _summary(1, title='<b>x</b> & "q" \x00\x1b\ufffe', title_ja="</summary>")
    root = ET.fromstring(render_feed([hostile], course="<C&>"))
    assert root.findtext(f"{ATOM}title") == "<C&>"
    assert root.findtext(f"{ATOM}entry/{ATOM}title") == '<b>x</b> & "q" '
    assert (root.findtext(f"{ATOM}entry/{ATOM}summary") or "").startswith("</summary> · ")


def test_decks_are_linked_at_deck_url_when_it_is_set(sample: Lesson) -> None:
    settings = dataclasses.replace(Settings(), deck_url="https://example.org/releases/latest/download/")
    downloads = lesson_downloads(sample, "2026-11-28-ai-trainer", settings)
    links = [a["href"] for a in Elements(lesson_page(sample, downloads=downloads)).all("a")]
    assert links == [
        "index.html",
        "https://example.org/releases/latest/download/2026-11-28-ai-trainer.apkg",
        "2026-11-28-ai-trainer.pdf",  # worksheets stay beside the pages
        "2026-11-28-ai-trainer-gapfill.pdf",
    ]


@pytest.mark.parametrize("bad", ["ftp://x/", "https://x/no-slash", "https://x/ y/", 'https://x/"/'])
def test_deck_url_must_be_a_web_address_ending_in_a_slash(bad: str) -> None:
    from ankiexport.config import override
    from ankiexport.errors import ConfigError

    with pytest.raises(ConfigError, match="deck_url must be an http"):
        override(Settings(), {"deck_url": bad})


MANIFEST = {
    "artifacts": [
        {"file": "a.apkg", "format": "apkg", "audience": "learner"},
        {"file": "a.pdf", "format": "pdf", "audience": "learner"},
        {"file": "a-teacher.pdf", "format": "pdf", "audience": "teacher"},
        {"file": "a.html", "format": "html", "audience": "learner"},
        {"file": "a-article.mp3", "format": "html", "audience": "learner"},
        {"file": "a-kahoot.xlsx", "format": "kahoot", "audience": "teacher"},
    ],
    "combined": {"file": "all-lessons.apkg", "format": "apkg", "audience": "learner"},
    "combined_quizlet": {"file": "all-lessons-quizlet.tsv", "format": "tsv", "audience": "teacher"},
}


def test_pages_get_pages_audio_and_student_worksheets_and_the_release_gets_the_decks() -> None:
    from ankiexport.site.collect import pages_files, release_files, teacher_files

    assert pages_files(MANIFEST) == ["a-article.mp3", "a.html", "a.pdf", "feed.xml", "index.html"]
    assert release_files(MANIFEST) == ["a.apkg", "a.pdf", "all-lessons.apkg", "manifest.json"]
    assert teacher_files(MANIFEST) == ["a-kahoot.xlsx", "a-teacher.pdf", "all-lessons-quizlet.tsv"]


def test_collected_pages_link_only_what_they_carry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real build as the workflow runs it: every page's local links resolve inside the Pages folder."""
    from click.testing import CliRunner

    from ankiexport.cli import main
    from ankiexport.site.collect import main as collect

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")
    deck_url = "https://github.com/school/lessons/releases/latest/download/"
    result = CliRunner().invoke(main, ["build", str(SAMPLE), "--out", str(tmp_path / "out"), "--deck-url", deck_url])
    assert result.exit_code == 0, result.output
    assert collect(["pages", str(tmp_path / "out"), str(tmp_path / "site")]) == 0
    assert collect(["release", str(tmp_path / "out"), str(tmp_path / "release")]) == 0
    site = {p.name for p in (tmp_path / "site").iterdir()}
    assert {"index.html", "feed.xml", f"{SAMPLE.stem}.html", f"{SAMPLE.stem}.pdf", f"{SAMPLE.stem}-gapfill.pdf"} <= site
    assert not [name for name in site if name.endswith(".apkg") or "teacher" in name or "reading" in name]
    release = {p.name for p in (tmp_path / "release").iterdir()}
    assert {f"{SAMPLE.stem}.apkg", "all-lessons.apkg", f"{SAMPLE.stem}.pdf", "manifest.json"} <= release
    assert not [name for name in release if name.endswith((".html", ".mp3")) or "teacher" in name]
    for page in (tmp_path / "site").glob("*.html"):
        addresses = [a for a in re.findall(r'(?:href|src)="([^"]*)"', page.read_text("utf-8")) if a != "data:,"]
        outside = [a for a in addresses if ":" in a]
        assert outside and all(a.startswith(deck_url) and a.endswith(".apkg") for a in outside)
        assert [a for a in addresses if ":" not in a and a not in site] == []


def test_the_article_is_one_mp3_of_its_sentences_with_pauses(tmp_path: Path) -> None:
    """The sentences' own cached clips joined: one stream that decodes whole, as long as its parts and pauses."""
    from ankiexport import speech

    if not speech.available():
        pytest.skip("the audio extra is not installed")
    import miniaudio

    from ankiexport.speech.article import PARAGRAPH_GAP, SENTENCE_GAP, article_mp3

    cache = speech.SpeechCache(tmp_path)
    paragraphs = [["Good morning.", "It is sunny."], ["Bye."]]
    joined = article_mp3(paragraphs, cache)
    assert joined == article_mp3(paragraphs, speech.SpeechCache(tmp_path)) and cache.misses == 3  # from the cache
    parts = [miniaudio.mp3_get_info(cache.mp3(s)).duration for p in paragraphs for s in p]
    decoded = miniaudio.decode(joined, nchannels=1, sample_rate=22050)
    assert decoded.duration == pytest.approx(sum(parts) + SENTENCE_GAP + PARAGRAPH_GAP, abs=0.2)
    assert max(decoded.samples) > 1000  # speech, not silence


@pytest.mark.parametrize(("setting", "environment"), [(True, None), (False, None), (True, "off"), (False, "on")])
def test_the_page_has_audio_exactly_when_the_deck_does(
    setting: bool, environment: str | None, sample: Lesson, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One switch for decks and pages: the ``audio`` setting and ANKIEXPORT_AUDIO=off, decided by speech_cache."""
    from ankiexport import speech
    from ankiexport.speech import article
    from ankiexport.writers import WriteContext, speech_cache
    from ankiexport.writers.site_page import lesson_page_outputs

    class Spoken:  # stands in for synthesis: what is asked is what matters here, not the sound
        def __init__(self, folder: Path) -> None:
            pass

        def mp3(self, text: str) -> bytes:
            return b"ID3"

    monkeypatch.setattr(speech, "available", lambda: True)
    monkeypatch.setattr(speech, "SpeechCache", Spoken)
    monkeypatch.setattr(article, "article_mp3", lambda paragraphs, cache: b"ID3")
    monkeypatch.delenv("ANKIEXPORT_AUDIO")
    if environment is not None:
        monkeypatch.setenv("ANKIEXPORT_AUDIO", environment)
    settings = Settings(audio=setting)
    outputs = lesson_page_outputs(sample, WriteContext(settings, sample.id, tmp_path))
    deck_speaks = speech_cache(tmp_path, settings) is not None
    assert deck_speaks == (setting and environment != "off")
    assert any(output.name.endswith(".mp3") for output in outputs) == deck_speaks
    assert (b"<audio" in outputs[0].data) == deck_speaks


def _fake_speech(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Speech that synthesises nothing: a clip is its text; the article's length in sentences is recorded."""
    from ankiexport import speech
    from ankiexport.speech import article

    monkeypatch.delenv("ANKIEXPORT_AUDIO", raising=False)
    monkeypatch.setattr(speech, "available", lambda: True)
    monkeypatch.setattr(speech.SpeechCache, "mp3", lambda self, text: b"clip:" + text.encode())
    joined: list[int] = []

    def fake_article(paragraphs: list[list[str]], cache: object) -> bytes:
        joined.append(sum(len(p) for p in paragraphs))
        return b"article"

    monkeypatch.setattr(article, "article_mp3", fake_article)
    return joined


@pytest.mark.parametrize("long", [False, True])
def test_article_audio_only_up_to_the_limit_with_a_warning_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, long: bool
) -> None:
    """Past ARTICLE_AUDIO_LIMIT characters the page has no article MP3 (never even joined) and the build says so."""
    from click.testing import CliRunner

    from ankiexport.cli import main
    from ankiexport.writers.site_page import ARTICLE_AUDIO_LIMIT

    joined = _fake_speech(monkeypatch)
    lines = SAMPLE.read_text("utf-8").splitlines()
    extra = ["Prices rose again today. " * 40] * (ARTICLE_AUDIO_LIMIT // 1000 + 1) if long else []
    lesson = tmp_path / "long.txt"
    lesson.write_text("\n".join([lines[0], *extra, *lines[1:]]) + "\n", "utf-8")
    result = CliRunner().invoke(main, ["build", str(lesson), "--out", str(tmp_path / "out"), "--format", "html"])
    assert result.exit_code == 0, result.output
    files = {p.name for p in (tmp_path / "out").iterdir()}
    assert "long-term-01.mp3" in files  # the term clips are made either way
    warned = [line for line in result.output.splitlines() if "no article audio" in line]
    if long:
        assert "long-article.mp3" not in files and joined == []
        assert len(warned) == 1 and warned[0].startswith(f"{lesson}: warning: ") and "20,000" in warned[0]
        assert "long-article.mp3" not in (tmp_path / "out" / "long.html").read_text("utf-8")
    else:
        assert "long-article.mp3" in files and len(joined) == 1 and warned == []
