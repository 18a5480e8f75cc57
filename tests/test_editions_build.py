"""The build writes every worksheet edition beside the student one, and learners' pages link only theirs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from ankiexport.cli import main


def test_build_writes_editions_and_links_only_the_learners(tmp_path: Path, sample_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(sample_path), "--out", str(out), "--format", "pdf", "-j", "1"])
    assert result.exit_code == 0, result.output
    stem = sample_path.stem
    for suffix in ("", "-gapfill", "-teacher", "-reading"):
        assert (out / f"{stem}{suffix}.pdf").read_bytes().startswith(b"%PDF-")
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    audience = {a["file"]: a["audience"] for a in manifest["artifacts"]}
    assert audience == {
        f"{stem}.pdf": "learner",
        f"{stem}-gapfill.pdf": "learner",
        f"{stem}-teacher.pdf": "teacher",
        f"{stem}-reading.pdf": "teacher",
    }
    for page in ("index.html", "feed.xml"):
        text = (out / page).read_text("utf-8")
        assert "-teacher" not in text and "-reading" not in text
    links = re.findall(r'href="([^"]+\.pdf)"', (out / "index.html").read_text("utf-8"))
    assert f"{stem}.pdf" in links and set(links) <= {f"{stem}.pdf", f"{stem}-gapfill.pdf"}
    again = CliRunner().invoke(main, ["build", str(sample_path), "--out", str(out), "--format", "pdf", "-j", "1"])
    assert "0 built, 1 unchanged" in again.output  # every edition is recorded, so an unchanged lesson is skipped
