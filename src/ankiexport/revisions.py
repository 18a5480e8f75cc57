"""What git knows about files: their commits, when each last changed, and their earlier versions as bytes."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_REVISIONS = 50  # older history than this is not read


@dataclass(frozen=True)
class FileHistory:
    """A file's place in git: the commits that touched it, newest first."""

    root: str  # the repository's top folder
    path: str  # the file's path inside it, as git names it
    commits: tuple[tuple[str, int], ...]  # (commit id, commit time) newest first
    clean: bool  # True when the working file equals its last commit


def git_histories(paths: Sequence[Path]) -> dict[Path, FileHistory]:
    """The git history of every committed file among ``paths`` (three git calls in all, not one per file)."""
    if not paths:
        return {}
    folders = sorted({p.resolve().parent for p in paths})
    try:
        top = _git(folders[0], "rev-parse", "--show-toplevel").strip()
        root = Path(top).resolve()
        relative = {str(p.resolve().relative_to(root)): p for p in paths}
        log = _git(root, "log", "-z", "--format=%x01%H %ct", "--name-only", "--no-renames", "--", *relative)
        dirty = _git(root, "status", "--porcelain", "-z", "--untracked-files=all", "--", *relative)
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}  # not a git checkout, no git, or a file outside the repository: no history to use
    commits: dict[str, list[tuple[str, int]]] = {}
    current: tuple[str, int] | None = None
    for chunk in log.split("\0"):
        chunk = chunk.strip("\n")
        if not chunk:
            continue
        if chunk.startswith("\x01"):
            head, _, name = chunk[1:].partition("\n")
            commit, _, when = head.partition(" ")
            current = (commit, int(when))
            if not name:
                continue
            chunk = name
        if current is not None and chunk in relative:
            commits.setdefault(chunk, []).append(current)
    modified = {entry[3:] for entry in dirty.split("\0") if len(entry) > 3}
    return {
        relative[name]: FileHistory(str(root), name, tuple(found), name not in modified)
        for name, found in commits.items()
    }


def _git(folder: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *arguments], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def revision_times(paths: Sequence[Path], histories: dict[Path, FileHistory] | None = None) -> dict[Path, int]:
    """Unix time of each file's last change: its last commit when the file is committed and clean, else
    SOURCE_DATE_EPOCH when set, else the file's modification time.

    Commit times are the same in every clone, so CI builds are reproducible; they only move forward, so Anki sees
    a changed lesson's notes as newer on re-import.
    """
    histories = git_histories(paths) if histories is None else histories
    epoch = source_date_epoch()
    times: dict[Path, int] = {}
    for path in paths:
        history = histories.get(path)
        if history is not None and history.clean:
            times[path] = history.commits[0][1]
        else:
            times[path] = epoch if epoch is not None else int(path.stat().st_mtime)
    return times


LAST_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z: later times have no four-digit year (PDF dates need one)


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as seconds, None when unset; raises ValueError unless it is a plain non-negative integer
    of a year before 10000 (reportlab reads the variable too, and fails on anything else)."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,12}", text) or int(text) > LAST_EPOCH:
        raise ValueError(f"must be a whole number of seconds from 0 to {LAST_EPOCH}, not {text[:40]!r}")
    return int(text)


def earlier_versions(history: FileHistory) -> Iterator[tuple[bytes | None, int]]:
    """The file's committed versions before the working file, newest first, as (bytes, commit time).

    At most MAX_REVISIONS are read, lazily (a caller that has what it needs stops early); a version git cannot
    show gives None.
    """
    older = history.commits[1:MAX_REVISIONS] if history.clean else history.commits[:MAX_REVISIONS]
    for commit, when in older:
        try:
            data: bytes | None = subprocess.run(
                ["git", "-C", history.root, "show", f"{commit}:{history.path}"],
                capture_output=True,
                check=True,
                timeout=60,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            data = None
        yield data, when
