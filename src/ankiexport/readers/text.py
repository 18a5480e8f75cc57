"""Reader for text lessons as teachers receive them: raw bytes to title, article, gap-fill, vocabulary, translation."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from ..config import DEFAULT_TRAILER_PATTERNS, Settings
from ..errors import ConfigError, LessonError
from ..model import Diagnostic, Lesson, Paragraph, Translation, VocabEntry

# ------------------------------------------------------------------------------------------------ bytes to lines

# UTF-32 BOMs are not listed: FF FE 00 00 then decodes as UTF-16 with a NUL, which the control check rejects clearly.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8", "UTF-8"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)

# Python's cp932 codec maps a few single bytes that no Shift_JIS editor writes (0x80, 0xA0, 0xFD-0xFF); seeing them
# means the bytes were not CP932 text at all, only bytes that happen to decode.
_CP932_ODDITIES = frozenset("\x80\uf8f0\uf8f1\uf8f2\uf8f3")

# Tab and the line ends LF and CR are text; every other C0/C1 control (and DEL) shows up only in binary files or as
# a stray keystroke, and breaks the outputs (0x1F is Anki's field separator).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a decoded YAML value even CR is not text: only tab and newline are.
VALUE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Only CR, LF and CRLF end lines: str.splitlines() also splits on VT, FF, U+2028 and friends, which would make our
# line numbers disagree with every editor's.
_NEWLINE = re.compile(r"\r\n|\r|\n")

_ACCEPTED = "UTF-8 (with or without BOM), UTF-16 with a BOM, or CP932/Shift_JIS"


def _line_at(data: bytes, offset: int) -> int:
    """1-based line of byte ``offset``, counting LF, CR and CRLF as one line end each."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def _text_line_at(text: str, offset: int) -> int:
    """1-based line of character ``offset``, with the same line ends as ``_line_at``."""
    head = text[:offset]
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


def _mostly_utf8(data: bytes) -> bool:
    """True when valid UTF-8 multi-byte characters outnumber the invalid bytes (a UTF-8 file with a stray byte)."""
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = sum(1 for ch in text if ch > "\x7f") - invalid
    return valid > invalid


def _line_encoding(line: bytes) -> str:
    """ "ascii", "utf-8" or "other" for one line's bytes: what the per-line encoding check compares."""
    if line.isascii():
        return "ascii"
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return "other"
    return "utf-8"


def _mixed_encoding_line(data: bytes) -> int | None:
    """The first line whose encoding differs from the rest of a file that is not all UTF-8 (CP932 with a UTF-8 line).

    A UTF-8 line in a CP932 file would decode as CP932 too, as mojibake (急騰する -> 諤･鬨ｰ縺吶ｋ), so each line is
    classified on its own and the minority encoding is named.
    """
    kinds = [_line_encoding(line) for line in re.split(rb"\r\n|\r|\n", data)]
    utf8 = [number for number, kind in enumerate(kinds, start=1) if kind == "utf-8"]
    other = [number for number, kind in enumerate(kinds, start=1) if kind == "other"]
    if not utf8 or not other:
        return None
    return (utf8 if len(utf8) < len(other) else other)[0]


