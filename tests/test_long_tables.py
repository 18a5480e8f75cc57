"""Tables as long as a lesson's vocabulary: made as runs of short tables, laid out in time linear in their rows."""

from __future__ import annotations

from typing import Any

import pytest

from ankiexport.config import Settings
from ankiexport.writers import pdf_sheets
from ankiexport.writers.pdf_sheets import BODY, GRID_ROWS, cell, tables
from ankiexport.writers.pdf_story import Lazy, flowables
from ankiexport.writers.pdf_text import Span

WIDTH = 300.0


def _rows(count: int) -> list[list[Any]]:
    return [[cell([Span(str(number), BODY)])] for number in range(count)]


def _texts(grids: list[Any]) -> list[str]:
    return [row[0].inlines[0].text for grid in grids for row in grid._cellvalues]


def test_a_table_of_up_to_grid_rows_rows_is_one_table_as_before() -> None:
    style = [("TOPPADDING", (0, 0), (-1, -1), 9)]
    (grid,) = tables(_rows(GRID_ROWS), [WIDTH], box=True, style=style)
    plain = pdf_sheets.table(_rows(GRID_ROWS), [WIDTH], box=True)
    assert [command[0] for command in grid._linecmds] == [command[0] for command in plain._linecmds] == ["BOX"]
    assert {row[0].topPadding for row in grid._cellStyles} == {9}


def test_a_longer_table_is_runs_of_grid_rows_each_styled_on_the_rows_it_holds() -> None:
    count = 2 * GRID_ROWS + 10
    style = [
        ("TOPPADDING", (0, 0), (-1, 0), 9),  # the first row only
        ("BOTTOMPADDING", (0, -1), (-1, -1), 7),  # the last row only
        ("LEFTPADDING", (0, 0), (-1, -1), 5),  # every row
        ("RIGHTPADDING", (0, GRID_ROWS + 3), (-1, GRID_ROWS + 4), 6),  # two rows of the second run
    ]
    grids = list(flowables(tables(_rows(count), [WIDTH], style=style)))
    assert [len(grid._cellvalues) for grid in grids] == [GRID_ROWS, GRID_ROWS, 10]
    assert _texts(grids) == [str(number) for number in range(count)]  # every row once, in order
    styles = [row[0] for grid in grids for row in grid._cellStyles]
    assert [number for number, s in enumerate(styles) if s.topPadding == 9] == [0]
    assert [number for number, s in enumerate(styles) if s.bottomPadding == 7] == [count - 1]
    assert {s.leftPadding for s in styles} == {5}
    assert [number for number, s in enumerate(styles) if s.rightPadding == 6] == [GRID_ROWS + 3, GRID_ROWS + 4]


def test_a_long_tables_runs_and_their_cells_are_made_only_as_the_layout_reaches_them() -> None:
    # A lesson of 17,000 terms held a hundred thousand cells at once; a run is made when the story takes it.
    made: list[int] = []

    def row(number: int) -> list[Any]:
        made.append(number)
        return [cell([Span(str(number), BODY)])]

    (run,) = tables(Lazy(range(10 * GRID_ROWS), row), [WIDTH], style=[("TOPPADDING", (0, 0), (-1, 0), 9)])
    assert isinstance(run, Lazy) and made == []
    first = next(iter(flowables([run])))
    assert made == list(range(GRID_ROWS)) and len(first._cellvalues) == GRID_ROWS
    assert first._cellStyles[0][0].topPadding == 9


def test_a_long_box_is_drawn_open_between_its_runs() -> None:
    # No line across the box where one run meets the next: sides on each, the top on the first, the bottom last.
    grids = list(flowables(tables(_rows(3 * GRID_ROWS), [WIDTH], box=True)))
    lines = [sorted((c[0], c[1][1], c[2][1]) for c in grid._linecmds) for grid in grids]
    sides = [("LINEAFTER", 0, GRID_ROWS - 1), ("LINEBEFORE", 0, GRID_ROWS - 1)]
    assert lines[0] == sorted([*sides, ("LINEABOVE", 0, 0)])
    assert lines[1] == sides
    assert lines[2] == sorted([*sides, ("LINEBELOW", GRID_ROWS - 1, GRID_ROWS - 1)])


def test_a_long_key_goes_down_its_columns_a_block_of_grid_rows_at_a_time() -> None:
    cells = [cell([Span(str(number), BODY)]) for number in range(GRID_ROWS * 6 + 8)]
    grids = list(flowables(pdf_sheets._columns(cells, 6, WIDTH)))
    first_rows = [[c.inlines[0].text if c.inlines else "" for c in grid._cellvalues[0]] for grid in grids]
    assert first_rows[0] == [str(GRID_ROWS * column) for column in range(6)]  # 1-25 down the first column
    # the last 8, two a column
    assert first_rows[1] == [str(GRID_ROWS * 6 + column * 2) for column in range(4)] + ["", ""]


def test_long_tables_are_laid_out_in_time_linear_in_their_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    # reportlab makes a split table again from the rows left at each page: with 600 terms the tables' rows were
    # made 38 times each (300 terms: 33, 1200: 72; growing with the lesson). In runs of GRID_ROWS, 7.4 times
    # (the matching grid, its key and the study table at each size tried), whatever the length.
    terms = 600
    from analysis_helpers import make_lesson
    from ankiexport.analysis import analyse
    from ankiexport.writers.pdf import render_editions

    made: list[int] = []
    original = pdf_sheets.Grid.__init__

    def counting(self: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        made.append(len(data))
        original(self, data, *args, **kwargs)

    monkeypatch.setattr(pdf_sheets.Grid, "__init__", counting)
    vocabulary = [(f"term{n}", f"意味{n}") for n in range(terms)]
    lesson = analyse(make_lesson("Many Terms", ["Prices rose sharply."], vocabulary))
    editions = render_editions(lesson, Settings())
    assert editions.teacher_pages > terms // 40  # the tables did run over many pages
    # matching grid, its key, and the study table at each size tried: each row made at most a few times
    assert sum(made) < 15 * terms


def test_a_long_paragraphs_key_goes_on_in_paragraphs_of_key_words_labelled_once() -> None:
    # One 840 KB paragraph's key was one paragraph of 147,000 words (32 MB of spans at once).
    from analysis_helpers import make_lesson
    from ankiexport.analysis import analyse

    words = pdf_sheets.KEY_WORDS * 2 + 50
    lesson = analyse(make_lesson("Long", [" ".join(["Prices rose sharply."] * (words // 2))], [("rise", "上がる")]))
    gapped = sum(len(paragraph) for paragraph in pdf_sheets.gapped_words(lesson))
    keys = list(flowables(pdf_sheets._gap_key(lesson)))
    assert len(keys) == -(-gapped // pdf_sheets.KEY_WORDS) >= 3
    assert [bool(key.label) for key in keys] == [True] + [False] * (len(keys) - 1)  # ¶1 once
    assert [key.spaceAfter for key in keys] == [0.0] * (len(keys) - 1) + [2]
    numbers = [int(span.text.strip("\u00a0")) for key in keys for span in key.inlines[::3]]
    assert numbers == list(range(1, gapped + 1))  # numbered on through the parts
