"""Migration 5: PLACEHOLDER registered by wt/desk so that migration 6 has its number.

The real migration 5 is written on wt/leaddata; the lead replaces this file at merge.
It changes nothing.
"""

from __future__ import annotations

from db.database import Database


def apply(db: Database) -> None:
    return None
