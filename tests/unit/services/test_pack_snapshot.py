"""The content snapshot: the same pack as load_pack, invalidated by any change to the files."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from desktop.core.content.loader import bundled_pack_dir, load_pack
from desktop.core.content.problems import PackError
from desktop.services import pack_snapshot
from desktop.services.pack_snapshot import load_pack_cached


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(bundled_pack_dir(), target)
    return target


def test_a_snapshot_gives_the_pack_the_loader_gives(pack_dir: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "cache" / "content.pickle"
    first = load_pack_cached(pack_dir, snapshot)
    assert snapshot.is_file()
    assert first == load_pack(pack_dir)
    stamp = snapshot.stat().st_mtime_ns
    assert load_pack_cached(pack_dir, snapshot) == first
    assert snapshot.stat().st_mtime_ns == stamp  # read, not rewritten


def test_a_changed_pack_file_is_loaded_again(pack_dir: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "content.pickle"
    before = load_pack_cached(pack_dir, snapshot)
    pack_toml = pack_dir / "pack.toml"
    text = pack_toml.read_text(encoding="utf-8")
    assert f'version = "{before.version}"' in text
    pack_toml.write_text(
        text.replace(f'version = "{before.version}"', 'version = "9.9.9"'), encoding="utf-8"
    )
    assert load_pack_cached(pack_dir, snapshot).version == "9.9.9"


def test_a_broken_pack_is_reported_not_served_from_the_snapshot(
    pack_dir: Path, tmp_path: Path
) -> None:
    snapshot = tmp_path / "content.pickle"
    load_pack_cached(pack_dir, snapshot)
    script_file = sorted((pack_dir / "scripts").glob("*.toml"))[0]
    original = script_file.read_bytes()
    script_file.write_text("this is [not toml", encoding="utf-8")
    with pytest.raises(PackError):
        load_pack_cached(pack_dir, snapshot)
    script_file.write_bytes(original)
    assert load_pack_cached(pack_dir, snapshot) == load_pack(pack_dir)


def test_an_added_or_removed_file_changes_the_key(pack_dir: Path) -> None:
    key = pack_snapshot.pack_key(pack_dir)
    extra = pack_dir / "scripts" / "zz_extra.toml"
    extra.write_text("", encoding="utf-8")
    assert pack_snapshot.pack_key(pack_dir) != key
    extra.unlink()
    assert pack_snapshot.pack_key(pack_dir) == key


def test_another_loader_version_or_a_corrupt_snapshot_validates_again(
    pack_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expect_log
) -> None:
    snapshot = tmp_path / "content.pickle"
    pack = load_pack_cached(pack_dir, snapshot)
    key = pack_snapshot.pack_key(pack_dir)
    monkeypatch.setattr(pack_snapshot, "SNAPSHOT_FORMAT", pack_snapshot.SNAPSHOT_FORMAT + 1)
    assert pack_snapshot.pack_key(pack_dir) != key
    monkeypatch.undo()
    snapshot.write_bytes(b"\x80garbage")
    with expect_log(logging.WARNING, r"content snapshot .* is unreadable"):
        assert load_pack_cached(pack_dir, snapshot) == pack
    assert pack_snapshot._read(snapshot, key) == pack  # rewritten after the clean load
