"""The Anki deck writer, checked by importing its packages into fresh collections of the real Anki engine."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import itertools
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ankiexport.config import Settings
from ankiexport.errors import AnkiexportError, OutputError
from ankiexport.model import Cloze, Lesson, Paragraph, Sentence, TermUse, Translation, VocabEntry
from ankiexport.writers import anki_models, apkg
from ankiexport.writers.apkg import (
    NOTE_FORMAT_EPOCH,
    deck_name,
    escape,
    first_letter_hint,
    lesson_notes,
    tag,
    write_apkg,
    write_combined_apkg,
)
from lesson_files import FIXTURES, SAMPLE

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection
ImportAnkiPackageRequest = anki_collection.ImportAnkiPackageRequest
ImportAnkiPackageOptions = anki_collection.ImportAnkiPackageOptions


# Text Anki puts on a card instead of the content when a template or a cloze is broken.
TEMPLATE_ERRORS = (
    "template has a problem",
    "no field called",
    "add some cloze deletions",
    "front of this card is blank",
)


# ------------------------------------------------------------------------------------------------------- helpers


def _spans(sentence: str, *words: str) -> tuple[tuple[int, int], ...]:
    spans = []
    for word in words:
        start = sentence.index(word)
        spans.append((start, start + len(word)))
    return tuple(spans)


def make_lesson(
    *,
    lesson_id: str = "2026-12-05-test-lesson",
    title: str = "Test Lesson: The Yen",
    gloss: str = "勢いを増す、人気を得る",
    first_sentence: str = "A new role is gaining significant traction in Japan.",
    revised: int = 0,
) -> Lesson:
    """A small hand-built lesson: two terms, two cloze sentences (one with two terms), one term without example."""
    second = "The job is crucial, and the yen is depreciating against the dollar."
    vocabulary = (
        VocabEntry("gain traction", gloss, "tractionは「牽引力」。\nビジネスが軌道に乗ること。", 3),
        VocabEntry("crucial", "極めて重要な", "", 6),
        VocabEntry("depreciating", "価値が下落している", "通貨の価値が下がること。", 8),
        VocabEntry("hedge against", "~に対するリスク回避策(をとる)", "", 10),
    )
    sentences = (
        Sentence(first_sentence, 0, 2, "新しい職種が日本で大きな注目を集めている。"),
        Sentence(second, 0, 2, ""),
    )
    clozes = (
        Cloze(first_sentence, 0, (TermUse(0, _spans(first_sentence, "gaining", "traction")),), "gain traction#1"),
        Cloze(
            second,
            1,
            (TermUse(1, _spans(second, "crucial")), TermUse(2, _spans(second, "depreciating"))),
            "crucial#1|depreciating#1",
        ),
    )
    return Lesson(
        id=lesson_id,
        source=f"{lesson_id}.txt",
        title=title,
        date="2026-12-05",
        article=(Paragraph(first_sentence + " " + second, 2),),
        vocabulary=vocabulary,
        translation=Translation("テストの課", ("新しい職種が日本で大きな注目を集めている。",), 12),
        sentences=sentences,
        clozes=clozes,
        revised=revised,
    )


def make_hostile_lesson() -> Lesson:
    """Lesson text full of HTML and Anki syntax that must all show literally."""
    sentence = "<script>alert(1)</script> {{c2::y}} is gaining :: traction }} & [sound:evil.mp3] \\(x^2\\)."
    vocabulary = (
        VocabEntry("gain traction", "<img src=x onerror=alert(1)> & 勢い", "{{c1::x}} :: }} <b>bold & [$]x[/$]", 3),
        VocabEntry("<script>", "{{c3::スクリプト}}", "", 5),
    )
    return Lesson(
        id="2026-12-12 hostile lesson",
        source="hostile.txt",
        title="Title {{c1::t}} <b>bold</b>::Sub",
        date=None,
        article=(Paragraph(sentence, 2),),
        vocabulary=vocabulary,
        translation=Translation("<i>訳</i>", (), 8),
        sentences=(Sentence(sentence, 0, 2, "<i>訳</i> {{c1::訳}}"),),
        clozes=(Cloze(sentence, 0, (TermUse(0, _spans(sentence, "gaining", "traction")),), "gain traction#1"),),
    )


def expected_counts(lesson: Lesson) -> tuple[int, int]:
    clozes = [cloze for cloze in lesson.clozes if cloze.uses and all(use.spans for use in cloze.uses)]
    notes = len(lesson.vocabulary) + len(clozes)
    cards = 2 * len(lesson.vocabulary) + sum(len(cloze.uses) for cloze in clozes)
    return notes, cards


def import_package(col: Any, path: Path) -> dict[str, int]:
    """Import with Anki's default options (update notes and note types if newer), as a learner does."""
    request = ImportAnkiPackageRequest(package_path=str(path.resolve()), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    return {
        "new": len(log.new),
        "updated": len(log.updated),
        "duplicate": len(log.duplicate),
        "conflicting": len(log.conflicting),
    }


def build(lesson: Lesson, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{lesson.id}.apkg")
    write_apkg(lesson, path, Settings())
    return path


def review_state(col: Any) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in col.db.all("select id, nid, did, type, queue, ivl, due, reps, lapses, factor from cards order by id")
    ]


def review_one_card(col: Any) -> int:
    """Answer the first due card of our deck with Good, as a learner does; returns its card id."""
    col.decks.select(col.decks.id_for_name(Settings().deck_name))
    card = col.sched.getCard()
    assert card is not None
    col.sched.answerCard(card, 3)
    reviewed = col.get_card(card.id)
    assert reviewed.reps == 1
    return int(card.id)


def visible_text(rendered: str) -> str:
    """What a learner reads: the rendered HTML without the style block and tags, entities decoded."""
    body = re.sub(r"<style>.*?</style>", "", rendered, flags=re.DOTALL)
    body = re.sub(r"<br\s*/?>", "\n", body)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def check_rendering(col: Any, lesson: Lesson, *, show: bool = True) -> None:
    """Every card renders without template errors, front differs from back, and the gloss shows."""
    glosses = [" ".join(entry.gloss.split()) for entry in lesson.vocabulary]
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        question, answer = card.question(), card.answer()
        front, back = visible_text(question), visible_text(answer)
        for text in (question.lower(), answer.lower()):
            assert not any(error in text for error in TEMPLATE_ERRORS), text
        assert question != answer
        assert front.split() != back.split()
        flat_back = " ".join(back.split())
        assert any(gloss in flat_back for gloss in glosses), f"no gloss on the back of {card.template()['name']}"
        if show:
            kind = f"{card.note_type()['name']} / {card.template()['name']}"
            print(f"\n=== {kind}\n--- front:\n{' '.join(front.split())}\n--- back:\n{' '.join(back.split())}")


def load(path: Path) -> Lesson:
    from ankiexport.readers import load_lesson

    return load_lesson(path, Settings())


def fixture_lessons() -> list[Path]:
    # bad_* fixtures are the bad-input corpus: they never reach a writer.
    lessons = (p for p in FIXTURES.rglob("*") if p.suffix in (".txt", ".yaml", ".yml") and p.is_file())
    return sorted(p for p in lessons if not p.name.startswith("bad_"))


# ------------------------------------------------------------------------------------------- import and render


def test_hand_built_lesson_imports_with_expected_counts_and_renders(collection: Any, tmp_path: Path) -> None:
    lesson = make_lesson()
    path = build(lesson, tmp_path / "out")
    written = write_apkg(lesson, tmp_path / "again.apkg", Settings())
    assert (written.notes, written.cards) == expected_counts(lesson) == (6, 11)
    assert import_package(collection, path) == {"new": 6, "updated": 0, "duplicate": 0, "conflicting": 0}
    assert (collection.note_count(), collection.card_count()) == (6, 11)
    check_rendering(collection, lesson)
    assert Settings().deck_name + "::2026-12-05" in [d.name for d in collection.decks.all_names_and_ids()]


def test_production_card_asks_for_the_headword_from_its_gloss_alone(collection: Any, tmp_path: Path) -> None:
    # The sentence with the term blanked is the cloze card's question; the production card must not ask it again.
    import_package(collection, build(make_lesson(), tmp_path))
    (note_id,) = collection.find_notes('"Term:gain traction"')
    production = next(card for card in collection.get_note(note_id).cards() if card.ord == 1)
    front = " ".join(visible_text(production.question()).split())
    assert front == "勢いを増す、人気を得る g___ t_______"
    assert "gain traction" in visible_text(production.answer())
    recognition = next(card for card in collection.get_note(note_id).cards() if card.ord == 0)
    assert '<b class="term">gaining</b>' in recognition.question()


def test_cloze_card_shows_gloss_hint_and_back_has_translation_and_explanation(collection: Any, tmp_path: Path) -> None:
    import_package(collection, build(make_lesson(), tmp_path))
    (note_id,) = collection.find_notes('"note:ankiexport Cloze v2" gaining')
    (card,) = collection.get_note(note_id).cards()
    front, back = visible_text(card.question()), visible_text(card.answer())
    assert "[勢いを増す]" in front
    assert "gaining" not in front
    assert "新しい職種が日本で大きな注目を集めている。" in back
    assert "牽引力" in back
    assert "Test Lesson: The Yen" in back


def test_two_terms_in_one_sentence_make_two_cloze_cards(collection: Any, tmp_path: Path) -> None:
    import_package(collection, build(make_lesson(), tmp_path))
    (note_id,) = collection.find_notes('"note:ankiexport Cloze v2" crucial')
    cards = collection.get_note(note_id).cards()
    assert sorted(card.ord for card in cards) == [0, 1]


def test_tags_are_lesson_id_and_card_kind(collection: Any, tmp_path: Path) -> None:
    lesson = dataclasses.replace(make_lesson(), id="2026-12-05 my  lesson")
    import_package(collection, build(lesson, tmp_path, "x.apkg"))
    tags = {tuple(sorted(collection.get_note(nid).tags)) for nid in collection.find_notes("")}
    assert tags == {("2026-12-05_my_lesson", "vocabulary"), ("2026-12-05_my_lesson", "cloze")}
    assert tag(' a "b"::c ') == "a_b_:c"


def test_sample_lesson_imports_and_renders(collection: Any, tmp_path: Path) -> None:
    lesson = load(SAMPLE)
    path = build(lesson, tmp_path)
    written = write_apkg(lesson, tmp_path / "again.apkg", Settings())
    assert (written.notes, written.cards) == expected_counts(lesson)
    assert len(lesson.vocabulary) == 12
    assert import_package(collection, path)["new"] == written.notes
    assert (collection.note_count(), collection.card_count()) == expected_counts(lesson)
    check_rendering(collection, lesson)
    (note_id,) = collection.find_notes('"Term:gain traction"')
    production = next(card for card in collection.get_note(note_id).cards() if card.ord == 1)
    assert " ".join(visible_text(production.question()).split()) == "勢いを増す、人気を得る、軌道に乗る g___ t_______"


def test_editing_a_gloss_in_the_sample_lesson_file_updates_that_note_in_place(collection: Any, tmp_path: Path) -> None:
    original = load(SAMPLE)
    import_package(collection, build(dataclasses.replace(original, revised=1_800_000_000), tmp_path / "one"))
    review_one_card(collection)
    before = review_state(collection)
    notes = collection.note_count()

    edited = tmp_path / "edited" / SAMPLE.name
    edited.parent.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count("- 和訳: ドル建ての") == 1
    edited.write_text(text.replace("- 和訳: ドル建ての", "- 和訳: ドル建ての、米ドル表示の"), encoding="utf-8")
    fixed = dataclasses.replace(load(edited), revised=1_800_086_400)
    assert fixed.id == original.id
    result = import_package(collection, build(fixed, tmp_path / "two"))

    assert result["new"] == 0 and result["conflicting"] == 0 and result["updated"] == notes
    assert collection.note_count() == notes
    (note_id,) = collection.find_notes('"Term:dollar-denominated"')
    assert collection.get_note(note_id)["Gloss"] == "ドル建ての、米ドル表示の"
    assert review_state(collection) == before


@pytest.mark.parametrize("path", fixture_lessons(), ids=lambda p: p.name)
def test_fixture_lesson_imports_and_renders(path: Path, collection: Any, tmp_path: Path) -> None:
    try:
        lesson = load(path)
    except AnkiexportError:
        pytest.skip("not a buildable lesson (a bad-input fixture)")
    if not lesson.vocabulary:
        pytest.skip("no vocabulary: no notes to check")
    written = write_apkg(lesson, tmp_path / "deck.apkg", Settings())
    assert (written.notes, written.cards) == expected_counts(lesson)
    import_package(collection, tmp_path / "deck.apkg")
    assert (collection.note_count(), collection.card_count()) == expected_counts(lesson)
    check_rendering(collection, lesson, show=False)


# -------------------------------------------------------------------------------------------------- re-imports


def test_reimporting_the_same_package_changes_nothing(collection: Any, tmp_path: Path) -> None:
    path = build(make_lesson(), tmp_path)
    import_package(collection, path)
    review_one_card(collection)
    before = review_state(collection)
    assert import_package(collection, path) == {"new": 0, "updated": 0, "duplicate": 6, "conflicting": 0}
    assert review_state(collection) == before


def test_a_rebuilt_unchanged_lesson_reimports_as_duplicates(collection: Any, tmp_path: Path) -> None:
    lesson = make_lesson(revised=1_800_000_000)
    import_package(collection, build(lesson, tmp_path / "one"))
    review_one_card(collection)
    before = review_state(collection)
    assert import_package(collection, build(lesson, tmp_path / "two"))["duplicate"] == 6
    assert review_state(collection) == before


def test_a_gloss_fix_with_a_later_revision_updates_the_note_in_place(collection: Any, tmp_path: Path) -> None:
    lesson = make_lesson(revised=1_800_000_000)
    import_package(collection, build(lesson, tmp_path / "one"))
    reviewed = review_one_card(collection)
    before = review_state(collection)
    (note_id,) = collection.find_notes('"Term:gain traction"')

    fixed = make_lesson(gloss="勢いを増す、軌道に乗る", revised=1_800_086_400)
    result = import_package(collection, build(fixed, tmp_path / "two"))

    assert result["new"] == 0 and result["conflicting"] == 0 and result["updated"] >= 1
    assert collection.note_count() == 6 and collection.card_count() == 11
    assert collection.get_note(note_id)["Gloss"] == "勢いを増す、軌道に乗る"
    assert review_state(collection) == before
    assert collection.get_card(reviewed).reps == 1


def test_anki_keeps_the_package_mod_time_so_past_revision_times_work(
    collection: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real revision times are in the past. If Anki stamped imported notes with the import time, a later fix committed
    # before that moment would never arrive; it stores the package's time instead.
    from ankiexport.writers import apkg

    monkeypatch.setattr(apkg, "NOTE_FORMAT_EPOCH", 1_600_000_000)
    import_package(collection, build(make_lesson(revised=1_700_000_000), tmp_path / "one"))
    assert set(collection.db.list("select mod from notes")) == {1_700_000_000}
    fixed = make_lesson(gloss="勢いを増す、軌道に乗る", revised=1_700_000_100)
    assert import_package(collection, build(fixed, tmp_path / "two"))["updated"] == 6
    assert set(collection.db.list("select mod from notes")) == {1_700_000_100}


def test_a_changed_gloss_with_the_same_mod_time_is_ignored_by_anki(collection: Any, tmp_path: Path) -> None:
    # Why note mod times are designed at all: Anki treats an equal mod time as a duplicate, whatever the content.
    import_package(collection, build(make_lesson(revised=1_800_000_000), tmp_path / "one"))
    stale = make_lesson(gloss="勢いを増す、軌道に乗る", revised=1_800_000_000)
    assert import_package(collection, build(stale, tmp_path / "two"))["updated"] == 0
    (note_id,) = collection.find_notes('"Term:gain traction"')
    assert collection.get_note(note_id)["Gloss"] == "勢いを増す、人気を得る"


def test_a_cloze_sentence_typo_fix_updates_the_same_note(collection: Any, tmp_path: Path) -> None:
    typo = make_lesson(first_sentence="A new roel is gaining significant traction in Japan.", revised=1_800_000_000)
    import_package(collection, build(typo, tmp_path / "one"))
    review_one_card(collection)
    (note_id,) = collection.find_notes('"note:ankiexport Cloze v2" roel')
    before = review_state(collection)

    fixed = make_lesson(revised=1_800_086_400)
    result = import_package(collection, build(fixed, tmp_path / "two"))

    assert result["new"] == 0 and result["updated"] >= 1
    assert collection.find_notes("roel") == []
    assert "A new role is" in collection.get_note(note_id)["Text"]
    assert review_state(collection) == before


def test_guids_come_from_lesson_and_term_never_from_contents() -> None:
    guids = [note.guid for note in lesson_notes(make_lesson())]
    assert len(set(guids)) == len(guids)
    assert [note.guid for note in lesson_notes(make_lesson(gloss="別の訳", title="Another Title"))] == guids
    retyped = make_lesson(first_sentence="A new role is gaining traction in Japan today.")
    assert [note.guid for note in lesson_notes(retyped)] == guids
    assert not set(guids) & {note.guid for note in lesson_notes(make_lesson(lesson_id="2026-12-12-other"))}


def test_guids_never_change_between_releases() -> None:
    # Learners' collections hold these GUIDs: a change to how they are derived duplicates every note ever imported.
    notes = lesson_notes(make_lesson())
    assert (notes[0].kind, notes[0].guid) == ("vocabulary", "LXKzIeo93H")
    assert (notes[4].kind, notes[4].guid) == ("cloze", "p0.fU7Xd@l")
    width_fixed = dataclasses.replace(
        make_lesson(),
        vocabulary=(
            dataclasses.replace(make_lesson().vocabulary[0], term="Gain  ｔｒａｃｔｉｏｎ"),
            *make_lesson().vocabulary[1:],
        ),
    )
    assert lesson_notes(width_fixed)[0].guid == notes[0].guid


def test_note_mod_times_follow_the_lesson_revision_and_the_format_epoch(tmp_path: Path) -> None:
    def mods(lesson: Lesson) -> tuple[set[int], set[int]]:
        path = build(lesson, tmp_path / str(lesson.revised))
        with zipfile.ZipFile(path) as archive:
            (tmp_path / "db").write_bytes(archive.read("collection.anki2"))
        with sqlite3.connect(tmp_path / "db") as db:
            notes = {row[0] for row in db.execute("select mod from notes")}
            models = json.loads(db.execute("select models from col").fetchone()[0])
        return notes, {model["mod"] for model in models.values()}

    assert mods(make_lesson(revised=0)) == ({NOTE_FORMAT_EPOCH}, {NOTE_FORMAT_EPOCH})
    assert mods(make_lesson(revised=NOTE_FORMAT_EPOCH - 86_400)) == ({NOTE_FORMAT_EPOCH}, {NOTE_FORMAT_EPOCH})
    assert mods(make_lesson(revised=NOTE_FORMAT_EPOCH + 60)) == ({NOTE_FORMAT_EPOCH + 60}, {NOTE_FORMAT_EPOCH})


# --------------------------------------------------------------------------------------------- reproducibility


def test_building_twice_gives_identical_bytes_and_leaks_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    first = build(make_lesson(revised=1_800_000_000), tmp_path / "one").read_bytes()
    second = build(make_lesson(revised=1_800_000_000), tmp_path / "two").read_bytes()
    assert first == second
    assert list(scratch.iterdir()) == []
    with zipfile.ZipFile(tmp_path / "one" / "2026-12-05-test-lesson.apkg") as archive:
        assert archive.namelist() == ["collection.anki2", "media"]
        assert {info.date_time for info in archive.infolist()} == {(2020, 1, 1, 0, 0, 0)}


def test_the_package_does_not_record_the_local_sqlite_version(tmp_path: Path) -> None:
    with zipfile.ZipFile(build(make_lesson(), tmp_path)) as archive:
        header = archive.read("collection.anki2")[:100]
    assert header.startswith(b"SQLite format 3\x00")
    assert int.from_bytes(header[96:100], "big") == 3_037_002


def test_building_in_another_process_gives_identical_bytes(tmp_path: Path) -> None:
    # A fresh interpreter has another hash seed and clock: nothing in the package may depend on either.
    script = (
        "import sys; sys.path.insert(0, sys.argv[2]); from test_writer_apkg import make_lesson, build; "
        "from pathlib import Path; build(make_lesson(revised=1_800_000_000), Path(sys.argv[1]))"
    )
    here = build(make_lesson(revised=1_800_000_000), tmp_path / "here").read_bytes()
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "there"), str(Path(__file__).parent)], check=True)
    assert (tmp_path / "there" / "2026-12-05-test-lesson.apkg").read_bytes() == here


