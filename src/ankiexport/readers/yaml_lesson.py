"""Reading and writing the canonical YAML lesson form (the schema README's "YAML lesson format" documents)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import yaml

from ..config import Settings
from ..errors import LessonError
from ..model import Diagnostic, Lesson, Paragraph, Translation, VocabEntry, term_identity
from ..yamlsafe import LineMap, parse_yaml
from .text import (
    VALUE_CONTROL,
    date_from_stem,
    decode_lesson_bytes,
    describe_control,
    is_invisible,
    normalise_text,
)

# The order keys are written in, which is also the order a lesson reads in.
TOP_KEYS = ("title", "date", "article", "gapfill", "vocabulary", "translation", "trailer")
ENTRY_KEYS = ("term", "gloss", "explanation")
TRANSLATION_KEYS = ("title", "paragraphs")

_HEADER_COMMENT = '# ankiexport lesson (YAML form): see README, section "YAML lesson format"\n'

Where = tuple[Any, ...]

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _describe(value: Any) -> str:
    """How a wrong value is named in messages: its YAML kind, and the value when it is short."""
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__  # pragma: no cover - yamlsafe yields only the kinds above


def _key_name(where: Where) -> str:
    """``("vocabulary", 2, "gloss")`` → ``vocabulary[2].gloss`` (0-based indices, as the YAML list counts)."""
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Schema:
    """Checks one parsed document against the schema, with every error and warning naming its line and key."""

    def __init__(self, path: str, lines: LineMap) -> None:
        self.path = path
        self.lines = lines
        self.warnings: list[Diagnostic] = []

    def line(self, where: Where) -> int | None:
        while where:
            if where in self.lines:
                return self.lines[where]
            where = where[:-1]
        return self.lines.get(())

    def error(self, where: Where, message: str) -> LessonError:
        prefix = f"{_key_name(where)}: " if where else ""
        return LessonError(prefix + message, self.path, self.line(where))

    def text(self, value: Any, where: Where, *, required: bool = True) -> str:
        """A text value stripped of outer whitespace; numbers and booleans are errors (YAML reads `no` as false)."""
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            hint = "; put it in quotes" if isinstance(value, (bool, int, float)) else ""
            raise self.error(where, f"must be text, not {_describe(value)}{hint}")
        # Checked after YAML decoded its escapes: "\x1f" in quotes is a real control character (Anki's field separator).
        control = VALUE_CONTROL.search(value)
        if control is not None:
            raise self.error(
                where, f"holds a {describe_control(control.group())}; only tab and newline are allowed in text"
            )
        stripped: str = normalise_text(value.strip())
        if required and is_invisible(stripped):
            raise self.error(where, "must not be empty" if not stripped else "has only invisible characters")
        return stripped

    def mapping(self, value: Any, where: Where, known: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            what = "the lesson" if not where else "it"
            raise self.error(where, f"{what} must be a mapping with keys {', '.join(known)}, not {_describe(value)}")
        for key in value:
            if key not in known:
                self.warnings.append(
                    Diagnostic(
                        self.line((*where, key)),
                        f"unknown key {_key_name((*where, key))!r} ignored (known: {', '.join(known)})",
                    )
                )
        return value

    def text_list(self, value: Any, where: Where, *, required: bool) -> list[tuple[str, int]]:
        """A list of non-empty texts with their lines; empty items are warned about and skipped."""
        if value is None and not required:
            return []
        if not isinstance(value, list):
            raise self.error(where, f"must be a list of text lines (one '- …' item each), not {_describe(value)}")
        items: list[tuple[str, int]] = []
        for index, item in enumerate(value):
            text = self.text(item, (*where, index), required=False)
            if not text:
                self.warnings.append(Diagnostic(self.line((*where, index)), f"{_key_name((*where, index))} is empty"))
                continue
            items.append((text, self.line((*where, index)) or 0))
        if required and not items:
            raise self.error(where, "must hold at least one line")
        return items


def read_yaml_lesson(path: Path, data: bytes, settings: Settings) -> Lesson:
    """Read a YAML lesson into a Lesson (analysis fields empty); LessonError for bad YAML or schema errors."""
    del settings  # the YAML form states its trailer explicitly; no setting changes how it is read
    source = str(path)
    text = decode_lesson_bytes(data, source)
    document, lines = parse_yaml(text, source, LessonError)
    schema = _Schema(source, lines)
    if document is None:
        raise LessonError("the file is empty (no YAML content)", source)
    top = schema.mapping(document, (), TOP_KEYS)
    title, title_line = _read_title(schema, top)
    date = _read_date(schema, top, path.stem)
    article = _read_article(schema, top)
    gapfill = schema.text_list(top.get("gapfill"), ("gapfill",), required=False)
    trailer = tuple(t for t, _ in schema.text_list(top.get("trailer"), ("trailer",), required=False))
    vocabulary = _read_vocabulary(schema, top)
    translation = _read_translation(schema, top)
    return Lesson(
        id=path.stem,
        source=source,
        title=title,
        date=date,
        article=article,
        vocabulary=vocabulary,
        translation=translation,
        gapfill=tuple(t for t, _ in gapfill),
        gapfill_lines=tuple(n for _, n in gapfill),
        trailer=trailer,
        warnings=tuple(sorted(schema.warnings, key=lambda d: -1 if d.line is None else d.line)),
        title_line=title_line,
    )


def _read_title(schema: _Schema, top: dict[str, Any]) -> tuple[str, int]:
    if "title" not in top:
        raise schema.error((), "the lesson needs a 'title' key (its English title)")
    return schema.text(top["title"], ("title",)), schema.line(("title",)) or 1


def _read_date(schema: _Schema, top: dict[str, Any], stem: str) -> str | None:
    """The lesson's ``date``, else the one its file name starts with; a warning when the two differ."""
    date, line = _own_date(schema, top)
    stem_date, stem_warning = date_from_stem(stem)
    if date is None:
        if stem_warning is not None:
            schema.warnings.append(stem_warning)
        return stem_date
    if stem_date is not None and stem_date != date:
        schema.warnings.append(
            Diagnostic(line, f"date {date} differs from the file name's date {stem_date}; using {date}")
        )
    return date


