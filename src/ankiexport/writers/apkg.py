"""The Anki deck writer: a lesson (or every lesson) as a reproducible .apkg that re-imports as an in-place update."""

from __future__ import annotations

import datetime
import hashlib
import html
import io
import itertools
import json
import re
import sqlite3
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import genanki

from ..analysis.clozes import cloze_hints, cloze_markup
from ..analysis.lines import join_lines
from ..cache import keep
from ..config import Settings
from ..errors import OutputError, os_reason
from ..model import Cloze, Lesson, VocabEntry, term_identity
from ..speech import ipa
from . import AUDIO_TEXT_LIMIT, DECK_PARTS, Written, fitting, voiced_terms
from .anki_collection import write_collection
from .anki_media import Media, Sound, no_sound, placeholder_sound
from .anki_models import CLOZE, VOCABULARY, cloze_model, vocabulary_model

# Anki's default import ("update notes if newer") updates a note only when the package's note modification time is
# later than the learner's copy; equal times count as duplicates. A note's mod is therefore
# max(time its content last changed, NOTE_FORMAT_EPOCH): the build finds that time in the lesson file's git history
# (lesson.note_revised), else uses the lesson's revision time; it moves when the note changes and stays put otherwise
# (so a learner's own edit to a note is not overwritten by a fix to another note of the lesson). Bump this
# constant to the current Unix time (`date +%s`) whenever what this module or anki_models renders into notes changes,
# so a tool fix reaches learners whose lessons did not change; it is also the note types' modification time, so
# template and CSS changes update the learner's note types. tests/test_writer_apkg.py pins it to a fingerprint of the
# rendering and fails until it is bumped.
NOTE_FORMAT_EPOCH = 1_795_926_476  # 2026-11-29: note types v2 (headwords, IPA, audio), production without sentence

# Sentence audio per lesson, in characters: the article MP3's bound (ARTICLE_AUDIO_LIMIT); see voiced_sentences.
SENTENCE_AUDIO_LIMIT = AUDIO_TEXT_LIMIT

# New-card positions: Anki's Check Database rewrites any position >= 1,000,000 (to 1,000,000 + due % 1,000,000, with
# new modification times that then sync), which scrambled lesson order. So a lesson's notes take positions
# day * _POSITIONS_PER_DAY + index, days counted from _FIRST_DAY: lessons stay in date order up to 2079 (later dates
# share the last day), and a lesson of more than _POSITIONS_PER_DAY notes runs into the next day's positions only.
_FIRST_DAY = datetime.date(2025, 1, 1)
_POSITIONS_PER_DAY = 50
_LAST_POSITION = 999_999

_SQLITE_VERSION_STAMP = 3_037_002  # SQLite 3.37.2, an arbitrary fixed release

# Fixed zip entry date: the current time would make every build differ.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)

# Beyond HTML's specials, entity-escape what Anki itself parses in field text: cloze syntax ({{c1::…}}, ::, }}),
# sound/LaTeX tags ([sound:…], [latex], [$]) and MathJax's backslash delimiters. The entities render as the
# characters, but Anki's parsers only ever see our own markup.
_ANKI_SYNTAX = str.maketrans({"{": "&#123;", "}": "&#125;", ":": "&#58;", "[": "&#91;", "]": "&#93;", "\\": "&#92;"})


_SPECIAL = re.compile(r"[&<>\"'{}:\[\]\\\n]")  # every character ``escape`` changes


def escape(text: str) -> str:
    """Lesson text as inert HTML: shown literally on the card, never parsed as markup or Anki syntax."""
    if _SPECIAL.search(text) is None:  # most field text (glosses, most sentences): one scan instead of seven
        return text
    return html.escape(text, quote=True).translate(_ANKI_SYNTAX).replace("\n", "<br>")


def note_mods(lesson: Lesson) -> Callable[[str], int]:
    """The modification time of each note of ``lesson``, by GUID (see NOTE_FORMAT_EPOCH)."""
    changed = dict(lesson.note_revised)
    return lambda guid: max(changed.get(guid, lesson.revised), NOTE_FORMAT_EPOCH)