def test_a_write_error_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write the Anki deck"):
        write_apkg(make_lesson(), tmp_path / "missing" / "deck.apkg", Settings())


# ---------------------------------------------------------------------------------------------------- escaping


def test_html_and_anki_syntax_in_lesson_text_show_literally(collection: Any, tmp_path: Path) -> None:
    lesson = make_hostile_lesson()
    written = write_apkg(lesson, tmp_path / "hostile.apkg", Settings())
    assert import_package(collection, tmp_path / "hostile.apkg")["new"] == written.notes == 3
    # One real deletion in the sentence: the {{c2::…}} and {{c3::…}} of lesson text made no cards.
    assert collection.card_count() == written.cards == 5
    (cloze_note,) = collection.find_notes('"note:ankiexport Cloze v2"')
    assert [card.ord for card in collection.get_note(cloze_note).cards()] == [0]
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        for rendered in (card.question(), card.answer()):
            lowered = rendered.lower()
            assert "<script" not in lowered and "<img" not in lowered and "<i>" not in lowered
            assert "<b>bold" not in lowered
            assert not any(error in lowered for error in TEMPLATE_ERRORS)
        # No [sound:…] of lesson text plays: only the text-to-speech fallback of a deck built without audio.
        assert {type(tag).__name__ for tag in card.question_av_tags() + card.answer_av_tags()} <= {"TTSTag"}
        assert "tex2jax_ignore" in card.question() and "tex2jax_ignore" in card.answer()
        print(f"\n=== {card.template()['name']}\n{' '.join(visible_text(card.answer()).split())}")
    card = collection.get_card(collection.find_cards('"note:ankiexport Cloze v2"')[0])
    back = " ".join(visible_text(card.answer()).split())
    for literal in ("<script>alert(1)</script>", "{{c2::y}}", ":: traction }} &", "[sound:evil.mp3]", "{{c1::x}}"):
        assert literal in back
    assert "[勢い]" not in visible_text(card.question())  # the hint is the gloss's first alternative, escaped
    (vocab,) = collection.find_notes('"Term:gain traction"')
    recognition = collection.get_note(vocab).cards()[0]
    assert "<img src=x onerror=alert(1)> & 勢い" in visible_text(recognition.answer())
    assert deck_name(lesson, Settings()) == "English News::2026-12-12 hostile lesson"
    assert deck_name(dataclasses.replace(lesson, id="a::b:::c "), Settings()) == "English News::a:b:c"


