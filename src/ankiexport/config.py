"""Settings, each declared once (type, default, choices, help, config key, flag), and merged from defaults,
``ankiexport.yaml`` and command-line flags into one frozen value."""

from __future__ import annotations

import dataclasses
import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, get_origin, get_type_hints

from .errors import ConfigError
from .model import Diagnostic

CONFIG_NAME = "ankiexport.yaml"
PAGE_SIZES = ("a4", "b5", "letter")
FORMATS = ("apkg", "pdf", "html", "quizlet", "kahoot")  # every format a build can write
DEFAULT_FORMATS = ("apkg", "pdf", "html")  # what it writes unless told: the class quiz formats are asked for
KAHOOT_TIME_LIMITS = (5, 10, 20, 30, 60, 90, 120, 240)  # seconds; the only values Kahoot!'s template accepts
GAPFILL_SOURCES = ("own", "generated")

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

T = TypeVar("T")


def _regex_problem(pattern: str) -> str | None:
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"trailer pattern {pattern!r} is not a regular expression: {exc}"
    if _nested_repeat(pattern):
        return (
            f"trailer pattern {pattern!r} repeats a repeat (like '(a+)+'), which can take exponential time on a long "
            "line; write it without the nesting (e.g. 'a+')"
        )
    return None


def _nested_repeat(pattern: str) -> bool:
    """True when an unbounded repeat holds another unbounded repeat: the classic catastrophic backtracking shape.

    Other slow shapes (overlapping alternatives under a repeat) are bounded at run time by a timeout instead.
    """
    import importlib
    import sys

    # The standard library's own parser of patterns (re._parser from Python 3.11, sre_parse before).
    _parser = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")

    def walk(items: Any, inside: bool) -> bool:
        for op, arg in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT"):
                unbounded = arg[1] == _parser.MAXREPEAT
                if (unbounded and inside) or walk(arg[2], inside or unbounded):
                    return True
            children = [arg[-1]] if name == "SUBPATTERN" else arg[1] if name == "BRANCH" else []
            if any(walk(child, inside) for child in children):
                return True
        return False

    try:
        return walk(_parser.parse(pattern), False)
    except Exception:  # a parser from another Python version: the run-time bound still holds
        return False


def _url_problem(address: str) -> str | None:
    if address and not (re.match(r"https?://[^\s\"'<>]+/$", address)):
        return f"deck_url must be an http(s) address ending in '/', not {address!r}"
    return None


def _versions_problem(text: str) -> str | None:
    return None if 1 <= int(text) <= 26 else f"versions must be between 1 and 26 (A to Z), not {text}"


@dataclass(frozen=True)
class Declaration:
    """What the settings table says about one setting besides its name, type and default."""

    help: str  # one sentence, shown by --help and in README's settings table
    choices: tuple[str, ...] = ()  # allowed values (case-insensitive); for a list, of each item
    flag: str | None = None  # the `build` option, e.g. "--page-size"; None: the config file only
    shown_default: str | None = None  # README's default column when the value itself is too long to show
    check: Callable[[str], str | None] | None = None  # further check of each text value: the problem, or None


