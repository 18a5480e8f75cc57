"""The worksheet's line breaker as it was before its units carried their widths (main at 5d047eb, verbatim but for
names): the oracle the faster one must agree with, line for line and width for width."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from itertools import chain

from ankiexport.writers.pdf_text import NO_LINE_END, NO_LINE_START, Line, Piece, _can_break

_WIDTH = operator.attrgetter("width")
_GLYPHS = operator.attrgetter("glyphs")
_flat = chain.from_iterable


def _glyphs(pieces: Iterable[Piece]) -> Iterable[Piece]:
    return chain.from_iterable(map(_GLYPHS, pieces))


def _holds_across(
    units: list[tuple[list[Piece], list[Piece], Piece | None]], spaces: list[Piece], piece: Piece
) -> bool:
    """Kinsoku holds across a space too ("word 」"): the space joins the unit before it instead of breaking it."""
    if not spaces or not units or units[-1][2] is not None or not units[-1][1]:
        return False
    return piece.text in NO_LINE_START or units[-1][1][-1].text in NO_LINE_END


def _clusters(pieces: Sequence[Piece]) -> list[tuple[list[Piece], list[Piece], Piece | None]]:
    """(spaces before, unbreakable pieces, hard break after or None) units, in order."""
    units: list[tuple[list[Piece], list[Piece], Piece | None]] = []
    spaces: list[Piece] = []
    current: list[Piece] = []
    for piece in pieces:
        kind = piece.kind
        if kind == "newline":
            units.append((spaces, current, piece))
            spaces, current = [], []
        elif kind == "space":
            if current:
                units.append((spaces, current, None))
                spaces, current = [], []
            spaces.append(piece)
        elif current and (
            # the common case, which _can_break always refuses, tested inline: no Japanese, and no hyphen before
            ((last := current[-1]).kind != "cjk" and kind != "cjk" and last.text != "-") or not _can_break(last, piece)
        ):
            current.append(piece)
        elif not current and _holds_across(units, spaces, piece):
            before, unit, _ = units.pop()
            current = [*unit, *spaces, piece]
            spaces = before
        else:
            if current:
                units.append((spaces, current, None))
                spaces = []
            current = [piece]
    if current or not units:
        units.append((spaces, current, None))
    return units


def _split_long(pieces: list[Piece], width: float) -> list[list[Piece]]:
    """Cut a unit wider than the line by characters: better a broken word than text outside the margin."""
    chunks: list[list[Piece]] = [[]]
    used = 0.0
    for piece in _glyphs(pieces):
        if chunks[-1] and used + piece.width > width:
            chunks.append([])
            used = 0.0
        chunks[-1].append(piece)
        used += piece.width
    return chunks


def break_lines(pieces: Sequence[Piece], width: float, first_width: float | None = None) -> list[Line]:
    """Greedy line breaking: English words kept whole, Japanese kinsoku respected, spaces at line edges dropped."""
    line = Line()
    lines = [line]
    room = width if first_width is None else first_width  # the line being filled: the first has its own
    for spaces, unit, hard in _clusters(pieces):
        if unit:
            # sum(map(attrgetter)) adds the same floats in the same order as a generator would, at half the cost.
            space = sum(map(_WIDTH, spaces)) if spaces else 0
            unit_width = unit[0].width if len(unit) == 1 else sum(map(_WIDTH, _flat(map(_GLYPHS, unit))))
            if line.pieces and line.width + space + unit_width > room + 1e-6:
                line = Line()
                lines.append(line)
                room = width
            if not line.pieces:
                if spaces and len(lines) > 1:
                    lines[-2].after = spaces
                spaces, space = [], 0  # spaces at a line start are dropped
            if unit_width > room + 1e-6:
                line = _place_long(lines, spaces, unit, room)
                room = width if len(lines) > 1 else room
            else:  # (adding no space adds nothing: x + 0 is x)
                if spaces:
                    line.pieces += spaces
                    line.width += space
                line.pieces += unit
                line.width += unit_width
        if hard is not None:
            line.after = [hard]
            line = Line()
            lines.append(line)
            room = width
    return lines


def _place_long(lines: list[Line], spaces: list[Piece], unit: list[Piece], room: float) -> Line:
    """Put a unit wider than the line, cut by characters, on the last line and new ones after it; the last line."""
    line = lines[-1]
    for number, chunk in enumerate(_split_long(unit, room)):
        if number:
            line = Line()
            lines.append(line)
        line.pieces += spaces
        line.width += sum(map(_WIDTH, spaces)) if spaces else 0
        spaces = []
        line.pieces += chunk
        line.width += sum(map(_WIDTH, chunk))
    return line
