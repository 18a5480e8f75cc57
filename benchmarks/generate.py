"""Generates N benchmark lessons: dated variants of the sample lesson and the fixture lessons."""

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


def generate(folder: Path, count: int) -> list[Path]:
    """Write ``count`` lessons into ``folder``, each a variant (own title and date) of one source lesson."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = source_lessons()
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
    arguments = parser.parse_args()
    for path in generate(arguments.folder, arguments.count):
        print(path)


if __name__ == "__main__":
    main()
