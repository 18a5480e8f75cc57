"""Which built files the publishing job puts where: the Pages site or the release; teacher files in neither."""

# GitHub Pages holds at most 1 GB, so the decks (each lesson's and the all-lessons deck, the largest files with audio)
# go only to the release, which the pages link through the ``deck_url`` setting; the pages, their audio and the
# student worksheets go to Pages. README ("The learners' site") gives the sizes behind this.
#
#     python -m ankiexport.site.collect pages OUT DEST     # copy what Pages serves from OUT into DEST
#     python -m ankiexport.site.collect release OUT DEST   # the same for the release's files
#     python -m ankiexport.site.collect teacher OUT DEST   # teachers' files (never published): a run's artifact

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

SITE_FILES = ("index.html", "feed.xml")  # the site's own pages, written by the build's publisher
RELEASE_ONLY = (".apkg",)  # decks: too large for Pages at a thousand lessons with audio
DOWNLOADS = (".apkg", ".pdf")  # what the release offers
MANIFEST = "manifest.json"


def _files(manifest: Mapping[str, Any], audience: str) -> Iterator[str]:
    """Every file of ``audience`` the manifest lists: each lesson's, and each combined output's."""
    entries = list(manifest.get("artifacts") or [])
    entries += [value for value in manifest.values() if isinstance(value, dict) and "file" in value]
    for entry in entries:
        if entry.get("audience") == audience:
            yield str(entry["file"])


def _learner_files(manifest: Mapping[str, Any]) -> Iterator[str]:
    return _files(manifest, "learner")


def teacher_files(manifest: Mapping[str, Any]) -> list[str]:
    """Teacher editions, answer keys and class quizzes: for the teacher only, never published."""
    return sorted(set(_files(manifest, "teacher")))


def pages_files(manifest: Mapping[str, Any]) -> list[str]:
    """What GitHub Pages serves: the site's pages, the lessons' pages and audio, the student worksheets."""
    chosen = [name for name in _learner_files(manifest) if not name.endswith(RELEASE_ONLY)]
    return sorted({*chosen, *SITE_FILES})


def release_files(manifest: Mapping[str, Any]) -> list[str]:
    """What the public release carries: the learners' decks and worksheets, and the manifest."""
    return sorted({*(name for name in _learner_files(manifest) if name.endswith(DOWNLOADS)), MANIFEST})


def collect(target: str, out: Path, dest: Path) -> list[str]:
    """Copy ``target``'s files ("pages", "release" or "teacher") from the build folder ``out`` into ``dest``."""
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    names = TARGETS[target](manifest)
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        if "/" in name or name.startswith("."):
            raise ValueError(f"{MANIFEST} names {name!r}, which is not a plain file name")
        shutil.copyfile(out / name, dest / name)
    return names


TARGETS = {"pages": pages_files, "release": release_files, "teacher": teacher_files}


def main(argv: Sequence[str]) -> int:
    if len(argv) != 3 or argv[0] not in TARGETS:
        print("usage: python -m ankiexport.site.collect pages|release|teacher OUT DEST", file=sys.stderr)
        return 2
    try:
        names = collect(argv[0], Path(argv[1]), Path(argv[2]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"{argv[1]}: error: cannot collect the {argv[0]} files: {exc}", file=sys.stderr)
        return 1
    size = sum((Path(argv[2]) / name).stat().st_size for name in names)
    print(f"{len(names)} files, {size / 1024 / 1024:.1f} MB for the {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