def test_escape_makes_anki_syntax_inert() -> None:
    assert escape("{{c1::x}}") == "&#123;&#123;c1&#58;&#58;x&#125;&#125;"
    assert escape("<b>&</b>\n'\"") == "&lt;b&gt;&amp;&lt;/b&gt;<br>&#x27;&quot;"
    assert html.unescape(escape("[sound:a.mp3] \\(x\\)")) == "[sound:a.mp3] \\(x\\)"
    # Each character escape changes, alone and in text: the plain-text shortcut must not skip any of them.
    for char in "&<>\"'{}:[]\\\n":
        full = html.escape(char, quote=True).translate(apkg._ANKI_SYNTAX).replace("\n", "<br>")
        assert full != char and escape(char) == full and escape(f"急騰 {char} x") == f"急騰 {full} x"
    assert escape("急騰する、価格が急に上がること。 plain text") == "急騰する、価格が急に上がること。 plain text"


def test_malformed_clozes_from_the_analysis_are_left_out_not_written_broken() -> None:
    lesson = make_lesson()
    good = lesson.clozes[0]
    broken = (
        dataclasses.replace(good, uses=()),
        dataclasses.replace(good, uses=(TermUse(0, ()),)),
        dataclasses.replace(good, uses=(TermUse(9, ((2, 5),)),)),
        dataclasses.replace(good, uses=(TermUse(0, ((2, 500),)),)),
        dataclasses.replace(good, uses=(TermUse(0, ((2, 9),)), TermUse(1, ((5, 12),)))),
    )
    notes = lesson_notes(dataclasses.replace(lesson, clozes=(good, *broken)))
    assert [note.kind for note in notes].count("cloze") == 1


