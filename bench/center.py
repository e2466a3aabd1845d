"""The center database (issue 17) on a real PostgreSQL server started for the run, like the
tests' (tests/helpers/pg.py), and stopped at the end.

A center of 10,000,000 calls (quick mode: 1,000,000, and the figure notes say so) over 2026,
2,000 agents in 100 teams of 20, is generated inside PostgreSQL with generate_series (not
timed). Then, through the product's code: one month's statistics for the whole center and for
one team (`stats.compute` with the PostgreSQL dialect), the browser's first page
(`CallBrowser.page`), and importing a 100,000-call bundle (`import_bundle`, COPY + upsert).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import DATA_DIR, Figures, benchmark

ROWS_QUICK, ROWS_FULL = 1_000_000, 10_000_000
NOTES = (
    "客户咨询发票抬头怎么修改", "快递三天没有更新物流", "要求退款并投诉客服态度", "宽带断网报修",
    "预约周六上门安装", "查询订单退款进度", "产品质量有问题要求换货", "账户无法登录",
    "价格比活动页面贵", "想改收货地址", "师傅迟到两个小时", "会员积分没有到账",
    "燃气有异味已转应急", "订购两台空调", "询问保修期多久", "重复扣费要求核实",
    "包裹显示签收但没收到", "客户情绪激动要找领导", "已告知三到五个工作日到账", "改约到下周一",
    "路由器指示灯红色", "订单号核对无误", "承诺明天下午回电",
)  # fmt: skip
AGENTS, TEAM_SIZE = 2000, 20
REPEATS = 5

GENERATE = """
INSERT INTO calls (id, phone, caller_name, started_at, answered_at, ended_at, completed_at,
                   intent, priority, status, outcome, notes, agent, source, updated_at)