def note_contents(lesson: Lesson, settings: Settings | None = None) -> dict[str, str]:
    """A hash of what each note of ``lesson`` holds, by GUID: equal hashes mean a learner would see the same note.

    Audio stands in as a tag named from its text (what decides the audio), so earlier revisions of a lesson can be
    compared without synthesising their sentences.
    """
    settings = settings or Settings()
    sound = placeholder_sound if settings.audio else no_sound
    return {
        note.guid: hashlib.sha256(repr((note.kind, note.fields, note.tags)).encode("utf-8")).hexdigest()
        for note in lesson_notes(lesson, sound, settings.audio_front)
    }


def new_card_position(lesson: Lesson) -> int:
    """Where the lesson's first new card queues: lessons in date order (undated ones first), then lesson order."""
    # Anki keeps a package's new-card positions; without them every card is position 0 and lessons interleave.
    try:
        days = (datetime.date.fromisoformat(lesson.date) - _FIRST_DAY).days if lesson.date else 0
    except ValueError:
        days = 0
    last_day = _LAST_POSITION // _POSITIONS_PER_DAY - 1
    return min(max(days, 0), last_day) * _POSITIONS_PER_DAY


def deck_id(lesson_id: str) -> int:
    """A stable deck id from the lesson id (Anki matches decks by name on import; the id only has to be stable)."""
    digest = hashlib.sha256(f"ankiexport deck\x00{lesson_id}".encode()).digest()
    return (1 << 40) + int.from_bytes(digest[:8], "big") % (1 << 40)


def deck_name(lesson: Lesson, settings: Settings) -> str:
    """``<deck name>::<lesson date>`` (``::<lesson id>`` when undated).

    Not the title: AnkiDroid shows the deck name on every review screen, and a title that uses a term (the sample's
    "… Tap into Global Demand …") would answer that term's cards. Dates also sort the deck list by week.
    """
    parent = " ".join(settings.deck_name.split()).strip(": ") or Settings().deck_name
    return f"{parent}::{_lesson_label(lesson)}"


def _lesson_label(lesson: Lesson) -> str:
    try:
        return datetime.date.fromisoformat(lesson.date or "").isoformat()
    except ValueError:
        label = re.sub(r":{2,}", ":", " ".join(lesson.id.split())).strip(": ")
        return label or "lesson"


def tag(text: str) -> str:
    """``text`` as one Anki tag: tags are space-separated and Anki drops quotes and empty ``::`` components."""
    cleaned = re.sub(r'[\s"]+', "_", text.strip())
    cleaned = re.sub(r":{2,}", ":", cleaned).strip(":")
    return cleaned or "lesson"


def first_letter_hint(text: str) -> str:
    """Every word reduced to its first letter and one underscore per further letter: ``g___ t_______``."""
    out: list[str] = []
    seen_letter = False
    for char in text:
        if char.isspace():
            seen_letter = False
            out.append(" ")
        elif char.isalnum():
            out.append("_" if seen_letter else char)
            seen_letter = True
        else:
            out.append(char)
    return "".join(out)


# --------------------------------------------------------------------------------------------------------- notes


@dataclass(frozen=True)
class NoteData:
    """One note as plain data: what the writer puts in the package (kept free of genanki for tests and counts)."""

    kind: str  # "vocabulary" or "cloze"
    guid: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    cards: int


def _example_for(lesson: Lesson) -> dict[int, Cloze]:
    """Vocabulary entry index → the cloze that shows it in use: its first article sentence, else the title."""
    examples: dict[int, Cloze] = {}
    for cloze in sorted(lesson.clozes, key=lambda cloze: cloze.index is None):
        for use in cloze.uses:
            examples.setdefault(use.entry, cloze)
    return examples