def _own_date(schema: _Schema, top: dict[str, Any]) -> tuple[str | None, int | None]:
    value = top.get("date")
    line = schema.line(("date",))
    if value is None:
        return None, line
    if not isinstance(value, str):
        raise schema.error(("date",), f"must be a date written YYYY-MM-DD, not {_describe(value)}")
    # fromisoformat alone would also take week dates and compact forms on newer Pythons; the schema says YYYY-MM-DD.
    match = _ISO_DATE.fullmatch(value.strip())
    try:
        parsed = datetime.date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise schema.error(("date",), f"must be a real date written YYYY-MM-DD, not {value!r}")
    return parsed.isoformat(), line


def _read_article(schema: _Schema, top: dict[str, Any]) -> tuple[Paragraph, ...]:
    if "article" not in top:
        raise schema.error((), "the lesson needs an 'article' key: a list of English paragraphs")
    return tuple(Paragraph(t, n) for t, n in schema.text_list(top["article"], ("article",), required=True))


def _read_vocabulary(schema: _Schema, top: dict[str, Any]) -> tuple[VocabEntry, ...]:
    if "vocabulary" not in top:
        raise schema.error((), "the lesson needs a 'vocabulary' key: a list of {term, gloss, explanation}")
    items = top["vocabulary"]
    where: Where = ("vocabulary",)
    if not isinstance(items, list):
        raise schema.error(where, f"must be a list of entries ('- term: …' items), not {_describe(items)}")
    if not items:
        raise schema.error(where, "has no entries")
    entries: list[VocabEntry] = []
    first_line: dict[str, int] = {}
    for index, item in enumerate(items):
        at: Where = (*where, index)
        entry = schema.mapping(item, at, ENTRY_KEYS)
        for key in ("term", "gloss"):
            if key not in entry:
                raise schema.error(at, f"the entry has no {key!r}")
        term = schema.text(entry["term"], (*at, "term"))
        gloss = schema.text(entry["gloss"], (*at, "gloss"))
        explanation = schema.text(entry.get("explanation"), (*at, "explanation"), required=False)
        line = schema.line(at) or 0
        key = term_identity(term)
        if key in first_line:
            raise schema.error(
                (*at, "term"), f"the term {term!r} appears twice in the vocabulary: lines {first_line[key]} and {line}"
            )
        first_line[key] = line
        entries.append(VocabEntry(term, gloss, explanation, line))
    return tuple(entries)


def _read_translation(schema: _Schema, top: dict[str, Any]) -> Translation | None:
    where: Where = ("translation",)
    if top.get("translation") is None:
        schema.warnings.append(
            Diagnostic(
                schema.line(where) if "translation" in top else None,
                "no translation; the lesson is still usable: cards and worksheets are made without the Japanese "
                "translation",
            )
        )
        return None
    section = schema.mapping(top["translation"], where, TRANSLATION_KEYS)
    title = schema.text(section.get("title"), (*where, "title"), required=False)
    paragraphs = tuple(
        t for t, _ in schema.text_list(section.get("paragraphs"), (*where, "paragraphs"), required=False)
    )
    if not title:
        schema.warnings.append(Diagnostic(schema.line(where), "the translation has no title"))
    if not paragraphs:
        schema.warnings.append(Diagnostic(schema.line(where), "the translation has no paragraphs"))
    return Translation(title, paragraphs, schema.line(where) or 0)


# ------------------------------------------------------------------------------------------------ writing


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line text as ``|`` blocks and never indents lists less than their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def lesson_document(lesson: Lesson) -> dict[str, Any]:
    """The reader-side fields of ``lesson`` as the plain data the YAML form holds, keys in schema order."""
    document: dict[str, Any] = {"title": lesson.title}
    if lesson.date is not None:
        document["date"] = lesson.date
    document["article"] = [paragraph.text for paragraph in lesson.article]
    if lesson.gapfill:
        document["gapfill"] = list(lesson.gapfill)
    entries: list[dict[str, str]] = []
    for entry in lesson.vocabulary:
        item = {"term": entry.term, "gloss": entry.gloss}
        if entry.explanation:
            item["explanation"] = entry.explanation
        entries.append(item)
    document["vocabulary"] = entries
    if lesson.translation is not None:
        document["translation"] = {
            "title": lesson.translation.title,
            "paragraphs": list(lesson.translation.paragraphs),
        }
    if lesson.trailer:
        document["trailer"] = list(lesson.trailer)
    return document


def dump_yaml_lesson(lesson: Lesson) -> str:
    """The lesson in the canonical YAML form: stable key order, Japanese as written, multi-line text as blocks."""
    body = yaml.dump(
        lesson_document(lesson),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,  # one paragraph per line, as in text lessons; folded lines are harder to edit
    )
    return _HEADER_COMMENT + str(body)
