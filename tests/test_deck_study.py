"""The deck as a learner studies it, in the real Anki engine: dictionary forms, no question asked twice, hints that
tell near-synonyms apart, no answer on screen, joined explanations, positions Check Database accepts, audio and IPA."""

from __future__ import annotations

import html
import importlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ankiexport import speech
from ankiexport.analysis.lines import join_lines
from ankiexport.config import Settings
from ankiexport.model import Cloze, Lesson, Paragraph, Sentence, TermUse, Translation, VocabEntry
from ankiexport.speech import media_name
from ankiexport.writers.apkg import deck_bytes, new_card_position
from lesson_files import SAMPLE

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection
ImportAnkiPackageRequest = anki_collection.ImportAnkiPackageRequest
ImportAnkiPackageOptions = anki_collection.ImportAnkiPackageOptions

needs_audio = pytest.mark.skipif(not speech.available(), reason="the audio extra is not installed")


# ------------------------------------------------------------------------------------------------------- helpers


def import_bytes(col: Any, data: bytes, folder: Path, name: str = "deck.apkg") -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def text_of(rendered: str) -> str:
    body = re.sub(r"<style>.*?</style>", "", rendered, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def card_by(col: Any, search: str, ord_: int) -> Any:
    (note_id,) = col.find_notes(search)
    return next(card for card in col.get_note(note_id).cards() if card.ord == ord_)


# ----------------------------------------------------------------------------------------------- dictionary forms


def test_vocabulary_cards_teach_the_dictionary_form_and_show_the_article_form_in_use(
    collection: Any, sample: Lesson, tmp_path: Path
) -> None:
    import_bytes(collection, deck_bytes(sample, Settings())[0], tmp_path)
    recognition = card_by(collection, '"Term:capitalize on"', 0)
    front = recognition.question()
    assert '<div class="term-big">capitalize on</div>' in front
    assert '<b class="term">Capitalizing on</b> the remote nature' in front  # the article's form, in its sentence
    assert "/ˈkæpətəˌlaɪz ɑːn/" in text_of(front)  # IPA of the headword
    production = card_by(collection, '"Term:capitalize on"', 1)
    assert text_of(production.question()) == "~をうまく利用する、~に乗じる c_________ o_"  # hint from the headword
    assert "capitalize on /ˈkæpətəˌlaɪz ɑːn/" in text_of(production.answer())
    skyrocket = card_by(collection, '"Term:skyrocket"', 0)
    assert '<b class="term">skyrockets</b>' in skyrocket.question()


# ------------------------------------------------------------------------------------------- no repeated question


def _question(card: Any) -> tuple[str, str] | None:
    """What a card asks, as (context, hidden words): the front with every blank as ___, and the words behind the
    blank being asked; None for a card that hides nothing (recognition asks a meaning)."""
    front = card.question()
    blanks = re.findall(r'<span class="(?:cloze|blank)"[^>]*>.*?</span>', front)
    note = card.note()
    if card.note_type()["type"] == 1:  # cloze: the deletion this card hides
        number = card.ord + 1
        hidden = re.findall(rf"{{{{c{number}::(.*?)(?:::.*?)?}}}}", note["Text"])
        context = front
        for blank in blanks:
            context = context.replace(blank, "___")
        return text_of(context), " ".join(text_of(words).lower() for words in hidden)
    if card.template()["name"] == "Production":
        return text_of(front), text_of(note["Term"]).lower()
    return None


def _first_day(col: Any) -> list[Any]:
    """The new cards the scheduler shows on the first day, answering each as a learner would (Good)."""
    col.decks.select(col.decks.id_for_name(Settings().deck_name))
    seen: dict[int, Any] = {}
    for _ in range(1000):  # bounded: each new card needs a few answers to leave the learning steps
        card = col.sched.getCard()
        if card is None:
            break
        if card.type == 0:
            seen[card.id] = card
        col.sched.answerCard(card, 3)
    return list(seen.values())


def test_no_two_cards_of_the_first_day_ask_the_same_blank_in_the_same_context(
    collection: Any, sample: Lesson, tmp_path: Path
) -> None:
    import_bytes(collection, deck_bytes(sample, Settings())[0], tmp_path)
    # The learner takes all of the lesson on day one (new cards/day raised from Anki's 20).
    config = collection.decks.config_dict_for_deck_id(collection.decks.id_for_name("English News"))
    config["new"]["perDay"] = 9999
    collection.decks.save(config)
    first_day = _first_day(collection)
    assert len(first_day) == collection.card_count() == 37
    questions = [question for card in first_day if (question := _question(card)) is not None]
    assert len(questions) == 12 + 13  # 12 production cards, 13 cloze deletions
    assert len(set(questions)) == len(questions), [q for q in questions if questions.count(q) > 1]
    # "refine" is asked three times, each in another context: from its meaning, and in each of its two sentences.
    assert sorted(context[:30] for context, hidden in questions if hidden in ("refine", "refining")) == [
        "It involves tasks such as eval",
        "The job of an AI Trainer is cr",
        "~を洗練させる、~に磨きをかける r_____",
    ]


def test_the_card_design_of_the_previous_release_would_have_failed_this_check() -> None:
    # The check above is real: a production card that blanks the example sentence asks the cloze card's question.
    old_production = '<span class="blank">r_______</span>'
    cloze_front = '<span class="cloze" data-cloze="refining">[~を洗練させる]</span>'
    sentence = "The job is crucial for {} the capabilities."
    as_production = text_of(sentence.format(old_production).replace(old_production, "___"))
    as_cloze = text_of(sentence.format(cloze_front).replace(cloze_front, "___"))
    assert as_production == as_cloze


# ----------------------------------------------------------------------------------------- hints and answers


def test_near_synonyms_hints_add_the_first_letter(collection: Any, sample: Lesson, tmp_path: Path) -> None:
    import_bytes(collection, deck_bytes(sample, Settings())[0], tmp_path)
    fronts = [text_of(collection.get_card(cid).question()) for cid in collection.find_cards("card:Cloze")]
    assert any("[~を利用する · T…]" in front for front in fronts)  # tap into, in the title
    assert any("[~をうまく利用する · C…]" in front for front in fronts)  # capitalize on
    assert any("[極めて重要な]" in front for front in fronts)  # crucial has no near-synonym here: the gloss alone
    assert sum("·" in front for front in fronts) == 2


def test_no_card_shows_its_answer_on_the_review_screen(collection: Any, sample: Lesson, tmp_path: Path) -> None:
    # AnkiDroid shows the deck name above every card: the sample's title ("… Tap into Global Demand …") would
    # answer the tap-into cards there, so decks are named by date.
    import_bytes(collection, deck_bytes(sample, Settings())[0], tmp_path)
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        question = _question(card)
        screen = (collection.decks.name(card.did) + " " + text_of(card.question())).lower()
        if question is None:  # recognition: the answer is the gloss
            assert text_of(card.note()["Gloss"]).lower() not in screen
            continue
        context, hidden = question
        for word in hidden.split():
            assert word not in collection.decks.name(card.did).lower()
            assert word not in context.lower().replace(hidden, "").split(), (hidden, context)


# ------------------------------------------------------------------------------------------------- explanations


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("対義語は\nappreciating(価値が上がっている)です。", "対義語はappreciating(価値が上がっている)です。"),
        ("increase\ndramatically", "increase dramatically"),
        ("表す動詞。\nincrease dramaticallyや", "表す動詞。\nincrease dramaticallyや"),  # a sentence ended: kept
        ("意味です\nが、", "意味ですが、"),
        ("例:\n・tap into\n・capitalize on", "例:\n・tap into\n・capitalize on"),  # list items: kept
        ("一つ目。\n\n\n二つ目", "一つ目。\n二つ目"),  # paragraphs: one break
        ("  前後の空白  \n  ", "前後の空白"),
        ("", ""),
    ],
)
def test_explanations_join_hard_line_breaks_by_script(written: str, meant: str) -> None:
    assert join_lines(written) == meant
    assert join_lines(meant) == meant  # idempotent: joined text stays as it is


