"""Lessons near the 1 MB limit: what bounds their cost, checked structurally (speed and memory are measured in
benchmarks/large_lessons.py, never timed here)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from ankiexport.config import Settings
from ankiexport.readers import load_lesson
from ankiexport.writers.apkg import SENTENCE_AUDIO_LIMIT, lesson_notes, voiced_sentences
from ankiexport.writers.site_page import ARTICLE_AUDIO_LIMIT
from lesson_files import SAMPLE


def _lesson_file(folder: Path, extra_sentences: int) -> Path:
    """The sample with ``extra_sentences`` more article lines, each a distinct sentence that uses a term."""
    lines = SAMPLE.read_text("utf-8").splitlines()
    extra = [
        f"In week {n}, many small firms tap into the global demand for skilled remote workers, analysts said."
        for n in range(extra_sentences)
    ]
    path = folder / "long.txt"
    path.write_text("\n".join([lines[0], *extra, *lines[1:]]) + "\n", "utf-8")
    return path


def test_the_deck_and_the_article_share_one_audio_bound() -> None:
    assert SENTENCE_AUDIO_LIMIT == ARTICLE_AUDIO_LIMIT == 20_000


def test_deck_sentence_audio_stops_at_the_limit_in_lesson_order(tmp_path: Path) -> None:
    """Every headword is spoken; the cards' sentences only up to SENTENCE_AUDIO_LIMIT characters, the first ones in
    lesson order, and the notes past it have no sentence audio (Anki's text-to-speech reads them)."""
    lesson = load_lesson(_lesson_file(tmp_path, 300), Settings())
    asked: list[str] = []

    def sound(text: str) -> str:
        asked.append(text)
        return f"[sound:clip-{len(asked)}.mp3]"

    notes = lesson_notes(lesson, sound)
    headwords = {entry.headword or entry.term for entry in lesson.vocabulary}
    sentences = list(dict.fromkeys(cloze.sentence for cloze in lesson.clozes))
    spoken = [text for text in dict.fromkeys(asked) if text not in headwords]
    assert headwords <= set(asked)
    assert sum(map(len, sentences)) > SENTENCE_AUDIO_LIMIT  # the lesson is over the bound
    assert spoken == sentences[: len(spoken)]
    assert sum(map(len, spoken)) <= SENTENCE_AUDIO_LIMIT < sum(map(len, sentences[: len(spoken) + 1]))
    assert set(spoken) == voiced_sentences(lesson)[0]
    clozes = [note for note in notes if note.kind == "cloze"]
    silent = [note for note in clozes if not note.fields[-1]]
    assert silent and len(silent) == len(clozes) - sum(1 for note in clozes if note.fields[-1].startswith("[sound:"))


@pytest.mark.parametrize("long", [False, True])
def test_deck_audio_past_the_limit_is_warned_once_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, long: bool
) -> None:
    from click.testing import CliRunner

    from ankiexport import speech
    from ankiexport.cli import main

    spoken: list[str] = []

    def clip(self: object, text: str) -> bytes:
        spoken.append(text)
        return b"clip:" + text.encode()

    monkeypatch.delenv("ANKIEXPORT_AUDIO", raising=False)
    monkeypatch.setattr(speech, "available", lambda: True)
    monkeypatch.setattr(speech.SpeechCache, "mp3", clip)
    lesson = _lesson_file(tmp_path, 300 if long else 0)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(lesson), "--out", str(out), "--format", "apkg"])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if "sentence audio in the deck" in line]
    voiced = voiced_sentences(load_lesson(lesson, Settings()))[0]
    assert voiced <= set(spoken)
    assert sum(len(text) for text in set(spoken) if text.count(" ") > 5) <= SENTENCE_AUDIO_LIMIT
    with zipfile.ZipFile(io.BytesIO((out / "long.apkg").read_bytes())) as package:
        media = json.loads(package.read("media"))
    assert len(media) == len(set(spoken))  # the package carries exactly the clips it spoke
    if long:
        assert len(warned) == 1 and warned[0].startswith(f"{lesson}: warning: ") and "20,000" in warned[0]
    else:
        assert warned == []


