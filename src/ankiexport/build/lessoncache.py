"""Analysed lessons kept between builds (JSON keyed by the lesson's input fingerprint), so that publishers that
need every lesson do not read and analyse the unchanged ones again."""

from __future__ import annotations

import dataclasses
import functools
import json
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal, Union, get_args, get_origin, get_type_hints

from ..cache import keep
from ..model import Lesson

KIND = "lessons"


def cache_path(cache_dir: Path, fingerprint: str) -> Path:
    return cache_dir / KIND / fingerprint[:2] / f"{fingerprint}.json"


def _fields(value: object) -> dict[str, object]:
    """A model object's fields for the JSON encoder, which encodes what they hold itself (``dataclasses.asdict``
    would first deep-copy the whole lesson: a 1 MB lesson's million objects, seconds and ~50 MB at the build's peak)."""
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if not dataclasses.is_dataclass(value) or isinstance(value, type):
            raise TypeError(f"not a lesson model object: {type(value).__name__}")
        names = _FIELD_NAMES[type(value)] = tuple(field.name for field in dataclasses.fields(value))
    # Not vars(value): in CPython 3.11 asking for an object's __dict__ makes one and keeps it on the object, 16 MB
    # more at the peak of the 992 KB lesson's build.
    return {name: getattr(value, name) for name in names}


# Field names by model class, looked up once per class, not once per object (a sample lesson holds about 360).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def entry(cache_dir: Path, fingerprint: str, lesson: Lesson) -> tuple[Path, bytes]:
    """Where ``lesson`` is kept and what is kept there (for ``ankiexport.cache.keep``)."""
    data = json.dumps(lesson, default=_fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return cache_path(cache_dir, fingerprint), data


def store(cache_dir: Path, fingerprint: str, lesson: Lesson) -> None:
    """Keep ``lesson``; a cache that cannot be written only costs time later."""
    keep(*entry(cache_dir, fingerprint, lesson))


def load(cache_dir: Path, fingerprint: str) -> Lesson | None:
    """The lesson kept for ``fingerprint``; None when there is none or it is not a lesson (then it is rebuilt)."""
    try:
        return decoded(cache_path(cache_dir, fingerprint).read_bytes())
    except OSError:
        return None


def decoded(data: bytes) -> Lesson | None:
    """The lesson a cache entry holds; None when it is not one."""
    try:
        lesson = _decode(Lesson, json.loads(data))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    return lesson if isinstance(lesson, Lesson) else None


@functools.cache
def _hints(cls: type) -> tuple[tuple[str, object], ...]:
    hints = get_type_hints(cls)
    return tuple((field.name, hints[field.name]) for field in dataclasses.fields(cls))


def _decode(kind: object, value: object) -> object:
    """``value`` (plain JSON) as the type ``kind`` names: dataclasses, tuples, optionals, literals, scalars."""
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise TypeError(kind)
        return kind(**{name: _decode(hint, value[name]) for name, hint in _hints(kind)})
    origin, arguments = get_origin(kind), get_args(kind)
    if origin is tuple:
        if not isinstance(value, list):
            raise TypeError(kind)
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple(_decode(arguments[0], item) for item in value)
        return tuple(_decode(argument, item) for argument, item in zip(arguments, value, strict=True))
    if origin in (Union, types.UnionType):
        if value is None and type(None) in arguments:
            return None
        return _decode(next(a for a in arguments if a is not type(None)), value)
    if origin is Literal:
        if value not in arguments:
            raise ValueError(value)
        return value
    if not isinstance(kind, type) or not isinstance(value, kind):
        raise TypeError(kind)
    return value


class Shelf(Mapping[str, Lesson]):
    """Analysed lessons by id: those of this build, else those kept in the cache, loaded when first asked for."""

    def __init__(self, fresh: Mapping[str, Lesson | bytes], fingerprints: Mapping[str, str], cache_dir: Path) -> None:
        self._loaded = dict(fresh)  # a built lesson, or its cache entry's bytes (decoded when first asked for)
        self._fingerprints = dict(fingerprints)  # every lesson the shelf may hold
        self._cache_dir = cache_dir

    def __getitem__(self, lesson_id: str) -> Lesson:
        found = self._loaded.get(lesson_id)
        if not isinstance(found, Lesson):
            lesson = decoded(found) if found else load(self._cache_dir, self._fingerprints[lesson_id])
            if lesson is None:
                raise KeyError(lesson_id)
            found = self._loaded[lesson_id] = lesson
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._fingerprints)

    def __len__(self) -> int:
        return len(self._fingerprints)
