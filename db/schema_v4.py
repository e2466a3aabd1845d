"""Migration 4: PLACEHOLDER on branch wt/leaddata only.

Migration 4 belongs to the review feature (branch wt/review: the `qa_evaluations` table). Until
that lands on main, this no-op keeps migration 5 numbered right; the lead replaces it with the
real one at merge (databases made on this branch are development-only).
"""

from __future__ import annotations

import sqlite_utils


def apply(db: sqlite_utils.Database) -> None:
    """Intentionally empty: see the module docstring."""
