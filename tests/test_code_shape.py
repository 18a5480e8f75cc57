"""The code's shape: short, simple functions, and module docstrings that say in one sentence what a module is for."""

# The blocks that were over the bar when these checks came in were listed here as debt; it is paid, and no block
# may be over the bar again: when one grows, the design is asking for a new piece.

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit

TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src" / "ankiexport"
MAX_LINES = 40


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _name(path: Path, function: str) -> str:
    return f"{path.relative_to(SRC).as_posix()}:{function}"


def _too_complex() -> set[str]:
    """Blocks (functions, methods, classes) of radon rank D or worse."""
    found = set()
    for path in _sources():
        for block in cc_visit(path.read_text("utf-8")):
            if cc_rank(block.complexity) > "C":
                found.add(_name(path, block.name))
    return found


def _too_long() -> set[str]:
    """Functions and methods (nested ones too) over MAX_LINES lines from ``def`` to their last line."""
    found = set()
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                if node.end_lineno - node.lineno + 1 > MAX_LINES:
                    found.add(_name(path, node.name))
    return found


@pytest.mark.parametrize("find", [_too_complex, _too_long], ids=["complexity", "length"])
def test_no_block_over_the_bar(find: Callable[[], set[str]]) -> None:
    found = find()
    assert not found, f"over the bar (find the piece the design is asking for): {sorted(found)}"


# Abbreviations whose full stop ends no sentence; a sentence ends at . ! ? (before any closing quote or bracket)
# followed by white space and a capital letter or an opening quote, or at a Japanese full stop.
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf)\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][\"')\]」]*\s+[A-Z\"'(「]|。.")


def _docstring_fault(docstring: str | None) -> str | None:
    """Why a module docstring does not say in one sentence what the module is for, or None when it does."""
    if not docstring or not docstring.strip():
        return "no docstring"
    paragraphs = re.split(r"\n\s*\n", docstring.strip())
    first = " ".join(paragraphs[0].split())
    if _SENTENCE_END.search(_ABBREVIATIONS.sub("", first)):
        return "more than one sentence"
    if len(paragraphs) > 1:
        return "more than one paragraph (why belongs in comments)"
    return None


@pytest.mark.parametrize(
    ("docstring", "fault"),
    [
        ("Reading lessons: bytes to text, e.g. CP932 or UTF-8, etc. with line numbers.", None),
        ("Kahoot!'s quiz spreadsheet: one question per term (which English words?), four answers.", None),
        ("Versions of a worksheet (A, B, C, ...): other orders.", None),
        ("The runner. It builds lessons in worker processes.", "more than one sentence"),
        ('A reader ("the text one"). Another sentence.', "more than one sentence"),
        ("読む。書く。", "more than one sentence"),
        ("The runner builds lessons.\n\nWorkers only compute.", "more than one paragraph (why belongs in comments)"),
        ("   ", "no docstring"),
        (None, "no docstring"),
    ],
)
def test_docstring_check(docstring: str | None, fault: str | None) -> None:
    assert _docstring_fault(docstring) == fault


def test_module_docstrings_say_in_one_sentence_what_the_module_is_for() -> None:
    helpers = [path for path in TESTS.glob("*.py") if not path.name.startswith("test_")]
    found = {}
    for path in [*_sources(), *sorted(helpers)]:
        fault = _docstring_fault(ast.get_docstring(ast.parse(path.read_text("utf-8"))))
        if fault is not None:
            found[path.relative_to(TESTS.parent).as_posix()] = fault
    assert not found, f"module docstrings that do not say in one sentence what the module is for: {found}"
