"""The learners' site in a real browser (Debian's Chromium via Playwright) at phone and desktop width, light, dark."""

# One browser for the whole session; each page is loaded once per viewport and colour scheme and checked for
# horizontal overflow, links and media that resolve inside out/, requests that stay inside out/, console errors
# (a Content-Security-Policy refusal is one), audio metadata, and axe-core's serious or critical violations.

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from ankiexport.build import BuildOptions, run_build
from ankiexport.config import Settings
from browser import SCHEMES, VIEWPORTS, launch, serve
from lesson_files import SAMPLE
from shared_folders import made_once
from system_tools import require

HOSTILE_STEM = "2026-12-05-hostile"
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3  # no break opportunity: must wrap, not overflow


def _hostile_lesson() -> str:
    """The sample with markup, quotes and an unbreakable word in its title, a sentence and a gloss."""
    text = SAMPLE.read_text("utf-8")
    text = text.replace("Rise of the AI Trainer", f'<script>alert("t")</script> & {LONG_WORD} "AI"', 1)
    text = text.replace("The job of an AI Trainer", f"The job </details><img src=x> of {LONG_WORD}", 1)
    return text.replace("急騰する、急上昇する", "急騰する</p><script>x()</script>", 1)


VOICE_STEM = "2026-12-12-voice"
VOICE_LESSON = """A Short Test of the Reading Voice
The team tested a new voice today.
It reads every sentence clearly.
■ Vocabulary
- tested
- 和訳: 試した
- 解説: testの過去形。
- clearly
- 和訳: はっきりと
■ 和訳
読み上げ音声の短いテスト
チームは今日、新しい音声を試しました。
それはすべての文をはっきりと読みます。
"""


