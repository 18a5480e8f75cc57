"""The build's inputs: which lesson files there are, their ids and output stems, and a fingerprint of each."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..config import Settings, settings_fingerprint
from ..errors import AnkiexportError, LessonError, os_reason
from ..revisions import FileHistory, git_histories, revision_times


@dataclass(frozen=True)
class Source:
    """One lesson file as the plan sees it."""

    path: Path
    id: str  # the lesson id (the file stem); outputs belong to it
    stem: str  # safe output file stem from the id
    fingerprint: str  # hash of every input; equal fingerprints mean equal outputs ("" when unreadable)
    revised: int  # Unix time of the lesson's last change
    history: FileHistory | None = None  # the file's git history, for per-note revision times
    problem: str = ""  # why the file cannot be read (then there is no fingerprint)


def find_lessons(paths: Iterable[Path]) -> list[Path]:
    """Lesson files named by ``paths`` (folders are searched recursively, hidden entries skipped), sorted, unique."""
    from ..readers import is_lesson_file

    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in candidate.relative_to(path).parts)
                if not hidden and candidate.is_file() and is_lesson_file(candidate):
                    found[candidate] = None
        elif path.is_file():
            found[path] = None
        else:
            raise LessonError("no such file or folder", str(path))
    return list(found)


def safe_stem(lesson_id: str) -> str:
    """A file stem from a lesson id that cannot leave the output folder or hide itself (``..``, ``/``, ``:``)."""
    text = unicodedata.normalize("NFC", lesson_id)
    cleaned = "".join(ch if (ch.isalnum() or ch in "-_.") else "-" for ch in text)
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-.") or "lesson"
    return cleaned[:100]


def base_fingerprint(settings: Settings) -> str:
    """What every output depends on besides its lesson: the code, the settings and the fonts."""
    return "\n".join([_code_fingerprint(), settings_fingerprint(settings), _fonts_fingerprint(), _speech_fingerprint()])


def _speech_fingerprint() -> str:
    """The speech engine (voice, settings, versions), so installing or upgrading the audio extra rebuilds decks."""
    from ..speech import engine_id, off_by_environment

    return "no-audio" if off_by_environment() else engine_id() or "no-audio"


def gather(paths: Sequence[Path], base: str) -> list[Source]:
    """Each lesson file with its id, stem, revision time and fingerprint (three git calls in all)."""
    histories = git_histories(paths)
    revised = revision_times(paths, histories)
    return [_source(path, revised[path], histories.get(path), base) for path in paths]


def _source(path: Path, revised: int, history: FileHistory | None, base: str) -> Source:
    from ..readers import MAX_LESSON_BYTES

    source = Source(path, path.stem, safe_stem(path.stem), "", revised, history)
    try:
        size = path.stat().st_size
        data = b"too large: %d" % size if size > MAX_LESSON_BYTES else path.read_bytes()  # the reader refuses it
    except OSError as exc:
        return dataclasses.replace(source, problem=f"cannot read: {os_reason(exc)}")
    digest = hashlib.sha256(base.encode())
    # The id is an input too: deck GUIDs, deck names and file names come from it, and the cache is keyed by this.
    digest.update(f"\n{source.id}\n{path.suffix.lower()}\n{revised}\n".encode())
    digest.update(repr(history.commits if history else ()).encode())  # per-note times come from these commits
    digest.update(data)
    return dataclasses.replace(source, fingerprint=digest.hexdigest())


def _code_fingerprint() -> str:
    """The tool's version plus a hash of its own source, so a changed checkout rebuilds even without a new version."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _fonts_fingerprint() -> str:
    """Names, sizes and modification times of the font files (hashing 16 MB of fonts on every no-op build is waste)."""
    try:
        from ..fonts import font_dir

        folder: Path | None = font_dir()
    except (ImportError, OSError, AnkiexportError):
        folder = None
    if folder is None:
        return "no-fonts"
    parts = []
    for font in sorted(folder.iterdir()):
        if font.is_file():
            info = font.stat()
            parts.append(f"{font.name}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
