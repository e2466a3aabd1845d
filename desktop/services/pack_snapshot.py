"""A validated content pack kept between runs, keyed by what it was validated from.

Reading and validating the pack's ~15 TOML files takes 50-200 ms at every start, for files
that change a few times a year. `load_pack_cached` returns the pack `load_pack` would return:
it hashes every file in the pack folder and the content loader's own source, and when both
match the snapshot written after the last clean load it unpickles that instead (a few ms).
Anything else (a changed, added or removed pack file, another loader version, an unreadable
or corrupt snapshot) loads and validates the pack as before; only a clean load is stored, so
a broken pack is reported every time exactly as the loader reports it.

The snapshot lives in the agent's own cache dir (private to the user, like the database).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path

import desktop.core.content as content_package
from desktop.core.content.model import ContentPack

log = logging.getLogger(__name__)

SNAPSHOT_FORMAT = 1


def _loader_version() -> str | None:
    """A hash of the content package's source (loader, model, validation rules); None when
    the source cannot be read (a frozen build without .py files): then nothing is cached."""
    digest = hashlib.sha256(str(SNAPSHOT_FORMAT).encode())
    package_dir = Path(content_package.__file__).parent
    try:
        sources = sorted(package_dir.glob("*.py"))
        if not sources:
            return None
        for source in sources:
            digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def pack_key(directory: Path) -> str | None:
    """A hash of every file under `directory` (names and bytes) and of the loader; None when
    the folder cannot be read."""
    loader = _loader_version()
    if loader is None:
        return None
    digest = hashlib.sha256(loader.encode())
    try:
        for path in sorted(p for p in Path(directory).rglob("*") if p.is_file()):
            name = path.relative_to(directory).as_posix()
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()


def load_pack_cached(directory: Path, snapshot: Path) -> ContentPack:
    """The pack at `directory` (PackError as load_pack raises it), from `snapshot` when it
    was written for exactly these files and this loader."""
    key = pack_key(directory)
    if key is not None:
        cached = _read(snapshot, key)
        if cached is not None:
            return cached
    # The loader (TOML, every validation rule) is imported only when the snapshot misses.
    from desktop.core.content.loader import load_pack

    pack = load_pack(directory)  # raises PackError: nothing is stored
    if key is not None:
        _write(snapshot, key, pack)
    return pack


def _read(snapshot: Path, key: str) -> ContentPack | None:
    try:
        stored_key, pack = pickle.loads(snapshot.read_bytes())
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or foreign file: load the pack the slow way
        log.warning("content snapshot %s is unreadable; validating the pack", snapshot)
        return None
    if stored_key != key or not isinstance(pack, ContentPack):
        return None
    return pack


def _write(snapshot: Path, key: str, pack: ContentPack) -> None:
    try:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=snapshot.parent, prefix=".content-")
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump((key, pack), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, snapshot)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("could not write the content snapshot %s: %s", snapshot, exc)