def _mark_spans(sentence: str, spans: Sequence[tuple[int, int]], mark: str) -> str:
    """The sentence escaped, with each span replaced by ``mark`` applied to its escaped words."""
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        if start < position or end > len(sentence):
            continue  # overlapping or out-of-range spans are the analysis's bug; never crash the deck on them
        pieces.append(escape(sentence[position:start]))
        pieces.append(
            mark.format(words=escape(sentence[start:end]), hint=escape(first_letter_hint(sentence[start:end])))
        )
        position = end
    pieces.append(escape(sentence[position:]))
    return "".join(pieces)


def _cloze_translation(lesson: Lesson, cloze: Cloze) -> str:
    if cloze.index is None:
        return lesson.translation.title if lesson.translation else ""
    if 0 <= cloze.index < len(lesson.sentences):
        return lesson.sentences[cloze.index].translation
    return ""


def _well_formed(cloze: Cloze, entries: int) -> bool:
    """Every use names an entry and has spans; all spans lie in the sentence and none overlap (deletions can't nest)."""
    if not cloze.uses or any(not use.spans or not 0 <= use.entry < entries for use in cloze.uses):
        return False
    spans = sorted(span for use in cloze.uses for span in use.spans)
    if any(not 0 <= start < end <= len(cloze.sentence) for start, end in spans):
        return False
    return all(previous[1] <= current[0] for previous, current in itertools.pairwise(spans))


def _headword(entry: VocabEntry) -> str:
    return entry.headword or entry.term


def _ipa(entry: VocabEntry) -> str:
    return entry.ipa or ipa(_headword(entry))  # hand-made entries (tests, other tools) have no IPA yet


def _entry_block(entry: VocabEntry) -> str:
    """A term on a cloze card's back: dictionary form, IPA, gloss and explanation."""
    pronunciation = _ipa(entry)
    parts = [f'<div class="entry"><span class="term">{escape(_headword(entry))}</span> ']
    if pronunciation:
        parts.append(f'<span class="ipa">/{escape(pronunciation)}/</span> ')
    parts.append(f'<span class="gloss" lang="ja">{escape(entry.gloss)}</span>')
    if entry.explanation:
        parts.append(f'<div class="explanation" lang="ja">{escape(join_lines(entry.explanation))}</div>')
    parts.append("</div>")
    return "".join(parts)


class _Guids:
    """GUIDs from what a note is about, never its contents; a repeated identity (a duplicate term the reader let
    through) gets an occurrence number so that no note silently replaces another."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, *identity: str) -> str:
        guid = str(genanki.guid_for("ankiexport", *identity))
        for occurrence in itertools.count(2):
            if guid not in self.used:
                break
            guid = str(genanki.guid_for("ankiexport", *identity, str(occurrence)))
        self.used.add(guid)
        return guid


def _vocabulary_fields(
    lesson: Lesson, index: int, example: Cloze | None, sound: Sound, say_sentence: Sound, front: bool
) -> tuple[str, ...]:
    entry = lesson.vocabulary[index]
    headword = _headword(entry)
    sentence = translation = sentence_sound = ""
    if example is not None:
        spans = next(use.spans for use in example.uses if use.entry == index)
        sentence = _mark_spans(example.sentence, spans, '<b class="term">{words}</b>')
        translation = escape(_cloze_translation(lesson, example))
        sentence_sound = say_sentence(example.sentence)
    return (
        escape(headword),
        escape(_ipa(entry)),
        escape(entry.gloss),
        escape(join_lines(entry.explanation)),
        sentence,
        escape(first_letter_hint(headword)),
        translation,
        escape(lesson.title),
        sound(headword),
        sentence_sound,
        "y" if front else "",
    )


def voiced_sentences(lesson: Lesson) -> tuple[frozenset[str], int, int]:
    """(the sentences the deck's audio speaks, how many sentences the cards show, their characters).

    The cards' sentences in lesson order, each once, as long as they add up to at most SENTENCE_AUDIO_LIMIT
    characters: the same bound as the article MP3's, for the same reason (a 1 MB lesson would be hours of
    synthesis and hundreds of MB of audio). Sentences past it are left to Anki's text-to-speech."""
    sentences = list(dict.fromkeys(c.sentence for c in lesson.clozes if _well_formed(c, len(lesson.vocabulary))))
    voiced = sentences[: fitting(sentences, SENTENCE_AUDIO_LIMIT)]
    return frozenset(voiced), len(sentences), sum(map(len, sentences))


