"""A lesson file's bytes to text and lines, with the line number of whatever makes them unreadable."""

from __future__ import annotations

import re
import unicodedata

from ...errors import LessonError

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
    if text[:1].isalnum():
        return False  # a letter or digit prints (most lines start with one): not asked character by character
    return all(unicodedata.category(ch) in _INVISIBLE_CATEGORIES or ch.isspace() for ch in text)


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` split at CR, LF and CRLF only."""
    return _NEWLINE.split(text)


_EDGE_FORMAT = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width spaces, joiners and stray BOMs at a line's edges


def visible_line(raw: str) -> str:
    """The line without outer whitespace and zero-width characters; "" for a line that prints nothing."""
    line = raw.strip().strip(_EDGE_FORMAT).strip()
    return "" if is_invisible(line) else line
