"""Reminders on screen: the scheduler bridge, the list panel, the in-window alert, the tray.

`connect_reminder_ui` wires them to each other; the composition root connects the panel's
`call_back_requested` / `open_call_requested` to the call workspace.

The names below are imported when first asked for (PEP 562): the first frame imports only
the panel (`desktop.ui.reminders.panel`), not the alert, the tray or the scheduler.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.core.clock import Clock
    from desktop.services.reminders import ReminderService
    from desktop.services.settings import SettingsStore
    from desktop.ui.reminders.alert import ReminderAlert
    from desktop.ui.reminders.panel import RemindersPanel
    from desktop.ui.reminders.scheduler import ReminderScheduler
    from desktop.ui.reminders.tray import (
        Notifier,
        NullNotifier,
        TrayNotifier,
        create_notifier,
    )

__all__ = [
    "Notifier",
    "NullNotifier",
    "ReminderAlert",
    "ReminderScheduler",
    "RemindersPanel",
    "TrayNotifier",
    "connect_reminder_ui",
    "create_notifier",
]

_HOMES = {
    "Notifier": "tray",
    "NullNotifier": "tray",
    "TrayNotifier": "tray",
    "create_notifier": "tray",
    "ReminderAlert": "alert",
    "RemindersPanel": "panel",
    "ReminderScheduler": "scheduler",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


def connect_reminder_ui(
    scheduler: ReminderScheduler,
    panel: RemindersPanel,
    alert: ReminderAlert,
    notifier: Notifier,
    service: ReminderService,
    clock: Clock,
    settings_store: SettingsStore,
) -> None:
    """Fired reminders go to the alert (each) and the tray (one message per batch); the
    alert's 立即回电 goes out through the panel's signal, its 完成 to the panel's inline
    result box."""
    from desktop.core.reminders import ReminderError
    from desktop.ui.reminders.text import notification_text

    def notify(reminder_ids: list[str]) -> None:
        reminders = []
        for reminder_id in reminder_ids:
            try:
                reminders.append(service.get(reminder_id))
            except ReminderError:
                continue
        if reminders:
            title, body = notification_text(
                reminders, clock.now(), service.timezone(), settings_store.current
            )
            notifier.notify(title, body)

    scheduler.reminder_due.connect(alert.add)
    scheduler.reminders_fired.connect(notify)
    alert.call_back_requested.connect(panel.call_back_requested)
    alert.done_requested.connect(panel.begin_done)
