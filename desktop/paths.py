"""Where things live: the user's data directory and the bundled resources (also when frozen)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

APP_DIR_NAME = "callassist"
DB_FILE_NAME = "callassist.sqlite3"
ENV_DATA_DIR = "CALLASSIST_DATA_DIR"


def user_data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir` beats CALLASSIST_DATA_DIR beats the platform's per-user data directory."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME


def resources_dir() -> Path:
    """The bundled resources/ folder: beside the package in a checkout, under _MEIPASS frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def content_pack_dir(locale: str = "zh_CN") -> Path:
    return resources_dir() / "content" / locale


class DataDir(NamedTuple):
    """Every path in the agent's data directory, named once. Files there are private to the
    user (the directory 0700, files 0600 on POSIX).

    A NamedTuple, not a dataclass: the softphone hook imports this, and `dataclasses`
    (which imports `inspect`) was a sixth of the hook's start (issue 16)."""

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike[str]) -> DataDir:
        return cls(Path(root))

    @property
    def db(self) -> Path:
        return self.root / DB_FILE_NAME

    @property
    def log(self) -> Path:
        return self.root / "callassist.log"

    @property
    def cache(self) -> Path:
        """jieba's dictionary cache and other rebuildable files."""
        return self.root / "cache"

    @property
    def spool(self) -> Path:
        """The softphone hook's durable event spool (and its `.offset` beside it)."""
        return self.root / "events.spool"

    @property
    def failed_events(self) -> Path:
        """Softphone events that failed every retry, kept for IT."""
        return self.root / "events.failed"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def content(self) -> Path:
        """A team lead's edited content pack overrides the bundled one from here."""
        return self.root / "content"

    @property
    def content_last_good(self) -> Path:
        return self.root / "content-last-good"

    @property
    def window_state(self) -> Path:
        """Window geometry and view toggles (QSettings, INI)."""
        return self.root / "window.ini"

    @property
    def lock(self) -> Path:
        """Held by the running app: one app per data directory."""
        return self.root / "instance.lock"

    @property
    def ipc_key(self) -> Path:
        """The local IPC's shared secret (random, 0600)."""
        return self.root / "ipc.key"

    @property
    def socket_dir(self) -> Path:
        """The private (0700) folder for the IPC socket and the file naming its address."""
        return self.root / "run"

    @property
    def ipc_address(self) -> Path:
        """Where the running app wrote the address it listens on (see desktop.instance.ipc)."""
        return self.socket_dir / "ipc.address"

    @property
    def notes_rescue(self) -> Path:
        """Notes the database could not take (locked, full disk), merged back later."""
        return self.root / "notes-rescue"
