"""Atomic file writing: whole files with ordinary permissions, all of a group or none, no temporaries left."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ankiexport import files as files_module
from ankiexport.files import TEMP_RE, write_all_atomically, write_if_changed
from disk_faults import disk_full_for


def test_files_are_written_whole_with_the_permissions_a_plain_open_gives(tmp_path: Path) -> None:
    mask = os.umask(0o027)
    try:
        write_all_atomically([(tmp_path / "new" / "folder" / "a.pdf", b"%PDF" * 100_000), (tmp_path / "b.apkg", b"")])
    finally:
        os.umask(mask)
    assert (tmp_path / "new" / "folder" / "a.pdf").read_bytes() == b"%PDF" * 100_000
    assert (tmp_path / "b.apkg").read_bytes() == b""
    assert stat.S_IMODE((tmp_path / "b.apkg").stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.apkg", "new"]


def test_every_temporary_is_synced_under_a_name_the_build_cleans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[Path] = []
    real = files_module.fsync_file

    def watched(path: Path) -> None:
        assert path.parent == tmp_path and TEMP_RE.match(path.name) and path.name.startswith(".a.pdf.")
        assert path.read_bytes() == b"data"  # synced once written whole, before the rename
        synced.append(path)
        real(path)

    monkeypatch.setattr(files_module, "fsync_file", watched)
    write_all_atomically([(tmp_path / "a.pdf", b"data")])
    assert len(synced) == 1 and not synced[0].exists()


def test_a_failed_write_replaces_none_of_the_group_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.pdf").write_bytes(b"old a")
    (tmp_path / "b.pdf").write_bytes(b"old b")
    disk_full_for(monkeypatch, lambda name: name.startswith(".b.pdf."))
    with pytest.raises(OSError, match="No space left on device") as raised:
        write_all_atomically([(tmp_path / "a.pdf", b"new a"), (tmp_path / "b.pdf", b"new b")])
    assert raised.value.filename == str(tmp_path / "b.pdf")  # the file the user knows, not the temporary
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {"a.pdf": b"old a", "b.pdf": b"old b"}


def test_unchanged_bytes_are_not_written_again(tmp_path: Path) -> None:
    assert write_if_changed(tmp_path / "x.json", b"{}")
    before = (tmp_path / "x.json").stat().st_mtime_ns
    assert not write_if_changed(tmp_path / "x.json", b"{}")
    assert (tmp_path / "x.json").stat().st_mtime_ns == before
