"""Synthesised speech in the build's content cache: (text, voice, settings, versions) -> one MP3 file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import cache_key, cached
from .synth import engine_id, speakable, synthesize

KIND = "speech"  # the speech files' folder inside the build's content cache (out/.ankiexport-cache/speech/)


def media_name(mp3: bytes) -> str:
    """The file name Anki and the site use for ``mp3``: from its bytes, so equal audio is one file everywhere."""
    return f"ankiexport-{hashlib.sha256(mp3).hexdigest()[:20]}.mp3"


@dataclass
class SpeechCache:
    """MP3s in the content cache ``folder``; a rebuild synthesises only text it has not spoken before.

    Safe for several processes at once: files are written atomically, and two processes that synthesise the same
    text write the same bytes.
    """

    folder: Path  # the build's content cache (WriteContext.cache_dir)
    engine: str = field(default_factory=engine_id)
    hits: int = 0  # texts served from the cache by this object (benchmarks and tests read these)
    misses: int = 0  # texts synthesised by this object

    def key(self, text: str) -> str:
        return cache_key(KIND, self.engine, speakable(text))

    def path(self, text: str) -> Path:
        key = self.key(text)
        return self.folder / KIND / key[:2] / key

    def mp3(self, text: str) -> bytes:
        """The audio of ``text``: from the cache, else synthesised (SpeechUnavailableError without the extra)."""

        def make() -> bytes:
            self.misses += 1
            return synthesize(text)

        misses = self.misses
        data = cached(self.folder, KIND, self.key(text), make)
        self.hits += self.misses == misses
        return data
