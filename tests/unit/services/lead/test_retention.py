"""Retention: the dry run counts, the purge removes exactly that, the notes index follows."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.services.lead.retention import RetentionPolicy, load_policy, purge, save_policy
from tests.helpers.lead_env import AgentDb, agent_db


@pytest.fixture
def agent(tmp_path: Path) -> AgentDb:
    env = agent_db(tmp_path / "a", "1001")
    yield env
    env.close()


def _index(env: AgentDb) -> None:
    env.db.execute(
        "INSERT INTO notes_fts(rowid, tokens) SELECT rowid, notes FROM calls WHERE notes != ''"
    )


def test_dry_run_counts_and_purge_removes_old_notes_and_calls(agent: AgentDb) -> None:
    very_old = agent.call(notes="很早的备注")
    agent.clock.advance(days=40)
    old = agent.call(notes="上个月的备注")
    agent.clock.advance(days=40)
    recent = agent.call(notes="最近的备注")
    open_call = agent.calls.start_call("13900000000")
    _index(agent)
    save_policy(agent.db, RetentionPolicy(notes_days=30, calls_days=60))
    policy = load_policy(agent.db)
    assert policy == RetentionPolicy(30, 60)

    dry = purge(agent.db, agent.clock, agent.audit, dry_run=True)
    assert (dry.calls, dry.notes, dry.dry_run) == (1, 1, True)
    assert "将删除 1 条通话记录" in dry.message
    assert agent.db["calls"].count == 4  # nothing changed
    assert (
        agent.db.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'retention.purge'"
        ).fetchone()[0]
        == 0
    )

    done = purge(agent.db, agent.clock, agent.audit, via="menu")
    assert (done.calls, done.notes) == (dry.calls, dry.notes)
    ids = {r[0] for r in agent.db.execute("SELECT id FROM calls")}
    assert ids == {old, recent, open_call.id} and very_old not in ids
    notes = dict(agent.db.execute("SELECT id, notes FROM calls").fetchall())
    assert notes[old] == "" and notes[recent] == "最近的备注"
    indexed = {r[0] for r in agent.db.execute("SELECT tokens FROM notes_fts")}
    assert indexed == {"最近的备注"}
    for table in ("call_intents", "checklist_ticks", "script_uses"):
        orphans = agent.db.execute(
            f"SELECT count(*) FROM {table} WHERE call_id NOT IN (SELECT id FROM calls)"
        ).fetchone()[0]
        assert orphans == 0
    row = agent.db.execute(
        "SELECT json_extract(detail, '$.calls'), json_extract(detail, '$.notes') "
        "FROM audit_log WHERE action = 'retention.purge'"
    ).fetchall()
    assert row == [(1, 1)]
    again = purge(agent.db, agent.clock, agent.audit)
    assert (again.calls, again.notes) == (0, 0)


def test_no_policy_purges_nothing(agent: AgentDb) -> None:
    agent.call(notes="备注")
    agent.clock.advance(days=4000)
    result = purge(agent.db, agent.clock, agent.audit)
    assert (result.calls, result.notes) == (0, 0) and not load_policy(agent.db).active


def test_negative_days_are_refused(agent: AgentDb) -> None:
    with pytest.raises(ValueError):
        save_policy(agent.db, RetentionPolicy(notes_days=-1))


def test_a_cancelled_purge_changes_nothing(agent: AgentDb) -> None:
    from desktop.core.progress import Cancelled, Progress

    agent.call(notes="旧备注")
    agent.clock.advance(days=100)
    before = agent.db.execute("SELECT id, notes FROM calls").fetchall()
    steps: list[tuple[int, int, str]] = []

    def cancel_after_counting(done: int, total: int, text: str) -> None:
        steps.append((done, total, text))
        if done == 1:
            progress.cancel()  # the lead presses 取消 once the counting is done

    progress = Progress(cancel_after_counting)
    with pytest.raises(Cancelled):
        purge(agent.db, agent.clock, agent.audit, RetentionPolicy(notes_days=30, calls_days=60),
              progress=progress)  # fmt: skip
    assert agent.db.execute("SELECT id, notes FROM calls").fetchall() == before
    assert [s[0] for s in steps] == [0, 1]
    assert agent.db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'retention.purge'"
    ).fetchone() == (0,)
    done: list[int] = []
    result = purge(agent.db, agent.clock, agent.audit, RetentionPolicy(30, 60),
                   progress=Progress(lambda d, t, _text: done.append(d)))  # fmt: skip
    assert result.calls == 1 and done == [0, 1, 2, 3]
