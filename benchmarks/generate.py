"""Generates N benchmark lessons: dated variants of the sample lesson (a school's real lesson size: 13 sentences,
12 terms, gap-fill, translation), or with --mixed of the sample and the fixture lessons."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "lessons", ROOT / "tests" / "lessons"]


def source_lessons() -> list[str]:
    """Texts of the sample lesson and of every fixture lesson that is a whole, valid lesson."""
    texts = []
    for folder in SOURCES:
        for path in sorted(folder.glob("*.txt")):
            if path.name.startswith(("bad_", "encoding_")):
                continue
            try:
                text = path.read_text("utf-8")
            except UnicodeDecodeError:
                continue
            if "Vocab" in text and "和訳" in text:
                texts.append(text)
    return texts


def generate(folder: Path, count: int, mixed: bool = False) -> list[Path]:
    """Write ``count`` lessons into ``folder``, each a variant (own title and date) of the sample lesson, or with
    ``mixed`` of the sample and the fixture lessons in turn."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = source_lessons() if mixed else [(ROOT / "lessons" / "2026-11-28-ai-trainer.txt").read_text("utf-8")]
    start = datetime.date(2020, 1, 6)
    written = []
    for number in range(count):
        text = texts[number % len(texts)]
        title, _, rest = text.lstrip("\ufeff").partition("\n")
        day = start + datetime.timedelta(days=7 * number)
        path = folder / f"{day.isoformat()}-lesson-{number:04d}.txt"
        path.write_text(f"{title} (week {number + 1})\n{rest}", "utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--mixed", action="store_true", help="also the fixture lessons (mostly small ones)")
    arguments = parser.parse_args()
    for path in generate(arguments.folder, arguments.count, arguments.mixed):
        print(path)


if __name__ == "__main__":
    main()
