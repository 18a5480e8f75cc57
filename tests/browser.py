"""A real browser for the site's tests and screenshots: Debian's Chromium driven by Playwright, pages served locally."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"  # Debian's package (.ci/run installs it); Playwright's own download cannot run here
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
VIEWPORTS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1280, "height": 800}}
SCHEMES = ("light", "dark")


def chromium_path() -> str | None:
    """The system Chromium, when installed."""
    return shutil.which(CHROMIUM) or shutil.which("chromium")


FONTS = Path(__file__).resolve().parent.parent / "fonts"  # the worksheets' fonts: IPAex Gothic has the Japanese


def _fontconfig(folder: Path) -> Path:
    """A fontconfig file that adds the project's fonts to the system's, so that Japanese renders on a machine
    without Japanese system fonts (CI's) as it does on learners' phones; its cache goes under ``folder``."""
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<dir>{FONTS}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>\n",
        "utf-8",
    )
    return config


def launch(playwright: Any, scratch: Path) -> Any:
    """One headless Chromium; callers open a context per viewport and colour scheme. ``scratch`` is a private
    folder for its font configuration."""
    env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(scratch))}
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, env=env)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free loopback port; yields the base URL. The socket listens before this returns, so
    the first request cannot race the server's start."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --------------------------------------------------------------------------------------------------- screenshots

SHOTS = [  # (file name, page, viewport, scheme, element to scroll to or None, a translation opened)
    ("lesson-phone-light.png", "lesson", "phone", "light", None, True),
    ("lesson-phone-dark.png", "lesson", "phone", "dark", None, True),
    ("lesson-phone-vocabulary-light.png", "lesson", "phone", "light", "#vocabulary", False),
    ("lesson-phone-vocabulary-dark.png", "lesson", "phone", "dark", "#vocabulary", False),
    ("lesson-desktop-light.png", "lesson", "desktop", "light", None, True),
    ("lesson-desktop-dark.png", "lesson", "desktop", "dark", None, True),
    ("index-phone-light.png", "index", "phone", "light", None, False),
    ("index-phone-dark.png", "index", "phone", "dark", None, False),
    ("index-desktop-light.png", "index", "desktop", "light", None, False),
    ("index-desktop-dark.png", "index", "desktop", "dark", None, False),
]


def screenshots(out: Path, lesson_page: str, dest: Path) -> None:
    """Screens of a built site as a learner first sees them (with the first sentence's translation opened)."""
    import tempfile

    from playwright.sync_api import sync_playwright

    dest.mkdir(parents=True, exist_ok=True)
    with serve(out) as base, sync_playwright() as playwright, tempfile.TemporaryDirectory() as scratch:
        chromium = launch(playwright, Path(scratch))
        for file, which, viewport, scheme, anchor, opened in SHOTS:
            context = chromium.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
            page = context.new_page()
            page.goto(base + (lesson_page if which == "lesson" else "index.html"))
            if opened:
                page.evaluate(
                    "document.querySelector('details.s') && (document.querySelector('details.s').open = true)"
                )
            if anchor:
                page.evaluate(f"document.querySelector('{anchor}').scrollIntoView()")
            page.screenshot(path=str(dest / file))
            context.close()
        chromium.close()


if __name__ == "__main__":
    # python tests/browser.py OUT LESSON-PAGE DEST: e.g. out 2026-11-28-ai-trainer.html docs/site
    import sys

    screenshots(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