def test_first_letter_hint() -> None:
    assert first_letter_hint("gain traction") == "g___ t_______"
    assert first_letter_hint("Tap into") == "T__ i___"
    assert first_letter_hint("dollar-denominated") == "d_____-___________"
    assert first_letter_hint("it's") == "i_'_"


# -------------------------------------------------------------------------------------------------- combined deck


def test_combined_deck_and_per_lesson_deck_import_together_without_duplicates(collection: Any, tmp_path: Path) -> None:
    first = make_lesson(revised=1_800_000_000)
    second = dataclasses.replace(
        make_lesson(lesson_id="2026-12-12-second", title="Second Lesson", revised=1_800_000_000), date="2026-12-12"
    )
    import_package(collection, build(first, tmp_path))
    combined = tmp_path / "all.apkg"
    written = write_combined_apkg([second, first], combined, Settings())
    assert (written.notes, written.cards) == (12, 22)
    assert import_package(collection, combined) == {"new": 6, "updated": 0, "duplicate": 6, "conflicting": 0}
    assert import_package(collection, build(second, tmp_path)) == {
        "new": 0,
        "updated": 0,
        "duplicate": 6,
        "conflicting": 0,
    }
    assert (collection.note_count(), collection.card_count()) == (12, 22)
    names = {d.name for d in collection.decks.all_names_and_ids()}
    assert {"English News::2026-12-05", "English News::2026-12-12"} <= names
    again = tmp_path / "again.apkg"
    write_combined_apkg([first, second], again, Settings())
    assert again.read_bytes() == combined.read_bytes()


