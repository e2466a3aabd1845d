"""Kill -9 at any moment: committed rows survive, the file stays consistent, and notes typed
a second before the kill are in the database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from db import open_db

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

WRITER = """
import sys, uuid
from pathlib import Path
from db import open_db
db = open_db(Path(sys.argv[1]))
n = 0
while True:
    db["calls"].insert({"id": str(uuid.uuid4()), "started_at": "2026-01-01T00:00:00.000Z",
                        "status": "active", "notes": "记录" * 50})
    n += 1
    print(n, flush=True)
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_kill9_during_writes_keeps_every_committed_row(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    open_db(path).close()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env=_env()
    )
    acknowledged = 0
    try:
        for line in proc.stdout:
            acknowledged = int(line)
            if acknowledged >= 300:
                break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    db = open_db(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db["calls"].count >= acknowledged
    db.close()


def test_kill9_keeps_notes_typed_a_second_before(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("typist.py")), str(data)],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    call_id = ""
    typed_at: list[tuple[float, int]] = []
    try:
        for line in proc.stdout:
            if line.startswith("call "):
                call_id = line.split()[1]
            elif line.startswith("typed "):
                typed_at.append((time.monotonic(), int(line.split()[1])))
                if typed_at[-1][1] >= 60:
                    break
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    killed_at = time.monotonic()
    safe = max(n for t, n in typed_at if t <= killed_at - 1.0)
    raw = sqlite3.connect(data / "callassist.sqlite3")
    notes = raw.execute("SELECT notes FROM calls WHERE id = ?", [call_id]).fetchone()[0]
    raw.close()
    assert len(notes) >= safe, f"typed {safe} chars ≥1 s before the kill, saved {len(notes)}"