def _decode_without_bom(data: bytes, path: str) -> str:
    """UTF-8, else CP932 when every non-ASCII line is CP932; a LessonError naming the line that does not decode."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise LessonError(
            f"binary data, not a text lesson (a NUL byte at byte {nul}); UTF-16 text needs a byte-order mark",
            path,
            _line_at(data, nul),
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        bad = utf8_error.start
    if _mostly_utf8(data):
        # Reading it as CP932 would "succeed" and turn every Japanese line into mojibake without a word.
        raise LessonError(
            f"byte 0x{data[bad]:02X} at byte {bad} is not valid UTF-8, though the rest of the file is "
            "UTF-8; fix or retype that character, or save the file as UTF-8 again",
            path,
            _line_at(data, bad),
        )
    mixed = _mixed_encoding_line(data)
    if mixed is not None:
        raise LessonError(
            "this line is in another encoding than the rest of the file (UTF-8 and CP932/Shift_JIS mixed, e.g. "
            f"text pasted from another program); retype the line, or save the whole file as {_ACCEPTED}",
            path,
            mixed,
        )
    message = (
        f"cannot decode the file: byte 0x{data[bad]:02X} at byte {bad} is not UTF-8, and the bytes are not "
        f"CP932/Shift_JIS either; save the lesson as {_ACCEPTED}"
    )
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        raise LessonError(message, path, _line_at(data, bad)) from None
    if not _CP932_ODDITIES.isdisjoint(text):
        raise LessonError(message, path, _line_at(data, bad))
    return text


def decode_lesson_bytes(data: bytes, path: str) -> str:
    """The text of a lesson file, NFC-normalised; a LessonError for empty, binary or undecodable files."""
    if not data.strip():
        raise LessonError("the file is empty", path)
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                offset = exc.start + len(bom)
                raise LessonError(
                    f"the file starts with a {name} byte-order mark but byte {offset} is not valid {name}",
                    path,
                    None if codec.startswith("utf-16") else _line_at(data, offset),
                ) from None
            break
    else:
        text = _decode_without_bom(data, path)
    # Old DOS editors end files with Ctrl-Z; it is an end marker, not content.
    text = text.rstrip("\x1a")
    control = _CONTROL.search(text)
    if control is not None:
        raise LessonError(
            f"binary data or a stray keystroke: {describe_control(control.group())}; lessons are plain text, delete it",
            path,
            _text_line_at(text, control.start()),
        )
    if not text.strip():
        raise LessonError("the file is empty (only whitespace)", path)
    return normalise_text(text)


# Kept out of NFC: NFC maps CJK compatibility ideographs (神 U+FA19, 﨑-style variants in names) to their unified
# forms, which changes the glyph a Japanese reader sees. Everything else is composed (macOS pastes e + U+0301).
_CJK_COMPATIBILITY = re.compile(r"([\uf900-\ufaff\U0002f800-\U0002fa1f]+)")


def normalise_text(text: str) -> str:
    """``text`` in NFC (``résumé`` typed with combining accents becomes one character each), CJK variants kept."""
    if text.isascii():
        return text
    pieces = _CJK_COMPATIBILITY.split(text)
    return "".join(piece if index % 2 else unicodedata.normalize("NFC", piece) for index, piece in enumerate(pieces))


def describe_control(char: str) -> str:
    """``control character U+001F (INFORMATION SEPARATOR ONE)``: how messages name a control character."""
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "")
    return f"control character U+{ord(char):04X}" + (f" ({name.lower()})" if name else "")


_CONTROL_NAMES = {"\x0b": "vertical tab", "\x0c": "form feed", "\x1f": "unit separator", "\x7f": "delete"}


# Zero-width and other format characters, spaces and marks alone print nothing: a title of only those is invisible.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me"})


def is_invisible(text: str) -> bool:
    """True when ``text`` has no character that prints (empty, spaces, zero-width spaces, joiners, marks)."""
    return all(unicodedata.category(ch) in _INVISIBLE_CATEGORIES or ch.isspace() for ch in text)


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` split at CR, LF and CRLF only."""
    return _NEWLINE.split(text)


_EDGE_FORMAT = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width spaces, joiners and stray BOMs at a line's edges


def _visible_line(raw: str) -> str:
    """The line without outer whitespace and zero-width characters; "" for a line that prints nothing."""
    line = raw.strip().strip(_EDGE_FORMAT).strip()
    return "" if is_invisible(line) else line


# ------------------------------------------------------------------------------------------------ dates

_STEM_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?![0-9])")


def date_from_stem(stem: str) -> tuple[str | None, Diagnostic | None]:
    """The ISO date a ``YYYY-MM-DD`` file-name prefix names, or None (with a warning when it is no real date)."""
    match = _STEM_DATE.match(stem)
    if match is None:
        return None, None
    try:
        return datetime.date(*(int(part) for part in match.groups())).isoformat(), None
    except ValueError:
        return None, Diagnostic(
            None, f"the file name starts with {match.group()!r}, which is not a real date; the lesson has no date"
        )


# ------------------------------------------------------------------------------------------------ line kinds

SectionKind = Literal["vocabulary", "translation"]

# Marks that introduce a section header. '#' also starts ordinary English ("#1 hit"), so only a '#' line naming a
# known section is a header; a line starting with one of the others is never article or translation text.
_SECTION_MARKS = "■□◆◇●▼★☆▶▷►◎#="  # not "*": it is also a bullet ("* translation" can be a term)
_STRONG_MARKS = "■□◆◇●▼★☆▶▷►◎"
# Brackets a header word may stand in (after NFKC: ＜和訳＞ is <和訳>). [和訳] is left out: it is a field label.
_HEADER_BRACKETS = {"【": "】", "<": ">", "〈": "〉", "《": "》"}