# ------------------------------------------------------------------------------------------ note type versioning

# Every note type version ever released: (kind, version) -> (id, fields). Append a row when you bump a version;
# never edit or delete a row (learners' collections hold those note types forever).
RELEASED_NOTE_TYPES: dict[tuple[str, int], tuple[int, tuple[str, ...]]] = {
    ("vocabulary", 1): (
        1_548_113_201,
        ("Term", "Gloss", "Explanation", "Example", "Blanked", "Hint", "Translation", "Lesson"),
    ),
    ("cloze", 1): (1_548_113_301, ("Text", "Explanation", "Translation", "Lesson")),
    ("vocabulary", 2): (
        1_548_113_202,
        (
            "Term",
            "IPA",
            "Gloss",
            "Explanation",
            "Example",
            "Hint",
            "Translation",
            "Lesson",
            "Audio",
            "ExampleAudio",
            "AudioOnFront",
        ),
    ),
    ("cloze", 2): (1_548_113_302, ("Text", "Explanation", "Translation", "Lesson", "Audio")),
}

# The rendering the current NOTE_FORMAT_EPOCH was set for. When this test fails because you changed what reaches a
# card (fields, templates, CSS), set NOTE_FORMAT_EPOCH in writers/apkg.py to `date +%s` and record both here.
RECORDED_FORMAT = (1_795_926_476, "1825977e3872f184")


