"""A non-editable install carries its fonts: the wheel works from any folder, without the repository beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lesson_files import ROOT, SAMPLE


@pytest.mark.slow
def test_wheel_carries_fonts_and_builds_from_elsewhere(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("ankiexport-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for font in (ROOT / "fonts").iterdir():
        assert f"ankiexport/fonts/{font.name}" in names, font.name

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(SAMPLE, elsewhere / SAMPLE.name)
    env = {**os.environ, "PYTHONPATH": str(target), "SOURCE_DATE_EPOCH": "1764288000"}
    where = subprocess.run(
        [sys.executable, "-c", "import ankiexport; print(ankiexport.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(target)), where
    result = subprocess.run(
        [sys.executable, "-m", "ankiexport", "build", SAMPLE.name, "--out", "out", "-q", "-j", "1"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "out" / f"{SAMPLE.stem}.pdf").stat().st_size > 10_000
    assert (elsewhere / "out" / f"{SAMPLE.stem}.apkg").exists()
