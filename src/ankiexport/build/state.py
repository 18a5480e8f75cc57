"""The build's typed record of what it wrote (``.ankiexport-state.json``): loaded strictly, saved atomically."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from ..files import write_if_changed
from ..writers import Audience

STATE_NAME = ".ankiexport-state.json"
STATE_VERSION = 2


class StateError(ValueError):
    """A state file that is not what this version writes (hand-edited, damaged, or crafted)."""


@dataclass(frozen=True)
class Artifact:
    """One file the build wrote into --out, with what it takes to tell later whether it is still ours, untouched."""

    file: str  # a plain file name inside --out (checked on load: no folders, no hidden names)
    format: str  # the writer's format name ("apkg", "pdf") or the file's suffix for combined outputs
    audience: Audience
    size: int
    sha256: str
    mtime_ns: int
    notes: int = 0
    cards: int = 0
    pages: int = 0


@dataclass(frozen=True)
class LessonRecord:
    """One lesson's last successful build: its identity, its inputs' fingerprint and its files."""

    id: str  # the lesson id; outputs belong to it, whatever file it was read from
    source: str  # the file it was last built from
    title: str
    date: str | None
    fingerprint: str
    artifacts: tuple[Artifact, ...]
    # What the index and feed show besides the title, so that they need not read every lesson again:
    title_ja: str = ""  # the Japanese title
    revised: int = 0  # Unix time of the lesson's last change
    terms: int = 0  # vocabulary entries
    sentences: int = 0  # article sentences


@dataclass(frozen=True)
class PublishedRecord:
    """What one publisher (combined deck, manifest, index) last wrote."""

    fingerprint: str  # of the lessons it was made from; "" for publishers that run every time
    lessons: int  # how many lessons it covers
    artifacts: tuple[Artifact, ...]


@dataclass
class State:
    """Everything the build recorded: lessons by id and publications by publisher name."""

    lessons: dict[str, LessonRecord] = field(default_factory=dict)
    published: dict[str, PublishedRecord] = field(default_factory=dict)


def plain_name(name: str) -> bool:
    """True for a file name that stays inside its folder and is not one of the build's own hidden files."""
    return bool(name) and "/" not in name and "\\" not in name and "\0" not in name and not name.startswith(".")


def load_state(path: Path) -> State:
    """The state at ``path``; a missing file or an older version is an empty state (a full rebuild).

    Raises StateError for a file that exists but is not a state this version writes.
    """
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return State()
    except (OSError, UnicodeDecodeError) as exc:
        raise StateError(f"cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise StateError(f"not JSON: {exc}") from None
    if isinstance(data, dict) and data.get("version") != STATE_VERSION and "version" in data:
        return State()  # an older tool's state: rebuild everything, delete nothing
    return _state(data)


def save_state(path: Path, state: State) -> None:
    """Record what was built; it only ever lists files that were completely written and renamed into place.

    A build saves every few seconds while it runs, so this is made cheap: plain dicts from the records' own fields
    (no deep copies) and json's C encoder (one line: an indent would need the pure-Python one, ten times slower).
    """
    data = {
        "version": STATE_VERSION,
        "lessons": {key: _plain(record) for key, record in state.lessons.items()},
        "published": {key: _plain(record) for key, record in state.published.items()},
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    write_if_changed(path, text.encode("utf-8"))


def _plain(record: LessonRecord | PublishedRecord) -> dict[str, Any]:
    """A record as JSON-ready data: its fields (tuples become lists), each artifact's fields as a mapping."""
    return {**vars(record), "artifacts": [vars(artifact) for artifact in record.artifacts]}


def _state(data: object) -> State:
    root = _mapping(data, "state")
    lessons = _mapping(root.get("lessons"), "lessons")
    published = _mapping(root.get("published"), "published")
    state = State(
        lessons={key: _record(value) for key, value in lessons.items()},
        published={key: _published(value) for key, value in published.items()},
    )
    if any(key != record.id for key, record in state.lessons.items()):
        raise StateError("a lesson is filed under another id")
    return state


def _mapping(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise StateError(f"{what} is not a mapping")
    return value


def _typed(data: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise StateError(f"{name} is not a {kind}")
    return value


def _artifact(value: object) -> Artifact:
    data = _mapping(value, "artifact")
    name = _typed(data, "file", str)
    if not plain_name(name):
        raise StateError(f"artifact {name!r} is not a plain file name in the output folder")
    audience = _typed(data, "audience", str)
    if audience not in get_args(Audience):
        raise StateError(f"unknown audience {audience!r}")
    numbers = {key: _typed(data, key, int) for key in ("size", "mtime_ns", "notes", "cards", "pages")}
    return Artifact(name, _typed(data, "format", str), audience, sha256=_typed(data, "sha256", str), **numbers)


def _artifacts(value: object) -> tuple[Artifact, ...]:
    if not isinstance(value, list):
        raise StateError("artifacts is not a list")
    return tuple(_artifact(item) for item in value)


def _record(value: object) -> LessonRecord:
    data = _mapping(value, "lesson")
    return LessonRecord(
        id=_typed(data, "id", str),
        source=_typed(data, "source", str),
        title=_typed(data, "title", str),
        date=_typed(data, "date", (str, type(None))),
        fingerprint=_typed(data, "fingerprint", str),
        artifacts=_artifacts(data.get("artifacts")),
        title_ja=_typed({"title_ja": "", **data}, "title_ja", str),
        **{key: _typed({key: 0, **data}, key, int) for key in ("revised", "terms", "sentences")},
    )


def _published(value: object) -> PublishedRecord:
    data = _mapping(value, "publication")
    return PublishedRecord(
        fingerprint=_typed(data, "fingerprint", str),
        lessons=_typed(data, "lessons", int),
        artifacts=_artifacts(data.get("artifacts")),
    )
