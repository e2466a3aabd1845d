"""Reminders: loading and scheduling 10,000 stored reminders at start, and how late a
reminder due in 1–2 s fires through the real scheduler in a Qt event loop.

Both figures need the Qt-side ReminderScheduler (desktop/ui/reminders); until it lands they
are missing, and the child times the service-level reads a scheduler and the reminders
panel make at start (ReminderService.next_due_at and list_view over the 10,000), as notes.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from bench.common import Figures, benchmark, child_main, run_child

STORED = 10_000
LATE_RUNS_QUICK, LATE_RUNS_FULL = 3, 5
KEYS = ("reminder_fire_late_ms", "reminder_load_10k_ms")


@benchmark(*KEYS)
def run(quick: bool) -> Figures:
    return run_child("reminders", str(LATE_RUNS_QUICK if quick else LATE_RUNS_FULL), timeout=300)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def store_reminders(db, count: int, now: datetime) -> None:
    """`count` open reminders as the service stores them: a few overdue, most over the next
    30 days, every kind, with phone and customer name."""
    rng = random.Random(10)
    kinds = ("callback", "first_response", "progress", "revisit")
    rows = []
    for n in range(count):
        reminder_id = str(uuid.uuid4())
        due = _iso(now + timedelta(minutes=rng.randint(-600, 30 * 24 * 60)))
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


def _service_notes(data_dir: Path) -> str:
    from bench.text_setup import bundled_pack
    from db import open_db
    from desktop.core.clock import SystemClock
    from desktop.paths import db_path
    from desktop.services.audit import AuditLog
    from desktop.services.reminders import ReminderService
    from desktop.services.settings import SettingsStore

    pack = bundled_pack()
    db = open_db(db_path(data_dir))
    try:
        clock = SystemClock()
        store_reminders(db, STORED, clock.now())
        start = time.perf_counter()
        settings = SettingsStore(db)
        service = ReminderService(
            db, clock, AuditLog(db, clock), settings, lambda: pack.reminder_rules
        )
        service.next_due_at()
        after_next = time.perf_counter()
        listing = service.list_view()
        done = time.perf_counter()
    finally:
        db.close()
    shown = len(listing.overdue) + len(listing.due) + len(listing.upcoming)
    return (
        f"reminders (service only, {STORED:,} stored): next_due_at "
        f"{(after_next - start) * 1000:.1f} ms, list_view {(done - after_next) * 1000:.1f} ms "
        f"({shown} listed, {listing.more_upcoming} more counted)"
    )


def child(args: list[str]) -> Figures:
    out = Figures(KEYS)
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as tmp:
        out.notes.append(_service_notes(Path(tmp) / "service"))
    try:
        import desktop.ui.reminders.scheduler  # noqa: F401
    except ImportError as exc:
        return out.miss(f"no Qt ReminderScheduler yet ({exc})")
    return out.miss("ReminderScheduler landed: bench/reminders.py does not drive it yet")


if __name__ == "__main__":
    child_main(child)
