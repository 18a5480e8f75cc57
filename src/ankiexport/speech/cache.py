"""A content-addressed store of synthesised speech: (text, voice, settings, versions) -> one MP3 file."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .synth import engine_id, speakable, synthesize


def media_name(mp3: bytes) -> str:
    """The file name Anki and the site use for ``mp3``: from its bytes, so equal audio is one file everywhere."""
    return f"ankiexport-{hashlib.sha256(mp3).hexdigest()[:20]}.mp3"


@dataclass
class SpeechCache:
    """MP3s under ``folder``, one file per key; a rebuild synthesises only text it has not spoken before.

    Safe for several processes at once: files are written under a temporary name and renamed, and two processes
    that synthesise the same text write the same bytes.
    """

    folder: Path
    engine: str = field(default_factory=engine_id)
    hits: int = 0  # texts served from the cache by this object (benchmarks and tests read these)
    misses: int = 0  # texts synthesised by this object

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.engine}\x00{speakable(text)}".encode()).hexdigest()

    def path(self, text: str) -> Path:
        key = self.key(text)
        return self.folder / key[:2] / f"{key}.mp3"

    def mp3(self, text: str) -> bytes:
        """The audio of ``text``: from the cache, else synthesised (SpeechUnavailableError without the audio extra)."""
        path = self.path(text)
        with contextlib.suppress(OSError):
            data = path.read_bytes()
            if data:  # an empty file is never written by us; treat it as missing
                self.hits += 1
                return data
        data = synthesize(text)
        self.misses += 1
        _store(path, data)
        return data


def _store(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a killed build leaves at most a temporary, never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(name, 0o644)
        os.replace(name, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
