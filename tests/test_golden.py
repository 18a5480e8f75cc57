"""The sample's and the fixtures' published outputs, byte for byte, as recorded: refactoring the build changes none."""

# A deliberate change of output (a new card layout, a worksheet fix, a new manifest field) regenerates the record:
#
#     ANKIEXPORT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py
#
# and says so in its commit message. The record names the library versions it was made with, because a new
# reportlab or genanki release may change bytes without any change of ours.

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path

import pytest

RECORD = Path(__file__).resolve().parent / "golden" / "outputs.json"
LIBRARIES = ("genanki", "reportlab", "pysbd", "lemminflect", "pyyaml")


def _versions() -> dict[str, str]:
    return {name: version(name) for name in LIBRARIES}


@pytest.mark.slow  # first: other modules' tests read the folder it builds, and wait for it
def test_outputs_match_the_record(built_fixtures: Path) -> None:
    checksums = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(built_fixtures.iterdir())
        if not path.name.startswith(".")
    }
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
