"""A small review database whose every statistic was worked out by hand (docs/metrics.md).

Zone Asia/Shanghai (UTC+8); period 2026-03-01..2026-03-07 local; now 2026-03-20T00:00Z.
Edge cases: C2 spans local midnight; C3 (day 6) and C4 (day 8, after the period) are a
repeat caller; C2's 'answer' step was unticked before completion; R3 is a late callback;
C7 starts at local 00:30 on the 8th (outside); C8 is a call-back made for C1's reminder.
"""

from __future__ import annotations

from pathlib import Path

from db import open_db

ZONE = "Asia/Shanghai"
NOW = "2026-03-20T00:00:00.000Z"
CHECKLISTS = {
    "complaint": [("accept", True), ("calm", True), ("thank", False)],
    "inquiry": [("greeting", True), ("answer", True)],
}
P1, P2, P3, P4, P5 = (f"1380000000{n}" for n in range(1, 6))

# id, agent, phone, intent, status, started, answered, ended, completed, outcome, notes,
# source, reminder_id
CALLS = [
    (
        "C1",
        "A",
        P1,
        "complaint",
        "completed",
        "2026-03-01T02:00:00.000Z",
        "2026-03-01T02:00:10.000Z",
        "2026-03-01T02:05:10.000Z",
        "2026-03-01T02:06:10.000Z",
        "follow_up",
        "快递延误三天，客户要求退款，我说没办法加急",
        "softphone",
        None,
    ),
    (
        "C2",
        "A",
        P2,
        "inquiry",
        "completed",
        "2026-03-01T15:50:00.000Z",
        "2026-03-01T15:50:00.000Z",
        "2026-03-01T16:20:00.000Z",
        "2026-03-01T16:22:00.000Z",
        "resolved",
        "咨询发票抬头怎么改",
        "softphone",
        None,
    ),
    (
        "C3",
        "B",
        P3,
        "inquiry",
        "completed",
        "2026-03-06T02:00:00.000Z",
        "2026-03-06T02:00:00.000Z",
        "2026-03-06T02:03:20.000Z",
        "2026-03-06T02:04:00.000Z",
        "resolved",
        "咨询滤芯型号",
        "softphone",
        None,
    ),
    (
        "C4",
        "B",
        P3,
        "inquiry",
        "completed",
        "2026-03-08T03:00:00.000Z",
        "2026-03-08T03:00:00.000Z",
        "2026-03-08T03:01:00.000Z",
        "2026-03-08T03:02:00.000Z",
        "resolved",
        "再次咨询滤芯型号",
        "softphone",
        None,
    ),
    (
        "C5",
        "B",
        P4,
        None,
        "missed",
        "2026-03-03T04:00:00.000Z",
        None,
        "2026-03-03T04:00:30.000Z",
        None,
        None,
        "",
        "softphone",
        None,
    ),
    (
        "C6",
        "B",
        "",
        "help",
        "completed",
        "2026-03-07T15:30:00.000Z",
        "2026-03-07T15:30:00.000Z",
        "2026-03-07T15:40:00.000Z",
        "2026-03-07T15:41:00.000Z",
        "resolved",
        "指导重置路由器",
        "manual",
        None,
    ),
    (
        "C7",
        "A",
        P5,
        "unrelated",
        "completed",
        "2026-03-07T16:30:00.000Z",
        "2026-03-07T16:30:00.000Z",
        "2026-03-07T16:31:00.000Z",
        "2026-03-07T16:31:30.000Z",
        "unrelated",
        "打错电话",
        "softphone",
        None,
    ),
    (
        "C8",
        "A",
        P1,
        "complaint",
        "completed",
        "2026-03-01T03:00:00.000Z",
        "2026-03-01T03:00:00.000Z",
        "2026-03-01T03:02:00.000Z",
        "2026-03-01T03:03:00.000Z",
        "resolved",
        "回电告知快递已加急送达，客户满意",
        "reminder",
        "R1",
    ),
    (
        "C9",
        "A",
        P2,
        "inquiry",
        "completed",
        "2026-03-04T02:00:00.000Z",
        "2026-03-04T02:00:00.000Z",
        "2026-03-04T02:01:40.000Z",
        "2026-03-04T02:02:00.000Z",
        "resolved",
        "再次咨询发票抬头",
        "softphone",
        None,
    ),
]

