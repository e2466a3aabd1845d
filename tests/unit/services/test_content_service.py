"""The content service only ever swaps in a pack that loads, and remembers the last good one."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from desktop.core.changes import OpChanges
from desktop.core.content.loader import bundled_pack_dir
from desktop.services.content_service import ContentService
from tests.helpers.logfail import ExpectLog


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    path = tmp_path / "bundled" / "zh_CN"
    shutil.copytree(bundled_pack_dir(), path)
    return path


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


def edited_pack(data: Path, bundled: Path) -> Path:
    """A team lead's copy of the pack in the data dir."""
    path = data / "content" / "zh_CN"
    shutil.copytree(bundled, path)
    return path


def relabel(pack_dir: Path, label: str) -> None:
    path = pack_dir / "call_types.toml"
    path.write_text(
        path.read_text("utf-8").replace('label = "咨询"', f'label = "{label}"'), "utf-8"
    )


def break_pack(pack_dir: Path) -> None:
    (pack_dir / "phrases.toml").write_text("phrase = [", "utf-8")


def label(service: ContentService) -> str:
    return service.pack.call_type("inquiry").label


def files(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_starts_from_bundled_pack_and_snapshots_it(bundled: Path, data: Path) -> None:
    service = ContentService(bundled, data)
    assert (service.source, service.problems, label(service)) == (bundled, [], "咨询")
    assert files(data / "content-last-good" / "zh_CN") == files(bundled)
    assert [p.name for p in (data / "content-last-good").iterdir()] == ["zh_CN"]  # no leftovers


def test_edited_pack_in_data_dir_wins(bundled: Path, data: Path) -> None:
    edited = edited_pack(data, bundled)
    relabel(edited, "产品咨询")
    (edited / "notes.txt").write_text("组长的草稿", "utf-8")
    service = ContentService(bundled, data)
    assert (service.source, label(service)) == (edited, "产品咨询")
    snapshot = files(data / "content-last-good" / "zh_CN")
    assert "notes.txt" not in snapshot  # only the pack's own files are kept
    assert snapshot == {k: v for k, v in files(edited).items() if k != "notes.txt"}


def test_bad_edited_pack_at_start_falls_back_to_last_good(
    bundled: Path, data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    edited = edited_pack(data, bundled)
    relabel(edited, "产品咨询")
    ContentService(bundled, data)  # leaves a last-good snapshot of the edited pack
    break_pack(edited)
    with caplog.at_level(logging.WARNING):
        service = ContentService(bundled, data)
    assert service.source == data / "content-last-good" / "zh_CN"
    assert label(service) == "产品咨询"
    assert [str(p).split(":")[0] for p in service.problems] == ["phrases.toml"]
    assert "1 problem" in caplog.text


def test_bad_edited_pack_without_last_good_falls_back_to_bundled(
    bundled: Path, data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    break_pack(edited_pack(data, bundled))
    with caplog.at_level(logging.WARNING):
        service = ContentService(bundled, data)
    assert (service.source, label(service)) == (bundled, "咨询")
    assert service.problems
    assert not (data / "content-last-good").exists()  # a fallback is not a new last-good


def test_broken_bundled_pack_never_raises(
    bundled: Path, data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    break_pack(bundled)
    with caplog.at_level(logging.WARNING):
        service = ContentService(bundled, data)
    assert service.pack.call_types == () and service.problems


def test_reload_with_broken_pack_keeps_current_pack(
    bundled: Path, data: Path, caplog: pytest.LogCaptureFixture, expect_log: ExpectLog
) -> None:
    edited = edited_pack(data, bundled)
    service = ContentService(bundled, data)
    seen: list[OpChanges] = []
    service.bus.subscribe(lambda changes, _origin: seen.append(changes))
    before = service.pack
    relabel(edited, "产品咨询")
    break_pack(edited)
    with caplog.at_level(logging.WARNING):
        problems = service.reload()
    assert problems and problems == service.problems
    assert service.pack is before and seen == []
    with expect_log(logging.WARNING, "has 1 problem"):  # the broken edit, at the next start
        assert label(ContentService(bundled, data)) == "咨询"  # last-good still the old pack


def test_reload_with_good_pack_notifies_and_snapshots(bundled: Path, data: Path) -> None:
    service = ContentService(bundled, data)
    seen: list[OpChanges] = []
    service.bus.subscribe(lambda changes, _origin: seen.append(changes))
    edited = edited_pack(data, bundled)
    relabel(edited, "产品咨询")
    assert service.reload() == []
    assert (service.source, label(service), service.problems) == (edited, "产品咨询", [])
    assert seen == [OpChanges(content=True)]
    assert files(data / "content-last-good" / "zh_CN") == files(edited)


def test_snapshot_failure_is_logged_not_raised(
    bundled: Path, data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (data / "content-last-good").write_text("not a directory", "utf-8")
    with caplog.at_level(logging.WARNING):
        service = ContentService(bundled, data)
    assert service.problems == [] and label(service) == "咨询"
    assert "could not snapshot" in caplog.text
