"""Build settings: defaults, the project's ``ankiexport.yaml`` and command-line flags, merged into one frozen value."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .model import Diagnostic

CONFIG_NAME = "ankiexport.yaml"
PAGE_SIZES = ("a4", "b5", "letter")
FORMATS = ("apkg", "pdf")

# Lines that start the school's advertisement after the translation. Matched against each NFKC-normalised line;
# the first match and everything after it is the trailer. Kept narrow: a false hit would cut real translation text.
DEFAULT_TRAILER_PATTERNS: tuple[str, ...] = (
    r"では、?毎週",
    r"体験レッスン",
    r"無料体験",
    r"お問い?合わせ",
    r"お申し?込み",
    r"ご活用ください",
    r"詳しくは",
    r"https?://",
    r"www\.",
    r"(?i)^(advertisement|sponsored|pr)\s*[:：]",
)


@dataclass(frozen=True)
class Settings:
    """Everything a build needs to know besides the lessons themselves."""

    deck_name: str = "English News"  # top-level Anki deck; each lesson is the subdeck "<deck_name>::<title>"
    course_name: str = "English News Reading"  # printed in the worksheet header
    author: str = ""  # PDF metadata author (the school or teacher)
    page_size: str = "a4"  # worksheet paper: a4, b5 (JIS B5) or letter
    formats: tuple[str, ...] = FORMATS  # what `build` writes per lesson
    reading_page: bool = False  # add a reading page (article and translation) to worksheets
    trailer_patterns: tuple[str, ...] = DEFAULT_TRAILER_PATTERNS  # regexes that start a trailer after the translation


# Key -> (type check, human description) for validating the YAML file.
_SCHEMA: dict[str, tuple[type | tuple[type, ...], str]] = {
    "deck_name": (str, "a string"),
    "course_name": (str, "a string"),
    "author": (str, "a string"),
    "page_size": (str, "one of " + ", ".join(PAGE_SIZES)),
    "formats": (list, "a list of " + ", ".join(FORMATS)),
    "reading_page": (bool, "true or false"),
    "trailer_patterns": (list, "a list of regular expressions"),
}


def find_config(start: Path) -> Path | None:
    """The ``ankiexport.yaml`` in ``start`` (the project root is where the user runs the tool), if there is one."""
    candidate = start / CONFIG_NAME
    return candidate if candidate.is_file() else None


def load_config(path: Path | None) -> tuple[Settings, list[Diagnostic]]:
    """Read settings from ``path`` (defaults when None); unknown keys are warnings, wrong values are errors."""
    if path is None:
        return Settings(), []
    from .yamlsafe import load_yaml_mapping  # local: keeps `--help` free of the YAML import cost

    data, lines = load_yaml_mapping(path, error=ConfigError)
    warnings: list[Diagnostic] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = lines.get(key)
        if key not in _SCHEMA:
            warnings.append(Diagnostic(line, f"unknown key {key!r} ignored (known: {', '.join(_SCHEMA)})"))
            continue
        kind, described = _SCHEMA[key]
        if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
            raise ConfigError(f"{key} must be {described}, not {value!r}", str(path), line)
        values[key] = value
    return override(Settings(), values, source=str(path), lines=lines), warnings


def override(
    settings: Settings,
    values: Mapping[str, Any],
    *,
    source: str = "command line",
    lines: Mapping[str, int] | None = None,
) -> Settings:
    """``settings`` with ``values`` applied; None values (unset flags) never override anything."""
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or value == ():
            continue
        line = (lines or {}).get(key)
        if key == "page_size":
            value = str(value).lower()
            if value not in PAGE_SIZES:
                raise ConfigError(f"page_size must be one of {', '.join(PAGE_SIZES)}, not {value!r}", source, line)
        elif key == "formats":
            value = tuple(dict.fromkeys(str(v).lower() for v in value))
            unknown = [v for v in value if v not in FORMATS]
            if unknown or not value:
                raise ConfigError(f"formats must be a list of {', '.join(FORMATS)}, not {list(value)!r}", source, line)
        elif key == "trailer_patterns":
            value = tuple(str(v) for v in value)
            for pattern in value:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ConfigError(
                        f"trailer pattern {pattern!r} is not a regular expression: {exc}", source, line
                    ) from None
        changes[key] = value
    return dataclasses.replace(settings, **changes)


def settings_fingerprint(settings: Settings) -> str:
    """A stable text form of the settings, hashed into the build's change detection."""
    return repr(dataclasses.astuple(settings))