# Compared after NFKC and casefold, so full-width and upper-case spellings match too.
_SECTION_WORDS: dict[str, SectionKind] = {
    "vocabulary": "vocabulary",
    "vocaburaly": "vocabulary",  # the real-world misspelling of the sample lesson
    "vocab": "vocabulary",
    "語彙": "vocabulary",
    "単語": "vocabulary",
    "重要表現": "vocabulary",
    "重要語句": "vocabulary",
    "語句": "vocabulary",
    "和訳": "translation",
    "日本語訳": "translation",
    "全訳": "translation",
    "translation": "translation",
}

_HEADER_EXAMPLES = "'■ Vocabulary', '【語彙】', '# 単語' or '■ 重要表現'"
_TRANSLATION_EXAMPLES = "'■ 和訳', '【日本語訳】' or '# 全訳'"


def _section_word(word: str, marked: bool, short_only: bool) -> tuple[SectionKind, str] | None:
    """Which section a header's word names, and any text after that word (decoration, or something misplaced)."""
    word = word.strip()
    folded = word.rstrip(":").strip().casefold()
    if folded in _SECTION_WORDS:
        return _SECTION_WORDS[folded], ""
    # '#' alone also starts English ("# vocabulary matters"): there only a short line counts as a header.
    if not marked or (short_only and len(folded) > 40):
        return None
    folded = word.casefold()  # same length as ``word`` for every character that can start a section word
    for known, kind in _SECTION_WORDS.items():
        if folded.startswith(known) and len(folded) > len(known) and not folded[len(known)].isalnum():
            return kind, word[len(known) :]
    # Teachers misspell "vocabulary" in more ways than one; on a marked line any "voca…" word means it.
    first = folded.split(maxsplit=1)[0] if folded.split(maxsplit=1) else ""
    if len(first) >= 5 and first.startswith("voca") and first.isascii() and first.isalpha():
        return "vocabulary", word[len(first) :]
    return None


def parse_header(line: str) -> tuple[SectionKind, str] | None:
    """(section, ignored text) for a header line (``■ Vocabulary``, ``【和訳】``, a bare ``語彙``), else None."""
    text = unicodedata.normalize("NFKC", line).strip()
    rest = text.lstrip(_SECTION_MARKS + " \t")
    marks = text[: len(text) - len(rest)]
    strong = any(mark in _STRONG_MARKS for mark in marks)
    if rest[:1] in _HEADER_BRACKETS:
        close = rest.find(_HEADER_BRACKETS[rest[0]])
        if close > 0:
            found = _section_word(rest[1:close], True, False)
            return None if found is None else (found[0], (found[1] + " " + rest[close + 1 :]).strip())
    return _section_word(rest, bool(marks), not strong)


def section_header(line: str) -> SectionKind | None:
    """The section a header line starts, or None for other lines."""
    found = parse_header(line)
    return None if found is None else found[0]


def _meaningful_extra(extra: str) -> str:
    """Header text after the section word that carries content (not decoration such as ``◆``, ``：``, ``――`` or a
    bracketed aside)."""
    extra = extra.strip(" :-–—・/|")
    if extra[:1] in "(（[" and extra[-1:] in ")）]":
        return ""
    return extra if any(ch.isalnum() for ch in extra) else ""


def _unknown_marked(line: str) -> bool:
    """True for a line that starts with a section mark but names no section we know (``■ Exercise``)."""
    text = unicodedata.normalize("NFKC", line).lstrip()
    return bool(text) and text[0] in _STRONG_MARKS


# Dashes and box-drawing lines make a rule even when only two long: "――" and "━━" are a full em wide each.
_LONG_RULE_CHARS = frozenset("―━─═＝—")


def _is_rule(line: str) -> bool:
    """True for a separator line such as ``-----``, ``――``, ``＊＊＊`` or ``■■■■``: one symbol repeated."""
    chars = set(line) - {" ", "\t", "\u3000"}
    if len(chars) != 1 or line[0].isalnum():
        return False
    return len(line) >= 3 or (len(line) == 2 and line[0] in _LONG_RULE_CHARS)


def is_gapfill_line(text: str) -> bool:
    """True when at least half the words are a first letter plus underscores (``g_____,``, ``AI-____``, ``I__’``)."""
    words = 0
    gaps = 0
    for token in text.split():
        if _is_gapped(token):
            gaps += 1
            words += 1
        elif any(ch.isalnum() for ch in token):
            words += 1
    return gaps > 0 and gaps * 2 >= words


def _is_gapped(token: str) -> bool:
    """True when a run of underscores ends the token or a part of it (``h___-____``), unlike ``snake_case``."""
    end = len(token)
    for i, ch in enumerate(token):
        if ch == "_" and (i + 1 == end or (token[i + 1] != "_" and not token[i + 1].isalnum())):
            return True
    return False


