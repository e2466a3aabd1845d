"""Where things live: the user's data directory and the bundled resources (also when frozen)."""

from __future__ import annotations

import os
import sys
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
    return data_dir / DB_FILE_NAME
