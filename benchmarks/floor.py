"""The floor to beat: a throwaway single-process script that puts each lesson's lines straight into genanki notes
and a reportlab PDF with one embedded Japanese font, with no parsing, matching or layout."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import BinaryIO

import genanki
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent.parent
MODEL = genanki.Model(
    1607392319,
    "floor",
    fields=[{"name": "Line"}, {"name": "Number"}],
    templates=[{"name": "Card", "qfmt": "{{Line}}", "afmt": "{{FrontSide}}<hr>{{Number}}"}],
)


def build(lessons: list[Path], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    pdfmetrics.registerFont(TTFont("IPAexGothic", str(ROOT / "fonts" / "ipaexg.ttf")))
    for path in lessons:
        lines = [line for line in path.read_text("utf-8").splitlines() if line.strip()]
        deck_id = int(hashlib.sha256(path.stem.encode()).hexdigest()[:8], 16)
        deck = genanki.Deck(deck_id, path.stem)
        for number, line in enumerate(lines):
            deck.add_note(genanki.Note(model=MODEL, fields=[line, str(number)]))
        genanki.Package(deck).write_to_file(str(out / f"{path.stem}.apkg"))
        write_pdf(str(out / f"{path.stem}.pdf"), [line[:80] for line in lines])


def write_pdf(target: str | BinaryIO, lines: list[str]) -> None:
    """``lines`` into a PDF, a ``drawString`` each in the one registered Japanese font, no layout."""
    pdf = canvas.Canvas(target, pagesize=A4)
    pdf.setFont("IPAexGothic", 9)
    y = 800.0
    for line in lines:
        pdf.drawString(40, y, line)
        y -= 12
        if y < 40:
            pdf.showPage()
            pdf.setFont("IPAexGothic", 9)
            y = 800.0
    pdf.save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lessons", type=Path)
    parser.add_argument("out", type=Path)
    arguments = parser.parse_args()
    build(sorted(arguments.lessons.glob("*.txt")), arguments.out)


if __name__ == "__main__":
    main()