def lesson_notes(lesson: Lesson, sound: Sound = no_sound, audio_front: bool = False) -> list[NoteData]:
    """Every note of ``lesson`` in a stable order: vocabulary in lesson order, then clozes in article order.

    ``sound(text)`` gives the ``[sound:…]`` tag of a text ("" for none: the cards then use Anki's text-to-speech);
    it is asked for every headword and for the sentences ``voiced_sentences`` allows. ``audio_front`` puts the
    term's sound on the front of recognition cards too.
    """
    notes: list[NoteData] = []
    unique = _Guids()
    lesson_tag = tag(lesson.id)
    examples = _example_for(lesson)
    voiced = voiced_sentences(lesson)[0]
    terms = voiced_terms(lesson)[0]

    def say_sentence(text: str) -> str:
        return sound(text) if text in voiced else ""

    for index, entry in enumerate(lesson.vocabulary):
        say = sound if index in terms else no_sound
        fields = _vocabulary_fields(lesson, index, examples.get(index), say, say_sentence, audio_front)
        guid = unique("vocabulary", lesson.id, term_identity(entry.term))
        notes.append(NoteData("vocabulary", guid, fields, (lesson_tag, VOCABULARY.kind), 2))
    hints = cloze_hints(lesson.vocabulary)
    for cloze in lesson.clozes:
        if not _well_formed(cloze, len(lesson.vocabulary)):
            continue  # an analysis bug must not put a broken or empty cloze card in front of learners
        text = cloze_markup(cloze, lesson.vocabulary, escape=escape, hint=hints)
        explanation = "".join(_entry_block(lesson.vocabulary[use.entry]) for use in cloze.uses)
        translation = escape(_cloze_translation(lesson, cloze))
        cloze_fields = (text, explanation, translation, escape(lesson.title), say_sentence(cloze.sentence))
        guid = unique("cloze", lesson.id, cloze.key)
        notes.append(NoteData("cloze", guid, cloze_fields, (lesson_tag, CLOZE.kind), len(cloze.uses)))
    return notes


# ------------------------------------------------------------------------------------------------------ packaging


@dataclass(frozen=True)
class DeckPart:
    """One lesson's subdeck as plain data: what its deck and the combined deck hold for it (kept in the cache)."""

    lesson_id: str
    name: str
    description: str
    first: int  # the new-card position of its first note
    notes: tuple[NoteData, ...]
    mods: tuple[tuple[str, int], ...]  # (note GUID, modification time)
    sounds: tuple[str, ...] = ()  # the texts its audio speaks (the MP3s come from the speech cache)

    def to_json(self) -> bytes:
        notes = [[n.kind, n.guid, list(n.fields), list(n.tags), n.cards] for n in self.notes]
        mods = [list(m) for m in self.mods]
        data = [self.lesson_id, self.name, self.description, self.first, notes, mods, list(self.sounds)]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> DeckPart:
        """Raises ValueError for anything that is not a part this version wrote."""
        try:
            lesson_id, name, description, first, notes, mods, sounds = json.loads(data)
            return cls(
                str(lesson_id),
                str(name),
                str(description),
                int(first),
                tuple(
                    NoteData(str(k), str(g), tuple(map(str, f)), tuple(map(str, t)), int(c)) for k, g, f, t, c in notes
                ),
                tuple((str(guid), int(mod)) for guid, mod in mods),
                tuple(map(str, sounds)),
            )
        except (TypeError, ValueError, RecursionError) as exc:
            raise ValueError(f"not a deck part: {exc}") from None


