"""Where the bundled worksheet fonts live: inside the package in a wheel, in the top-level fonts/ in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .errors import OutputError

# A file every layout of the font folder has; a folder without it is a stray or half-copied fonts/ directory.
_MARKER = "ipaexm.ttf"


def _candidates() -> tuple[Path, ...]:
    package = Path(__file__).resolve().parent
    # The wheel force-includes fonts/ as ankiexport/fonts; an editable or source checkout has it at the repo root.
    return (package / "fonts", package.parent.parent / "fonts")


@cache
def font_dir() -> Path | None:
    """The folder holding the bundled fonts, or None when neither layout has it."""
    for folder in _candidates():
        if (folder / _MARKER).is_file():
            return folder
    return None


def font_path(name: str) -> Path:
    """The path of one bundled font file; a clear error when the installation lacks it."""
    folder = font_dir()
    if folder is None:
        places = " or ".join(str(p) for p in _candidates())
        raise OutputError(f"the worksheet fonts are missing (looked in {places}); reinstall ankiexport")
    path = folder / name
    if not path.is_file():
        raise OutputError(f"the worksheet font {name} is missing from {folder}; reinstall ankiexport")
    return path
