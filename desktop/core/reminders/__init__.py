"""Follow-up reminders as pure rules: no Qt, no SQL. The service stores, the UI shows."""

from desktop.core.reminders.display import (
    BUCKET_LABELS,
    KIND_LABELS,
    local_time_text,
    relative_text,
)
from desktop.core.reminders.model import (
    ARMED_STATUSES,
    OPEN_STATUSES,
    PlannedReminder,
    Reminder,
    ReminderError,
    ReminderListing,
    ReminderNotFound,
    ReminderStateError,
    ReminderTimeError,
)
from desktop.core.reminders.office_hours import (
    OfficeHours,
    local_to_utc,
    next_opening,
    utc_to_local,
)
from desktop.core.reminders.rules import next_repeat, reminders_for_wrap_up, rule_applies
from desktop.core.reminders.timing import (
    QUICK_PICKS,
    Bucket,
    KeptStats,
    KeptStatus,
    classify,
    count_kept,
    kept_status,
    quick_pick_due,
    validate_due,
)

__all__ = [
    "ARMED_STATUSES",
    "BUCKET_LABELS",
    "KIND_LABELS",
    "OPEN_STATUSES",
    "QUICK_PICKS",
    "Bucket",
    "KeptStats",
    "KeptStatus",
    "OfficeHours",
    "PlannedReminder",
    "Reminder",
    "ReminderError",
    "ReminderListing",
    "ReminderNotFound",
    "ReminderStateError",
    "ReminderTimeError",
    "classify",
    "count_kept",
    "kept_status",
    "local_time_text",
    "local_to_utc",
    "next_opening",
    "next_repeat",
    "quick_pick_due",
    "relative_text",
    "reminders_for_wrap_up",
    "rule_applies",
    "utc_to_local",
    "validate_due",
]
