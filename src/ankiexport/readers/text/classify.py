"""Line classification: what each line of a text lesson is (a rule, a section header, gap-fill, a term or a label)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from .decode import is_invisible, split_lines, visible_line

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

HEADER_EXAMPLES = "'■ Vocabulary', '【語彙】', '# 単語' or '■ 重要表現'"
TRANSLATION_EXAMPLES = "'■ 和訳', '【日本語訳】' or '# 全訳'"


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


# How a header that starts with a Latin letter or digit starts: its section word's first two letters.
_LATIN_HEADS = frozenset(word[:2] for word in _SECTION_WORDS if word[:2].isascii())


def parse_header(line: str) -> tuple[SectionKind, str] | None:
    """(section, ignored text) for a header line (``■ Vocabulary``, ``【和訳】``, a bare ``語彙``), else None."""
    if line[:3].isascii() and line[:1].isalnum() and len(line) >= 3 and line[:2].lower() not in _LATIN_HEADS:
        # Most lines: no mark or bracket starts them, so only a whole section word would make them a header, and
        # their first two letters (NFKC and case folding leave ASCII before ASCII as it is) start none.
        return None
    return _parsed_header(line)


def _parsed_header(line: str) -> tuple[SectionKind, str] | None:
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


def meaningful_extra(extra: str) -> str:
    """Header text after the section word that carries content (not decoration such as ``◆``, ``：``, ``――`` or a
    bracketed aside)."""
    extra = extra.strip(" :-–—・/|")
    if extra[:1] in "(（[" and extra[-1:] in ")）]":
        return ""
    return extra if any(ch.isalnum() for ch in extra) else ""


def unknown_marked(line: str) -> bool:
    """True for a line that starts with a section mark but names no section we know (``■ Exercise``)."""
    if line[:1].isascii() and line[:1].isalnum():
        return False  # NFKC keeps it a letter or digit: no mark (most lines), and no normalising needed to know
    text = unicodedata.normalize("NFKC", line).lstrip()
    return bool(text) and text[0] in _STRONG_MARKS


# Dashes and box-drawing lines make a rule even when only two long: "――" and "━━" are a full em wide each.
_LONG_RULE_CHARS = frozenset("―━─═＝—")


def _is_rule(line: str) -> bool:
    """True for a separator line such as ``-----``, ``――``, ``＊＊＊`` or ``■■■■``: one symbol repeated."""
    if line[:1].isalnum():
        return False  # asked first: an article line mostly, whose characters need not be collected
    chars = set(line) - {" ", "\t", "\u3000"}
    if len(chars) != 1:
        return False
    return len(line) >= 3 or (len(line) == 2 and line[0] in _LONG_RULE_CHARS)


def is_gapfill_line(text: str) -> bool:
    """True when at least half the words are a first letter plus underscores (``g_____,``, ``AI-____``, ``I__’``)."""
    if "_" not in text:  # an article line mostly: no word of it can be gapped
        return False
    words = 0
    gaps = 0
    for token in text.split():
        if _GAP_END.search(token):
            gaps += 1
            words += 1
        elif _ALNUM.search(token):
            words += 1
    return gaps > 0 and gaps * 2 >= words


# A run of underscores that ends the token or a part of it (``h___-____``), unlike ``snake_case``: an underscore
# followed by no letter, digit or underscore. ``_ALNUM`` is a letter or digit (str.isalnum).
_GAP_END = re.compile(r"_(?!\w)")
_ALNUM = re.compile(r"[^\W_]")


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


def japanese_letters(text: str) -> int:
    """How many kana and kanji ``text`` holds (half-width kana too): how Japanese a line is."""
    return len(JAPANESE.findall(text))


def latin_letters(text: str) -> int:
    """How many ASCII letters ``text`` holds: how English a line is."""
    return len(_LATIN.findall(text))


_LATIN = re.compile(r"[A-Za-z]")  # the ASCII letters (str.isascii and str.isalpha)


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
LABEL_NAMES: dict[FieldKind, str] = {"gloss": "gloss (和訳)", "explanation": "explanation (解説)"}


def unbullet(text: str) -> str | None:
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
    return 0 < len(text) <= 60 and starts_like_term(text) and not text.endswith((".", "!", "?", "。", "！", "？"))


def unbulleted_term(text: str, following: str) -> str | None:
    """The term of an entry written without a bullet: numbered, or directly followed by its 和訳 line."""
    numbered = _NUMBERED.match(text)
    if numbered is not None:
        rest = text[numbered.end() :].strip()
        return rest if _looks_like_term(rest) else None
    if _looks_like_term(text):
        body = unbullet(following)
        label = field_label(body if body is not None else following)
        if label is not None and label[0] == "gloss":
            return text
    return None


def starts_like_term(text: str) -> bool:
    """True when the text starts like an English term: its first letter or digit is Latin (``tap into``, ``résumé``)
    or a digit in text without Japanese (``24/7``, ``5G``, ``3D printing``); ``・例: …`` or ``- 1つ目は…`` inside an
    explanation is not a term."""
    head = unicodedata.normalize("NFKC", text[:64])
    for ch in head:
        if ch.isdigit():
            return JAPANESE.search(text) is None
        if ch.isalnum():
            return "a" <= unicodedata.normalize("NFKD", ch)[0].lower() <= "z"
    return False


@dataclass(frozen=True, slots=True)
class Line:
    """A line that holds something, classified once: a rule, a section header, or text for the current section."""

    number: int
    text: str
    following: str = ""  # the next line of text after it: a term written without a bullet is known by its 和訳 line
    rule: bool = False
    header: tuple[SectionKind, str] | None = None  # the section a header starts, and the text after its word


def classified_lines(text: str) -> list[Line]:
    """The lesson's lines that print something, in order; blank lines separate nothing the reader needs."""
    visible = [visible_line(raw) for raw in split_lines(text)]
    lines: list[Line] = []
    following = ""
    for number in range(len(visible), 0, -1):  # from the end, so that each line knows the text after it
        line = visible[number - 1]
        if not line:
            continue
        rule = _is_rule(line)
        lines.append(Line(number, line, following, rule, None if rule else parse_header(line)))
        if not rule:
            following = line
    lines.reverse()
    return lines
