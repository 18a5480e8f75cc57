"""Renders sample cards as a phone shows them (390 CSS px wide, light and night) for README's screenshots.

    python docs/render_cards.py [OUT_FOLDER]     # default: docs/

Builds the sample lesson's deck with audio, imports it into a fresh collection of the real Anki engine, and has
Debian's chromium screenshot each card's rendered HTML with the note type's CSS; Anki's audio references become the
play buttons the reviewer draws.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from ankiexport.config import Settings
from ankiexport.readers import load_lesson
from ankiexport.writers.apkg import deck_bytes

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "lessons" / "2026-11-28-ai-trainer.txt"
PLAY = (
    '<a class="replay-button soundLink"><svg class="playImage" viewBox="0 0 64 64" width="40" height="40">'
    '<circle cx="32" cy="32" r="29" fill="#e6e6e6" stroke="#999"/>'
    '<path d="M56.502,32.301l-37.502,20.101l0.329,-40.804l37.173,20.703Z" fill="#444"/></svg></a>'
)
SHOTS = [  # (file name, search, card ord, side, night, height in CSS px)
    ("card-recognition-light.png", '"Term:capitalize on"', 0, "answer", False, 600),
    ("card-production-night.png", '"Term:capitalize on"', 1, "answer", True, 600),
    ("card-cloze-front-light.png", '"note:ankiexport Cloze v2" Capitalizing', 0, "question", False, 200),
]
# Phones have Japanese system fonts (the cards' CSS names them); this machine's chromium has none, so the page maps
# one of those names to the project's IPAex Gothic.
GOTHIC = (ROOT / "fonts" / "ipaexg.ttf").as_uri()
JAPANESE_FONT = f'@font-face {{ font-family: "Noto Sans JP"; src: url("{GOTHIC}"); }}'


def page(body: str, css: str, night: bool) -> str:
    body = re.sub(r"\[anki:play:[qa]:\d+\]", PLAY, body)
    classes = "card nightMode night_mode" if night else "card"
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{JAPANESE_FONT} body {{ margin: 12px; }} .replay-button {{ margin: 0 6px; }}</style>"
        f"<style>{css}</style></head>"
        f'<body class="{classes}">{body}</body></html>'
    )


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        deck = folder / "sample.apkg"
        deck.write_bytes(deck_bytes(load_lesson(SAMPLE, Settings()), Settings(), folder / "cache")[0])
        col = Collection(str(folder / "collection.anki2"))
        try:
            request = ImportAnkiPackageRequest(package_path=str(deck), options=ImportAnkiPackageOptions())
            col.import_anki_package(request)
            for name, search, ord_, side, night, height in SHOTS:
                (note_id,) = col.find_notes(search)
                card = next(card for card in col.get_note(note_id).cards() if card.ord == ord_)
                html = card.answer() if side == "answer" else card.question()
                source = folder / f"{name}.html"
                source.write_text(page(html, card.note_type()["css"], night), "utf-8")
                shoot(source, out / name, height)
        finally:
            col.close()


def shoot(source: Path, target: Path, height: int) -> None:
    subprocess.run(
        [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--force-device-scale-factor=2", f"--window-size=390,{height}", f"--screenshot={target}", source.as_uri(),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    print(target)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
