"""Sound for Anki notes: ``[sound:…]`` tags for texts, and the MP3 files a package carries for them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from .. import speech
from ..speech import SpeechCache, media_name

Sound = Callable[[str], str]  # text -> its "[sound:file.mp3]" tag, or "" when it has none


def _sayable(text: str) -> bool:
    return any(char.isalpha() for char in text)


def no_sound(text: str) -> str:
    """No audio: the cards fall back to Anki's own text-to-speech."""
    return ""


def placeholder_sound(text: str) -> str:
    """A tag that stands for the audio of ``text`` without synthesising it (for comparing note contents)."""
    return f"[sound:text-{hashlib.sha256(text.encode()).hexdigest()[:16]}]" if _sayable(text) else ""


class Media:
    """The MP3s of one package: ``sound(text)`` synthesises (or takes from the cache) and remembers the file."""

    def __init__(self, cache: SpeechCache | None) -> None:
        self.cache = cache
        self.files: dict[str, bytes] = {}  # media file name -> MP3 bytes

    @classmethod
    def for_build(cls, audio: bool, cache_folder: Path | None) -> Media:
        """Real audio when asked for, a cache folder is given and the audio extra is installed; else none."""
        wanted = audio and cache_folder is not None and speech.available()
        return cls(SpeechCache(cache_folder) if wanted and cache_folder is not None else None)

    def sound(self, text: str) -> str:
        if self.cache is None or not _sayable(text):
            return ""
        data = self.cache.mp3(text)
        name = media_name(data)
        self.files[name] = data
        return f"[sound:{name}]"
