"""What the floor's way of writing a PDF costs for the text the build's worksheet editions hold: a lower bound for them.

    python benchmarks/floor_editions.py [--lessons 30] [--repeat 3]

The floor (benchmarks/floor.py) writes one PDF a lesson: its lines, one ``drawString`` each, in one embedded Japanese
font, with no layout. The build writes four worksheet PDFs a lesson (worksheet, gap-fill handout, teacher edition,
reading handout). This script renders sample-sized lessons' worksheets as the build does, takes the text of each PDF
(pypdf's extraction, line by line), and times the floor's method writing that same text into the same number of files:
no line breaking, no tables, no writing lines or answers, one font. It prints that time beside the build's own
worksheet CPU per lesson, so that the 200-lesson target of issue 10 can be checked against what reportlab's canvas
costs at the least.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from floor import write_pdf  # noqa: E402 (scripts beside this one, not a package)
from generate import generate  # noqa: E402

ROOT = HERE.parent


def editions(lessons: list[Path]) -> tuple[float, list[list[list[str]]]]:
    """The worksheet writer's best CPU seconds for ``lessons`` (read and analysed beforehand, untimed), and per
    lesson, per PDF it wrote, the PDF's text lines."""
    from ankiexport.config import Settings
    from ankiexport.readers import load_lesson
    from ankiexport.writers.pdf import render_editions

    settings = Settings()
    analysed = [load_lesson(path, settings) for path in lessons]
    render_editions(analysed[0], settings)  # fonts registered, modules warm
    started = time.process_time()
    made = [render_editions(lesson, settings) for lesson in analysed]
    cpu = time.process_time() - started
    texts = []
    for result in made:
        files = [data for _, data, _ in result.handouts] + [result.teacher] + [result.reading or b""]
        texts.append([_lines(data) for data in files if data])
    return cpu, texts


def _lines(data: bytes) -> list[str]:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return [line for line in text.splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="runs to take the best of")
    arguments = parser.parse_args()
    pdfmetrics.registerFont(TTFont("IPAexGothic", str(ROOT / "fonts" / "ipaexg.ttf")))
    work = Path(tempfile.mkdtemp(prefix="ankiexport-floor-editions-"))
    try:
        paths = generate(work / "lessons", arguments.lessons)
        cpu, texts = min(editions(paths) for _ in range(arguments.repeat))
        best = float("inf")
        for _ in range(arguments.repeat):
            started = time.process_time()
            for files in texts:
                for lines in files:
                    write_pdf(io.BytesIO(), lines)
            best = min(best, time.process_time() - started)
        files = len(texts[0])
        characters = sum(len(line) for lines in texts[0] for line in lines)
        print(f"{len(texts)} lessons, {files} PDFs a lesson, {characters:,} characters of text in them")
        print(f"floor's method writing that text: {1000 * best / len(texts):.1f} ms of CPU a lesson")
        print(f"the build's worksheet writer (render_editions) on the same lessons: {1000 * cpu / len(texts):.1f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
