"""Run one lead action in a child process whose files may not grow past a size limit
(RLIMIT_FSIZE), the way a full disk stops a write: `python -m tests.helpers.file_size_limit
LIMIT ACTION DATABASE TARGET`. Prints one JSON line: {"error": message or null}.

ACTION: csv, xlsx (export the calls of DATABASE to TARGET), bundle (write DATABASE's bundle to
TARGET), import (merge the bundle TARGET into DATABASE). POSIX only.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
from pathlib import Path


def with_file_size_limit(limit: int, action: str, database: Path, target: Path) -> str | None:
    """Run ACTION in a child process that may not grow any file past `limit` bytes; the
    user's message it ended with, or None when it succeeded."""
    import os
    import subprocess

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "tests.helpers.file_size_limit", str(limit), action,
         str(database), str(target)],
        capture_output=True, text=True, timeout=120, cwd=root,
        env=dict(os.environ, PYTHONPATH=str(root)),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])["error"]


def main(argv: list[str]) -> int:
    limit, action, database, target = int(argv[0]), argv[1], Path(argv[2]), Path(argv[3])
    from db import open_db
    from desktop.core.calendar import AgentCalendar
    from desktop.core.clock import FakeClock
    from desktop.services.audit import AuditLog
    from desktop.services.lead.bundle import BundleError, export_bundle, import_bundle
    from desktop.services.lead.export import ExportError
    from desktop.services.lead.reports import CallQuery, export_calls

    clock = FakeClock("2026-03-03T00:00:00Z")
    calendar = AgentCalendar("Asia/Shanghai")
    db = open_db(database)
    # from here on no file of this process may grow past `limit` bytes; the write that
    # would fails with EFBIG instead of the process being killed
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    error: str | None = None
    try:
        if action in ("csv", "xlsx"):
            export_calls(db, target, action, CallQuery(), calendar, now=clock.now())
        elif action == "bundle":
            export_bundle(database, target, clock, calendar)
        elif action == "import":
            import_bundle(db, target, AuditLog(db, clock, "9001"), target_file=database)
        else:
            raise SystemExit(f"unknown action {action}")
    except (ExportError, BundleError) as exc:
        error = str(exc)
    finally:
        db.close()
    print(json.dumps({"error": error}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