def part_path(cache_dir: Path, key: str) -> Path:
    """Where the part for the combined deck kept under ``key`` (the lesson's input fingerprint) lives."""
    return cache_dir / DECK_PARTS / key[:2] / key


def store_part(cache_dir: Path, key: str, part: DeckPart) -> None:
    """Keep a lesson's part for the combined deck; a cache that cannot be written only costs time later."""
    keep(part_path(cache_dir, key), part.to_json())


def load_part(cache_dir: Path, key: str) -> DeckPart | None:
    """The part kept under ``key``, or None."""
    try:
        return DeckPart.from_json(part_path(cache_dir, key).read_bytes())
    except (OSError, ValueError):
        return None


def _part(lesson: Lesson, settings: Settings, media: Media) -> DeckPart:
    spoken: list[str] = []

    def sound(text: str) -> str:
        tag = media.sound(text)
        if tag:
            spoken.append(text)
        return tag

    notes = tuple(lesson_notes(lesson, sound, settings.audio_front))
    mod_of = note_mods(lesson)
    mods = tuple((note.guid, mod_of(note.guid)) for note in notes)
    name, description, first = deck_name(lesson, settings), escape(lesson.title), new_card_position(lesson)
    return DeckPart(lesson.id, name, description, first, notes, mods, tuple(dict.fromkeys(spoken)))


def deck_part(lesson: Lesson, settings: Settings, speech_cache: Path | None = None) -> DeckPart:
    """``lesson``'s subdeck: name, notes, their modification times and the texts its audio speaks."""
    return _part(lesson, settings, Media.for_build(settings.audio, speech_cache))


def _package_bytes(plans: Sequence[DeckPart], id_seed: str, media: dict[str, bytes]) -> bytes:
    """The .apkg bytes for ``plans``: identical input gives identical bytes."""
    models = {"vocabulary": vocabulary_model(), "cloze": cloze_model()}
    decks: list[genanki.Deck] = []
    mods: dict[str, int] = {}
    for plan in plans:
        deck = genanki.Deck(deck_id(plan.lesson_id), plan.name, description=plan.description)
        for position, data in enumerate(plan.notes, start=plan.first):
            model = models[data.kind]
            note = genanki.Note(
                model=model, fields=list(data.fields), tags=list(data.tags), guid=data.guid, due=position
            )
            deck.add_note(note)
        mods.update(plan.mods)
        decks.append(deck)
    # Note and card ids are only package-internal (Anki matches notes by GUID) but must not depend on the clock;
    # seeding them per file keeps two lessons' packages from proposing the same ids to one collection.
    seed = int.from_bytes(hashlib.sha256(id_seed.encode()).digest()[:4], "big") % (1 << 24)
    ids = itertools.count(NOTE_FORMAT_EPOCH * 1000 - (seed << 16))
    # In memory: a killed build must not leave a collection file behind anywhere (the build cleans only --out).
    connection = sqlite3.connect(":memory:")
    try:
        cursor = connection.cursor()
        write_collection(cursor, decks, NOTE_FORMAT_EPOCH, ids)
        # By rowid: notes has no index on guid, and a WHERE guid = ? per note made large decks quadratic.
        rows = cursor.execute("SELECT id, guid FROM notes").fetchall()
        cursor.executemany("UPDATE notes SET mod = ? WHERE id = ?", [(mods[guid], rowid) for rowid, guid in rows])
        connection.commit()
        collection = _database_bytes(connection)
    finally:
        connection.close()
    # Header bytes 96-99 record the version of the SQLite library that wrote the file (informational only); a fixed
    # value keeps CI and laptops with different SQLite builds from writing different decks for the same lesson.
    collection = collection[:96] + _SQLITE_VERSION_STAMP.to_bytes(4, "big") + collection[100:]
    index, files = _media_entries(media)
    return _zip({"collection.anki2": collection, "media": index}, stored=files)


