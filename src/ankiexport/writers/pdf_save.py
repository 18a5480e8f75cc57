"""reportlab's document save with less work: font subsets' parts made once, objects formatted faster, same bytes."""

# A lesson's four PDFs embed font subsets that are the same from file to file (the student editions share the
# teacher edition's), and every save formats hundreds of small PDF objects through reportlab's general, per-element
# formatting: a fifth of the worksheets' CPU. Each patch here writes reportlab's own bytes; tests/test_writer_pdf.py
# compares every one with the reportlab function it replaces (kept as ``__wrapped__``), so that a reportlab change
# that alters its output fails the suite instead of the PDFs.

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, ttfonts


def _remembered(function: Callable[..., Any], key: Callable[..., Any], size: int = 32) -> Callable[..., Any]:
    """``function`` with its last ``size`` results kept by ``key(*args)`` (None: not kept)."""
    kept: dict[Any, Any] = {}

    def call(*args: Any) -> Any:
        found = key(*args)
        if found is None:
            return function(*args)
        if found not in kept:
            if len(kept) >= size:
                del kept[next(iter(kept))]
            kept[found] = function(*args)
        return kept[found]

    functools.update_wrapper(call, function)  # with its marks (pdf_unicode's fix is not applied twice)
    call.ankiexport_shared = True  # type: ignore[attr-defined]
    return call


def _shared(owner: Any, name: str, key: Callable[..., Any], size: int = 32) -> None:
    """``owner.name`` remembering its results by ``key`` (once per process)."""
    function = getattr(owner, name)
    if not getattr(function, "ankiexport_shared", False):
        setattr(owner, name, _remembered(function, key, size))


# A font file's stream (a subset: 10-100 KB) is kept among the large ones; a ToUnicode map (a few KB, one a subset)
# among the small ones, more of them: a long Japanese lesson has dozens of subsets, and each edition saves them all
# in turn. Page streams never come here (pdf_edition compresses them itself) and differ from edition to edition.
LARGE_STREAM = 8192


def share_subsets() -> None:
    """Make reportlab build each font subset, its widths and ToUnicode map, and compress each, once for every
    edition that holds them; and format PDF objects faster (same bytes)."""
    _shared(ttfonts.TTFontFace, "makeSubset", lambda self, subset: (self.filename, tuple(subset)))
    if not getattr(ttfonts.TTFontFace.get_table, "ankiexport_view", False):
        ttfonts.TTFontFace.get_table = _glyphs_in_place(ttfonts.TTFontFace.get_table)
    _shared(ttfonts, "makeToUnicodeCMap", lambda name, subset: (name, tuple(subset)), size=256)
    zipper = pdfdoc.PDFZCompress
    if not getattr(zipper.encode, "ankiexport_shared", False):
        large = _remembered(zipper.encode, lambda text: text if len(text) > LARGE_STREAM else None)
        zipper.encode = _remembered(large, lambda text: None if len(text) > LARGE_STREAM else text, size=256)
    if not getattr(pdfdoc.PDFArray.format, "ankiexport_numbers", False):
        pdfdoc.PDFArray.format = _numbers_at_once(pdfdoc.PDFArray.format)
    odd = _ascii_not_pdfdoc()
    if not getattr(pdfdoc.format, "ankiexport_fast", False) and odd is not None:
        pdfdoc.pdfdocEnc = _ascii_at_once(pdfdoc.pdfdocEnc, odd)
        pdfdoc.format = _plain_values_at_once(pdfdoc.format, odd)
    if not getattr(pdfdoc.PDFDictionary.format, "ankiexport_fast", False):
        pdfdoc.PDFDictionary.format = _names_once(pdfdoc.PDFDictionary.format)


class TableView:
    """A font table read where it lies in the font file: slicing it gives the bytes slicing a copy of it would."""

    __slots__ = ("data", "length", "start")

    def __init__(self, data: bytes, start: int, length: int) -> None:
        self.data = data
        self.start = start
        self.length = min(length, max(len(data) - start, 0))  # a copy would end where the file ends

    def __len__(self) -> int:
        return self.length

    def __bytes__(self) -> bytes:
        return self.data[self.start : self.start + self.length]

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            first, stop, step = index.indices(self.length)
            if step != 1:
                return bytes(self)[index]
            return self.data[self.start + first : self.start + max(stop, first)]
        return bytes(self)[index] if not 0 <= index < self.length else self.data[self.start + index]


def _glyphs_in_place(get_table: Callable[[Any, str], bytes]) -> Callable[[Any, str], Any]:
    """``TTFontFile.get_table`` giving the glyph table (IPAex's: 5-7 MB) as a view: a subset takes a few hundred
    glyphs from it, and reportlab copied the whole table for each new subset (0.8 of 1.1 ms a subset)."""

    def get_table_in_place(self: Any, tag: str) -> Any:
        if tag != "glyf":
            return get_table(self, tag)
        start, length = self.get_table_pos(tag)
        return TableView(self._ttf_data, start, length)

    get_table_in_place.ankiexport_view = True  # type: ignore[attr-defined]
    get_table_in_place.__wrapped__ = get_table  # type: ignore[attr-defined]
    return get_table_in_place


