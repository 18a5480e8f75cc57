"""The page shell every site page shares: the stylesheet, the Content-Security-Policy and escaping helpers."""

from __future__ import annotations

import base64
import hashlib
from html import escape

# One stylesheet for every page, inline so that a downloaded page works offline. Light and dark follow the
# reader's system setting; print turns translations on and players off.
STYLE = """
:root { color-scheme: light dark; --fg: #1b2128; --muted: #56606b; --line: #d5dae0; --accent: #1b5bb8;
  --bg: #ffffff; --soft: #f1f4f8; --mark: #fff0b3; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e7eaee; --muted: #a6b0bb; --line: #39414b; --accent: #8cbaff; --bg: #14181d; --soft: #1f252d;
    --mark: #4d4114; }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); overflow-wrap: anywhere; line-break: strict;
  font: 17px/1.7 system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic UI",
  "Noto Sans CJK JP", "Noto Sans JP", sans-serif; }
main { max-width: 44rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
a { color: var(--accent); text-underline-offset: .15em; }
h1 { font-size: 1.45rem; line-height: 1.35; margin: .5rem 0 .35rem; }
h2 { font-size: 1.15rem; line-height: 1.4; margin: 2.2rem 0 .8rem; padding-bottom: .3rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; line-height: 1.4; margin: 0; }
p { margin: 0 0 .8rem; }
.crumbs { font-size: .9rem; margin: 0; }
.sub { font-size: 1.05rem; margin: 0 0 .3rem; }
.muted, time, .size, .counts { color: var(--muted); }
.size { white-space: nowrap; font-size: .85rem; }
audio { display: block; width: 100%; max-width: 100%; margin: .5rem 0 1rem; }
.para { margin: 0 0 1.1rem; }
.s { margin: 0 0 .15rem; }
details.s > summary { cursor: pointer; list-style: none; border-radius: .3rem; padding: 0 .15rem; }
details.s > summary::-webkit-details-marker { display: none; }
details.s > summary::after { content: "訳"; display: inline-block; font-size: .7rem; line-height: 1.5;
  color: var(--muted); border: 1px solid var(--line); border-radius: .25rem; padding: 0 .3rem; margin-left: .4rem; }
details.s[open] > summary { background: var(--soft); }
details.s > p, .full p { margin: .25rem 0 .6rem; padding: .35rem .65rem; border-left: 3px solid var(--accent);
  background: var(--soft); }
mark { background: var(--mark); color: inherit; padding: 0 .1em; border-radius: .15em; }
.full > summary { cursor: pointer; color: var(--accent); margin: .5rem 0; }
ol.vocab, ol.lessons, ul.downloads { list-style: none; margin: 0; padding: 0; }
ol.vocab > li, ol.lessons > li { border-top: 1px solid var(--line); padding: .9rem 0; }
ol.vocab > li:first-child, ol.lessons > li:first-child { border-top: 0; padding-top: .2rem; }
.head { display: flex; flex-wrap: wrap; align-items: baseline; column-gap: .75rem; }
.ipa { color: var(--muted); font-family: "Charis SIL", "Doulos SIL", "Gentium Plus", "DejaVu Sans", sans-serif; }
.form { font-size: .85rem; color: var(--muted); margin: 0; }
.gloss { font-weight: 600; margin: .25rem 0 .15rem; }
.expl { font-size: .95rem; margin: 0; }
ol.vocab .head audio { width: 7.5rem; height: 2.5rem; margin: 0; align-self: center; }
ul.downloads { display: grid; gap: .6rem; }
ul.downloads a { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: baseline;
  column-gap: 1rem; padding: .7rem .9rem; border: 1px solid var(--line); border-radius: .5rem;
  text-decoration: none; }
ul.downloads a:hover, ul.downloads a:focus-visible { border-color: var(--accent); }
ol.lessons h3 a { text-decoration: none; }
ol.lessons h3 a:hover, ol.lessons h3 a:focus-visible { text-decoration: underline; }
ol.lessons ul.downloads { margin-top: .5rem; }
.counts { font-size: .85rem; margin: .15rem 0 0; }
.how h3 { margin-top: 1rem; }
.how ol { padding-left: 1.4rem; margin: .3rem 0 .8rem; }
footer { color: var(--muted); font-size: .85rem; margin-top: 3rem; border-top: 1px solid var(--line);
  padding-top: 1rem; }
@media print {
  :root { color-scheme: light; --fg: #000; --muted: #333; --line: #999; --bg: #fff; --soft: #fff; --mark: #fff; }
  body { font-size: 11pt; line-height: 1.55; }
  main { max-width: none; padding: 0; }
  audio, .crumbs, ul.downloads, .no-print, .full, footer { display: none; }
  details::details-content { content-visibility: visible; display: contents; }
  details.s > summary::after { display: none; }
  details.s > p { border-left-width: 2px; padding: 0 0 0 .5rem; }
  mark { font-weight: 700; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid; }
  ol.vocab > li, .para { break-inside: avoid; }
}
"""


def _source_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(*, media: bool) -> str:
    """Everything forbidden but the inline stylesheet (by hash), the page's own audio and the empty icon."""
    parts = [
        "default-src 'none'",
        f"style-src {_source_hash(STYLE)}",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    if media:
        parts.insert(2, "media-src 'self'")
    return "; ".join(parts)


def text(value: str) -> str:
    """Lesson text as HTML character data or an attribute value: everything that could be markup is escaped."""
    return escape(value, quote=True)


def page(*, title: str, body: str, media: bool, head: str = "") -> bytes:
    """A whole HTML document (Japanese by default; English parts carry their own ``lang``) as UTF-8 bytes."""
    return page_of_parts(title=title, parts=[body], media=media, head=head)


def page_of_parts(*, title: str, parts: list[str], media: bool, head: str = "") -> bytes:
    """:func:`page` of a body given as parts (emptied here), encoded in runs of parts from the end, each run freed as
    it is encoded: a large page is never held whole as a string (twice its size when it holds Japanese), only as its
    parts, its encoded runs and the bytes they are joined into once."""
    parts.insert(0, _opening(title, media, head))
    parts.append("\n</main>\n</body>\n</html>\n")
    runs: list[bytes] = []
    while parts:
        runs.append("".join(parts[-_RUN:]).encode("utf-8"))
        del parts[-_RUN:]
    runs.reverse()
    return b"".join(runs)


_RUN = 2048  # parts encoded at a time by page_of_parts


def _opening(title: str, media: bool, head: str) -> str:
    """The document up to and including ``<main>`` and its line break."""
    return f"""<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{text(content_security_policy(media=media))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<link rel="icon" href="data:,">
{head}<style>{STYLE}</style>
</head>
<body>
<main>
"""


def size_label(size: int) -> str:
    """A file size for people: ``213 KB``, ``1.4 MB`` (kept on one line by the ``size`` class)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"
