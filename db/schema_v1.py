"""Migration 1: the core tables. Documented for team leads in docs/schema.md."""

from __future__ import annotations

import sqlite_utils

CALL_STATUSES = ("ringing", "active", "wrap_up", "completed", "missed")
REMINDER_STATUSES = ("pending", "fired", "snoozed", "done", "cancelled")
PRIORITIES = ("urgent", "important", "normal")


def _enum_guard(
    db: sqlite_utils.Database, table: str, column: str, values: tuple[str, ...]
) -> None:
    """sqlite-utils cannot declare CHECK constraints, so triggers refuse values outside the set."""
    allowed = ", ".join(f"'{v}'" for v in values)
    for event in ("INSERT", "UPDATE"):
        db.execute(
            f"""CREATE TRIGGER {table}_{column}_check_{event.lower()}
            BEFORE {event} ON {table}
            WHEN NEW.{column} IS NOT NULL AND NEW.{column} NOT IN ({allowed})
            BEGIN SELECT RAISE(ABORT, 'invalid {table}.{column}'); END"""
        )


def apply(db: sqlite_utils.Database) -> None:
    db.table("customers").create(
        {
            "id": int,
            "phone": str,
            "name": str,
            "first_seen_at": str,
            "last_call_at": str,
            "call_count": int,
            "notes": str,
        },
        pk="id",
        not_null={"phone"},
        defaults={"name": "", "call_count": 0, "notes": ""},
    )
    db.table("customers").create_index(["phone"], unique=True)

    db.table("calls").create(
        {
            "id": str,
            "phone": str,
            "caller_name": str,
            "customer_id": int,
            "started_at": str,
            "answered_at": str,
            "ended_at": str,
            "completed_at": str,
            "intent": str,
            "priority": str,
            "status": str,
            "outcome": str,
            "notes": str,
            "notes_saved_at": str,
            "skip_reason": str,
            "agent": str,
            "source": str,
            "softphone_call_id": str,
            "reminder_id": str,
        },
        pk="id",
        foreign_keys=[("customer_id", "customers", "id")],
        not_null={"started_at", "status"},
        defaults={"phone": "", "caller_name": "", "priority": "normal", "notes": "", "agent": ""},
    )
    db.table("calls").create_index(["phone", "started_at"])
    db.table("calls").create_index(["started_at"])
    db.table("calls").create_index(["status"])
    db.table("calls").create_index(["softphone_call_id"])
    _enum_guard(db, "calls", "status", CALL_STATUSES)
    _enum_guard(db, "calls", "priority", PRIORITIES)

    db.table("call_intents").create(
        {"id": int, "call_id": str, "intent": str, "set_at": str},
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "intent", "set_at"},
    )
    db.table("call_intents").create_index(["call_id"])

    db.table("checklist_ticks").create(
        {"id": int, "call_id": str, "step_key": str, "ticked_at": str, "unticked_at": str},
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"call_id", "step_key", "ticked_at"},
    )
    db.table("checklist_ticks").create_index(["call_id"])

    db.table("script_uses").create(
        {"id": int, "call_id": str, "script_id": str, "used_at": str},
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"script_id", "used_at"},
    )
    db.table("script_uses").create_index(["script_id"])

    db.table("favourites").create(
        {"agent": str, "script_id": str, "pinned_at": str}, pk=("agent", "script_id")
    )

    db.table("reminders").create(
        {
            "id": str,
            "call_id": str,
            "phone": str,
            "customer_name": str,
            "kind": str,
            "rule_key": str,
            "due_at": str,
            "status": str,
            "created_at": str,
            "fired_at": str,
            "done_at": str,
            "note": str,
            "result": str,
        },
        pk="id",
        foreign_keys=[("call_id", "calls", "id")],
        not_null={"kind", "due_at", "status", "created_at"},
        defaults={"phone": "", "customer_name": "", "note": "", "rule_key": ""},
    )
    db.table("reminders").create_index(["status", "due_at"])
    db.table("reminders").create_index(["call_id"])
    _enum_guard(db, "reminders", "status", REMINDER_STATUSES)

    db.table("audit_log").create(
        {
            "id": int,
            "at": str,
            "actor": str,
            "action": str,
            "entity": str,
            "entity_id": str,
            "detail": str,
        },
        pk="id",
        not_null={"at", "action"},
        defaults={"actor": "", "entity": "", "entity_id": "", "detail": ""},
    )
    db.table("audit_log").create_index(["entity", "entity_id"])

    db.table("settings").create({"key": str, "value": str}, pk="key")

    db.table("softphone_events").create(
        {"event_id": str, "received_at": str, "kind": str, "call_id": str}, pk="event_id"
    )