_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")

# Bullets are compared on the raw line; full- and half-width forms are listed because labels/terms keep their text.
_BULLETS = ("-", "・", "•", "*", "‐", "–", "－", "＊", "･", "◦", "‣")

FieldKind = Literal["gloss", "explanation"]
_LABELS: dict[str, FieldKind] = {
    "和訳": "gloss",
    "訳": "gloss",
    "意味": "gloss",
    "解説": "explanation",
    "説明": "explanation",
    "ポイント": "explanation",
}
_LABEL_NAMES: dict[FieldKind, str] = {"gloss": "gloss (和訳)", "explanation": "explanation (解説)"}


def _unbullet(text: str) -> str | None:
    """The text after a leading bullet, or None when the line has no bullet."""
    for bullet in _BULLETS:
        if text.startswith(bullet):
            return text[len(bullet) :].strip()
    return None


def field_label(text: str) -> tuple[FieldKind, str] | None:
    """``和訳: …`` / ``【解説】…`` → (field, value as written); None when ``text`` does not start with a label."""
    # Labels are short: looking only at the head keeps long lines cheap and avoids taking a colon deep in a sentence.
    head = text[:16]
    for i, ch in enumerate(head):
        if ch in ":：":
            name = unicodedata.normalize("NFKC", head[:i]).strip().strip("【】[]()").strip()
            kind = _LABELS.get(name)
            return (kind, _printed(text[i + 1 :])) if kind is not None else None
    if head.startswith(("【", "[")):
        close = head.find("】" if head.startswith("【") else "]")
        if close > 0:
            kind = _LABELS.get(unicodedata.normalize("NFKC", head[1:close]).strip())
            if kind is not None:
                return kind, _printed(text[close + 1 :])
    return None


def _printed(value: str) -> str:
    """A label's value, "" when it prints nothing (a lone combining mark): the YAML reader refuses those too."""
    value = value.strip()
    return "" if is_invisible(value) else value


# "1. term", "(2) term", "３）term", "④ term": numbered entries, common in teachers' own lists.
_NUMBERED = re.compile(r"(?:[0-9０-９]{1,3}[.)．）]|[(（][0-9０-９]{1,3}[)）]|[\u2460-\u2473])\s*")


def _looks_like_term(text: str) -> bool:
    """Short English text that does not end like a sentence: what a term is, and an example sentence is not."""
    return 0 < len(text) <= 60 and _starts_like_term(text) and not text.endswith((".", "!", "?", "。", "！", "？"))


def _unbulleted_term(text: str, following: str) -> str | None:
    """The term of an entry written without a bullet: numbered, or directly followed by its 和訳 line."""
    numbered = _NUMBERED.match(text)
    if numbered is not None:
        rest = text[numbered.end() :].strip()
        return rest if _looks_like_term(rest) else None
    if _looks_like_term(text):
        body = _unbullet(following)
        label = field_label(body if body is not None else following)
        if label is not None and label[0] == "gloss":
            return text
    return None


def _starts_like_term(text: str) -> bool:
    """True when the text starts like an English term: its first letter or digit is Latin (``tap into``, ``résumé``)
    or a digit in text without Japanese (``24/7``, ``5G``, ``3D printing``); ``・例: …`` or ``- 1つ目は…`` inside an
    explanation is not a term."""
    head = unicodedata.normalize("NFKC", text[:64])
    for ch in head:
        if ch.isdigit():
            return _JAPANESE.search(text) is None
        if ch.isalnum():
            return "a" <= unicodedata.normalize("NFKD", ch)[0].lower() <= "z"
    return False


# ------------------------------------------------------------------------------------------------ lines classified


@dataclass(frozen=True, slots=True)
class _Line:
    """A line that holds something, classified once: a rule, a section header, or text for the current section."""

    number: int
    text: str
    following: str = ""  # the next line of text after it: a term written without a bullet is known by its 和訳 line
    rule: bool = False
    header: tuple[SectionKind, str] | None = None  # the section a header starts, and the text after its word


def _classified(text: str) -> list[_Line]:
    """The lesson's lines that print something, in order; blank lines separate nothing the reader needs."""
    visible = [_visible_line(raw) for raw in split_lines(text)]
    lines: list[_Line] = []
    following = ""
    for number in range(len(visible), 0, -1):  # from the end, so that each line knows the text after it
        line = visible[number - 1]
        if not line:
            continue
        rule = _is_rule(line)
        lines.append(_Line(number, line, following, rule, None if rule else parse_header(line)))
        if not rule:
            following = line
    lines.reverse()
    return lines