def setting(default: T, help: str, **declared: str | tuple[str, ...] | Callable[[str], str | None] | None) -> T:
    """A field of Settings with its declaration (see Declaration for the keywords)."""
    return dataclasses.field(default=default, metadata={"setting": Declaration(help, **declared)})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Settings:
    """Everything a build needs to know besides the lessons themselves: the one table of settings."""

    deck_name: str = setting(
        "English News",
        "top-level Anki deck; each lesson is the subdeck `<deck_name>::<lesson date>` (its id when undated)",
        flag="--deck-name",
    )
    course_name: str = setting(
        "English News Reading", "printed in the worksheet header and on the site's pages", flag="--course-name"
    )
    author: str = setting("", "the PDF's author metadata (school or teacher)")
    page_size: str = setting(
        "a4", "worksheet paper: `a4`, `b5` (JIS B5, 182 × 257 mm) or `letter`", choices=PAGE_SIZES, flag="--page-size"
    )
    formats: tuple[str, ...] = setting(
        DEFAULT_FORMATS,
        "what `build` writes per lesson: any of `apkg`, `pdf`, `html`, `quizlet`, `kahoot` (the flag is repeatable)",
        choices=FORMATS,
        flag="--format",
    )
    reading_page: bool = setting(
        True,
        "write the reading handout `<id>-reading.pdf` (article and Japanese translation; teachers only)",
        flag="--reading-page",
    )
    vocabulary_page: bool = setting(
        True,
        "add the vocabulary study page (dictionary form, 和訳, 解説, IPA) to the reading handout",
        flag="--vocabulary-page",
    )
    gapfill: str = setting(
        "own",
        "gap-fill source: `own` (the lesson's block; letter counts always from the article) or `generated`",
        choices=GAPFILL_SOURCES,
        flag="--gapfill",
    )
    audio: bool = setting(
        True,
        "pronunciation audio in decks and on the site's pages (needs the `audio` extra; without it the cards use "
        "Anki's text-to-speech and the pages have no players)",
        flag="--audio",
    )
    audio_front: bool = setting(
        False, "also play the term's audio on the front of recognition cards", flag="--audio-front"
    )
    trailer_patterns: tuple[str, ...] = setting(
        DEFAULT_TRAILER_PATTERNS,
        "regular expressions; the first line after the translation that matches one starts the trailer",
        shown_default="see below",
        check=_regex_problem,
    )
    versions: int = setting(
        1,
        "student versions of each worksheet (A, B, … up to 26): other orders, each with its own teacher edition",
        flag="--versions",
        check=_versions_problem,
    )
    kahoot_time_limit: int = setting(
        20,
        "seconds per Kahoot! question: 5, 10, 20, 30, 60, 90, 120 or 240 (the values Kahoot! accepts)",
        choices=tuple(map(str, KAHOOT_TIME_LIMITS)),
        flag="--kahoot-time-limit",
    )
    deck_url: str = setting(
        "",
        "where the site's pages link the decks: an address the deck file names are appended to (the publishing "
        "workflow's release); empty: beside the pages",
        flag="--deck-url",
        shown_default="(empty)",
        check=_url_problem,
    )


@dataclass(frozen=True)
class Declared:
    """One setting as the table declares it: name (also its config key), type, default and declaration."""

    name: str
    kind: type  # str, bool, int, or tuple (a list of strings)
    default: object
    declaration: Declaration


def declared_settings() -> tuple[Declared, ...]:
    """Every setting, in table order."""
    hints = get_type_hints(Settings)
    result = []
    for field in dataclasses.fields(Settings):
        kind = get_origin(hints[field.name]) or hints[field.name]
        result.append(Declared(field.name, kind, field.default, field.metadata["setting"]))
    return tuple(result)


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
    known = {item.name: item for item in declared_settings()}
    warnings = [Diagnostic(lines.get(key), _unknown(key, list(known))) for key in data if key not in known]
    values = {key: value for key, value in data.items() if key in known}
    for key, value in values.items():
        if value is None:
            raise ConfigError(f"{key} must be {_described(known[key])}, not {value!r}", str(path), lines.get(key))
    return override(Settings(), values, source=str(path), lines=lines, strict=True), warnings


def _unknown(key: str, known: list[str]) -> str:
    """The warning for an unknown key, with the likeliest meant key (``pagesize`` -> ``page_size``)."""
    squeezed = {name.replace("_", ""): name for name in known}
    plain = re.sub(r"[-_\s]", "", str(key)).lower()
    guess = squeezed.get(plain) or next(iter(difflib.get_close_matches(str(key).lower(), known, n=1)), None)
    if guess:
        return f"unknown key {key!r} ignored; did you mean {guess!r}?"
    return f"unknown key {key!r} ignored (known: {', '.join(known)})"