def test_the_sample_explanation_reads_as_written(collection: Any, sample: Lesson, tmp_path: Path) -> None:
    import_bytes(collection, deck_bytes(sample, Settings())[0], tmp_path)
    back = text_of(card_by(collection, '"Term:depreciate"', 0).answer())
    assert "対義語はappreciating(価値が上がっている)です。" in back


# ----------------------------------------------------------------------------------------------- new-card order


def _lesson(lesson_id: str, date: str | None, term: str) -> Lesson:
    sentence = f"People {term} every day."
    start = sentence.index(term)
    return Lesson(
        id=lesson_id,
        source=f"{lesson_id}.txt",
        title=f"Lesson {lesson_id}",
        date=date,
        article=(Paragraph(sentence, 2),),
        vocabulary=(VocabEntry(term, "訳", "", 5, term),),
        translation=Translation("課", (), 8),
        sentences=(Sentence(sentence, 0, 2, ""),),
        clozes=(Cloze(sentence, 0, (TermUse(0, ((start, start + len(term)),)),), f"{term}#1"),),
        revised=1_790_000_000,  # in the past: Check Database resets modification times that lie in the future
    )


def test_new_card_positions_survive_check_database_and_keep_lessons_in_date_order(
    collection: Any, tmp_path: Path
) -> None:
    lessons = [
        _lesson("2031-05-02-late", "2031-05-02", "travel"),
        _lesson("2026-11-28-ai", "2026-11-28", "refine"),
        _lesson("undated", None, "borrow"),
        _lesson("2026-12-05-next", "2026-12-05", "listen"),
        _lesson("2099-01-01-far", "2099-01-01", "wander"),
    ]
    for lesson in lessons:
        import_bytes(collection, deck_bytes(lesson, Settings())[0], tmp_path, f"{lesson.id}.apkg")
    rows = "select id, nid, did, due, mod, usn, type, queue from cards order by id"
    before = collection.db.all(rows)
    notes_before = collection.db.all("select id, mod, usn from notes order by id")
    assert max(row[3] for row in before) < 1_000_000
    message, ok = collection.fix_integrity()
    assert ok and "due number" not in message.lower() and message == "Database rebuilt and optimized."
    assert collection.db.all(rows) == before  # nothing repositioned, nothing stamped with a new time
    assert collection.db.all("select id, mod, usn from notes order by id") == notes_before
    dids = collection.db.list("select did from cards order by due, ord")
    order = list(dict.fromkeys(collection.decks.name(did) for did in dids))
    labels = ("undated", "2026-11-28", "2026-12-05", "2031-05-02", "2099-01-01")
    assert order == [f"English News::{label}" for label in labels]