# ------------------------------------------------------------------------------------------------ parsing

_Section = Literal["title", "article", "vocabulary", "translation"]


@dataclass
class _Entry:
    term: str
    line: int
    gloss: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    labels: dict[FieldKind, int] = field(default_factory=dict)  # field -> line of its (first) label
    tail: list[tuple[int, str]] = field(default_factory=list)  # unlabelled lines added since the last label

    def field_lines(self, kind: FieldKind) -> list[str]:
        """The lines of the field a label of this kind opens (the list itself, to add to or cut)."""
        return self.gloss if kind == "gloss" else self.explanation


@dataclass
class _Parse:
    """Everything collected while walking the lines once, and the section the walk is in."""

    path: str
    patterns: tuple[Any, ...] = ()  # the trailer patterns, compiled
    school_names: tuple[str, ...] = ()  # the author and course name, casefolded: a line naming them is advertising
    section: _Section = "title"
    headers: dict[SectionKind, int] = field(default_factory=dict)  # section -> line of its (first) header
    warnings: list[Diagnostic] = field(default_factory=list)
    title: str = ""
    title_line: int = 0
    article: list[Paragraph] = field(default_factory=list)
    gapfill: list[str] = field(default_factory=list)
    gapfill_line: int = 0
    gapfill_numbers: list[int] = field(default_factory=list)
    warned_after_gapfill: bool = False
    vocab_line: int = 0
    entries: list[_Entry] = field(default_factory=list)
    current: _Entry | None = None
    open_field: FieldKind | None = None
    translation_line: int = 0
    translation_title: str = ""
    translation_paragraphs: list[str] = field(default_factory=list)
    trailer: list[str] = field(default_factory=list)
    trailer_line: int = 0  # where the trailer starts (a rule line, or its first line); 0 while there is none
    trailer_reason: str = ""
    pending_rule: int = 0  # a rule line after translation paragraphs, until the next line shows what it sets off

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append(Diagnostic(line, message))


# A trailer pattern gets this long on one line (the regex module's timeout). Patterns the settings refuse aside
# (a repeat in a repeat), only a pathological one comes near it, and it is then an error, never a silent guess.
PATTERN_SECONDS = 1.0


@lru_cache(maxsize=16)
def _compile_patterns(patterns: tuple[str, ...]) -> tuple[Any, ...]:
    import regex  # same syntax as re for trailer patterns, plus a timeout

    try:
        return tuple(regex.compile(pattern) for pattern in patterns)
    except regex.error as exc:
        raise ConfigError(f"a trailer pattern is not a regular expression: {exc}") from None


def _matches(pattern: Any, text: str, state: _Parse, number: int) -> bool:
    """True when the trailer pattern matches; an error naming the pattern and line when it takes too long."""
    # The default patterns are plain and linear: only the school's own ones need the bound (a wall-clock one, which
    # a loaded machine could otherwise trip on a sane pattern).
    timeout = None if pattern.pattern in DEFAULT_TRAILER_PATTERNS else PATTERN_SECONDS
    try:
        return pattern.search(text, timeout=timeout) is not None
    except TimeoutError:
        raise LessonError(
            f"the trailer pattern {pattern.pattern!r} took over {PATTERN_SECONDS} s on this line (catastrophic "
            "backtracking); simplify it in ankiexport.yaml",
            state.path,
            number,
        ) from None


def read_text_lesson(path: Path, data: bytes, settings: Settings) -> Lesson:
    """Read a text lesson into a Lesson (analysis fields empty); LessonError when it is not a usable lesson."""
    source = str(path)
    text = decode_lesson_bytes(data, source)
    names = (settings.author, settings.course_name)
    state = _Parse(
        source,
        patterns=_compile_patterns(tuple(settings.trailer_patterns)),
        school_names=tuple(unicodedata.normalize("NFKC", name).casefold().strip() for name in names if name.strip()),
    )
    for line in _classified(text):
        _step(state, line)
    if not state.translation_line:
        _recover_translation(state)
    return _finish(path, state)


def _step(state: _Parse, line: _Line) -> None:
    """One line of the walk: rules and headers act on the walk itself; any other line goes to its section."""
    if line.rule:
        if state.section == "translation":
            _rule_in_translation(state, line.number)
    elif state.section == "title":
        _title_line(state, line)
    elif line.header is not None:
        _header_line(state, line, *line.header)
    elif _unknown_marked(line.text) and not (state.section == "translation" and state.trailer_line):
        state.warn(
            line.number,
            f"{line.text[:40]!r} starts with a section mark but names no known section "
            f"(vocabulary: {_HEADER_EXAMPLES}; translation: {_TRANSLATION_EXAMPLES}); ignored",
        )
    else:
        _SECTION_LINES[state.section](state, line)