def test_pdf_pages_are_kept_compressed_and_drawn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """What keeps a long lesson's worksheets small in memory: every finished page of every edition is held as its
    compressed stream (not its operators), and the teacher edition keeps no page for the student editions, which
    get each page as it is finished."""
    import dataclasses

    from ankiexport.writers import pdf_edition
    from ankiexport.writers.pdf import render_editions

    saved: list[pdf_edition.EditionCanvas] = []
    save = pdf_edition.EditionCanvas.save

    def keep(canvas: pdf_edition.EditionCanvas) -> None:
        saved.append(canvas)
        save(canvas)

    monkeypatch.setattr(pdf_edition.EditionCanvas, "save", keep)
    editions = render_editions(load_lesson(SAMPLE, Settings()), Settings())
    pages = [page for canvas in saved for page in canvas._doc.Pages.pages]
    assert len(saved) == 4  # the teacher edition, its two student editions, the reading handout
    assert len(pages) == editions.teacher_pages + sum(n for _, _, n in editions.handouts) + editions.reading_pages
    assert all(page.stream is None and isinstance(page.Contents, pdf_edition._CompressedStream) for page in pages)
    assert [field.name for field in dataclasses.fields(pdf_edition.RecordedPage)] == ["handout", "lowest"]


def test_a_long_lessons_paragraphs_are_made_as_the_layout_reaches_them(tmp_path: Path) -> None:
    """Memory: the gap-fill, its key and the reading handout's article are made paragraph by paragraph as the layout
    reaches them and dropped once drawn, so a long lesson never holds all its paragraphs at once."""
    import weakref

    from ankiexport.writers import pdf_text
    from ankiexport.writers.pdf import render_editions

    lines = SAMPLE.read_text("utf-8").splitlines()
    vocabulary = lines[next(i for i, line in enumerate(lines) if line.startswith("■ Vocab")) :]
    article = [f"Prices rose {n % 97} points in Tokyo." for n in range(1500)]
    path = tmp_path / "long.txt"  # no gap-fill block: one is generated, a paragraph per line
    path.write_text("\n".join([lines[0], *article, *vocabulary]) + "\n", "utf-8")
    lesson = load_lesson(path, Settings())
    alive: weakref.WeakSet[pdf_text.RichText] = weakref.WeakSet()
    most = [0]
    made = pdf_text.RichText.__init__
    drawn = pdf_text.RichText.draw

    def making(self: pdf_text.RichText, *args: object, **kwargs: object) -> None:
        made(self, *args, **kwargs)  # type: ignore[arg-type]
        alive.add(self)

    def drawing(self: pdf_text.RichText) -> None:
        most[0] = max(most[0], len(alive))
        drawn(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_text.RichText, "__init__", making)
        patch.setattr(pdf_text.RichText, "draw", drawing)
        editions = render_editions(lesson, Settings())
    assert editions.reading_pages > 20 and editions.teacher_pages > 60  # 1500 paragraphs in each
    assert 0 < most[0] < 200
    # An article longer than a page starts on the first page, under its heading (kept together, it left it empty).
    assert editions.reading is not None
    first_page = PdfReader(io.BytesIO(editions.reading)).pages[0].extract_text()
    assert "Reading" in first_page and "Prices rose 0 points in Tokyo." in first_page


def test_a_story_takes_and_puts_back_at_its_front_as_a_list_does() -> None:
    """The operations reportlab's document template does on its flowable list give the same as on a list."""
    from ankiexport.writers.pdf_story import Lazy, Story

    made: list[int] = []

    def make(item: int) -> str:
        made.append(item)
        return f"p{item}"

    story = Story(["a", Lazy(range(100), make), "b"])
    plain = ["a", *(f"p{n}" for n in range(100)), "b"]
    assert len(story) == len(plain) == 102 and made == []
    for operations in range(40):
        assert story[0] == plain[0] and story[3] == plain[3] and story[:4] == plain[:4]
        if operations % 5 == 0:
            story.insert(0, "x")
            plain.insert(0, "x")
        elif operations % 5 == 1:
            story[0:0] = ["y", "z"]
            plain[0:0] = ["y", "z"]
        elif operations % 5 == 2:
            del story[:2]
            del plain[:2]
        else:
            del story[0]
            del plain[0]
        assert len(story) == len(plain)
    assert max(made) < 60  # made only as far as asked for
    rest = []
    while len(story):
        rest.append(story[0])
        del story[0]
    assert rest == plain
    with pytest.raises(TypeError):
        story.insert(1, "x")


