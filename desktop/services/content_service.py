"""Holds the content pack the app runs on, and swaps it only for a pack that loads cleanly.

A team lead may edit the pack in the data dir while agents are on calls: a broken edit must
never take scripts away from them, so a bad pack keeps the current one (or, at start, the
last pack that loaded) and its problems are kept for the UI to show.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from desktop.core.changes import ChangeBus, OpChanges
from desktop.core.content.model import ContentPack
from desktop.core.content.problems import PackError, Problem
from desktop.paths import DataDir
from desktop.services.pack_snapshot import load_pack_cached

log = logging.getLogger(__name__)

LOCALE = "zh_CN"


def _empty_pack() -> ContentPack:
    """What the app runs on if even the bundled pack is broken: no content, no crash."""
    return ContentPack(
        locale=LOCALE,
        version="",
        call_types=(),
        checklists={},
        scripts=(),
        reminder_rules=(),
        phrases=(),
    )


class ContentService:
    """The current good pack, where it came from, and what was wrong with the last load."""

    def __init__(self, bundled_dir: Path, data_dir: Path, bus: ChangeBus | None = None) -> None:
        self.bus = bus or ChangeBus()
        self.bundled_dir = Path(bundled_dir)
        self.edited_dir = DataDir.at(data_dir).content / LOCALE
        self.last_good_dir = DataDir.at(data_dir).content_last_good / LOCALE
        self.snapshot_file = DataDir.at(data_dir).cache / f"content-{LOCALE}.pickle"
        self.problems: list[Problem] = []
        source = self._source_dir()
        try:
            self.pack = load_pack_cached(source, self.snapshot_file)
            self.source = source
        except PackError as e:
            self.problems = e.problems
            log.warning("content pack %s has %d problem(s)", source, len(e.problems))
            self.pack, self.source = self._fallback(source)
        else:
            self._snapshot()

    def _source_dir(self) -> Path:
        """A team lead's edited pack wins over the bundled one."""
        return self.edited_dir if self.edited_dir.exists() else self.bundled_dir

    def _fallback(self, failed: Path) -> tuple[ContentPack, Path]:
        from desktop.core.content.loader import load_pack  # only when the pack is broken

        for candidate in (self.last_good_dir, self.bundled_dir):
            if candidate == failed or not candidate.exists():
                continue
            try:
                return load_pack(candidate), candidate
            except PackError as e:
                log.error("fallback content pack %s is broken too: %s", candidate, e)
        return _empty_pack(), failed

    def reload(self) -> list[Problem]:
        """Load the source pack again; on problems keep the current pack and return them."""
        source = self._source_dir()
        try:
            pack = load_pack_cached(source, self.snapshot_file)
        except PackError as e:
            self.problems = e.problems
            log.warning("content pack %s not reloaded: %d problem(s)", source, len(e.problems))
            return self.problems
        self.pack, self.source, self.problems = pack, source, []
        self._snapshot()
        self.bus.publish(OpChanges(content=True))
        return []

    def _snapshot(self) -> None:
        """Copy the source pack to last-good: copied, re-checked, then renamed into place.
        Skipped when last-good already holds the same files (every start, usually)."""
        parent = self.last_good_dir.parent
        if self._pack_files(self.source) == self._pack_files(self.last_good_dir):
            return
        try:
            parent.mkdir(parents=True, exist_ok=True)
            from desktop.core.content.loader import check_pack  # only when the pack changed

            staging = Path(tempfile.mkdtemp(prefix=f".{LOCALE}-new-", dir=parent))
            try:
                self._copy_pack(self.source, staging)
                if check_pack(staging):  # the source changed while we copied it
                    log.warning("content pack changed during snapshot; last-good kept")
                    return
                old = parent / f".{LOCALE}-old"
                shutil.rmtree(old, ignore_errors=True)
                if self.last_good_dir.exists():
                    self.last_good_dir.rename(old)
                staging.rename(self.last_good_dir)
                shutil.rmtree(old, ignore_errors=True)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except OSError as e:
            log.warning("could not snapshot content pack to %s: %s", self.last_good_dir, e)

    @staticmethod
    def _pack_files(directory: Path) -> dict[str, bytes] | None:
        """The pack's own files by relative name, or None when they cannot all be read."""
        from desktop.core.content.layout import SCRIPTS_DIR, TOP_LEVEL_FILES

        try:
            files = {name: (directory / name).read_bytes() for name in TOP_LEVEL_FILES}
            for path in sorted((directory / SCRIPTS_DIR).glob("*.toml")):
                files[f"{SCRIPTS_DIR}/{path.name}"] = path.read_bytes()
        except OSError:
            return None
        return files

    @staticmethod
    def _copy_pack(source: Path, target: Path) -> None:
        """Copy only the pack's own files, not whatever else sits in the folder."""
        from desktop.core.content.layout import SCRIPTS_DIR, TOP_LEVEL_FILES

        for name in TOP_LEVEL_FILES:
            shutil.copy2(source / name, target / name)
        (target / SCRIPTS_DIR).mkdir()
        for path in sorted((source / SCRIPTS_DIR).glob("*.toml")):
            shutil.copy2(path, target / SCRIPTS_DIR / path.name)
