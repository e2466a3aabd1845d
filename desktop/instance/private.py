"""Files only this user can read: the data dir 0700, every file in it 0600 (POSIX).

The process umask makes new files private; ``make_private`` repairs what an older version
(or a copy) left readable, and says so in the log.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from desktop.instance.platform import CURRENT, Platform
from desktop.lazy_log import LazyLogger

log = LazyLogger(__name__)  # the hook imports this: no logging until something is said

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def set_private_umask(platform: Platform = CURRENT) -> None:
    """New files and folders of this process are private (no-op on Windows)."""
    if platform.posix_modes:
        os.umask(PRIVATE_UMASK)


def make_private(root: Path, platform: Platform = CURRENT) -> list[Path]:
    """Make ``root`` 0700 and everything below it private; returns what was changed.

    Symlinks are left alone (never follow one out of the data dir). Raises OSError only
    for ``root`` itself; a file that cannot be changed is logged and skipped.
    """
    if not platform.posix_modes:
        return []
    changed: list[Path] = []
    if _fix(root, DIR_MODE):
        changed.append(root)
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            try:
                if path.is_symlink():
                    continue
                if _fix(path, DIR_MODE if path.is_dir() else FILE_MODE):
                    changed.append(path)
            except OSError as exc:
                log.warning("could not make %s private: %s", path, exc)
    if changed:
        log.warning(
            "made %d item(s) in the data dir private to this user (dir 0700, files 0600): %s",
            len(changed),
            ", ".join(str(p.relative_to(root)) or "." for p in changed[:10]),
        )
    return changed


def _fix(path: Path, wanted: int) -> bool:
    if stat.S_IMODE(os.lstat(path).st_mode) == wanted:
        return False
    os.chmod(path, wanted)
    return True