def test_positions_stay_below_a_million_for_any_date() -> None:
    for date in (None, "1999-12-31", "2025-01-01", "2026-11-28", "2079-12-31", "2300-01-01", "not a date"):
        lesson = _lesson("x", date, "go")
        assert 0 <= new_card_position(lesson) <= 999_999 - 50
    assert new_card_position(_lesson("a", "2026-11-28", "go")) < new_card_position(_lesson("b", "2026-11-29", "go"))


# --------------------------------------------------------------------------------------------------------- audio


def _small_lesson() -> Lesson:
    """One sentence, two terms: three short texts to synthesise (about 1 s), the least a real audio test needs."""
    sentence = "Refining is crucial."
    return Lesson(
        id="2026-12-19-audio",
        source="audio.txt",
        title="Audio",
        date="2026-12-19",
        article=(Paragraph(sentence, 2),),
        vocabulary=(VocabEntry("refining", "~を洗練させる", "", 5, "refine"), VocabEntry("crucial", "重要な", "", 7)),
        translation=Translation("音声", ("洗練は重要だ。",), 9),
        sentences=(Sentence(sentence, 0, 2, "洗練は重要だ。"),),
        clozes=(Cloze(sentence, 0, (TermUse(0, ((0, 8),)), TermUse(1, ((12, 19),))), "refining#1|crucial#1"),),
        revised=1_800_000_000,
    )


@pytest.fixture(scope="session")
def audio_decks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The small lesson's deck with audio, built twice from two empty caches (so synthesised twice)."""
    if not speech.available():
        pytest.skip("the audio extra is not installed")
    folder = tmp_path_factory.mktemp("audio")
    first = deck_bytes(_small_lesson(), Settings(), folder / "cache-one")[0]
    second = deck_bytes(_small_lesson(), Settings(), folder / "cache-two")[0]
    return {"first": first, "second": second, "cache": folder / "cache-one"}