def format_fingerprint() -> str:
    notes = lesson_notes(make_lesson()) + lesson_notes(make_hostile_lesson())
    rendered = json.dumps([[note.kind, note.guid, note.fields, note.tags, note.cards] for note in notes])
    return hashlib.sha256((rendered + anki_models.template_fingerprint()).encode()).hexdigest()[:16]


def test_field_rendering_changes_come_with_a_new_format_epoch() -> None:
    fingerprint = format_fingerprint()
    assert (NOTE_FORMAT_EPOCH, fingerprint) == RECORDED_FORMAT, (
        f"the card rendering is now {fingerprint!r}: bump NOTE_FORMAT_EPOCH and record the pair in RECORDED_FORMAT"
    )


def test_note_types_follow_the_versioning_policy() -> None:
    for spec, model in (
        (anki_models.VOCABULARY, anki_models.vocabulary_model()),
        (anki_models.CLOZE, anki_models.cloze_model()),
    ):
        assert (spec.kind, spec.version) in RELEASED_NOTE_TYPES, "a new note type version needs its row"
        assert RELEASED_NOTE_TYPES[(spec.kind, spec.version)] == (spec.id, spec.fields), (
            "fields changed without a version bump: bump the version (new id) and add a README migration note"
        )
        assert model.model_id == spec.id and [f["name"] for f in model.fields] == list(spec.fields)
        assert f"v{spec.version}" in spec.name
    ids = [row[0] for row in RELEASED_NOTE_TYPES.values()]
    assert len(set(ids)) == len(ids)
    import genanki

    builtin = {getattr(genanki, name).model_id for name in dir(genanki) if name.startswith(("BASIC", "CLOZE"))}
    assert not builtin & set(ids)


