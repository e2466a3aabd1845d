"""Migration 6: the direction of a call.

Callbacks (立即回电, and outgoing calls baresip reports) are calls the agent makes; they are
stored in `calls` like any other, with `direction = 'outgoing'`. Every earlier row was an
incoming call.
"""

from __future__ import annotations

from db.database import Database


def apply(db: Database) -> None:
    db.execute(
        "ALTER TABLE calls ADD COLUMN direction TEXT NOT NULL DEFAULT 'incoming' "
        "CHECK (direction IN ('incoming', 'outgoing'))"
    )