def _media(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        index = json.loads(archive.read("media"))
        return {name: archive.read(number) for number, name in index.items()}


@needs_audio
def test_audio_files_are_in_the_deck_named_by_content_and_decodable(audio_decks: dict[str, Any]) -> None:
    miniaudio = pytest.importorskip("miniaudio")
    media = _media(audio_decks["first"])
    assert len(media) == 3  # refine, crucial, the sentence
    for name, data in media.items():
        assert name == media_name(data)
        info = miniaudio.mp3_get_info(data)
        assert (info.nchannels, info.sample_rate) == (1, 22050) and 0.3 < info.duration < 4
    assert sum(len(data) for data in media.values()) < 30_000


@needs_audio
def test_audio_decks_are_identical_across_builds(audio_decks: dict[str, Any]) -> None:
    assert audio_decks["first"] == audio_decks["second"]  # synthesised afresh into another cache: the same bytes


@needs_audio
def test_a_warm_rebuild_synthesises_nothing(audio_decks: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str) -> bytes:
        raise AssertionError(f"synthesised {text!r} although it is cached")

    monkeypatch.setattr(importlib.import_module("ankiexport.speech.cache"), "synthesize", refuse)
    assert deck_bytes(_small_lesson(), Settings(), audio_decks["cache"])[0] == audio_decks["first"]


@needs_audio
def test_anki_plays_the_audio_on_the_answer_side_and_shows_ipa(
    audio_decks: dict[str, Any], collection: Any, tmp_path: Path
) -> None:
    import_bytes(collection, audio_decks["first"], tmp_path)
    media = _media(audio_decks["first"])
    assert sorted(Path(collection.media.dir()).iterdir()) == sorted(Path(collection.media.dir()) / n for n in media)
    recognition = card_by(collection, '"Term:refine"', 0)
    assert recognition.question_av_tags() == []  # the front asks the meaning; sound is on the answer side
    played = [tag.filename for tag in recognition.answer_av_tags()]
    assert len(played) == 2 and set(played) <= set(media)  # the headword, then the example sentence
    assert "/rəˈfaɪn/" in text_of(recognition.question())
    for card_id in collection.find_cards("card:Cloze"):
        tags = collection.get_card(card_id).answer_av_tags()
        assert [type(tag).__name__ for tag in tags] == ["SoundOrVideoTag"] and tags[0].filename in media


@needs_audio
def test_audio_on_the_front_of_recognition_cards_is_a_setting(
    audio_decks: dict[str, Any], collection: Any, tmp_path: Path
) -> None:
    data = deck_bytes(_small_lesson(), Settings(audio_front=True), audio_decks["cache"])[0]
    import_bytes(collection, data, tmp_path)
    recognition = card_by(collection, '"Term:refine"', 0)
    (term,) = recognition.question_av_tags()
    (sentence,) = recognition.answer_av_tags()  # the term was heard on the front; the answer adds the sentence
    assert term.filename != sentence.filename


def test_without_audio_the_cards_fall_back_to_anki_text_to_speech(collection: Any, tmp_path: Path) -> None:
    import_bytes(collection, deck_bytes(_small_lesson(), Settings())[0], tmp_path)
    recognition = card_by(collection, '"Term:refine"', 0)
    tags = recognition.answer_av_tags()
    assert [(type(tag).__name__, tag.field_text, tag.lang) for tag in tags] == [
        ("TTSTag", "refine", "en_US"),
        ("TTSTag", "Refining is crucial.", "en_US"),
    ]
    cloze = collection.get_card(collection.find_cards("card:Cloze")[0])
    assert [tag.field_text for tag in cloze.answer_av_tags()] == ["Refining is crucial."]


def test_a_build_without_the_audio_extra_says_once_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ankiexport.cli import main

    lessons = tmp_path / "lessons"
    lessons.mkdir()
    for name in ("2026-11-28-a.txt", "2026-12-05-b.txt"):
        (lessons / name).write_bytes(SAMPLE.read_bytes())
    monkeypatch.delenv("ANKIEXPORT_AUDIO")
    monkeypatch.setattr(speech, "available", lambda: False)
    result = CliRunner().invoke(main, ["build", str(lessons), "--out", str(tmp_path / "out"), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.count("pip install 'ankiexport[audio]'") == 1
    quiet = CliRunner().invoke(main, ["build", str(lessons), "--out", str(tmp_path / "out2"), "-j", "1", "--no-audio"])
    assert quiet.exit_code == 0 and "ankiexport[audio]" not in quiet.output
