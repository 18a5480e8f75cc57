"""The sample's and the fixtures' published outputs, byte for byte, as recorded: refactoring the build changes none.

A deliberate change of output (a new card layout, a worksheet fix, a new manifest field) regenerates the record:

    ANKIEXPORT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py

and says so in its commit message. The record names the library versions it was made with, because a new
reportlab or genanki release may change bytes without any change of ours.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from ankiexport.cli import main

ROOT = Path(__file__).resolve().parent.parent
RECORD = Path(__file__).resolve().parent / "golden" / "outputs.json"
LIBRARIES = ("genanki", "reportlab", "pysbd", "lemminflect", "pyyaml")


def _versions() -> dict[str, str]:
    return {name: version(name) for name in LIBRARIES}


def _build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    for source in [*(ROOT / "lessons").iterdir(), *(ROOT / "tests" / "lessons").iterdir()]:
        shutil.copy(source, lessons / source.name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764288000")  # outside git: every lesson's revision time
    result = CliRunner().invoke(main, ["build", "-q", "-j", "1", "lessons", "--out", "out"], catch_exceptions=False)
    assert result.exit_code == 1, result.output  # the bad_* fixtures fail; the others build
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted((tmp_path / "out").iterdir())
        if not path.name.startswith(".")
    }


def test_outputs_match_the_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checksums = _build(tmp_path, monkeypatch)
    if os.environ.get("ANKIEXPORT_UPDATE_GOLDEN"):
        record = {"libraries": _versions(), "outputs": checksums}
        RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", "utf-8")
    record = json.loads(RECORD.read_text("utf-8"))
    changed = sorted(
        name
        for name in checksums.keys() | record["outputs"].keys()
        if checksums.get(name) != record["outputs"].get(name)
    )
    hint = "" if record["libraries"] == _versions() else f" (recorded with {record['libraries']}, now {_versions()})"
    assert not changed, f"outputs differ from tests/golden/outputs.json{hint}: {changed}"