def _ascii_not_pdfdoc() -> re.Pattern[str] | None:
    """The ASCII characters reportlab's PDF text encoding does not write as their ASCII byte (it has no byte for
    0x18-0x1F), as a pattern; None when printable ASCII is not written as itself (then nothing is shortened)."""
    printable = "".join(map(chr, range(0x20, 0x7F)))
    if pdfdoc.pdfdocEnc(printable) != printable.encode("ascii"):
        return None
    odd = []
    for character in map(chr, range(0x80)):
        try:
            same = pdfdoc.pdfdocEnc(character) == character.encode("ascii")
        except UnicodeEncodeError:
            same = False
        if not same:
            odd.append(re.escape(character))
    return re.compile(f"[{''.join(odd)}]" if odd else "(?!)")


def _ascii_at_once(encode: Callable[[Any], Any], odd: re.Pattern[str]) -> Callable[[Any], Any]:
    """``pdfdoc.pdfdocEnc`` (object headers, references, the file's parts) with ASCII text written as ASCII, without
    the codec: the same bytes; text with characters the PDF encoding writes otherwise still goes through it."""

    def encode_text(text: Any) -> Any:
        if type(text) is str and text.isascii() and (text.isprintable() or odd.search(text) is None):
            return bytes(text, "ascii")
        return encode(text)

    encode_text.__wrapped__ = encode  # type: ignore[attr-defined]
    return encode_text


def _plain_values_at_once(format_element: Callable[..., bytes], odd: re.Pattern[str]) -> Callable[..., bytes]:
    """``pdfdoc.format`` with its commonest values (names, numbers, ASCII text, bytes) written without its chain of
    type tests and codec call: the same bytes (``fp_str``, then the PDF encoding, which is ASCII for ASCII text but
    ``odd``); anything else still goes through reportlab."""

    def format_value(element: Any, document: Any, toplevel: int = 0) -> bytes:
        kind = type(element)  # exact types: none of them is a PDFObject, which reportlab tests first
        if kind is str:
            if element.isascii() and (element.isprintable() or odd.search(element) is None):
                return bytes(element, "ascii")
        elif kind is bytes:
            return element  # type: ignore[no-any-return]
        elif kind is float or kind is int:
            return bytes(fp_str(element), "ascii")
        return format_element(element, document, toplevel)

    format_value.ankiexport_fast = True  # type: ignore[attr-defined]
    format_value.__wrapped__ = format_element  # type: ignore[attr-defined]
    return format_value


def _names_once(format_dictionary_as_reportlab: Callable[..., bytes]) -> Callable[..., bytes]:
    """``PDFDictionary.format`` with each key's ``/Name `` formatted once per process, not once per dictionary
    written: reportlab's own layout (keys sorted unless ordered, six a line unless multi-line)."""
    names: dict[str, bytes] = {}

    def name(key: Any) -> bytes:
        found = names.get(key) if type(key) is str else None
        if found is None:
            found = pdfdoc.format(pdfdoc.PDFName(key), None) + b" "
            if type(key) is str and len(names) < 4096:
                names[key] = found
        return found

    def format_dictionary(self: Any, document: Any, IND: bytes = b"\n ") -> bytes:  # noqa: N803  # reportlab's
        entries = self.dict
        keys = list(entries.keys())
        if not isinstance(entries, OrderedDict):
            keys.sort()
        parts = [name(key) + pdfdoc.format(entries[key], document) for key in keys]
        if (self.multiline and rl_config.pdfMultiLine) or self.multiline == "forced":
            return b"<<\n" + IND.join(parts) + b"\n>>"
        for index in reversed(range(6, len(parts), 6)):
            parts.insert(index, b"\n ")
        return b"<<\n" + b" ".join(parts) + b"\n>>"

    format_dictionary.ankiexport_fast = True  # type: ignore[attr-defined]
    format_dictionary.__wrapped__ = format_dictionary_as_reportlab  # type: ignore[attr-defined]
    return format_dictionary


def _numbers_at_once(format_array: Callable[..., bytes]) -> Callable[..., bytes]:
    """``PDFArray.format`` writing an array of plain numbers (a font subset's widths: thousands an edition) ten at a
    time with one ``fp_str`` call, instead of one ``format`` call per number: the same bytes (reportlab's layout
    without pdfMultiLine: ten a line, ``fp_str`` joining its arguments with a space). A long array of floats (a
    subset's widths, the same in every edition) is formatted once and remembered."""
    widths: dict[tuple[float, ...], bytes] = {}

    def numbers(sequence: list[Any]) -> bytes:
        tens = [fp_str(*sequence[start : start + 10]) for start in range(0, len(sequence), 10)]
        return b"[ " + " \n  ".join(tens).encode("extpdfdoc") + b" ]"

    def format_numbers(self: Any, document: Any, *args: Any) -> bytes:
        sequence = self.sequence
        if args or not sequence or rl_config.pdfMultiLine or self.multiline == "forced":
            return format_array(self, document, *args)
        kinds = set(map(type, sequence))  # as reportlab tests: exact types
        if not kinds <= {int, float}:
            return format_array(self, document, *args)
        if len(sequence) < 20 or kinds != {float}:  # an int and its float are equal keys: floats only
            return numbers(sequence)
        key = tuple(sequence)
        found = widths.get(key)
        if found is None:
            if len(widths) >= 256:
                widths.clear()
            found = widths[key] = numbers(sequence)
        return found

    format_numbers.ankiexport_numbers = True  # type: ignore[attr-defined]
    format_numbers.__wrapped__ = format_array  # type: ignore[attr-defined]
    return format_numbers
