"""`calls.updated_at` and `reminders.updated_at` from the app's clock (docs/bundles.md).

Migration 5's triggers stamp a row SQLite's own 'now' (the machine's clock) when a write
leaves `updated_at` alone. The services set it themselves from the injected clock instead,
so a FakeClock in tests and `logs export --since` see the same time as the rest of the row;
the triggers stay as the fallback for writes that do not.
"""

from __future__ import annotations

# `updated_at = ` the bound time, or 1.5 ms past the row's own version when that is later
# (two writes in one millisecond, or a clock set back): the version still grows, as the
# triggers make it (an explicit value also keeps them from firing). One `?`: the time.
TOUCH = (
    "updated_at = max(?, COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', "
    "julianday(updated_at) + 0.0015 / 86400.0), ''))"
)