def _title_line(state: _Parse, line: _Line) -> None:
    """The first line is the English title; the article follows it."""
    if line.header is not None:
        raise LessonError(
            f"the lesson starts with a section header ({line.text!r}); it must start with its English title",
            state.path,
            line.number,
        )
    state.title, state.title_line = line.text, line.number
    state.section = "article"


def _header_line(state: _Parse, line: _Line, section: SectionKind, extra: str) -> None:
    """A section header: the walk moves to that section (a second header of a section joins the first)."""
    number = line.number
    # Words after a vocabulary header are a label ("Vocabulary list"); after 和訳 they may be the title.
    ignored = _meaningful_extra(extra) if section == "translation" else ""
    if ignored:
        state.warn(
            number,
            f"text after the translation header ({ignored[:40]!r}) is ignored; "
            "put the Japanese title on the line below the header",
        )
    if section in state.headers:
        state.warn(
            number,
            f"a second {section} header (the first is on line {state.headers[section]}); its lines join that section",
        )
    else:
        state.headers[section] = number
    if section == "vocabulary":
        state.vocab_line = state.vocab_line or number
        state.current, state.open_field = None, None
    else:
        state.translation_line = state.translation_line or number
        if state.trailer_line:
            state.warn(number, "a translation header after the trailer; its lines are kept in the trailer")
    state.section = section


def _article_line(state: _Parse, line: _Line) -> None:
    """An article paragraph, or a line of the lesson's own gap-fill exercise."""
    number, text = line.number, line.text
    if is_gapfill_line(text):
        if not state.gapfill:
            state.gapfill_line = number
        state.gapfill.append(text)
        state.gapfill_numbers.append(number)
        return
    if state.gapfill and not state.warned_after_gapfill:
        state.warned_after_gapfill = True
        state.warn(
            number,
            f"article text after the gap-fill block (which starts at line {state.gapfill_line}); "
            "kept in the article: check that it is not part of the exercise",
        )
    # A Japanese word in parentheses is fine in an English article; a mostly Japanese line means a missing header.
    japanese = len(_JAPANESE.findall(text))
    if japanese and japanese >= sum(1 for ch in text if ch.isascii() and ch.isalpha()):
        state.warn(number, "Japanese text in the article (a section header missing?); kept as an article paragraph")
    state.article.append(Paragraph(text, number))


def _vocabulary_line(state: _Parse, line: _Line) -> None:
    """A line of the vocabulary: a new entry's term, a 和訳/解説 label, or more text of the open field."""
    body = _unbullet(line.text)
    label = field_label(body if body is not None else line.text)
    if body is None and label is None and (state.current is None or state.current.gloss):
        term = _unbulleted_term(line.text, line.following)
        if term is not None:
            _new_entry(state, line.number, term)
            return
    if label is not None:
        _label(state, line.number, *label)
    elif body is not None and (_starts_like_term(body) or state.current is None or state.open_field is None):
        if body:
            _new_entry(state, line.number, body)
        else:
            state.warn(line.number, "an empty bullet line; ignored")
    else:
        _field_text(state, line.number, line.text)


def _new_entry(state: _Parse, number: int, term: str) -> None:
    state.current = _Entry(term, number)
    state.entries.append(state.current)
    state.open_field = None


def _label(state: _Parse, number: int, kind: FieldKind, value: str) -> None:
    """A 和訳 or 解説 label opens that field of the current entry; text after it is the field's first line."""
    current = state.current
    if current is None:
        raise LessonError(
            f"a {_LABEL_NAMES[kind]} label that belongs to no term; start each entry with a bullet line "
            "holding the term, e.g. '- gain traction'",
            state.path,
            number,
        )
    if kind in current.labels:
        state.warn(
            number,
            f"a second {_LABEL_NAMES[kind]} label for {current.term!r} (the first is on line "
            f"{current.labels[kind]}); its text is added to the first{_lost_term_hint(current)}",
        )
    else:
        current.labels[kind] = number
    state.open_field = kind
    current.tail.clear()
    if value:
        current.field_lines(kind).append(value)