def _media_entries(media: dict[str, bytes]) -> tuple[bytes, dict[str, bytes]]:
    """The package's media index and numbered files, in name order (names come from the audio's bytes)."""
    names = sorted(media)
    index = json.dumps({str(number): name for number, name in enumerate(names)}, separators=(",", ":"))
    return index.encode(), {str(number): media[name] for number, name in enumerate(names)}


def _database_bytes(connection: sqlite3.Connection) -> bytes:
    """The database as the bytes of a collection file."""
    if sys.version_info >= (3, 11):
        return connection.serialize()
    with tempfile.TemporaryDirectory(prefix="ankiexport-apkg-") as folder:  # Python 3.10 has no serialize()
        database = Path(folder) / "collection.anki2"
        target = sqlite3.connect(database)
        try:
            connection.backup(target)
        finally:
            target.close()
        return database.read_bytes()


def _zip(entries: dict[str, bytes], stored: dict[str, bytes] | None = None) -> bytes:
    """A zip of ``entries`` (deflated) and ``stored`` (as they are: MP3 does not compress)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in [*entries.items(), *(stored or {}).items()]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            # Deflate output is the same for every stock zlib 1.2/1.3; zlib-ng builds would compress differently.
            info.compress_type = zipfile.ZIP_STORED if stored and name in stored else zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permission bits mean the same on every build machine
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def _write(path: Path, data: bytes, source: str) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise OutputError(f"cannot write the Anki deck {path}: {os_reason(exc)}", source) from None


def _written(plans: Iterable[DeckPart]) -> Written:
    notes = [note for plan in plans for note in plan.notes]
    return Written(notes=len(notes), cards=sum(note.cards for note in notes))


def deck_bytes(lesson: Lesson, settings: Settings, speech_cache: Path | None = None) -> tuple[bytes, Written]:
    """``lesson`` as one Anki deck ``<deck name>::<date>``: the package's bytes and its counts.

    With ``speech_cache`` (a folder the build keeps) and the audio extra, the deck carries pronunciation audio.
    """
    data, written, _ = deck_bytes_and_part(lesson, settings, speech_cache)
    return data, written


def deck_bytes_and_part(
    lesson: Lesson, settings: Settings, speech_cache: Path | None = None
) -> tuple[bytes, Written, DeckPart]:
    """The lesson's deck, its counts, and its part for the combined deck (made once for both)."""
    media = Media.for_build(settings.audio, speech_cache)
    part = _part(lesson, settings, media)
    return _package_bytes([part], lesson.id, media.files), _written([part]), part


def combined_deck_bytes(
    lessons: Sequence[Lesson], settings: Settings, speech_cache: Path | None = None
) -> tuple[bytes, Written]:
    """Every lesson, each as its own subdeck with the same notes as its own deck, in one package."""
    return combined_from_parts(
        [deck_part(lesson, settings, speech_cache) for lesson in lessons], settings, speech_cache
    )


def combined_from_parts(
    parts: Sequence[DeckPart], settings: Settings, speech_cache: Path | None = None
) -> tuple[bytes, Written]:
    """The combined deck from the lessons' parts, in lesson id order, with the audio they speak."""
    media = Media.for_build(settings.audio, speech_cache)
    ordered = sorted(parts, key=lambda part: part.lesson_id)
    for text in (text for part in ordered for text in part.sounds):
        media.sound(text)
    return _package_bytes(ordered, "\x00".join(part.lesson_id for part in ordered), media.files), _written(ordered)


def write_apkg(lesson: Lesson, path: Path, settings: Settings, speech_cache: Path | None = None) -> Written:
    """Write ``lesson`` as one Anki deck to ``path`` (see ``deck_bytes``)."""
    data, written = deck_bytes(lesson, settings, speech_cache)
    _write(path, data, lesson.source)
    return written


def write_combined_apkg(
    lessons: Sequence[Lesson], path: Path, settings: Settings, speech_cache: Path | None = None
) -> Written:
    """Write every lesson to one package (see ``combined_deck_bytes``)."""
    data, written = combined_deck_bytes(lessons, settings, speech_cache)
    _write(path, data, str(path))
    return written
