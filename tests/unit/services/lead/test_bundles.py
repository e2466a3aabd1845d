"""Log bundles: export, merge without duplicates (two agents, overlapping exports), and the
refusal of every bad file with nothing changed."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from db import connect
from db.migrations import MIGRATIONS
from desktop.core.clock import FakeClock
from desktop.services.lead.bundle import (
    BundleError,
    export_bundle,
    import_bundle,
    open_bundle,
)
from tests.helpers.file_size_limit import with_file_size_limit
from tests.helpers.lead_env import CALENDAR, PACK, AgentDb, agent_db

TABLES = ("calls", "call_intents", "checklist_ticks", "script_uses", "reminders", "audit_log")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock("2026-03-02T01:00:00Z")


@pytest.fixture
def agents(tmp_path: Path, clock: FakeClock):
    a = agent_db(tmp_path / "a", "1001", clock, "小王")
    b = agent_db(tmp_path / "b", "1002", clock, "小李")
    lead = agent_db(tmp_path / "lead", "9001", clock, "组长")
    yield a, b, lead
    for env in (a, b, lead):
        env.close()


def _export(env: AgentDb, out: Path, since: date | None = None) -> Path:
    export_bundle(env.path, out, env.clock, CALENDAR, since=since)
    return out


def _counts(env: AgentDb) -> dict[str, int]:
    return {t: env.db[t].count for t in TABLES}


def _fingerprint(env: AgentDb) -> str:
    digest = hashlib.sha256()
    for table in TABLES:
        for row in env.db.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _schema(env: AgentDb) -> list[tuple[str, str]]:
    """Every index and trigger of the file, as SQL (what an import may set aside)."""
    return env.db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY name"
    ).fetchall()


def _import(lead: AgentDb, path: Path):
    return import_bundle(lead.db, path, lead.audit, target_file=lead.path)


def test_a_bundle_holds_the_agents_rows_and_a_manifest(agents, tmp_path: Path) -> None:
    a, _b, _lead = agents
    a.call(notes="快递没到")
    a.call("13911112222", "complaint")
    out = _export(a, tmp_path / "a.bundle")
    with open_bundle(out) as bundle:
        bundle.verify()
        m = bundle.manifest
        assert (m["product"], m["format_version"], m["agent_id"]) == (
            "callassist-bundle",
            "1",
            "1001",
        )
        assert m["schema_version"] == str(len(MIGRATIONS)) and m["checksum"].startswith("sha256:")
        assert bundle.tables == [
            "calls", "call_intents", "checklist_ticks", "script_uses", "reminders",
            "qa_evaluations", "audit_log",
        ]  # fmt: skip
        assert bundle.count("calls") == 2
        assert {r["agent"] for r in bundle.rows("calls")} == {"1001"}
        assert all(len(r["uid"]) == 32 for r in bundle.rows("checklist_ticks"))
        assert "customer_id" not in next(bundle.rows("calls"))
    assert not list(tmp_path.glob("*.part"))


def test_merging_two_agents_overlapping_bundles_is_idempotent(agents, tmp_path: Path) -> None:
    a, b, lead = agents
    first_a = a.call(notes="第一通")
    a.call("13911112222", "complaint")
    b.call("13700001111", "fault")
    a1 = _export(a, tmp_path / "a1.bundle")
    b1 = _export(b, tmp_path / "b1.bundle")
    a.clock.advance(3600)
    a.calls.save_notes(first_a, "第一通，已补充")  # a change after the first export
    a.call("13500002222", "order")  # and a new call
    a2 = _export(a, tmp_path / "a2.bundle")  # overlaps a1 entirely

    r1 = _import(lead, a1)
    assert r1.tables["calls"].added == 2 and r1.tables["calls"].updated == 0
    assert _import(lead, b1).tables["calls"].added == 1
    r2 = _import(lead, a2)
    assert (r2.tables["calls"].added, r2.tables["calls"].updated, r2.tables["calls"].unchanged) == (
        1,
        1,
        1,
    )
    assert r2.tables["checklist_ticks"].unchanged > 0
    after = _counts(lead)

    for again in (a1, b1, a2, a1):  # every bundle again, the older one last
        report = _import(lead, again)
        assert report.already_imported  # recognised by its checksum, not re-read
        assert all(c.added == 0 and c.updated == 0 for c in report.tables.values())
    for again in (a1, b1, a2, a1):
        lead.db.execute("DELETE FROM bundle_imports")  # forgotten: the full merge runs
        report = _import(lead, again)
        assert not report.already_imported
        assert all(c.added == 0 and c.updated == 0 for c in report.tables.values()), again
        assert report.tables["calls"].unchanged == {a1: 2, b1: 1, a2: 3}[again]
    now = _counts(lead)
    assert {t: now[t] for t in TABLES if t != "audit_log"} == {
        t: after[t] for t in TABLES if t != "audit_log"
    }
    assert now["audit_log"] == after["audit_log"] + 8  # only the bundle.import rows
    rows = dict(lead.db.execute("SELECT id, notes FROM calls WHERE agent = '1001'").fetchall())
    assert rows[first_a] == "第一通，已补充"  # the older a1 did not bring the old note back
    agents_of = dict(lead.db.execute("SELECT agent, count(*) FROM calls GROUP BY agent").fetchall())
    assert agents_of == {"1001": 3, "1002": 1}
    # child rows are never doubled
    assert (
        lead.db.execute(
            "SELECT count(*) FROM (SELECT uid FROM checklist_ticks GROUP BY uid HAVING count(*) > 1)"
        ).fetchone()[0]
        == 0
    )
    actions = [r[0] for r in lead.db.execute("SELECT action FROM audit_log WHERE actor = '1001'")]
    assert "call.start" in actions  # the agent's audit rows came along, keeping their actor
    # the statistics' per-call facts (migration 7) follow the merged rows exactly
    from db.schema_v7 import COLUMNS, FACTS_OF

    kept = lead.db.execute(f"SELECT {COLUMNS} FROM call_facts ORDER BY call_id").fetchall()
    assert kept == lead.db.execute(f"{FACTS_OF} ORDER BY c.id").fetchall() and len(kept) == 4
    # the first merge (bigger than what was there) set the facts triggers aside: all back
    assert _schema(lead) == _schema(a)


def test_chunked_checksum_equals_the_row_by_row_definition(agents, tmp_path: Path) -> None:
    from desktop.services.lead import bundle as module

    a, _b, _lead = agents
    for n in range(7):
        a.call(f"1380000{n:04d}", notes=f"备注 {n}，含 'quote' 与逗号,")
    out = _export(a, tmp_path / "a.bundle")
    with open_bundle(out) as bundle:
        whole = module.checksum(bundle.conn, bundle.tables)
        module.CHECKSUM_CHUNK, saved = 3, module.CHECKSUM_CHUNK
        try:
            chunked = module.checksum(bundle.conn, bundle.tables)
        finally:
            module.CHECKSUM_CHUNK = saved
        assert whole == chunked == module.checksum_by_rows(bundle.conn, bundle.tables)
        assert whole == bundle.manifest["checksum"]


def test_the_fast_rendering_gives_the_definitions_checksum() -> None:
    """Runs of TEXT columns rendered by printf('%Q,…') give quote()'s text for every value a
    TEXT column can hold but a blob; the exact checksum renders a table holding a blob with
    quote(), and a reader that renders fast falls back to it on a mismatch."""
    from desktop.services.lead import bundle as module

    conn = sqlite3.connect(":memory:")
    columns = ", ".join(f"t{n} TEXT" for n in range(60))  # more than one printf() call
    conn.execute(f"CREATE TABLE a ({columns}, n INTEGER, r REAL, v VARCHAR(5), x)")
    tricky = ["it's", "逗号,与\n换行", "", None, "''", "%Q %s", "a\tb", "😀"]
    for shift in range(len(tricky)):
        texts = [tricky[(shift + n) % len(tricky)] for n in range(60)]
        conn.execute(
            f"INSERT INTO a VALUES ({', '.join('?' for _ in range(64))})",
            [*texts, shift, shift / 3, tricky[shift], 7 if shift % 2 else "seven"],
        )
    conn.execute("CREATE TABLE b (k TEXT, v TEXT)")
    conn.execute("INSERT INTO b VALUES ('one', 'x'), ('two', NULL)")
    definition = module.checksum_by_rows(conn, ["a", "b"])
    assert module.checksum(conn, ["a", "b"]) == definition
    assert module.checksum(conn, ["a", "b"], exact=False) == definition
    conn.execute("UPDATE b SET v = CAST('x' AS BLOB) WHERE k = 'one'")  # quote(): X'78'
    definition = module.checksum_by_rows(conn, ["a", "b"])
    assert module.checksum(conn, ["a", "b"]) == definition
    assert module.checksum(conn, ["a", "b"], exact=False) != definition


def test_a_bundle_holding_a_blob_still_verifies(agents, tmp_path: Path) -> None:

    a, _b, lead = agents
    a.call(notes="备注")
    out = _export(a, tmp_path / "a.bundle")
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("UPDATE calls SET caller_name = CAST(caller_name AS BLOB)")
    _reseal(conn)
    conn.close()
    with open_bundle(out) as bundle:
        bundle.verify()
    assert _import(lead, out).tables["calls"].added == 1


def _bulk_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Merge row by row with every index and trigger in place (what a bulk merge must equal)."""
    from desktop.services.lead import bundle as module

    monkeypatch.setattr(module, "_suspend_call_facts", lambda *args: None)
    monkeypatch.setattr(module, "_droppable_indexes", lambda *args, **kw: [])
    monkeypatch.setattr(module, "_fill_triggers", lambda *args: [])
    monkeypatch.setattr(module, "_idle_guards", lambda *args: [])


