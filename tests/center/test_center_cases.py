"""The center's complaint cases (schema 5): each case's figures are stored by the import and
kept current when a later bundle brings its reminders, its follow-up calls, its closing
audit row, or changes the case call itself. After every import the stored figures must equal
the plain path's (`stats.case_figures` over the calls), and the statistics and the complaint
cases read from them must equal the plain path's for every period and scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.services.center.connection import connect
from desktop.services.center.dialect import POSTGRES, POSTGRES_PLAIN
from desktop.services.center.importer import import_bundle
from desktop.services.center.schema import migrate
from desktop.services.review import stats
from desktop.services.review.period import Period
from tests.center.test_center_rollups import assert_cases_fresh, iso
from tests.helpers.bundle_files import write_bundle
from tests.helpers.review_fixture import CHECKLISTS

NOW = datetime(2026, 5, 1, tzinfo=UTC)
MARCH = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PERIODS = [
    Period.parse("2026-03-01", "2026-03-31", "Asia/Shanghai"),
    Period.parse("2026-03-02", "2026-03-04", "America/New_York"),
    Period.parse("2026-03-05", "2026-03-31", "UTC"),
]


def call(cid: str, agent: str, start: datetime, **extra: Any) -> dict[str, Any]:
    row = {
        "id": cid, "phone": f"1390000{abs(hash(cid)) % 10000:04d}", "caller_name": "",
        "started_at": iso(start), "answered_at": iso(start + timedelta(seconds=5)),
        "ended_at": iso(start + timedelta(minutes=4)),
        "completed_at": iso(start + timedelta(minutes=6)), "intent": "complaint",
        "priority": "normal", "status": "completed", "outcome": "follow_up", "notes": "",
        "agent": agent, "source": "softphone", "reminder_id": None,
        "updated_at": "2026-04-01T00:00:00.000Z",
    }  # fmt: skip
    row.update(extra)
    return row


def reminder(rid: str, case: str, kind: str, at: datetime, **extra: Any) -> dict[str, Any]:
    row = {
        "id": rid, "call_id": case, "case_id": case, "call_type": "complaint", "kind": kind,
        "status": "done", "target_at": iso(at), "due_at": iso(at),
        "created_at": iso(at - timedelta(hours=1)), "done_at": iso(at),
        "callback_call_id": None, "callback_at": None, "agent": "X",
        "updated_at": "2026-04-01T00:00:00.000Z", "repeat_minutes": 0,
        "shift_office_hours": 0, "phone": "", "customer_name": "",
    }  # fmt: skip
    row.update(extra)
    return row


def assert_same(pg: Any) -> None:
    assert_cases_fresh(pg)
    for period in PERIODS:
        for agent, agents in ((None, None), ("X", None), (None, ["Y"]), (None, [])):
            fast = stats.complaint_cases(pg, period, agent=agent, agents=agents, dialect=POSTGRES)
            plain = stats.complaint_cases(
                pg, period, agent=agent, agents=agents, dialect=POSTGRES_PLAIN
            )
            assert fast == plain, (period, agent, agents)
            figures = [
                stats.compute(
                    pg, period, agent=agent, agents=agents, checklists=CHECKLISTS, now=NOW,
                    dialect=d,
                )["complaints"]
                for d in (POSTGRES, POSTGRES_PLAIN)
            ]  # fmt: skip
            assert repr(figures[0]) == repr(figures[1])
    pg.rollback()


def test_cases_follow_their_reminders_follow_ups_and_closing_across_bundles(
    tmp_path: Path, pg_url: str
) -> None:
    t = MARCH
    cases = [call(f"K{n}", "X" if n % 2 else "Y", t + timedelta(hours=7 * n)) for n in range(8)]
    cases[0]["outcome"] = "resolved"  # resolved on the first call
    cases.append(call("K-other", "X", t, intent="inquiry"))  # not a case (yet)
    reminders = [
        reminder("R1", "K1", "first_response", t + timedelta(hours=8)),
        reminder("R2", "K2", "callback", t + timedelta(hours=20), callback_call_id="F2",
                 callback_at=iso(t + timedelta(hours=19, minutes=50))),
        reminder("R3", "K3", "callback", t + timedelta(hours=30), status="fired", done_at=None),
    ]  # fmt: skip
    follow_ups = [
        call("F1", "X", t + timedelta(hours=9), intent="complaint", reminder_id="R1",
             outcome="resolved"),
        call("F2", "Y", t + timedelta(hours=19, minutes=50), intent="inquiry",
             outcome="resolved"),
    ]  # fmt: skip
    closing = [
        {"uid": "au-1", "at": iso(t + timedelta(days=2)), "actor": "X",
         "action": "reminder.case_closed", "entity": "case", "entity_id": "K5", "detail": "{}"},
    ]  # fmt: skip
    changed = [
        {**cases[4], "intent": "inquiry", "updated_at": "2026-04-05T00:00:00.000Z"},
        {**cases[8], "intent": "complaint", "updated_at": "2026-04-05T00:00:00.000Z"},
        {**cases[6], "outcome": "resolved", "updated_at": "2026-04-05T00:00:00.000Z"},
    ]
    bundles = [
        ("X", {"calls": cases}),
        ("X", {"reminders": reminders}),  # the cases' reminders, in a later bundle
        ("Y", {"calls": follow_ups, "audit_log": closing}),  # follow-ups and a closing
        ("X", {"calls": changed}),  # a case stops being one, another becomes one
        ("X", {"calls": changed}),  # again: unchanged
    ]
    with connect(pg_url) as pg:
        migrate(pg)
        history = []
        for n, (agent, tables) in enumerate(bundles):
            path = write_bundle(tmp_path / f"{n}.bundle", tables, agent_id=agent)
            import_bundle(pg, path, url=pg_url)
            assert_same(pg)
            history.append(stats.complaint_cases(pg, PERIODS[0], dialect=POSTGRES))
            pg.rollback()
    first, with_reminders, with_follow_ups, after_change, again = history
    assert len(first) == 8 and first["K1"]["first_response_s"] is None
    assert with_reminders["K1"]["first_response_s"] is not None  # R1 done
    assert with_reminders["K1"]["resolution_s"] is None
    assert with_follow_ups["K1"]["resolution_s"] is not None  # F1 resolved it
    assert with_follow_ups["K2"]["resolution_s"] is not None  # F2, the callback call
    assert with_follow_ups["K5"]["resolution_s"] == 2 * 86400 - 5 * 7 * 3600  # closed
    assert "K4" not in after_change and "K-other" in after_change
    assert after_change["K6"]["first_call_resolved"] is True
    assert again == after_change
