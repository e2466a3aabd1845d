"""Where things live: the user's data directory and the bundled resources (also when frozen)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

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


def db_path(data_dir: Path) -> Path:
    return DataDir(data_dir).db


@dataclass(frozen=True, slots=True)
class DataDir:
    """The one map of the data directory: every file and folder the app keeps there.

    Private to the user on POSIX (the folder 0700, every file 0600; see desktop.instance).
    """

    root: Path

    def __init__(self, root: str | os.PathLike[str]) -> None:
        object.__setattr__(self, "root", Path(root))

    @property
    def db(self) -> Path:
        """The agent's SQLite file (its -wal and -shm sit beside it)."""
        return self.root / DB_FILE_NAME

    @property
    def log(self) -> Path:
        """The IT log, rotated (callassist.log.1 … .3 beside it)."""
        return self.root / "callassist.log"

    @property
    def cache(self) -> Path:
        """Rebuildable caches (jieba's dictionary cache)."""
        return self.root / "cache"

    @property
    def spool(self) -> Path:
        """Softphone events from the hook (``.offset`` and ``.lock`` files beside it)."""
        return self.root / "events.spool"

    @property
    def set_aside(self) -> Path:
        """Softphone events that could not be recorded, kept for IT (JSON lines)."""
        return self.root / "events.set-aside"

    @property
    def backups(self) -> Path:
        """Pre-migration copies of the database and set-aside unusable files."""
        return self.root / "backups"

    @property
    def content(self) -> Path:
        """A team lead's edited content packs (``content/zh_CN``)."""
        return self.root / "content"

    @property
    def content_last_good(self) -> Path:
        """A copy of the last edited pack that loaded cleanly (used when the edit breaks)."""
        return self.root / "content-last-good"

    @property
    def lock(self) -> Path:
        """The instance lock: held by the one app serving this data dir."""
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
        """Where the running app wrote the address it listens on."""
        return self.socket_dir / "ipc.address"

    @property
    def window_ini(self) -> Path:
        """The window layout (QSettings, INI)."""
        return self.root / "window.ini"
