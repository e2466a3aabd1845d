"""The bridge from the reminders table to "show it now", on APScheduler 3.x.

The database is the source of truth, so APScheduler holds one job only: a wake-up at the
earliest due time, re-armed after every change and every wake-up. That keeps start-up cheap
with any number of stored reminders. The job runs on APScheduler's worker thread and only
emits a signal; the database is read and `reminder_due` emitted on the GUI thread.

APScheduler is armed with a delay measured on the injected clock (so a FakeClock works), and
a heartbeat compares wall-clock time with monotonic time: after sleep, resume or a clock
change the table is re-read, and whatever fell due meanwhile fires at once, once.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop.core.changes import OpChanges
from desktop.core.clock import Clock
from desktop.services.reminders import ReminderService
from desktop.ui.change_hub import ChangeHub

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)

JOB_ID = "reminders-next"
_APSCHEDULER_MODULES = ("apscheduler.executors.pool", "apscheduler.schedulers.background")
# What those import that the app has not imported by then, leaves first (the order
# `python -X importtime` finishes them in, APScheduler 3.11 on Python 3.11): imported one by
# one, paced (desktop.core.breather), the ~60 ms of it become steps of a few ms that wait
# while the agent clicks or types (the whole import held Python's lock ~100 ms; an import
# cannot pause halfway). Only an order: a module another version lacks is skipped, and
# whatever is not listed is imported by the module that needs it.
_APSCHEDULER_ORDER = (
    "_csv",
    "csv",
    "email",
    "quopri",
    "calendar",
    "email._parseaddr",
    "email.base64mime",
    "email.quoprimime",
    "email.errors",
    "email.encoders",
    "email.charset",
    "email.utils",
    "email.header",
    "email._policybase",
    "email._encoded_words",
    "email.iterators",
    "email.message",
    "importlib.metadata._functools",
    "importlib.metadata._text",
    "importlib.metadata._adapters",
    "importlib.metadata._meta",
    "importlib.metadata._collections",
    "importlib.metadata._itertools",
    "importlib.resources.abc",
    "importlib.resources._adapters",
    "importlib.resources._common",
    "importlib.resources._legacy",
    "importlib.resources",
    "importlib.abc",
    "_ssl",
    "ssl",
    "asyncio.constants",
    "asyncio.coroutines",
    "_contextvars",
    "contextvars",
    "asyncio.format_helpers",
    "asyncio.base_futures",
    "asyncio.exceptions",
    "asyncio.base_tasks",
    "_asyncio",
    "asyncio.events",
    "asyncio.futures",
    "asyncio.protocols",
    "asyncio.transports",
    "asyncio.log",
    "asyncio.sslproto",
    "asyncio.mixins",
    "asyncio.tasks",
    "asyncio.locks",
    "asyncio.staggered",
    "asyncio.trsock",
    "asyncio.base_events",
    "asyncio.runners",
    "asyncio.queues",
    "asyncio.streams",
    "asyncio.subprocess",
    "asyncio.taskgroups",
    "asyncio.timeouts",
    "asyncio.threads",
    "asyncio.base_subprocess",
    "asyncio.selector_events",
    "asyncio.unix_events",
    "email.feedparser",
    "email.parser",
    "multiprocessing.queues",
    "concurrent.futures.process",
    "apscheduler.events",
    "apscheduler.executors.base",
    "tzlocal.windows_tz",
    "tzlocal.utils",
    "tzlocal.unix",
    "tzlocal",
    "apscheduler.triggers",
    "apscheduler.triggers.base",
    "apscheduler.job",
    "apscheduler.jobstores",
    "apscheduler.jobstores.base",
    "apscheduler.jobstores.memory",
    "apscheduler.schedulers.base",
    "apscheduler.schedulers.blocking",
    "importlib.metadata",
    "asyncio",
    "apscheduler",
    "apscheduler.util",
)
# The steps that stay long wait for the agent to pause: a package's first module runs its
# `__init__`, which imports the rest (asyncio ~14 ms, importlib.metadata ~6 ms), and the
# scheduler's base module reads every installed package's entry points (~8 ms).
_APSCHEDULER_HEAVY = frozenset(
    {"importlib.metadata._functools", "asyncio.constants", "apscheduler.schedulers.base"}
)

HEARTBEAT_MS = 30_000
JUMP_TOLERANCE_S = 5.0


def apscheduler_imported() -> bool:
    return all(name in sys.modules for name in _APSCHEDULER_MODULES)


def import_apscheduler() -> None:
    """Import what start() needs (100-150 ms with the asyncio it imports): on a worker
    thread at start-up, so that start() on the GUI thread does not stutter the window."""
    from desktop.core.breather import background

    background.import_modules(_APSCHEDULER_ORDER, heavy=_APSCHEDULER_HEAVY)
    for name in _APSCHEDULER_MODULES:
        background.pace()
        importlib.import_module(name)


class ReminderScheduler(QObject):
    reminder_due = Signal(str)  # a reminder this process has just claimed; show it
    reminders_fired = Signal(list)  # all ids claimed in one go (for one tray message)
    clock_jumped = Signal(float)  # seconds the wall clock moved beyond monotonic time
    _wake = Signal()  # from the APScheduler job, on its thread

    def __init__(
        self,
        service: ReminderService,
        clock: Clock,
        parent: QObject | None = None,
        *,
        heartbeat_ms: int = HEARTBEAT_MS,
        jump_tolerance_s: float = JUMP_TOLERANCE_S,
        monotonic: Callable[[], float] = time.monotonic,
        hub: ChangeHub | None = None,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._clock = clock
        self._monotonic = monotonic
        self._tolerance = jump_tolerance_s
        self._scheduler: BackgroundScheduler | None = None  # made at start()
        self._wake.connect(self.sync, Qt.ConnectionType.QueuedConnection)
        self._hub = hub or ChangeHub(service.bus, self)
        self._hub.changed.connect(self._on_changes)
        self._listening = False  # from start() to stop()
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(heartbeat_ms)
        self._heartbeat.timeout.connect(self.check_clock)
        self._armed_for: datetime | None = None
        self._syncing = False
        self._resync = False
        self._last_wall = clock.now()
        self._last_mono = monotonic()

    # ---- life ------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def start(self) -> None:
        """Start APScheduler and the heartbeat, then fire what is due and arm the next.
        APScheduler (and the asyncio it imports) loads here, not at the app's start-up.
        Calling it again (a retry after the first sync met a locked database) syncs again."""
        if self.running:
            self.sync()
            return
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(
            timezone=UTC,  # never consult the system zone (tzlocal): times here are UTC
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._scheduler.start()
        self._listening = True
        self._last_wall, self._last_mono = self._clock.now(), self._monotonic()
        self._heartbeat.start()
        self.sync()

    def stop(self) -> None:
        """Stop cleanly: no job runs after this returns."""
        self._heartbeat.stop()
        self._listening = False
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self._armed_for = None

    def _on_changes(self, changes: OpChanges, _origin: object) -> None:
        if self._listening and changes.reminders:
            self.sync()

    # ---- syncing ---------------------------------------------------------------------
    def armed_for(self) -> datetime | None:
        """The due time (service clock) the wake-up is armed for; None when nothing waits."""
        return self._armed_for

    def next_run_time(self) -> datetime | None:
        """When APScheduler will wake (its own wall clock), for tests and diagnostics."""
        job = self._scheduler.get_job(JOB_ID) if self._scheduler is not None else None
        return job.next_run_time if job else None

    def sync(self) -> list[str]:
        """Claim and announce everything due, then arm the wake-up for the next due time.
        Re-entrant calls (a change made while announcing) are folded into this one."""
        if not self.running:
            return []
        if self._syncing:
            self._resync = True
            return []
        self._syncing = True
        fired: list[str] = []
        try:
            self._resync = True
            while self._resync:
                self._resync = False
                fired += self._service.fire_due()
                self._arm(self._service.next_due_at())
        finally:
            self._syncing = False
        for reminder_id in fired:
            self.reminder_due.emit(reminder_id)
        if fired:
            self.reminders_fired.emit(fired)
        return fired

    def _arm(self, due: datetime | None) -> None:
        from apscheduler.jobstores.base import JobLookupError
        from apscheduler.triggers.date import DateTrigger

        assert self._scheduler is not None  # only sync() arms, and only while running
        self._armed_for = due
        if due is None:
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(JOB_ID)
            return
        delay = max(timedelta(0), due - self._clock.now())
        self._scheduler.add_job(
            self._job,
            DateTrigger(run_date=datetime.now(UTC) + delay, timezone=UTC),
            id=JOB_ID,
            replace_existing=True,
        )

    def _job(self) -> None:
        """Runs on APScheduler's thread: only hands over to the GUI thread."""
        self._wake.emit()

    # ---- sleep, resume and clock changes ---------------------------------------------
    def check_clock(self) -> bool:
        """Heartbeat: if wall time moved differently from monotonic time (clock set, NTP
        step, sleep where monotonic time stops) or the beat came late (sleep where it does
        not), re-read the table now. Returns whether it did."""
        wall, mono = self._clock.now(), self._monotonic()
        wall_elapsed = (wall - self._last_wall).total_seconds()
        mono_elapsed = mono - self._last_mono
        self._last_wall, self._last_mono = wall, mono
        drift = wall_elapsed - mono_elapsed
        late = mono_elapsed - self._heartbeat.interval() / 1000
        if abs(drift) <= self._tolerance and late <= self._tolerance:
            return False
        log.info("clock jump or wake-up detected (drift %.1f s, late %.1f s)", drift, late)
        self.clock_jumped.emit(drift)
        self.sync()
        return True