def _build(lessons: Path, out: Path, audio: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1764288000")
        patch.setenv("ANKIEXPORT_AUDIO", audio)
        assert run_build(BuildOptions(paths=(lessons,), out_dir=out, settings=Settings(), verbosity=0)) == 0


def _make_site(root: Path) -> None:
    lessons, spoken = root / "lessons", root / "spoken"
    lessons.mkdir()
    spoken.mkdir()
    shutil.copy(SAMPLE, lessons / SAMPLE.name)
    (lessons / f"{HOSTILE_STEM}.txt").write_text(_hostile_lesson(), "utf-8")
    (spoken / f"{VOICE_STEM}.txt").write_text(VOICE_LESSON, "utf-8")
    _build(lessons, root / "out", audio="off")
    _build(spoken, root / "out", audio="on")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample and a hostile lesson built once into an out/ folder, as the publishing job builds it, and a short
    lesson with audio (synthesising the sample's would cost the suite half a minute; the audio extra is in the
    test extra, so CI always has it). Built once for the session, whichever xdist workers run these tests."""
    out = made_once(tmp_path_factory, "site", _make_site) / "out"
    assert (out / f"{VOICE_STEM}-article.mp3").is_file()
    return out


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One Chromium for the session (each xdist worker has its own)."""
    require("chromium", "chromium")  # skipped locally without it; a failure in CI, where scripts/setup installs it
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = launch(playwright, tmp_path_factory.mktemp("chromium"))
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


# The index and the sample's page in every viewport and theme; the hostile page where overflow is likeliest.
LOADS = [
    *(
        (name, viewport, scheme)
        for name in ("index.html", f"{SAMPLE.stem}.html")
        for viewport in VIEWPORTS
        for scheme in SCHEMES
    ),
    (f"{HOSTILE_STEM}.html", "phone", "light"),
    (f"{VOICE_STEM}.html", "phone", "dark"),
    (f"{VOICE_STEM}.html", "desktop", "light"),
]


def _local_file(url: str, base: str, site: Path) -> Path | None:
    """The file in out/ that ``url`` names, or None when it points anywhere else."""
    if not url.startswith(base):
        return None
    path = unquote(urlsplit(url).path).lstrip("/")
    target = (site / path).resolve()
    return target if target.is_relative_to(site.resolve()) and target.is_file() else None


@pytest.fixture(scope="session")
def tabs(browser: Any) -> Iterator[dict[tuple[str, str], Any]]:
    """One open page per viewport and colour scheme, reused by every load: starting a page's renderer process costs
    about a second of CPU, a navigation in a running one next to nothing. Each load brings its own listeners and
    request route and takes them off again, and a route turns the HTTP cache off, so no load sees another's
    requests or is served from another's responses."""
    pages: dict[tuple[str, str], Any] = {}
    yield pages
    for page in pages.values():
        page.context.close()


@contextlib.contextmanager
def _loaded(
    browser: Any, tabs: dict[tuple[str, str], Any], url: str, viewport: str, scheme: str
) -> Iterator[tuple[Any, dict[str, list[str]]]]:
    """``url`` open in the page of that viewport and scheme; every request that leaves the local server (the one
    ``url`` is on) is refused and recorded, as are failed responses and console errors, until the block ends."""
    base = url[: url.index("/", len("http://")) + 1]
    if (viewport, scheme) not in tabs:
        tabs[viewport, scheme] = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme).new_page()
    page = tabs[viewport, scheme]
    seen: dict[str, list[str]] = {"outside": [], "failed": [], "console": []}

    def route(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            seen["outside"].append(route.request.url)
            route.abort()

    def console(message: Any) -> None:
        if message.type == "error":
            seen["console"].append(message.text)

    def response(response: Any) -> None:
        if response.status >= 400:
            seen["failed"].append(response.url)

    page.context.route("**/*", route)
    page.on("console", console)
    page.on("response", response)
    try:
        page.goto(url, wait_until="load")
        yield page, seen
    finally:
        try:  # leave the page blank and on screen media, without this load's listeners, for the next load
            page.goto("about:blank")
            page.emulate_media(media="screen")
            page.remove_listener("console", console)
            page.remove_listener("response", response)
            page.context.unroute("**/*", route)
        except Exception:  # a page that cannot be reset is not reused: the next load opens a new one
            del tabs[viewport, scheme]
            with contextlib.suppress(Exception):
                page.context.close()


# Every player loads its metadata (or fails); resolves to [src, duration or -1] per player. The 20 s bound only
# turns a hang into a failure; nothing waits for it in a passing run.
LOAD_METADATA = """() => Promise.all([...document.querySelectorAll('audio')].map(a => new Promise(resolve => {
    const done = () => resolve([a.src, a.error ? -1 : a.duration]);
    a.addEventListener('loadedmetadata', done, {once: true});
    a.addEventListener('error', done, {once: true});
    setTimeout(done, 20000);
    a.preload = 'metadata';
    a.load();
})))"""


def _findings(page: Any, base: str, site: Path, seen: dict[str, list[str]], *, axe: bool) -> dict[str, list[Any]]:
    """Everything wrong with the loaded page, by check; a good page has every list empty."""
    found: dict[str, list[Any]] = {**seen, "overflow": [], "unresolved": [], "audio": [], "axe": []}
    # Translations opened as a learner taps them must fit too.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width > inner:
        found["overflow"].append(f"scrollWidth {width} > innerWidth {inner}")
    urls = page.evaluate(
        """[...document.querySelectorAll('a[href], audio[src], source[src], link[href], img[src]')]
           .map(e => e.href || e.src).filter(u => !u.startsWith('data:'))"""
    )
    found["unresolved"] = [u for u in urls if _local_file(u.split("#")[0], base, site) is None]
    if page.evaluate("document.querySelectorAll('audio').length"):
        # Not wait_for_function: it evaluates a string, which the pages' policy rightly refuses.
        players = page.evaluate(LOAD_METADATA)
        found["audio"] = [src for src, duration in players if not duration > 0]
    if axe:
        from axe_playwright_python.sync_playwright import Axe

        found["axe"] = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    return found


@pytest.mark.parametrize(("name", "viewport", "scheme"), LOADS)
def test_page_in_a_real_browser(
    browser: Any, tabs: dict[tuple[str, str], Any], base_url: str, site: Path, name: str, viewport: str, scheme: str
) -> None:
    with _loaded(browser, tabs, base_url + name, viewport, scheme) as (page, seen):
        assert page.evaluate("document.querySelectorAll('a[href]').length") > 0
        # A file size never breaks across lines ("213 / KB" at phone width was the old index's look).
        assert page.evaluate("[...document.querySelectorAll('.size')].filter(e => e.getClientRects().length > 1)") == []
        if name.startswith(VOICE_STEM):  # the article and each term have a player
            assert page.evaluate("document.querySelectorAll('audio').length") == 3
        # axe-core at phone width in both themes (colour contrast differs by theme; the DOM does not by width).
        found = _findings(page, base_url, site, seen, axe=viewport == "phone")
        assert {check: problems for check, problems in found.items() if problems} == {}


BROKEN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="img-src 'self'"><title>broken</title></head><body>
<div style="width: 2000px">too wide</div>
<p style="color: #c8c8c8; background: #fff">hard to read</p>
<a href="missing.pdf">missing</a>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<audio src="https://example.invalid/a.mp3"></audio>
<img src="gone.png">
</body></html>"""


def test_the_checks_catch_what_they_check(browser: Any, tabs: dict[tuple[str, str], Any], tmp_path: Path) -> None:
    """A page with one fault per check: each check must report it (a check that cannot fail proves nothing)."""
    (tmp_path / "broken.html").write_text(BROKEN_PAGE, "utf-8")
    with serve(tmp_path) as base, _loaded(browser, tabs, base + "broken.html", "phone", "light") as (page, seen):
        found = _findings(page, base, tmp_path, seen, axe=True)
    assert found["overflow"] and found["console"], found  # the data: image refused by the page's policy
    assert base + "missing.pdf" in found["unresolved"] and base + "gone.png" in found["failed"]
    assert set(found["outside"]) == {"https://example.invalid/a.mp3"}  # refused, and recorded
    assert found["audio"] == ["https://example.invalid/a.mp3"]
    assert {"color-contrast", "image-alt"} <= {violation.split()[0] for violation in found["axe"]}


def test_printing_a_lesson_gives_every_translation_without_players(
    browser: Any, tabs: dict[tuple[str, str], Any], base_url: str
) -> None:
    with _loaded(browser, tabs, f"{base_url}{SAMPLE.stem}.html", "desktop", "dark") as (page, _):
        visible = "sel => [...document.querySelectorAll(sel)].map(e => e.checkVisibility())"
        assert set(page.evaluate(visible, "details.s > p")) == {False}  # on screen: behind a tap
        page.emulate_media(media="print")
        assert set(page.evaluate(visible, "details.s > p")) == {True}  # on paper: every translation
        assert set(page.evaluate(visible, ".vocab .expl")) == {True}
        assert set(page.evaluate(visible, "audio, .downloads, .crumbs, .full, .no-print")) <= {False}
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(255, 255, 255)"  # dark theme on screen, white paper in print
