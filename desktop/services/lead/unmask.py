"""Unmasking one call's number: a lead action with its audit row. No Qt."""

from __future__ import annotations

from db import transaction
from db.database import Database
from desktop.services.audit import AuditLog


def reveal_number(db: Database, audit: AuditLog, call_id: str) -> str:
    """The full number of `call_id` ("" when the call is unknown), audited as `lead.unmask`."""
    with transaction(db):
        row = db.execute("SELECT phone FROM calls WHERE id = ?", [call_id]).fetchone()
        if row is None:
            return ""
        audit.record("lead.unmask", "call", call_id)
    return str(row[0] or "")
