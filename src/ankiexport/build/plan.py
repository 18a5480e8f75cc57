"""The pure plan: from the lesson files, the recorded state and what is on disk, decide what to build and publish."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..config import Settings
from .publish import PUBLISHERS, Publisher
from .sources import Source
from .state import Artifact, State


@dataclass(frozen=True)
class Disk:
    """What the plan needs to know about files, gathered before it runs."""

    files: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # name in --out -> (size, mtime_ns)
    missing: frozenset[str] = frozenset()  # recorded lesson sources that no longer exist

    def intact(self, artifacts: Iterable[Artifact]) -> bool:
        """True when every artifact is on disk exactly as the build left it (and there is at least one)."""
        found = [self.files.get(a.file) == (a.size, a.mtime_ns) for a in artifacts]
        return bool(found) and all(found)


@dataclass(frozen=True)
class Problem:
    """A lesson the plan refuses, and why."""

    path: str
    message: str


@dataclass(frozen=True)
class Plan:
    """What one build will do."""

    build: tuple[Source, ...] = ()  # read, analyse and write
    unchanged: tuple[Source, ...] = ()  # their recorded outputs are current
    read: tuple[Source, ...] = ()  # unchanged, but read for publishers that need every lesson
    forget: tuple[str, ...] = ()  # recorded lesson ids whose source is gone: their outputs are removed
    stale: tuple[str, ...] = ()  # publishers that need every lesson and must run again
    failures: tuple[Problem, ...] = ()  # lessons refused before any work


def plan(
    sources: Sequence[Source],
    state: State,
    settings: Settings,
    force: bool = False,
    *,
    disk: Disk | None = None,
    publishers: Mapping[str, Publisher] = PUBLISHERS,
) -> Plan:
    """Decide the build; nothing here touches a file or a process. ``disk=None`` trusts the records."""
    valid, failures = _admit(sources, publishers)
    on_disk = disk or Disk(files=_as_recorded(state))
    build: list[Source] = []
    unchanged: list[Source] = []
    for source in valid:
        record = state.lessons.get(source.id)
        fresh = (
            record is not None
            and record.fingerprint == source.fingerprint
            and record.source == str(source.path)
            and on_disk.intact(record.artifacts)
        )
        (unchanged if fresh and not force else build).append(source)
    current = {source.id for source in valid} | {source.id for source in sources}
    forget = tuple(
        lesson_id
        for lesson_id, record in state.lessons.items()
        if lesson_id not in current and record.source in on_disk.missing
    )
    stale = _stale_publishers(valid, state, settings, force, on_disk, publishers)
    read = tuple(unchanged) if stale else ()
    return Plan(tuple(build), tuple(unchanged), read, forget, stale, tuple(failures))


def lessons_fingerprint(name: str, lessons: Iterable[tuple[str, str]]) -> str:
    """What a publisher that needs every lesson depends on: each lesson's id and input fingerprint."""
    digest = hashlib.sha256(name.encode())
    for lesson_id, fingerprint in sorted(lessons):
        digest.update(f"\n{lesson_id}:{fingerprint}".encode())
    return digest.hexdigest()


def _admit(sources: Sequence[Source], publishers: Mapping[str, Publisher]) -> tuple[list[Source], list[Problem]]:
    """The sources that can be built; the others with why not (unreadable, reserved id, same id as another)."""
    reserved = {stem.casefold(): p.label for p in publishers.values() for stem in p.reserved}
    by_stem: dict[str, Source] = {}
    failures: list[Problem] = []
    for source in sources:
        other = by_stem.get(source.stem.casefold())
        if source.problem:
            failures.append(Problem(str(source.path), source.problem))
        elif source.stem.casefold() in reserved:
            what = reserved[source.stem.casefold()]
            failures.append(
                Problem(str(source.path), f"lesson id {source.stem!r} is reserved for the {what}; rename the file")
            )
        elif other is not None:
            failures.append(Problem(str(source.path), f"has the same lesson id as {other.path}; rename one of them"))
        else:
            by_stem[source.stem.casefold()] = source
    return list(by_stem.values()), failures


def _stale_publishers(
    valid: Sequence[Source],
    state: State,
    settings: Settings,
    force: bool,
    disk: Disk,
    publishers: Mapping[str, Publisher],
) -> tuple[str, ...]:
    stale = []
    for name, publisher in publishers.items():
        if not publisher.needs_lessons(settings) or not valid:
            continue
        record = state.published.get(name)
        fingerprint = lessons_fingerprint(name, ((s.id, s.fingerprint) for s in valid))
        if force or record is None or record.fingerprint != fingerprint or not disk.intact(record.artifacts):
            stale.append(name)
    return tuple(stale)


def _as_recorded(state: State) -> dict[str, tuple[int, int]]:
    """Every recorded file as present and untouched: the plan's view when no disk listing is given."""
    artifacts = [a for r in state.lessons.values() for a in r.artifacts]
    artifacts += [a for r in state.published.values() for a in r.artifacts]
    return {a.file: (a.size, a.mtime_ns) for a in artifacts}