def test_a_new_note_type_version_keeps_old_notes_and_their_reviews(collection: Any, tmp_path: Path) -> None:
    # What a learner sees when a release bumps the vocabulary note type (measured with the real engine, documented in
    # the README): no duplicates, no "v1+" copies, old notes keep their history until the learner changes their note
    # type, after which one "Update notes: Always" import fills the new fields.
    import_package(collection, build(make_lesson(), tmp_path / "v1"))
    review_one_card(collection)
    before = review_state(collection)
    v1 = anki_models.VOCABULARY
    v2 = dataclasses.replace(v1, version=v1.version + 1, fields=(*v1.fields, "Extra"))
    with pytest.MonkeyPatch.context() as patch:
        from ankiexport.writers import apkg

        original = apkg.lesson_notes
        patch.setattr(anki_models, "VOCABULARY", v2)
        patch.setattr(
            apkg,
            "lesson_notes",
            lambda lesson, *args: [
                dataclasses.replace(n, fields=(*n.fields, "[extra]")) if n.kind == "vocabulary" else n
                for n in original(lesson, *args)
            ],
        )
        package = build(make_lesson(), tmp_path / "v2")

    result = import_package(collection, package)
    assert result["new"] == 0 and result["conflicting"] == 4
    assert review_state(collection) == before
    names = sorted(nt.name for nt in collection.models.all_names_and_ids() if nt.name.startswith("ankiexport"))
    assert names == [anki_models.CLOZE.name, v1.name, v2.name]

    # The migration: Browse → select the v1 notes → Notes → Change Note Type → v2 (fields and cards map by name).
    old_notes = list(collection.find_notes(f'"note:{v1.name}"'))
    info = collection.models.change_notetype_info(old_notetype_id=v1.id, new_notetype_id=v2.id)
    request = info.input
    request.note_ids.extend(old_notes)
    collection.models.change_notetype_of_notes(request)
    assert review_state(collection) == before
    # Changing the note type stamps the notes with the current time, later than the release's notes.
    assert import_package(collection, package)["updated"] == 0
    always = ImportAnkiPackageOptions(update_notes=1)  # IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS
    log = collection.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=always)).log
    assert len(log.new) == 0 and len(log.conflicting) == 0
    assert all(collection.get_note(nid)["Extra"] == "[extra]" for nid in old_notes)
    assert review_state(collection) == before