def test_long_numbers_in_paragraph_labels_never_print_over_the_text() -> None:
    """A long lesson numbers its gap-fill paragraphs (and the key's ¶ labels) past 10,000: the hanging indent
    grows with the widest label instead of printing "12345" over the paragraph's first letters."""
    import dataclasses
    import itertools

    from ankiexport.writers.pdf import render_editions
    from test_writer_pdf import _glyph_boxes

    lesson = load_lesson(SAMPLE, Settings())
    assert lesson.exercise is not None
    numbered = dataclasses.replace(lesson.exercise, paragraphs=((),) * 12_340 + lesson.exercise.paragraphs)
    editions = render_editions(dataclasses.replace(lesson, exercise=numbered), Settings())
    for data in (editions.teacher, dict((s, d) for s, d, _ in editions.handouts)["-gapfill"]):
        boxes = sorted(_glyph_boxes(data))
        for before, after in itertools.pairwise(boxes):
            if before[:2] == after[:2]:
                assert after[2] >= before[3] - 0.01, (before, after)
    assert "12345" in PdfReader(io.BytesIO(editions.teacher)).pages[-1].extract_text()


def test_headword_audio_stops_at_its_limit_in_lesson_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A term takes ~0.1 s to speak: a lesson of 17,000 terms was half an hour of synthesis. Headwords get clips up
    to HEADWORD_AUDIO_LIMIT characters, the first in lesson order; the rest use Anki's text-to-speech and have no
    player on the page, and each format says so once, naming the file."""
    from click.testing import CliRunner

    from ankiexport import speech
    from ankiexport.cli import main
    from ankiexport.writers import HEADWORD_AUDIO_LIMIT, voiced_terms

    spoken: list[str] = []
    monkeypatch.delenv("ANKIEXPORT_AUDIO", raising=False)
    monkeypatch.setattr(speech, "available", lambda: True)
    monkeypatch.setattr(speech.SpeechCache, "mp3", lambda self, text: spoken.append(text) or b"clip:" + text.encode())
    entries = "".join(f"- termnumber{n:03d}\n- 和訳: いみ{n}\n" for n in range(400))  # 13 characters each
    lesson_file = tmp_path / "terms.txt"
    lesson_file.write_text(f"Many Terms\nPrices rose.\n■ Vocabulary\n{entries}■ 和訳\n語\n語。\n", "utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", str(lesson_file), "--out", str(out), "--format", "apkg", "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    lesson = load_lesson(lesson_file, Settings())
    voiced = voiced_terms(lesson)[0]
    assert voiced == frozenset(range(HEADWORD_AUDIO_LIMIT // 13)) == frozenset(range(230))  # a prefix that fits
    assert {text for text in spoken if text.startswith("termnumber")} == {f"termnumber{n:03d}" for n in voiced}
    warned = [line for line in result.output.splitlines() if "pronunciation audio for the first" in line]
    assert len(warned) == 2 and all(line.startswith(f"{lesson_file}: warning: ") for line in warned)  # deck, page
    assert "230 of its 400 terms" in warned[0] and "3,000" in warned[0]
    page = (out / "terms.html").read_text("utf-8")
    assert "terms-term-230.mp3" in page and "terms-term-231.mp3" not in page
    notes = lesson_notes(lesson, lambda text: f"[sound:{text}.mp3]")
    clips = [note.fields for note in notes if note.kind == "vocabulary"]
    assert "[sound:termnumber229.mp3]" in clips[229] and "[sound:termnumber230.mp3]" not in clips[230]