def override(
    settings: Settings,
    values: Mapping[str, object],
    *,
    source: str = "command line",
    lines: Mapping[str, int] | None = None,
    strict: bool = False,
) -> Settings:
    """``settings`` with ``values`` applied; None values (unset flags) never override anything."""
    known = {item.name: item for item in declared_settings()}
    changes: dict[str, object] = {}
    for key, value in values.items():
        if value is None or (value == () and not strict):
            continue
        problem, coerced = _coerce(known[key], value)
        if problem:
            raise ConfigError(problem, source, (lines or {}).get(key))
        changes[key] = coerced
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def _described(item: Declared) -> str:
    choices = ", ".join(item.declaration.choices)
    if item.kind is tuple:
        return f"a list of {choices}" if choices else "a list of strings"
    if item.kind is bool:
        return "true or false"
    if item.kind is int:
        return f"one of {choices}" if choices else "a whole number"
    return f"one of {choices}" if choices else "a string"


def _usable_text(text: str) -> bool:
    """No control characters (0x1F splits Anki fields) and something visible (not only zero-width spaces)."""
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        return False
    return any(unicodedata.category(ch)[0] not in "ZC" and unicodedata.category(ch) not in ("Mn", "Me") for ch in text)


def _coerce(item: Declared, value: object) -> tuple[str, object]:
    """The value as the setting's type, or the problem with it."""
    declared = item.declaration
    texts = _texts(item, value)
    if texts is None or (declared.choices and any(text not in declared.choices for text in texts)):
        return f"{item.name} must be {_described(item)}, not {value!r}", None
    unusable = next((text for text in texts if not _usable_text(text)), None) if item.kind not in (bool, int) else None
    if unusable is not None:
        return f"{item.name} holds control or only invisible characters: {unusable!r}", None
    problems = [problem for problem in map(declared.check, texts) if problem] if declared.check else []
    if problems:
        return problems[0], None
    if item.kind in (bool, int):
        return "", value
    return "", tuple(dict.fromkeys(texts)) if item.kind is tuple else texts[0]


def _texts(item: Declared, value: object) -> list[str] | None:
    """The value's text forms, for choices and checks (lower case where there are choices); None: wrong type."""
    if item.kind is bool:
        return [] if isinstance(value, bool) else None
    if item.kind is int:
        return [str(value)] if isinstance(value, int) and not isinstance(value, bool) else None
    items = value if item.kind is tuple and isinstance(value, (list, tuple)) else [value]
    if not items or not all(isinstance(v, str) and v.strip() for v in items):
        return None
    return [str(v).lower() if item.declaration.choices else str(v) for v in items]


def settings_fingerprint(settings: Settings) -> str:
    """A stable text form of the settings, hashed into the build's change detection."""
    return repr(dataclasses.astuple(settings))


def settings_table() -> str:
    """README's settings table, made from the declarations (a test keeps README equal to it)."""
    rows = ["| key | default | meaning | flag |", "| --- | --- | --- | --- |"]
    for item in declared_settings():
        declared = item.declaration
        cells = [f"`{item.name}`", _shown(item), declared.help, _flag(item)]
        rows.append(" ".join(f"| {cell}" if cell else "|" for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def _shown(item: Declared) -> str:
    if item.declaration.shown_default is not None:
        return item.declaration.shown_default
    if isinstance(item.default, tuple):
        return f"`[{', '.join(item.default)}]`"
    if isinstance(item.default, bool):
        return f"`{str(item.default).lower()}`"
    return f"`{item.default}`" if item.default != "" else "(empty)"


def _flag(item: Declared) -> str:
    flag = item.declaration.flag
    if flag is None:
        return ""
    if item.kind is bool:
        return f"`{flag}/--no-{flag[2:]}`"
    return f"`{flag}`"
