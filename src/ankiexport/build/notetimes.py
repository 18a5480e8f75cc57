"""Per-note revision times: when each note's content last changed, by comparing the notes of earlier file versions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from ..config import Settings
from ..errors import AnkiexportError
from ..model import Lesson
from ..revisions import FileHistory, earlier_versions

NoteContents = Callable[[Lesson], Mapping[str, str]]  # note id -> hash of what the note holds


def note_revision_times(
    lesson: Lesson, source: Path, history: FileHistory, settings: Settings, contents: NoteContents
) -> dict[str, int]:
    """For each note of ``lesson`` (by id), the time of the revision that gave it its current content.

    Walks the file's versions from the newest back until every note has been seen with other content (or not at
    all); a note unchanged since the oldest version read keeps that version's time. A note that only the
    uncommitted working file changed gets ``lesson.revised``.
    """
    from ..readers import read_lesson

    pending = dict(contents(lesson))
    times: dict[str, int] = {}
    newer_time = history.commits[0][1] if history.clean else lesson.revised
    for data, when in earlier_versions(history):
        if not pending:
            break
        try:
            then = contents(read_lesson(source, data, settings)) if data is not None else {}
        except AnkiexportError:
            then = {}  # a version that no longer reads had none of today's notes
        for note in [note for note, content in pending.items() if then.get(note) != content]:
            times[note] = newer_time
            del pending[note]
        newer_time = when
    times.update(dict.fromkeys(pending, newer_time))
    return times