def _field_text(state: _Parse, number: int, text: str) -> None:
    """A line without a bullet (or a bullet starting in Japanese inside a field, e.g. a list in an explanation)
    continues the open field, kept as written."""
    current = state.current
    if current is None:
        state.warn(number, "text before the first vocabulary entry belongs to no entry; ignored")
        return
    if state.open_field is None:
        state.warn(
            number,
            f"a line with no 和訳/解説 label after the term {current.term!r}; taken as its gloss (和訳)",
        )
        current.labels["gloss"] = number
        state.open_field = "gloss"
    current.field_lines(state.open_field).append(text)
    current.tail.append((number, text))


def _lost_term_hint(entry: _Entry) -> str:
    """When a second label follows an unlabelled English line, that line was most likely a term nobody marked."""
    english = [(number, text) for number, text in entry.tail if _JAPANESE.search(text) is None]
    if not english:
        return ""
    number, text = english[-1]
    return f"; line {number} ({text[:40]!r}) was read as part of it: if it is a term, start it with '- '"


def _translation_line(state: _Parse, line: _Line) -> None:
    """The translation's title, then its paragraphs, until a line shows that the trailer (advertising) began."""
    if state.trailer_line:
        state.trailer.append(line.text)
    elif not state.translation_title and not state.translation_paragraphs:
        state.translation_title = line.text
    else:
        start = _trailer_start(state, line.number, line.text)
        if start is None:
            state.translation_paragraphs.append(line.text)
        else:
            state.trailer_line, state.trailer_reason = start
            state.trailer.append(line.text)


def _trailer_start(state: _Parse, number: int, text: str) -> tuple[int, str] | None:
    """Where the trailer starts and why, when this line after the translation's title is its first line."""
    rule, state.pending_rule = state.pending_rule, 0
    if rule and not _japanese_prose(text):
        return rule, "they follow a rule line after the translation"
    normalised = unicodedata.normalize("NFKC", text)
    if any(_matches(pattern, normalised, state, number) for pattern in state.patterns):
        return number, "they match a trailer pattern"
    names = [name for name in state.school_names if name in normalised.casefold()]
    if names:
        return number, f"the line names {names[0]!r} (author/course_name)"
    if state.translation_paragraphs and _english_line(text):
        return number, "an English line after the translation (a school's name?)"
    return None


_SECTION_LINES: dict[_Section, Callable[[_Parse, _Line], None]] = {
    "article": _article_line,
    "vocabulary": _vocabulary_line,
    "translation": _translation_line,
}


def _english_line(text: str) -> bool:
    """A line of Latin letters with hardly any Japanese: never a translation paragraph, often a school's name."""
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return latin >= 3 and len(_JAPANESE.findall(text)) * 4 < latin


def _rule_in_translation(state: _Parse, number: int) -> None:
    """A rule line (――, ━━, -----) after the translation's paragraphs: the trailer starts there unless Japanese
    prose follows (a rule between two paragraphs of the translation)."""
    if state.translation_paragraphs and not state.trailer_line:
        state.pending_rule = state.pending_rule or number


def _japanese_prose(text: str) -> bool:
    """A translation paragraph: mostly Japanese, and a sentence or longer (not a school name or a slogan)."""
    japanese = len(_JAPANESE.findall(text))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return japanese > latin and (len(text) >= 30 or text.count("。") >= 2)


# ------------------------------------------------------------------------------------------------ a missing header


def _title_like(text: str) -> bool:
    """A short Japanese line that does not end a sentence: how a translation's title looks."""
    return len(text) <= 60 and _JAPANESE.search(text) is not None and not text.endswith(("。", "！", "？", "」"))


def _orphan_start(state: _Parse) -> int | None:
    """Where, in the last entry's unlabelled lines, Japanese text too long to be its explanation begins.

    A translation whose header is missing follows the last entry and would become its explanation. Such lines are
    told apart by size: at least two lines holding a third as many Japanese characters as the article has
    characters (a translation has about half). The split is at a title-like line when there is one, else after the
    field's own first line.
    """
    entry = state.entries[-1] if state.entries else None
    if entry is None or len(entry.tail) < 2:
        return None
    field_lines = entry.field_lines(state.open_field or "explanation")
    first = 0 if len(field_lines) > len(entry.tail) else 1  # the label line itself held the field's first text
    article = sum(len(paragraph.text) for paragraph in state.article)
    for start in [k for k in range(first, len(entry.tail)) if _title_like(entry.tail[k][1])] + [first]:
        rest = entry.tail[start:]
        japanese = sum(len(_JAPANESE.findall(text)) for _, text in rest)
        if len(rest) >= 2 and japanese * 3 >= article:
            return start
    return None


