"""Date-time editors that show plain wall time in the agent's zone.

The editor's own zone is UTC, so Qt applies none of the computer's rules (DST, offset);
what it shows is the agent's local wall time, converted by the AgentCalendar. A QDateTime
must be built in that UTC zone too: `QDateTime(python_datetime)` would read it in the
computer's zone and shift what the agent sees.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone
from PySide6.QtWidgets import QDateTimeEdit


def wall_edit(name: str, display: str = "yyyy-MM-dd HH:mm") -> QDateTimeEdit:
    edit = QDateTimeEdit()
    edit.setAccessibleName(name)
    edit.setTimeZone(QTimeZone.utc())
    edit.setDisplayFormat(display)
    edit.setCalendarPopup(True)
    return edit


def set_wall(edit: QDateTimeEdit, wall: datetime) -> None:
    """Show the naive local wall time `wall` (seconds dropped)."""
    edit.setDateTime(
        QDateTime(
            QDate(wall.year, wall.month, wall.day),
            QTime(wall.hour, wall.minute),
            QTimeZone.utc(),
        )
    )


def get_wall(edit: QDateTimeEdit) -> datetime:
    """The naive local wall time the editor shows."""
    shown = edit.dateTime().toTimeZone(QTimeZone.utc())
    d, t = shown.date(), shown.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())
