"""Migration 4: PLACEHOLDER registered by wt/desk so that migration 6 has its number.

The real migration 4 is written on wt/review; the lead replaces this file at merge.
It changes nothing.
"""

from __future__ import annotations

from db.database import Database


def apply(db: Database) -> None:
    return None