def _recover_translation(state: _Parse) -> None:
    """Move Japanese paragraphs that belong to no entry from the last entry to the translation, with a warning."""
    start = _orphan_start(state)
    if start is None:
        return
    entry = state.entries[-1]
    rest = entry.tail[start:]
    field_lines = entry.field_lines(state.open_field or "explanation")
    del field_lines[len(field_lines) - len(rest) :]
    state.translation_line = rest[0][0]
    state.warn(
        rest[0][0],
        f"Japanese paragraphs after the last vocabulary entry ({entry.term!r}) belong to no entry: read as the "
        "translation, whose header is missing; put a header such as '■ 和訳' above this line",
    )
    for number, text in rest:
        _translation_line(state, _Line(number, text))


# ------------------------------------------------------------------------------------------------ the lesson


def _finish(path: Path, state: _Parse) -> Lesson:
    """Check that what was collected is a usable lesson and build the Lesson."""
    _check_sections(state)
    vocabulary = _vocabulary(state)
    translation = _translation(state)
    if state.trailer:
        state.warn(
            state.trailer_line,
            f"{len(state.trailer)} line(s) from here on look like an advertisement, not translation "
            f"({state.trailer_reason}); kept apart as the trailer and left out of the translation",
        )
    stem_date, date_warning = date_from_stem(path.stem)
    if date_warning is not None:
        state.warnings.append(date_warning)
    return Lesson(
        id=path.stem,
        source=state.path,
        title=state.title,
        date=stem_date,
        article=tuple(state.article),
        vocabulary=vocabulary,
        translation=translation,
        gapfill=tuple(state.gapfill),
        gapfill_lines=tuple(state.gapfill_numbers),
        trailer=tuple(state.trailer),
        warnings=tuple(sorted(state.warnings, key=lambda d: -1 if d.line is None else d.line)),
        title_line=state.title_line,
    )


def _check_sections(state: _Parse) -> None:
    """A LessonError unless the lesson has its article and a vocabulary with entries."""
    source = state.path
    if not state.article and not state.gapfill and not state.vocab_line and not state.translation_line:
        raise LessonError(
            "the lesson has only a title: no article, vocabulary or translation follows it", source, state.title_line
        )
    if not state.article:
        first_section = min((n for n in (state.vocab_line, state.translation_line) if n), default=None)
        what = "only a gap-fill exercise" if state.gapfill else "nothing"
        raise LessonError(
            f"no article: {what} between the title (line {state.title_line}) and the next section; the English "
            "article lines must follow the title",
            source,
            first_section or state.title_line,
        )
    if not state.vocab_line:
        raise LessonError(
            f"no vocabulary section: expected a header such as {_HEADER_EXAMPLES} after the article", source
        )
    if not state.entries:
        raise LessonError(
            "the vocabulary section has no entries; write each as a bullet line with the term, then '- 和訳: …' "
            "and '- 解説: …'",
            source,
            state.vocab_line,
        )


def _vocabulary(state: _Parse) -> tuple[VocabEntry, ...]:
    """The entries as the model holds them; a LessonError for an entry without a gloss or a term given twice."""
    first_use: dict[str, _Entry] = {}
    vocabulary: list[VocabEntry] = []
    for entry in state.entries:
        gloss = "\n".join(entry.gloss)
        if not gloss:
            raise LessonError(
                f"the vocabulary entry {entry.term!r} has no gloss (a '- 和訳: …' line)", state.path, entry.line
            )
        key = " ".join(unicodedata.normalize("NFKC", entry.term).casefold().split())
        if key in first_use:
            raise LessonError(
                f"the term {entry.term!r} appears twice in the vocabulary: "
                f"lines {first_use[key].line} and {entry.line}",
                state.path,
                entry.line,
            )
        first_use[key] = entry
        vocabulary.append(VocabEntry(entry.term, gloss, "\n".join(entry.explanation), entry.line))
    return tuple(vocabulary)


def _translation(state: _Parse) -> Translation | None:
    """The translation, or None with a warning: a lesson without one is still usable."""
    if not state.translation_line:
        state.warn(
            None,
            f"no translation section (a header such as {_TRANSLATION_EXAMPLES}); the lesson is still usable: "
            "cards and worksheets are made without the Japanese translation",
        )
        return None
    if not state.translation_title:
        state.warn(state.translation_line, "the translation section is empty")
    elif not state.translation_paragraphs:
        state.warn(state.translation_line, "the translation has a title but no paragraphs")
    return Translation(state.translation_title, tuple(state.translation_paragraphs), state.translation_line)