SELECT md5(g::text), p.phone, '', to_char(t.s, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
       CASE WHEN g % 10 = 0 THEN NULL ELSE to_char(t.s + interval '5 s', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
       to_char(t.s + make_interval(secs => 60 + g % 600), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
       CASE WHEN g % 10 = 0 THEN NULL ELSE to_char(t.s + make_interval(secs => 120 + g % 700), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
       (ARRAY['inquiry','complaint','help','order','booking','status','fault','unrelated'])[1 + g % 8],
       (ARRAY['normal','normal','important','urgent'])[1 + g % 4],
       CASE WHEN g % 10 = 0 THEN 'missed' ELSE 'completed' END,
       CASE WHEN g % 10 = 0 THEN NULL WHEN g % 3 = 0 THEN 'follow_up' ELSE 'resolved' END,
       CASE WHEN g % 5 = 0 THEN '' ELSE n.notes[1 + g % 23] || '，' || n.notes[1 + (g / 23) % 23] END,
       'a' || lpad((g % {agents})::text, 4, '0'), 'softphone',
       '2026-12-31T00:00:00.000Z'
FROM generate_series({lo}, {hi}) AS g,
     (SELECT ARRAY[{notes}] AS notes) n,
     LATERAL (SELECT timestamp '2026-01-01' + ((g - 1)::float8 / {rows}) * interval '365 days' AS s) t,
     LATERAL (SELECT '138' || lpad(((g::bigint * 7919) % 5000000)::text, 8, '0') AS phone) p
"""


@benchmark(
    "center_stats_10m_ms", "center_team_stats_10m_ms", "center_first_page_10m_ms",
    "center_import_100k_s",
)  # fmt: skip
def run(quick: bool) -> Figures:
    from tests.helpers.pg import PgServer

    rows = ROWS_QUICK if quick else ROWS_FULL
    # made once, kept in the (shared) bench data folder: generating 10M calls takes minutes
    root = DATA_DIR / f"center-pg-{rows // 1_000_000}m"
    server = PgServer.start(
        database="center_bench",
        root=root,
        settings={
            "shared_buffers": "1GB",
            "work_mem": "64MB",
            "max_parallel_workers_per_gather": "2",
            "maintenance_work_mem": "512MB",
            "max_wal_size": "8GB",
            "checkpoint_timeout": "30min",
        },
    )
    os.environ["PGPASSFILE"] = str(server.pgpass)
    try:
        return _measure(server, rows, quick)
    finally:
        server.stop()


def generate(url: str, rows: int, say=lambda text: None) -> float | None:
    """The bench center's calls, teams and agents, once (a `bench_meta` row marks it done);
    the seconds it took, or None when it was there already."""
    from desktop.services.center.connection import connect
    from desktop.services.center.schema import migrate, month_partition

    with connect(url, autocommit=True) as conn:
        migrate(conn)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
        done = conn.execute("SELECT value FROM bench_meta WHERE key = 'rows'").fetchone()
        if done and int(done[0]) == rows:
            return None
        start = time.perf_counter()
        conn.execute("TRUNCATE calls, agents, teams CASCADE")
        for m in range(1, 13):
            month_partition(conn, f"2026-{m:02d}")
        conn.execute(
            "INSERT INTO teams SELECT 't' || lpad(n::text, 3, '0'), '班组' || n FROM generate_series(0, 99) n"
        )
        conn.execute(
            f"INSERT INTO agents (id, name, team_id) SELECT 'a' || lpad(n::text, 4, '0'), '坐席' || n, "
            f"'t' || lpad((n / {TEAM_SIZE})::text, 3, '0') FROM generate_series(0, {AGENTS - 1}) n"
        )
        notes = ", ".join(f"'{n}'" for n in NOTES)
        step = 500_000
        for lo in range(1, rows + 1, step):
            conn.execute(
                GENERATE.format(
                    lo=lo, hi=min(rows, lo + step - 1), rows=rows, agents=AGENTS, notes=notes
                )
            )
            say(
                f"generated {min(rows, lo + step - 1):,} calls, {time.perf_counter() - start:.0f} s"
            )
        conn.execute("VACUUM ANALYZE calls")
        conn.execute("INSERT INTO bench_meta VALUES ('rows', %s)", [str(rows)])
        return time.perf_counter() - start


def _measure(server, rows: int, quick: bool) -> Figures:
    from desktop.services.center.connection import connect
    from desktop.services.center.dialect import POSTGRES, POSTGRES_PLAIN
    from desktop.services.center.importer import import_bundle
    from desktop.services.center.teams import team_agents
    from desktop.services.review.browser import CallBrowser, CallFilter
    from desktop.services.review.period import Period
    from desktop.services.review.stats import compute
    from tests.helpers.review_fixture import CHECKLISTS

    out = Figures()
    url = server.url()
    gen_s = generate(url, rows, lambda text: print(text, file=sys.stderr, flush=True))
    size = "1,000,000 calls (quick mode)" if quick else "10,000,000 calls"
    made = "made before, reused" if gen_s is None else f"generated in {gen_s:.0f} s"
    out.notes.append(f"center: {size}, 2026, {AGENTS} agents / 100 teams; {made}")
    period = Period.parse("2026-06-01", "2026-06-30", "Asia/Shanghai")
    now = datetime(2027, 1, 1, tzinfo=UTC)
    repeats = REPEATS
    with connect(url) as conn:
        conn.read_only = True

        def median_ms(fn, times: int = repeats) -> float:
            """The median of `times` runs after one untimed warm-up (the load of the shared
            machine moves single runs)."""
            fn()
            conn.rollback()
            runs = []
            for _ in range(times):
                t = time.perf_counter()
                fn()
                runs.append((time.perf_counter() - t) * 1000)
                conn.rollback()
            return statistics.median(runs)

        whole = median_ms(
            lambda: compute(conn, period, checklists=CHECKLISTS, now=now, dialect=POSTGRES)
        )
        agents = team_agents(conn, "t042")
        team = median_ms(
            lambda: compute(
                conn, period, agents=agents, checklists=CHECKLISTS, now=now, dialect=POSTGRES
            )
        )
        browser = CallBrowser(
            conn, now=lambda: now, checklists=CHECKLISTS, dialect=POSTGRES,
            segmenter=_segmenter(),
        )  # fmt: skip
        first = median_ms(lambda: browser.page(CallFilter(period=period)))
        out["center_stats_10m_ms"] = round(whole, 1)
        out["center_team_stats_10m_ms"] = round(team, 1)
        out["center_first_page_10m_ms"] = round(first, 1)
        out.notes.extend(_parts(conn, period, now, median_ms))
        # schema 5 dropped the (outcome, started_at) and (priority, started_at) indexes
        filtered = {
            "outcome follow_up": CallFilter(period=period, outcomes=("follow_up",)),
            "priority urgent": CallFilter(period=period, priorities=("urgent",)),
            "type complaint": CallFilter(period=period, intents=("complaint",)),
        }
        out.notes.append(
            "browser first page filtered by "
            + ", ".join(
                f"{name} {median_ms(lambda f=flt: browser.page(f), 3):,.0f} ms"
                for name, flt in filtered.items()
            )
        )
        out.notes.extend(_notes_search(conn, browser, period, median_ms))
        if not quick:
            plain = median_ms(
                lambda: compute(
                    conn, period, checklists=CHECKLISTS, now=now, dialect=POSTGRES_PLAIN
                ),
                times=1,
            )
            out.notes.append(
                f"center_stats without the rollups (plain path, one run): {plain:,.0f} ms "
                f"= {plain / whole:.0f}x the rollup figure"
            )
    if quick:
        out.notes.append(
            "center_*_10m_ms measured on 1,000,000 calls (quick mode), one month = 1/12"
        )
    took, backend_cpu, client_cpu = _import_100k(url, import_bundle)
    out["center_import_100k_s"] = round(took, 2)
    out.notes.append(
        f"center_import_100k_s CPU (load-independent): server backend {backend_cpu:.1f} s + "
        f"client {client_cpu:.1f} s (both threads; the checksum thread overlaps the server's "
        "work), against the wall figure above"
    )
    out.notes.append(f"load average while measuring: {os.getloadavg()[0]:.1f} (2 cores)")
    return out


def _segmenter():
    from desktop.core.text.segmenter import Segmenter

    seg = Segmenter(DATA_DIR / "jieba")
    seg.load()
    return seg


def _parts(conn, period, now, median_ms) -> list[str]:
    """Where the whole-center month goes, per part of `compute()`."""
    from desktop.services.center.dialect import POSTGRES
    from desktop.services.review import stats
    from tests.helpers.review_fixture import CHECKLISTS

    scope = stats._Scope(period, None)
    parts = {
        "call sums (rollup + edges)": lambda: stats._call_groups(conn, scope, POSTGRES),
        "per hour/day": lambda: stats._by_hour_and_day(conn, scope, period, POSTGRES),
        "adherence": lambda: stats._adherence_counts(conn, scope, CHECKLISTS, POSTGRES),
        "callbacks": lambda: stats._callbacks(
            conn, scope, period, stats.DEFAULT_GRACE, now, POSTGRES
        ),
        "complaint cases": lambda: stats._complaints(conn, scope, POSTGRES),
        "QA": lambda: stats._qa_by_agent(conn, scope, POSTGRES),
    }
    timed = {name: median_ms(fn, 3) for name, fn in parts.items()}
    return [
        "whole-center month by part: " + ", ".join(f"{k} {v:,.0f} ms" for k, v in timed.items())
    ]


def _notes_search(conn, browser, period, median_ms) -> list[str]:
    """The browser's first page for a notes word, with the bigram index and as the plain
    substring scan it replaced (the same rows)."""
    from desktop.services.review.browser import CallFilter

    lines = []
    start, end = period.iso_bounds()
    for word in ("快递", "燃气", "火箭"):  # common, rarer, absent
        flt = CallFilter(period=period, notes=word)
        indexed = median_ms(lambda f=flt: browser.page(f), 3)
        plain = median_ms(
            lambda w=word: conn.execute(
                "SELECT c.id FROM calls c WHERE c.started_at >= %s AND c.started_at < %s "
                "AND strpos(c.notes, %s) > 0 ORDER BY c.started_at DESC LIMIT 200",
                [start, end, w],
            ).fetchall(),
            3,
        )
        count = median_ms(lambda f=flt: browser.count(f), 1)
        lines.append(
            f"notes search {word}: first page {indexed:,.0f} ms with the bigram index, "
            f"{plain:,.0f} ms as a substring scan; count {count:,.0f} ms"
        )
    return lines


def _import_100k(url: str, import_bundle) -> tuple[float, float, float]:
    from desktop.services.center.connection import connect
    from tests.helpers.bundle_files import write_bundle

    with tempfile.TemporaryDirectory() as tmp:
        calls = [
            {
                "id": f"imp-{n:06d}", "phone": f"139{n:08d}", "caller_name": "",
                "started_at": f"2026-07-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00.000Z",
                "answered_at": None, "ended_at": None, "completed_at": None,
                "intent": "inquiry", "priority": "normal", "status": "completed",
                "outcome": "resolved", "notes": "咨询发票抬头怎么改", "agent": "a9999",
                "source": "softphone", "updated_at": "2026-07-31T00:00:00.000Z",
            }
            for n in range(100_000)
        ]  # fmt: skip
        ticks = [
            {"uid": f"{n:032x}", "call_id": f"imp-{n:06d}", "step_key": "greeting",
             "ticked_at": calls[n]["started_at"], "unticked_at": None}
            for n in range(100_000)
        ]  # fmt: skip
        path = write_bundle(Path(tmp) / "100k.bundle", {"calls": calls, "checklist_ticks": ticks},
                            agent_id="a9999")  # fmt: skip
        with connect(url) as conn:
            backend = _BackendCpu(conn)
            t, c, b = time.perf_counter(), time.process_time(), backend()
            import_bundle(conn, path, url=url)
            took = time.perf_counter() - t
            cpu = (backend() - b, time.process_time() - c)
            _undo_import(conn, "a9999")
            return took, *cpu


class _BackendCpu:
    """The CPU seconds the connection's server process has used (the bench's server runs on
    this machine: /proc/<pid>/stat), for a figure the shared machine's load does not move."""

    def __init__(self, conn) -> None:
        self.pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        conn.commit()

    def __call__(self) -> float:
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _undo_import(conn, agent: str) -> None:
    """Take the measured bundle out again, so the kept 10M-call center stays as generated
    (its phones are nobody else's: no other agent's rollup cell changed)."""
    with conn.transaction():
        conn.execute(
            "DELETE FROM checklist_ticks t USING calls c WHERE t.call_id = c.id AND c.agent = %s",
            [agent],
        )
        conn.execute(
            "UPDATE call_hour_counts h SET calls = h.calls - x.n FROM (SELECT substr(started_at, "
            "1, 13) AS hour, COUNT(*) AS n FROM calls WHERE agent = %s GROUP BY 1) x "
            "WHERE h.hour = x.hour",
            [agent],
        )
        conn.execute("DELETE FROM call_day_sums WHERE agent = %s", [agent])
        conn.execute("DELETE FROM complaint_cases WHERE agent = %s", [agent])
        conn.execute("DELETE FROM calls WHERE agent = %s", [agent])
        conn.execute("DELETE FROM bundle_imports WHERE agent_id = %s", [agent])
        conn.execute("DELETE FROM agents WHERE id = %s", [agent])
    # back to the generated state's statistics too: the 100k ticks, deleted, would leave the
    # planner thinking the tick table is full (the generated center has no ticks)
    conn.execute("ANALYZE checklist_ticks")
    conn.commit()
