"""Reminders: loading and scheduling 10,000 stored reminders at start, and how late a
reminder due in 1–2 s fires through the real scheduler in a Qt event loop.

The child stores 10,000 open reminders (a few overdue, the rest over the next 30 days) in a
database made by db.open_db, then times what start-up does with them: ReminderService,
ReminderScheduler.start() (claims what is due, arms APScheduler for the next one) and the
reminders panel's first listing shown, laid out and painted: the parts build_app wires,
timed directly. Then, with all of that running, reminders are created through the service
due 1–2 s ahead, and the time from each due time to the scheduler's `reminder_due` signal is
measured: the figure is the max over N.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.common import Figures, benchmark, child_main, run_child

STORED = 10_000
OVERDUE = 10
LATE_RUNS_QUICK, LATE_RUNS_FULL = 3, 5
FIRE_TIMEOUT_S = 30.0
KEYS = ("reminder_fire_late_ms", "reminder_load_10k_ms")


@benchmark(*KEYS)
def run(quick: bool) -> Figures:
    return run_child("reminders", str(LATE_RUNS_QUICK if quick else LATE_RUNS_FULL), timeout=300)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def store_reminders(db, count: int, overdue: int, now: datetime) -> None:
    """`count` open reminders as the service stores them: `overdue` of them past due, the
    rest over the next 30 days, every kind, with phone and customer name."""
    rng = random.Random(10)
    kinds = ("callback", "first_response", "progress", "revisit")
    rows = []
    for n in range(count):
        reminder_id = str(uuid.uuid4())
        minutes = -rng.randint(1, 600) if n < overdue else rng.randint(10, 30 * 24 * 60)
        due = _iso(now + timedelta(minutes=minutes))
        rows.append(
            (
                reminder_id,
                reminder_id,
                rng.choice(kinds),
                due,
                due,
                _iso(now - timedelta(days=1)),
                f"1{rng.randint(3_000_000_000, 9_999_999_999)}",
                f"客户{n}",
                "与客户约定回电",
            )
        )
    conn = db.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO reminders (id, case_id, kind, due_at, target_at, status, created_at, "
        "phone, customer_name, note) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")


def child(args: list[str]) -> Figures:
    late_runs = int(args[0])
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from bench.appkit import settle
    from bench.text_setup import bundled_pack
    from db import open_db
    from desktop.core.clock import SystemClock
    from desktop.paths import DataDir
    from desktop.services.audit import AuditLog
    from desktop.services.reminders import ReminderService
    from desktop.services.settings import SettingsStore
    from desktop.ui.reminders import ReminderScheduler, RemindersPanel
    from desktop.ui.reminders.scheduler import import_apscheduler

    qt_app = QApplication(sys.argv[:1])
    pack = bundled_pack()
    clock = SystemClock()
    fired_at: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as tmp:
        db = open_db(DataDir.at(tmp).db)
        scheduler = panel = None
        try:
            store_reminders(db, STORED, OVERDUE, clock.now())
            # the app imports APScheduler on a start-up worker before the scheduler starts
            # (a fixed cost that has nothing to do with the 10,000 reminders)
            import_apscheduler()
            start = time.perf_counter()
            settings = SettingsStore(db)
            service = ReminderService(
                db, clock, AuditLog(db, clock), settings, lambda: pack.reminder_rules
            )
            scheduler = ReminderScheduler(service, clock)
            scheduler.reminder_due.connect(lambda rid: fired_at.setdefault(rid, time.time()))
            scheduler.start()
            scheduled = time.perf_counter()
            panel = RemindersPanel(service, clock, settings)
            panel.resize(420, 700)
            panel.show()
            settle((panel.tree,))
            loaded = time.perf_counter()
            if len(fired_at) != OVERDUE:
                raise RuntimeError(f"{len(fired_at)} of {OVERDUE} overdue reminders fired at start")
            lateness: list[float] = []
            loop = QEventLoop()
            waiting_for = [""]

            def _due(reminder_id: str) -> None:
                if reminder_id == waiting_for[0]:
                    loop.quit()

            scheduler.reminder_due.connect(_due)
            rng = random.Random(7)
            for _ in range(late_runs):
                due = clock.now() + timedelta(seconds=1 + rng.random())
                reminder = service.create_manual(
                    None, "callback", due, "基准：准时提醒", phone="13800138000"
                )
                waiting_for[0] = reminder.id
                deadline = QTimer()
                deadline.setSingleShot(True)
                deadline.timeout.connect(loop.quit)
                deadline.start(int(FIRE_TIMEOUT_S * 1000))
                if reminder.id not in fired_at:
                    loop.exec()
                deadline.stop()
                if reminder.id not in fired_at:
                    raise RuntimeError(
                        f"a reminder due in 1–2 s did not fire in {FIRE_TIMEOUT_S} s"
                    )
                lateness.append((fired_at[reminder.id] - due.astimezone(UTC).timestamp()) * 1000)
        finally:
            if panel is not None:
                panel.close()
                panel.deleteLater()
            if scheduler is not None:
                scheduler.stop()
            db.close()
            qt_app.processEvents()
    out = Figures(reminder_fire_late_ms=max(lateness), reminder_load_10k_ms=(loaded - start) * 1000)
    out.notes.append(
        f"reminders: {STORED:,} stored; service + scheduler start {(scheduled - start) * 1000:.0f}"
        f" ms (fired {OVERDUE} overdue), panel first listing {(loaded - scheduled) * 1000:.0f} ms; "
        f"{late_runs} firings {', '.join(f'{x:.0f}' for x in lateness)} ms late"
    )
    return out


if __name__ == "__main__":
    child_main(child)