def _contents(env: AgentDb) -> dict[str, list[tuple]]:
    from db.schema_v7 import COLUMNS

    return {
        "calls": env.db.execute("SELECT * FROM calls ORDER BY id").fetchall(),
        "ticks": env.db.execute(
            "SELECT uid, call_id, step_key, ticked_at, unticked_at FROM checklist_ticks "
            "ORDER BY uid"
        ).fetchall(),
        "facts": env.db.execute(f"SELECT {COLUMNS} FROM call_facts ORDER BY call_id").fetchall(),
    }


def test_a_bulk_merge_leaves_what_the_triggers_would(
    agents, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Merges bigger than what is there set the facts triggers, the fill triggers and the
    indexes aside; the calls, ticks and call_facts come out as a row-by-row merge with every
    trigger at work leaves them: for added calls, a call updated, a new tick of a call
    already there and a tick unticked before its call was completed (three calls)."""
    from db.schema_v7 import FACTS_OF

    a, _b, lead = agents
    control = agent_db(tmp_path / "control", "9002", a.clock, "组长二")
    first = a.call(notes="第一通")
    second = a.call("13911112222", "complaint")
    third = a.call("13911113333", "fault")
    a1 = _export(a, tmp_path / "a1.bundle")
    a.clock.advance(3600)
    a.calls.save_notes(first, "第一通，已补充")
    a.db.execute(  # a reopened case: what the facts are made of changed
        "UPDATE calls SET outcome = 'unresolved', updated_at = ? WHERE id = ?",
        ["2026-03-02T03:00:00.000Z", first],
    )
    a.db.execute(
        "INSERT INTO checklist_ticks (call_id, step_key, ticked_at) "
        "SELECT id, 'late_step', answered_at FROM calls WHERE id = ?",
        [second],
    )
    a.db.execute(
        "UPDATE checklist_ticks SET unticked_at = (SELECT answered_at FROM calls WHERE id = ?) "
        "WHERE rowid = (SELECT min(rowid) FROM checklist_ticks WHERE call_id = ?)",
        [third, third],
    )
    for n in range(3):
        a.call(f"1370000{n:04d}", "order")  # more calls than the lead has: a bulk merge again
    a.call("13800138000", "inquiry")  # the first caller again within 7 days: a repeat
    a2 = _export(a, tmp_path / "a2.bundle")
    try:
        reports = [_import(lead, bundle) for bundle in (a1, a2)]
        with monkeypatch.context() as patch:
            _bulk_off(patch)
            expected = [_import(control, bundle) for bundle in (a1, a2)]
        assert [r.tables for r in reports] == [r.tables for r in expected]
        second_report = reports[1].tables
        assert (second_report["calls"].added, second_report["calls"].updated) == (4, 1)
        assert second_report["checklist_ticks"].updated == 1
        merged = _contents(lead)
        assert merged == _contents(control)
        assert merged["facts"] == lead.db.execute(f"{FACTS_OF} ORDER BY c.id").fetchall()
        facts = {f[1]: f for f in merged["facts"]}
        assert "late_step" in facts[second][-1]  # the new tick of a call already there counts
        assert facts[first][10] == 0  # resolved: no longer
        assert facts[third][-1].count("\x1f") == len(PACK.steps("fault")) - 2  # one unticked
        assert _schema(lead) == _schema(control) == _schema(a)
    finally:
        control.close()


def test_a_bulk_merge_fills_a_missing_uid_as_its_trigger_would(agents, tmp_path: Path) -> None:

    a, _b, lead = agents
    a.call()
    out = _export(a, tmp_path / "a.bundle")
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("DROP INDEX checklist_ticks_key")
    conn.execute("UPDATE checklist_ticks SET uid = NULL WHERE rowid = 1")
    conn.execute("UPDATE calls SET updated_at = NULL")
    _reseal(conn)
    ticks = conn.execute("SELECT count(*) FROM checklist_ticks").fetchone()[0]
    conn.close()
    _import(lead, out)
    uids = [r[0] for r in lead.db.execute("SELECT uid FROM checklist_ticks")]
    assert len(uids) == ticks and all(len(u) == 32 for u in uids) and len(set(uids)) == ticks
    (version,) = lead.db.execute("SELECT updated_at FROM calls").fetchone()
    assert version is not None and version.endswith("Z")  # SQLite's clock, as the trigger


def test_a_bulk_merge_keeps_the_value_guards_a_row_trips(agents, tmp_path: Path) -> None:
    """A bulk merge sets the status/priority guards aside only when no row to be added
    trips them; a bundle with a bad status is refused as row by row, nothing changed."""

    a, _b, lead = agents
    a.call()
    a.call("13911112222")
    out = _export(a, tmp_path / "a.bundle")
    conn = sqlite3.connect(out, isolation_level=None)
    conn.execute("UPDATE calls SET status = 'lost' WHERE rowid = 2")
    _reseal(conn)
    conn.close()
    schema = _schema(lead)
    with pytest.raises(BundleError, match=r"invalid calls\.status"):
        _import(lead, out)
    assert lead.db["calls"].count == 0 and _schema(lead) == schema


def test_a_bulk_merge_uses_a_rollback_journal_only_on_a_file_it_alone_holds(
    agents, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alone on the file, a bulk merge writes through a rollback journal and gives the
    write-ahead log back; with another connection open (the running app) it keeps the log.
    Both merge the same rows."""
    from desktop.services.lead import bundle as module

    a, _b, lead = agents
    a.call()
    a.call("13911112222", "complaint")
    out = _export(a, tmp_path / "a.bundle")
    modes: list[str] = []
    switch = module._rollback_journal

    def watched(conn, *args):
        sync = switch(conn, *args)
        modes.append(str(conn.execute("PRAGMA main.journal_mode").fetchone()[0]))
        return sync

    monkeypatch.setattr(module, "_rollback_journal", watched)
    control = agent_db(tmp_path / "control", "9002", a.clock, "组长二")
    other = connect(control.path)  # a second connection on the control file
    try:
        _import(lead, out)
        _import(control, out)
        assert modes == ["delete", "wal"]
        for env in (lead, control):
            assert env.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert env.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL again
        assert not lead.path.with_name(lead.path.name + "-journal").exists()
        assert _contents(lead) == _contents(control)
        assert other.execute("SELECT count(*) FROM calls").fetchone()[0] == 2
    finally:
        other.close()
        control.close()


def test_untick_after_an_export_updates_the_tick(agents, tmp_path: Path) -> None:
    a, _b, lead = agents
    call = a.calls.start_call("13800138000")
    a.calls.set_intent(call.id, "inquiry")
    a.calls.tick(call.id, "greeting")
    _import(lead, _export(a, tmp_path / "1.bundle"))
    a.clock.advance(30)
    a.calls.untick(call.id, "greeting")
    report = _import(lead, _export(a, tmp_path / "2.bundle"))
    assert report.tables["checklist_ticks"].updated == 1
    assert lead.db.execute("SELECT unticked_at FROM checklist_ticks").fetchone()[0] is not None


def test_since_exports_recent_calls_and_what_they_need(agents, tmp_path: Path) -> None:
    a, _b, lead = agents
    old = a.call()
    a.clock.advance(days=3)
    recent = a.call("13911112222")
    a.reminders_for(old)
    since = CALENDAR.today(a.clock.now())
    out = _export(a, tmp_path / "s.bundle", since=since)
    with open_bundle(out) as bundle:
        ids = [r["id"] for r in bundle.rows("calls")]
        assert recent in ids and len(ids) == 2  # the old call travels with its reminder
        assert [r["call_id"] for r in bundle.rows("reminders")] == [old]
        assert bundle.manifest["since"] == since.isoformat()
    report = _import(lead, out)
    assert report.tables["calls"].added == 2 and report.tables["reminders"].added == 1


def test_since_is_a_local_date_and_changes_are_dated_by_the_apps_clock(
    agents, tmp_path: Path
) -> None:
    """`--since 2026-03-05` means from midnight in the agent's zone (Shanghai, while the
    suite's machine is in New York), and a call counts as changed since then by the time
    the app's clock gave its last write, never the computer's own."""
    import time

    assert time.localtime().tm_zone in ("EST", "EDT")  # the suite's machine zone
    a, _b, _lead = agents
    a.clock.set(datetime(2026, 3, 4, 15, 30, tzinfo=UTC))  # 03-04 23:30 in Shanghai
    before_midnight = a.call()
    a.clock.set(datetime(2026, 3, 4, 16, 30, tzinfo=UTC))  # 03-05 00:30 in Shanghai
    after_midnight = a.call("13911112222")
    a.clock.set(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    earlier = a.call("13700001111")
    a.clock.set(datetime(2026, 3, 6, 2, 0, tzinfo=UTC))
    a.calls.save_notes(earlier, "补记")  # changed after the date: it goes too
    stamps = dict(a.db.execute("SELECT id, updated_at FROM calls").fetchall())
    assert stamps[before_midnight] < "2026-03-04T16:00:00.000Z"  # the fake clock's time
    assert stamps[earlier] == "2026-03-06T02:00:00.000Z"
    out = _export(a, tmp_path / "since.bundle", since=date(2026, 3, 5))
    with open_bundle(out) as bundle:
        ids = {r["id"] for r in bundle.rows("calls")}
    assert ids == {after_midnight, earlier}


def test_every_write_of_a_call_or_reminder_is_dated_by_the_apps_clock(agents) -> None:
    """updated_at follows the injected clock through start, answer, type, notes, wrap-up and
    the reminder's life; a write in the same instant still moves it on."""
    a, _b, _lead = agents
    a.clock.set(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    call = a.call()
    (stamp,) = a.db.execute("SELECT updated_at FROM calls WHERE id = ?", [call]).fetchone()
    assert stamp == "2026-03-02T01:01:25.000Z"  # the fake clock at wrap-up (5+60+20 s)
    reminder = a.reminders_for(call)
    (r_stamp,) = a.db.execute(
        "SELECT updated_at FROM reminders WHERE id = ?", [reminder]
    ).fetchone()
    assert r_stamp == "2026-03-02T01:02:25.000Z"
    stamps = []
    for text in ("一", "二"):  # two writes in the same instant
        a.calls.save_notes(call, text)
        stamps += a.db.execute("SELECT updated_at FROM calls WHERE id = ?", [call]).fetchone()
    assert stamps[0] == "2026-03-02T01:02:25.000Z" < stamps[1] < "2026-03-02T01:02:25.010Z"
    a.clock.advance(minutes=5)
    from desktop.services.reminders import ReminderService
    from desktop.services.settings import SettingsStore

    service = ReminderService(a.db, a.clock, a.audit, SettingsStore(a.db), lambda: ())
    service.snooze(reminder, 10)
    (r_stamp,) = a.db.execute(
        "SELECT updated_at FROM reminders WHERE id = ?", [reminder]
    ).fetchone()
    assert r_stamp == "2026-03-02T01:07:25.000Z"


def _bad_files(tmp_path: Path, good: Path) -> dict[str, tuple[Path, str]]:
    files: dict[str, tuple[Path, str]] = {}
    empty = tmp_path / "empty.bundle"
    empty.write_bytes(b"")
    files["empty"] = (empty, "空")
    junk = tmp_path / "junk.bundle"
    junk.write_bytes(b"PK\x03\x04 not a database" * 200)
    files["corrupt"] = (junk, "不是有效的数据包")
    truncated = tmp_path / "truncated.bundle"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    files["truncated"] = (truncated, "不完整")
    damaged = tmp_path / "damaged.bundle"
    data = bytearray(good.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    last = len(data) - page  # the b-tree header of the last page: the manifest still reads
    data[last : last + 12] = b"\xff" * 12
    damaged.write_bytes(bytes(data))
    files["damaged pages"] = (damaged, "损坏")
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    files["other product"] = (other, "不是坐席助手的数据包")
    newer = tmp_path / "newer.bundle"
    shutil.copy(good, newer)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE manifest SET value = '9' WHERE key = 'format_version'")
    conn.commit()
    conn.close()
    files["newer format"] = (newer, "格式版本 9")
    tampered = tmp_path / "tampered.bundle"
    shutil.copy(good, tampered)
    conn = sqlite3.connect(tampered)
    conn.execute("UPDATE calls SET notes = '改过'")
    conn.commit()
    conn.close()
    files["checksum"] = (tampered, "校验失败")
    missing = tmp_path / "missing-rows.bundle"
    shutil.copy(good, missing)
    conn = sqlite3.connect(missing)
    conn.execute("DELETE FROM script_uses")
    conn.commit()
    conn.close()
    files["row count"] = (missing, "校验失败")
    return files


def test_every_bad_file_is_refused_by_name_and_nothing_changes(agents, tmp_path: Path) -> None:
    a, _b, lead = agents
    a.call(notes="原样")
    lead.call("13600000000")
    good = _export(a, tmp_path / "good.bundle")
    before = (_counts(lead), _fingerprint(lead))
    for case, (path, reason) in _bad_files(tmp_path, good).items():
        with pytest.raises(BundleError) as error:
            _import(lead, path)
        assert path.name in str(error.value) and reason in str(error.value), case
        assert (_counts(lead), _fingerprint(lead)) == before, case
    own = _export(lead, tmp_path / "own.bundle")
    with pytest.raises(BundleError, match="本机数据库") as error:
        _import(lead, own)
    assert error.value.skipped
    assert (_counts(lead), _fingerprint(lead)) == before
    assert _import(lead, good).tables["calls"].added == 1  # the good one still goes in


def test_a_read_only_target_is_refused(agents, tmp_path: Path) -> None:
    a, _b, lead = agents
    a.call()
    good = _export(a, tmp_path / "good.bundle")
    readonly = connect(lead.path, readonly=True)
    try:
        with pytest.raises(BundleError, match="只读"):
            import_bundle(readonly, good, lead.audit)
    finally:
        readonly.close()
    assert lead.db["calls"].count == 0


def test_a_failure_mid_import_rolls_the_whole_bundle_back(agents, tmp_path: Path) -> None:
    a, _b, lead = agents
    a.call()
    a.call("13911112222")
    good = _export(a, tmp_path / "good.bundle")
    lead.db.execute(
        "CREATE TRIGGER refuse_ticks BEFORE INSERT ON checklist_ticks "
        "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END"
    )
    schema = _schema(lead)
    with pytest.raises(BundleError, match="未导入"):
        _import(lead, good)
    assert lead.db["calls"].count == 0 and lead.db["call_intents"].count == 0
    assert _schema(lead) == schema  # the indexes and triggers set aside came back too
    assert lead.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # and the log


def test_imported_reminders_never_fire_in_the_leads_app(agents, tmp_path: Path) -> None:
    from desktop.services.reminders import ReminderService
    from desktop.services.settings import SettingsStore

    a, _b, lead = agents
    a.reminders_for(a.call())
    lead.reminders_for(lead.call("13600000000"))  # the lead's own one
    _import(lead, _export(a, tmp_path / "a.bundle"))
    lead.clock.advance(hours=2)
    service = ReminderService(lead.db, lead.clock, lead.audit, SettingsStore(lead.db), lambda: ())
    assert lead.db["reminders"].count == 2
    assert len(service.due_now()) == 1 and len(service.fire_due()) == 1
    agents_of = [r[0] for r in lead.db.execute("SELECT agent FROM reminders ORDER BY agent")]
    assert agents_of == ["", "1001"]


def test_qa_evaluations_travel_and_a_superseding_one_keeps_its_reference(agents, tmp_path) -> None:
    a, _b, lead = agents
    call = a.call()
    rows = [  # the newer one sorts first by id: the import must not depend on order
        ("0-new", call, "2026-03-02T03:00:00.000Z", 90.0, "z-old"),
        ("z-old", call, "2026-03-02T02:00:00.000Z", 70.0, None),
    ]
    a.db.conn.executemany(
        "INSERT INTO qa_evaluations (id, call_id, agent, created_at, score, supersedes_id) "
        "VALUES (?, ?, '1001', ?, ?, ?)",
        [r for r in reversed(rows)],
    )
    bundle = _export(a, tmp_path / "qa.bundle")
    first = _import(lead, bundle)
    assert first.tables["qa_evaluations"].added == 2
    lead.db.execute("DELETE FROM bundle_imports")
    assert _import(lead, bundle).tables["qa_evaluations"].unchanged == 2
    stored = lead.db.execute("SELECT id, supersedes_id FROM qa_evaluations ORDER BY id").fetchall()
    assert stored == [("0-new", "z-old"), ("z-old", None)]


def test_calls_under_another_work_number_are_named_not_dropped_silently(
    tmp_path: Path, clock
) -> None:
    from db import open_db
    from desktop.core.calendar import AgentCalendar
    from desktop.services.lead.bundle import export_bundle

    source = tmp_path / "agent.sqlite3"
    db = open_db(source)
    db.execute("INSERT INTO settings (key, value) VALUES ('agent_id', '2046')")
    for call_id, agent in (("mine", "2046"), ("old", "1001"), ("old2", "1001")):
        db.execute(
            "INSERT INTO calls (id, phone, caller_name, started_at, status, priority, notes, "
            "agent, source) VALUES (?, '', '', '2026-03-02T01:00:00.000Z', 'completed', "
            "'normal', '', ?, 'manual')",
            [call_id, agent],
        )
    db.close()
    summary = export_bundle(source, tmp_path / "a.bundle", clock, AgentCalendar())
    assert summary.rows["calls"] == 1 and summary.other_agents == {"1001": 2}


def test_a_full_disk_during_an_import_changes_nothing(agents, tmp_path: Path) -> None:
    a, _b, lead = agents
    for n in range(200):
        a.call(f"1380000{n:04d}", notes="客户反映快递延误，要求尽快处理。" * 5)
    lead.call("13600000000")
    bundle = _export(a, tmp_path / "a.bundle")
    lead.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = (_counts(lead), _fingerprint(lead))
    limit = lead.path.stat().st_size + 20_000  # room for a little, not for 200 calls
    error = with_file_size_limit(limit, "import", lead.path, bundle)
    assert error is not None and bundle.name in error and "磁盘空间不足" in error
    assert "未做任何改动" in error
    assert (_counts(lead), _fingerprint(lead)) == before
    assert with_file_size_limit(500_000_000, "import", lead.path, bundle) is None
    assert _counts(lead)["calls"] == 201


def test_a_bundle_of_an_older_schema_is_merged_by_the_columns_it_has(
    agents, tmp_path: Path
) -> None:
    """A bundle written before a column existed (here: calls.updated_at, reminders.agent and
    updated_at of schema 4) merges what it has; the missing columns take their defaults."""

    a, _b, lead = agents
    call = a.call(notes="旧版本")
    a.reminders_for(call)
    older = _export(a, tmp_path / "older.bundle")
    conn = sqlite3.connect(older, isolation_level=None)
    conn.execute("ALTER TABLE calls DROP COLUMN updated_at")
    conn.execute("ALTER TABLE reminders DROP COLUMN agent")
    conn.execute("ALTER TABLE reminders DROP COLUMN updated_at")
    _reseal(conn)
    conn.execute("UPDATE manifest SET value = '4' WHERE key = 'schema_version'")
    conn.close()
    report = _import(lead, older)
    assert report.tables["calls"].added == 1 and report.tables["reminders"].added == 1
    notes, agent, version = lead.db.execute("SELECT notes, agent, updated_at FROM calls").fetchone()
    stamp = a.db.execute("SELECT completed_at FROM calls").fetchone()[0]
    assert (notes, agent, version) == ("旧版本", "1001", stamp)  # the call's own last time
    agent, version = lead.db.execute("SELECT agent, updated_at FROM reminders").fetchone()
    created = a.db.execute("SELECT created_at FROM reminders").fetchone()[0]
    assert (agent, version) == ("1001", created)  # the agent's: it never fires for the lead


def test_an_outgoing_callback_stays_outgoing_in_the_leads_file(agents, tmp_path: Path) -> None:
    """calls.direction travels (a callback the agent dialled is not an inbound call)."""
    a, _b, lead = agents
    inbound = a.call(notes="快递没到")
    dialled = a.call(notes="回电告知进度")
    a.db.execute("UPDATE calls SET direction = 'outgoing' WHERE id = ?", [dialled])
    _import(lead, _export(a, tmp_path / "1.bundle"))
    got = dict(lead.db.execute("SELECT id, direction FROM calls").fetchall())
    assert got == {inbound: "incoming", dialled: "outgoing"}


def _reseal(conn: sqlite3.Connection) -> None:
    """The manifest's checksum made again for a bundle a test has changed on purpose (so it
    is refused, or taken, for what was changed, not for the checksum)."""
    import json

    from desktop.services.lead.bundle import checksum

    tables = conn.execute("SELECT value FROM manifest WHERE key = 'tables'").fetchone()[0]
    conn.execute(
        "UPDATE manifest SET value = ? WHERE key = 'checksum'", [checksum(conn, json.loads(tables))]
    )