def test_a_format_epoch_bump_updates_notes_and_note_types_of_unchanged_lessons(
    collection: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ankiexport.writers import apkg

    lesson = make_lesson(revised=NOTE_FORMAT_EPOCH - 86_400)
    import_package(collection, build(lesson, tmp_path / "old"))
    review_one_card(collection)
    before = review_state(collection)
    monkeypatch.setattr(apkg, "NOTE_FORMAT_EPOCH", NOTE_FORMAT_EPOCH + 3_600)
    monkeypatch.setattr(anki_models, "CSS", anki_models.CSS + "\n.fixed { color: red; }\n")
    result = import_package(collection, build(lesson, tmp_path / "new"))
    assert result == {"new": 0, "updated": 6, "duplicate": 0, "conflicting": 0}
    assert ".fixed" in collection.models.get(anki_models.VOCABULARY.id)["css"]
    assert review_state(collection) == before


def test_a_renamed_lesson_title_keeps_its_deck(collection: Any, tmp_path: Path) -> None:
    # Decks are named by date, not title: a corrected title moves nothing, and never answers a card on screen.
    import_package(collection, build(make_lesson(revised=1_800_000_000), tmp_path / "one"))
    renamed = make_lesson(title="Renamed Lesson", revised=1_800_086_400)
    assert import_package(collection, build(renamed, tmp_path / "two"))["new"] == 0
    decks = {collection.decks.name(collection.get_card(cid).did) for cid in collection.find_cards("")}
    assert decks == {"English News::2026-12-05"}


def test_new_cards_queue_in_lesson_date_order_then_lesson_order(collection: Any, tmp_path: Path) -> None:
    later = dataclasses.replace(make_lesson(lesson_id="2026-12-12-later", title="Later"), date="2026-12-12")
    import_package(collection, build(later, tmp_path))
    import_package(collection, build(make_lesson(), tmp_path))
    rows = collection.db.all(
        "select n.sfld, c.due, c.did from cards c join notes n on n.id = c.nid where c.ord = 0 order by c.due, c.id"
    )
    decks = [collection.decks.name(did) for _, _, did in rows]
    assert decks == ["English News::2026-12-05"] * 6 + ["English News::2026-12-12"] * 6
    assert [sfld for sfld, _, _ in rows[:4]] == ["gain traction", "crucial", "depreciating", "hedge against"]


def test_the_collection_holds_what_genanki_itself_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """write_collection writes genanki's rows and JSON without genanki's per-deck and per-note overheads."""
    import genanki

    from ankiexport.writers import anki_collection

    lesson = load(SAMPLE)
    models = {"vocabulary": anki_models.vocabulary_model(), "cloze": anki_models.cloze_model()}

    def decks() -> list[genanki.Deck]:
        made = []
        for number, one in enumerate((lesson, dataclasses.replace(lesson, id="another lesson"))):
            deck = genanki.Deck(1000 + number, f"Deck {number}")
            for due, data in enumerate(lesson_notes(one)):
                fields, tags = list(data.fields), list(data.tags)
                deck.add_note(genanki.Note(models[data.kind], fields, tags=tags, guid=data.guid, due=due))
            made.append(deck)
        return made

    def collection(write: Any) -> sqlite3.Connection:
        connection = sqlite3.connect(":memory:")
        write(connection.cursor(), decks(), 1_700_000_000, itertools.count(5_000))
        connection.commit()
        return connection

    def rows(connection: sqlite3.Connection) -> list[object]:
        tables = [connection.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("notes", "cards")]
        decks_json, models_json = connection.execute("SELECT decks, models FROM col").fetchone()
        return [*tables, json.loads(decks_json), json.loads(models_json)]

    ours = collection(anki_collection.write_collection)
    theirs = collection(lambda cursor, d, stamp, ids: genanki.Package(d).write_to_db(cursor, stamp, ids))
    assert len(rows(ours)[1]) > 50 and rows(ours) == rows(theirs)

    def genanki_notes(cursor: sqlite3.Cursor, deck: genanki.Deck, stamp: int, ids: Any) -> None:
        for note in deck.notes:
            note.write_to_db(cursor, stamp, deck.deck_id, ids)

    monkeypatch.setattr(anki_collection, "_write_notes", genanki_notes)
    assert ours.serialize() == collection(anki_collection.write_collection).serialize()  # the same file, byte for byte
