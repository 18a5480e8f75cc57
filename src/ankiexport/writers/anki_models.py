"""The Anki note types of ankiexport decks: fixed, versioned ids, their fields, card templates and styling."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import genanki

# Note type versioning policy (README, "Using the Anki decks"). A note type's id and field list are frozen per
# version: Anki identifies a note type by id, and a package whose note type has the learner's id but other fields
# cannot update the learner's notes. So a change to the *fields* (adding, removing, renaming, reordering) means: bump
# `version`, which gives a new id (base + version) and a new name, record the new version in the test's table, and
# add a migration note to the README. Templates and CSS may change within a version: they reach learners because the
# note type's modification time is NOTE_FORMAT_EPOCH, which must be bumped with them (tests/test_writer_apkg.py
# fails until it is).
_VOCABULARY_BASE = 1_548_113_200
_CLOZE_BASE = 1_548_113_300


@dataclass(frozen=True)
class NoteTypeSpec:
    """One version of one of our note types, as plain data (the test checks the versioning policy on these)."""

    kind: str  # "vocabulary" or "cloze": also the card-kind tag
    version: int
    base: int  # the id is base + version, so every version has its own id
    fields: tuple[str, ...]

    @property
    def id(self) -> int:
        return self.base + self.version

    @property
    def name(self) -> str:
        return f"ankiexport {self.kind.capitalize()} v{self.version}"


# v2 (this release): Term holds the dictionary form; IPA and audio fields; the production card no longer blanks the
# example sentence (that question is the cloze card's), so Blanked is gone. v1 rows stay in the test's table.
VOCABULARY = NoteTypeSpec(
    kind="vocabulary",
    version=2,
    base=_VOCABULARY_BASE,
    fields=(
        "Term", "IPA", "Gloss", "Explanation", "Example", "Hint", "Translation", "Lesson",
        "Audio", "ExampleAudio", "AudioOnFront",
    ),
)  # fmt: skip
CLOZE = NoteTypeSpec(
    kind="cloze",
    version=2,
    base=_CLOZE_BASE,
    fields=("Text", "Explanation", "Translation", "Lesson", "Audio"),
)

# Latin first so English words use a Latin face; the Japanese faces cover kana and kanji on every platform
# (Hiragino on macOS/iOS, Noto/Source Han on Android and Linux, Yu Gothic/Meiryo on Windows).
_LATIN = '"Helvetica Neue", "Segoe UI", Roboto, Arial'
_JAPANESE = (
    '"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans JP", "Noto Sans CJK JP", "Source Han Sans JP", '
    '"Yu Gothic", YuGothic, Meiryo'
)

CSS = f"""\
.card {{
  font-family: {_LATIN}, {_JAPANESE}, sans-serif;
  font-size: 21px;
  line-height: 1.6;
  color: #1f2328;
  background-color: #fdfdfb;
  text-align: left;
  padding: 0 4px;
}}
.wrap {{ max-width: 36em; margin: 0 auto; overflow-wrap: anywhere; }}
[lang="ja"] {{ font-family: {_JAPANESE}, {_LATIN}, sans-serif; line-break: strict; }}
.term-big {{ font-size: 1.6em; font-weight: 700; text-align: center; margin: 0.4em 0; }}
.gloss {{ font-size: 1.25em; color: #0b5cad; }}
.term-big.gloss {{ font-size: 1.35em; }}
.hint {{ text-align: center; font-family: ui-monospace, Menlo, Consolas, monospace; letter-spacing: 0.08em;
  color: #57606a; }}
.ipa {{ text-align: center; color: #57606a; font-family: "Charis SIL", "Doulos SIL", "Segoe UI", Roboto,
  "Noto Sans", "Lucida Grande", sans-serif; }}
.audio {{ text-align: center; }}
.example {{ margin: 0.8em 0; }}
.example b.term {{ color: #b3261e; }}
.blank {{ font-family: ui-monospace, Menlo, Consolas, monospace; letter-spacing: 0.08em; color: #b3261e;
  white-space: nowrap; }}
.explanation {{ font-size: 0.9em; margin-top: 0.6em; }}
.translation {{ font-size: 0.9em; color: #444c56; margin-top: 0.6em; }}
.entry {{ margin-top: 0.8em; }}
.entry .term {{ font-weight: 700; }}
.lesson {{ font-size: 0.75em; color: #6e7781; margin-top: 1.2em; }}
.cloze {{ font-weight: 700; color: #0b5cad; }}
hr#answer {{ border: none; border-top: 1px solid #d0d7de; margin: 0.8em 0; }}
.nightMode.card, .nightMode .card, .night_mode.card, .night_mode .card {{
  color: #e6edf3; background-color: #1c1f24;
}}
.nightMode .gloss, .night_mode .gloss, .nightMode .cloze, .night_mode .cloze {{ color: #79b8ff; }}
.nightMode .example b.term, .night_mode .example b.term, .nightMode .blank, .night_mode .blank {{ color: #ff9492; }}
.nightMode .hint, .night_mode .hint, .nightMode .ipa, .night_mode .ipa,
.nightMode .translation, .night_mode .translation, .nightMode .lesson, .night_mode .lesson {{ color: #9ea7b3; }}
.nightMode hr#answer, .night_mode hr#answer {{ border-top-color: #444c56; }}
@media (max-width: 480px) {{
  .card {{ font-size: 18px; line-height: 1.55; }}
  .term-big {{ font-size: 1.4em; }}
}}
"""

# Every card body is `tex2jax_ignore`: Anki's MathJax would otherwise typeset \( \) in lesson text, since the
# DOM text MathJax reads has the escaped backslash decoded again.
# Sound: the Audio fields hold [sound:…] of the build's MP3s; built without the audio extra they are empty and
# Anki's own text-to-speech reads the text instead (the {{^Audio}} branches).
_TERM_SOUND = "{{#Audio}}{{Audio}}{{/Audio}}{{^Audio}}{{tts en_US:Term}}{{/Audio}}"
_EXAMPLE_SOUND = (
    "{{#Example}}{{#ExampleAudio}}{{ExampleAudio}}{{/ExampleAudio}}"
    "{{^ExampleAudio}}{{tts en_US:Example}}{{/ExampleAudio}}{{/Example}}"
)

_RECOGNITION_FRONT = f"""\
<div class="wrap tex2jax_ignore">
<div class="term-big">{{{{Term}}}}</div>
{{{{#IPA}}}}<div class="ipa">/{{{{IPA}}}}/</div>{{{{/IPA}}}}
{{{{#AudioOnFront}}}}<div class="audio">{_TERM_SOUND}</div>{{{{/AudioOnFront}}}}
{{{{#Example}}}}<div class="example">{{{{Example}}}}</div>{{{{/Example}}}}
</div>"""

_RECOGNITION_BACK = f"""\
{{{{FrontSide}}}}
<hr id="answer">
<div class="wrap tex2jax_ignore">
<div class="gloss" lang="ja">{{{{Gloss}}}}</div>
<div class="audio">{{{{^AudioOnFront}}}}{_TERM_SOUND}{{{{/AudioOnFront}}}}{_EXAMPLE_SOUND}</div>
{{{{#Explanation}}}}<div class="explanation" lang="ja">{{{{Explanation}}}}</div>{{{{/Explanation}}}}
{{{{#Translation}}}}<div class="translation" lang="ja">{{{{Translation}}}}</div>{{{{/Translation}}}}
<div class="lesson">{{{{Lesson}}}}</div>
</div>"""

# The production card asks for the term from its meaning alone: the sentence with the term blanked is the cloze
# card's question, and asking it twice is what made learners see the same question twice a day.
_PRODUCTION_FRONT = """\
<div class="wrap tex2jax_ignore">
<div class="term-big gloss" lang="ja">{{Gloss}}</div>
<div class="hint">{{Hint}}</div>
</div>"""

_PRODUCTION_BACK = f"""\
{{{{FrontSide}}}}
<hr id="answer">
<div class="wrap tex2jax_ignore">
<div class="term-big">{{{{Term}}}}</div>
{{{{#IPA}}}}<div class="ipa">/{{{{IPA}}}}/</div>{{{{/IPA}}}}
<div class="audio">{_TERM_SOUND}{_EXAMPLE_SOUND}</div>
{{{{#Example}}}}<div class="example">{{{{Example}}}}</div>{{{{/Example}}}}
{{{{#Explanation}}}}<div class="explanation" lang="ja">{{{{Explanation}}}}</div>{{{{/Explanation}}}}
<div class="lesson">{{{{Lesson}}}}</div>
</div>"""

_CLOZE_FRONT = """\
<div class="wrap tex2jax_ignore">
<div class="example">{{cloze:Text}}</div>
</div>"""

_CLOZE_BACK = """\
<div class="wrap tex2jax_ignore">
<div class="example">{{cloze:Text}}</div>
<div class="audio">{{#Audio}}{{Audio}}{{/Audio}}{{^Audio}}{{tts en_US:cloze:Text}}{{/Audio}}</div>
<hr id="answer">
{{#Translation}}<div class="translation" lang="ja">{{Translation}}</div>{{/Translation}}
{{#Explanation}}<div class="explanations">{{Explanation}}</div>{{/Explanation}}
<div class="lesson">{{Lesson}}</div>
</div>"""


def vocabulary_model() -> genanki.Model:
    """The vocabulary note type: a recognition card (term → gloss) and a production card (gloss → term)."""
    cards = (
        ("Recognition", _RECOGNITION_FRONT, _RECOGNITION_BACK),
        ("Production", _PRODUCTION_FRONT, _PRODUCTION_BACK),
    )
    return _model(VOCABULARY, cards, CSS, genanki.Model.FRONT_BACK)


def cloze_model() -> genanki.Model:
    """The sentence cloze note type: one card per vocabulary term used in the sentence."""
    return _model(CLOZE, (("Cloze", _CLOZE_FRONT, _CLOZE_BACK),), CSS, genanki.Model.CLOZE)


# One model object per note type and process: genanki works out which fields each card needs (``Model._req``) by
# rendering every template once per field, on first use of each object, which cost a deck about 2 ms.
@cache
def _model(spec: NoteTypeSpec, cards: tuple[tuple[str, str, str], ...], css: str, kind: int) -> genanki.Model:
    return genanki.Model(
        model_id=spec.id,
        name=spec.name,
        fields=[{"name": name} for name in spec.fields],
        templates=[{"name": name, "qfmt": front, "afmt": back} for name, front, back in cards],
        css=css,
        model_type=kind,
        sort_field_index=0,
    )


def template_fingerprint() -> str:
    """Everything about the note types that reaches the card besides field contents, for the epoch guard test."""
    parts = [CSS, _RECOGNITION_FRONT, _RECOGNITION_BACK, _PRODUCTION_FRONT, _PRODUCTION_BACK, _CLOZE_FRONT, _CLOZE_BACK]
    parts += [spec.name + "|" + "|".join(spec.fields) for spec in (VOCABULARY, CLOZE)]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]
