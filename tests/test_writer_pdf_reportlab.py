"""The PDF writer's shortcuts through reportlab (its save, its tables) write the bytes reportlab itself writes."""

from __future__ import annotations

import inspect
import io
import random
from collections import OrderedDict
from typing import Any

import pytest
from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, ttfonts
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Table, TableStyle

from ankiexport.config import Settings
from ankiexport.readers import load_lesson
from ankiexport.writers import pdf, pdf_sheets
from ankiexport.writers.pdf import BODY, SERIF, Editions, prepare, render_editions
from ankiexport.writers.pdf_text import RichText, Span
from lesson_files import SAMPLE


def _files(editions: Editions) -> list[bytes]:
    return [data for _, data, _ in editions.handouts] + [editions.teacher, editions.reading or b""]


def _reportlab_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put back every reportlab function pdf_save replaced (pdf_unicode's fix stays: it changes bytes on purpose)."""
    replaced: list[tuple[Any, str]] = [
        (pdfdoc, "format"),
        (pdfdoc, "pdfdocEnc"),
        (pdfdoc.PDFDictionary, "format"),
        (pdfdoc.PDFArray, "format"),
        (pdfdoc.PDFZCompress, "encode"),
        (ttfonts.TTFontFace, "makeSubset"),
        (ttfonts.TTFontFace, "get_table"),
        (ttfonts, "makeToUnicodeCMap"),
    ]
    for owner, name in replaced:
        ours = getattr(owner, name)
        original = inspect.unwrap(ours)  # pdf_unicode's fix keeps no __wrapped__: unwrapping stops at it
        assert original is not ours, name  # each is patched, and its original kept
        monkeypatch.setattr(owner, name, original)


@pytest.mark.parametrize("size", ["a4", "letter"])
def test_every_edition_is_reportlabs_own_bytes(size: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample's four PDFs, saved through the shortcuts (twice: the second time from what they remember) and
    through reportlab alone: the same bytes."""
    settings = Settings(page_size=size)
    lesson = load_lesson(SAMPLE, settings)
    prepare(settings)
    ours = [_files(render_editions(lesson, settings)) for _ in range(2)]
    _reportlab_only(monkeypatch)
    theirs = _files(render_editions(lesson, settings))
    assert ours[0] == theirs and ours[1] == theirs


VALUES: list[Any] = [
    "/Name",
    "plain text (with) brackets",
    "",
    "line\nbreak",
    "tab\there",
    "\x18\x1f control",
    "日本語",
    "café",
    b"\x00\xffbytes",
    0,
    -3,
    10**20,
    0.5,
    -1234.5678,
    1e-7,
    True,
    None,
    pdfdoc.PDFString("a (string)"),
    pdfdoc.PDFArray([1, "/A", 2.5]),
]


def test_values_are_formatted_as_reportlab_formats_them() -> None:
    prepare(Settings())
    ours = pdfdoc.format
    document = pdfdoc.PDFDocument()
    for value in VALUES:
        try:
            expected = ours.__wrapped__(value, document)
        except UnicodeEncodeError:  # characters the PDF encoding has no byte for: reportlab's error, ours too
            with pytest.raises(UnicodeEncodeError):
                ours(value, document)
            continue
        assert ours(value, document) == expected, value


def test_text_is_encoded_as_reportlab_encodes_it() -> None:
    prepare(Settings())
    ours = pdfdoc.pdfdocEnc
    for value in [v for v in VALUES if isinstance(v, str | bytes)] + ["12 0 obj\n", "3 0 R", "\x7f", "\x17\x20"]:
        try:
            expected = ours.__wrapped__(value)
        except UnicodeEncodeError:
            with pytest.raises(UnicodeEncodeError):
                ours(value)
            continue
        assert ours(value) == expected, value


@pytest.mark.parametrize("multiline", [False, True])
def test_dictionaries_are_formatted_as_reportlab_formats_them(multiline: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys sorted (or in their order), six a line (or one a line), names escaped, values formatted."""
    prepare(Settings())
    monkeypatch.setattr(rl_config, "pdfMultiLine", int(multiline))
    ours = pdfdoc.PDFDictionary.format
    document = pdfdoc.PDFDocument()
    entries = {f"Key{n}": VALUES[n % len(VALUES)] for n in range(14) if not isinstance(VALUES[n % len(VALUES)], str)}
    entries |= {"Type": "/Font", "Odd Name#(1)": "/X", "A": 1}
    cases = [
        pdfdoc.PDFDictionary(entries),
        pdfdoc.PDFDictionary(OrderedDict(reversed(entries.items()))),
        pdfdoc.PDFDictionary({}),
        pdfdoc.PDFDictionary({"Inner": pdfdoc.PDFDictionary({"B": 2, "A": "/Name"})}),
    ]
    forced = pdfdoc.PDFDictionary({"Z": 1, "Y": 2})
    forced.multiline = "forced"
    for dictionary in [*cases, forced]:
        for _ in range(2):  # the second time with the names remembered
            assert ours(dictionary, document) == ours.__wrapped__(dictionary, document), dictionary.dict


def test_long_float_arrays_are_remembered_and_written_as_reportlab_writes_them() -> None:
    """A subset's widths (floats) are formatted once; ints that equal them are never answered from that memory."""
    prepare(Settings())
    ours = pdfdoc.PDFArray.format
    document = pdfdoc.PDFDocument()
    widths = [500.0, 250.5, 0.0, 1000.0, 333.25] * 12
    for numbers in (widths, widths, [int(n) for n in widths], [*widths[:-1], 1], [*widths, True]):
        array = pdfdoc.PDFArray(numbers)
        assert ours(array, document) == ours.__wrapped__(array, document), numbers


def test_to_unicode_maps_and_small_streams_are_remembered_unchanged() -> None:
    prepare(Settings())
    subset = [0, *range(0x41, 0x5B), 0x3042, 0x29E3D]
    cmap = ttfonts.makeToUnicodeCMap("AAAAAA+Font", subset)
    assert cmap is ttfonts.makeToUnicodeCMap("AAAAAA+Font", list(subset))
    assert cmap == inspect.unwrap(ttfonts.makeToUnicodeCMap)("AAAAAA+Font", subset)
    assert "<D867DE3D>" in cmap  # pdf_unicode's fix is kept under the memory
    encode = pdfdoc.PDFZCompress.encode
    for text in (cmap, "x" * 9000, b"y" * 100):
        assert encode(text) == encode(text) == inspect.unwrap(encode)(text)


def _grid_story(kind: type[Table], monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What a frame sees of a grid and what it draws, laid out as a worksheet lays its grids out: wrapped at
    several sizes, restyled, split in a row and between rows, drawn whole and in parts."""
    monkeypatch.setattr(pdf_sheets, "Grid", kind)
    words = "a paragraph long enough to take several lines in a narrow column " * 6
    rows = [
        [pdf_sheets.cell([Span(f"{n}.", BODY)]), pdf_sheets.cell([Span(words[: 40 * n], BODY)]), pdf_sheets.cell([])]
        for n in range(1, 6)
    ]
    grid = pdf_sheets.table(rows, [30.0, 120.0, 40.0], box=True)
    canvas = Canvas(io.BytesIO(), initialFontName=SERIF, initialFontSize=10.5)
    seen: list[Any] = [grid.wrapOn(canvas, 400, 1e6), grid.wrapOn(canvas, 400, 50), grid.wrapOn(canvas, 300, 700)]
    grid.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 5), ("LINEBELOW", (0, 0), (-1, -1), 0.4, (0, 0, 0))]))
    seen.append(grid.wrapOn(canvas, 400, 700))
    grid.drawOn(canvas, 10, 20)
    for height in (20, 90, 200):
        for part in grid.split(400, height):
            assert type(part) is kind  # a grid's parts are grids
            seen.append(part.wrapOn(canvas, 400, height))
            part.drawOn(canvas, 5, 5)
    return [*seen, canvas._code]


def test_grids_size_split_and_draw_as_reportlab_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """A grid remembers its size between wraps; what a frame sees of it and what it draws are a Table's."""
    prepare(Settings())
    ours = _grid_story(pdf_sheets.Grid, monkeypatch)
    theirs = _grid_story(Table, monkeypatch)
    assert len(ours[-1]) > 100 and ours[3] != ours[0]  # drawn whole and in parts; the new padding is measured
    assert ours == theirs


def test_font_subsets_are_reportlabs_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Subsets made from the glyph table read in place are reportlab's, composite glyphs (accented letters) and
    Japanese included; the table reads like the copy reportlab makes."""
    from reportlab.pdfbase import pdfmetrics

    from ankiexport.writers.pdf_save import TableView

    prepare(Settings())
    japanese = "需要が急増する中、新しい役割" + "".join(map(chr, range(0x4E00, 0x4F00, 3)))
    cases = [(SERIF, "Résumé naïve café ﬁ Ångström"), ("IPAexMincho", japanese)]
    make = inspect.unwrap(ttfonts.TTFontFace.makeSubset)
    subsets = [(pdfmetrics.getFont(name).face, [0, *sorted({ord(c) for c in text})][:256]) for name, text in cases]
    ours = [make(face, subset) for face, subset in subsets]
    monkeypatch.setattr(ttfonts.TTFontFace, "get_table", ttfonts.TTFontFace.get_table.__wrapped__)
    assert ours == [make(face, subset) for face, subset in subsets]
    data = bytes(range(256)) * 4
    view, copy = TableView(data, 100, 900), data[100:1000]
    for index in (slice(0, 5), slice(890, 950), slice(-3, None), slice(5, 2), slice(None, None, 7), 0, 899, -1):
        assert view[index] == copy[index], index
    assert len(TableView(data, 1000, 50)) == len(data[1000:1050]) and bytes(view) == copy


def _painted(canvas: Canvas) -> tuple[Any, ...]:
    return (list(canvas._code), canvas._fillColorObj, canvas._strokeColorObj, canvas._lineWidth)


def test_colours_and_the_rule_width_are_set_as_reportlab_sets_them() -> None:
    """The drawing writes its colour and line-width operators itself (a long lesson sets half a million colours):
    the same operators and the same canvas state as reportlab's setters, and the same file after a new page (whose
    start sets the colour again from that state)."""
    from ankiexport.writers.pdf_text import _RULE_WIDTH, _RULE_WIDTH_OPERATOR, Style, _black, _colour

    prepare(Settings())
    greys = [0.0, 0, 0.25, 0.3, 1.0, 0.123456789, 1e-9, 0.5]
    rgbs = [pdf_sheets.RED, (0.1, 0.2, 1 / 3), (1, 0, 0), (0.0, 0.0, 0.0)]
    styles = [Style(SERIF, SERIF, 10, grey=grey) for grey in greys]
    styles += [Style(SERIF, SERIF, 10, rgb=rgb) for rgb in rgbs]
    ours, theirs = (Canvas(io.BytesIO(), invariant=1) for _ in range(2))
    for style in styles:
        _colour(ours, style, None)
        if style.rgb is not None:
            theirs.setFillColorRGB(*style.rgb)
            theirs.setStrokeColorRGB(*style.rgb)
        else:
            theirs.setFillGray(style.grey)
            theirs.setStrokeGray(style.grey)
        assert _painted(ours) == _painted(theirs), style
        ours._lineWidth = _RULE_WIDTH
        ours._code.append(_RULE_WIDTH_OPERATOR)
        theirs.setLineWidth(0.6)
        assert _painted(ours) == _painted(theirs)
        ours.showPage()
        theirs.showPage()
        ours.drawString(5, 5, "after")
        theirs.drawString(5, 5, "after")
    _black(ours)
    theirs.setFillGray(0)
    theirs.setStrokeGray(0)
    assert _painted(ours) == _painted(theirs)
    assert ours.getpdfdata() == theirs.getpdfdata()
    # A canvas that enforces a colour space still has reportlab check (here: refuse) the colours.
    checked, converted = (Canvas(io.BytesIO(), enforceColorSpace="cmyk") for _ in range(2))
    with pytest.raises(ValueError, match="Non CMYK"):
        converted.setFillColorRGB(*pdf_sheets.RED)
    with pytest.raises(ValueError, match="Non CMYK"):
        _colour(checked, styles[-4], None)


def _paragraphs(seed: int) -> list[Any]:
    """Paragraphs of every spacing, leading and length the sheets use and more, some kept with the next, some headed
    by a page break: enough to land on every kind of page foot."""
    rng = random.Random(seed)
    words = SAMPLE.read_text("utf-8").split()[:400]
    story: list[Any] = []
    for number in range(500):
        text = " ".join(rng.choices(words, k=rng.choice([1, 3, 12, 40, 90])))
        story.append(
            RichText(
                [Span(text, BODY)],
                rng.choice([11.5, 14.0, 8.4 * mm, 19.0]),
                label=[Span(str(number), BODY)] if rng.random() < 0.5 else (),
                indent=rng.choice([0.0, 14.0]),
                space_before=rng.choice([0.0, 0.0, 3.0, 7.0]),
                space_after=rng.choice([0.0, 2.0, 4.0, 11.0]),
                keep_with_next=rng.random() < 0.05,
            )
        )
        if rng.random() < 0.01:
            story.append(PageBreak())
    return story


@pytest.mark.parametrize("seed", [1, 2])
def test_paragraphs_are_placed_as_reportlab_places_them(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Our shortcut through reportlab's handle_flowable (a paragraph that fits placed at once) against reportlab's
    own: the same PDF, and the shortcut taken for most paragraphs and not for those that do not fit."""
    settings = Settings()
    lesson = load_lesson(SAMPLE, settings)
    prepare(settings)
    paper = pdf._paper(settings, lesson)
    make = pdf._canvas_maker(lesson, settings, paper, "test")
    placed = []
    original = pdf._placed

    def counted(*args: Any) -> bool:
        placed.append(original(*args))
        return placed[-1]

    monkeypatch.setattr(pdf, "_placed", counted)
    ours = pdf._build(_paragraphs(seed), lesson, paper, make, lambda *_: None)
    assert placed.count(True) > 350 and placed.count(False) > 20
    monkeypatch.delattr(pdf._Document, "handle_flowable")
    assert ours == pdf._build(_paragraphs(seed), lesson, paper, make, lambda *_: None)


def test_a_paragraph_has_the_attributes_reportlabs_flowables_are_made_with() -> None:
    """RichText has what Flowable.__init__ sets, as class defaults, instead of setting them on each paragraph."""
    theirs = vars(Flowable())
    assert theirs
    ours = RichText([], 10.0)
    assert {name: (getattr(ours, name), type(getattr(ours, name))) for name in theirs} == {
        name: (value, type(value)) for name, value in theirs.items()
    }