# call_id, step, ticked_at, unticked_at
TICKS = [
    ("C1", "accept", "2026-03-01T02:00:30.000Z", None),
    ("C1", "calm", "2026-03-01T02:01:00.000Z", None),
    ("C1", "thank", "2026-03-01T02:10:00.000Z", None),  # after completion: does not count
    ("C2", "greeting", "2026-03-01T15:50:10.000Z", None),
    ("C2", "answer", "2026-03-01T15:55:00.000Z", "2026-03-01T16:00:00.000Z"),  # unticked
    ("C3", "greeting", "2026-03-06T02:00:05.000Z", None),
    ("C3", "answer", "2026-03-06T02:01:00.000Z", None),
    ("C8", "accept", "2026-03-01T03:00:10.000Z", None),  # calm skipped
    ("C9", "greeting", "2026-03-04T02:00:05.000Z", None),
    ("C9", "answer", "2026-03-04T02:01:00.000Z", None),
]

# id, call_id, case_id, kind, status, target_at (= due_at), created_at, fired_at, done_at,
# result, callback_call_id, callback_at
REMINDERS = [
    (
        "R1",
        "C1",
        "C1",
        "first_response",
        "done",
        "2026-03-01T02:21:10.000Z",
        "2026-03-01T02:06:10.000Z",
        "2026-03-01T02:21:10.000Z",
        "2026-03-01T03:03:00.000Z",
        "已解决",
        "C8",
        "2026-03-01T03:00:00.000Z",
    ),
    (
        "R2",
        "C9",
        "C9",
        "callback",
        "done",
        "2026-03-04T06:00:00.000Z",
        "2026-03-04T02:02:00.000Z",
        "2026-03-04T06:00:00.000Z",
        "2026-03-04T06:15:00.000Z",
        "已回电",
        None,
        "2026-03-04T06:10:00.000Z",
    ),
    (
        "R3",
        "C3",
        "C3",
        "callback",
        "done",
        "2026-03-06T08:00:00.000Z",
        "2026-03-06T02:04:00.000Z",
        "2026-03-06T08:00:00.000Z",
        "2026-03-06T08:35:00.000Z",
        "已回电",
        None,
        "2026-03-06T08:30:00.000Z",
    ),
    (
        "R4",
        "C2",
        "C2",
        "callback",
        "fired",
        "2026-03-02T02:00:00.000Z",
        "2026-03-01T16:22:00.000Z",
        "2026-03-02T02:00:00.000Z",
        None,
        None,
        None,
        None,
    ),
    (
        "R5",
        "C6",
        "C6",
        "callback",
        "pending",
        "2026-03-25T00:00:00.000Z",
        "2026-03-07T15:41:00.000Z",
        None,
        None,
        None,
        None,
        None,
    ),
    (
        "R6",
        "C9",
        "C9",
        "callback",
        "cancelled",
        "2026-03-05T00:00:00.000Z",
        "2026-03-04T02:02:00.000Z",
        None,
        "2026-03-04T03:00:00.000Z",
        "客户已自行解决",
        None,
        None,
    ),
]


def build_review_db(path: Path) -> Path:
    """The fixture file, made by the real migrations and filled with plain INSERTs."""
    db = open_db(path)
    conn = db.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO calls (id, agent, phone, intent, status, started_at, answered_at, "
        "ended_at, completed_at, outcome, notes, source, reminder_id, priority, caller_name) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'normal', '')",
        CALLS,
    )
    conn.executemany(
        "INSERT INTO checklist_ticks (call_id, step_key, ticked_at, unticked_at) "
        "VALUES (?, ?, ?, ?)",
        TICKS,
    )
    conn.executemany(
        "INSERT INTO reminders (id, call_id, case_id, kind, status, target_at, due_at, "
        "created_at, fired_at, done_at, result, callback_call_id, callback_at, phone) "
        "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, phone FROM calls WHERE id = ?",
        [(*r[:6], r[5], *r[6:], r[1]) for r in REMINDERS],
    )
    conn.execute(
        "INSERT INTO call_intents (call_id, intent, set_at) VALUES "
        "('C1', 'inquiry', '2026-03-01T02:00:20.000Z'), "
        "('C1', 'complaint', '2026-03-01T02:00:25.000Z')"
    )
    conn.execute(
        "INSERT INTO script_uses (call_id, script_id, used_at) "
        "VALUES ('C1', 'complaint_calm_1', '2026-03-01T02:01:05.000Z')"
    )
    conn.execute(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES "
        "('2026-03-01T02:25:00.000Z', 'A', 'reminder.snoozed', 'reminder', 'R1', "
        '\'{"until": "2026-03-01T02:40:00.000Z"}\')'
    )
    conn.execute("COMMIT")
    db.close()
    return path
