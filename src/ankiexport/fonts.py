"""The bundled worksheet fonts: where they live (in the package in a wheel, fonts/ in a checkout), what they print."""

from __future__ import annotations

import sys
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from .errors import OutputError
from .model import Diagnostic, Lesson

MISSING_MARK = "〓"  # what the worksheet prints for a character none of its fonts has (the geta mark)

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


# The worksheet's two pairs of faces: body text (Latin, Japanese) and headings. A character prints when each pair
# has it in one of its faces; otherwise the worksheet shows 〓 in its place.
FACE_PAIRS: tuple[tuple[str, str], ...] = (
    ("LiberationSerif-Regular.ttf", "ipaexm.ttf"),
    ("LiberationSans-Bold.ttf", "ipaexg.ttf"),
)


@cache
def _code_points(name: str) -> frozenset[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile  # local: only lessons with unusual characters get here

    registered = _registered_face(font_path(name))
    if registered is not None:
        return frozenset(registered.charToGlyph)
    try:
        return frozenset(TTFontFile(str(font_path(name))).charToGlyph)
    except OutputError:
        raise
    except Exception as exc:  # reportlab raises bare TTFError and friends for damaged fonts
        raise OutputError(f"cannot load the worksheet font {name}: {exc}") from None


def _registered_face(path: Path) -> Any:
    """The face reportlab parsed when the worksheet writer registered the font at ``path``, or None. A build
    registers the fonts before it reads a lesson: reading the character map from that parse, not parsing the file
    again, saves the build process about 70 ms (IPAex's cmap holds 12,000 characters)."""
    pdfmetrics = sys.modules.get("reportlab.pdfbase.pdfmetrics")
    if pdfmetrics is None:
        return None
    for registered in pdfmetrics.getRegisteredFontNames():
        face = getattr(pdfmetrics.getFont(registered), "face", None)
        if isinstance(getattr(face, "charToGlyph", None), dict) and Path(getattr(face, "filename", "")) == path:
            return face
    return None


@cache  # a lesson holds a few hundred distinct characters, mostly the same ones as the last lesson's
def _printable(char: str) -> bool:
    if char.isascii() or unicodedata.category(char) in ("Cc", "Cf"):
        return True  # ASCII is in every face; control and format characters draw nothing and are dropped
    code = ord(char)
    return all(code in _code_points(latin) or code in _code_points(japanese) for latin, japanese in FACE_PAIRS)


def unprintable(text: str) -> list[str]:
    """The distinct characters of ``text``, in order, that no bundled worksheet font can draw."""
    return [char for char in dict.fromkeys(text) if not _printable(char)]


def _places(lesson: Lesson) -> list[tuple[int | None, str, str]]:
    """(line, where, text) for every part of the lesson a worksheet prints."""
    places: list[tuple[int | None, str, str]] = [(lesson.title_line, "the title", lesson.title)]
    places += [(p.line, "the article", p.text) for p in lesson.article]
    places += [(line, "the gap-fill", text) for line, text in zip(lesson.gapfill_lines, lesson.gapfill, strict=False)]
    for entry in lesson.vocabulary:
        places += [(entry.line, f"the entry {entry.term!r}", f"{entry.term}{entry.gloss}{entry.explanation}")]
    if lesson.translation is not None:
        translation = lesson.translation
        places.append((translation.line, "the translation's title", translation.title))
        places += [
            (translation.line, f"the translation's paragraph {number}", text)
            for number, text in enumerate(translation.paragraphs, start=1)
        ]
    return places


def coverage_warnings(lesson: Lesson) -> tuple[Diagnostic, ...]:
    """A warning for each place of the lesson holding characters no bundled font has (emoji, Hangul, 𠮷)."""
    warnings: list[Diagnostic] = []
    for line, where, text in _places(lesson):
        if text.isascii():
            continue
        missing = unprintable(text)
        if missing:
            shown = ", ".join(f"{char!r} (U+{ord(char):04X})" for char in missing[:8])
            more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
            warnings.append(
                Diagnostic(
                    line,
                    f"{where} has characters no worksheet font can print: {shown}{more}; the worksheet shows "
                    f"{MISSING_MARK} in their place (the Anki cards use the device's fonts)",
                )
            )
    return tuple(warnings)
