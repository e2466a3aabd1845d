"""The lead's data: exporting 100,000 calls to CSV and xlsx (through the task runner, with the
GUI thread's longest stall measured meanwhile), and merging a bundle of 100,000 calls into an
empty database, then again (nothing new).

The agent database is generated with bench.calls_db's generator into bench/.data (one agent;
its checklist ticks and reminders, plus one intent and one script use per call: ~1.2 million
bundle rows) and cached by
schema version; building it is not timed.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from bench.common import DATA_DIR, Figures, benchmark, child_main, run_child

ROWS = 100_000


@benchmark(
    "export_csv_100k_s",
    "export_xlsx_100k_s",
    "export_gui_block_max_ms",
    "bundle_export_100k_s",
    "import_100k_s",
    "reimport_100k_s",
    "remerge_100k_s",
)
def run(quick: bool) -> Figures:
    return run_child("lead_data", str(ROWS), timeout=3600)


def _database(rows: int) -> Path:
    from bench import calls_db
    from db import open_db
    from db.migrations import MIGRATIONS

    path = (
        DATA_DIR
        / f"lead-{rows // 1000}k-v{len(MIGRATIONS)}-{calls_db.schema_fingerprint()}.sqlite3"
    )
    if path.exists():
        return path
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    for stale in DATA_DIR.glob(f"lead-{rows // 1000}k-*"):
        stale.unlink()
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    db = open_db(building)
    conn = db.conn
    calls_db._fill(conn, rows, log=lambda m: print(m, file=sys.stderr))
    conn.execute("BEGIN")
    conn.execute("UPDATE calls SET agent = '1001'")
    conn.execute("INSERT INTO settings VALUES ('agent_id', '1001'), ('agent_name', '小王')")
    conn.execute(
        "INSERT INTO call_intents (call_id, intent, set_at) "
        "SELECT id, intent, started_at FROM calls WHERE intent IS NOT NULL"
    )
    conn.execute(
        "INSERT INTO script_uses (call_id, script_id, used_at) "
        "SELECT id, 'greeting_standard', answered_at FROM calls WHERE answered_at IS NOT NULL"
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    for suffix in ("-wal", "-shm"):
        Path(str(building) + suffix).unlink(missing_ok=True)
    building.rename(path)
    return path


def child(args: list[str]) -> Figures:
    rows = int(args[0])
    import tempfile

    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from db import connect, open_db
    from desktop.core.calendar import AgentCalendar
    from desktop.core.clock import SystemClock
    from desktop.core.content.loader import bundled_pack_dir, load_pack
    from desktop.services.audit import AuditLog
    from desktop.services.lead.bundle import export_bundle, import_bundle
    from desktop.services.lead.reports import CallQuery, export_calls
    from desktop.ui.tasks import TaskRunner

    source = _database(rows)
    calendar = AgentCalendar("Asia/Shanghai")
    now = SystemClock().now()
    pack = load_pack(bundled_pack_dir())  # as the lead's menu exports: checklists, handbook
    import gc

    gc.freeze()  # what start-up built stays out of full collections, as App.start_background
    out = Figures()
    work = Path(tempfile.mkdtemp(prefix="lead-bench-"))
    try:
        app = QApplication.instance() or QApplication([])
        tasks = TaskRunner()

        def timed_export(fmt: str) -> tuple[float, float, float]:
            """Seconds for the export, the GUI thread's longest gap between 5 ms ticks, and
            the worker's CPU seconds (less at the mercy of a busy machine)."""
            target = work / f"calls.{fmt}"
            done_flag = [False]
            error: list[BaseException] = []
            max_gap = [0.0]
            seconds = [0.0, 0.0]
            clock = QElapsedTimer()
            clock.start()
            last = [clock.elapsed()]

            def tick() -> None:
                now = clock.elapsed()
                max_gap[0] = max(max_gap[0], now - last[0])
                last[0] = now

            timer = QTimer()
            timer.setInterval(5)
            timer.timeout.connect(tick)

            def job(progress):
                db = connect(source, readonly=True)
                try:
                    started, cpu = time.perf_counter(), time.thread_time()
                    export_calls(
                        db, target, fmt, CallQuery(), calendar,
                        now=now, pack=pack, progress=progress,
                    )  # fmt: skip
                    return time.perf_counter() - started, time.thread_time() - cpu
                finally:
                    db.close()

            def done(future) -> None:
                done_flag[0] = True
                try:
                    seconds[:] = future.result()
                except Exception as exc:
                    error.append(exc)

            timer.start()
            tasks.run_with_progress(job, done, lambda *_: None)
            while not done_flag[0]:
                app.processEvents()  # the bench's own loop stands in for app.exec()
                time.sleep(0.001)
            timer.stop()
            if error:
                raise error[0]
            return seconds[0], max_gap[0] - 5, seconds[1]

        csv_s, csv_gap, csv_cpu = timed_export("csv")
        xlsx_s, xlsx_gap, xlsx_cpu = timed_export("xlsx")
        out["export_csv_100k_s"] = round(csv_s, 2)
        out["export_xlsx_100k_s"] = round(xlsx_s, 2)
        out["export_gui_block_max_ms"] = round(max(csv_gap, xlsx_gap, 0), 1)
        out.notes.append(
            f"exports of {rows:,} calls on a worker; GUI stall = longest gap between 5 ms timer "
            f"ticks beyond 5 ms (csv {csv_gap:.0f} ms, xlsx {xlsx_gap:.0f} ms); worker CPU "
            f"csv {csv_cpu:.2f} s, xlsx {xlsx_cpu:.2f} s (with the statistics sheets and the "
            f"handbook, as the lead's menu writes them); load average {_load()}"
        )
        tasks.close()

        clock = SystemClock()
        bundle = work / "agent.cabundle"
        started = time.perf_counter()
        summary = export_bundle(source, bundle, clock, calendar)
        out["bundle_export_100k_s"] = round(time.perf_counter() - started, 2)
        lead_path = work / "lead" / "callassist.sqlite3"
        lead = open_db(lead_path)
        audit = AuditLog(lead, clock, "9001")
        started, cpu = time.perf_counter(), time.process_time()
        first = import_bundle(lead, bundle, audit, target_file=lead_path)
        out["import_100k_s"] = round(time.perf_counter() - started, 2)
        import_cpu = time.process_time() - cpu
        started = time.perf_counter()
        again = import_bundle(lead, bundle, audit, target_file=lead_path)
        out["reimport_100k_s"] = round(time.perf_counter() - started, 2)
        lead.execute("DELETE FROM bundle_imports")  # forgotten: every row is compared again
        started, cpu = time.perf_counter(), time.process_time()
        remerge = import_bundle(lead, bundle, audit, target_file=lead_path)
        out["remerge_100k_s"] = round(time.perf_counter() - started, 2)
        remerge_cpu = time.process_time() - cpu
        lead.close()
        assert first.tables["calls"].added == rows and again.added == 0 and again.updated == 0
        assert again.already_imported and remerge.added == 0 and remerge.updated == 0
        out.notes.append(
            f"import CPU {import_cpu:.2f} s (the checksum is checked on a second thread beside "
            f"the merge); reimport = the same bundle again (known by its checksum); remerge = "
            f"it again with that record forgotten, every row compared: CPU {remerge_cpu:.2f} s"
        )
        out.notes.append(
            f"bundle of {sum(summary.rows.values()):,} rows ({summary.rows['calls']:,} calls) "
            "imported into an empty database, then again (nothing new)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _load() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


if __name__ == "__main__":
    child_main(child)
