"""Writing genanki decks into a collection database in time linear in decks and notes."""

# genanki's own ``Package.write_to_db`` re-reads, re-parses and rewrites the collection's whole deck and note-type
# JSON once per deck, which made a combined deck of many lessons quadratic. This writes the same collection: the
# same JSON (genanki's round-trips included) and the same rows, with each JSON value written once.

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Sequence

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA


def write_collection(
    cursor: sqlite3.Cursor, decks: Sequence[genanki.Deck], timestamp: int, ids: itertools.count[int]
) -> None:
    """What ``genanki.Package(decks).write_to_db(cursor, timestamp, ids)`` writes, without its per-deck JSON."""
    cursor.executescript(APKG_SCHEMA)
    cursor.executescript(APKG_COL)
    (decks_json,) = cursor.execute("SELECT decks FROM col").fetchone()
    (models_json,) = cursor.execute("SELECT models FROM col").fetchone()
    all_decks: dict[object, object] = json.loads(decks_json)
    models: dict[object, object] = json.loads(models_json)
    for deck in decks:
        all_decks[str(deck.deck_id)] = deck.to_json()
        for note in deck.notes:
            deck.add_model(note.model)
        models = _as_reloaded(models)  # genanki reads the JSON back before each deck: integer keys become text
        models.update({model.model_id: model.to_json(timestamp, deck.deck_id) for model in deck.models.values()})
    if decks:
        cursor.execute("UPDATE col SET decks = ?", (json.dumps(all_decks),))
        cursor.execute("UPDATE col SET models = ?", (json.dumps(models),))
    for deck in decks:
        _write_notes(cursor, deck, timestamp, ids)


_NOTE_ROW = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);"
_CARD_ROW = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);"


def _write_notes(cursor: sqlite3.Cursor, deck: genanki.Deck, timestamp: int, ids: itertools.count[int]) -> None:
    """The rows ``Note.write_to_db`` writes for each of the deck's notes, in its order and with its ids. Without its
    warning scan for unescaped HTML (a regular expression over every field; the deck writer escapes every field) and
    its replacement of genanki's deprecated built-in note types (ours are our own): a third of a deck's writing."""
    mod = int(timestamp)
    for note in deck.notes:
        if len(note.model.fields) != len(note.fields):
            raise ValueError(f"{len(note.fields)} fields for note type {note.model.name}")
        note_id = next(ids)
        tags = " " + " ".join(note.tags) + " "
        row = (note_id, note.guid, note.model.model_id, mod, -1, tags, "\x1f".join(note.fields), note.sort_field)
        cursor.execute(_NOTE_ROW, (*row, 0, 0, ""))
        for card in note.cards:
            queue = -1 if card.suspend else 0
            cursor.execute(
                _CARD_ROW, (next(ids), note_id, deck.deck_id, card.ord, mod, -1, 0, queue, note.due, *_ZEROS)
            )


_ZEROS = (0, 0, 0, 0, 0, 0, 0, 0, "")  # ivl, factor, reps, lapses, left, odue, odid, flags, data


def _as_reloaded(values: dict[object, object]) -> dict[object, object]:
    """``json.loads(json.dumps(values))`` for a dict of JSON values: keys become text, a repeated key keeps its first
    place and its last value."""
    reloaded: dict[object, object] = {}
    for key, value in values.items():
        reloaded[str(key)] = value
    return reloaded
